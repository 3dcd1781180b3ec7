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

int mtk_loadgen_identities_load_dir(struct mtk_loadgen_identities *ids,
                                    const char *dir) {
  DIR *d = opendir(dir);
  if (d == NULL) {
    mtk_cli_error("--identities %s: %s", dir, mtk_strerror(mtk_errno_get()));
    return MTK_EXIT_RUNTIME;
  }
  char *names[MTK_LOADGEN_MAX_IDENTITIES];
  size_t n = 0;
  struct dirent *de;
  while ((de = readdir(d)) != NULL && n < MTK_LOADGEN_MAX_IDENTITIES) {
    size_t len = strlen(de->d_name);
    if (len > 4 && strcmp(de->d_name + len - 4, ".crt") == 0) {
      names[n] = strdup(de->d_name);
      if (names[n] != NULL) n++;
    }
  }
  closedir(d);
  qsort(names, n, sizeof(char *), cmp_str);
  for (size_t i = 0; i < n; i++) {
    size_t len = strlen(names[i]);
    char *cert = NULL, *key = NULL;
    size_t dlen = strlen(dir) + len + 2;
    cert = malloc(dlen);
    key = malloc(dlen);
    if (cert != NULL && key != NULL &&
        ids->num_certs < MTK_LOADGEN_MAX_IDENTITIES) {
      snprintf(cert, dlen, "%s/%s", dir, names[i]);
      snprintf(key, dlen, "%s/%.*s.key", dir, (int)(len - 4), names[i]);
      ids->certs[ids->num_certs++] = cert;
      ids->keys[ids->num_keys++] = key;
      ids->owned[ids->num_owned++] = cert;
      ids->owned[ids->num_owned++] = key;
    } else {
      free(cert);
      free(key);
    }
    free(names[i]);
  }
  if (n == 0) {
    mtk_cli_error("--identities %s: no NAME.crt file", dir);
    return MTK_EXIT_USAGE;
  }
  return 0;
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
