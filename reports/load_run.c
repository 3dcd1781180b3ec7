// A load run from loadgen's --json and --hdr-log files (see load_run.h).
#include "load_run.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mtlskit/cli.h"
#include "mtlskit/hdrlog.h"

void load_run_init(struct load_run *run, const char *path) {
  memset(run, 0, sizeof(*run));
  const char *slash = strrchr(path, '/');
  snprintf(run->label, sizeof(run->label), "%s",
           slash != NULL ? slash + 1 : path);
}

// dist_reserve makes room for |n| buckets in |d|.
static int dist_reserve(struct load_dist *d, size_t n) {
  d->value = calloc(n > 0 ? n : 1, sizeof(*d->value));
  d->count = calloc(n > 0 ? n : 1, sizeof(*d->count));
  if (d->value == NULL || d->count == NULL) {
    mtk_cli_error("out of memory");
    return MTK_EXIT_INTERNAL;
  }
  return 0;
}

static void dist_append(struct load_dist *d, int64_t value, int64_t count) {
  d->value[d->n] = value;
  d->count[d->n] = count;
  d->n++;
  d->total += count;
}

static double num_or_nan(const json_t *obj, const char *key) {
  const json_t *v = json_object_get(obj, key);
  return json_is_number(v) ? json_number_value(v) : NAN;
}

// json_timeline reads the "timeline" array of a loadgen result.
static int json_timeline(struct load_run *run, const json_t *timeline) {
  size_t n = json_array_size(timeline);
  if (n == 0) return 0;
  run->iv = calloc(n, sizeof(*run->iv));
  if (run->iv == NULL) {
    mtk_cli_error("out of memory");
    return MTK_EXIT_INTERNAL;
  }
  size_t i;
  const json_t *e;
  json_array_foreach(timeline, i, e) {
    struct load_interval *iv = &run->iv[run->num_iv++];
    iv->start_s = report_num(e, "start_s", NAN);
    iv->length_s = report_num(e, "length_s", NAN);
    iv->connections = report_num(e, "connections", NAN);
    iv->errors = report_num(e, "errors", NAN);
    for (int p = 0; p < REPORT_NUM_PHASES; p++) {
      iv->p50[p] = num_or_nan(json_object_get(e, "p50_ns"), report_phases[p]);
      iv->p99[p] = num_or_nan(json_object_get(e, "p99_ns"), report_phases[p]);
    }
  }
  return 0;
}

int load_run_add_json(struct load_run *run, const struct report_result *r) {
  run->json = r;
  const json_t *phases = json_object_get(r->doc, "phases");
  for (int p = 0; p < REPORT_NUM_PHASES; p++) {
    const json_t *buckets = json_object_get(
        json_object_get(json_object_get(phases, report_phases[p]), "histogram"),
        "buckets");
    struct load_dist *d = &run->dist[p];
    int status = dist_reserve(d, json_array_size(buckets));
    if (status != 0) return status;
    size_t i;
    const json_t *b;
    json_array_foreach(buckets, i, b) {
      json_int_t v = json_integer_value(json_array_get(b, 0));
      json_int_t c = json_integer_value(json_array_get(b, 1));
      if (c > 0 && v >= 0) dist_append(d, v, c);
    }
  }
  return json_timeline(run, json_object_get(r->doc, "timeline"));
}

// phase_of returns the phase a log tag stands for, or -1.
static int phase_of(const char *tag) {
  if (tag[0] == '\0') return REPORT_NUM_PHASES - 1;
  for (int p = 0; p < REPORT_NUM_PHASES; p++) {
    if (strcmp(tag, report_phases[p]) == 0) return p;
  }
  return -1;
}

// counts_percentile returns the value at |pct| of one decoded interval.
static double counts_percentile(const struct mtk_hdrlog_counts *c, double pct) {
  int64_t total = 0;
  for (size_t i = 0; i < c->len; i++) total += c->count[i];
  if (total == 0) return NAN;
  int64_t rank = (int64_t)ceil(pct / 100.0 * (double)total);
  if (rank < 1) rank = 1;
  int64_t seen = 0;
  for (size_t i = 0; i < c->len; i++) {
    seen += c->count[i];
    if (seen >= rank) {
      return (double)mtk_hist_highest_equivalent(
          &c->layout, mtk_hist_value_at_index(&c->layout, c->index[i]));
    }
  }
  return NAN;
}

// The state of reading one log.
struct log_read {
  struct mtk_hist sum[REPORT_NUM_PHASES];  // every interval added up
  struct load_interval *iv;
  size_t num_iv, cap_iv;
};

// add_entry adds one interval line of phase |p| to |lr|: to the phase's sum,
// and to the interval that starts at the same time (a new one otherwise).
static int add_entry(struct log_read *lr, int p,
                     const struct mtk_hdrlog_entry *e) {
  if (lr->sum[p].counts == NULL &&
      mtk_hist_init_like(&lr->sum[p], &e->counts.layout) != 0) {
    return MTK_ENOMEM;
  }
  int err = mtk_hdrlog_counts_merge(&lr->sum[p], &e->counts, NULL);
  if (err != 0) return err;
  struct load_interval *iv = lr->num_iv > 0 ? &lr->iv[lr->num_iv - 1] : NULL;
  if (iv == NULL || fabs(iv->start_s - e->start) > 1e-6) {
    if (lr->num_iv == lr->cap_iv) {
      size_t cap = lr->cap_iv ? 2 * lr->cap_iv : 64;
      struct load_interval *grown = realloc(lr->iv, cap * sizeof(*grown));
      if (grown == NULL) return MTK_ENOMEM;
      lr->iv = grown;
      lr->cap_iv = cap;
    }
    iv = &lr->iv[lr->num_iv++];
    iv->start_s = e->start;
    iv->length_s = e->length;
    iv->connections = NAN;
    iv->errors = NAN;
    for (int k = 0; k < REPORT_NUM_PHASES; k++) iv->p50[k] = iv->p99[k] = NAN;
  }
  iv->p50[p] = counts_percentile(&e->counts, 50);
  iv->p99[p] = counts_percentile(&e->counts, 99);
  if (p == 0) {  // every connection that connected has a connect time
    double n = 0;
    for (size_t i = 0; i < e->counts.len; i++) n += (double)e->counts.count[i];
    iv->connections = n;
  }
  return 0;
}

// read_log reads every interval of |f| into |lr|; returns 0 or an exit
// status with the error printed.
static int read_log(FILE *f, const char *path, struct log_read *lr) {
  struct mtk_hdrlog_reader r;
  struct mtk_hdrlog_entry e;
  struct mtk_diag diag;
  mtk_diag_init(&diag);
  mtk_hdrlog_reader_init(&r, f);
  int rc, err = 0;
  while ((rc = mtk_hdrlog_read_next(&r, &e, &diag)) == 1) {
    int p = phase_of(e.tag);
    if (p >= 0) err = add_entry(lr, p, &e);
    mtk_hdrlog_entry_cleanup(&e);
    if (err != 0) break;
  }
  size_t line = r.line_no;
  mtk_hdrlog_reader_cleanup(&r);
  if (err == MTK_ENOMEM || rc == MTK_ENOMEM) {
    mtk_cli_error("out of memory");
    return MTK_EXIT_INTERNAL;
  }
  if (rc == MTK_EIO) {
    mtk_cli_error("%s: read error", path);
    return MTK_EXIT_RUNTIME;
  }
  if (rc < 0 || err != 0) {
    mtk_cli_error("%s: line %zu: not a valid HdrHistogram log line (%s)", path,
                  line, diag.msg[0] ? diag.msg : "corrupt");
    return MTK_EXIT_USAGE;
  }
  if (lr->num_iv == 0) {
    mtk_cli_error("%s: no interval of connect, handshake, ttfb or total", path);
    return MTK_EXIT_USAGE;
  }
  return 0;
}

// take_sums moves the log's added-up phases into the distributions the run
// has no data for.
static int take_sums(struct load_run *run, struct log_read *lr) {
  for (int p = 0; p < REPORT_NUM_PHASES; p++) {
    struct load_dist *d = &run->dist[p];
    if (d->n > 0 || lr->sum[p].counts == NULL) continue;
    free(d->value);
    free(d->count);
    int status = dist_reserve(d, lr->sum[p].num_counts);
    if (status != 0) return status;
    d->n = 0;
    d->total = 0;
    size_t cursor = 0;
    int64_t v, c;
    while (mtk_hist_next_nonzero(&lr->sum[p], &cursor, &v, &c)) {
      dist_append(d, v, c);
    }
  }
  return 0;
}

int load_run_add_hdrlog(struct load_run *run, const char *path) {
  run->hlog_path = path;
  FILE *f = fopen(path, "r");
  if (f == NULL) {
    mtk_cli_error("%s: %s", path, strerror(errno));
    return MTK_EXIT_RUNTIME;
  }
  struct log_read lr;
  memset(&lr, 0, sizeof(lr));
  int status = read_log(f, path, &lr);
  fclose(f);
  if (status == 0) status = take_sums(run, &lr);
  if (status == 0 && run->num_iv == 0) {
    run->iv = lr.iv;
    run->num_iv = lr.num_iv;
    lr.iv = NULL;
  }
  for (int p = 0; p < REPORT_NUM_PHASES; p++) mtk_hist_cleanup(&lr.sum[p]);
  free(lr.iv);
  return status;
}

void load_run_free(struct load_run *run) {
  for (int p = 0; p < REPORT_NUM_PHASES; p++) {
    free(run->dist[p].value);
    free(run->dist[p].count);
  }
  free(run->iv);
  memset(run, 0, sizeof(*run));
}

double load_dist_percentile(const struct load_dist *d, double pct) {
  if (d->total == 0) return NAN;
  int64_t rank = (int64_t)ceil(pct / 100.0 * (double)d->total);
  if (rank < 1) rank = 1;
  int64_t seen = 0;
  for (size_t i = 0; i < d->n; i++) {
    seen += d->count[i];
    if (seen >= rank) return (double)d->value[i];
  }
  return (double)d->value[d->n - 1];
}
