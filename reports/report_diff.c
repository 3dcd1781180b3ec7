// mtlskit report diff: compare two runs (last night's and tonight's). Probe
// results are compared case by case, loadgen results per phase and
// percentile against a relative threshold. The comparison is built once as
// a JSON document; text, Markdown and --json are three views of it.
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mtlskit/cli.h"
#include "mtlskit/json.h"
#include "report.h"
#include "result.h"

#define DIFF_SCHEMA 1

void report_diff_usage(FILE *f) {
  fprintf(
      f,
      "usage: mtlskit report diff OLD NEW [--threshold [PCT=]N%%]... [--json | "
      "--md] [-o FILE]\n"
      "\n"
      "Compare two probe --json results case by case (newly not met, newly\n"
      "met, outcome changed while still met, added, removed) or two loadgen\n"
      "--json results per phase and percentile (p50, p90, p99, p99.9) and\n"
      "SLO clause.\n"
      "\n"
      "  --threshold N%%      a percentile that grows by more than N%% is a\n"
      "                      regression (default 10%%)\n"
      "  --threshold p99=N%%  the threshold of one percentile (p50, p90,\n"
      "                      p99, p99.9)\n"
      "  --json               one JSON document (schema_version 1)\n"
      "  --md                 GitHub-flavoured Markdown\n"
      "  -o, --output FILE    write FILE (replaced only when complete)\n"
      "  --help\n"
      "\n"
      "Exit status: 0 no regression, 1 a regression (a case newly not met\n"
      "or in error, a percentile over its threshold, an SLO clause newly\n"
      "violated, a higher error ratio), 2 usage error or an input that is\n"
      "not a readable mtlskit result, 3 a file cannot be read or written.\n");
}

// The percentiles compared (report_pcts without max, which one slow
// connection decides).
#define NUM_DIFF_PCTS 4

struct diff_opts {
  double threshold[NUM_DIFF_PCTS];  // relative, 0.1 for 10%
  bool json, md;
  const char *output;
};

// is_failing: a result that makes a nightly red (an endpoint's wrong verdict
// or a case that could not be run); "incomplete" (cut by --deadline) is not.
static bool is_failing(const char *result) {
  return strcmp(result, "not-met") == 0 || strcmp(result, "error") == 0;
}

// An index of one run's attempts by their identity across runs, target and
// case name: an open-addressing hash table of positions in the run's
// attempts. Where a run names a (target, case) twice, the last one counts.
struct attempt_index {
  const struct report_attempt *attempts;
  size_t *slots;  // position + 1; 0 = empty
  size_t mask;    // number of slots - 1 (a power of two)
};

static uint64_t attempt_hash(const struct report_attempt *a) {
  uint64_t h = 14695981039346656037u;  // FNV-1a
  for (const char *p = a->target; *p != '\0'; p++) {
    h = (h ^ (unsigned char)*p) * 1099511628211u;
  }
  h = (h ^ 0x1f) * 1099511628211u;
  for (const char *p = a->case_name; *p != '\0'; p++) {
    h = (h ^ (unsigned char)*p) * 1099511628211u;
  }
  return h;
}

static bool same_attempt(const struct report_attempt *a,
                         const struct report_attempt *b) {
  return strcmp(a->target, b->target) == 0 &&
         strcmp(a->case_name, b->case_name) == 0;
}

// index_slot returns the slot of |a|'s identity in |ix|: the one holding
// it, or the empty one where it goes.
static size_t *index_slot(const struct attempt_index *ix,
                          const struct report_attempt *a) {
  for (size_t i = (size_t)attempt_hash(a) & ix->mask;; i = (i + 1) & ix->mask) {
    if (ix->slots[i] == 0 || same_attempt(&ix->attempts[ix->slots[i] - 1], a)) {
      return &ix->slots[i];
    }
  }
}

// index_build indexes the attempts of |r|; false when memory ran out.
static bool index_build(struct attempt_index *ix,
                        const struct report_result *r) {
  size_t n = 16;
  while (n < 2 * r->num_attempts) n *= 2;
  ix->attempts = r->attempts;
  ix->mask = n - 1;
  ix->slots = calloc(n, sizeof(*ix->slots));
  if (ix->slots == NULL) return false;
  for (size_t i = 0; i < r->num_attempts; i++) {
    *index_slot(ix, &r->attempts[i]) = i + 1;
  }
  return true;
}

// index_find returns the attempt of |ix| that is |a|'s case, or NULL.
static const struct report_attempt *index_find(const struct attempt_index *ix,
                                               const struct report_attempt *a) {
  size_t slot = *index_slot(ix, a);
  return slot == 0 ? NULL : &ix->attempts[slot - 1];
}

static void add_change(json_t *changes, const char *change,
                       const struct report_attempt *old,
                       const struct report_attempt *neu) {
  const struct report_attempt *any = old != NULL ? old : neu;
  json_array_append_new(
      changes, json_pack("{s:s, s:s, s:s, s:s?, s:s?, s:s?, s:s?}", "change",
                         change, "target", any->target, "case", any->case_name,
                         "old_result", old != NULL ? old->result : NULL,
                         "new_result", neu != NULL ? neu->result : NULL,
                         "old_observed", old != NULL ? old->observed : NULL,
                         "new_observed", neu != NULL ? neu->observed : NULL));
}

// compare_attempt adds to |changes| what became of NEW's attempt |a|, whose
// case was |other| in OLD (NULL: not run), and returns 1 for a regression.
static size_t compare_attempt(json_t *changes, const struct report_attempt *a,
                              const struct report_attempt *other) {
  bool bad = is_failing(a->result);
  if (other == NULL) {
    add_change(changes, bad ? "newly_not_met" : "added", NULL, a);
    return bad;
  }
  bool was_bad = is_failing(other->result);
  if (bad && !was_bad) {
    add_change(changes, "newly_not_met", other, a);
    return 1;
  }
  if (!bad && was_bad) {
    add_change(changes, "newly_met", other, a);
  } else if (strcmp(a->result, other->result) != 0 ||
             strcmp(a->observed, other->observed) != 0) {
    add_change(changes, "outcome_changed", other, a);
  }
  return 0;
}

// diff_probe returns the changes from |old| to |neu| (OLD's cases missing
// from NEW first, then NEW's in document order) and sets *|regs|; NULL when
// memory ran out.
static json_t *diff_probe(const struct report_result *old,
                          const struct report_result *neu, size_t *regs) {
  struct attempt_index in_old = {0}, in_new = {0};
  json_t *changes = json_array();
  if (changes == NULL || !index_build(&in_old, old) ||
      !index_build(&in_new, neu)) {
    json_decref(changes);
    changes = NULL;
    goto out;
  }
  for (size_t i = 0; i < old->num_attempts; i++) {
    if (index_find(&in_new, &old->attempts[i]) == NULL) {
      add_change(changes, "removed", &old->attempts[i], NULL);
    }
  }
  *regs = 0;
  for (size_t i = 0; i < neu->num_attempts; i++) {
    const struct report_attempt *a = &neu->attempts[i];
    *regs += compare_attempt(changes, a, index_find(&in_old, a));
  }
out:
  free(in_old.slots);
  free(in_new.slots);
  return changes;
}

static void add_metric(json_t *changes, const char *metric, double o, double n,
                       double threshold, bool regression, size_t *regs) {
  *regs += regression;
  json_array_append_new(
      changes,
      json_pack("{s:s, s:f, s:f, s:f, s:f, s:b}", "metric", metric, "old", o,
                "new", n, "change", o > 0 ? (n - o) / o : 0.0, "threshold",
                threshold, "regression", regression));
}

static json_t *diff_loadgen(const struct report_result *old,
                            const struct report_result *neu,
                            const struct diff_opts *opt, size_t *regs) {
  json_t *changes = json_array();
  *regs = 0;
  for (int i = 0; i < REPORT_NUM_PHASES; i++) {
    const json_t *po =
        json_object_get(json_object_get(old->doc, "phases"), report_phases[i]);
    const json_t *pn =
        json_object_get(json_object_get(neu->doc, "phases"), report_phases[i]);
    if (report_num(po, "count", 0) <= 0 || report_num(pn, "count", 0) <= 0) {
      continue;
    }
    for (int p = 0; p < NUM_DIFF_PCTS; p++) {
      double o = report_num(po, report_pcts[p].key, 0);
      double n = report_num(pn, report_pcts[p].key, 0);
      char metric[64];
      snprintf(metric, sizeof(metric), "%s %s", report_phases[i],
               report_pcts[p].label);
      add_metric(changes, metric, o, n, opt->threshold[p],
                 o > 0 && n > o * (1 + opt->threshold[p]), regs);
    }
  }
  double eo = report_num(old->doc, "error_ratio", 0);
  double en = report_num(neu->doc, "error_ratio", 0);
  add_metric(changes, "error ratio", eo, en, opt->threshold[2],
             en > 0 && en > eo * (1 + opt->threshold[2]), regs);
  size_t i;
  const json_t *c;
  json_array_foreach(json_object_get(neu->doc, "slo"), i, c) {
    const char *text = report_str(c, "slo", "");
    bool was_ok = true;
    size_t j;
    const json_t *oc;
    json_array_foreach(json_object_get(old->doc, "slo"), j, oc) {
      if (strcmp(report_str(oc, "slo", ""), text) == 0) {
        was_ok = json_is_true(json_object_get(oc, "ok"));
      }
    }
    bool ok = json_is_true(json_object_get(c, "ok"));
    if (ok != was_ok) {
      *regs += !ok;
      json_array_append_new(
          changes,
          json_pack("{s:s, s:s, s:b, s:b, s:b}", "metric", "slo", "slo", text,
                    "old_ok", was_ok, "new_ok", ok, "regression", !ok));
    }
  }
  return changes;
}

// probe_line writes one probe change as "change target case: old -> new".
static void probe_line(FILE *f, const json_t *c, bool md) {
  const char *ch = report_str(c, "change", "");
  if (md) {
    fputs("| ", f);
    report_md_cell(f, ch);
    fputs(" | ", f);
    report_md_cell(f, report_str(c, "target", ""));
    fputs(" | ", f);
    report_md_cell(f, report_str(c, "case", ""));
    fprintf(f, " | %s (%s) | %s (%s) |\n", report_str(c, "old_result", "-"),
            report_str(c, "old_observed", "-"),
            report_str(c, "new_result", "-"),
            report_str(c, "new_observed", "-"));
    return;
  }
  fprintf(f, "%-11s %-16s %s %s: %s (%s) -> %s (%s)\n",
          strcmp(ch, "newly_not_met") == 0 ? "REGRESSION" : "change", ch,
          report_str(c, "target", ""), report_str(c, "case", ""),
          report_str(c, "old_result", "-"), report_str(c, "old_observed", "-"),
          report_str(c, "new_result", "-"), report_str(c, "new_observed", "-"));
}

// metric_value formats a latency in ns, or a ratio as a percentage.
static void metric_value(const json_t *c, const char *key, char *out,
                         size_t len) {
  double v = report_num(c, key, 0);
  if (strcmp(report_str(c, "metric", ""), "error ratio") == 0) {
    snprintf(out, len, "%.3f%%", 100 * v);
  } else {
    report_format_ns(out, len, v);
  }
}

static void loadgen_line(FILE *f, const json_t *c, bool md) {
  bool reg = json_is_true(json_object_get(c, "regression"));
  const char *metric = report_str(c, "metric", "");
  if (strcmp(metric, "slo") == 0) {
    bool ok = json_is_true(json_object_get(c, "new_ok"));
    fprintf(
        f,
        md ? "| %s | slo `%s` | %s | %s | | |\n" : "%-11s slo %s: %s -> %s\n",
        reg ? "REGRESSION" : "change", report_str(c, "slo", ""),
        ok ? "violated" : "ok", ok ? "ok" : "violated");
    return;
  }
  char o[32], n[32], t[32];
  metric_value(c, "old", o, sizeof(o));
  metric_value(c, "new", n, sizeof(n));
  snprintf(t, sizeof(t), "%+.1f%%", 100 * report_num(c, "change", 0));
  fprintf(f,
          md ? "| %s | %s | %s | %s | %s | %.0f%% |\n"
             : "%-11s %-16s %9s -> %9s %8s (threshold %.0f%%)\n",
          reg ? "REGRESSION" : "ok", metric, o, n, t,
          100 * report_num(c, "threshold", 0));
}

static void write_view(FILE *f, const json_t *doc, bool probe, bool md) {
  const json_t *changes = json_object_get(doc, "changes");
  size_t regs = (size_t)report_num(doc, "regressions", 0);
  if (md) {
    fprintf(f, "## mtlskit report diff: %s\n\n`%s` → `%s`\n\n",
            regs == 0 ? "no regression" : "REGRESSION",
            report_str(doc, "old", ""), report_str(doc, "new", ""));
    fputs(
        probe
            ? "| change | target | case | old | new |\n|---|---|---|---|---|\n"
            : "| verdict | metric | old | new | change | threshold |\n"
              "|---|---|--:|--:|--:|--:|\n",
        f);
  } else {
    fprintf(f, "mtlskit report diff: %s -> %s\n", report_str(doc, "old", ""),
            report_str(doc, "new", ""));
  }
  size_t i;
  const json_t *c;
  json_array_foreach(changes, i, c) {
    if (probe) {
      probe_line(f, c, md);
    } else {
      loadgen_line(f, c, md);
    }
  }
  if (probe && json_array_size(changes) == 0) {
    fputs(md ? "| none | | | | |\n" : "no case changed\n", f);
  }
  fprintf(f, "%s%zu regression%s\n", md ? "\n" : "", regs,
          regs == 1 ? "" : "s");
}

static int parse_threshold(struct diff_opts *o, const char *arg) {
  const char *eq = strchr(arg, '=');
  const char *num = eq != NULL ? eq + 1 : arg;
  char *end;
  double v = strtod(num, &end);
  if (end == num || (*end != '\0' && strcmp(end, "%") != 0) || !isfinite(v) ||
      v < 0) {
    return mtk_cli_usage_error("--threshold '%s': expected N%% or PCT=N%%",
                               arg);
  }
  for (int p = 0; p < NUM_DIFF_PCTS; p++) {
    if (eq == NULL ||
        (strlen(report_pcts[p].label) == (size_t)(eq - arg) &&
         strncmp(report_pcts[p].label, arg, (size_t)(eq - arg)) == 0)) {
      o->threshold[p] = v / 100;
      if (eq != NULL) return 0;
    }
  }
  if (eq != NULL) {
    return mtk_cli_usage_error(
        "--threshold '%s': the percentile is one of p50, p90, p99, p99.9", arg);
  }
  return 0;
}

static int parse_args(int argc, char **argv, struct diff_opts *o) {
  static const struct option opts[] = {{"threshold", required_argument, 0, 't'},
                                       {"json", no_argument, 0, 'j'},
                                       {"md", no_argument, 0, 'm'},
                                       {"output", required_argument, 0, 'o'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
  for (int p = 0; p < NUM_DIFF_PCTS; p++) o->threshold[p] = 0.10;
  int c, status;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":o:h", opts, NULL)) != -1) {
    switch (c) {
      case 't':
        if ((status = parse_threshold(o, optarg)) != 0) return status;
        break;
      case 'j':
        o->json = true;
        break;
      case 'm':
        o->md = true;
        break;
      case 'o':
        o->output = optarg;
        break;
      case 'h':
        report_diff_usage(stdout);
        return -1;
      default:
        return mtk_cli_option_error(c, argv);
    }
  }
  if (o->json && o->md) {
    return mtk_cli_usage_error("--json and --md exclude each other");
  }
  if (argc - optind != 2) {
    return mtk_cli_usage_error("report diff needs two results, OLD and NEW");
  }
  return 0;
}

int report_diff_main(int argc, char **argv) {
  struct diff_opts opt = {0};
  int status = parse_args(argc, argv, &opt);
  if (status != 0) return status < 0 ? MTK_EXIT_OK : status;
  struct report_result old, neu;
  if ((status = report_result_load_outlines(argv[optind], &old,
                                            argv[optind + 1], &neu)) != 0) {
    return status;
  }
  if (old.kind != neu.kind) {
    status = mtk_cli_usage_error(
        "%s is a %s result and %s a %s result: compare like with like",
        old.path, old.kind == REPORT_PROBE ? "probe" : "loadgen", neu.path,
        neu.kind == REPORT_PROBE ? "probe" : "loadgen");
    goto out;
  }
  size_t regs = 0;
  bool probe = old.kind == REPORT_PROBE;
  json_t *changes = probe ? diff_probe(&old, &neu, &regs)
                          : diff_loadgen(&old, &neu, &opt, &regs);
  if (changes == NULL) {
    mtk_cli_error("out of memory");
    status = MTK_EXIT_INTERNAL;
    goto out;
  }
  json_t *doc =
      json_pack("{s:i, s:s, s:s, s:s, s:I, s:o}", "schema_version", DIFF_SCHEMA,
                "kind", probe ? "probe" : "loadgen", "old", old.path, "new",
                neu.path, "regressions", (json_int_t)regs, "changes", changes);
  struct report_out out;
  if ((status = report_out_open(&out)) != 0) {
    json_decref(doc);
    goto out;
  }
  if (opt.json) {
    if (mtk_json_print(out.f, doc) != 0) {
      report_out_abort(&out);
      mtk_cli_error("out of memory");
      status = MTK_EXIT_INTERNAL;
      goto out;
    }
  } else {
    write_view(out.f, doc, probe, opt.md);
    json_decref(doc);
  }
  status = report_out_finish(&out, opt.output);
  if (status == 0 && regs > 0) status = MTK_EXIT_CHECKS;
out:
  report_result_free(&old);
  report_result_free(&neu);
  return status;
}
