// Option parsing and validation shared by the `mtlskit ca` subcommands.
#include "cli_common.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "mtlskit/cli.h"
#include "mtlskit/units.h"
#include "mtlskit/x509_crl.h"
#include "mtlskit/x509_time.h"

static const struct optdef {
  const char *name;
  enum cli_opt_id id;
  bool has_arg;
} optdefs[] = {
    {"help", OPT_HELP, false},
    {"subject", OPT_SUBJECT, true},
    {"days", OPT_DAYS, true},
    {"key-type", OPT_KEY_TYPE, true},
    {"intermediate", OPT_INTERMEDIATE, false},
    {"intermediate-subject", OPT_INTERMEDIATE_SUBJECT, true},
    {"key-password", OPT_KEY_PASSWORD, true},
    {"ca-password", OPT_CA_PASSWORD, true},
    {"profile", OPT_PROFILE, true},
    {"not-before", OPT_NOT_BEFORE, true},
    {"not-after", OPT_NOT_AFTER, true},
    {"san", OPT_SAN, true},
    {"p12", OPT_P12, true},
    {"p12-password", OPT_P12_PASSWORD, true},
    {"p12-profile", OPT_P12_PROFILE, true},
    {"batch", OPT_BATCH, true},
    {"csr", OPT_CSR, true},
    {"serial", OPT_SERIAL, true},
    {"reason", OPT_REASON, true},
    {"json", OPT_JSON, false},
    {"truststore", OPT_TRUSTSTORE, true},
    {"output", OPT_OUTPUT, true},
    {"digest", OPT_DIGEST, true},
    {"quiet", OPT_QUIET, false},
    {"drop-unknown-critical", OPT_DROP_UNKNOWN_CRITICAL, false},
    {"allow-empty-password", OPT_ALLOW_EMPTY_PASSWORD, false},
    {"allow-revoked", OPT_ALLOW_REVOKED, false},
    {"repair", OPT_REPAIR, false},
    {"within", OPT_WITHIN, true},
    {"new-key", OPT_NEW_KEY, false},
    {"revoke-old", OPT_REVOKE_OLD, false},
};

static const struct optdef *find_optdef(const char *name, size_t name_len,
                                        uint64_t allowed) {
  for (size_t k = 0; k < sizeof(optdefs) / sizeof(optdefs[0]); k++) {
    if (strlen(optdefs[k].name) == name_len &&
        strncmp(optdefs[k].name, name, name_len) == 0 &&
        (allowed & OPT_BIT(optdefs[k].id))) {
      return &optdefs[k];
    }
  }
  return NULL;
}

int cli_parse_opts(int argc, char **argv, uint64_t allowed, struct cli_opts *o,
                   const char *where, struct mtk_diag *diag) {
  const char *pfx = where != NULL ? where : "";
  const char *sep = where != NULL ? ": " : "";
  bool only_pos = false;
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i];
    if (only_pos || a[0] != '-' || a[1] == '\0') {
      if (o->num_pos == CLI_MAX_POS) {
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
      return mtk_diag_set(diag, MTK_EUSAGE, "%s%sunknown option '%s'", pfx, sep,
                          a);
    }
    const char *name = a + 2;
    const char *eq = strchr(name, '=');
    size_t name_len = eq != NULL ? (size_t)(eq - name) : strlen(name);
    const struct optdef *d = find_optdef(name, name_len, allowed);
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
        return mtk_diag_set(diag, MTK_EUSAGE, "%s%soption '--%s' needs a value",
                            pfx, sep, d->name);
      }
    } else if (eq != NULL) {
      return mtk_diag_set(diag, MTK_EUSAGE, "%s%soption '--%s' takes no value",
                          pfx, sep, d->name);
    }
    if (d->id == OPT_SAN) {
      if (o->num_sans == MTK_SAN_MAX) {
        return mtk_diag_set(diag, MTK_EUSAGE, "%s%stoo many --san options", pfx,
                            sep);
      }
      o->sans[o->num_sans++] = val;
      continue;
    }
    if (o->v[d->id] != NULL) {
      return mtk_diag_set(diag, MTK_EUSAGE, "%s%soption --%s given twice", pfx,
                          sep, d->name);
    }
    o->v[d->id] = val;
  }
  return 0;
}

int cli_parse_days(const char *s, bool whole_days_hint, long *out,
                   struct mtk_diag *diag) {
  if (s == NULL) {
    return 0;
  }
  if (mtk_cadb_days_parse(s, out) != 0) {
    return mtk_diag_set(
        diag, MTK_EUSAGE, "--days %s (got '%s')",
        whole_days_hint ? MTK_CADB_DAYS_RULE : "must be 1 to 36500", s);
  }
  return 0;
}

static int parse_time(const char *option, const char *s, time_t now,
                      time_t *out, struct mtk_diag *diag) {
  if (mtk_parse_time(s, now, out) != 0) {
    return mtk_diag_set(diag, MTK_EUSAGE,
                        "%s '%s': expected YYYY-MM-DDTHH:MM:SSZ, @UNIX, now, "
                        "now+N[smhd]",
                        option, s);
  }
  return 0;
}

int cli_parse_validity(const struct cli_opts *o, time_t now,
                       struct cli_validity *out, struct mtk_diag *diag) {
  out->days = -1;
  out->explicit_times = false;
  int err = cli_parse_days(o->v[OPT_DAYS], true, &out->days, diag);
  if (err != 0 ||
      (o->v[OPT_NOT_BEFORE] == NULL && o->v[OPT_NOT_AFTER] == NULL)) {
    return err;
  }
  if (o->v[OPT_DAYS] != NULL && o->v[OPT_NOT_AFTER] != NULL) {
    return mtk_diag_set(diag, MTK_EUSAGE,
                        "--days and --not-after exclude each other");
  }
  out->explicit_times = true;
  out->not_before = now;
  if (o->v[OPT_NOT_BEFORE] != NULL &&
      (err = parse_time("--not-before", o->v[OPT_NOT_BEFORE], now,
                        &out->not_before, diag)) != 0) {
    return err;
  }
  if (o->v[OPT_NOT_AFTER] != NULL) {
    if ((err = parse_time("--not-after", o->v[OPT_NOT_AFTER], now,
                          &out->not_after, diag)) != 0) {
      return err;
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
  if (mtk_time_format(buf, sizeof(buf), out->not_after, MTK_TIME_AUTO) != 0 ||
      mtk_time_format(buf, sizeof(buf), out->not_before, MTK_TIME_AUTO) != 0) {
    return mtk_diag_set(diag, MTK_EUSAGE, "validity outside years 0-9999");
  }
  return 0;
}

void cli_validity_apply(const struct cli_validity *v, const struct mtk_ca *ca,
                        time_t now, time_t *out_not_before,
                        time_t *out_not_after) {
  if (v->explicit_times) {
    *out_not_before = v->not_before;
    *out_not_after = v->not_after;
    return;
  }
  *out_not_before = now;
  *out_not_after =
      now + (time_t)(v->days > 0 ? v->days : ca->conf.default_days) * 86400;
}

int cli_parse_key_type(const char *s, enum mtk_key_type dflt,
                       enum mtk_key_type *out, struct mtk_diag *diag) {
  if (s == NULL) {
    *out = dflt;
    return 0;
  }
  if (mtk_key_type_from_name(s, 1, out) != 0) {
    return mtk_diag_set(diag, MTK_EUSAGE,
                        "--key-type '%s': use rsa2048, rsa3072, rsa4096, "
                        "p256, p384 or ed25519",
                        s);
  }
  // A known but refused type gets the message a CSR with that key gets.
  int err = mtk_key_type_check(*out, diag);
  return err != 0 ? mtk_diag_prefix(diag, err, "--key-type '%s'", s) : 0;
}

int cli_parse_digest(const char *s, enum mtk_digest *out,
                     struct mtk_diag *diag) {
  *out = MTK_DIGEST_DEFAULT;
  char why[128];
  if (s != NULL && mtk_cadb_digest_parse(s, out, why, sizeof(why)) != 0) {
    return mtk_diag_set(diag, MTK_EUSAGE, "--digest '%s': %s", s, why);
  }
  return 0;
}

int cli_parse_cert_profile(const char *s, enum mtk_cert_profile *out,
                           struct mtk_diag *diag) {
  *out = MTK_PROFILE_CLIENT;
  if (s != NULL &&
      (mtk_cert_profile_from_name(s, out) != 0 || *out == MTK_PROFILE_CA)) {
    return mtk_diag_set(diag, MTK_EUSAGE,
                        "--profile '%s': use client or server", s);
  }
  return 0;
}

int cli_parse_profile(const char *s, enum mtk_cert_profile *out,
                      char **out_section, struct mtk_diag *diag) {
  *out_section = NULL;
  *out = MTK_PROFILE_CLIENT;
  bool builtin = s != NULL && mtk_cert_profile_from_name(s, out) == 0;
  if (s == NULL || (builtin && *out != MTK_PROFILE_CA)) {
    return 0;
  }
  // A section name as openssl.cnf writes them (ca is the CA's own).
  size_t n = strspn(s,
                    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                    "0123456789_.-");
  if (builtin || n == 0 || s[n] != '\0' || n >= 64) {
    return mtk_diag_set(diag, MTK_EUSAGE,
                        "--profile '%s': use client, server or the name of "
                        "an extensions section of openssl.cnf",
                        s);
  }
  *out = MTK_PROFILE_CLIENT;
  *out_section = strdup(s);
  return *out_section != NULL ? 0 : MTK_ENOMEM;
}

int cli_parse_p12_profile(const char *s, enum mtk_p12_profile *out,
                          struct mtk_diag *diag) {
  *out = MTK_P12_COMPAT;
  if (s != NULL && mtk_p12_profile_from_name(s, out) != 0) {
    return mtk_diag_set(diag, MTK_EUSAGE,
                        "--p12-profile '%s': use compat or modern", s);
  }
  return 0;
}

int cli_parse_sans(const struct cli_opts *o, struct mtk_san_list *out,
                   struct mtk_diag *diag) {
  for (size_t i = 0; i < o->num_sans; i++) {
    int err = mtk_san_parse(o->sans[i], out, diag);
    if (err != 0) {
      return err == MTK_EPARSE ? err : mtk_diag_set(diag, err, "bad --san");
    }
  }
  return 0;
}

int cli_read_password(const char *source, const char *what, bool confirm,
                      struct mtk_secret *out, struct mtk_diag *diag) {
  char prompt[128];
  snprintf(prompt, sizeof(prompt), "%s: ", what);
  int err = mtk_secret_read(out, source, prompt, confirm, diag);
  if (err != 0) {
    return err;
  }
  if (out->from_argv) {
    mtk_cli_warn(
        "%s given with pass: shows in ps(1) and shell history; "
        "use env:VAR or file:PATH",
        what);
  }
  return 0;
}

int cli_read_new_password(const char *source, const char *what,
                          bool allow_empty, struct mtk_secret *out,
                          struct mtk_diag *diag) {
  int err = cli_read_password(source, what, true, out, diag);
  if (err == 0 && !allow_empty) {
    err = mtk_secret_refuse_empty(out, what, diag);
  }
  return err;
}

int cli_read_p12_password(const char *source, bool allow_empty,
                          struct mtk_secret *out, struct mtk_diag *diag) {
  return cli_read_new_password(source != NULL ? source : "prompt",
                               "PKCS#12 password", allow_empty, out, diag);
}

int cli_ca_read_password(struct cli_ca *c, const char *source,
                         struct mtk_diag *diag) {
  if (source == NULL) {
    return 0;
  }
  int err =
      cli_read_password(source, "CA key passphrase", false, &c->password, diag);
  c->has_password = err == 0;
  return err;
}

int cli_ca_open(struct cli_ca *c, const char *dir, unsigned flags,
                struct mtk_diag *diag) {
  // mtk_ca_open leaves |ca| for mtk_ca_close whether or not it succeeds.
  c->opened = true;
  int err = mtk_ca_open(&c->ca, dir, flags,
                        c->has_password ? &c->password : NULL, diag);
  if (err == 0 && c->ca.recovered_uncommitted + c->ca.recovered_removed > 0) {
    mtk_cli_note(
        "recovered from a command killed in %s: removed %zu "
        "file(s) of %zu certificate(s) it had not recorded",
        dir, c->ca.recovered_removed, c->ca.recovered_uncommitted);
  }
  return err;
}

int cli_ca_open_signer(struct cli_ca *c, const char *dir,
                       const char *password_source, struct mtk_diag *diag) {
  int err = cli_ca_read_password(c, password_source, diag);
  return err != 0
             ? err
             : cli_ca_open(c, dir, MTK_CA_OPEN_LOCK | MTK_CA_OPEN_KEY, diag);
}

void cli_ca_close(struct cli_ca *c) {
  if (c->opened) {
    mtk_ca_close(&c->ca);
    c->opened = false;
  }
  mtk_secret_free(&c->password);
  c->has_password = false;
}

int cli_parse_reason(const char *s, int *out, struct mtk_diag *diag) {
  static const char *const names[] = {"unspecified",  "keyCompromise",
                                      "CACompromise", "affiliationChanged",
                                      "superseded",   "cessationOfOperation"};
  *out = MTK_REASON_NONE;
  if (s == NULL) {
    return 0;
  }
  bool found = false;
  for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
    if (strcasecmp(s, names[i]) == 0) {
      found = mtk_crl_reason_from_name(names[i], out) == 0;
    }
  }
  if (!found) {
    return mtk_diag_set(diag, MTK_EUSAGE,
                        "--reason '%s': use unspecified, keyCompromise, "
                        "CACompromise, affiliationChanged, superseded or "
                        "cessationOfOperation",
                        s);
  }
  return 0;
}

const char *cli_entry_status(const struct mtk_cadb_entry *e, time_t now) {
  if (e->status == 'R') {
    return "revoked";
  }
  time_t na;
  if (e->status == 'E' ||
      (mtk_time_parse(e->expires, strlen(e->expires), &na) == 0 && na < now)) {
    return "expired";
  }
  return "valid";
}

const char *cli_rel(const struct mtk_ca *ca, const char *path) {
  size_t n = strlen(ca->conf.dir);
  if (strncmp(path, ca->conf.dir, n) == 0 && path[n] == '/') {
    return path + n + 1;
  }
  return path;
}

void cli_iso(time_t t, char out[32]) {
  if (mtk_format_time(out, 32, t) != 0) {
    snprintf(out, 32, "?");
  }
}
