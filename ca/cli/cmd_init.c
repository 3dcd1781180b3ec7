// mtlskit ca init: a new root CA, and optionally an intermediate.
#include <stdio.h>

#include "cli_commands.h"
#include "cli_common.h"
#include "mtlskit/cli.h"

const char cmd_init_usage[] =
    "usage: mtlskit ca init DIR [--subject DN] [--days N] [--key-type T]\n"
    "                        [--intermediate [--intermediate-subject DN]]\n"
    "                        [--key-password SRC [--allow-empty-password]]\n"
    "                        [--digest D]\n"
    "\n"
    "Create a root CA in DIR (new, empty, or left by an init that was\n"
    "interrupted, which is redone): openssl.cnf, index.txt,\n"
    "index.txt.attr (unique_subject = no), serial, crlnumber, certs/ crl/\n"
    "newcerts/ private/ csr/, private/ca.key.pem (0600), certs/ca.cert.pem.\n"
    "\n"
    "  --subject DN          /C=JP/O=example/CN=example Root CA\n"
    "                        (default /O=mtlskit/CN=mtlskit Root CA)\n"
    "  --days N              validity in days (default 3650)\n"
    "  --key-type T          rsa2048 rsa3072 rsa4096 p256 p384 ed25519\n"
    "                        (default p256)\n"
    "  --intermediate        also create DIR/intermediate, a subordinate CA\n"
    "                        (pathlen:0) signed by the root (pathlen:1)\n"
    "  --intermediate-subject DN  its subject (default: the root's, with\n"
    "                        \"Root CA\" in the CN replaced)\n"
    "  --key-password SRC    encrypt the CA keys: env:VAR, file:PATH,\n"
    "                        prompt, or pass:TEXT (warns); 1 to 1023 bytes\n"
    "  --allow-empty-password  accept an empty --key-password\n"
    "  --digest D            sha256 (default), sha384, sha512\n";

struct init_config {
  const char *dir;
  struct mtk_dn dn, intermediate_dn;
  struct mtk_secret key_password;
  struct mtk_ca_init_params params;
};

static void init_config_cleanup(struct init_config *cfg) {
  mtk_dn_cleanup(&cfg->dn);
  mtk_dn_cleanup(&cfg->intermediate_dn);
  mtk_secret_free(&cfg->key_password);
}

static int init_config_from_opts(const struct cli_opts *o,
                                 struct init_config *cfg,
                                 struct mtk_diag *diag) {
  struct mtk_ca_init_params *p = &cfg->params;
  cfg->dir = o->pos[0];
  mtk_dn_init(&cfg->dn);
  mtk_dn_init(&cfg->intermediate_dn);
  p->days = 3650;
  int err;
  if ((err = cli_parse_days(o->v[OPT_DAYS], false, &p->days, diag)) != 0 ||
      (err = mtk_dn_parse(o->v[OPT_SUBJECT] != NULL
                              ? o->v[OPT_SUBJECT]
                              : "/O=mtlskit/CN=mtlskit Root CA",
                          &cfg->dn, diag)) != 0 ||
      (err = cli_parse_key_type(o->v[OPT_KEY_TYPE], MTK_KEY_P256, &p->key_type,
                                diag)) != 0 ||
      (err = cli_parse_digest(o->v[OPT_DIGEST], &p->digest, diag)) != 0) {
    return err;
  }
  p->subject = &cfg->dn;
  p->intermediate = o->v[OPT_INTERMEDIATE] != NULL;
  if (o->v[OPT_INTERMEDIATE_SUBJECT] != NULL) {
    if (!p->intermediate) {
      return mtk_diag_set(diag, MTK_EUSAGE,
                          "--intermediate-subject needs --intermediate");
    }
    if ((err = mtk_dn_parse(o->v[OPT_INTERMEDIATE_SUBJECT],
                            &cfg->intermediate_dn, diag)) != 0) {
      return err;
    }
    p->intermediate_subject = &cfg->intermediate_dn;
  }
  if (o->v[OPT_KEY_PASSWORD] != NULL) {
    if ((err =
             cli_read_new_password(o->v[OPT_KEY_PASSWORD], "CA key passphrase",
                                   o->v[OPT_ALLOW_EMPTY_PASSWORD] != NULL,
                                   &cfg->key_password, diag)) != 0) {
      return err;
    }
    p->key_password = &cfg->key_password;
  }
  return 0;
}

int cmd_init_run(const struct cli_opts *o, struct mtk_diag *diag) {
  struct init_config cfg = {0};
  int err = init_config_from_opts(o, &cfg, diag);
  if (err == 0 &&
      (err = mtk_ca_init(cfg.dir, &cfg.params, time(NULL), diag)) == 0) {
    printf("created root CA %s (%s, %ld days) in %s\n", cfg.dir,
           mtk_key_type_name(cfg.params.key_type), cfg.params.days, cfg.dir);
    if (cfg.params.intermediate) {
      printf("created intermediate CA in %s/intermediate\n", cfg.dir);
    }
  }
  init_config_cleanup(&cfg);
  return err;
}
