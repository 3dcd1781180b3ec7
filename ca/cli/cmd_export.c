// mtlskit ca export: the trust-store bundle, or a PKCS#12 of an identity.
#include <stdio.h>
#include <stdlib.h>

#include "cli_commands.h"
#include "cli_common.h"
#include "mtlskit/cli.h"
#include "mtlskit/file.h"

const char cmd_export_usage[] =
    "usage: mtlskit ca export DIR --truststore FILE\n"
    "       mtlskit ca export DIR NAME --p12 FILE [--p12-password SRC]\n"
    "                                             [--p12-profile P]\n"
    "                                             [--allow-empty-password]\n"
    "                                             [--allow-revoked]\n"
    "\n"
    "  --truststore FILE     the bundle a trust store wants: the\n"
    "                        intermediate (DIR/intermediate) first, then the\n"
    "                        root\n"
    "  --p12 FILE            NAME's key, certificate and chain as PKCS#12\n"
    "  --p12-password SRC    env:VAR, file:PATH, prompt (default), pass:TEXT\n"
    "                        (at most 4096 bytes)\n"
    "  --allow-empty-password  accept an empty --p12-password\n"
    "  --p12-profile P       compat (default) or modern\n"
    "  --allow-revoked       export NAME even if it is revoked or expired\n"
    "                        (refused otherwise, exit 2)\n";

struct export_config {
  const char *dir;
  const char *truststore;  // exactly one of truststore and p12
  const char *p12;
  const char *name;  // with p12
  enum mtk_p12_profile p12_profile;
  struct mtk_secret p12_password;
  bool allow_revoked;  // export a revoked or expired certificate too
};

static int export_config_from_opts(const struct cli_opts *o,
                                   struct export_config *cfg,
                                   struct mtk_diag *diag) {
  cfg->dir = o->pos[0];
  cfg->truststore = o->v[OPT_TRUSTSTORE];
  cfg->p12 = o->v[OPT_P12];
  int err =
      cli_parse_p12_profile(o->v[OPT_P12_PROFILE], &cfg->p12_profile, diag);
  if (err != 0 || cfg->p12 == NULL) {
    return err;
  }
  cfg->name = o->pos[1];
  cfg->allow_revoked = o->v[OPT_ALLOW_REVOKED] != NULL;
  if ((err = mtk_ca_check_name(cfg->name, diag)) != 0) {
    return err;
  }
  return cli_read_p12_password(o->v[OPT_P12_PASSWORD],
                               o->v[OPT_ALLOW_EMPTY_PASSWORD] != NULL,
                               &cfg->p12_password, diag);
}

static int write_truststore(struct mtk_ca *ca, const char *path,
                            struct mtk_diag *diag) {
  char *pem = NULL;
  size_t pem_len = 0;
  int err;
  if ((err = mtk_ca_truststore(ca, &pem, &pem_len, diag)) == 0 &&
      (err = mtk_file_replace(path, pem, pem_len, 0644, diag)) == 0) {
    printf("wrote %s\n", path);
  }
  free(pem);
  return err;
}

static int write_p12(const struct export_config *cfg, struct mtk_ca *ca,
                     struct mtk_diag *diag) {
  int err = mtk_ca_export_p12(ca, cfg->name, cfg->p12, &cfg->p12_password,
                              cfg->p12_profile, cfg->allow_revoked, diag);
  if (err == 0) {
    printf("wrote %s (%s)\n", cfg->p12, mtk_p12_profile_name(cfg->p12_profile));
  }
  return err;
}

const char *cmd_export_args_error(const struct cli_opts *o) {
  bool trust = o->v[OPT_TRUSTSTORE] != NULL, p12 = o->v[OPT_P12] != NULL;
  if (trust == p12 || (trust && o->num_pos != 1) || (p12 && o->num_pos != 2)) {
    return "export needs DIR --truststore FILE, or DIR NAME --p12 FILE";
  }
  return NULL;
}

int cmd_export_run(const struct cli_opts *o, struct mtk_diag *diag) {
  struct export_config cfg = {0};
  struct cli_ca ca = {0};
  int err;
  if ((err = export_config_from_opts(o, &cfg, diag)) == 0 &&
      (err = cli_ca_open(&ca, cfg.dir, 0, diag)) == 0) {
    err = cfg.truststore != NULL
              ? write_truststore(&ca.ca, cfg.truststore, diag)
              : write_p12(&cfg, &ca.ca, diag);
  }
  cli_ca_close(&ca);
  mtk_secret_free(&cfg.p12_password);
  return err;
}
