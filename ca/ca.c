#include "mtlskit/ca.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/bytestring.h>
#include <openssl/err.h>
#include <openssl/mem.h>
#include <openssl/x509.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ca_internal.h"
#include "mtlskit/file.h"
#include "mtlskit/pem.h"
#include "mtlskit/x509_crl.h"
#include "mtlskit/x509_csr.h"
#include "mtlskit/x509_name.h"
#include "mtlskit/x509_time.h"

// Above this many new files, commit flushes the file system once (syncfs)
// instead of fsyncing each file: batch issuance writes four per identity.
#define SYNC_EACH_MAX 32

static int path_fmt(char *out, size_t out_len, const char *fmt, ...)
    MTK_PRINTF(3, 4);
static int path_fmt(char *out, size_t out_len, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(out, out_len, fmt, ap);
  va_end(ap);
  return n < 0 || (size_t)n >= out_len ? MTK_ERANGE : 0;
}

static int track_locked(struct mtk_ca *ca, const char *path);

// ca_file_err classifies an error reading a file of the CA directory
// itself: whatever is wrong with its content (unparsable, not a regular
// file, too large) is a corrupt CA directory, as docs/exit-status.md
// says; I/O errors and a wrong passphrase keep their codes.
static int ca_file_err(int err) {
  return err == MTK_EPARSE || err == MTK_EINVAL || err == MTK_ERANGE
             ? MTK_ECORRUPT
             : err;
}

static int track(struct mtk_ca *ca, const char *path) {
  pthread_mutex_lock(&ca->mutex);
  int err = track_locked(ca, path);
  pthread_mutex_unlock(&ca->mutex);
  return err;
}

static int track_locked(struct mtk_ca *ca, const char *path) {
  if (ca->num_created == ca->cap_created) {
    size_t cap = ca->cap_created == 0 ? 16 : ca->cap_created * 2;
    char **c = realloc(ca->created, cap * sizeof(*c));
    if (c == NULL) {
      return MTK_ENOMEM;
    }
    ca->created = c;
    ca->cap_created = cap;
  }
  char *copy = strdup(path);
  if (copy == NULL) {
    return MTK_ENOMEM;
  }
  ca->created[ca->num_created++] = copy;
  return 0;
}

static int create_file(struct mtk_ca *ca, const char *path, const void *data,
                       size_t len, mode_t mode, struct mtk_diag *diag) {
  int err = mtk_file_create(path, data, len, mode, false, diag);
  if (err != 0) {
    return err;
  }
  err = track(ca, path);
  if (err != 0) {
    unlink(path);
  }
  return err;
}

// create_named creates |path|, one of the files of certificate name
// |name|, as create_file does; a file already there means the name is
// used (MTK_EDUPLICATE).
static int create_named(struct mtk_ca *ca, const char *name, const char *path,
                        const void *data, size_t len, mode_t mode,
                        struct mtk_diag *diag) {
  int err = create_file(ca, path, data, len, mode, diag);
  if (err == MTK_EEXIST) {
    err =
        mtk_diag_set(diag, MTK_EDUPLICATE,
                     "certificate name '%s' is already used (%s)", name, path);
  }
  return err;
}

static void forget_created(struct mtk_ca *ca) {
  for (size_t i = 0; i < ca->num_created; i++) {
    free(ca->created[i]);
  }
  ca->num_created = 0;
}

int mtk_ca_open(struct mtk_ca *ca, const char *dir, unsigned flags,
                const struct mtk_secret *key_password, struct mtk_diag *diag) {
  memset(ca, 0, sizeof(*ca));
  ca->lock_fd = -1;
  pthread_mutex_init(&ca->mutex, NULL);
  struct stat st;
  if (stat(dir, &st) != 0) {
    int err = mtk_errno_get();
    return mtk_diag_set(diag, err, "CA directory %s: %s", dir,
                        mtk_strerror(err));
  }
  if (!S_ISDIR(st.st_mode)) {
    return mtk_diag_set(diag, MTK_ENOENT, "%s is not a directory", dir);
  }
  if (flags & MTK_CA_OPEN_LOCK) {
    int err = mtk_dir_lock(dir, MTK_CA_LOCK_TIMEOUT_MS, &ca->lock_fd, diag);
    if (err != 0) {
      return err;
    }
  }
  char marker[MTK_CADB_PATH_MAX + 32];
  if (!(flags & MTK_CA_OPEN_INIT) &&
      path_fmt(marker, sizeof(marker), "%s/%s", dir, MTK_CA_INIT_MARKER) == 0 &&
      mtk_file_exists(marker)) {
    return mtk_diag_set(diag, MTK_ECORRUPT,
                        "%s is incomplete: `mtlskit ca init` was interrupted "
                        "(%s); run it again",
                        dir, marker);
  }
  int err = mtk_cadb_conf_load(dir, &ca->conf, diag);
  if (err != 0) {
    return err;
  }
  err = mtk_pem_read_cert(ca->conf.certificate, &ca->cert, diag);
  if (err != 0) {
    mtk_diag_prefix(diag, err, "CA certificate");
    return MTK_ECORRUPT;
  }
  ca->chain = sk_X509_new_null();
  if (ca->chain == NULL) {
    return MTK_ENOMEM;
  }
  char path[MTK_CADB_PATH_MAX + 32];
  if (path_fmt(path, sizeof(path), "%s/ca-chain.cert.pem", ca->conf.certs) ==
          0 &&
      mtk_file_exists(path)) {
    STACK_OF(X509) *chain = NULL;
    err = mtk_pem_read_certs(path, &chain, diag);
    if (err != 0) {
      return MTK_ECORRUPT;
    }
    for (size_t i = 0; i < sk_X509_num(chain); i++) {
      X509 *x = sk_X509_value(chain, i);
      if (X509_cmp(x, ca->cert) == 0) {
        continue;
      }
      X509_up_ref(x);
      if (!sk_X509_push(ca->chain, x)) {
        X509_free(x);
        sk_X509_pop_free(chain, X509_free);
        return MTK_ENOMEM;
      }
    }
    sk_X509_pop_free(chain, X509_free);
  }
  err = mtk_cadb_index_load(ca->conf.database, &ca->index, diag);
  if (err != 0) {
    return err == MTK_ENOENT ? mtk_diag_set(diag, MTK_ECORRUPT, "%s is missing",
                                            ca->conf.database)
                             : err;
  }
  if ((flags & MTK_CA_OPEN_LOCK) && !(flags & MTK_CA_OPEN_NO_RECOVER) &&
      (err = mtk_ca_journal_recover(ca, &ca->recovered_uncommitted,
                                    &ca->recovered_removed, diag)) != 0) {
    return err;
  }
  if (mtk_file_exists(ca->conf.serial)) {
    uint8_t num[MTK_SERIAL_MAX];
    size_t num_len;
    err = mtk_cadb_hex_read(ca->conf.serial, num, sizeof(num), &num_len, diag);
    if (err != 0) {
      return err;
    }
  }
  if (flags & MTK_CA_OPEN_KEY) {
    err = mtk_pem_read_key(ca->conf.private_key, key_password, &ca->key, diag);
    if (err != 0) {
      return ca_file_err(err);
    }
    if (!X509_check_private_key(ca->cert, ca->key)) {
      ERR_clear_error();
      return mtk_diag_set(diag, MTK_ECORRUPT,
                          "%s does not match the CA certificate %s",
                          ca->conf.private_key, ca->conf.certificate);
    }
  }
  return 0;
}

void mtk_ca_close(struct mtk_ca *ca) {
  for (size_t i = ca->num_created; i-- > 0;) {
    unlink(ca->created[i]);
  }
  forget_created(ca);
  mtk_ca_journal_end(ca);  // nothing it covers is left
  free(ca->created);
  mtk_dir_unlock(ca->lock_fd);
  X509_free(ca->cert);
  EVP_PKEY_free(ca->key);
  sk_X509_pop_free(ca->chain, X509_free);
  mtk_cadb_index_cleanup(&ca->index);
  pthread_mutex_destroy(&ca->mutex);
  memset(ca, 0, sizeof(*ca));
  ca->lock_fd = -1;
}

static int fsync_path(const char *path, struct mtk_diag *diag) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0 || fsync(fd) != 0) {
    int err = mtk_errno_get();
    if (fd >= 0) {
      close(fd);
    }
    return mtk_diag_set(diag, err, "cannot sync %s: %s", path,
                        mtk_strerror(err));
  }
  close(fd);
  return 0;
}

static bool under_dir(const char *path, const char *dir) {
  size_t n = strlen(dir);
  return strncmp(path, dir, n) == 0 && path[n] == '/';
}

// file_holds reports whether the file at |path| holds exactly |len| bytes
// of |data|.
static bool file_holds(const char *path, const char *data, size_t len) {
  char *got = NULL;
  size_t got_len = 0;
  bool same = mtk_file_read(path, len + 1, &got, &got_len, NULL) == 0 &&
              got_len == len && memcmp(got, data, len) == 0;
  free(got);
  return same;
}

int mtk_ca_commit(struct mtk_ca *ca, struct mtk_diag *diag) {
  int err = 0;
  bool bulk = ca->num_created > SYNC_EACH_MAX;
  if (bulk) {
    int fd = open(ca->conf.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || syscall(SYS_syncfs, fd) != 0) {
      err = mtk_errno_get();
      if (fd >= 0) {
        close(fd);
      }
      return mtk_diag_set(diag, err, "cannot sync %s: %s", ca->conf.dir,
                          mtk_strerror(err));
    }
    close(fd);
  }
  for (size_t i = 0; i < ca->num_created; i++) {
    if (!bulk || !under_dir(ca->created[i], ca->conf.dir)) {
      if ((err = fsync_path(ca->created[i], diag)) != 0) {
        return err;
      }
    }
  }
  // Directory entries of the new files, then the index: the commit point.
  const char *dirs[] = {ca->conf.new_certs_dir, ca->conf.certs,
                        ca->conf.private_dir, ca->conf.csr_dir};
  if (ca->num_created > 0) {
    for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
      if (mtk_file_exists(dirs[i]) &&
          (err = mtk_dir_sync(dirs[i], diag)) != 0) {
        return err;
      }
    }
    for (size_t i = 0; i < ca->num_created; i++) {
      if (!under_dir(ca->created[i], ca->conf.dir)) {
        char parent[PATH_MAX];
        snprintf(parent, sizeof(parent), "%s", ca->created[i]);
        char *slash = strrchr(parent, '/');
        if (slash == parent) {
          slash[1] = '\0';
        } else if (slash != NULL) {
          *slash = '\0';
        } else {
          snprintf(parent, sizeof(parent), ".");
        }
        if ((err = mtk_dir_sync(parent, diag)) != 0) {
          return err;
        }
      }
    }
  }
  if (ca->index_dirty) {
    char *text = NULL;
    size_t len = 0;
    if ((err = mtk_cadb_index_render(&ca->index, &text, &len)) != 0) {
      return err;
    }
    err = mtk_file_replace(ca->conf.database, text, len, 0644, diag);
    bool in_place = err != 0 && file_holds(ca->conf.database, text, len);
    free(text);
    if (in_place) {
      // Only the final directory fsync failed: the index is in place, the
      // operation committed, and its files must stay. The error stands
      // (the change may not survive a power loss).
      ca->index_dirty = false;
      forget_created(ca);
      mtk_ca_journal_end(ca);
    }
    if (err != 0) {
      return err;
    }
    ca->index_dirty = false;
  }
  forget_created(ca);
  mtk_ca_journal_end(ca);
  return 0;
}

int mtk_ca_check_name(const char *name, struct mtk_diag *diag) {
  size_t n = strlen(name);
  bool ok = n >= 1 && n <= 64 && name[0] != '.' && name[0] != '-';
  for (size_t i = 0; ok && i < n; i++) {
    char c = name[i];
    ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
  }
  if (!ok) {
    return mtk_diag_set(diag, MTK_EUSAGE,
                        "bad certificate name '%s': use 1-64 of "
                        "[A-Za-z0-9._-], not starting with '.' or '-'",
                        name);
  }
  if (strcmp(name, "ca") == 0 || strcmp(name, "ca-chain") == 0 ||
      strcmp(name, "intermediate") == 0) {
    return mtk_diag_set(diag, MTK_EUSAGE,
                        "certificate name '%s' is reserved for the CA", name);
  }
  return 0;
}

int mtk_ca_check_request(const struct mtk_dn *subject,
                         const struct mtk_san_list *san, const EVP_PKEY *key,
                         enum mtk_key_type key_type, struct mtk_diag *diag) {
  if (subject->num_attrs == 0) {
    return mtk_diag_set(diag, MTK_EPARSE, "the subject is empty");
  }
  int err = mtk_dn_check(subject, diag);
  if (err == 0 && san != NULL) {
    err = mtk_san_check(san, diag);
  }
  if (err == 0) {
    err = key != NULL ? mtk_key_check(key, diag)
                      : mtk_key_type_check(key_type, diag);
  }
  return err;
}

static int issue_chain(struct mtk_ca *ca, STACK_OF(X509) * *out) {
  STACK_OF(X509) *chain = sk_X509_new_null();
  if (chain == NULL) {
    return MTK_ENOMEM;
  }
  X509_up_ref(ca->cert);
  if (!sk_X509_push(chain, ca->cert)) {
    X509_free(ca->cert);
    sk_X509_free(chain);
    return MTK_ENOMEM;
  }
  for (size_t i = 0; i < sk_X509_num(ca->chain); i++) {
    X509 *x = sk_X509_value(ca->chain, i);
    X509_up_ref(x);
    if (!sk_X509_push(chain, x)) {
      X509_free(x);
      sk_X509_pop_free(chain, X509_free);
      return MTK_ENOMEM;
    }
  }
  *out = chain;
  return 0;
}

static int write_p12(const char *path, bool exclusive, struct mtk_ca *ca,
                     const EVP_PKEY *key, X509 *cert,
                     const struct mtk_secret *password,
                     enum mtk_p12_profile profile, const char *friendly,
                     struct mtk_diag *diag) {
  STACK_OF(X509) *chain = NULL;
  uint8_t *der = NULL;
  size_t der_len = 0;
  int err = issue_chain(ca, &chain);
  if (err != 0) {
    return err;
  }
  err = mtk_p12_build(password != NULL ? password->data : "",
                      password != NULL ? password->len : 0, key, cert, chain,
                      friendly, profile, &der, &der_len, diag);
  sk_X509_pop_free(chain, X509_free);
  if (err != 0) {
    return err;
  }
  if (exclusive) {
    err = create_file(ca, path, der, der_len, 0600, diag);
  } else {
    err = mtk_file_replace(path, der, der_len, 0600, diag);
  }
  OPENSSL_free(der);
  return err;
}

// subject_oneline writes to *out (OPENSSL_free) the index's form of |dn|:
// X509_NAME_oneline of the name as the certificate encodes it.
static int subject_oneline(const struct mtk_dn *dn, char **out) {
  CBB cbb;
  uint8_t *der = NULL;
  size_t der_len = 0;
  if (!CBB_init(&cbb, 256) || mtk_dn_marshal(&cbb, dn) != 0 ||
      !CBB_finish(&cbb, &der, &der_len)) {
    CBB_cleanup(&cbb);
    return MTK_ENOMEM;
  }
  const uint8_t *p = der;
  X509_NAME *name = d2i_X509_NAME(NULL, &p, (long)der_len);
  *out = name != NULL ? X509_NAME_oneline(name, NULL, 0) : NULL;
  X509_NAME_free(name);
  OPENSSL_free(der);
  ERR_clear_error();
  return *out != NULL ? 0 : MTK_ENOMEM;
}

// issue_one does everything mtk_ca_issue does except the index append,
// which it leaves to the caller with *out_subject (OPENSSL_free) and
// |expires|; out->cert is parsed only when |want_cert|. It only reads
// ca->index, so several threads may run it at once between appends;
// newcerts/SERIAL.pem, created with O_EXCL, is what reserves a serial
// between them.
static int issue_one(struct mtk_ca *ca, const struct mtk_ca_issue_req *req,
                     bool want_cert, struct mtk_ca_issued *out,
                     char **out_subject, char expires[24],
                     struct mtk_diag *diag) {
  int err = 0;
  EVP_PKEY *key = NULL;
  uint8_t *der = NULL, *csr_der = NULL, *spki = NULL;
  size_t der_len = 0, csr_len = 0, spki_len = 0;
  X509 *cert = NULL;
  char *subject = NULL, *cert_pem = NULL, *key_pem = NULL, *csr_pem = NULL;
  size_t cert_pem_len = 0, key_pem_len = 0, csr_pem_len = 0;
  char key_path[MTK_CADB_PATH_MAX + 96], csr_path[MTK_CADB_PATH_MAX + 96],
      cert_path[MTK_CADB_PATH_MAX + 96], new_path[MTK_CADB_PATH_MAX + 96];
  struct ca_profile_exts profile_exts;
  memset(&profile_exts, 0, sizeof(profile_exts));
  memset(out, 0, sizeof(*out));
  if (ca->key == NULL) {
    return mtk_diag_set(diag, MTK_EINTERNAL, "CA opened without its key");
  }
  if ((err = mtk_ca_check_request(
           req->subject, req->san,
           req->private_key != NULL ? req->private_key : req->public_key,
           req->key_type, diag)) != 0) {
    return err;
  }
  if (req->name != NULL) {
    if ((err = mtk_ca_check_name(req->name, diag)) != 0) {
      return err;
    }
    if (path_fmt(key_path, sizeof(key_path), "%s/%s.key.pem",
                 ca->conf.private_dir, req->name) != 0 ||
        path_fmt(csr_path, sizeof(csr_path), "%s/%s.csr.pem", ca->conf.csr_dir,
                 req->name) != 0 ||
        path_fmt(cert_path, sizeof(cert_path), "%s/%s.cert.pem", ca->conf.certs,
                 req->name) != 0) {
      return mtk_diag_set(diag, MTK_ERANGE, "path too long");
    }
    // A name already used is found when its files are created (O_EXCL,
    // see create_named): a lookup here would cost a path walk per file.
  }
  if (req->p12_path != NULL && mtk_file_exists(req->p12_path)) {
    return mtk_diag_set(diag, MTK_EEXIST, "%s already exists", req->p12_path);
  }
  EVP_PKEY *pub = req->public_key;
  if (req->private_key != NULL) {
    EVP_PKEY_up_ref(req->private_key);
    key = pub = req->private_key;
  } else if (pub == NULL) {
    if ((err = mtk_key_generate(req->key_type, &key, diag)) != 0) {
      goto out;
    }
    pub = key;
  }
  if ((err = mtk_key_spki(pub, &spki, &spki_len)) != 0) {
    err = mtk_diag_set(diag, err, "cannot encode the public key");
    goto out;
  }
  struct mtk_cert_spec spec;
  mtk_cert_spec_init(&spec, req->profile, pub);
  spec.subject = req->subject;
  spec.public_key = pub;
  spec.public_key_der = spki;
  spec.public_key_der_len = spki_len;
  spec.issuer = ca->cert;
  spec.signing_key = ca->key;
  spec.digest =
      req->digest != MTK_DIGEST_DEFAULT ? req->digest : ca->conf.default_md;
  spec.not_before = req->not_before;
  spec.not_after = req->not_after;
  spec.san = req->san;
  if (req->extensions == NULL && req->named_profile != NULL) {
    // The x509v3 code shares the profile's CONF: one thread at a time.
    pthread_mutex_lock(&ca->mutex);
    err = ca_profile_exts_make(req->named_profile, ca->cert, pub, req->san,
                               &profile_exts, diag);
    pthread_mutex_unlock(&ca->mutex);
    if (err != 0) {
      goto out;
    }
  }
  if (req->extensions != NULL || req->named_profile != NULL) {
    spec.basic_constraints_mode = spec.key_usage_mode = spec.eku_mode =
        spec.ski_mode = spec.aki_mode = spec.san_mode = MTK_EXT_OMIT;
    spec.extra = req->extensions != NULL ? req->extensions : profile_exts.v;
    spec.num_extra =
        req->extensions != NULL ? req->num_extensions : profile_exts.num;
  }
  if ((err = subject_oneline(req->subject, &subject)) != 0) {
    goto out;
  }
  if (ca->conf.unique_subject &&
      mtk_cadb_index_has_subject(&ca->index, subject)) {
    err = mtk_diag_set(diag, MTK_EDUPLICATE,
                       "subject %s already has a valid certificate and "
                       "index.txt.attr says unique_subject = yes",
                       subject);
    goto out;
  }
  // A fresh random serial that neither the index nor newcerts/ knows.
  for (int tries = 0;; tries++) {
    OPENSSL_free(der);
    der = NULL;
    X509_free(cert);
    cert = NULL;
    free(cert_pem);
    cert_pem = NULL;
    if (tries == 16) {
      err = mtk_diag_set(diag, MTK_EINTERNAL, "no unused serial found");
      goto out;
    }
    if ((err = mtk_serial_random(spec.serial, &spec.serial_len)) != 0 ||
        (err = mtk_serial_hex(spec.serial, spec.serial_len, out->serial,
                              sizeof(out->serial))) != 0) {
      goto out;
    }
    if (path_fmt(new_path, sizeof(new_path), "%s/%s.pem",
                 ca->conf.new_certs_dir, out->serial) != 0) {
      err = mtk_diag_set(diag, MTK_ERANGE, "path too long");
      goto out;
    }
    if (mtk_cadb_index_find(&ca->index, out->serial) >= 0) {
      continue;  // newcerts/ is checked by the O_EXCL create below
    }
    if ((err = mtk_cert_build(&spec, &der, &der_len, diag)) != 0 ||
        ((want_cert || req->p12_path != NULL) &&
         (err = mtk_cert_parse(der, der_len, &cert)) != 0)) {
      goto out;
    }
    if ((err = mtk_time_format(expires, 24, req->not_after, MTK_TIME_AUTO)) !=
            0 ||
        (err = mtk_pem_encode("CERTIFICATE", der, der_len, &cert_pem,
                              &cert_pem_len)) != 0) {
      goto out;
    }
    err = create_file(ca, new_path, cert_pem, cert_pem_len, 0644, diag);
    if (err == MTK_EEXIST) {
      continue;  // another thread of this batch took the serial first
    }
    if (err != 0) {
      goto out;
    }
    break;
  }
  if (req->name != NULL) {
    if (key != NULL) {
      if ((err = mtk_pem_key_encode(key, NULL, &key_pem, &key_pem_len, diag)) !=
              0 ||
          (err = create_named(ca, req->name, key_path, key_pem, key_pem_len,
                              0600, diag)) != 0 ||
          (err = mtk_csr_build_spki(req->subject, key, spki, spki_len, req->san,
                                    spec.digest, &csr_der, &csr_len, diag)) !=
              0 ||
          (err = mtk_pem_encode("CERTIFICATE REQUEST", csr_der, csr_len,
                                &csr_pem, &csr_pem_len)) != 0 ||
          (err = create_named(ca, req->name, csr_path, csr_pem, csr_pem_len,
                              0644, diag)) != 0) {
        goto out;
      }
    } else if (req->csr != NULL) {
      if ((err = create_named(ca, req->name, csr_path, req->csr, req->csr_len,
                              0644, diag)) != 0) {
        goto out;
      }
    }
    if ((err = create_named(ca, req->name, cert_path, cert_pem, cert_pem_len,
                            0644, diag)) != 0) {
      goto out;
    }
  }
  if (req->p12_path != NULL) {
    if (key == NULL) {
      err = mtk_diag_set(diag, MTK_EUSAGE,
                         "--p12 needs the private key, which a CSR does not "
                         "include");
      goto out;
    }
    if ((err = write_p12(req->p12_path, true, ca, key, cert, req->p12_password,
                         req->p12_profile, req->name, diag)) != 0) {
      goto out;
    }
  }
  if (want_cert) {
    out->cert = cert;
    cert = NULL;
  }
  *out_subject = subject;
  subject = NULL;
out:
  if (key_pem != NULL) {
    OPENSSL_cleanse(key_pem, key_pem_len);
  }
  free(key_pem);
  free(cert_pem);
  free(csr_pem);
  OPENSSL_free(csr_der);
  OPENSSL_free(der);
  OPENSSL_free(spki);
  OPENSSL_free(subject);
  X509_free(cert);
  EVP_PKEY_free(key);
  ca_profile_exts_cleanup(&profile_exts);
  return err;
}

static int append_issued(struct mtk_ca *ca, const struct mtk_ca_issued *out,
                         const char *subject, const char *expires,
                         struct mtk_diag *diag) {
  int err = mtk_cadb_index_append(&ca->index, expires, out->serial, subject);
  if (err == MTK_EDUPLICATE) {
    return mtk_diag_set(diag, MTK_EINTERNAL, "serial %s issued twice",
                        out->serial);
  }
  if (err == 0) {
    ca->index_dirty = true;
  }
  return err;
}

int mtk_ca_issue(struct mtk_ca *ca, const struct mtk_ca_issue_req *req,
                 struct mtk_ca_issued *out, struct mtk_diag *diag) {
  char *subject = NULL;
  char expires[24];
  memset(out, 0, sizeof(*out));
  int err = ca->lock_fd >= 0 ? mtk_ca_journal_begin(ca, req, 1, diag) : 0;
  if (err != 0) {
    return err;
  }
  err = issue_one(ca, req, true, out, &subject, expires, diag);
  if (err == 0) {
    err = append_issued(ca, out, subject, expires, diag);
    if (err != 0) {
      X509_free(out->cert);
      out->cert = NULL;
    }
  }
  OPENSSL_free(subject);
  return err;
}

struct batch_state {
  struct mtk_ca *ca;
  const struct mtk_ca_issue_req *reqs;
  struct mtk_ca_issued *outs;
  char **subjects;
  char (*expires)[24];
  int *errs;
  struct mtk_diag *diags;
  size_t num, next;
  bool stop;
  pthread_mutex_t mu;
};

static void *batch_worker(void *arg) {
  struct batch_state *b = arg;
  for (;;) {
    pthread_mutex_lock(&b->mu);
    size_t i = b->next++;
    bool stop = b->stop;
    pthread_mutex_unlock(&b->mu);
    if (stop || i >= b->num) {
      return NULL;
    }
    mtk_diag_init(&b->diags[i]);
    b->errs[i] = issue_one(b->ca, &b->reqs[i], false, &b->outs[i],
                           &b->subjects[i], b->expires[i], &b->diags[i]);
    if (b->errs[i] != 0) {
      pthread_mutex_lock(&b->mu);
      b->stop = true;
      pthread_mutex_unlock(&b->mu);
    }
  }
}

int mtk_ca_issue_batch(struct mtk_ca *ca, const struct mtk_ca_issue_req *reqs,
                       size_t num, struct mtk_ca_issued *outs, unsigned threads,
                       size_t *out_failed, struct mtk_diag *diag) {
  struct batch_state b;
  memset(&b, 0, sizeof(b));
  memset(outs, 0, num * sizeof(*outs));
  b.ca = ca;
  b.reqs = reqs;
  b.outs = outs;
  b.num = num;
  b.subjects = calloc(num + 1, sizeof(*b.subjects));
  b.expires = calloc(num + 1, sizeof(*b.expires));
  b.errs = calloc(num + 1, sizeof(*b.errs));
  b.diags = calloc(num + 1, sizeof(*b.diags));
  int err = 0;
  pthread_t tids[8];
  size_t num_tids = 0;
  if (b.subjects == NULL || b.expires == NULL || b.errs == NULL ||
      b.diags == NULL) {
    err = MTK_ENOMEM;
    goto out;
  }
  if (ca->lock_fd >= 0 &&
      (err = mtk_ca_journal_begin(ca, reqs, num, diag)) != 0) {
    goto out;
  }
  pthread_mutex_init(&b.mu, NULL);
  if (threads > 8) {
    threads = 8;
  }
  for (unsigned t = 1; t < threads && num > 1; t++) {
    if (pthread_create(&tids[num_tids], NULL, batch_worker, &b) == 0) {
      num_tids++;
    }
  }
  batch_worker(&b);
  for (size_t t = 0; t < num_tids; t++) {
    pthread_join(tids[t], NULL);
  }
  pthread_mutex_destroy(&b.mu);
  // Report the first failure in batch order; otherwise append in order.
  for (size_t i = 0; i < num && err == 0; i++) {
    if (b.errs[i] != 0) {
      err = b.errs[i];
      if (diag != NULL) {
        *diag = b.diags[i];
      }
      *out_failed = i;
    } else if (i < b.next && b.subjects[i] != NULL) {
      err = append_issued(ca, &outs[i], b.subjects[i], b.expires[i], diag);
      if (err != 0) {
        *out_failed = i;
      }
    }
  }
out:
  for (size_t i = 0; i < num; i++) {
    if (b.subjects != NULL) {
      OPENSSL_free(b.subjects[i]);
    }
    if (err != 0) {
      X509_free(outs[i].cert);
      outs[i].cert = NULL;
    }
  }
  free(b.subjects);
  free(b.expires);
  free(b.errs);
  free(b.diags);
  return err;
}

ssize_t mtk_ca_find(struct mtk_ca *ca, const char *name, const char *serial,
                    struct mtk_diag *diag) {
  char hex[2 * MTK_SERIAL_MAX + 3];
  if (name != NULL) {
    char path[MTK_CADB_PATH_MAX + 96];
    X509 *cert = NULL;
    if (mtk_ca_check_name(name, diag) != 0) {
      return MTK_ENOTFOUND;
    }
    if (path_fmt(path, sizeof(path), "%s/%s.cert.pem", ca->conf.certs, name) !=
            0 ||
        !mtk_file_exists(path)) {
      return mtk_diag_set(diag, MTK_ENOTFOUND,
                          "no certificate named '%s' in %s", name,
                          ca->conf.dir);
    }
    int err = mtk_pem_read_cert(path, &cert, diag);
    if (err != 0) {
      return MTK_ECORRUPT;
    }
    err = mtk_cert_serial_hex(cert, hex, sizeof(hex));
    X509_free(cert);
    if (err != 0) {
      return err;
    }
  } else {
    uint8_t bytes[MTK_SERIAL_MAX + 1];
    size_t len;
    if (mtk_serial_from_hex(serial, bytes, sizeof(bytes), &len) != 0 ||
        mtk_serial_hex(bytes, len, hex, sizeof(hex)) != 0) {
      return mtk_diag_set(diag, MTK_EUSAGE, "'%s' is not a hex serial", serial);
    }
  }
  ssize_t i = mtk_cadb_index_find(&ca->index, hex);
  if (i < 0) {
    return mtk_diag_set(diag, MTK_ENOTFOUND, "serial %s is not in %s", hex,
                        ca->conf.database);
  }
  return i;
}

int mtk_ca_revoke(struct mtk_ca *ca, const char *name, const char *serial,
                  int reason, time_t when, char *out_serial,
                  size_t out_serial_len, struct mtk_diag *diag) {
  ssize_t i = mtk_ca_find(ca, name, serial, diag);
  if (i < 0) {
    return (int)i;
  }
  struct mtk_cadb_entry *e = &ca->index.entries[i];
  snprintf(out_serial, out_serial_len, "%s", e->serial);
  if (e->status == 'R') {
    return mtk_diag_set(diag, MTK_EDUPLICATE, "serial %s is already revoked",
                        e->serial);
  }
  char field[96];
  char t[24];
  int err = mtk_time_format(t, sizeof(t), when, MTK_TIME_AUTO);
  if (err != 0) {
    return err;
  }
  const char *rname =
      reason == MTK_REASON_NONE ? NULL : mtk_crl_reason_name(reason);
  snprintf(field, sizeof(field), "%s%s%s", t, rname != NULL ? "," : "",
           rname != NULL ? rname : "");
  if ((err = mtk_cadb_index_revoke(&ca->index, (size_t)i, field)) != 0) {
    return err;
  }
  ca->index_dirty = true;
  return 0;
}

int mtk_ca_crl(struct mtk_ca *ca, long days, time_t now, const char *out_path,
               char *out_number, size_t out_number_len, size_t *out_num_revoked,
               struct mtk_diag *diag) {
  if (ca->key == NULL) {
    return mtk_diag_set(diag, MTK_EINTERNAL, "CA opened without its key");
  }
  int err = 0;
  struct mtk_crl_entry *entries = NULL;
  uint8_t *der = NULL;
  size_t der_len = 0;
  char *pem = NULL, *old_number = NULL;
  size_t pem_len = 0, old_number_len = 0;
  uint8_t number[MTK_SERIAL_MAX + 1];
  size_t number_len = 0;
  bool had_number = mtk_file_exists(ca->conf.crlnumber);
  if (had_number) {
    if ((err = mtk_cadb_hex_read(ca->conf.crlnumber, number, sizeof(number) - 1,
                                 &number_len, diag)) != 0 ||
        (err = mtk_file_read(ca->conf.crlnumber, 4096, &old_number,
                             &old_number_len, diag)) != 0) {
      return err;
    }
  } else {
    number[0] = 0x10;  // start where `echo 1000 > crlnumber` starts
    number[1] = 0x00;
    number_len = 2;
  }
  size_t num = 0;
  entries = calloc(ca->index.num_entries + 1, sizeof(*entries));
  if (entries == NULL) {
    err = MTK_ENOMEM;
    goto out;
  }
  for (size_t i = 0; i < ca->index.num_entries; i++) {
    const struct mtk_cadb_entry *e = &ca->index.entries[i];
    if (e->status != 'R') {
      continue;
    }
    struct mtk_crl_entry *ce = &entries[num++];
    if (mtk_serial_from_hex(e->serial, ce->serial, sizeof(ce->serial),
                            &ce->serial_len) != 0 ||
        mtk_cadb_revoked_parse(e->revoked, &ce->revoked_at, &ce->reason) != 0) {
      err = mtk_diag_set(diag, MTK_ECORRUPT, "%s: bad entry for serial %s",
                         ca->conf.database, e->serial);
      goto out;
    }
  }
  struct mtk_crl_spec spec;
  mtk_crl_spec_init(&spec);
  spec.issuer = ca->cert;
  spec.signing_key = ca->key;
  spec.digest = ca->conf.default_md;
  spec.this_update = now;
  spec.next_update =
      now + (time_t)(days >= 0 ? days : ca->conf.default_crl_days) * 86400;
  memcpy(spec.crl_number, number, number_len);
  spec.crl_number_len = number_len;
  spec.entries = entries;
  spec.num_entries = num;
  if ((err = mtk_crl_build(&spec, &der, &der_len, diag)) != 0 ||
      (err = mtk_pem_encode("X509 CRL", der, der_len, &pem, &pem_len)) != 0) {
    goto out;
  }
  if ((err = mtk_serial_hex(number, number_len, out_number, out_number_len)) !=
      0) {
    goto out;
  }
  // The next number is stored before the CRL is published, so a crash in
  // between skips a number but never reuses one.
  uint8_t next[MTK_SERIAL_MAX + 1];
  size_t next_len = number_len;
  memcpy(next, number, number_len);
  char next_hex[2 * MTK_SERIAL_MAX + 8];
  if ((err = mtk_cadb_hex_increment(next, &next_len, sizeof(next))) != 0 ||
      (err = mtk_serial_hex(next, next_len, next_hex, sizeof(next_hex) - 1)) !=
          0) {
    goto out;
  }
  if (next_len > MTK_CADB_NUMBER_MAX) {
    // Storing it would leave a crlnumber no later CRL may carry.
    err = mtk_diag_set(diag, MTK_ECORRUPT,
                       "%s: %s is the last CRL number RFC 5280 5.2.3 allows "
                       "(20 octets)",
                       ca->conf.crlnumber, out_number);
    goto out;
  }
  strcat(next_hex, "\n");
  if ((err = mtk_file_replace(ca->conf.crlnumber, next_hex, strlen(next_hex),
                              0644, diag)) != 0) {
    goto out;
  }
  err = mtk_file_replace(out_path != NULL ? out_path : ca->conf.crl, pem,
                         pem_len, 0644, diag);
  if (err != 0) {
    // Put the number back (best effort): it was never published.
    if (had_number) {
      (void)!mtk_file_replace(ca->conf.crlnumber, old_number, old_number_len,
                              0644, NULL);
    } else {
      unlink(ca->conf.crlnumber);
    }
    goto out;
  }
  *out_num_revoked = num;
out:
  free(entries);
  free(old_number);
  free(pem);
  OPENSSL_free(der);
  return err;
}

static int append_pem(X509 *cert, char **buf, size_t *len) {
  char *pem = NULL;
  size_t pem_len = 0;
  int err = mtk_pem_cert_encode(cert, &pem, &pem_len);
  if (err != 0) {
    return err;
  }
  char *grown = realloc(*buf, *len + pem_len + 1);
  if (grown == NULL) {
    free(pem);
    return MTK_ENOMEM;
  }
  memcpy(grown + *len, pem, pem_len + 1);
  *buf = grown;
  *len += pem_len;
  free(pem);
  return 0;
}

int mtk_ca_truststore(struct mtk_ca *ca, char **out, size_t *out_len,
                      struct mtk_diag *diag) {
  char *buf = NULL;
  size_t len = 0;
  int err = 0;
  char path[MTK_CADB_PATH_MAX + 64];
  X509 *sub = NULL;
  if (path_fmt(path, sizeof(path), "%s/intermediate/certs/ca.cert.pem",
               ca->conf.dir) == 0 &&
      mtk_file_exists(path)) {
    if ((err = mtk_pem_read_cert(path, &sub, diag)) != 0 ||
        (err = append_pem(sub, &buf, &len)) != 0) {
      err = ca_file_err(err);
      goto out;
    }
  }
  if ((err = append_pem(ca->cert, &buf, &len)) != 0) {
    goto out;
  }
  for (size_t i = 0; i < sk_X509_num(ca->chain); i++) {
    if ((err = append_pem(sk_X509_value(ca->chain, i), &buf, &len)) != 0) {
      goto out;
    }
  }
  *out = buf;
  *out_len = len;
  buf = NULL;
out:
  X509_free(sub);
  free(buf);
  return err;
}

// check_exportable refuses |cert| (NAME's) when the index records it as
// revoked or its validity has ended: a .pfx handed to a user must work.
static int check_exportable(struct mtk_ca *ca, const char *name,
                            const X509 *cert, struct mtk_diag *diag) {
  char hex[2 * MTK_SERIAL_MAX + 3];
  if (mtk_cert_serial_hex(cert, hex, sizeof(hex)) != 0) {
    return mtk_diag_set(diag, MTK_ECORRUPT, "certificate '%s': bad serial",
                        name);
  }
  ssize_t i = mtk_cadb_index_find(&ca->index, hex);
  if (i >= 0 && ca->index.entries[i].status == 'R') {
    return mtk_diag_set(diag, MTK_EUSAGE,
                        "certificate '%s' (serial %s) is revoked (%s): give "
                        "--allow-revoked to export it anyway",
                        name, hex, ca->index.entries[i].revoked);
  }
  if (X509_cmp_current_time(X509_get0_notAfter(cert)) < 0) {
    return mtk_diag_set(diag, MTK_EUSAGE,
                        "certificate '%s' (serial %s) has expired: give "
                        "--allow-revoked to export it anyway",
                        name, hex);
  }
  return 0;
}

int mtk_ca_export_p12(struct mtk_ca *ca, const char *name, const char *path,
                      const struct mtk_secret *password,
                      enum mtk_p12_profile profile, bool allow_revoked,
                      struct mtk_diag *diag) {
  char key_path[MTK_CADB_PATH_MAX + 96], cert_path[MTK_CADB_PATH_MAX + 96];
  EVP_PKEY *key = NULL;
  X509 *cert = NULL;
  int err = mtk_ca_check_name(name, diag);
  if (err != 0) {
    return err;
  }
  if (path_fmt(key_path, sizeof(key_path), "%s/%s.key.pem",
               ca->conf.private_dir, name) != 0 ||
      path_fmt(cert_path, sizeof(cert_path), "%s/%s.cert.pem", ca->conf.certs,
               name) != 0) {
    return mtk_diag_set(diag, MTK_ERANGE, "path too long");
  }
  if (!mtk_file_exists(cert_path)) {
    return mtk_diag_set(diag, MTK_ENOTFOUND, "no certificate named '%s' in %s",
                        name, ca->conf.dir);
  }
  if (!mtk_file_exists(key_path)) {
    return mtk_diag_set(diag, MTK_ENOTFOUND,
                        "no private key for '%s' (%s): it was signed from a "
                        "CSR",
                        name, key_path);
  }
  if ((err = mtk_pem_read_cert(cert_path, &cert, diag)) != 0 ||
      (err = mtk_pem_read_key(key_path, NULL, &key, diag)) != 0) {
    err = ca_file_err(err);
    goto out;
  }
  if (!X509_check_private_key(cert, key)) {
    ERR_clear_error();
    err = mtk_diag_set(diag, MTK_ECORRUPT, "%s does not match %s", key_path,
                       cert_path);
    goto out;
  }
  if (!allow_revoked && (err = check_exportable(ca, name, cert, diag)) != 0) {
    goto out;
  }
  err = write_p12(path, false, ca, key, cert, password, profile, name, diag);
out:
  X509_free(cert);
  EVP_PKEY_free(key);
  return err;
}

int mtk_ca_names(struct mtk_ca *ca, char ***out, struct mtk_diag *diag) {
  char **names = calloc(ca->index.num_entries + 1, sizeof(*names));
  if (names == NULL) {
    return MTK_ENOMEM;
  }
  DIR *d = opendir(ca->conf.certs);
  if (d == NULL) {
    *out = names;
    return 0;  // no certs/ directory: no names
  }
  static const char suffix[] = ".cert.pem";
  struct dirent *de;
  while ((de = readdir(d)) != NULL) {
    size_t n = strlen(de->d_name);
    if (n <= sizeof(suffix) - 1 ||
        strcmp(de->d_name + n - (sizeof(suffix) - 1), suffix) != 0) {
      continue;
    }
    char name[256];
    snprintf(name, sizeof(name), "%.*s", (int)(n - (sizeof(suffix) - 1)),
             de->d_name);
    if (strcmp(name, "ca") == 0 || strcmp(name, "ca-chain") == 0) {
      continue;
    }
    char path[MTK_CADB_PATH_MAX + 300];
    X509 *cert = NULL;
    char hex[2 * MTK_SERIAL_MAX + 3];
    if (path_fmt(path, sizeof(path), "%s/%s", ca->conf.certs, de->d_name) !=
            0 ||
        mtk_pem_read_cert(path, &cert, NULL) != 0) {
      continue;  // not ours to judge: list shows what it can
    }
    if (mtk_cert_serial_hex(cert, hex, sizeof(hex)) == 0) {
      ssize_t i = mtk_cadb_index_find(&ca->index, hex);
      if (i >= 0 && names[i] == NULL) {
        names[i] = strdup(name);
      }
    }
    X509_free(cert);
  }
  closedir(d);
  (void)diag;
  *out = names;
  return 0;
}

void mtk_ca_names_free(char **names, size_t num) {
  if (names == NULL) {
    return;
  }
  for (size_t i = 0; i < num; i++) {
    free(names[i]);
  }
  free(names);
}
