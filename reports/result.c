// The shared loader and walks of `report md|diff` (see result.h).
#include "result.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "mtlskit/cli.h"
#include "mtlskit/file.h"
#include "mtlskit/hist_report.h"
#include "outline.h"

#define MAX_RESULT_BYTES (512u << 20)

const char *const report_phases[REPORT_NUM_PHASES] = {"connect", "handshake",
                                                      "ttfb", "total"};

const struct report_pct report_pcts[REPORT_NUM_PCTS] = {
    {"p50_ns", "p50"},    {"p90_ns", "p90"}, {"p99_ns", "p99"},
    {"p999_ns", "p99.9"}, {"max_ns", "max"},
};

// looks_like_hdrlog tells an HdrHistogram interval log by its first line:
// a "#[" comment, the legend, or a tagged interval.
static bool looks_like_hdrlog(const char *data) {
  return strncmp(data, "#[", 2) == 0 ||
         strncmp(data, "\"StartTimestamp", 15) == 0 ||
         strncmp(data, "Tag=", 4) == 0;
}

int report_sniff_hdrlog(const char *path, bool *out) {
  *out = false;
  FILE *f = fopen(path, "r");
  if (f == NULL) {
    mtk_cli_error("%s: %s", path, strerror(errno));
    return MTK_EXIT_RUNTIME;
  }
  char head[32] = {0};
  size_t n = fread(head, 1, sizeof(head) - 1, f);
  fclose(f);
  head[n] = '\0';
  *out = looks_like_hdrlog(head);
  return 0;
}

// result_kind tells a probe result from a loadgen result by the members
// only that command writes, or returns -1.
static int result_kind(const json_t *doc) {
  if (json_is_array(json_object_get(doc, "targets")) &&
      json_is_object(json_object_get(doc, "summary"))) {
    return REPORT_PROBE;
  }
  if (json_is_object(json_object_get(doc, "phases")) &&
      json_is_object(json_object_get(doc, "config"))) {
    return REPORT_LOADGEN;
  }
  return -1;
}

// result_read does report_result_load's work without printing: on failure
// it returns the exit status and leaves the one-line message in |diag|.
static int result_read(const char *path, bool outline,
                       struct report_result *out, struct mtk_diag *diag) {
  memset(out, 0, sizeof(*out));
  out->path = path;
  char *data = NULL;
  size_t len = 0;
  int err = mtk_file_read_padded(path, MAX_RESULT_BYTES, REPORT_OUTLINE_PADDING,
                                 &data, &len, diag);
  if (err != 0) {
    if (diag->msg[0] == '\0') {
      mtk_diag_set(diag, err, "%s: %s", path, mtk_strerror(err));
    }
    return err == MTK_ENOMEM ? MTK_EXIT_INTERNAL : MTK_EXIT_RUNTIME;
  }
  if (looks_like_hdrlog(data)) {
    free(data);
    mtk_diag_set(diag, MTK_EPARSE,
                 "%s: an HdrHistogram log, not a probe or loadgen --json "
                 "result",
                 path);
    return MTK_EXIT_USAGE;
  }
  json_error_t jerr;
  json_t *doc = outline ? report_outline_parse(data, len) : NULL;
  if (doc == NULL) {  // all of it, or what is wrong with it
    doc = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
  }
  free(data);
  if (doc == NULL) {
    mtk_diag_set(diag, MTK_EPARSE,
                 "%s: not valid JSON (truncated?): line %d: %s", path,
                 jerr.line, jerr.text);
    return MTK_EXIT_USAGE;
  }
  json_t *version = json_object_get(doc, "schema_version");
  int kind = result_kind(doc);
  if (!json_is_integer(version) || kind < 0) {
    json_decref(doc);
    mtk_diag_set(diag, MTK_EPARSE,
                 "%s: not an mtlskit probe or loadgen --json result", path);
    return MTK_EXIT_USAGE;
  }
  json_int_t v = json_integer_value(version);
  json_int_t newest =
      kind == REPORT_PROBE ? REPORT_PROBE_SCHEMA : REPORT_LOADGEN_SCHEMA;
  if (v < 1 || v > newest) {
    json_decref(doc);
    mtk_diag_set(diag, MTK_EPARSE,
                 "%s: %s result of schema_version %lld; this mtlskit reads "
                 "up to %lld (upgrade mtlskit)",
                 path, kind == REPORT_PROBE ? "probe" : "loadgen", (long long)v,
                 (long long)newest);
    return MTK_EXIT_USAGE;
  }
  out->kind = (enum report_kind)kind;
  out->doc = doc;
  return 0;
}

int report_result_load(const char *path, struct report_result *out) {
  struct mtk_diag diag;
  mtk_diag_init(&diag);
  int status = result_read(path, false, out, &diag);
  if (status != 0) {
    mtk_cli_error("%s", diag.msg);
  }
  return status;
}

// A result read on a thread of its own.
struct read_job {
  const char *path;
  struct report_result *out;
  struct mtk_diag diag;
  int status;
};

static void *read_job_run(void *arg) {
  struct read_job *job = arg;
  job->status = result_read(job->path, true, job->out, &job->diag);
  return NULL;
}

int report_result_load_outlines(const char *path_a, struct report_result *a,
                                const char *path_b, struct report_result *b) {
  struct read_job job = {path_b, b, {0, {0}}, 0};
  mtk_diag_init(&job.diag);
  json_object_seed(0);  // before two threads make objects
  pthread_t tid;
  bool threaded = pthread_create(&tid, NULL, read_job_run, &job) == 0;
  if (!threaded) read_job_run(&job);
  struct mtk_diag diag;
  mtk_diag_init(&diag);
  int status = result_read(path_a, true, a, &diag);
  if (threaded) pthread_join(tid, NULL);
  if (status != 0 || job.status != 0) {
    mtk_cli_error("%s", status != 0 ? diag.msg : job.diag.msg);
    report_result_free(a);
    report_result_free(b);
    return status != 0 ? status : job.status;
  }
  return 0;
}

void report_result_free(struct report_result *r) {
  json_decref(r->doc);
  r->doc = NULL;
}

const char *report_str(const json_t *obj, const char *key, const char *dflt) {
  const json_t *v = json_object_get(obj, key);
  return json_is_string(v) ? json_string_value(v) : dflt;
}

double report_num(const json_t *obj, const char *key, double dflt) {
  const json_t *v = json_object_get(obj, key);
  return json_is_number(v) ? json_number_value(v) : dflt;
}

void report_each_attempt(const json_t *doc, report_attempt_cb cb, void *arg) {
  size_t ti, ai;
  const json_t *t, *a;
  json_array_foreach(json_object_get(doc, "targets"), ti, t) {
    json_array_foreach(json_object_get(t, "results"), ai, a) {
      if (json_is_object(a)) cb(t, a, arg);
    }
  }
}

const char *report_observed(const json_t *attempt) {
  return report_str(json_object_get(attempt, "observed"), "text", "");
}

void report_format_ns(char *out, size_t out_len, double ns) {
  if (ns < 0) {
    snprintf(out, out_len, "-");
  } else {
    mtk_hist_report_format_ns(out, out_len, ns);
  }
}

void report_format_slo(char *out, size_t out_len, const char *clause,
                       double value) {
  for (int i = 0; i < REPORT_NUM_PHASES; i++) {
    size_t n = strlen(report_phases[i]);
    if (strncmp(clause, report_phases[i], n) == 0 && clause[n] == '.') {
      report_format_ns(out, out_len, value);
      return;
    }
  }
  if (strncmp(clause, "rate", 4) == 0) {
    snprintf(out, out_len, "%.1f/s", value);
  } else if (strchr(clause, '%') != NULL) {
    snprintf(out, out_len, "%.3g%%", value);
  } else {
    snprintf(out, out_len, "%.0f", value);
  }
}

int report_out_open(struct report_out *o) {
  memset(o, 0, sizeof(*o));
  o->f = open_memstream(&o->buf, &o->len);
  if (o->f == NULL) {
    mtk_cli_error("out of memory");
    return MTK_EXIT_INTERNAL;
  }
  return 0;
}

int report_out_finish(struct report_out *o, const char *path) {
  int status = 0;
  if (fclose(o->f) != 0) {
    mtk_cli_error("out of memory");
    free(o->buf);
    return MTK_EXIT_INTERNAL;
  }
  if (path == NULL) {
    if (fwrite(o->buf, 1, o->len, stdout) != o->len || fflush(stdout) != 0) {
      mtk_cli_error("standard output: write error");
      status = MTK_EXIT_RUNTIME;
    }
  } else {
    struct mtk_diag diag;
    mtk_diag_init(&diag);
    int err = mtk_file_replace(path, o->buf, o->len, 0644, &diag);
    if (err != 0) {
      status = mtk_cli_fail_input(err, &diag);
    }
  }
  free(o->buf);
  o->buf = NULL;
  return status;
}

void report_out_abort(struct report_out *o) {
  if (o->f != NULL) fclose(o->f);
  free(o->buf);
  o->f = NULL;
  o->buf = NULL;
}
