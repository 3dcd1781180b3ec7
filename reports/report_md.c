// mtlskit report md: probe and loadgen results as compact GitHub-flavoured
// Markdown (a CI job summary, a merge-request note): the totals, the cases
// not met as a table, the percentile table and the SLO verdict.
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "mtlskit/cli.h"
#include "report.h"
#include "result.h"

void report_md_usage(FILE *f) {
  fprintf(f,
          "usage: mtlskit report md RESULT... [-o FILE]\n"
          "\n"
          "Write probe --json and loadgen --json results as GitHub-flavoured\n"
          "Markdown: a probe result's totals per target and its cases not\n"
          "met; a loadgen result's parameters, percentiles per phase and\n"
          "SLO verdict.\n"
          "\n"
          "  -o, --output FILE  write FILE (replaced only when complete)\n"
          "                     instead of standard output\n"
          "  --help\n"
          "\n"
          "Exit status: 0 written, 2 usage error or an input that is not a\n"
          "readable mtlskit result, 3 a file cannot be read or written.\n");
}

void report_md_cell(FILE *f, const char *s) {
  for (; *s != '\0'; s++) {
    if (*s == '|') {
      fputs("\\|", f);
    } else if (*s == '\n' || *s == '\r') {
      fputc(' ', f);
    } else {
      fputc(*s, f);
    }
  }
}

// Result names of a probe attempt, in summary order.
static const char *const result_names[] = {
    "met", "not-met", "unspecified", "skipped", "incomplete", "error"};
#define NUM_RESULTS (sizeof(result_names) / sizeof(result_names[0]))

struct target_counts {
  const json_t *target;
  size_t n[NUM_RESULTS];
};

static void count_target(const json_t *t, struct target_counts *c) {
  memset(c, 0, sizeof(*c));
  c->target = t;
  size_t i;
  const json_t *a;
  json_array_foreach(json_object_get(t, "results"), i, a) {
    const char *r = report_str(a, "result", "");
    for (size_t k = 0; k < NUM_RESULTS; k++) {
      if (strcmp(r, result_names[k]) == 0) c->n[k]++;
    }
  }
}

static void not_met_row(const json_t *t, const json_t *a, void *arg) {
  FILE *f = arg;
  if (strcmp(report_str(a, "result", ""), "not-met") != 0) return;
  const json_t *obs = json_object_get(a, "observed");
  const char *cells[] = {
      report_str(t, "name", ""),     report_str(a, "case", ""),
      report_str(a, "expected", ""), report_str(obs, "text", ""),
      report_str(obs, "stage", ""),  report_str(a, "source", "")};
  for (size_t i = 0; i < sizeof(cells) / sizeof(cells[0]); i++) {
    fputs("| ", f);
    report_md_cell(f, cells[i]);
    fputc(' ', f);
  }
  fputs("|\n", f);
}

static void probe_md(FILE *f, const struct report_result *r) {
  const json_t *s = json_object_get(r->doc, "summary");
  size_t not_met = (size_t)report_num(s, "not_met", 0);
  fprintf(f, "## Conformance: %s\n\n", not_met == 0 ? "met" : "NOT MET");
  fprintf(f,
          "**%.0f met, %zu not met**, %.0f unspecified, %.0f skipped, "
          "%.0f incomplete, %.0f error (`%s`)\n\n",
          report_num(s, "met", 0), not_met, report_num(s, "unspecified", 0),
          report_num(s, "skipped", 0), report_num(s, "incomplete", 0),
          report_num(s, "error", 0), r->path);
  fputs(
      "| target | profile | TLS | met | not met | unspecified | skipped | "
      "incomplete | error |\n|---|---|---|--:|--:|--:|--:|--:|--:|\n",
      f);
  size_t i;
  const json_t *t;
  json_array_foreach(json_object_get(r->doc, "targets"), i, t) {
    struct target_counts c;
    count_target(t, &c);
    fputs("| ", f);
    report_md_cell(f, report_str(t, "name", ""));
    fputs(" | ", f);
    report_md_cell(f, report_str(t, "profile", ""));
    fputs(" | ", f);
    report_md_cell(f, report_str(t, "tls", ""));
    for (size_t k = 0; k < NUM_RESULTS; k++) fprintf(f, " | %zu", c.n[k]);
    fputs(" |\n", f);
  }
  if (not_met > 0) {
    fprintf(f,
            "\n### Not met (%zu)\n\n| target | case | expected | observed | "
            "stage | source |\n|---|---|---|---|---|---|\n",
            not_met);
    report_each_attempt(r->doc, not_met_row, f);
  }
}

static void loadgen_md(FILE *f, const struct report_result *r) {
  const json_t *d = r->doc, *cfg = json_object_get(d, "config");
  const json_t *slo = json_object_get(d, "slo");
  fputs("## Load: ", f);
  report_md_cell(f, report_str(d, "target", ""));
  fprintf(f, "\n\n");
  if (strcmp(report_str(cfg, "mode", ""), "open") == 0) {
    fprintf(f, "open loop at %.1f conn/s requested",
            report_num(cfg, "rate", 0));
  } else {
    fprintf(f, "closed loop, concurrency %.0f",
            report_num(cfg, "concurrency", 0));
  }
  fprintf(f,
          ", TLS %s, resume %s; **%.1f conn/s** achieved over %.3f s; %.0f "
          "connections, %.0f errors (%.3f%%) (`%s`)\n\n",
          report_str(cfg, "tls", "?"), report_str(cfg, "resume", "?"),
          report_num(json_object_get(d, "rate"), "achieved", 0),
          report_num(d, "measured_s", 0), report_num(d, "connections", 0),
          report_num(d, "errors", 0), 100 * report_num(d, "error_ratio", 0),
          r->path);
  fputs("| phase | count", f);
  for (int p = 0; p < REPORT_NUM_PCTS; p++) {
    fprintf(f, " | %s", report_pcts[p].label);
  }
  fputs(" |\n|---|--:", f);
  for (int p = 0; p < REPORT_NUM_PCTS; p++) fputs("|--:", f);
  fputs("|\n", f);
  for (int i = 0; i < REPORT_NUM_PHASES; i++) {
    const json_t *ph =
        json_object_get(json_object_get(d, "phases"), report_phases[i]);
    if (ph == NULL) continue;
    fprintf(f, "| %s | %.0f", report_phases[i], report_num(ph, "count", 0));
    for (int p = 0; p < REPORT_NUM_PCTS; p++) {
      char v[32];
      report_format_ns(v, sizeof(v), report_num(ph, report_pcts[p].key, -1));
      fprintf(f, " | %s", v);
    }
    fputs(" |\n", f);
  }
  if (json_array_size(slo) > 0) {
    bool all_ok = true;
    size_t i;
    const json_t *c;
    json_array_foreach(slo, i, c) {
      all_ok = all_ok && json_is_true(json_object_get(c, "ok"));
    }
    fprintf(f, "\n**SLO: %s**\n\n", all_ok ? "met" : "VIOLATED");
    json_array_foreach(slo, i, c) {
      bool ok = json_is_true(json_object_get(c, "ok"));
      const char *text = report_str(c, "slo", "");
      char measured[48];
      report_format_slo(measured, sizeof(measured), text,
                        report_num(c, "value", 0));
      fprintf(f, "- %s `", ok ? "ok" : "**VIOLATED**");
      report_md_cell(f, text);
      fprintf(f, "` (measured %s)\n", measured);
    }
  }
}

int report_md_main(int argc, char **argv) {
  static const struct option opts[] = {{"output", required_argument, 0, 'o'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
  const char *output = NULL;
  int c;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":o:h", opts, NULL)) != -1) {
    switch (c) {
      case 'o':
        output = optarg;
        break;
      case 'h':
        report_md_usage(stdout);
        return MTK_EXIT_OK;
      default:
        return mtk_cli_option_error(c, argv);
    }
  }
  if (optind == argc) {
    return mtk_cli_usage_error("report md needs at least one RESULT file");
  }
  struct report_out out;
  int status = report_out_open(&out);
  for (int i = optind; status == 0 && i < argc; i++) {
    struct report_result r;
    status = report_result_load(argv[i], &r);
    if (status != 0) break;
    if (i > optind) fputc('\n', out.f);
    if (r.kind == REPORT_PROBE) {
      probe_md(out.f, &r);
    } else {
      loadgen_md(out.f, &r);
    }
    report_result_free(&r);
  }
  if (status != 0) {
    report_out_abort(&out);
    return status;
  }
  return report_out_finish(&out, output);
}
