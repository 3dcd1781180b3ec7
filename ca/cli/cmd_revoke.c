// mtlskit ca revoke: mark a certificate revoked in index.txt.
#include <stdio.h>
#include <strings.h>

#include "cli_commands.h"
#include "cli_common.h"
#include "mtlskit/cli.h"
#include "mtlskit/x509_crl.h"

const char cmd_revoke_usage[] =
    "usage: mtlskit ca revoke DIR NAME [--reason R]\n"
    "       mtlskit ca revoke DIR --serial HEX [--reason R]\n"
    "\n"
    "Mark a certificate revoked in index.txt (as openssl ca -revoke does).\n"
    "Run 'mtlskit ca crl DIR' afterwards to publish it.\n"
    "\n"
    "  --serial HEX          revoke by serial instead of NAME\n"
    "  --reason R            unspecified keyCompromise CACompromise\n"
    "                        affiliationChanged superseded\n"
    "                        cessationOfOperation (default: none recorded)\n";

struct revoke_config {
  const char *dir;
  const char *name;  // exactly one of name and serial
  const char *serial;
  int reason;  // MTK_REASON_NONE: none recorded
};

static int revoke_config_from_opts(const struct cli_opts *o,
                                   struct revoke_config *cfg,
                                   struct mtk_diag *diag) {
  cfg->dir = o->pos[0];
  cfg->serial = o->v[OPT_SERIAL];
  cfg->name = cfg->serial == NULL ? o->pos[1] : NULL;
  int err = cli_parse_reason(o->v[OPT_REASON], &cfg->reason, diag);
  if (err != 0) {
    return err;
  }
  if (cfg->serial != NULL) {
    uint8_t b[MTK_SERIAL_MAX + 1];
    size_t blen;
    if (mtk_serial_from_hex(cfg->serial, b, sizeof(b), &blen) != 0) {
      return mtk_diag_set(diag, MTK_EUSAGE, "--serial '%s' is not hex",
                          cfg->serial);
    }
    return 0;
  }
  return mtk_ca_check_name(cfg->name, diag);
}

const char *cmd_revoke_args_error(const struct cli_opts *o) {
  if (o->num_pos != (o->v[OPT_SERIAL] != NULL ? 1u : 2u)) {
    return "revoke needs DIR and NAME, or DIR --serial HEX";
  }
  return NULL;
}

int cmd_revoke_run(const struct cli_opts *o, struct mtk_diag *diag) {
  struct revoke_config cfg = {0};
  int err = revoke_config_from_opts(o, &cfg, diag);
  if (err != 0) {
    return err;
  }
  struct cli_ca ca = {0};
  char serial[2 * MTK_SERIAL_MAX + 3] = "";
  if ((err = cli_ca_open(&ca, cfg.dir, MTK_CA_OPEN_LOCK, diag)) == 0 &&
      (err = mtk_ca_revoke(&ca.ca, cfg.name, cfg.serial, cfg.reason, time(NULL),
                           serial, sizeof(serial), diag)) == 0 &&
      (err = mtk_ca_commit(&ca.ca, diag)) == 0) {
    const char *rn = mtk_crl_reason_name(cfg.reason);
    printf("revoked %s serial %s%s%s\n", cfg.name != NULL ? cfg.name : "-",
           serial, rn != NULL ? " reason " : "", rn != NULL ? rn : "");
    mtk_cli_note("run 'mtlskit ca crl %s' to publish the revocation", cfg.dir);
  }
  cli_ca_close(&ca);
  return err;
}
