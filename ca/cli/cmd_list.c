// mtlskit ca list: the certificates of index.txt, as a table or JSON.
#include <jansson.h>
#include <openssl/mem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <string.h>

#include "cli_commands.h"
#include "cli_common.h"
#include "mtlskit/cli.h"
#include "mtlskit/file.h"
#include "mtlskit/json.h"
#include "mtlskit/pem.h"
#include "mtlskit/x509_crl.h"
#include "mtlskit/x509_time.h"

const char cmd_list_usage[] =
    "usage: mtlskit ca list DIR [--json]\n"
    "\n"
    "Show every certificate of index.txt: status (valid, revoked, expired),\n"
    "serial, validity, revocation, NAME and subject.\n"
    "\n"
    "  --json                one JSON document (schema_version 1)\n";

// One index entry as shown: times as YYYY-MM-DDTHH:MM:SSZ, "" if unknown.
struct row {
  const char *name;  // NULL: no certs/NAME.cert.pem
  const char *status;
  char not_before[32], not_after[32], revoked_at[32];
  const char *reason;  // NULL: none recorded
};

// read_not_before reads notBefore from newcerts/SERIAL.pem (index.txt does
// not record it); |out| stays "" when the file is missing or unreadable.
static void read_not_before(const struct mtk_ca *ca,
                            const struct mtk_cadb_entry *e, char out[32]) {
  char path[MTK_CADB_PATH_MAX + 96];
  snprintf(path, sizeof(path), "%s/%s.pem", ca->conf.new_certs_dir, e->serial);
  X509 *cert = NULL;
  if (!mtk_file_exists(path) || mtk_pem_read_cert(path, &cert, NULL) != 0) {
    return;
  }
  const ASN1_TIME *nb = X509_get0_notBefore(cert);
  time_t t;
  if (mtk_time_parse((const char *)ASN1_STRING_get0_data(nb),
                     (size_t)ASN1_STRING_length(nb), &t) == 0) {
    cli_iso(t, out);
  }
  X509_free(cert);
}

static void row_from_entry(const struct mtk_ca *ca,
                           const struct mtk_cadb_entry *e, const char *name,
                           time_t now, bool with_not_before, struct row *r) {
  memset(r, 0, sizeof(*r));
  r->name = name;
  r->status = cli_entry_status(e, now);
  time_t na = 0, rt = 0;
  int reason = MTK_REASON_NONE;
  if (mtk_time_parse(e->expires, strlen(e->expires), &na) == 0) {
    cli_iso(na, r->not_after);
  }
  if (e->status == 'R' &&
      mtk_cadb_revoked_parse(e->revoked, &rt, &reason) == 0) {
    cli_iso(rt, r->revoked_at);
  }
  r->reason = mtk_crl_reason_name(reason);
  if (with_not_before) {
    read_not_before(ca, e, r->not_before);
  }
}

// json_opt is |s| as a JSON string, null for NULL.
static json_t *json_opt(const char *s) {
  return s != NULL ? json_string(s) : json_null();
}

// json_time is the time |s| as a JSON string, null for "" (unknown).
static json_t *json_time(const char *s) {
  return s[0] != '\0' ? json_string(s) : json_null();
}

static json_t *row_json(const struct mtk_cadb_entry *e, const struct row *r) {
  json_t *c = json_object();
  json_object_set_new(c, "name", json_opt(r->name));
  json_object_set_new(c, "status", json_string(r->status));
  json_object_set_new(c, "serial", json_string(e->serial));
  json_object_set_new(c, "subject", json_string(e->subject));
  json_object_set_new(c, "not_before", json_time(r->not_before));
  json_object_set_new(c, "not_after", json_string(r->not_after));
  json_object_set_new(c, "revoked_at", json_time(r->revoked_at));
  json_object_set_new(c, "reason", json_opt(r->reason));
  return c;
}

static int print_json(const struct mtk_ca *ca, const char *dir, char **names,
                      time_t now) {
  char *subject = X509_NAME_oneline(X509_get_subject_name(ca->cert), NULL, 0);
  json_t *doc = json_object();
  json_t *certs = json_array();
  json_t *cajs = json_object();
  json_object_set_new(doc, "schema_version", json_integer(1));
  json_object_set_new(cajs, "dir", json_string(dir));
  json_object_set_new(cajs, "subject", json_string(subject ? subject : ""));
  json_object_set_new(doc, "ca", cajs);
  json_object_set_new(doc, "certificates", certs);
  OPENSSL_free(subject);
  for (size_t i = 0; i < ca->index.num_entries; i++) {
    const struct mtk_cadb_entry *e = &ca->index.entries[i];
    struct row r;
    row_from_entry(ca, e, names[i], now, true, &r);
    json_array_append_new(certs, row_json(e, &r));
  }
  return mtk_json_print(stdout, doc);
}

static void print_table(const struct mtk_ca *ca, char **names, time_t now) {
  printf("%-8s %-34s %-20s %-20s %-20s %s\n", "STATUS", "SERIAL", "NOT_AFTER",
         "REVOKED", "NAME", "SUBJECT");
  for (size_t i = 0; i < ca->index.num_entries; i++) {
    const struct mtk_cadb_entry *e = &ca->index.entries[i];
    struct row r;
    row_from_entry(ca, e, names[i], now, false, &r);
    printf("%-8s %-34s %-20s %-20s %-20s %s\n", r.status, e->serial,
           r.not_after, r.revoked_at[0] ? r.revoked_at : "-",
           r.name != NULL ? r.name : "-", e->subject);
  }
}

int cmd_list_run(const struct cli_opts *o, struct mtk_diag *diag) {
  const char *dir = o->pos[0];
  struct cli_ca ca = {0};
  char **names = NULL;
  int err;
  if ((err = cli_ca_open(&ca, dir, 0, diag)) == 0 &&
      (err = mtk_ca_names(&ca.ca, &names, diag)) == 0) {
    time_t now = time(NULL);
    if (o->v[OPT_JSON] != NULL) {
      err = print_json(&ca.ca, dir, names, now);
    } else {
      print_table(&ca.ca, names, now);
    }
  }
  mtk_ca_names_free(names, ca.ca.index.num_entries);
  cli_ca_close(&ca);
  return err;
}
