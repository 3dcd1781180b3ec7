// mtk_ca_init: a new root CA directory (and optionally its intermediate).
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <openssl/mem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mtlskit/ca.h"
#include "mtlskit/file.h"
#include "mtlskit/pem.h"
#include "mtlskit/x509_csr.h"
#include "mtlskit/x509_time.h"

static void remove_tree(const char *path);

// remove_children deletes everything below the directory |path| and leaves
// the directory itself.
static void remove_children(const char *path) {
  DIR *d = opendir(path);
  if (d == NULL) {
    return;
  }
  struct dirent *de;
  while ((de = readdir(d)) != NULL) {
    if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) {
      continue;
    }
    char child[PATH_MAX];
    if ((size_t)snprintf(child, sizeof(child), "%s/%s", path, de->d_name) <
        sizeof(child)) {
      remove_tree(child);
    }
  }
  closedir(d);
}

// remove_tree deletes |path| and everything below it (no symlink is
// followed). Used only on a directory this run created or found empty.
static void remove_tree(const char *path) {
  struct stat st;
  if (lstat(path, &st) != 0) {
    return;
  }
  if (S_ISDIR(st.st_mode)) {
    remove_children(path);
    rmdir(path);
  } else {
    unlink(path);
  }
}

static int put(const char *dir, const char *name, const void *data, size_t len,
               mode_t mode, struct mtk_diag *diag) {
  char path[PATH_MAX];
  if (mtk_path_join(path, sizeof(path), dir, name) != 0) {
    return mtk_diag_set(diag, MTK_ERANGE, "path too long");
  }
  return mtk_file_create(path, data, len, mode, true, diag);
}

static int put_cert(const char *dir, const char *name, X509 *cert,
                    struct mtk_diag *diag) {
  char *pem = NULL;
  size_t len = 0;
  int err = mtk_pem_cert_encode(cert, &pem, &len);
  if (err == 0) {
    err = put(dir, name, pem, len, 0644, diag);
  }
  free(pem);
  return err;
}

// make_layout creates the directories and empty database files of one CA.
static int make_layout(const char *dir, int pathlen, enum mtk_key_type type,
                       struct mtk_diag *diag) {
  static const char *subdirs[] = {"certs", "crl", "newcerts", "csr"};
  char path[PATH_MAX];
  mtk_dir_spread(dir);  // certs/, newcerts/ ... will hold most files
  for (size_t i = 0; i < sizeof(subdirs) / sizeof(subdirs[0]); i++) {
    if (mtk_path_join(path, sizeof(path), dir, subdirs[i]) != 0) {
      return MTK_ERANGE;
    }
    int err = mtk_mkdir_p(path, 0755, diag);
    if (err != 0) {
      return err;
    }
  }
  if (mtk_path_join(path, sizeof(path), dir, "private") != 0) {
    return MTK_ERANGE;
  }
  int err = mtk_mkdir_p(path, 0700, diag);
  if (err != 0) {
    return err;
  }
  chmod(path, 0700);
  char *cnf = NULL;
  size_t cnf_len = 0;
  // openssl ca cannot take a digest with Ed25519; "default" lets it pick.
  err = mtk_cadb_cnf_render(dir, pathlen,
                            type == MTK_KEY_ED25519 ? "default" : "sha256",
                            &cnf, &cnf_len);
  if (err != 0) {
    return err;
  }
  err = put(dir, "openssl.cnf", cnf, cnf_len, 0644, diag);
  free(cnf);
  if (err == 0) {
    err = put(dir, "index.txt", "", 0, 0644, diag);
  }
  if (err == 0) {
    static const char attr[] = "unique_subject = no\n";
    err = put(dir, "index.txt.attr", attr, sizeof(attr) - 1, 0644, diag);
  }
  if (err == 0) {
    err = put(dir, "serial", "1000\n", 5, 0644, diag);
  }
  if (err == 0) {
    err = put(dir, "crlnumber", "1000\n", 5, 0644, diag);
  }
  return err;
}

// derive_intermediate_dn copies |root| with the CN changed: "X Root CA"
// becomes "X Intermediate CA", anything else gets " Intermediate CA".
static int derive_intermediate_dn(const struct mtk_dn *root,
                                  struct mtk_dn *out) {
  const char *cn = mtk_dn_get_cn(root);
  for (size_t i = 0; i < root->num_attrs; i++) {
    const struct mtk_dn_attr *a = &root->attrs[i];
    char value[160];
    const char *v = a->value;
    size_t vlen = a->value_len;
    if (a->value == cn) {
      size_t n = strlen(cn);
      const char *tail = " Root CA";
      size_t tl = strlen(tail);
      if (n > tl && strcmp(cn + n - tl, tail) == 0) {
        snprintf(value, sizeof(value), "%.*s Intermediate CA", (int)(n - tl),
                 cn);
      } else {
        snprintf(value, sizeof(value), "%.*s Intermediate CA", 40, cn);
      }
      v = value;
      vlen = strlen(value);
    }
    if (out->num_attrs >= MTK_DN_MAX_ATTRS) {
      return MTK_ERANGE;
    }
    struct mtk_dn_attr *b = &out->attrs[out->num_attrs];
    b->value = malloc(vlen + 1);
    if (b->value == NULL) {
      return MTK_ENOMEM;
    }
    memcpy(b->value, v, vlen);
    b->value[vlen] = '\0';
    b->value_len = vlen;
    memcpy(b->oid, a->oid, a->oid_len);
    b->oid_len = a->oid_len;
    b->tag = a->tag;
    out->num_attrs++;
  }
  return 0;
}

static int write_key(const char *dir, EVP_PKEY *key,
                     const struct mtk_secret *password, struct mtk_diag *diag) {
  char *pem = NULL;
  size_t len = 0;
  int err = mtk_pem_key_encode(key, password, &pem, &len, diag);
  if (err == 0) {
    err = put(dir, "private/ca.key.pem", pem, len, 0600, diag);
  }
  if (pem != NULL) {
    OPENSSL_cleanse(pem, len);
  }
  free(pem);
  return err;
}

static int init_intermediate(const char *root_dir, const char *int_dir,
                             const struct mtk_ca_init_params *p,
                             const struct mtk_dn *dn, time_t now,
                             struct mtk_diag *diag) {
  struct mtk_ca root;
  EVP_PKEY *key = NULL;
  uint8_t *der = NULL, *csr = NULL;
  size_t der_len = 0, csr_len = 0;
  X509 *cert = NULL;
  char *csr_pem = NULL, *cert_pem = NULL, *subject = NULL;
  size_t csr_pem_len = 0, cert_pem_len = 0;
  int err = mtk_ca_open(&root, root_dir, MTK_CA_OPEN_KEY | MTK_CA_OPEN_INIT,
                        p->key_password, diag);
  if (err != 0) {
    goto out;
  }
  if ((err = make_layout(int_dir, 0, p->key_type, diag)) != 0 ||
      (err = mtk_key_generate(p->key_type, &key, diag)) != 0 ||
      (err = write_key(int_dir, key, p->key_password, diag)) != 0 ||
      (err = mtk_csr_build(dn, key, NULL, p->digest, &csr, &csr_len, diag)) !=
          0 ||
      (err = mtk_pem_encode("CERTIFICATE REQUEST", csr, csr_len, &csr_pem,
                            &csr_pem_len)) != 0 ||
      (err = put(int_dir, "csr/ca.csr.pem", csr_pem, csr_pem_len, 0644,
                 diag)) != 0) {
    goto out;
  }
  struct mtk_cert_spec spec;
  mtk_cert_spec_init(&spec, MTK_PROFILE_CA, key);
  spec.pathlen = 0;
  spec.subject = dn;
  spec.public_key = key;
  spec.issuer = root.cert;
  spec.signing_key = root.key;
  spec.digest = p->digest;
  spec.not_before = now;
  spec.not_after = now + (time_t)p->days * 86400;
  char serial[2 * MTK_SERIAL_MAX + 3], expires[24],
      name[2 * MTK_SERIAL_MAX + 32];
  if ((err = mtk_cert_build(&spec, &der, &der_len, diag)) != 0 ||
      (err = mtk_cert_parse(der, der_len, &cert)) != 0 ||
      (err = mtk_serial_hex(spec.serial, spec.serial_len, serial,
                            sizeof(serial))) != 0 ||
      (err = mtk_time_format(expires, sizeof(expires), spec.not_after,
                             MTK_TIME_AUTO)) != 0 ||
      (err = mtk_pem_encode("CERTIFICATE", der, der_len, &cert_pem,
                            &cert_pem_len)) != 0) {
    goto out;
  }
  snprintf(name, sizeof(name), "newcerts/%s.pem", serial);
  if ((err = put(root_dir, name, cert_pem, cert_pem_len, 0644, diag)) != 0 ||
      (err = put(int_dir, "certs/ca.cert.pem", cert_pem, cert_pem_len, 0644,
                 diag)) != 0) {
    goto out;
  }
  char *chain = NULL;
  size_t chain_len = 0;
  char *root_pem = NULL;
  size_t root_pem_len = 0;
  if ((err = mtk_pem_cert_encode(root.cert, &root_pem, &root_pem_len)) != 0) {
    goto out;
  }
  chain = malloc(cert_pem_len + root_pem_len + 1);
  if (chain == NULL) {
    free(root_pem);
    err = MTK_ENOMEM;
    goto out;
  }
  memcpy(chain, cert_pem, cert_pem_len);
  memcpy(chain + cert_pem_len, root_pem, root_pem_len);
  chain_len = cert_pem_len + root_pem_len;
  err = put(int_dir, "certs/ca-chain.cert.pem", chain, chain_len, 0644, diag);
  free(chain);
  free(root_pem);
  if (err != 0) {
    goto out;
  }
  subject = X509_NAME_oneline(X509_get_subject_name(cert), NULL, 0);
  if (subject == NULL || (err = mtk_cadb_index_append(&root.index, expires,
                                                      serial, subject)) != 0) {
    err = err != 0 ? err : MTK_ENOMEM;
    goto out;
  }
  root.index_dirty = true;
  err = mtk_ca_commit(&root, diag);
out:
  mtk_ca_close(&root);
  OPENSSL_free(subject);
  free(csr_pem);
  free(cert_pem);
  OPENSSL_free(csr);
  OPENSSL_free(der);
  X509_free(cert);
  EVP_PKEY_free(key);
  return err;
}

// dir_contents tells whether |path| is empty, holds the work of an
// interrupted init (its marker), or anything else.
enum dir_contents { DIR_EMPTY, DIR_INTERRUPTED, DIR_OTHER };

static enum dir_contents dir_contents(const char *path) {
  DIR *d = opendir(path);
  if (d == NULL) {
    return DIR_OTHER;
  }
  enum dir_contents state = DIR_EMPTY;
  struct dirent *de;
  while ((de = readdir(d)) != NULL) {
    if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) {
      continue;
    }
    if (strcmp(de->d_name, MTK_CA_INIT_MARKER) == 0) {
      state = DIR_INTERRUPTED;
      break;
    }
    state = DIR_OTHER;
  }
  closedir(d);
  return state;
}

// start_init prepares |dir| for a new CA: it creates it if needed
// (*out_created), takes its lock (*out_lock_fd), clears the remains of an
// init that was killed (the marker is there and nobody holds the lock),
// refuses anything else that is not empty, and writes the marker. From
// here on, a crash leaves a directory that `ca init` redoes and that every
// other command refuses.
static int start_init(const char *dir, bool *out_created, int *out_lock_fd,
                      struct mtk_diag *diag) {
  struct stat st;
  if (mkdir(dir, 0755) == 0) {
    *out_created = true;
  } else if (errno != EEXIST) {
    int err = mtk_errno_get();
    return mtk_diag_set(diag, err, "cannot create %s: %s", dir,
                        mtk_strerror(err));
  } else if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
    return mtk_diag_set(diag, MTK_EEXIST,
                        "%s already exists and is not an empty directory", dir);
  }
  // Another init (or any writer) on the same directory waits here.
  int err = mtk_dir_lock(dir, MTK_CA_LOCK_TIMEOUT_MS, out_lock_fd, diag);
  if (err != 0) {
    return err;
  }
  switch (dir_contents(dir)) {
    case DIR_OTHER:
      return mtk_diag_set(diag, MTK_EEXIST,
                          "%s already exists and is not an empty directory",
                          dir);
    case DIR_INTERRUPTED:
      remove_children(dir);
      break;
    case DIR_EMPTY:
      break;
  }
  char marker[PATH_MAX];
  if (mtk_path_join(marker, sizeof(marker), dir, MTK_CA_INIT_MARKER) != 0) {
    return mtk_diag_set(diag, MTK_ERANGE, "path too long: %s", dir);
  }
  static const char note[] =
      "mtlskit ca init is creating this CA; if it was interrupted, run it "
      "again\n";
  if ((err = mtk_file_create(marker, note, sizeof(note) - 1, 0644, true,
                             diag)) != 0) {
    return err;
  }
  return mtk_dir_sync(dir, diag);
}

// finish_init removes the marker: the CA is complete and durable.
static int finish_init(const char *dir, struct mtk_diag *diag) {
  char marker[PATH_MAX];
  if (mtk_path_join(marker, sizeof(marker), dir, MTK_CA_INIT_MARKER) != 0) {
    return mtk_diag_set(diag, MTK_ERANGE, "path too long: %s", dir);
  }
  if (unlink(marker) != 0) {
    int err = mtk_errno_get();
    return mtk_diag_set(diag, err, "cannot remove %s: %s", marker,
                        mtk_strerror(err));
  }
  return mtk_dir_sync(dir, diag);
}

int mtk_ca_init(const char *dir, const struct mtk_ca_init_params *p, time_t now,
                struct mtk_diag *diag) {
  bool created_dir = false, started = false;
  int err = 0, lock_fd = -1;
  EVP_PKEY *key = NULL;
  uint8_t *der = NULL;
  size_t der_len = 0;
  X509 *cert = NULL;
  struct mtk_dn int_dn;
  mtk_dn_init(&int_dn);
  char abs[PATH_MAX], int_dir[PATH_MAX + 16];
  if ((err = start_init(dir, &created_dir, &lock_fd, diag)) != 0) {
    goto out;
  }
  started = true;
  if (realpath(dir, abs) == NULL) {
    err = mtk_errno_get();
    mtk_diag_set(diag, err, "%s: %s", dir, mtk_strerror(err));
    goto out;
  }
  if ((err = make_layout(abs, p->intermediate ? 1 : 0, p->key_type, diag)) !=
          0 ||
      (err = mtk_key_generate(p->key_type, &key, diag)) != 0 ||
      (err = write_key(abs, key, p->key_password, diag)) != 0) {
    goto out;
  }
  struct mtk_cert_spec spec;
  mtk_cert_spec_init(&spec, MTK_PROFILE_CA, key);
  spec.pathlen = p->intermediate ? 1 : 0;
  spec.subject = p->subject;
  spec.public_key = key;
  spec.signing_key = key;
  spec.digest = p->digest;
  spec.not_before = now;
  spec.not_after = now + (time_t)p->days * 86400;
  if ((err = mtk_cert_build(&spec, &der, &der_len, diag)) != 0 ||
      (err = mtk_cert_parse(der, der_len, &cert)) != 0 ||
      (err = put_cert(abs, "certs/ca.cert.pem", cert, diag)) != 0) {
    goto out;
  }
  if (p->intermediate) {
    const struct mtk_dn *dn = p->intermediate_subject;
    if (dn == NULL) {
      if ((err = derive_intermediate_dn(p->subject, &int_dn)) != 0) {
        goto out;
      }
      dn = &int_dn;
    }
    snprintf(int_dir, sizeof(int_dir), "%s/intermediate", abs);
    if (mkdir(int_dir, 0755) != 0) {
      err = mtk_errno_get();
      mtk_diag_set(diag, err, "cannot create %s: %s", int_dir,
                   mtk_strerror(err));
      goto out;
    }
    if ((err = init_intermediate(abs, int_dir, p, dn, now, diag)) != 0) {
      goto out;
    }
    if ((err = mtk_dir_sync(int_dir, diag)) != 0) {
      goto out;
    }
  }
  static const char *sync_dirs[] = {"/certs", "/private", "/newcerts", ""};
  for (size_t i = 0; i < sizeof(sync_dirs) / sizeof(sync_dirs[0]); i++) {
    char path[PATH_MAX + 16];
    snprintf(path, sizeof(path), "%s%s", abs, sync_dirs[i]);
    if ((err = mtk_dir_sync(path, diag)) != 0) {
      goto out;
    }
  }
  err = finish_init(abs, diag);
out:
  if (err != 0 && started) {
    // The directory was new, empty or an interrupted init: emptying it
    // restores the old state (or an equivalent one).
    remove_children(dir);
    if (created_dir) {
      rmdir(dir);
    }
  } else if (err != 0 && created_dir) {
    rmdir(dir);
  }
  mtk_dir_unlock(lock_fd);
  mtk_dn_cleanup(&int_dn);
  OPENSSL_free(der);
  X509_free(cert);
  EVP_PKEY_free(key);
  return err;
}
