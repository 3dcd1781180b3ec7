// A saved probe result judged again with connection logs (see rejudge.h).
#include "rejudge.h"

#include <jansson.h>
#include <string.h>

#include "mtlskit/json.h"

// The result names of a probe attempt, in the summary's order, with their
// summary keys.
static const struct {
  const char *result, *key;
} results[] = {{"met", "met"},
               {"not-met", "not_met"},
               {"unspecified", "unspecified"},
               {"skipped", "skipped"},
               {"incomplete", "incomplete"},
               {"error", "error"}};
#define NUM_RESULTS (sizeof(results) / sizeof(results[0]))

struct tally {
  json_int_t n[NUM_RESULTS];
  size_t ran, matched, wrong;
};

static const char *str(const json_t *obj, const char *key) {
  const char *s = json_string_value(json_object_get(obj, key));
  return s != NULL ? s : "";
}

// rejudge_attempt matches one saved attempt to |log| and records what the
// line says; an attempt met but logged for the wrong reason becomes not
// met.
static void rejudge_attempt(json_t *a, const struct mtk_probe_connlog *log,
                            struct tally *t) {
  json_t *conn = json_object_get(a, "connection");
  if (!json_is_integer(json_object_get(conn, "started_us"))) {
    return;  // not run, or saved by an mtlskit without connection facts
  }
  t->ran++;
  const struct mtk_probe_connlog_entry *e = mtk_probe_connlog_find(
      log, (unsigned)json_integer_value(json_object_get(conn, "port")),
      json_string_value(json_object_get(conn, "serial")),
      (unsigned)json_integer_value(json_object_get(conn, "local_port")),
      (double)json_integer_value(json_object_get(conn, "started_us")) / 1e6,
      (double)json_integer_value(json_object_get(conn, "ended_us")) / 1e6);
  if (e == NULL) {
    json_object_set_new(a, "connection_log", json_pack("{s:n}", "stated"));
    return;
  }
  t->matched++;
  const char *expected =
      json_string_value(json_object_get(conn, "log_expected"));
  bool wrong =
      expected != NULL && !mtk_probe_connlog_allows(expected, e->status);
  json_object_set_new(a, "connection_log",
                      json_pack("{s:s, s:s?, s:b}", "stated", e->status,
                                "expected", expected, "wrong_reason", wrong));
  if (wrong) {
    t->wrong++;
    if (strcmp(str(a, "result"), "met") == 0) {
      json_object_set_new(a, "result", json_string("not-met"));
    }
  }
}

static void count(const json_t *a, struct tally *t) {
  for (size_t k = 0; k < NUM_RESULTS; k++) {
    if (strcmp(str(a, "result"), results[k].result) == 0) t->n[k]++;
  }
}

static int exit_status(const struct tally *t) {
  if (t->n[1] > 0) return MTK_EXIT_CHECKS;
  if (t->n[4] > 0 || t->n[5] > 0) return MTK_EXIT_RUNTIME;
  return MTK_EXIT_OK;
}

static void print_table(FILE *out, const json_t *doc, const struct tally *t) {
  size_t ti, ai;
  const json_t *target, *a;
  json_array_foreach(json_object_get(doc, "targets"), ti, target) {
    fprintf(out, "== %s  (profile %s)\n%-28s %-11s %-36s %s\n",
            str(target, "name"), str(target, "profile"), "CASE", "RESULT",
            "LOGGED", "EXPECTED IN THE LOG");
    json_array_foreach(json_object_get(target, "results"), ai, a) {
      const json_t *cl = json_object_get(a, "connection_log");
      if (cl == NULL) continue;
      const char *stated = json_string_value(json_object_get(cl, "stated"));
      const char *expected = json_string_value(json_object_get(cl, "expected"));
      fprintf(out, "%-28s %-11s %-36s %s%s\n", str(a, "case"), str(a, "result"),
              stated != NULL ? stated : "(no line)",
              expected != NULL ? expected : "(not judged)",
              json_is_true(json_object_get(cl, "wrong_reason"))
                  ? "  WRONG REASON"
                  : "");
    }
  }
  fprintf(out,
          "%lld met, %lld not met, %lld unspecified, %lld skipped, %lld "
          "incomplete, %lld error; %zu of %zu attempts found in the logs, %zu "
          "logged for the wrong reason\n",
          (long long)t->n[0], (long long)t->n[1], (long long)t->n[2],
          (long long)t->n[3], (long long)t->n[4], (long long)t->n[5],
          t->matched, t->ran, t->wrong);
}

int mtk_probe_rejudge(const char *saved, const struct mtk_probe_connlog *log,
                      bool json, FILE *out,
                      struct mtk_probe_rejudge_stats *stats,
                      struct mtk_diag *diag) {
  json_error_t jerr;
  json_t *doc = json_load_file(saved, JSON_REJECT_DUPLICATES, &jerr);
  if (doc == NULL) {
    return mtk_diag_set(diag, MTK_EPARSE, "--rejudge %s: %s (line %d)", saved,
                        jerr.text, jerr.line);
  }
  if (!json_is_array(json_object_get(doc, "targets")) ||
      !json_is_object(json_object_get(doc, "summary"))) {
    json_decref(doc);
    return mtk_diag_set(diag, MTK_EPARSE,
                        "--rejudge %s: not a probe --json result", saved);
  }
  struct tally t;
  memset(&t, 0, sizeof(t));
  size_t ti, ai;
  json_t *target, *a;
  json_array_foreach(json_object_get(doc, "targets"), ti, target) {
    json_array_foreach(json_object_get(target, "results"), ai, a) {
      rejudge_attempt(a, log, &t);
      count(a, &t);
    }
  }
  if (t.ran == 0 && json_array_size(json_object_get(doc, "targets")) > 0) {
    json_decref(doc);
    return mtk_diag_set(diag, MTK_EPARSE,
                        "--rejudge %s: no attempt carries its connection facts "
                        "(a result of an older mtlskit probe?)",
                        saved);
  }
  json_t *summary = json_object_get(doc, "summary");
  for (size_t k = 0; k < NUM_RESULTS; k++) {
    json_object_set_new(summary, results[k].key, json_integer(t.n[k]));
  }
  stats->ran = t.ran;
  stats->matched = t.matched;
  stats->exit_status = exit_status(&t);
  json_object_set_new(doc, "exit_status", json_integer(stats->exit_status));
  if (json) {
    if (mtk_json_print(out, doc) != 0) {
      return mtk_diag_set(diag, MTK_EIO, "standard output: write error");
    }
  } else {
    print_table(out, doc, &t);
    json_decref(doc);
  }
  return 0;
}
