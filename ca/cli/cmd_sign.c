// mtlskit ca sign: a certificate for a PKCS#10 request.
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_commands.h"
#include "cli_common.h"
#include "mtlskit/cli.h"
#include "mtlskit/file.h"
#include "mtlskit/pem.h"
#include "mtlskit/x509_csr.h"

const char cmd_sign_usage[] =
    "usage: mtlskit ca sign DIR --csr FILE [NAME] [OPTIONS]\n"
    "\n"
    "Sign a PKCS#10 request (PEM or DER, at most 64 KiB) whose key never\n"
    "leaves its device. Its signature must verify. The subject and SANs\n"
    "come from the request unless --subject or --san are given; either way\n"
    "they, and the request's key, must pass the checks `issue` applies to\n"
    "typed ones (RSA 2048-8192 bits, P-256, P-384, Ed25519). With NAME the\n"
    "request and certificate are kept as csr/NAME.csr.pem and\n"
    "certs/NAME.cert.pem; always newcerts/SERIAL.pem. The certificate is\n"
    "printed as PEM unless NAME or --output is given.\n"
    "\n"
    "  --csr FILE            the request\n"
    "  --subject DN          replace the requested subject\n"
    "  --san LIST            replace the requested SANs (repeatable)\n"
    "  --profile P           client (default) or server\n"
    "  --days N | --not-before T --not-after T   validity\n"
    "  --digest D            sha256 sha384 sha512\n"
    "  --output FILE         also write the certificate here\n"
    "  --ca-password SRC     passphrase of an encrypted CA key\n"
    "  --drop-unknown-critical  sign a request that asks for a critical\n"
    "                        extension mtlskit does not write (it is left\n"
    "                        out); refused otherwise\n";

struct sign_config {
  const char *dir;
  const char *name;  // NULL: keep no files by name
  const char *csr_path;
  const char *output;  // NULL: none
  bool drop_unknown_critical;
  struct cli_validity validity;
  enum mtk_cert_profile profile;
  enum mtk_digest digest;
  char *csr_data;
  size_t csr_len;
  struct mtk_csr csr;
  struct mtk_dn dn;
  struct mtk_san_list san;
};

static void sign_config_cleanup(struct sign_config *cfg) {
  free(cfg->csr_data);
  mtk_csr_cleanup(&cfg->csr);
  mtk_dn_cleanup(&cfg->dn);
  mtk_san_list_cleanup(&cfg->san);
}

// The largest request read: a CSR with a few SANs is under 2 KiB.
#define CSR_MAX (64u * 1024u)

// read_csr reads and checks the request; a bad one is bad input.
static int read_csr(struct sign_config *cfg, struct mtk_diag *diag) {
  int err = mtk_file_read(cfg->csr_path, CSR_MAX, &cfg->csr_data, &cfg->csr_len,
                          diag);
  if (err != 0) {
    return err;
  }
  if ((err = mtk_csr_parse((const uint8_t *)cfg->csr_data, cfg->csr_len,
                           &cfg->csr, diag)) != 0) {
    mtk_diag_prefix(diag, err, "%s", cfg->csr_path);
    return err == MTK_ECRYPTO ? MTK_EPARSE : err;
  }
  if (cfg->csr.unknown_critical[0] != '\0' && !cfg->drop_unknown_critical) {
    return mtk_diag_set(diag, MTK_EPARSE,
                        "%s requests critical extension %s, which mtlskit "
                        "does not write; --drop-unknown-critical signs "
                        "without it",
                        cfg->csr_path, cfg->csr.unknown_critical);
  }
  return 0;
}

// subject_and_sans takes them from the options, else from the request.
static int subject_and_sans(const struct cli_opts *o, struct sign_config *cfg,
                            struct mtk_diag *diag) {
  int err;
  if (o->v[OPT_SUBJECT] != NULL) {
    err = mtk_dn_parse(o->v[OPT_SUBJECT], &cfg->dn, diag);
  } else {
    err = mtk_dn_from_x509_name(X509_REQ_get_subject_name(cfg->csr.req),
                                &cfg->dn);
    if (err == MTK_ERANGE) {
      err = mtk_diag_set(diag, MTK_EPARSE,
                         "%s: the subject has more than %d attributes or an "
                         "attribute type of more than 32 bytes",
                         cfg->csr_path, MTK_DN_MAX_ATTRS);
    }
    if (err == 0 && cfg->dn.num_attrs == 0) {
      err = mtk_diag_set(diag, MTK_EPARSE,
                         "%s has an empty subject; give --subject",
                         cfg->csr_path);
    }
  }
  if (err != 0) {
    return err;
  }
  if (o->num_sans > 0) {
    return cli_parse_sans(o, &cfg->san, diag);
  }
  const struct mtk_san_list *requested = &cfg->csr.san;
  for (size_t i = 0; i < requested->num && err == 0; i++) {
    err = mtk_san_add(&cfg->san, requested->entries[i].type,
                      requested->entries[i].value,
                      requested->entries[i].value_len);
  }
  return err;
}

static int sign_config_from_opts(const struct cli_opts *o, time_t now,
                                 struct sign_config *cfg,
                                 struct mtk_diag *diag) {
  cfg->dir = o->pos[0];
  cfg->name = o->num_pos == 2 ? o->pos[1] : NULL;
  cfg->csr_path = o->v[OPT_CSR];
  cfg->output = o->v[OPT_OUTPUT];
  cfg->drop_unknown_critical = o->v[OPT_DROP_UNKNOWN_CRITICAL] != NULL;
  mtk_dn_init(&cfg->dn);
  mtk_san_list_init(&cfg->san);
  int err;
  if ((cfg->name != NULL && (err = mtk_ca_check_name(cfg->name, diag)) != 0) ||
      (err = cli_parse_validity(o, now, &cfg->validity, diag)) != 0 ||
      (err = cli_parse_digest(o->v[OPT_DIGEST], &cfg->digest, diag)) != 0 ||
      (err = cli_parse_cert_profile(o->v[OPT_PROFILE], &cfg->profile, diag)) !=
          0 ||
      (err = read_csr(cfg, diag)) != 0 ||
      (err = subject_and_sans(o, cfg, diag)) != 0) {
    return err;
  }
  // The policy typed names get, before the CA is locked; mtk_ca_issue
  // applies it again.
  err = mtk_ca_check_request(&cfg->dn, &cfg->san, cfg->csr.public_key, 0, diag);
  return err != 0 ? mtk_diag_prefix(diag, err, "%s", cfg->csr_path) : 0;
}

// track_output has the CA transaction remember |path|, so that a failed
// commit removes it with the files the CA created.
static int track_output(struct mtk_ca *ca, const char *path) {
  char *copy = strdup(path);
  if (copy == NULL) {
    return MTK_ENOMEM;
  }
  if (ca->num_created == ca->cap_created) {
    char **grown = realloc(ca->created, (ca->cap_created + 4) * sizeof(*grown));
    if (grown == NULL) {
      free(copy);
      return MTK_ENOMEM;
    }
    ca->created = grown;
    ca->cap_created += 4;
  }
  ca->created[ca->num_created++] = copy;
  return 0;
}

static int write_output(struct mtk_ca *ca, const char *path, const char *pem,
                        size_t pem_len, struct mtk_diag *diag) {
  int err = mtk_file_create(path, pem, pem_len, 0644, false, diag);
  if (err == 0 && (err = track_output(ca, path)) != 0) {
    unlink(path);
  }
  return err;
}

static int sign_request(const struct sign_config *cfg, struct mtk_ca *ca,
                        time_t now, struct mtk_diag *diag) {
  struct mtk_ca_issue_req req;
  memset(&req, 0, sizeof(req));
  req.name = cfg->name;
  req.subject = &cfg->dn;
  req.san = &cfg->san;
  req.profile = cfg->profile;
  cli_validity_apply(&cfg->validity, ca, now, &req.not_before, &req.not_after);
  req.public_key = cfg->csr.public_key;
  req.csr = (const uint8_t *)cfg->csr_data;
  req.csr_len = cfg->csr_len;
  req.digest = cfg->digest;
  struct mtk_ca_issued issued = {0};
  char *pem = NULL;
  size_t pem_len = 0;
  int err;
  if ((err = mtk_ca_issue(ca, &req, &issued, diag)) != 0 ||
      (err = mtk_pem_cert_encode(issued.cert, &pem, &pem_len)) != 0 ||
      (cfg->output != NULL &&
       (err = write_output(ca, cfg->output, pem, pem_len, diag)) != 0) ||
      (err = mtk_ca_commit(ca, diag)) != 0) {
    goto out;
  }
  if (cfg->name == NULL && cfg->output == NULL) {
    fwrite(pem, 1, pem_len, stdout);
  } else {
    printf("signed %s serial %s\n", cfg->name != NULL ? cfg->name : cfg->output,
           issued.serial);
  }
out:
  X509_free(issued.cert);
  free(pem);
  return err;
}

const char *cmd_sign_args_error(const struct cli_opts *o) {
  if (o->num_pos < 1 || o->num_pos > 2 || o->v[OPT_CSR] == NULL) {
    return "sign needs DIR, --csr FILE and maybe NAME";
  }
  return NULL;
}

int cmd_sign_run(const struct cli_opts *o, struct mtk_diag *diag) {
  time_t now = time(NULL);
  struct sign_config cfg = {0};
  struct cli_ca ca = {0};
  int err = sign_config_from_opts(o, now, &cfg, diag);
  if (err == 0 && (err = cli_ca_open_signer(&ca, cfg.dir, o->v[OPT_CA_PASSWORD],
                                            diag)) == 0) {
    err = sign_request(&cfg, &ca.ca, now, diag);
  }
  cli_ca_close(&ca);
  sign_config_cleanup(&cfg);
  return err;
}
