// mtlskit ca issue: new keys and certificates, one or a --batch.
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_batch.h"
#include "cli_commands.h"
#include "mtlskit/cli.h"

const char cmd_issue_usage[] =
    "usage: mtlskit ca issue DIR NAME --subject DN [OPTIONS]\n"
    "       mtlskit ca issue DIR --batch FILE [OPTIONS]\n"
    "\n"
    "Issue a new key and certificate: private/NAME.key.pem (0600),\n"
    "csr/NAME.csr.pem, certs/NAME.cert.pem, newcerts/SERIAL.pem and an\n"
    "index.txt line. Serials are random (16 octets, positive).\n"
    "\n"
    "  --subject DN          /C=JP/ST=Osaka/O=example/OU=x/CN=user\n"
    "  --profile P           client (default: EKU clientAuth), server, or\n"
    "                        an extensions section of openssl.cnf (as\n"
    "                        openssl ca -extensions P; init writes internal\n"
    "                        and external), with the days of\n"
    "                        [mtlskit_profile_days] P\n"
    "  --days N              validity from now (default: default_days of\n"
    "                        openssl.cnf, 365)\n"
    "  --not-before T        explicit start: 2026-01-01T00:00:00Z, @UNIX,\n"
    "  --not-after T         now, now+90d, now-1s\n"
    "  --san LIST            DNS:x,IP:192.0.2.1,email:a@b,URI:spiffe://x\n"
    "                        (repeatable)\n"
    "  --key-type T          p256 (default) p384 ed25519 rsa2048 rsa3072\n"
    "                        rsa4096\n"
    "  --digest D            sha256 sha384 sha512 (default: default_md)\n"
    "  --p12 FILE            also write a PKCS#12 (.pfx) with the chain\n"
    "  --p12-password SRC    env:VAR, file:PATH, prompt (default), pass:TEXT\n"
    "                        (at most 4096 bytes)\n"
    "  --allow-empty-password  accept an empty --p12-password\n"
    "  --p12-profile P       compat (default: 3DES, SHA-1 MAC; opens\n"
    "                        everywhere) or modern (AES-256, PBKDF2-SHA256,\n"
    "                        SHA-256 MAC)\n"
    "  --ca-password SRC     passphrase of an encrypted CA key\n"
    "  --batch FILE          one identity per line, written as the\n"
    "                        arguments after DIR: NAME --subject DN\n"
    "                        [--san ..] [--days N] [--profile P]\n"
    "                        [--key-type T] [--not-before T --not-after T]\n"
    "                        [--p12 FILE] [--p12-profile P]; quotes as in\n"
    "                        sh; '#' comments. Command-line options are\n"
    "                        defaults for every line. One lock, one index\n"
    "                        write; all or nothing.\n";

// What an issue run does, validated before the CA is opened.
struct issue_config {
  const char *dir;
  const char *batch;  // NULL: one identity from the command line
  struct issue_item *items;
  size_t num_items;
  struct mtk_secret p12_password;     // read when any item has --p12
  struct mtk_ca_profile profiles[8];  // the named profiles items use
  size_t num_profiles;
};

static void issue_config_cleanup(struct issue_config *cfg) {
  for (size_t i = 0; i < cfg->num_profiles; i++) {
    mtk_ca_profile_cleanup(&cfg->profiles[i]);
  }
  issue_items_free(cfg->items, cfg->num_items);
  mtk_secret_free(&cfg->p12_password);
}

// load_one validates the single identity NAME of the command line.
static int load_one(const struct cli_opts *o, time_t now,
                    struct issue_config *cfg, struct mtk_diag *diag) {
  struct cli_opts one = *o;
  one.pos[0] = o->pos[1];
  one.num_pos = 1;
  cfg->items = calloc(1, sizeof(*cfg->items));
  if (cfg->items == NULL) {
    return MTK_ENOMEM;
  }
  cfg->num_items = 1;
  static const struct cli_opts none = {0};
  return issue_item_from_opts(&none, &one, now, &cfg->items[0], NULL, diag);
}

const char *cmd_issue_args_error(const struct cli_opts *o) {
  if (o->num_pos < 1) {
    return "issue needs DIR and NAME (or --batch FILE)";
  }
  if (o->v[OPT_BATCH] == NULL) {
    return o->num_pos != 2 ? "issue needs DIR and NAME (or --batch FILE)"
                           : NULL;
  }
  if (o->num_pos != 1) {
    return "--batch takes no NAME";
  }
  if (o->v[OPT_P12] != NULL) {
    return "--p12 goes on each batch line";
  }
  return NULL;
}

// find_profile loads profile |name| once per run.
static int find_profile(struct issue_config *cfg, const char *name,
                        const struct mtk_ca_profile **out,
                        struct mtk_diag *diag) {
  for (size_t i = 0; i < cfg->num_profiles; i++) {
    if (strcmp(cfg->profiles[i].name, name) == 0) {
      *out = &cfg->profiles[i];
      return 0;
    }
  }
  size_t max = sizeof(cfg->profiles) / sizeof(cfg->profiles[0]);
  if (cfg->num_profiles == max) {
    return mtk_diag_set(diag, MTK_EUSAGE, "more than %zu named profiles", max);
  }
  struct mtk_ca_profile *p = &cfg->profiles[cfg->num_profiles++];
  *out = p;
  return mtk_ca_profile_load(cfg->dir, name, p, diag);
}

// load_profiles reads the named profiles of the items from openssl.cnf
// (before the CA is locked: a bad name changes nothing) and gives an item
// without a validity of its own the profile's.
static int load_profiles(struct issue_config *cfg, struct mtk_diag *diag) {
  for (size_t i = 0; i < cfg->num_items; i++) {
    struct issue_item *it = &cfg->items[i];
    if (it->section == NULL) {
      continue;
    }
    int err = find_profile(cfg, it->section, &it->named_profile, diag);
    if (err != 0) {
      return err;
    }
    if (it->validity.days < 0 && !it->validity.explicit_times &&
        it->named_profile->days > 0) {
      it->validity.days = it->named_profile->days;
    }
  }
  return 0;
}

static int issue_config_from_opts(const struct cli_opts *o, time_t now,
                                  struct issue_config *cfg,
                                  struct mtk_diag *diag) {
  cfg->dir = o->pos[0];
  cfg->batch = o->v[OPT_BATCH];
  int err;
  if (cfg->batch != NULL) {
    struct cli_opts base = *o;
    base.num_pos = 0;
    err = issue_batch_load(cfg->batch, &base, now, &cfg->items, &cfg->num_items,
                           diag);
  } else {
    err = load_one(o, now, cfg, diag);
  }
  if (err != 0) {
    return err;
  }
  if ((err = load_profiles(cfg, diag)) != 0) {
    return err;
  }
  for (size_t i = 0; i < cfg->num_items; i++) {
    if (cfg->items[i].p12 != NULL) {
      return cli_read_p12_password(o->v[OPT_P12_PASSWORD],
                                   o->v[OPT_ALLOW_EMPTY_PASSWORD] != NULL,
                                   &cfg->p12_password, diag);
    }
  }
  return 0;
}

static void fill_requests(const struct issue_config *cfg,
                          const struct mtk_ca *ca, time_t now,
                          struct mtk_ca_issue_req *reqs) {
  for (size_t i = 0; i < cfg->num_items; i++) {
    const struct issue_item *it = &cfg->items[i];
    struct mtk_ca_issue_req *req = &reqs[i];
    req->name = it->name;
    req->subject = &it->dn;
    req->san = &it->san;
    req->profile = it->profile;
    req->named_profile = it->named_profile;
    cli_validity_apply(&it->validity, ca, now, &req->not_before,
                       &req->not_after);
    req->key_type = it->key_type;
    req->digest = it->digest;
    req->p12_path = it->p12;
    req->p12_password = &cfg->p12_password;
    req->p12_profile = it->p12_profile;
  }
}

// issue_all issues every identity and commits once: a failure on any item
// leaves nothing.
static int issue_all(const struct issue_config *cfg, struct mtk_ca *ca,
                     time_t now, struct mtk_diag *diag) {
  size_t num = cfg->num_items;
  struct mtk_ca_issue_req *reqs = calloc(num, sizeof(*reqs));
  struct mtk_ca_issued *outs = calloc(num, sizeof(*outs));
  if (reqs == NULL || outs == NULL) {
    free(reqs);
    free(outs);
    return MTK_ENOMEM;
  }
  fill_requests(cfg, ca, now, reqs);
  // Large batches use every core: key generation, signing and file
  // creation run in parallel; the index is still written once, in order.
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  unsigned threads = num >= 32 && cpus > 1 ? (unsigned)cpus : 1;
  size_t failed = 0;
  int err = mtk_ca_issue_batch(ca, reqs, num, outs, threads, &failed, diag);
  if (err != 0 && cfg->batch != NULL) {
    mtk_diag_prefix(diag, err, "%s (identity %zu, '%s')", cfg->batch,
                    failed + 1, cfg->items[failed].name);
  }
  if (err == 0) {
    err = mtk_ca_commit(ca, diag);
  }
  if (err == 0) {
    for (size_t i = 0; i < num; i++) {
      const struct issue_item *it = &cfg->items[i];
      char na[32];
      cli_iso(reqs[i].not_after, na);
      printf("issued %s serial %s not after %s%s%s\n", it->name, outs[i].serial,
             na, it->p12 != NULL ? " p12 " : "",
             it->p12 != NULL ? it->p12 : "");
    }
  }
  for (size_t i = 0; i < num; i++) {
    X509_free(outs[i].cert);
  }
  free(reqs);
  free(outs);
  return err;
}

int cmd_issue_run(const struct cli_opts *o, struct mtk_diag *diag) {
  time_t now = time(NULL);
  struct issue_config cfg = {0};
  struct cli_ca ca = {0};
  int err = issue_config_from_opts(o, now, &cfg, diag);
  if (err == 0 && (err = cli_ca_open_signer(&ca, cfg.dir, o->v[OPT_CA_PASSWORD],
                                            diag)) == 0) {
    err = issue_all(&cfg, &ca.ca, now, diag);
  }
  cli_ca_close(&ca);
  issue_config_cleanup(&cfg);
  return err;
}
