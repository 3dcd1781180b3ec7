// mtlskit ca show: one certificate of the CA (by NAME, serial or file) with
// its fields, its state in index.txt and its chain.
#include <jansson.h>
#include <openssl/mem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <string.h>

#include "cli_commands.h"
#include "cli_common.h"
#include "mtlskit/file.h"
#include "mtlskit/json.h"
#include "mtlskit/pem.h"
#include "mtlskit/x509_crl.h"
#include "mtlskit/x509_info.h"

const char cmd_show_usage[] =
    "usage: mtlskit ca show DIR NAME|FILE [--json]\n"
    "       mtlskit ca show DIR --serial HEX [--json]\n"
    "\n"
    "Show one certificate: subject, issuer, serial, validity, SANs, key\n"
    "usages, key type and size, SHA-256 and SHA-1 fingerprints (as openssl\n"
    "x509 -fingerprint prints them), its state in index.txt (valid,\n"
    "revoked with time and reason, expired, not recorded, or not issued by\n"
    "this CA) and the chain up to the root.\n"
    "\n"
    "  NAME                  certs/NAME.cert.pem\n"
    "  FILE                  any PEM certificate (e.g. one a client sent)\n"
    "  --serial HEX          newcerts/HEX.pem\n"
    "  --json                one JSON document (schema_version 1)\n";

const char *cmd_show_args_error(const struct cli_opts *o) {
  if (o->v[OPT_SERIAL] != NULL) {
    return o->num_pos == 1 ? NULL : "show takes DIR and --serial HEX, or NAME";
  }
  return o->num_pos == 2 ? NULL : "show needs DIR and NAME, FILE or --serial";
}

// What show reports about a certificate besides its own fields.
struct shown {
  const char *name;                    // NULL: not looked up by name
  const struct mtk_cadb_entry *entry;  // NULL: not in index.txt
  const char *state;                   // valid, revoked, expired, ...
  char revoked_at[32];                 // "" unless revoked
  const char *reason;                  // NULL unless given
  const char *renews, *renewed_by;     // serials from lineage.txt, or NULL
};

// load_cert resolves the argument to a certificate file and reads it.
static int load_cert(const struct cli_opts *o, struct mtk_ca *ca,
                     struct shown *sh, X509 **out, struct mtk_diag *diag) {
  char path[MTK_CADB_PATH_MAX + 96];
  const char *arg = o->pos[1];
  if (o->v[OPT_SERIAL] != NULL) {
    ssize_t i = mtk_ca_find(ca, NULL, o->v[OPT_SERIAL], diag);
    if (i < 0) {
      return (int)i;
    }
    snprintf(path, sizeof(path), "%s/%s.pem", ca->conf.new_certs_dir,
             ca->index.entries[i].serial);
  } else if (mtk_ca_check_name(arg, NULL) == 0 &&
             snprintf(path, sizeof(path), "%s/%s.cert.pem", ca->conf.certs,
                      arg) < (int)sizeof(path) &&
             mtk_file_exists(path)) {
    sh->name = arg;
  } else if (mtk_file_exists(arg)) {
    snprintf(path, sizeof(path), "%s", arg);
  } else {
    return mtk_diag_set(diag, MTK_ENOTFOUND,
                        "no certificate named '%s' in %s, and no file %s", arg,
                        ca->conf.dir, arg);
  }
  int err = mtk_pem_read_cert(path, out, diag);
  return err == 0 ? 0 : mtk_diag_prefix(diag, err, "%s", path);
}

// issued_here reports whether |cert| names this CA as issuer and carries
// a valid signature of its key.
static bool issued_here(const struct mtk_ca *ca, X509 *cert) {
  if (X509_NAME_cmp(X509_get_issuer_name(cert),
                    X509_get_subject_name(ca->cert)) != 0) {
    return false;
  }
  EVP_PKEY *key = X509_get_pubkey(ca->cert);
  bool ok = key != NULL && X509_verify(cert, key) == 1;
  EVP_PKEY_free(key);
  return ok;
}

static void find_state(const struct mtk_ca *ca, X509 *cert,
                       const struct mtk_cert_info *info, time_t now,
                       struct shown *sh) {
  if (!issued_here(ca, cert)) {
    sh->state = "not issued by this CA";
    return;
  }
  ssize_t i = mtk_cadb_index_find(&ca->index, info->serial);
  if (i < 0) {
    sh->state = "not in index.txt";
    return;
  }
  sh->entry = &ca->index.entries[i];
  sh->state = cli_entry_status(sh->entry, now);
  time_t rt;
  int reason = MTK_REASON_NONE;
  if (sh->entry->status == 'R' &&
      mtk_cadb_revoked_parse(sh->entry->revoked, &rt, &reason) == 0) {
    cli_iso(rt, sh->revoked_at);
  }
  sh->reason = mtk_crl_reason_name(reason);
  ssize_t older, newer;
  mtk_ca_lineage_get(ca, info->serial, &older, &newer);
  sh->renews = older >= 0 ? ca->index.entries[older].serial : NULL;
  sh->renewed_by = newer >= 0 ? ca->index.entries[newer].serial : NULL;
}

static json_t *json_strings(char *const *v, size_t n) {
  json_t *a = json_array();
  for (size_t i = 0; i < n; i++) {
    json_array_append_new(a, json_string(v[i]));
  }
  return a;
}

static json_t *chain_json(const struct mtk_ca *ca) {
  json_t *a = json_array();
  char *s = X509_NAME_oneline(X509_get_subject_name(ca->cert), NULL, 0);
  json_array_append_new(a, json_string(s != NULL ? s : "?"));
  OPENSSL_free(s);
  for (size_t i = 0; i < sk_X509_num(ca->chain); i++) {
    s = X509_NAME_oneline(X509_get_subject_name(sk_X509_value(ca->chain, i)),
                          NULL, 0);
    json_array_append_new(a, json_string(s != NULL ? s : "?"));
    OPENSSL_free(s);
  }
  return a;
}

static int print_json(const struct mtk_ca *ca, const struct mtk_cert_info *in,
                      const struct shown *sh) {
  char nb[32], na[32];
  cli_iso(in->not_before, nb);
  cli_iso(in->not_after, na);
  json_t *ku = json_array();
  for (size_t i = 0; i < in->num_key_usage; i++) {
    json_array_append_new(ku, json_string(in->key_usage[i]));
  }
  json_t *key = json_pack("{s:s, s:i}", "type", in->key_type, "bits",
                          (json_int_t)in->key_bits);
  if (in->key_curve[0] != '\0') {
    json_object_set_new(key, "curve", json_string(in->key_curve));
  }
  json_t *c = json_object();
  json_object_set_new(c, "name",
                      sh->name ? json_string(sh->name) : json_null());
  json_object_set_new(c, "state", json_string(sh->state));
  json_object_set_new(c, "subject", json_string(in->subject));
  json_object_set_new(c, "issuer", json_string(in->issuer));
  json_object_set_new(c, "serial", json_string(in->serial));
  json_object_set_new(c, "not_before", json_string(nb));
  json_object_set_new(c, "not_after", json_string(na));
  json_object_set_new(
      c, "revoked_at",
      sh->revoked_at[0] ? json_string(sh->revoked_at) : json_null());
  json_object_set_new(c, "reason",
                      sh->reason ? json_string(sh->reason) : json_null());
  json_object_set_new(c, "renews",
                      sh->renews ? json_string(sh->renews) : json_null());
  json_object_set_new(
      c, "renewed_by",
      sh->renewed_by ? json_string(sh->renewed_by) : json_null());
  json_object_set_new(c, "sans", json_strings(in->sans, in->num_sans));
  json_object_set_new(c, "key_usage", ku);
  json_object_set_new(c, "extended_key_usage",
                      json_strings(in->eku, in->num_eku));
  json_object_set_new(c, "ca", json_boolean(in->is_ca));
  json_object_set_new(c, "key", key);
  json_object_set_new(c, "sha256_fingerprint", json_string(in->sha256));
  json_object_set_new(c, "sha1_fingerprint", json_string(in->sha1));
  json_object_set_new(c, "chain", chain_json(ca));
  json_t *doc = json_object();
  json_object_set_new(doc, "schema_version", json_integer(1));
  json_object_set_new(doc, "certificate", c);
  return mtk_json_print(stdout, doc);
}

static void print_list(const char *label, char *const *v, size_t n) {
  printf("%-14s", label);
  for (size_t i = 0; i < n; i++) {
    printf("%s%s", i ? ", " : "", v[i]);
  }
  printf("%s\n", n == 0 ? "-" : "");
}

static void print_text(const struct mtk_ca *ca, const struct mtk_cert_info *in,
                       const struct shown *sh, time_t now) {
  char nb[32], na[32];
  cli_iso(in->not_before, nb);
  cli_iso(in->not_after, na);
  if (sh->name != NULL) {
    printf("%-14s%s\n", "name", sh->name);
  }
  printf("%-14s%s", "state", sh->state);
  if (sh->revoked_at[0] != '\0') {
    printf(" at %s%s%s", sh->revoked_at, sh->reason ? ", " : "",
           sh->reason ? sh->reason : "");
  }
  printf("\n");
  if (sh->renews != NULL) {
    printf("%-14s%s\n", "renews", sh->renews);
  }
  if (sh->renewed_by != NULL) {
    printf("%-14s%s\n", "renewed by", sh->renewed_by);
  }
  printf("%-14s%s\n%-14s%s\n%-14s%s\n", "subject", in->subject, "issuer",
         in->issuer, "serial", in->serial);
  long days = (long)((in->not_after - now) / 86400);
  printf("%-14s%s\n%-14s%s (%s %ld days)\n", "not before", nb, "not after", na,
         days >= 0 ? "in" : "expired", days >= 0 ? days : -days);
  print_list("SANs", in->sans, in->num_sans);
  print_list("key usage", (char *const *)in->key_usage, in->num_key_usage);
  print_list("ext key usage", in->eku, in->num_eku);
  printf("%-14s%s\n", "CA", in->is_ca ? "yes" : "no");
  printf("%-14s%s%s%s (%u bits)\n", "key", in->key_type,
         in->key_curve[0] ? " " : "", in->key_curve, in->key_bits);
  printf("%-14s%s\n%-14s%s\n", "sha256", in->sha256, "sha1", in->sha1);
  char *s = X509_NAME_oneline(X509_get_subject_name(ca->cert), NULL, 0);
  printf("%-14s%s\n", "chain", s != NULL ? s : "?");
  OPENSSL_free(s);
  for (size_t i = 0; i < sk_X509_num(ca->chain); i++) {
    s = X509_NAME_oneline(X509_get_subject_name(sk_X509_value(ca->chain, i)),
                          NULL, 0);
    printf("%-14s%s\n", "", s != NULL ? s : "?");
    OPENSSL_free(s);
  }
}

int cmd_show_run(const struct cli_opts *o, struct mtk_diag *diag) {
  struct cli_ca ca = {0};
  struct shown sh = {0};
  struct mtk_cert_info info;
  X509 *cert = NULL;
  memset(&info, 0, sizeof(info));
  int err = cli_ca_open(&ca, o->pos[0], 0, diag);
  if (err == 0) {
    err = load_cert(o, &ca.ca, &sh, &cert, diag);
  }
  if (err == 0 && (err = mtk_cert_info_get(cert, &info)) == 0) {
    time_t now = time(NULL);
    find_state(&ca.ca, cert, &info, now, &sh);
    if (o->v[OPT_JSON] != NULL) {
      err = print_json(&ca.ca, &info, &sh);
    } else {
      print_text(&ca.ca, &info, &sh, now);
    }
  }
  mtk_cert_info_cleanup(&info);
  X509_free(cert);
  cli_ca_close(&ca);
  return err;
}
