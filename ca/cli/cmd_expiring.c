// mtlskit ca expiring: the certificates that expire within a window (or
// already have, without being revoked): a cron or CI gate before a renewal.
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cli_commands.h"
#include "cli_common.h"
#include "mtlskit/json.h"
#include "mtlskit/units.h"
#include "mtlskit/x509_time.h"

const char cmd_expiring_usage[] =
    "usage: mtlskit ca expiring DIR [--within D] [--json]\n"
    "\n"
    "List the unrevoked certificates of index.txt whose notAfter falls\n"
    "within D from now, or has passed: NAME, serial, notAfter, days left,\n"
    "subject, soonest first.\n"
    "\n"
    "  --within D            the window: 30d (default), 12h, 90d ...\n"
    "  --json                one JSON document (schema_version 1)\n"
    "\n"
    "Exit status: 0 nothing due, 1 at least one certificate is due (a\n"
    "gate for cron or CI), 2 bad --within, 3 the directory cannot be read.\n";

#define DEFAULT_WITHIN "30d"

struct due {
  size_t entry;  // index of the index.txt entry
  time_t not_after;
};

static int by_not_after(const void *a, const void *b) {
  const struct due *x = a, *y = b;
  return (x->not_after > y->not_after) - (x->not_after < y->not_after);
}

// collect lists, soonest first, the unrevoked entries whose notAfter is
// before |limit|.
static struct due *collect(const struct mtk_cadb_index *idx, time_t limit,
                           size_t *out_num) {
  struct due *v = calloc(idx->num_entries + 1, sizeof(*v));
  size_t n = 0;
  for (size_t i = 0; v != NULL && i < idx->num_entries; i++) {
    const struct mtk_cadb_entry *e = &idx->entries[i];
    time_t na;
    if (e->status != 'R' &&
        mtk_time_parse(e->expires, strlen(e->expires), &na) == 0 &&
        na <= limit) {
      v[n++] = (struct due){i, na};
    }
  }
  if (v != NULL) {
    qsort(v, n, sizeof(*v), by_not_after);
  }
  *out_num = n;
  return v;
}

static long days_left(time_t not_after, time_t now) {
  return (long)((not_after - now) / 86400);
}

static int print_json(const struct mtk_ca *ca, char **names,
                      const struct due *v, size_t n, const char *within,
                      time_t now) {
  json_t *list = json_array();
  for (size_t i = 0; i < n; i++) {
    const struct mtk_cadb_entry *e = &ca->index.entries[v[i].entry];
    char na[32];
    cli_iso(v[i].not_after, na);
    json_t *c = json_object();
    const char *name = names[v[i].entry];
    json_object_set_new(c, "name", name ? json_string(name) : json_null());
    json_object_set_new(c, "serial", json_string(e->serial));
    json_object_set_new(c, "subject", json_string(e->subject));
    json_object_set_new(c, "not_after", json_string(na));
    json_object_set_new(c, "days_left",
                        json_integer(days_left(v[i].not_after, now)));
    json_object_set_new(c, "status", json_string(cli_entry_status(e, now)));
    json_array_append_new(list, c);
  }
  json_t *doc = json_object();
  json_object_set_new(doc, "schema_version", json_integer(1));
  json_object_set_new(doc, "within", json_string(within));
  json_object_set_new(doc, "due", list);
  return mtk_json_print(stdout, doc);
}

static void print_table(const struct mtk_ca *ca, char **names,
                        const struct due *v, size_t n, const char *within,
                        time_t now) {
  if (n == 0) {
    printf("nothing expires within %s\n", within);
    return;
  }
  printf("%-20s %-34s %-20s %9s %s\n", "NAME", "SERIAL", "NOT_AFTER",
         "DAYS_LEFT", "SUBJECT");
  for (size_t i = 0; i < n; i++) {
    const struct mtk_cadb_entry *e = &ca->index.entries[v[i].entry];
    char na[32];
    cli_iso(v[i].not_after, na);
    const char *name = names[v[i].entry];
    printf("%-20s %-34s %-20s %9ld %s\n", name ? name : "-", e->serial, na,
           days_left(v[i].not_after, now), e->subject);
  }
  printf("%zu certificate(s) expire within %s\n", n, within);
}

int cmd_expiring_run(const struct cli_opts *o, struct mtk_diag *diag) {
  const char *within = o->v[OPT_WITHIN] ? o->v[OPT_WITHIN] : DEFAULT_WITHIN;
  uint64_t ns;
  if (mtk_parse_duration_ns(within, &ns) != 0) {
    return mtk_diag_set(diag, MTK_EUSAGE,
                        "--within %s: expected a duration such as 30d or 12h",
                        within);
  }
  struct cli_ca ca = {0};
  char **names = NULL;
  struct due *v = NULL;
  size_t n = 0;
  time_t now = time(NULL);
  int err = cli_ca_open(&ca, o->pos[0], 0, diag);
  if (err == 0) {
    err = mtk_ca_names(&ca.ca, &names, diag);
  }
  if (err == 0 && (v = collect(&ca.ca.index, now + (time_t)(ns / 1000000000u),
                               &n)) == NULL) {
    err = MTK_ENOMEM;
  }
  if (err == 0) {
    if (o->v[OPT_JSON] != NULL) {
      err = print_json(&ca.ca, names, v, n, within, now);
    } else {
      print_table(&ca.ca, names, v, n, within, now);
    }
  }
  free(v);
  mtk_ca_names_free(names, ca.ca.index.num_entries);
  cli_ca_close(&ca);
  return err != 0 ? err : n > 0 ? MTK_EXIT_CHECKS : 0;
}
