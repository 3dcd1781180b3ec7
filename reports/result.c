// The shared loader and walks of `report md|diff` (see result.h).
#include "result.h"

#include <errno.h>
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

// A result being loaded: its file's contents, then its outline.
struct loading {
  const char *path;
  char *data;
  size_t len;
  struct mtk_diag diag;
};

// read_file reads |l|'s file, padded as outline.h requires. Returns 0 or
// the exit status of the one-line error it leaves in |l->diag|.
static int read_file(struct loading *l) {
  mtk_diag_init(&l->diag);
  int err =
      mtk_file_read_padded(l->path, MAX_RESULT_BYTES, REPORT_OUTLINE_PADDING,
                           &l->data, &l->len, &l->diag);
  if (err != 0) {
    if (l->diag.msg[0] == '\0') {
      mtk_diag_set(&l->diag, err, "%s: %s", l->path, mtk_strerror(err));
    }
    return err == MTK_ENOMEM ? MTK_EXIT_INTERNAL : MTK_EXIT_RUNTIME;
  }
  if (looks_like_hdrlog(l->data)) {
    mtk_diag_set(&l->diag, MTK_EPARSE,
                 "%s: an HdrHistogram log, not a probe or loadgen --json "
                 "result",
                 l->path);
    return MTK_EXIT_USAGE;
  }
  return 0;
}

// parse_json reads |l|'s contents: whole with jansson when |parser| is
// NULL, as its outline otherwise. Returns 0 or the exit status of the
// one-line error it leaves in |l->diag|.
static int parse_json(struct loading *l, struct report_outline_parser *parser,
                      struct report_outline *out) {
  if (parser != NULL &&
      report_outline_parse(parser, l->data, l->len, out) == 0) {
    return 0;
  }
  // All of it, or what is wrong with it.
  json_error_t jerr;
  json_t *doc = json_loadb(l->data, l->len, JSON_REJECT_DUPLICATES, &jerr);
  if (doc == NULL) {
    mtk_diag_set(&l->diag, MTK_EPARSE,
                 "%s: not valid JSON (truncated?): line %d: %s", l->path,
                 jerr.line, jerr.text);
    return MTK_EXIT_USAGE;
  }
  if (parser == NULL) {
    *out = (struct report_outline){doc, NULL, 0, NULL};
    return 0;
  }
  if (report_outline_from_doc(doc, out) != 0) {
    mtk_diag_set(&l->diag, MTK_ENOMEM, "%s: out of memory", l->path);
    return MTK_EXIT_INTERNAL;
  }
  return 0;
}

// parse_result parses |l|'s contents (with |parser| unless it is NULL, as
// parse_json) into |out| and checks it is an mtlskit result this mtlskit
// reads. Returns 0 or the exit status of the one-line error it leaves in
// |l->diag|.
static int parse_result(struct loading *l, struct report_outline_parser *parser,
                        struct report_result *out) {
  memset(out, 0, sizeof(*out));
  out->path = l->path;
  struct report_outline o;
  int status = parse_json(l, parser, &o);
  if (status != 0) return status;
  json_t *version = json_object_get(o.doc, "schema_version");
  int kind = result_kind(o.doc);
  if (!json_is_integer(version) || kind < 0) {
    report_outline_cleanup(&o);
    mtk_diag_set(&l->diag, MTK_EPARSE,
                 "%s: not an mtlskit probe or loadgen --json result", l->path);
    return MTK_EXIT_USAGE;
  }
  json_int_t v = json_integer_value(version);
  json_int_t newest =
      kind == REPORT_PROBE ? REPORT_PROBE_SCHEMA : REPORT_LOADGEN_SCHEMA;
  if (v < 1 || v > newest) {
    report_outline_cleanup(&o);
    mtk_diag_set(&l->diag, MTK_EPARSE,
                 "%s: %s result of schema_version %lld; this mtlskit reads "
                 "up to %lld (upgrade mtlskit)",
                 l->path, kind == REPORT_PROBE ? "probe" : "loadgen",
                 (long long)v, (long long)newest);
    return MTK_EXIT_USAGE;
  }
  out->kind = (enum report_kind)kind;
  out->doc = o.doc;
  out->attempts = o.attempts;
  out->num_attempts = o.num_attempts;
  out->strings = o.strings;
  return 0;
}

int report_result_load(const char *path, struct report_result *out) {
  struct loading l = {.path = path};
  memset(out, 0, sizeof(*out));
  int status = read_file(&l);
  if (status == 0) status = parse_result(&l, NULL, out);
  free(l.data);
  if (status != 0) {
    mtk_cli_error("%s", l.diag.msg);
  }
  return status;
}

int report_result_load_outlines(const char *path_a, struct report_result *a,
                                const char *path_b, struct report_result *b) {
  struct loading la = {.path = path_a}, lb = {.path = path_b};
  memset(a, 0, sizeof(*a));
  memset(b, 0, sizeof(*b));
  int status_a = read_file(&la);
  int status_b = read_file(&lb);
  struct report_outline_parser *parser = report_outline_parser_new();
  if (parser == NULL) {
    status_a = status_a != 0 ? status_a : MTK_EXIT_INTERNAL;
    mtk_diag_set(&la.diag, MTK_ENOMEM, "out of memory");
  }
  // The larger first: the parser it sizes then reads the other in the
  // memory the kernel has already mapped.
  bool b_first = lb.len > la.len;
  if (b_first && status_b == 0) status_b = parse_result(&lb, parser, b);
  if (status_a == 0) status_a = parse_result(&la, parser, a);
  if (!b_first && status_b == 0) status_b = parse_result(&lb, parser, b);
  report_outline_parser_free(parser);
  free(la.data);
  free(lb.data);
  if (status_a != 0 || status_b != 0) {
    mtk_cli_error("%s", status_a != 0 ? la.diag.msg : lb.diag.msg);
    report_result_free(a);
    report_result_free(b);
    return status_a != 0 ? status_a : status_b;
  }
  return 0;
}

void report_result_free(struct report_result *r) {
  struct report_outline o = {r->doc, r->attempts, r->num_attempts, r->strings};
  report_outline_cleanup(&o);
  r->doc = NULL;
  r->attempts = NULL;
  r->num_attempts = 0;
  r->strings = NULL;
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
