// mtlskit ca renew: a new certificate for an identity the CA issued: the
// same subject, SANs and extensions, a new serial and validity, optionally
// a new key, optionally revoking the old certificate; the renewal is
// recorded in DIR/lineage.txt.
#include <ctype.h>
#include <openssl/mem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_commands.h"
#include "cli_common.h"
#include "mtlskit/file.h"
#include "mtlskit/pem.h"
#include "mtlskit/x509_crl.h"
#include "mtlskit/x509_info.h"
#include "mtlskit/x509_time.h"

const char cmd_renew_usage[] =
    "usage: mtlskit ca renew DIR NAME [--new-key [--key-type T]] [--days N]\n"
    "                        [--revoke-old [--reason R]] [--ca-password SRC]\n"
    "\n"
    "Issue NAME again as NAME-v2 (NAME-v2 becomes NAME-v3, and so on; the\n"
    "first free one): the same subject, SANs and extensions, a new serial,\n"
    "a validity as long as the old one's from now. The renewal is recorded\n"
    "in DIR/lineage.txt ('ca show' prints it).\n"
    "\n"
    "  --new-key             a new key (of the old key's type, or\n"
    "                        --key-type); default: certify the same key\n"
    "                        again (private/NAME.key.pem is copied to the\n"
    "                        new name)\n"
    "  --key-type T          with --new-key: p256 p384 ed25519 rsa2048\n"
    "                        rsa3072 rsa4096\n"
    "  --days N              validity from now instead of the old length\n"
    "  --revoke-old          revoke the old certificate in the same\n"
    "                        transaction (run 'ca crl' to publish it)\n"
    "  --reason R            with --revoke-old (default superseded)\n"
    "  --ca-password SRC     passphrase of an encrypted CA key\n";

const char *cmd_renew_args_error(const struct cli_opts *o) {
  if (o->num_pos != 2) {
    return "renew needs DIR and NAME";
  }
  if (o->v[OPT_REASON] != NULL && o->v[OPT_REVOKE_OLD] == NULL) {
    return "--reason goes with --revoke-old";
  }
  if (o->v[OPT_KEY_TYPE] != NULL && o->v[OPT_NEW_KEY] == NULL) {
    return "--key-type goes with --new-key";
  }
  return NULL;
}

struct renew_config {
  const char *dir, *name;
  bool new_key, revoke_old;
  bool has_key_type;
  enum mtk_key_type key_type;
  long days;  // -1: as long as the old certificate
  int reason;
};

static int renew_config_from_opts(const struct cli_opts *o,
                                  struct renew_config *cfg,
                                  struct mtk_diag *diag) {
  cfg->dir = o->pos[0];
  cfg->name = o->pos[1];
  cfg->new_key = o->v[OPT_NEW_KEY] != NULL;
  cfg->revoke_old = o->v[OPT_REVOKE_OLD] != NULL;
  cfg->has_key_type = o->v[OPT_KEY_TYPE] != NULL;
  cfg->days = -1;
  int err = mtk_ca_check_name(cfg->name, diag);
  if (err == 0 && cfg->has_key_type) {
    err = cli_parse_key_type(o->v[OPT_KEY_TYPE], MTK_KEY_P256, &cfg->key_type,
                             diag);
  }
  if (err == 0) {
    err = cli_parse_days(o->v[OPT_DAYS], false, &cfg->days, diag);
  }
  if (err == 0) {
    err = cli_parse_reason(
        o->v[OPT_REASON] != NULL ? o->v[OPT_REASON] : "superseded",
        &cfg->reason, diag);
  }
  return err;
}

// next_name writes the renewal's name: NAME-v2 for NAME, NAME-v(N+1) for
// NAME-vN, skipping names whose certificate exists.
static int next_name(const struct mtk_ca *ca, const char *name, char *out,
                     size_t out_len, struct mtk_diag *diag) {
  size_t base_len = strlen(name);
  unsigned long v = 1;
  const char *dash = strrchr(name, '-');
  if (dash != NULL && dash[1] == 'v' && isdigit((unsigned char)dash[2])) {
    char *end;
    unsigned long n = strtoul(dash + 2, &end, 10);
    if (*end == '\0' && n >= 2 && n < 100000) {
      base_len = (size_t)(dash - name);
      v = n;
    }
  }
  for (unsigned tries = 0; tries < 1000; tries++) {
    char path[MTK_CADB_PATH_MAX + 96];
    snprintf(out, out_len, "%.*s-v%lu", (int)base_len, name, ++v);
    if (mtk_ca_check_name(out, NULL) != 0) {
      break;
    }
    snprintf(path, sizeof(path), "%s/%s.cert.pem", ca->conf.certs, out);
    if (!mtk_file_exists(path)) {
      return 0;
    }
  }
  return mtk_diag_set(diag, MTK_EUSAGE, "no free name to renew '%s' as", name);
}

// key_type_of maps the old certificate's key to the type --new-key makes.
static int key_type_of(X509 *cert, enum mtk_key_type *out,
                       struct mtk_diag *diag) {
  struct mtk_cert_info in;
  int err = mtk_cert_info_get(cert, &in);
  static const struct {
    const char *type, *curve;
    unsigned bits;
    enum mtk_key_type key_type;
  } map[] = {{"EC", "P-256", 256, MTK_KEY_P256},
             {"EC", "P-384", 384, MTK_KEY_P384},
             {"Ed25519", "", 253, MTK_KEY_ED25519},
             {"RSA", "", 2048, MTK_KEY_RSA2048},
             {"RSA", "", 3072, MTK_KEY_RSA3072},
             {"RSA", "", 4096, MTK_KEY_RSA4096}};
  if (err == 0) {
    err = mtk_diag_set(diag, MTK_EUSAGE,
                       "the old key (%s %s %u bits) is not a type mtlskit "
                       "makes: give --key-type",
                       in.key_type, in.key_curve, in.key_bits);
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
      if (strcmp(in.key_type, map[i].type) == 0 &&
          strcmp(in.key_curve, map[i].curve) == 0 &&
          (map[i].key_type == MTK_KEY_ED25519 || in.key_bits == map[i].bits)) {
        *out = map[i].key_type;
        err = 0;
      }
    }
  }
  mtk_cert_info_cleanup(&in);
  return err;
}

// The old certificate and what the new one is made of.
struct renewal {
  X509 *old;
  char old_serial[2 * MTK_SERIAL_MAX + 3];
  char new_name[80];
  struct mtk_dn dn;
  struct mtk_san_list san;
  EVP_PKEY *key;  // the key to certify (NULL: the old public key, no file)
  struct mtk_raw_ext exts[32];
  char oids[32][80];  // the extensions' OIDs as dotted text
  size_t num_exts;
  uint8_t ski[2 + 20];  // a new key's subjectKeyIdentifier value
};

static void renewal_cleanup(struct renewal *r) {
  X509_free(r->old);
  mtk_dn_cleanup(&r->dn);
  mtk_san_list_cleanup(&r->san);
  EVP_PKEY_free(r->key);
}

// copy_extensions lists the old certificate's extensions as they are, but
// for the subjectKeyIdentifier of a new key; the SANs are also parsed into
// r->san for the CA's policy check.
static int copy_extensions(struct renewal *r, bool new_key,
                           struct mtk_diag *diag) {
  size_t n = (size_t)X509_get_ext_count(r->old);
  if (n > sizeof(r->exts) / sizeof(r->exts[0])) {
    return mtk_diag_set(diag, MTK_EUSAGE,
                        "the old certificate has %zu "
                        "extensions, more than renew copies",
                        n);
  }
  for (size_t i = 0; i < n; i++) {
    X509_EXTENSION *x = X509_get_ext(r->old, (int)i);
    const ASN1_OBJECT *obj = X509_EXTENSION_get_object(x);
    const ASN1_OCTET_STRING *v = X509_EXTENSION_get_data(x);
    struct mtk_raw_ext *e = &r->exts[r->num_exts++];
    if (OBJ_obj2txt(r->oids[i], sizeof(r->oids[i]), obj, 1) <= 0) {
      return mtk_diag_set(diag, MTK_EPARSE, "unreadable extension OID");
    }
    e->oid = r->oids[i];
    e->critical = X509_EXTENSION_get_critical(x) != 0;
    e->value = ASN1_STRING_get0_data(v);
    e->value_len = (size_t)ASN1_STRING_length(v);
    int nid = OBJ_obj2nid(obj);
    if (nid == NID_subject_key_identifier && new_key) {
      r->ski[0] = 0x04;  // OCTET STRING
      r->ski[1] = 20;
      if (mtk_key_id(r->key, r->ski + 2) != 0) {
        return MTK_ECRYPTO;
      }
      e->value = r->ski;
      e->value_len = sizeof(r->ski);
    } else if (nid == NID_subject_alt_name) {
      CBS cbs;
      CBS_init(&cbs, e->value, e->value_len);
      if (mtk_san_unmarshal(&cbs, &r->san) != 0) {
        return mtk_diag_set(diag, MTK_EPARSE,
                            "the old certificate's SANs cannot be read");
      }
    }
  }
  return 0;
}

// prepare reads NAME's certificate (it must be recorded and not revoked),
// picks the new name, the key and the extensions.
static int prepare(const struct renew_config *cfg, struct mtk_ca *ca,
                   struct renewal *r, struct mtk_diag *diag) {
  char path[MTK_CADB_PATH_MAX + 96];
  snprintf(path, sizeof(path), "%s/%s.cert.pem", ca->conf.certs, cfg->name);
  if (!mtk_file_exists(path)) {
    return mtk_diag_set(diag, MTK_ENOTFOUND, "no certificate named '%s' in %s",
                        cfg->name, ca->conf.dir);
  }
  int err = mtk_pem_read_cert(path, &r->old, diag);
  if (err != 0 || (err = mtk_cert_serial_hex(r->old, r->old_serial,
                                             sizeof(r->old_serial))) != 0) {
    return err;
  }
  ssize_t i = mtk_cadb_index_find(&ca->index, r->old_serial);
  if (i < 0) {
    return mtk_diag_set(diag, MTK_ENOTFOUND, "serial %s of '%s' is not in %s",
                        r->old_serial, cfg->name, ca->conf.database);
  }
  if (ca->index.entries[i].status == 'R') {
    return mtk_diag_set(diag, MTK_EUSAGE,
                        "'%s' is revoked: issue a new identity instead of "
                        "renewing it",
                        cfg->name);
  }
  if ((err = next_name(ca, cfg->name, r->new_name, sizeof(r->new_name),
                       diag)) != 0 ||
      (err = mtk_dn_from_x509_name(X509_get_subject_name(r->old), &r->dn)) !=
          0) {
    return err;
  }
  if (cfg->new_key) {
    enum mtk_key_type type = cfg->key_type;
    if ((!cfg->has_key_type && (err = key_type_of(r->old, &type, diag)) != 0) ||
        (err = mtk_key_generate(type, &r->key, diag)) != 0) {
      return err;
    }
  } else {
    snprintf(path, sizeof(path), "%s/%s.key.pem", ca->conf.private_dir,
             cfg->name);
    if (mtk_file_exists(path) &&
        (err = mtk_pem_read_key(path, NULL, &r->key, diag)) != 0) {
      return mtk_diag_prefix(diag, err, "%s", path);
    }
  }
  return copy_extensions(r, cfg->new_key, diag);
}

static time_t asn1_time_t(const ASN1_TIME *t) {
  time_t out = 0;
  if (mtk_time_parse((const char *)ASN1_STRING_get0_data(t),
                     (size_t)ASN1_STRING_length(t), &out) != 0) {
    return 0;
  }
  return out;
}

static int renew(const struct renew_config *cfg, struct mtk_ca *ca,
                 struct renewal *r, time_t now, struct mtk_diag *diag) {
  struct mtk_ca_issue_req req;
  memset(&req, 0, sizeof(req));
  req.name = r->new_name;
  req.subject = &r->dn;
  req.san = &r->san;
  req.private_key = r->key;
  // Without its private key in DIR (a certificate issued from a CSR), the
  // old public key is certified again and no key file is written.
  EVP_PKEY *old_pub = r->key == NULL ? X509_get_pubkey(r->old) : NULL;
  req.public_key = old_pub;
  req.extensions = r->exts;
  req.num_extensions = r->num_exts;
  req.not_before = now;
  time_t length = asn1_time_t(X509_get0_notAfter(r->old)) -
                  asn1_time_t(X509_get0_notBefore(r->old));
  req.not_after = now + (cfg->days > 0 ? cfg->days * 86400 : length);
  struct mtk_ca_issued out;
  int err = mtk_ca_issue(ca, &req, &out, diag);
  char revoked[2 * MTK_SERIAL_MAX + 3];
  if (err == 0 && cfg->revoke_old) {
    err = mtk_ca_revoke(ca, NULL, r->old_serial, cfg->reason, now, revoked,
                        sizeof(revoked), diag);
  }
  if (err == 0) {
    err = mtk_ca_lineage_add(ca, out.serial, r->old_serial, diag);
  }
  if (err == 0) {
    err = mtk_ca_commit(ca, diag);
  }
  if (err == 0) {
    char na[32];
    cli_iso(req.not_after, na);
    printf("renewed %s as %s serial %s not after %s (%s)\n", cfg->name,
           r->new_name, out.serial, na,
           cfg->new_key ? "new key"
           : r->key     ? "same key"
                        : "same public key");
    if (cfg->revoke_old) {
      printf("revoked %s serial %s (%s): run 'mtlskit ca crl %s' to publish\n",
             cfg->name, r->old_serial, mtk_crl_reason_name(cfg->reason),
             cfg->dir);
    }
  }
  X509_free(out.cert);
  EVP_PKEY_free(old_pub);
  return err;
}

int cmd_renew_run(const struct cli_opts *o, struct mtk_diag *diag) {
  struct renew_config cfg = {0};
  struct renewal r;
  memset(&r, 0, sizeof(r));
  mtk_dn_init(&r.dn);
  mtk_san_list_init(&r.san);
  struct cli_ca ca = {0};
  int err = renew_config_from_opts(o, &cfg, diag);
  if (err == 0) {
    err = cli_ca_open_signer(&ca, cfg.dir, o->v[OPT_CA_PASSWORD], diag);
  }
  if (err == 0) {
    err = prepare(&cfg, &ca.ca, &r, diag);
  }
  if (err == 0) {
    err = renew(&cfg, &ca.ca, &r, time(NULL), diag);
  }
  cli_ca_close(&ca);
  renewal_cleanup(&r);
  return err;
}
