// mtlskit-ca: `mtlskit ca`, a private CA compatible with `openssl ca`.
//
// Every subcommand parses its options into a struct opts, validates them
// into its own config (subjects, SANs, times, key types) and only then
// locks the CA directory and works, so bad input never touches the disk.
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/mem.h>
#include <openssl/x509.h>

#include "mtlskit/ca.h"
#include "mtlskit/cli.h"
#include "mtlskit/file.h"
#include "mtlskit/pem.h"
#include "mtlskit/units.h"
#include "mtlskit/version.h"
#include "mtlskit/x509_crl.h"
#include "mtlskit/x509_csr.h"
#include "mtlskit/x509_time.h"

// ---- options ----------------------------------------------------------------

enum opt_id {
  O_HELP,
  O_SUBJECT,
  O_DAYS,
  O_KEY_TYPE,
  O_INTERMEDIATE,
  O_INTERMEDIATE_SUBJECT,
  O_KEY_PASSWORD,
  O_CA_PASSWORD,
  O_PROFILE,
  O_NOT_BEFORE,
  O_NOT_AFTER,
  O_SAN,
  O_P12,
  O_P12_PASSWORD,
  O_P12_PROFILE,
  O_BATCH,
  O_CSR,
  O_SERIAL,
  O_REASON,
  O_JSON,
  O_TRUSTSTORE,
  O_OUTPUT,
  O_DIGEST,
  O_QUIET,
  O_COUNT
};

static const struct optdef {
  const char *name;
  enum opt_id id;
  int has_arg;
} optdefs[] = {
    {"help", O_HELP, 0},
    {"subject", O_SUBJECT, 1},
    {"days", O_DAYS, 1},
    {"key-type", O_KEY_TYPE, 1},
    {"intermediate", O_INTERMEDIATE, 0},
    {"intermediate-subject", O_INTERMEDIATE_SUBJECT, 1},
    {"key-password", O_KEY_PASSWORD, 1},
    {"ca-password", O_CA_PASSWORD, 1},
    {"profile", O_PROFILE, 1},
    {"not-before", O_NOT_BEFORE, 1},
    {"not-after", O_NOT_AFTER, 1},
    {"san", O_SAN, 1},
    {"p12", O_P12, 1},
    {"p12-password", O_P12_PASSWORD, 1},
    {"p12-profile", O_P12_PROFILE, 1},
    {"batch", O_BATCH, 1},
    {"csr", O_CSR, 1},
    {"serial", O_SERIAL, 1},
    {"reason", O_REASON, 1},
    {"json", O_JSON, 0},
    {"truststore", O_TRUSTSTORE, 1},
    {"output", O_OUTPUT, 1},
    {"digest", O_DIGEST, 1},
    {"quiet", O_QUIET, 0},
};

#define BIT(x) (1ull << (x))
#define MAX_POS 4

struct opts {
  const char *v[O_COUNT];  // the value, or "" for a flag that was given
  const char *sans[MTK_SAN_MAX];
  size_t num_sans;
  const char *pos[MAX_POS];
  size_t num_pos;
};

// parse_opts fills |o| from |argv| accepting the options in |allowed|.
// |where| prefixes errors ("batch.txt line 3"); NULL for the command line.
static int parse_opts(int argc, char **argv, uint64_t allowed,
                      struct opts *o, const char *where,
                      struct mtk_diag *diag) {
  const char *pfx = where != NULL ? where : "";
  const char *sep = where != NULL ? ": " : "";
  bool only_pos = false;
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i];
    if (only_pos || a[0] != '-' || a[1] == '\0') {
      if (o->num_pos == MAX_POS) {
        return mtk_diag_set(diag, MTK_EUSAGE, "%s%sunexpected argument '%s'",
                            pfx, sep, a);
      }
      o->pos[o->num_pos++] = a;
      continue;
    }
    if (strcmp(a, "--") == 0) {
      only_pos = true;
      continue;
    }
    if (strcmp(a, "-h") == 0) {
      a = "--help";
    }
    if (a[1] != '-') {
      return mtk_diag_set(diag, MTK_EUSAGE, "%s%sunknown option '%s'", pfx,
                          sep, a);
    }
    const char *name = a + 2;
    const char *eq = strchr(name, '=');
    size_t name_len = eq != NULL ? (size_t)(eq - name) : strlen(name);
    const struct optdef *d = NULL;
    for (size_t k = 0; k < sizeof(optdefs) / sizeof(optdefs[0]); k++) {
      if (strlen(optdefs[k].name) == name_len &&
          strncmp(optdefs[k].name, name, name_len) == 0 &&
          (allowed & BIT(optdefs[k].id))) {
        d = &optdefs[k];
        break;
      }
    }
    if (d == NULL) {
      return mtk_diag_set(diag, MTK_EUSAGE, "%s%sunknown option '%.*s'", pfx,
                          sep, (int)name_len + 2, a);
    }
    const char *val = "";
    if (d->has_arg) {
      if (eq != NULL) {
        val = eq + 1;
      } else if (i + 1 < argc) {
        val = argv[++i];
      } else {
        return mtk_diag_set(diag, MTK_EUSAGE, "%s%soption --%s needs a value",
                            pfx, sep, d->name);
      }
    } else if (eq != NULL) {
      return mtk_diag_set(diag, MTK_EUSAGE,
                          "%s%soption --%s takes no value", pfx, sep,
                          d->name);
    }
    if (d->id == O_SAN) {
      if (o->num_sans == MTK_SAN_MAX) {
        return mtk_diag_set(diag, MTK_EUSAGE, "%s%stoo many --san options",
                            pfx, sep);
      }
      o->sans[o->num_sans++] = val;
      continue;
    }
    if (o->v[d->id] != NULL) {
      return mtk_diag_set(diag, MTK_EUSAGE, "%s%soption --%s given twice",
                          pfx, sep, d->name);
    }
    o->v[d->id] = val;
  }
  return 0;
}

static int read_password(const char *source, const char *what, bool confirm,
                         struct mtk_secret *out, struct mtk_diag *diag) {
  char prompt[128];
  snprintf(prompt, sizeof(prompt), "%s: ", what);
  int err = mtk_secret_read(out, source, prompt, confirm, diag);
  if (err != 0) {
    return err;
  }
  if (out->from_argv) {
    mtk_cli_warn("%s given with pass: shows in ps(1) and shell history; "
                 "use env:VAR or file:PATH",
                 what);
  }
  return 0;
}

// ---- help -------------------------------------------------------------------

static const char usage_main[] =
    "usage: mtlskit ca COMMAND [OPTIONS]\n"
    "\n"
    "Operate a private CA in a directory `openssl ca -config DIR/openssl.cnf`\n"
    "also understands (index.txt, serial, crlnumber, certs/ crl/ newcerts/\n"
    "private/ csr/).\n"
    "\n"
    "Commands:\n"
    "  init DIR          create a root CA (and --intermediate)\n"
    "  issue DIR NAME    issue a key and certificate (or --batch FILE)\n"
    "  sign DIR --csr F  sign a certificate request\n"
    "  revoke DIR NAME   revoke by name (or --serial HEX)\n"
    "  crl DIR           write a new CRL\n"
    "  list DIR          show the database (--json)\n"
    "  export DIR        --truststore FILE, or NAME --p12 FILE\n"
    "\n"
    "'mtlskit ca COMMAND --help' describes a command; docs/ca.md has it all.\n"
    "Exit status: 0 ok, 2 usage or bad input, 3 runtime error (missing or\n"
    "corrupt CA directory, wrong passphrase, unwritable path), 4 internal.\n";

static const char usage_init[] =
    "usage: mtlskit ca init DIR [--subject DN] [--days N] [--key-type T]\n"
    "                        [--intermediate [--intermediate-subject DN]]\n"
    "                        [--key-password SRC] [--digest D]\n"
    "\n"
    "Create a root CA in DIR (new or empty): openssl.cnf, index.txt,\n"
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
    "                        prompt, or pass:TEXT (warns)\n"
    "  --digest D            sha256 (default), sha384, sha512\n";

static const char usage_issue[] =
    "usage: mtlskit ca issue DIR NAME --subject DN [OPTIONS]\n"
    "       mtlskit ca issue DIR --batch FILE [OPTIONS]\n"
    "\n"
    "Issue a new key and certificate: private/NAME.key.pem (0600),\n"
    "csr/NAME.csr.pem, certs/NAME.cert.pem, newcerts/SERIAL.pem and an\n"
    "index.txt line. Serials are random (16 octets, positive).\n"
    "\n"
    "  --subject DN          /C=JP/ST=Osaka/O=example/OU=x/CN=user\n"
    "  --profile P           client (default: EKU clientAuth) or server\n"
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

static const char usage_sign[] =
    "usage: mtlskit ca sign DIR --csr FILE [NAME] [OPTIONS]\n"
    "\n"
    "Sign a PKCS#10 request (PEM or DER) whose key never leaves its device.\n"
    "The subject and SANs come from the request unless --subject or --san\n"
    "are given. With NAME the request and certificate are kept as\n"
    "csr/NAME.csr.pem and certs/NAME.cert.pem; always newcerts/SERIAL.pem.\n"
    "The certificate is printed as PEM unless NAME or --output is given.\n"
    "\n"
    "  --csr FILE            the request\n"
    "  --subject DN          replace the requested subject\n"
    "  --san LIST            replace the requested SANs (repeatable)\n"
    "  --profile P           client (default) or server\n"
    "  --days N | --not-before T --not-after T   validity\n"
    "  --digest D            sha256 sha384 sha512\n"
    "  --output FILE         also write the certificate here\n"
    "  --ca-password SRC     passphrase of an encrypted CA key\n";

static const char usage_revoke[] =
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

static const char usage_crl[] =
    "usage: mtlskit ca crl DIR [--days N] [--output FILE]\n"
    "\n"
    "Write a v2 CRL of every revoked certificate to crl/ca.crl.pem (the\n"
    "`crl` of openssl.cnf), numbered from crlnumber, which is then\n"
    "incremented.\n"
    "\n"
    "  --days N              nextUpdate in N days (default: default_crl_days,\n"
    "                        30)\n"
    "  --output FILE         write the CRL here instead\n"
    "  --ca-password SRC     passphrase of an encrypted CA key\n";

static const char usage_list[] =
    "usage: mtlskit ca list DIR [--json]\n"
    "\n"
    "Show every certificate of index.txt: status (valid, revoked, expired),\n"
    "serial, validity, revocation, NAME and subject.\n"
    "\n"
    "  --json                one JSON document (schema_version 1)\n";

static const char usage_export[] =
    "usage: mtlskit ca export DIR --truststore FILE\n"
    "       mtlskit ca export DIR NAME --p12 FILE [--p12-password SRC]\n"
    "                                             [--p12-profile P]\n"
    "\n"
    "  --truststore FILE     the bundle a trust store wants: the\n"
    "                        intermediate (DIR/intermediate) first, then the\n"
    "                        root\n"
    "  --p12 FILE            NAME's key, certificate and chain as PKCS#12\n"
    "  --p12-password SRC    env:VAR, file:PATH, prompt (default), pass:TEXT\n"
    "  --p12-profile P       compat (default) or modern\n";

// ---- shared validation ----------------------------------------------------

struct validity {
  long days;           // -1: use the CA's default_days
  bool explicit_times;
  time_t not_before, not_after;
};

static int parse_validity(const struct opts *o, time_t now,
                          struct validity *out, struct mtk_diag *diag) {
  out->days = -1;
  out->explicit_times = false;
  if (o->v[O_DAYS] != NULL) {
    uint64_t d;
    if (mtk_parse_uint(o->v[O_DAYS], 36500, &d) != 0 || d == 0) {
      return mtk_diag_set(diag, MTK_EUSAGE,
                          "--days must be a whole number of days, 1 to "
                          "36500 (got '%s')",
                          o->v[O_DAYS]);
    }
    out->days = (long)d;
  }
  if (o->v[O_NOT_BEFORE] != NULL || o->v[O_NOT_AFTER] != NULL) {
    if (o->v[O_DAYS] != NULL && o->v[O_NOT_AFTER] != NULL) {
      return mtk_diag_set(diag, MTK_EUSAGE,
                          "--days and --not-after exclude each other");
    }
    out->explicit_times = true;
    out->not_before = now;
    if (o->v[O_NOT_BEFORE] != NULL &&
        mtk_parse_time(o->v[O_NOT_BEFORE], now, &out->not_before) != 0) {
      return mtk_diag_set(diag, MTK_EUSAGE,
                          "--not-before '%s': expected "
                          "YYYY-MM-DDTHH:MM:SSZ, @UNIX, now, now+N[smhd]",
                          o->v[O_NOT_BEFORE]);
    }
    if (o->v[O_NOT_AFTER] != NULL) {
      if (mtk_parse_time(o->v[O_NOT_AFTER], now, &out->not_after) != 0) {
        return mtk_diag_set(diag, MTK_EUSAGE,
                            "--not-after '%s': expected "
                            "YYYY-MM-DDTHH:MM:SSZ, @UNIX, now, now+N[smhd]",
                            o->v[O_NOT_AFTER]);
      }
    } else {
      out->not_after =
          out->not_before + (time_t)(out->days > 0 ? out->days : 365) * 86400;
    }
    if (out->not_after <= out->not_before) {
      return mtk_diag_set(diag, MTK_EUSAGE,
                          "--not-after must be later than --not-before");
    }
    char buf[24];
    if (mtk_time_format(buf, sizeof(buf), out->not_after, MTK_TIME_AUTO) !=
            0 ||
        mtk_time_format(buf, sizeof(buf), out->not_before, MTK_TIME_AUTO) !=
            0) {
      return mtk_diag_set(diag, MTK_EUSAGE, "validity outside years 0-9999");
    }
  }
  return 0;
}

static void validity_apply(const struct validity *v, const struct mtk_ca *ca,
                           time_t now, time_t *nb, time_t *na) {
  if (v->explicit_times) {
    *nb = v->not_before;
    *na = v->not_after;
    return;
  }
  *nb = now;
  *na = now + (time_t)(v->days > 0 ? v->days : ca->conf.default_days) * 86400;
}

static int parse_key_type(const char *s, enum mtk_key_type dflt,
                          enum mtk_key_type *out, struct mtk_diag *diag) {
  if (s == NULL) {
    *out = dflt;
    return 0;
  }
  if (mtk_key_type_from_name(s, 0, out) != 0) {
    return mtk_diag_set(diag, MTK_EUSAGE,
                        "--key-type '%s': use rsa2048, rsa3072, rsa4096, "
                        "p256, p384 or ed25519",
                        s);
  }
  return 0;
}

static int parse_digest(const char *s, enum mtk_digest *out,
                        struct mtk_diag *diag) {
  *out = MTK_DIGEST_DEFAULT;
  if (s == NULL) {
    return 0;
  }
  if (mtk_digest_from_name(s, out) != 0 || *out == MTK_DIGEST_SHA1) {
    return mtk_diag_set(diag, MTK_EUSAGE,
                        "--digest '%s': use sha256, sha384 or sha512", s);
  }
  return 0;
}

static int parse_sans(const struct opts *o, struct mtk_san_list *out,
                      struct mtk_diag *diag) {
  for (size_t i = 0; i < o->num_sans; i++) {
    int err = mtk_san_parse(o->sans[i], out, diag);
    if (err != 0) {
      return err == MTK_EPARSE ? err : mtk_diag_set(diag, err, "bad --san");
    }
  }
  return 0;
}

static const char *rel(const struct mtk_ca *ca, const char *path) {
  size_t n = strlen(ca->conf.dir);
  if (strncmp(path, ca->conf.dir, n) == 0 && path[n] == '/') {
    return path + n + 1;
  }
  return path;
}

static int fail(int err, struct mtk_diag *diag) {
  return mtk_cli_fail(err, diag);
}

static void iso(time_t t, char out[32]) {
  if (mtk_format_time(out, 32, t) != 0) {
    snprintf(out, 32, "?");
  }
}

// ---- init -------------------------------------------------------------------

static int cmd_init(int argc, char **argv) {
  struct opts o = {0};
  struct mtk_diag diag;
  mtk_diag_init(&diag);
  uint64_t allowed = BIT(O_HELP) | BIT(O_SUBJECT) | BIT(O_DAYS) |
                     BIT(O_KEY_TYPE) | BIT(O_INTERMEDIATE) |
                     BIT(O_INTERMEDIATE_SUBJECT) | BIT(O_KEY_PASSWORD) |
                     BIT(O_DIGEST) | BIT(O_QUIET);
  int err = parse_opts(argc, argv, allowed, &o, NULL, &diag);
  if (err != 0) {
    return mtk_cli_usage_error("%s", diag.msg);
  }
  if (o.v[O_HELP] != NULL) {
    fputs(usage_init, stdout);
    return 0;
  }
  mtk_cli_set_quiet(o.v[O_QUIET] != NULL);
  if (o.num_pos != 1) {
    return mtk_cli_usage_error("init takes one directory");
  }
  struct mtk_dn dn, int_dn;
  mtk_dn_init(&dn);
  mtk_dn_init(&int_dn);
  struct mtk_secret pw = {0};
  struct mtk_ca_init_params p;
  memset(&p, 0, sizeof(p));
  p.days = 3650;
  if (o.v[O_DAYS] != NULL) {
    uint64_t d;
    if (mtk_parse_uint(o.v[O_DAYS], 36500, &d) != 0 || d == 0) {
      err = mtk_diag_set(&diag, MTK_EUSAGE,
                         "--days must be 1 to 36500 (got '%s')",
                         o.v[O_DAYS]);
      goto out;
    }
    p.days = (long)d;
  }
  if ((err = mtk_dn_parse(o.v[O_SUBJECT] != NULL
                              ? o.v[O_SUBJECT]
                              : "/O=mtlskit/CN=mtlskit Root CA",
                          &dn, &diag)) != 0 ||
      (err = parse_key_type(o.v[O_KEY_TYPE], MTK_KEY_P256, &p.key_type,
                            &diag)) != 0 ||
      (err = parse_digest(o.v[O_DIGEST], &p.digest, &diag)) != 0) {
    goto out;
  }
  if (o.v[O_INTERMEDIATE_SUBJECT] != NULL) {
    if (o.v[O_INTERMEDIATE] == NULL) {
      err = mtk_diag_set(&diag, MTK_EUSAGE,
                         "--intermediate-subject needs --intermediate");
      goto out;
    }
    if ((err = mtk_dn_parse(o.v[O_INTERMEDIATE_SUBJECT], &int_dn, &diag)) !=
        0) {
      goto out;
    }
    p.intermediate_subject = &int_dn;
  }
  if (o.v[O_KEY_PASSWORD] != NULL) {
    if ((err = read_password(o.v[O_KEY_PASSWORD], "CA key passphrase", true,
                             &pw, &diag)) != 0) {
      goto out;
    }
    p.key_password = &pw;
  }
  p.subject = &dn;
  p.intermediate = o.v[O_INTERMEDIATE] != NULL;
  if ((err = mtk_ca_init(o.pos[0], &p, time(NULL), &diag)) != 0) {
    goto out;
  }
  printf("created root CA %s (%s, %ld days) in %s\n", o.pos[0],
         mtk_key_type_name(p.key_type), p.days, o.pos[0]);
  if (p.intermediate) {
    printf("created intermediate CA in %s/intermediate\n", o.pos[0]);
  }
out:
  mtk_dn_cleanup(&dn);
  mtk_dn_cleanup(&int_dn);
  mtk_secret_free(&pw);
  return err != 0 ? fail(err, &diag) : 0;
}

// ---- issue ------------------------------------------------------------------

#define ISSUE_OPTS                                                          \
  (BIT(O_SUBJECT) | BIT(O_PROFILE) | BIT(O_DAYS) | BIT(O_NOT_BEFORE) |      \
   BIT(O_NOT_AFTER) | BIT(O_SAN) | BIT(O_KEY_TYPE) | BIT(O_P12) |           \
   BIT(O_P12_PROFILE) | BIT(O_DIGEST))

struct issue_item {
  char *name;
  struct mtk_dn dn;
  struct mtk_san_list san;
  enum mtk_cert_profile profile;
  struct validity validity;
  enum mtk_key_type key_type;
  enum mtk_digest digest;
  char *p12;
  enum mtk_p12_profile p12_profile;
  bool wants_p12;
  size_t lineno;  // in the batch file
};

static void item_free(struct issue_item *it) {
  free(it->name);
  free(it->p12);
  mtk_dn_cleanup(&it->dn);
  mtk_san_list_cleanup(&it->san);
}

// item_from_opts validates one identity: the command line's options |base|
// overridden by |o| (a batch line), or |o| alone.
static int item_from_opts(const struct opts *base, const struct opts *o,
                          time_t now, struct issue_item *it,
                          const char *where, struct mtk_diag *diag) {
  struct opts m = *base;
  for (int i = 0; i < O_COUNT; i++) {
    if (o->v[i] != NULL) {
      m.v[i] = o->v[i];
    }
  }
  if (o->num_sans > 0) {
    memcpy(m.sans, o->sans, o->num_sans * sizeof(o->sans[0]));
    m.num_sans = o->num_sans;
  }
  if (o->v[O_DAYS] != NULL && o->v[O_NOT_AFTER] == NULL) {
    m.v[O_NOT_AFTER] = NULL;
    m.v[O_NOT_BEFORE] = o->v[O_NOT_BEFORE];
  }
  mtk_dn_init(&it->dn);
  mtk_san_list_init(&it->san);
  int err = 0;
  if (o->num_pos != 1) {
    err = mtk_diag_set(diag, MTK_EUSAGE, "expected exactly one NAME");
  } else if (m.v[O_SUBJECT] == NULL) {
    err = mtk_diag_set(diag, MTK_EUSAGE, "--subject is required");
  } else if ((err = mtk_ca_check_name(o->pos[0], diag)) == 0 &&
             (err = mtk_dn_parse(m.v[O_SUBJECT], &it->dn, diag)) == 0 &&
             (err = parse_sans(&m, &it->san, diag)) == 0 &&
             (err = parse_validity(&m, now, &it->validity, diag)) == 0 &&
             (err = parse_key_type(m.v[O_KEY_TYPE], MTK_KEY_P256,
                                   &it->key_type, diag)) == 0 &&
             (err = parse_digest(m.v[O_DIGEST], &it->digest, diag)) == 0) {
    it->profile = MTK_PROFILE_CLIENT;
    if (m.v[O_PROFILE] != NULL &&
        (mtk_cert_profile_from_name(m.v[O_PROFILE], &it->profile) != 0 ||
         it->profile == MTK_PROFILE_CA)) {
      err = mtk_diag_set(diag, MTK_EUSAGE,
                         "--profile '%s': use client or server",
                         m.v[O_PROFILE]);
    }
    it->p12_profile = MTK_P12_COMPAT;
    if (err == 0 && m.v[O_P12_PROFILE] != NULL &&
        mtk_p12_profile_from_name(m.v[O_P12_PROFILE], &it->p12_profile) !=
            0) {
      err = mtk_diag_set(diag, MTK_EUSAGE,
                         "--p12-profile '%s': use compat or modern",
                         m.v[O_P12_PROFILE]);
    }
    if (err == 0) {
      it->name = strdup(o->pos[0]);
      it->wants_p12 = o->v[O_P12] != NULL;
      it->p12 = it->wants_p12 ? strdup(o->v[O_P12]) : NULL;
      if (it->name == NULL || (it->wants_p12 && it->p12 == NULL)) {
        err = MTK_ENOMEM;
      }
    }
  }
  if (err != 0 && where != NULL) {
    mtk_diag_prefix(diag, err, "%s", where);
  }
  return err;
}

// split_words splits |line| in place into sh-like words: whitespace
// separates, '...' is literal, "..." allows \" and \\, a backslash outside
// quotes escapes the next character, '#' at a word start ends the line.
static int split_words(char *line, char **words, int max, int *out_num) {
  int n = 0;
  char *r = line, *w = line;
  for (;;) {
    while (*r == ' ' || *r == '\t' || *r == '\r') {
      r++;
    }
    if (*r == '\0' || *r == '#') {
      break;
    }
    if (n == max) {
      return MTK_ERANGE;
    }
    words[n++] = w;
    while (*r != '\0' && *r != ' ' && *r != '\t' && *r != '\r') {
      if (*r == '\'') {
        r++;
        while (*r != '\0' && *r != '\'') {
          *w++ = *r++;
        }
        if (*r != '\'') {
          return MTK_EPARSE;
        }
        r++;
      } else if (*r == '"') {
        r++;
        while (*r != '\0' && *r != '"') {
          if (*r == '\\' && (r[1] == '"' || r[1] == '\\')) {
            r++;
          }
          *w++ = *r++;
        }
        if (*r != '"') {
          return MTK_EPARSE;
        }
        r++;
      } else if (*r == '\\' && r[1] != '\0') {
        r++;
        *w++ = *r++;
      } else {
        *w++ = *r++;
      }
    }
    bool end = *r == '\0';
    *w++ = '\0';
    if (end) {
      break;
    }
    r++;
  }
  *out_num = n;
  return 0;
}

static int cmp_item_name(const void *a, const void *b) {
  const struct issue_item *x = *(const struct issue_item *const *)a;
  const struct issue_item *y = *(const struct issue_item *const *)b;
  int c = strcmp(x->name, y->name);
  return c != 0 ? c : (x->lineno > y->lineno) - (x->lineno < y->lineno);
}

// check_unique_names refuses a batch that names one identity twice
// (sorting, so a fleet of 10,000 is checked in n log n).
static int check_unique_names(struct issue_item *items, size_t num,
                              const char *path, struct mtk_diag *diag) {
  struct issue_item **sorted = calloc(num, sizeof(*sorted));
  if (sorted == NULL) {
    return MTK_ENOMEM;
  }
  for (size_t i = 0; i < num; i++) {
    sorted[i] = &items[i];
  }
  qsort(sorted, num, sizeof(*sorted), cmp_item_name);
  int err = 0;
  for (size_t i = 1; i < num && err == 0; i++) {
    if (strcmp(sorted[i - 1]->name, sorted[i]->name) == 0) {
      err = mtk_diag_set(diag, MTK_EDUPLICATE,
                         "%.200s line %zu: name '%s' appears twice in the "
                         "batch",
                         path, sorted[i]->lineno, sorted[i]->name);
    }
  }
  free(sorted);
  return err;
}

static int load_batch(const char *path, const struct opts *base, time_t now,
                      struct issue_item **out, size_t *out_num,
                      struct mtk_diag *diag) {
  char *text = NULL;
  size_t len = 0;
  int err = mtk_file_read(path, 256u << 20, &text, &len, diag);
  if (err != 0) {
    return err;
  }
  size_t cap = 64, num = 0;
  struct issue_item *items = calloc(cap, sizeof(*items));
  if (items == NULL) {
    free(text);
    return MTK_ENOMEM;
  }
  size_t lineno = 0;
  for (char *line = text; line != NULL && *line != '\0';) {
    char *nl = strchr(line, '\n');
    if (nl != NULL) {
      *nl = '\0';
    }
    lineno++;
    char where[300];
    snprintf(where, sizeof(where), "%.200s line %zu", path, lineno);
    char *words[64];
    int nw = 0;
    err = split_words(line, words, 64, &nw);
    if (err != 0) {
      err = mtk_diag_set(diag, MTK_EUSAGE, "%s: unbalanced quotes or too "
                         "many words", where);
      break;
    }
    if (nw > 0) {
      struct opts o = {0};
      if ((err = parse_opts(nw, words, ISSUE_OPTS, &o, where, diag)) != 0) {
        break;
      }
      if (num == cap) {
        cap *= 2;
        struct issue_item *grown = realloc(items, cap * sizeof(*items));
        if (grown == NULL) {
          err = MTK_ENOMEM;
          break;
        }
        items = grown;
      }
      memset(&items[num], 0, sizeof(items[num]));
      if ((err = item_from_opts(base, &o, now, &items[num], where, diag)) !=
          0) {
        item_free(&items[num]);
        break;
      }
      items[num].lineno = lineno;
      num++;
    }
    line = nl != NULL ? nl + 1 : NULL;
  }
  free(text);
  if (err == 0 && num == 0) {
    err = mtk_diag_set(diag, MTK_EUSAGE, "%s has no identities", path);
  }
  if (err == 0) {
    err = check_unique_names(items, num, path, diag);
  }
  if (err != 0) {
    for (size_t k = 0; k < num; k++) {
      item_free(&items[k]);
    }
    free(items);
    return err;
  }
  *out = items;
  *out_num = num;
  return 0;
}

static int cmd_issue(int argc, char **argv) {
  struct opts o = {0};
  struct mtk_diag diag;
  mtk_diag_init(&diag);
  uint64_t allowed = ISSUE_OPTS | BIT(O_HELP) | BIT(O_BATCH) |
                     BIT(O_P12_PASSWORD) | BIT(O_CA_PASSWORD) | BIT(O_QUIET);
  int err = parse_opts(argc, argv, allowed, &o, NULL, &diag);
  if (err != 0) {
    return mtk_cli_usage_error("%s", diag.msg);
  }
  if (o.v[O_HELP] != NULL) {
    fputs(usage_issue, stdout);
    return 0;
  }
  mtk_cli_set_quiet(o.v[O_QUIET] != NULL);
  time_t now = time(NULL);
  struct issue_item *items = NULL;
  size_t num_items = 0;
  struct mtk_secret p12pw = {0}, capw = {0};
  struct mtk_ca ca;
  memset(&ca, 0, sizeof(ca));
  ca.lock_fd = -1;
  bool opened = false;
  if (o.num_pos < 1) {
    return mtk_cli_usage_error("issue needs DIR and NAME (or --batch FILE)");
  }
  const char *dir = o.pos[0];
  if (o.v[O_BATCH] != NULL) {
    if (o.num_pos != 1) {
      return mtk_cli_usage_error("--batch takes no NAME");
    }
    if (o.v[O_P12] != NULL) {
      return mtk_cli_usage_error("--p12 goes on each batch line");
    }
    struct opts base = o;
    base.num_pos = 0;
    if ((err = load_batch(o.v[O_BATCH], &base, now, &items, &num_items,
                          &diag)) != 0) {
      goto out;
    }
  } else {
    if (o.num_pos != 2) {
      return mtk_cli_usage_error("issue needs DIR and NAME (or --batch FILE)");
    }
    struct opts one = o;
    one.pos[0] = o.pos[1];
    one.num_pos = 1;
    items = calloc(1, sizeof(*items));
    if (items == NULL) {
      err = MTK_ENOMEM;
      goto out;
    }
    num_items = 1;
    struct opts none = {0};
    if ((err = item_from_opts(&none, &one, now, &items[0], NULL, &diag)) !=
        0) {
      goto out;
    }
  }
  bool any_p12 = false;
  for (size_t i = 0; i < num_items; i++) {
    any_p12 = any_p12 || items[i].wants_p12;
  }
  if (any_p12 &&
      (err = read_password(o.v[O_P12_PASSWORD] != NULL ? o.v[O_P12_PASSWORD]
                                                        : "prompt",
                           "PKCS#12 password", true, &p12pw, &diag)) != 0) {
    goto out;
  }
  if (o.v[O_CA_PASSWORD] != NULL &&
      (err = read_password(o.v[O_CA_PASSWORD], "CA key passphrase", false,
                           &capw, &diag)) != 0) {
    goto out;
  }
  opened = true;
  if ((err = mtk_ca_open(&ca, dir, MTK_CA_OPEN_LOCK | MTK_CA_OPEN_KEY,
                         o.v[O_CA_PASSWORD] != NULL ? &capw : NULL, &diag)) !=
      0) {
    goto out;
  }
  // Issue everything, commit once: a failure on any item leaves nothing.
  struct mtk_ca_issue_req *reqs = calloc(num_items, sizeof(*reqs));
  struct mtk_ca_issued *outs = calloc(num_items, sizeof(*outs));
  if (reqs == NULL || outs == NULL) {
    free(reqs);
    free(outs);
    err = MTK_ENOMEM;
    goto out;
  }
  for (size_t i = 0; i < num_items; i++) {
    struct issue_item *it = &items[i];
    struct mtk_ca_issue_req *req = &reqs[i];
    req->name = it->name;
    req->subject = &it->dn;
    req->san = &it->san;
    req->profile = it->profile;
    validity_apply(&it->validity, &ca, now, &req->not_before,
                   &req->not_after);
    req->key_type = it->key_type;
    req->digest = it->digest;
    req->p12_path = it->p12;
    req->p12_password = &p12pw;
    req->p12_profile = it->p12_profile;
  }
  // Large batches use every core: key generation, signing and file
  // creation run in parallel; the index is still written once, in order.
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  unsigned threads = num_items >= 32 && cpus > 1 ? (unsigned)cpus : 1;
  size_t failed = 0;
  err = mtk_ca_issue_batch(&ca, reqs, num_items, outs, threads, &failed,
                           &diag);
  if (err != 0 && o.v[O_BATCH] != NULL) {
    mtk_diag_prefix(&diag, err, "%s (identity %zu, '%s')", o.v[O_BATCH],
                    failed + 1, items[failed].name);
  }
  if (err == 0) {
    err = mtk_ca_commit(&ca, &diag);
  }
  if (err == 0) {
    for (size_t i = 0; i < num_items; i++) {
      char na[32];
      iso(reqs[i].not_after, na);
      printf("issued %s serial %s not after %s%s%s\n", items[i].name,
             outs[i].serial, na, items[i].p12 != NULL ? " p12 " : "",
             items[i].p12 != NULL ? items[i].p12 : "");
    }
  }
  for (size_t i = 0; i < num_items; i++) {
    X509_free(outs[i].cert);
  }
  free(reqs);
  free(outs);
out:
  if (opened) {
    mtk_ca_close(&ca);
  }
  for (size_t i = 0; i < num_items; i++) {
    item_free(&items[i]);
  }
  free(items);
  mtk_secret_free(&p12pw);
  mtk_secret_free(&capw);
  return err != 0 ? fail(err, &diag) : 0;
}

// ---- sign -------------------------------------------------------------------

static int cmd_sign(int argc, char **argv) {
  struct opts o = {0};
  struct mtk_diag diag;
  mtk_diag_init(&diag);
  uint64_t allowed = BIT(O_HELP) | BIT(O_CSR) | BIT(O_SUBJECT) | BIT(O_SAN) |
                     BIT(O_PROFILE) | BIT(O_DAYS) | BIT(O_NOT_BEFORE) |
                     BIT(O_NOT_AFTER) | BIT(O_DIGEST) | BIT(O_OUTPUT) |
                     BIT(O_CA_PASSWORD) | BIT(O_QUIET);
  int err = parse_opts(argc, argv, allowed, &o, NULL, &diag);
  if (err != 0) {
    return mtk_cli_usage_error("%s", diag.msg);
  }
  if (o.v[O_HELP] != NULL) {
    fputs(usage_sign, stdout);
    return 0;
  }
  mtk_cli_set_quiet(o.v[O_QUIET] != NULL);
  if (o.num_pos < 1 || o.num_pos > 2 || o.v[O_CSR] == NULL) {
    return mtk_cli_usage_error("sign needs DIR, --csr FILE and maybe NAME");
  }
  time_t now = time(NULL);
  const char *name = o.num_pos == 2 ? o.pos[1] : NULL;
  struct mtk_csr csr;
  memset(&csr, 0, sizeof(csr));
  struct mtk_dn dn;
  mtk_dn_init(&dn);
  struct mtk_san_list san;
  mtk_san_list_init(&san);
  struct validity v;
  enum mtk_cert_profile profile = MTK_PROFILE_CLIENT;
  enum mtk_digest digest;
  struct mtk_secret capw = {0};
  char *csr_data = NULL, *pem = NULL;
  size_t csr_len = 0, pem_len = 0;
  struct mtk_ca ca;
  memset(&ca, 0, sizeof(ca));
  ca.lock_fd = -1;
  bool opened = false;
  struct mtk_ca_issued issued = {0};
  if ((name != NULL && (err = mtk_ca_check_name(name, &diag)) != 0) ||
      (err = parse_validity(&o, now, &v, &diag)) != 0 ||
      (err = parse_digest(o.v[O_DIGEST], &digest, &diag)) != 0) {
    goto out;
  }
  if (o.v[O_PROFILE] != NULL &&
      (mtk_cert_profile_from_name(o.v[O_PROFILE], &profile) != 0 ||
       profile == MTK_PROFILE_CA)) {
    err = mtk_diag_set(&diag, MTK_EUSAGE,
                       "--profile '%s': use client or server",
                       o.v[O_PROFILE]);
    goto out;
  }
  if ((err = mtk_file_read(o.v[O_CSR], 1u << 20, &csr_data, &csr_len,
                           &diag)) != 0) {
    goto out;
  }
  if ((err = mtk_csr_parse((const uint8_t *)csr_data, csr_len, &csr,
                           &diag)) != 0) {
    mtk_diag_prefix(&diag, err, "%s", o.v[O_CSR]);
    if (err == MTK_ECRYPTO) {
      err = MTK_EPARSE;  // a bad request is bad input
    }
    goto out;
  }
  if (o.v[O_SUBJECT] != NULL) {
    err = mtk_dn_parse(o.v[O_SUBJECT], &dn, &diag);
  } else {
    err = mtk_dn_from_x509_name(X509_REQ_get_subject_name(csr.req), &dn);
    if (err == 0 && dn.num_attrs == 0) {
      err = mtk_diag_set(&diag, MTK_EPARSE,
                         "%s has an empty subject; give --subject",
                         o.v[O_CSR]);
    }
  }
  if (err != 0) {
    goto out;
  }
  if (o.num_sans > 0) {
    err = parse_sans(&o, &san, &diag);
  } else {
    for (size_t i = 0; i < csr.san.num && err == 0; i++) {
      err = mtk_san_add(&san, csr.san.entries[i].type,
                        csr.san.entries[i].value,
                        csr.san.entries[i].value_len);
    }
  }
  if (err != 0) {
    goto out;
  }
  if (o.v[O_CA_PASSWORD] != NULL &&
      (err = read_password(o.v[O_CA_PASSWORD], "CA key passphrase", false,
                           &capw, &diag)) != 0) {
    goto out;
  }
  opened = true;
  if ((err = mtk_ca_open(&ca, o.pos[0], MTK_CA_OPEN_LOCK | MTK_CA_OPEN_KEY,
                         o.v[O_CA_PASSWORD] != NULL ? &capw : NULL, &diag)) !=
      0) {
    goto out;
  }
  struct mtk_ca_issue_req req;
  memset(&req, 0, sizeof(req));
  req.name = name;
  req.subject = &dn;
  req.san = &san;
  req.profile = profile;
  validity_apply(&v, &ca, now, &req.not_before, &req.not_after);
  req.public_key = csr.public_key;
  req.csr = (const uint8_t *)csr_data;
  req.csr_len = csr_len;
  req.digest = digest;
  if ((err = mtk_ca_issue(&ca, &req, &issued, &diag)) != 0 ||
      (err = mtk_pem_cert_encode(issued.cert, &pem, &pem_len)) != 0) {
    goto out;
  }
  if (o.v[O_OUTPUT] != NULL) {
    if ((err = mtk_file_create(o.v[O_OUTPUT], pem, pem_len, 0644, false,
                               &diag)) != 0) {
      goto out;
    }
    // Tracked by the CA transaction so a failed commit removes it.
    char *copy = strdup(o.v[O_OUTPUT]);
    if (copy == NULL) {
      unlink(o.v[O_OUTPUT]);
      err = MTK_ENOMEM;
      goto out;
    }
    if (ca.num_created == ca.cap_created) {
      char **grown = realloc(ca.created, (ca.cap_created + 4) *
                                             sizeof(*grown));
      if (grown == NULL) {
        free(copy);
        unlink(o.v[O_OUTPUT]);
        err = MTK_ENOMEM;
        goto out;
      }
      ca.created = grown;
      ca.cap_created += 4;
    }
    ca.created[ca.num_created++] = copy;
  }
  if ((err = mtk_ca_commit(&ca, &diag)) != 0) {
    goto out;
  }
  if (name == NULL && o.v[O_OUTPUT] == NULL) {
    fwrite(pem, 1, pem_len, stdout);
  } else {
    printf("signed %s serial %s\n", name != NULL ? name : o.v[O_OUTPUT],
           issued.serial);
  }
out:
  if (opened) {
    mtk_ca_close(&ca);
  }
  X509_free(issued.cert);
  free(pem);
  free(csr_data);
  mtk_csr_cleanup(&csr);
  mtk_dn_cleanup(&dn);
  mtk_san_list_cleanup(&san);
  mtk_secret_free(&capw);
  return err != 0 ? fail(err, &diag) : 0;
}

// ---- revoke -----------------------------------------------------------------

static int cmd_revoke(int argc, char **argv) {
  struct opts o = {0};
  struct mtk_diag diag;
  mtk_diag_init(&diag);
  uint64_t allowed =
      BIT(O_HELP) | BIT(O_SERIAL) | BIT(O_REASON) | BIT(O_QUIET);
  int err = parse_opts(argc, argv, allowed, &o, NULL, &diag);
  if (err != 0) {
    return mtk_cli_usage_error("%s", diag.msg);
  }
  if (o.v[O_HELP] != NULL) {
    fputs(usage_revoke, stdout);
    return 0;
  }
  mtk_cli_set_quiet(o.v[O_QUIET] != NULL);
  bool by_serial = o.v[O_SERIAL] != NULL;
  if (o.num_pos != (by_serial ? 1u : 2u)) {
    return mtk_cli_usage_error("revoke needs DIR and NAME, or DIR --serial HEX");
  }
  int reason = MTK_REASON_NONE;
  if (o.v[O_REASON] != NULL) {
    static const char *ok[] = {"unspecified",        "keyCompromise",
                               "CACompromise",       "affiliationChanged",
                               "superseded",         "cessationOfOperation"};
    bool found = false;
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
      if (strcasecmp(o.v[O_REASON], ok[i]) == 0) {
        found = mtk_crl_reason_from_name(ok[i], &reason) == 0;
      }
    }
    if (!found) {
      err = mtk_diag_set(&diag, MTK_EUSAGE,
                         "--reason '%s': use unspecified, keyCompromise, "
                         "CACompromise, affiliationChanged, superseded or "
                         "cessationOfOperation",
                         o.v[O_REASON]);
      return fail(err, &diag);
    }
  }
  if (by_serial) {
    uint8_t b[MTK_SERIAL_MAX + 1];
    size_t blen;
    if (mtk_serial_from_hex(o.v[O_SERIAL], b, sizeof(b), &blen) != 0) {
      err = mtk_diag_set(&diag, MTK_EUSAGE, "--serial '%s' is not hex",
                         o.v[O_SERIAL]);
      return fail(err, &diag);
    }
  } else if ((err = mtk_ca_check_name(o.pos[1], &diag)) != 0) {
    return fail(err, &diag);
  }
  struct mtk_ca ca;
  char serial[2 * MTK_SERIAL_MAX + 3] = "";
  if ((err = mtk_ca_open(&ca, o.pos[0], MTK_CA_OPEN_LOCK, NULL, &diag)) ==
          0 &&
      (err = mtk_ca_revoke(&ca, by_serial ? NULL : o.pos[1],
                           by_serial ? o.v[O_SERIAL] : NULL, reason,
                           time(NULL), serial, sizeof(serial), &diag)) ==
          0 &&
      (err = mtk_ca_commit(&ca, &diag)) == 0) {
    const char *rn = mtk_crl_reason_name(reason);
    printf("revoked %s serial %s%s%s\n", by_serial ? "-" : o.pos[1], serial,
           rn != NULL ? " reason " : "", rn != NULL ? rn : "");
    mtk_cli_note("run 'mtlskit ca crl %s' to publish the revocation",
                 o.pos[0]);
  }
  mtk_ca_close(&ca);
  return err != 0 ? fail(err, &diag) : 0;
}

// ---- crl --------------------------------------------------------------------

static int cmd_crl(int argc, char **argv) {
  struct opts o = {0};
  struct mtk_diag diag;
  mtk_diag_init(&diag);
  uint64_t allowed = BIT(O_HELP) | BIT(O_DAYS) | BIT(O_OUTPUT) |
                     BIT(O_CA_PASSWORD) | BIT(O_QUIET);
  int err = parse_opts(argc, argv, allowed, &o, NULL, &diag);
  if (err != 0) {
    return mtk_cli_usage_error("%s", diag.msg);
  }
  if (o.v[O_HELP] != NULL) {
    fputs(usage_crl, stdout);
    return 0;
  }
  mtk_cli_set_quiet(o.v[O_QUIET] != NULL);
  if (o.num_pos != 1) {
    return mtk_cli_usage_error("crl takes one directory");
  }
  long days = -1;
  if (o.v[O_DAYS] != NULL) {
    uint64_t d;
    if (mtk_parse_uint(o.v[O_DAYS], 36500, &d) != 0 || d == 0) {
      err = mtk_diag_set(&diag, MTK_EUSAGE,
                         "--days must be 1 to 36500 (got '%s')",
                         o.v[O_DAYS]);
      return fail(err, &diag);
    }
    days = (long)d;
  }
  struct mtk_secret capw = {0};
  if (o.v[O_CA_PASSWORD] != NULL &&
      (err = read_password(o.v[O_CA_PASSWORD], "CA key passphrase", false,
                           &capw, &diag)) != 0) {
    return fail(err, &diag);
  }
  struct mtk_ca ca;
  char number[2 * MTK_SERIAL_MAX + 3];
  size_t num_revoked = 0;
  time_t now = time(NULL);
  if ((err = mtk_ca_open(&ca, o.pos[0], MTK_CA_OPEN_LOCK | MTK_CA_OPEN_KEY,
                         o.v[O_CA_PASSWORD] != NULL ? &capw : NULL,
                         &diag)) == 0 &&
      (err = mtk_ca_crl(&ca, days, now, o.v[O_OUTPUT], number,
                        sizeof(number), &num_revoked, &diag)) == 0) {
    char next[32];
    iso(now + (time_t)(days >= 0 ? days : ca.conf.default_crl_days) * 86400,
        next);
    if ((days >= 0 ? days : ca.conf.default_crl_days) > 30) {
      mtk_cli_warn("nextUpdate is more than 30 days away; a CRL past its "
                   "nextUpdate locks out every client, so plan to re-issue");
    }
    printf("wrote %s: CRL number %s, %zu revoked, next update %s\n",
           o.v[O_OUTPUT] != NULL ? o.v[O_OUTPUT] : rel(&ca, ca.conf.crl),
           number, num_revoked, next);
  }
  mtk_ca_close(&ca);
  mtk_secret_free(&capw);
  return err != 0 ? fail(err, &diag) : 0;
}

// ---- list -------------------------------------------------------------------

static const char *status_name(const struct mtk_cadb_entry *e, time_t now) {
  if (e->status == 'R') {
    return "revoked";
  }
  time_t na;
  if (e->status == 'E' ||
      (mtk_time_parse(e->expires, strlen(e->expires), &na) == 0 &&
       na < now)) {
    return "expired";
  }
  return "valid";
}

static int cmd_list(int argc, char **argv) {
  struct opts o = {0};
  struct mtk_diag diag;
  mtk_diag_init(&diag);
  int err = parse_opts(argc, argv, BIT(O_HELP) | BIT(O_JSON), &o, NULL, &diag);
  if (err != 0) {
    return mtk_cli_usage_error("%s", diag.msg);
  }
  if (o.v[O_HELP] != NULL) {
    fputs(usage_list, stdout);
    return 0;
  }
  if (o.num_pos != 1) {
    return mtk_cli_usage_error("list takes one directory");
  }
  struct mtk_ca ca;
  char **names = NULL;
  json_t *doc = NULL;
  if ((err = mtk_ca_open(&ca, o.pos[0], 0, NULL, &diag)) != 0 ||
      (err = mtk_ca_names(&ca, &names, &diag)) != 0) {
    goto out;
  }
  time_t now = time(NULL);
  bool json = o.v[O_JSON] != NULL;
  json_t *certs = NULL;
  if (json) {
    char *subject = X509_NAME_oneline(X509_get_subject_name(ca.cert), NULL, 0);
    doc = json_object();
    certs = json_array();
    json_t *cajs = json_object();
    json_object_set_new(doc, "schema_version", json_integer(1));
    json_object_set_new(cajs, "dir", json_string(o.pos[0]));
    json_object_set_new(cajs, "subject", json_string(subject ? subject : ""));
    json_object_set_new(doc, "ca", cajs);
    json_object_set_new(doc, "certificates", certs);
    OPENSSL_free(subject);
  } else {
    printf("%-8s %-34s %-20s %-20s %-20s %s\n", "STATUS", "SERIAL",
           "NOT_AFTER", "REVOKED", "NAME", "SUBJECT");
  }
  for (size_t i = 0; i < ca.index.num_entries; i++) {
    const struct mtk_cadb_entry *e = &ca.index.entries[i];
    time_t na = 0, rt = 0;
    int reason = MTK_REASON_NONE;
    char na_s[32] = "", rt_s[32] = "", nb_s[32] = "";
    if (mtk_time_parse(e->expires, strlen(e->expires), &na) == 0) {
      iso(na, na_s);
    }
    if (e->status == 'R' &&
        mtk_cadb_revoked_parse(e->revoked, &rt, &reason) == 0) {
      iso(rt, rt_s);
    }
    char path[MTK_CADB_PATH_MAX + 96];
    X509 *cert = NULL;
    snprintf(path, sizeof(path), "%s/%s.pem", ca.conf.new_certs_dir,
             e->serial);
    if (json && mtk_file_exists(path) &&
        mtk_pem_read_cert(path, &cert, NULL) == 0) {
      const ASN1_TIME *nb = X509_get0_notBefore(cert);
      time_t t;
      if (mtk_time_parse((const char *)ASN1_STRING_get0_data(nb),
                         (size_t)ASN1_STRING_length(nb), &t) == 0) {
        iso(t, nb_s);
      }
      X509_free(cert);
    }
    const char *rn = mtk_crl_reason_name(reason);
    if (json) {
      json_t *c = json_object();
      json_object_set_new(c, "name",
                          names[i] ? json_string(names[i]) : json_null());
      json_object_set_new(c, "status", json_string(status_name(e, now)));
      json_object_set_new(c, "serial", json_string(e->serial));
      json_object_set_new(c, "subject", json_string(e->subject));
      json_object_set_new(c, "not_before",
                          nb_s[0] ? json_string(nb_s) : json_null());
      json_object_set_new(c, "not_after", json_string(na_s));
      json_object_set_new(c, "revoked_at",
                          rt_s[0] ? json_string(rt_s) : json_null());
      json_object_set_new(c, "reason",
                          rn != NULL ? json_string(rn) : json_null());
      json_array_append_new(certs, c);
    } else {
      printf("%-8s %-34s %-20s %-20s %-20s %s\n", status_name(e, now),
             e->serial, na_s, rt_s[0] ? rt_s : "-",
             names[i] ? names[i] : "-", e->subject);
    }
  }
  if (json) {
    char *text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (text == NULL) {
      err = MTK_ENOMEM;
      goto out;
    }
    printf("%s\n", text);
    free(text);
  }
out:
  json_decref(doc);
  mtk_ca_names_free(names, ca.index.num_entries);
  mtk_ca_close(&ca);
  return err != 0 ? fail(err, &diag) : 0;
}

// ---- export -----------------------------------------------------------------

static int cmd_export(int argc, char **argv) {
  struct opts o = {0};
  struct mtk_diag diag;
  mtk_diag_init(&diag);
  uint64_t allowed = BIT(O_HELP) | BIT(O_TRUSTSTORE) | BIT(O_P12) |
                     BIT(O_P12_PASSWORD) | BIT(O_P12_PROFILE) | BIT(O_QUIET);
  int err = parse_opts(argc, argv, allowed, &o, NULL, &diag);
  if (err != 0) {
    return mtk_cli_usage_error("%s", diag.msg);
  }
  if (o.v[O_HELP] != NULL) {
    fputs(usage_export, stdout);
    return 0;
  }
  mtk_cli_set_quiet(o.v[O_QUIET] != NULL);
  bool trust = o.v[O_TRUSTSTORE] != NULL, p12 = o.v[O_P12] != NULL;
  if (trust == p12 || (trust && o.num_pos != 1) || (p12 && o.num_pos != 2)) {
    return mtk_cli_usage_error(
        "export needs DIR --truststore FILE, or DIR NAME --p12 FILE");
  }
  enum mtk_p12_profile profile = MTK_P12_COMPAT;
  if (o.v[O_P12_PROFILE] != NULL &&
      mtk_p12_profile_from_name(o.v[O_P12_PROFILE], &profile) != 0) {
    err = mtk_diag_set(&diag, MTK_EUSAGE,
                       "--p12-profile '%s': use compat or modern",
                       o.v[O_P12_PROFILE]);
    return fail(err, &diag);
  }
  struct mtk_secret pw = {0};
  struct mtk_ca ca;
  memset(&ca, 0, sizeof(ca));
  ca.lock_fd = -1;
  char *pem = NULL;
  size_t pem_len = 0;
  if (p12 && ((err = mtk_ca_check_name(o.pos[1], &diag)) != 0 ||
              (err = read_password(o.v[O_P12_PASSWORD] != NULL
                                       ? o.v[O_P12_PASSWORD]
                                       : "prompt",
                                   "PKCS#12 password", true, &pw, &diag)) !=
                  0)) {
    goto out;
  }
  if ((err = mtk_ca_open(&ca, o.pos[0], 0, NULL, &diag)) != 0) {
    goto out;
  }
  if (trust) {
    if ((err = mtk_ca_truststore(&ca, &pem, &pem_len, &diag)) != 0 ||
        (err = mtk_file_replace(o.v[O_TRUSTSTORE], pem, pem_len, 0644,
                                &diag)) != 0) {
      goto out;
    }
    printf("wrote %s\n", o.v[O_TRUSTSTORE]);
  } else {
    if ((err = mtk_ca_export_p12(&ca, o.pos[1], o.v[O_P12], &pw, profile,
                                 &diag)) != 0) {
      goto out;
    }
    printf("wrote %s (%s)\n", o.v[O_P12], mtk_p12_profile_name(profile));
  }
out:
  free(pem);
  mtk_ca_close(&ca);
  mtk_secret_free(&pw);
  return err != 0 ? fail(err, &diag) : 0;
}

// ---- main -------------------------------------------------------------------

int main(int argc, char **argv) {
  mtk_cli_init("mtlskit ca");
  if (argc < 2) {
    fputs(usage_main, stderr);
    return MTK_EXIT_USAGE;
  }
  const char *cmd = argv[1];
  if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 ||
      strcmp(cmd, "help") == 0) {
    fputs(usage_main, stdout);
    return 0;
  }
  if (strcmp(cmd, "--version") == 0) {
    const char *libs[] = {"BoringSSL (" OPENSSL_VERSION_TEXT ")", NULL};
    mtk_cli_print_version(stdout, libs);
    return 0;
  }
  static const struct {
    const char *name;
    int (*run)(int, char **);
  } cmds[] = {
      {"init", cmd_init}, {"issue", cmd_issue},   {"sign", cmd_sign},
      {"revoke", cmd_revoke}, {"crl", cmd_crl},   {"list", cmd_list},
      {"export", cmd_export},
  };
  for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
    if (strcmp(cmd, cmds[i].name) == 0) {
      static char name[64];
      snprintf(name, sizeof(name), "mtlskit ca %s", cmds[i].name);
      mtk_cli_init(name);
      return cmds[i].run(argc - 2, argv + 2);
    }
  }
  return mtk_cli_usage_error("'%s' is not a ca command (init, issue, sign, "
                             "revoke, crl, list, export)",
                             cmd);
}
