// Client identities of a load generator run (see identities.h).
#include "identities.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "mtlskit/cli.h"
#include "mtlskit/secret.h"

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

int mtk_loadgen_identities_load_dir(struct mtk_loadgen_identities *ids,
                                    const char *dir) {
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
      mtk_cli_error("--identities %s: more than %d identities in all", dir,
                    MTK_LOADGEN_MAX_IDENTITIES);
      status = MTK_EXIT_USAGE;
    } else if ((names[n] = strdup(de->d_name)) == NULL) {
      status = mtk_cli_fail(MTK_ENOMEM, NULL);
    } else {
      n++;
    }
  }
  closedir(d);
  if (status == 0 && n == 0) {
    mtk_cli_error("--identities %s: no NAME.crt file", dir);
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

int mtk_loadgen_identities_load_p12(struct mtk_loadgen_identities *ids,
                                    struct mtk_net_tls_options *tls) {
  if (ids->num_p12 == 0) {
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
  ids->p12 = calloc(ids->num_p12, sizeof(struct mtk_identity));
  if (ids->p12 == NULL) {
    mtk_secret_free(&password);
    return mtk_cli_fail(MTK_ENOMEM, NULL);
  }
  for (size_t i = 0; i < ids->num_p12; i++) {
    mtk_identity_init(&ids->p12[i]);
    err = mtk_identity_load_p12(&ids->p12[i], ids->p12_files[i],
                                ids->p12_password != NULL ? &password : NULL,
                                &diag);
    if (err != 0) {
      mtk_secret_free(&password);
      mtk_diag_prefix(&diag, err, "%s", ids->p12_files[i]);
      return mtk_cli_fail(err, &diag);
    }
    ids->p12_leaves[i] = ids->p12[i].leaf;
    ids->p12_chains[i] = ids->p12[i].chain;
    ids->p12_keys[i] = ids->p12[i].key;
  }
  mtk_secret_free(&password);
  tls->mem_leaves = ids->p12_leaves;
  tls->mem_chains = ids->p12_chains;
  tls->mem_keys = ids->p12_keys;
  tls->num_mem_identities = ids->num_p12;
  return 0;
}

void mtk_loadgen_identities_cleanup(struct mtk_loadgen_identities *ids) {
  for (size_t i = 0; i < ids->num_owned; i++) free(ids->owned[i]);
  for (size_t i = 0; ids->p12 != NULL && i < ids->num_p12; i++) {
    mtk_identity_cleanup(&ids->p12[i]);
  }
  free(ids->p12);
}
