// Client identities of a load generator run (see identities.h).
#include "identities.h"

#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mtlskit/cadb.h"
#include "mtlskit/cli.h"
#include "mtlskit/file.h"
#include "mtlskit/pem.h"
#include "mtlskit/secret.h"
#include "mtlskit/x509_cert.h"

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

// add_pair adds DIR/NAME.crt and DIR/NAME.key (|crt| is "NAME.crt") to the
// PEM pairs of |ids|, which must have room. It returns 0 or MTK_ENOMEM.
static int add_pair(struct mtk_loadgen_identities *ids, const char *dir,
                    const char *crt) {
  size_t len = strlen(crt);
  size_t path_len = strlen(dir) + len + 2;
  char *cert = malloc(path_len);
  char *key = malloc(path_len);
  if (cert == NULL || key == NULL) {
    free(cert);
    free(key);
    return MTK_ENOMEM;
  }
  snprintf(cert, path_len, "%s/%s", dir, crt);
  snprintf(key, path_len, "%s/%.*s.key", dir, (int)(len - 4), crt);
  ids->certs[ids->num_certs++] = cert;
  ids->keys[ids->num_keys++] = key;
  ids->owned[ids->num_owned++] = cert;
  ids->owned[ids->num_owned++] = key;
  return 0;
}

// add_files adds the pair |cert|, |key| (copied) to the PEM pairs of |ids|,
// which must have room. It returns 0 or MTK_ENOMEM.
static int add_files(struct mtk_loadgen_identities *ids, const char *cert,
                     const char *key) {
  char *c = strdup(cert), *k = strdup(key);
  if (c == NULL || k == NULL) {
    free(c);
    free(k);
    return MTK_ENOMEM;
  }
  ids->certs[ids->num_certs++] = c;
  ids->keys[ids->num_keys++] = k;
  ids->owned[ids->num_owned++] = c;
  ids->owned[ids->num_owned++] = k;
  return 0;
}

// add_mem moves |id| into the in-memory identities of |ids| (room checked
// by the caller). It returns 0 or MTK_ENOMEM (|id| then still the caller's).
static int add_mem(struct mtk_loadgen_identities *ids,
                   struct mtk_identity *id) {
  struct mtk_identity *m =
      realloc(ids->mem, (ids->num_mem + 1) * sizeof(*ids->mem));
  if (m == NULL) {
    return MTK_ENOMEM;
  }
  ids->mem = m;
  ids->mem[ids->num_mem++] = *id;
  mtk_identity_init(id);
  return 0;
}

static size_t pool_size(const struct mtk_loadgen_identities *ids) {
  return ids->num_certs + ids->num_mem + ids->num_p12;
}

// pool_full says that |dir| holds more identities than the pool takes.
static int pool_full(const char *dir) {
  mtk_cli_error("--identities %s: more than %d identities in all", dir,
                MTK_LOADGEN_MAX_IDENTITIES);
  return MTK_EXIT_USAGE;
}

// loaded ends the loading of a fixture set or CA directory |dir|: |what|
// names its identities ("valid cases of the fixture set"), |left_out| what
// was not used; none used is a usage error.
static int loaded(int status, const char *dir, size_t used, size_t left,
                  const char *what, const char *left_out) {
  if (status == 0 && used == 0) {
    mtk_cli_error("--identities %s: no %s", dir, what);
    return MTK_EXIT_USAGE;
  }
  if (status == 0) {
    mtk_cli_note("--identities %s: %zu %s (%zu %s left out)", dir, used, what,
                 left, left_out);
  }
  return status;
}

// load_fixture_set adds the defect-free, default-trust cases of the
// manifest of the fixture set |dir|.
static int load_fixture_set(struct mtk_loadgen_identities *ids, const char *dir,
                            const char *manifest) {
  json_error_t jerr;
  json_t *doc = json_load_file(manifest, 0, &jerr);
  if (doc == NULL) {
    mtk_cli_error("--identities %s: line %d: %s", manifest, jerr.line,
                  jerr.text);
    return MTK_EXIT_USAGE;
  }
  size_t i, used = 0, left = 0;
  json_t *c;
  int status = 0;
  json_array_foreach(json_object_get(doc, "cases"), i, c) {
    json_t *defects = json_object_get(c, "defects");
    const char *trust = json_string_value(json_object_get(c, "trust"));
    const char *first = json_string_value(json_array_get(defects, 0));
    json_t *files = json_object_get(c, "files");
    const char *cert = json_string_value(json_object_get(files, "cert"));
    const char *key = json_string_value(json_object_get(files, "key"));
    if (json_array_size(defects) != 1 || first == NULL ||
        strcmp(first, "none") != 0 || trust == NULL ||
        strcmp(trust, "default") != 0 || cert == NULL || key == NULL) {
      left++;
      continue;
    }
    if (pool_size(ids) == MTK_LOADGEN_MAX_IDENTITIES) {
      status = pool_full(dir);
      break;
    }
    char cert_path[4096], key_path[4096];
    if (snprintf(cert_path, sizeof(cert_path), "%s/%s", dir, cert) >=
            (int)sizeof(cert_path) ||
        snprintf(key_path, sizeof(key_path), "%s/%s", dir, key) >=
            (int)sizeof(key_path)) {
      mtk_cli_error("--identities %s: path too long", dir);
      status = MTK_EXIT_USAGE;
      break;
    }
    if (add_files(ids, cert_path, key_path) != 0) {
      status = mtk_cli_fail(MTK_ENOMEM, NULL);
      break;
    }
    used++;
  }
  json_decref(doc);
  return loaded(status, dir, used, left, "valid cases of the fixture set",
                "cases with defects or another trust");
}

// ca_identity_usable reports why certs/NAME.cert.pem of a CA directory is
// left out (revoked, expired, no key, unreadable), or NULL to use it.
static const char *ca_identity_unusable(const struct mtk_cadb_index *index,
                                        const char *cert_path,
                                        const char *key_path) {
  if (!mtk_file_exists(key_path)) {
    return "no private key";
  }
  X509 *cert = NULL;
  char hex[2 * MTK_SERIAL_MAX + 3];
  const char *why = NULL;
  if (mtk_pem_read_cert(cert_path, &cert, NULL) != 0 ||
      mtk_cert_serial_hex(cert, hex, sizeof(hex)) != 0) {
    why = "unreadable";
  } else {
    ssize_t i = mtk_cadb_index_find(index, hex);
    if (i < 0) {
      why = "not in the index";
    } else if (index->entries[i].status != 'V') {
      why = "revoked";
    } else if (X509_cmp_current_time(X509_get_notAfter(cert)) < 0) {
      why = "expired";
    }
  }
  X509_free(cert);
  return why;
}

// load_ca_dir adds the usable certificates of the CA directory |dir| with
// their keys and the CA chain.
static int load_ca_dir(struct mtk_loadgen_identities *ids, const char *dir,
                       const char *index_path) {
  struct mtk_cadb_index index;
  struct mtk_diag diag;
  mtk_diag_init(&diag);
  int err = mtk_cadb_index_load(index_path, &index, &diag);
  if (err != 0) {
    mtk_cadb_index_cleanup(&index);
    return mtk_cli_fail(err, &diag);
  }
  char certs_dir[4096], chain[4096];
  snprintf(certs_dir, sizeof(certs_dir), "%s/certs", dir);
  snprintf(chain, sizeof(chain), "%s/certs/ca-chain.cert.pem", dir);
  const char *chain_path = mtk_file_exists(chain) ? chain : NULL;
  DIR *d = opendir(certs_dir);
  if (d == NULL) {
    mtk_cadb_index_cleanup(&index);
    mtk_cli_error("--identities %s: %s", certs_dir,
                  mtk_strerror(mtk_errno_get()));
    return MTK_EXIT_RUNTIME;
  }
  static const char suffix[] = ".cert.pem";
  char *names[MTK_LOADGEN_MAX_IDENTITIES];
  size_t n = 0, left = 0;
  int status = 0;
  struct dirent *de;
  while (status == 0 && (de = readdir(d)) != NULL) {
    size_t len = strlen(de->d_name);
    if (len <= sizeof(suffix) - 1 ||
        strcmp(de->d_name + len - (sizeof(suffix) - 1), suffix) != 0 ||
        strcmp(de->d_name, "ca.cert.pem") == 0 ||
        strcmp(de->d_name, "ca-chain.cert.pem") == 0) {
      continue;
    }
    if (n + pool_size(ids) == MTK_LOADGEN_MAX_IDENTITIES) {
      status = pool_full(dir);
    } else if ((names[n] = strndup(de->d_name, len - (sizeof(suffix) - 1))) ==
               NULL) {
      status = mtk_cli_fail(MTK_ENOMEM, NULL);
    } else {
      n++;
    }
  }
  closedir(d);
  qsort(names, n, sizeof(names[0]), cmp_str);
  size_t used = 0;
  for (size_t i = 0; i < n; i++) {
    char cert_path[4096], key_path[4096];
    snprintf(cert_path, sizeof(cert_path), "%s/certs/%s.cert.pem", dir,
             names[i]);
    snprintf(key_path, sizeof(key_path), "%s/private/%s.key.pem", dir,
             names[i]);
    if (status == 0 &&
        ca_identity_unusable(&index, cert_path, key_path) != NULL) {
      left++;
    } else if (status == 0) {
      struct mtk_identity id;
      mtk_identity_init(&id);
      err = mtk_identity_load_pem(&id, cert_path, key_path, chain_path, NULL,
                                  &diag);
      if (err == 0 && (err = add_mem(ids, &id)) == 0) {
        used++;
      } else {
        mtk_identity_cleanup(&id);
        mtk_diag_prefix(&diag, err, "--identities %s", cert_path);
        status = mtk_cli_fail(err, &diag);
      }
    }
    free(names[i]);
  }
  mtk_cadb_index_cleanup(&index);
  return loaded(status, dir, used, left, "certificates of the CA directory",
                "revoked, expired or without a key");
}

int mtk_loadgen_identities_load_dir(struct mtk_loadgen_identities *ids,
                                    const char *dir) {
  char path[4096];
  if (snprintf(path, sizeof(path), "%s/manifest.json", dir) <
          (int)sizeof(path) &&
      mtk_file_exists(path)) {
    return load_fixture_set(ids, dir, path);
  }
  if (snprintf(path, sizeof(path), "%s/index.txt", dir) < (int)sizeof(path) &&
      mtk_file_exists(path)) {
    return load_ca_dir(ids, dir, path);
  }
  DIR *d = opendir(dir);
  if (d == NULL) {
    mtk_cli_error("--identities %s: %s", dir, mtk_strerror(mtk_errno_get()));
    return MTK_EXIT_RUNTIME;
  }
  // Room left in the pool (the command line never mixes --cert pairs
  // with --identities, but the pool's bound holds either way).
  size_t room = MTK_LOADGEN_MAX_IDENTITIES - ids->num_certs;
  char *names[MTK_LOADGEN_MAX_IDENTITIES];
  size_t n = 0;
  int status = 0;
  struct dirent *de;
  while (status == 0 && (de = readdir(d)) != NULL) {
    size_t len = strlen(de->d_name);
    if (len <= 4 || strcmp(de->d_name + len - 4, ".crt") != 0) {
      continue;
    }
    if (n == room) {
      status = pool_full(dir);
    } else if ((names[n] = strdup(de->d_name)) == NULL) {
      status = mtk_cli_fail(MTK_ENOMEM, NULL);
    } else {
      n++;
    }
  }
  closedir(d);
  if (status == 0 && n == 0) {
    mtk_cli_error(
        "--identities %s: no NAME.crt file (nor a fixture set's "
        "manifest.json or a CA directory's index.txt)",
        dir);
    status = MTK_EXIT_USAGE;
  }
  if (status == 0) {
    qsort(names, n, sizeof(names[0]), cmp_str);
  }
  for (size_t i = 0; i < n; i++) {
    if (status == 0 && add_pair(ids, dir, names[i]) != 0) {
      status = mtk_cli_fail(MTK_ENOMEM, NULL);
    }
    free(names[i]);
  }
  return status;
}

// attach points |tls|'s in-memory identities at those of |ids|.
static void attach(struct mtk_loadgen_identities *ids,
                   struct mtk_net_tls_options *tls) {
  for (size_t i = 0; i < ids->num_mem; i++) {
    ids->mem_leaves[i] = ids->mem[i].leaf;
    ids->mem_chains[i] = ids->mem[i].chain;
    ids->mem_keys[i] = ids->mem[i].key;
  }
  tls->mem_leaves = ids->mem_leaves;
  tls->mem_chains = ids->mem_chains;
  tls->mem_keys = ids->mem_keys;
  tls->num_mem_identities = ids->num_mem;
}

int mtk_loadgen_identities_load_p12(struct mtk_loadgen_identities *ids,
                                    struct mtk_net_tls_options *tls) {
  if (ids->num_p12 == 0) {
    attach(ids, tls);
    return 0;
  }
  struct mtk_secret password = {0};
  struct mtk_diag diag;
  mtk_diag_init(&diag);
  int err = 0;
  if (ids->p12_password != NULL) {
    err = mtk_secret_read(&password, ids->p12_password,
                          "PKCS#12 password: ", false, &diag);
    if (err != 0) {
      return mtk_cli_fail(err, &diag);
    }
    if (password.from_argv) {
      mtk_cli_warn(
          "--p12-password pass:... is visible to other users (ps, shell "
          "history); prefer env: or file:");
    }
  }
  for (size_t i = 0; i < ids->num_p12 && err == 0; i++) {
    struct mtk_identity id;
    mtk_identity_init(&id);
    err = mtk_identity_load_p12(&id, ids->p12_files[i],
                                ids->p12_password != NULL ? &password : NULL,
                                &diag);
    if (err == 0) {
      err = add_mem(ids, &id);
    }
    mtk_identity_cleanup(&id);
    if (err == MTK_EBADPASS) {
      mtk_diag_set(&diag, err, "%s: wrong PKCS#12 password (%s)",
                   ids->p12_files[i],
                   ids->p12_password != NULL
                       ? "check --p12-password"
                       : "none was given: use --p12-password SRC; a fixture "
                         "set's is in its manifest.json");
    } else if (err != 0) {
      mtk_diag_prefix(&diag, err, "%s", ids->p12_files[i]);
    }
  }
  mtk_secret_free(&password);
  if (err != 0) {
    return mtk_cli_fail(err, &diag);
  }
  attach(ids, tls);
  return 0;
}

void mtk_loadgen_identities_cleanup(struct mtk_loadgen_identities *ids) {
  for (size_t i = 0; i < ids->num_owned; i++) free(ids->owned[i]);
  for (size_t i = 0; i < ids->num_mem; i++) {
    mtk_identity_cleanup(&ids->mem[i]);
  }
  free(ids->mem);
  ids->mem = NULL;
  ids->num_mem = 0;
}
