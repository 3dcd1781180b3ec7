// mtlskit report html: one self-contained HTML page from probe --json,
// loadgen --json and loadgen --hdr-log files. The page holds its own CSS
// and SVG charts; it loads nothing (no script, font, image or style from
// anywhere), opens from disk and prints on paper.
#include "html.h"

#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mtlskit/units.h"
#include "mtlskit/version.h"
#include "report.h"
#include "svg.h"

// At most this many load runs are drawn on the same axes.
#define MAX_LOAD_RUNS 16

void report_html_usage(FILE *f) {
  fprintf(f,
          "usage: mtlskit report html RESULT... -o FILE [--history DIR] "
          "[--title TEXT]\n"
          "\n"
          "Write one self-contained HTML page (inline CSS and SVG, nothing\n"
          "loaded from anywhere) from probe --json, loadgen --json and\n"
          "loadgen --hdr-log files: a conformance matrix of cases by targets\n"
          "with the cases not met first, and for load runs the percentile\n"
          "distribution of each phase, latency, throughput and errors over\n"
          "time, percentiles, outcomes and SLO verdicts. Several load runs\n"
          "are drawn on the same axes. A loadgen --json file and an\n"
          "--hdr-log file of the same name (run.json, run.hlog) are one run.\n"
          "\n"
          "  -o, --output FILE  the page (replaced only when complete; - for\n"
          "                     standard output)\n"
          "  --history DIR      add trend charts from the earlier results\n"
          "                     (*.json) in DIR: cases met and not met, and\n"
          "                     handshake p50 and p99, per run\n"
          "  --title TEXT       the page's title (default: mtlskit report)\n"
          "  --help\n"
          "\n"
          "Exit status: 0 written, 2 usage error or an input that is not a\n"
          "readable mtlskit result or HdrHistogram log, 3 a file cannot be\n"
          "read or written, 4 internal error.\n");
}

// The stylesheet: readable on screen, on a phone and on paper; verdicts
// carry a symbol as well as a colour.
static const char stylesheet[] =
    ":root{--ok:#1a7f37;--bad:#c62828;--warn:#9a6700;--mute:#6e7781;"
    "--line:#d0d7de;--bg:#f6f8fa}"
    "*{box-sizing:border-box}"
    "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;"
    "margin:0 auto;padding:16px;max-width:1200px;color:#1f2328}"
    "h1{font-size:1.5em;margin:.2em 0}h2{font-size:1.25em;margin:1.4em 0 .4em;"
    "border-bottom:1px solid var(--line);padding-bottom:.2em}"
    "h3{font-size:1.05em;margin:1.1em 0 .3em}small{color:var(--mute);"
    "font-weight:normal;font-size:.75em}"
    ".cards{display:flex;flex-wrap:wrap;gap:10px;margin:.8em 0}"
    ".card{border:1px solid var(--line);border-radius:6px;padding:8px 12px;"
    "background:var(--bg);min-width:220px;flex:1}"
    ".card b{display:block;font-size:1.1em}"
    ".verdict.ok,.ok{color:var(--ok)}.verdict.bad,.bad{color:var(--bad)}"
    "dl.meta{display:flex;flex-wrap:wrap;gap:2px 18px;margin:.3em 0}"
    "dl.meta div{display:flex;gap:6px}dl.meta dt{color:var(--mute)}"
    "dl.meta dd{margin:0}"
    "ul.totals{list-style:none;padding:0;display:flex;flex-wrap:wrap;"
    "gap:6px 16px}"
    ".scroll{overflow-x:auto;max-width:100%}"
    "table{border-collapse:collapse;margin:.4em 0;font-size:13px}"
    "th,td{border:1px solid var(--line);padding:3px 6px;text-align:left;"
    "vertical-align:top}thead th{background:var(--bg)}"
    "td.num{text-align:right;font-variant-numeric:tabular-nums}"
    "table.matrix td{text-align:center;position:relative;min-width:2.2em;"
    "font-weight:bold}"
    "table.matrix thead th.case{vertical-align:bottom;padding:4px 2px}"
    "table.matrix thead th.case span{writing-mode:vertical-rl;"
    "transform:rotate(180deg);white-space:nowrap;font-weight:normal}"
    "table.matrix td i{display:none;position:fixed;z-index:2;"
    "margin:1.4em 0 0 "
    "-1em;width:22em;white-space:pre-line;text-align:left;font:normal 12px/1.4 "
    "system-ui,"
    "sans-serif;background:#fff;color:#1f2328;border:1px solid #8c959f;"
    "border-radius:4px;padding:6px;box-shadow:0 2px 8px #0003}"
    "table.matrix td:hover i,table.matrix td:focus i{display:block}"
    ".r-met{color:var(--ok)}.r-not-met{color:#fff;background:var(--bad)}"
    "tr.row-not-met td{background:#ffebe9}"
    "tr.row-not-met td.r-not-met{background:var(--bad)}"
    "ul.totals li.zero{color:var(--mute);background:none}"
    ".r-error{color:var(--bad)}.r-incomplete,.r-unspecified{color:var(--warn)}"
    ".r-skipped,.r-none{color:var(--mute)}"
    "p.key span{margin-right:1em;white-space:nowrap}"
    ".charts{display:grid;grid-template-columns:repeat(auto-fit,"
    "minmax(400px,1fr));gap:12px}"
    "figure.chart{margin:0;border:1px solid var(--line);border-radius:6px;"
    "padding:6px}figure.chart figcaption{font-weight:600;margin-bottom:4px}"
    "figure.chart>svg{width:100%;height:auto;display:block}"
    "figure.chart .grid line{stroke:#e4e7eb;stroke-width:1}"
    "figure.chart text{font:12px system-ui,sans-serif;fill:#57606a}"
    ".legend{list-style:none;padding:0;margin:4px 0 0;display:flex;"
    "flex-wrap:wrap;gap:2px 14px;font-size:12px}"
    ".legend svg{vertical-align:middle;margin-right:4px}"
    "ul.slo{margin:.2em 0}footer{margin-top:2em;color:var(--mute);"
    "font-size:12px}"
    "@media print{body{max-width:none;padding:0}.scroll{overflow:visible}"
    "table.matrix td i{display:none!important}"
    "section,figure{break-inside:avoid-page}}"
    "@media (max-width:600px){body{padding:8px}.card{min-width:100%}"
    ".charts{grid-template-columns:1fr}table.details{font-size:12px}}";

void html_meta(FILE *f, const char *name, const char *value) {
  fputs("<div><dt>", f);
  svg_text(f, name);
  fputs("</dt><dd>", f);
  svg_text(f, value);
  fputs("</dd></div>", f);
}

struct html_opts {
  const char *output;
  const char *history;
  const char *title;
};

static int parse_args(int argc, char **argv, struct html_opts *o) {
  static const struct option opts[] = {{"output", required_argument, 0, 'o'},
                                       {"history", required_argument, 0, 'H'},
                                       {"title", required_argument, 0, 'T'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
  o->title = "mtlskit report";
  int c;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":o:h", opts, NULL)) != -1) {
    switch (c) {
      case 'o':
        o->output = optarg;
        break;
      case 'H':
        o->history = optarg;
        break;
      case 'T':
        o->title = optarg;
        break;
      case 'h':
        report_html_usage(stdout);
        return -1;
      default:
        return mtk_cli_option_error(c, argv);
    }
  }
  if (o->output == NULL) {
    return mtk_cli_usage_error("report html needs -o FILE (- for stdout)");
  }
  if (optind == argc) {
    return mtk_cli_usage_error("report html needs at least one RESULT file");
  }
  return 0;
}

// The inputs: JSON results, and load runs (a loadgen result, a log, or
// both).
struct inputs {
  struct report_result *results;
  size_t num_results;
  struct load_run runs[MAX_LOAD_RUNS];
  size_t num_runs;
};

// stem_equal tells whether |a| and |b| name the same file but for its
// extension ("night/run.json" and "night/run.hlog").
static bool stem_equal(const char *a, const char *b) {
  const char *da = strrchr(a, '.'), *db = strrchr(b, '.');
  size_t la =
      da != NULL && strchr(da, '/') == NULL ? (size_t)(da - a) : strlen(a);
  size_t lb =
      db != NULL && strchr(db, '/') == NULL ? (size_t)(db - b) : strlen(b);
  return la == lb && strncmp(a, b, la) == 0;
}

static int new_run(struct inputs *in, const char *path, struct load_run **out) {
  if (in->num_runs == MAX_LOAD_RUNS) {
    return mtk_cli_usage_error("%s: at most %d load runs in one report", path,
                               MAX_LOAD_RUNS);
  }
  *out = &in->runs[in->num_runs++];
  load_run_init(*out, path);
  return 0;
}

// load_inputs reads every RESULT: JSON results first, then each log joins
// the loadgen result of the same name or becomes a run of its own.
static int load_inputs(int argc, char **argv, struct inputs *in) {
  in->results = calloc((size_t)argc + 1, sizeof(*in->results));
  if (in->results == NULL) return MTK_EXIT_INTERNAL;
  int status = 0;
  for (int i = optind; status == 0 && i < argc; i++) {
    bool hlog;
    if ((status = report_sniff_hdrlog(argv[i], &hlog)) != 0 || hlog) continue;
    struct report_result *r = &in->results[in->num_results];
    if ((status = report_result_load(argv[i], r)) != 0) break;
    in->num_results++;
    struct load_run *run = NULL;
    if (r->kind == REPORT_LOADGEN &&
        (status = new_run(in, argv[i], &run)) == 0) {
      status = load_run_add_json(run, r);
    }
  }
  for (int i = optind; status == 0 && i < argc; i++) {
    bool hlog;
    if ((status = report_sniff_hdrlog(argv[i], &hlog)) != 0 || !hlog) continue;
    struct load_run *run = NULL;
    for (size_t k = 0; k < in->num_runs; k++) {
      if (in->runs[k].json != NULL && in->runs[k].hlog_path == NULL &&
          stem_equal(in->runs[k].json->path, argv[i])) {
        run = &in->runs[k];
      }
    }
    if (run == NULL && (status = new_run(in, argv[i], &run)) != 0) break;
    status = load_run_add_hdrlog(run, argv[i]);
  }
  return status;
}

static void free_inputs(struct inputs *in) {
  for (size_t i = 0; i < in->num_runs; i++) load_run_free(&in->runs[i]);
  for (size_t i = 0; i < in->num_results; i++) {
    report_result_free(&in->results[i]);
  }
  free(in->results);
}

// cards writes the answers first: each probe result's verdict and each
// load run's handshake p99, rate and SLO verdict.
static void cards(FILE *f, const struct inputs *in) {
  fputs("<div class=\"cards\">", f);
  for (size_t i = 0; i < in->num_results; i++) {
    const struct report_result *r = &in->results[i];
    if (r->kind != REPORT_PROBE) continue;
    const json_t *s = json_object_get(r->doc, "summary");
    double not_met = report_num(s, "not_met", 0);
    double total = 0;
    const char *keys[] = {"met",     "not_met",    "unspecified",
                          "skipped", "incomplete", "error"};
    for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
      total += report_num(s, keys[k], 0);
    }
    fprintf(f,
            "<div class=\"card\"><b class=\"%s\">%s</b>%.0f of %.0f cases "
            "not met<br><small>",
            not_met > 0 ? "bad" : "ok",
            not_met > 0 ? "\xe2\x9c\x97 conformance NOT MET"
                        : "\xe2\x9c\x93 conformance met",
            not_met, total);
    svg_text(f, r->path);
    fputs("</small></div>", f);
  }
  for (size_t i = 0; i < in->num_runs; i++) {
    const struct load_run *run = &in->runs[i];
    char p99[32];
    double v = load_dist_percentile(&run->dist[1], 99);
    report_format_ns(p99, sizeof(p99), isfinite(v) ? v : -1);
    fprintf(f, "<div class=\"card\"><b>handshake p99 %s</b>", p99);
    if (run->json != NULL) {
      const json_t *d = run->json->doc;
      fprintf(f, "%.1f conn/s, %.3f%% errors",
              report_num(json_object_get(d, "rate"), "achieved", 0),
              100 * report_num(d, "error_ratio", 0));
    }
    fputs("<br><small>", f);
    svg_text(f, run->label);
    fputs("</small></div>", f);
  }
  fputs("</div>\n", f);
}

// probe_sections writes the section of every probe result, or with
// |details_only| their details tables.
static int probe_sections(FILE *f, const struct inputs *in, bool details_only) {
  int status = 0;
  for (size_t i = 0; status == 0 && i < in->num_results; i++) {
    if (in->results[i].kind == REPORT_PROBE) {
      status = html_probe_section(f, &in->results[i], details_only);
    }
  }
  return status;
}

static int write_page(FILE *f, const struct inputs *in,
                      const struct html_opts *o, int argc, char **argv) {
  fputs(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
      "<meta name=\"generator\" content=\"mtlskit " MTK_VERSION_STRING
      "\">"
      "<title>",
      f);
  svg_text(f, o->title);
  fprintf(f, "</title><style>%s</style></head><body>\n<header><h1>",
          stylesheet);
  svg_text(f, o->title);
  fputs("</h1></header>\n<main>\n", f);
  cards(f, in);
  // The answers first (verdicts, the matrix, the charts), then the tables
  // that back them.
  int status = probe_sections(f, in, false);
  if (status == 0 && in->num_runs > 0) {
    html_load_section(f, in->runs, in->num_runs);
  }
  if (status == 0 && o->history != NULL) {
    status = html_history_section(f, o->history, in->results, in->num_results);
  }
  if (status == 0) status = probe_sections(f, in, true);
  char now[32];
  if (mtk_format_time(now, sizeof(now), time(NULL)) != 0) now[0] = '\0';
  fprintf(f,
          "</main>\n<footer>Written by mtlskit " MTK_VERSION_STRING
          " at %s from:",
          now);
  for (int i = optind; i < argc; i++) {
    fputs(" <code>", f);
    svg_text(f, argv[i]);
    fputs("</code>", f);
  }
  fputs("</footer>\n</body></html>\n", f);
  return status;
}

int report_html_main(int argc, char **argv) {
  struct html_opts opt = {0};
  int status = parse_args(argc, argv, &opt);
  if (status != 0) return status < 0 ? MTK_EXIT_OK : status;
  struct inputs in;
  memset(&in, 0, sizeof(in));
  struct report_out out = {0};
  if ((status = load_inputs(argc, argv, &in)) == 0 &&
      (status = report_out_open(&out)) == 0) {
    status = write_page(out.f, &in, &opt, argc, argv);
    if (status == 0) {
      status = report_out_finish(
          &out, strcmp(opt.output, "-") == 0 ? NULL : opt.output);
    } else {
      report_out_abort(&out);
    }
  }
  free_inputs(&in);
  return status;
}
