// mtlskit ca crl: publish a new CRL.
#include <stdio.h>

#include "cli_commands.h"
#include "cli_common.h"
#include "mtlskit/cli.h"

const char cmd_crl_usage[] =
    "usage: mtlskit ca crl DIR [--days N] [--output FILE] [--ca-password SRC]\n"
    "\n"
    "Write a v2 CRL of every revoked certificate to crl/ca.crl.pem (the\n"
    "`crl` of openssl.cnf), numbered from crlnumber, which is then\n"
    "incremented.\n"
    "\n"
    "  --days N              nextUpdate in N days (default: default_crl_days,\n"
    "                        30)\n"
    "  --output FILE         write the CRL here instead\n"
    "  --ca-password SRC     passphrase of an encrypted CA key\n";

static int write_crl(struct mtk_ca *ca, long days, time_t now,
                     const char *output, struct mtk_diag *diag) {
  char number[2 * MTK_SERIAL_MAX + 3];
  size_t num_revoked = 0;
  int err = mtk_ca_crl(ca, days, now, output, number, sizeof(number),
                       &num_revoked, diag);
  if (err != 0) {
    return err;
  }
  long valid_days = days >= 0 ? days : ca->conf.default_crl_days;
  char next[32];
  cli_iso(now + (time_t)valid_days * 86400, next);
  if (valid_days > 30) {
    mtk_cli_warn(
        "nextUpdate is more than 30 days away; a CRL past its "
        "nextUpdate locks out every client, so plan to re-issue");
  }
  printf("wrote %s: CRL number %s, %zu revoked, next update %s\n",
         output != NULL ? output : ca->conf.crl, number, num_revoked, next);
  return 0;
}

int cmd_crl_run(const struct cli_opts *o, struct mtk_diag *diag) {
  long days = -1;  // -1: the CA's default_crl_days
  struct cli_ca ca = {0};
  int err;
  if ((err = cli_parse_days(o->v[OPT_DAYS], false, &days, diag)) == 0 &&
      (err = cli_ca_read_password(&ca, o->v[OPT_CA_PASSWORD], diag)) == 0) {
    // thisUpdate: after any passphrase prompt, before any wait for the lock.
    time_t now = time(NULL);
    if ((err = cli_ca_open(&ca, o->pos[0], MTK_CA_OPEN_LOCK | MTK_CA_OPEN_KEY,
                           diag)) == 0) {
      err = write_crl(&ca.ca, days, now, o->v[OPT_OUTPUT], diag);
    }
  }
  cli_ca_close(&ca);
  return err;
}
