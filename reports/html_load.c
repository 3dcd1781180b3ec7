// The load part of `report html`: one or more load runs on the same axes
// (see html.h).
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "svg.h"

// Charts over time draw at most this many points per series; longer runs
// are cut into as many bins of whole intervals.
#define MAX_TIME_POINTS 600
// The percentile distribution keeps a point when it moved this far along
// the log axis (a thousandth of a decade).
#define MIN_PCT_STEP 0.001
#define MAX_RUNS 64

// A series' points, allocated for the chart and released after it.
struct points {
  double *x, *y;
  size_t n;
};

static bool points_alloc(struct points *p, size_t n) {
  p->x = calloc(n + 1, sizeof(double));
  p->y = calloc(n + 1, sizeof(double));
  p->n = 0;
  return p->x != NULL && p->y != NULL;
}

static void points_free(struct points *p, size_t n) {
  for (size_t i = 0; i < n; i++) {
    free(p[i].x);
    free(p[i].y);
  }
}

static void add_point(struct points *p, double x, double y) {
  p->x[p->n] = x;
  p->y[p->n] = y;
  p->n++;
}

static void chart(FILE *f, const char *title, struct svg_axis x,
                  struct svg_axis y, struct points *pts, const char **names,
                  const int *styles, size_t n) {
  struct svg_series series[2 * MAX_RUNS];
  for (size_t i = 0; i < n; i++) {
    series[i] =
        (struct svg_series){names[i], pts[i].n, pts[i].x, pts[i].y, styles[i]};
  }
  struct svg_chart c = {title, x, y, series, n};
  svg_line_chart(f, &c);
}

// distribution_points turns |d| into HdrHistogram's percentile plot: x is
// log10(1 / (1 - p)) after each bucket, p counted out of total + 1 so that
// the last sample has a finite place; y the bucket's value.
static void distribution_points(const struct load_dist *d, struct points *p) {
  if (!points_alloc(p, d->n + 1) || d->total == 0) return;
  add_point(p, 0, (double)d->value[0]);
  int64_t cum = 0;
  for (size_t i = 0; i < d->n; i++) {
    cum += d->count[i];
    double x = log10(1.0 / (1.0 - (double)cum / ((double)d->total + 1)));
    if (x - p->x[p->n - 1] >= MIN_PCT_STEP || i + 1 == d->n) {
      add_point(p, x, (double)d->value[i]);
    }
  }
}

static void distribution_charts(FILE *f, const struct load_run *runs,
                                size_t n) {
  fputs("<div class=\"charts\">", f);
  for (int ph = 0; ph < REPORT_NUM_PHASES; ph++) {
    struct points pts[MAX_RUNS];
    const char *names[MAX_RUNS];
    int styles[MAX_RUNS] = {0};
    for (size_t i = 0; i < n; i++) {
      distribution_points(&runs[i].dist[ph], &pts[i]);
      names[i] = runs[i].label;
      styles[i] = (int)i;
    }
    char title[64];
    snprintf(title, sizeof(title), "%s latency by percentile",
             report_phases[ph]);
    chart(f, title, (struct svg_axis){SVG_AXIS_PERCENTILE, "percentile"},
          (struct svg_axis){SVG_AXIS_DURATION, "latency"}, pts, names, styles,
          n);
    points_free(pts, n);
  }
  fputs("</div>\n", f);
}

// What a chart over time shows of a bin of intervals.
enum over_time {
  HANDSHAKE_P50,  // the worst interval's
  HANDSHAKE_P99,  // the worst interval's
  CONNECTIONS_PER_S,
  ERRORS_PER_S,
};

// bin_value returns the value of |what| over intervals [from, to) of |r|.
static double bin_value(const struct load_run *r, size_t from, size_t to,
                        enum over_time what) {
  double v = NAN, length = 0, sum = 0;
  for (size_t i = from; i < to; i++) {
    const struct load_interval *iv = &r->iv[i];
    length += iv->length_s;
    switch (what) {
      case HANDSHAKE_P50:
        if (isfinite(iv->p50[1]))
          v = isfinite(v) ? fmax(v, iv->p50[1]) : iv->p50[1];
        break;
      case HANDSHAKE_P99:
        if (isfinite(iv->p99[1]))
          v = isfinite(v) ? fmax(v, iv->p99[1]) : iv->p99[1];
        break;
      case CONNECTIONS_PER_S:
        sum += iv->connections;
        break;
      case ERRORS_PER_S:
        sum += iv->errors;
        break;
    }
  }
  if (what == CONNECTIONS_PER_S || what == ERRORS_PER_S) {
    v = length > 0 ? sum / length : NAN;
  }
  return v;
}

static void time_points(const struct load_run *r, enum over_time what,
                        struct points *p) {
  size_t bin = (r->num_iv + MAX_TIME_POINTS - 1) / MAX_TIME_POINTS;
  if (bin == 0) bin = 1;
  if (!points_alloc(p, r->num_iv / bin + 1)) return;
  for (size_t i = 0; i < r->num_iv; i += bin) {
    size_t to = i + bin < r->num_iv ? i + bin : r->num_iv;
    const struct load_interval *last = &r->iv[to - 1];
    add_point(p, last->start_s + last->length_s, bin_value(r, i, to, what));
  }
}

static void time_charts(FILE *f, const struct load_run *runs, size_t n) {
  struct svg_axis t = {SVG_AXIS_SECONDS, "time since start"};
  struct points pts[2 * MAX_RUNS];
  const char *names[2 * MAX_RUNS];
  char labels[2 * MAX_RUNS][160];
  int styles[2 * MAX_RUNS] = {0};
  fputs("<div class=\"charts\">", f);
  for (size_t i = 0; i < n; i++) {
    for (int k = 0; k < 2; k++) {
      time_points(&runs[i], k == 0 ? HANDSHAKE_P99 : HANDSHAKE_P50,
                  &pts[2 * i + k]);
      snprintf(labels[2 * i + k], sizeof(labels[0]), "%s %s", runs[i].label,
               k == 0 ? "p99" : "p50");
      names[2 * i + k] = labels[2 * i + k];
      styles[2 * i + k] = (int)(2 * i + k);
    }
  }
  chart(f, "handshake latency over time (worst interval per point)", t,
        (struct svg_axis){SVG_AXIS_DURATION, "latency"}, pts, names, styles,
        2 * n);
  points_free(pts, 2 * n);
  static const struct {
    enum over_time what;
    const char *title, *unit;
  } rates[] = {
      {CONNECTIONS_PER_S, "connections per second", "connections/s"},
      {ERRORS_PER_S, "errors per second (not ok outcomes)", "errors/s"},
  };
  for (size_t k = 0; k < sizeof(rates) / sizeof(rates[0]); k++) {
    for (size_t i = 0; i < n; i++) {
      time_points(&runs[i], rates[k].what, &pts[i]);
      names[i] = runs[i].label;
      styles[i] = (int)i;
    }
    chart(f, rates[k].title, t,
          (struct svg_axis){SVG_AXIS_NUMBER, rates[k].unit}, pts, names, styles,
          n);
    points_free(pts, n);
  }
  fputs("</div>\n", f);
}

static void td_text(FILE *f, const char *s) {
  fputs("<td>", f);
  svg_text(f, s);
  fputs("</td>", f);
}

static void td_ns(FILE *f, double ns) {
  char v[32];
  report_format_ns(v, sizeof(v), isfinite(ns) ? ns : -1);
  if (isfinite(ns)) {
    fprintf(f, "<td class=\"num\" data-ns=\"%.0f\">%s</td>", ns, v);
  } else {
    fprintf(f, "<td class=\"num\">%s</td>", v);
  }
}

static void parameters(FILE *f, const struct load_run *runs, size_t n) {
  fputs(
      "<div class=\"scroll\"><table class=\"params\"><thead><tr><th>run</th>"
      "<th>started</th><th>target</th><th>load</th><th>TLS</th><th>resume"
      "</th><th>measured</th><th>achieved</th><th>connections</th><th>"
      "errors</th></tr></thead><tbody>",
      f);
  for (size_t i = 0; i < n; i++) {
    fputs("<tr>", f);
    td_text(f, runs[i].label);
    const json_t *d = runs[i].json != NULL ? runs[i].json->doc : NULL;
    if (d == NULL) {
      fprintf(f,
              "<td colspan=\"9\">HdrHistogram log only: %zu intervals</td>"
              "</tr>",
              runs[i].num_iv);
      continue;
    }
    const json_t *cfg = json_object_get(d, "config");
    char load[96], buf[96];
    if (strcmp(report_str(cfg, "mode", ""), "open") == 0) {
      snprintf(load, sizeof(load), "open loop, %g conn/s",
               report_num(cfg, "rate", 0));
    } else {
      snprintf(load, sizeof(load), "closed loop, concurrency %.0f",
               report_num(cfg, "concurrency", 0));
    }
    td_text(f, report_str(d, "started_at", "unknown"));
    td_text(f, report_str(d, "target", ""));
    td_text(f, load);
    td_text(f, report_str(cfg, "tls", ""));
    td_text(f, report_str(cfg, "resume", ""));
    snprintf(buf, sizeof(buf), "%.3f s", report_num(d, "measured_s", 0));
    td_text(f, buf);
    snprintf(buf, sizeof(buf), "%.1f conn/s",
             report_num(json_object_get(d, "rate"), "achieved", 0));
    td_text(f, buf);
    fprintf(f, "<td class=\"num\" data-k=\"connections\">%.0f</td>",
            report_num(d, "connections", 0));
    fprintf(f, "<td class=\"num\" data-k=\"errors\">%.0f (%.3f%%)</td></tr>",
            report_num(d, "errors", 0), 100 * report_num(d, "error_ratio", 0));
  }
  fputs("</tbody></table></div>\n", f);
}

static void slo_verdicts(FILE *f, const struct load_run *runs, size_t n) {
  for (size_t i = 0; i < n; i++) {
    const json_t *slo =
        runs[i].json != NULL ? json_object_get(runs[i].json->doc, "slo") : NULL;
    if (json_array_size(slo) == 0) continue;
    bool all_ok = true;
    size_t k;
    const json_t *c;
    json_array_foreach(slo, k, c) {
      all_ok = all_ok && json_is_true(json_object_get(c, "ok"));
    }
    fprintf(f, "<h3 class=\"slo-verdict\" data-slo=\"%s\">SLO of ",
            all_ok ? "met" : "violated");
    svg_text(f, runs[i].label);
    fprintf(f, ": <span class=\"verdict %s\">%s</span></h3><ul class=\"slo\">",
            all_ok ? "ok" : "bad",
            all_ok ? "\xe2\x9c\x93 met" : "\xe2\x9c\x97 VIOLATED");
    json_array_foreach(slo, k, c) {
      bool ok = json_is_true(json_object_get(c, "ok"));
      const char *text = report_str(c, "slo", "");
      char measured[48];
      report_format_slo(measured, sizeof(measured), text,
                        report_num(c, "value", 0));
      fprintf(f, "<li class=\"%s\">%s <code>", ok ? "ok" : "bad",
              ok ? "\xe2\x9c\x93 ok" : "\xe2\x9c\x97 VIOLATED");
      svg_text(f, text);
      fprintf(f, "</code> (measured %s)</li>", measured);
    }
    fputs("</ul>\n", f);
  }
}

static void percentiles(FILE *f, const struct load_run *runs, size_t n) {
  fputs(
      "<div class=\"scroll\"><table class=\"pcts\"><thead><tr><th>run</th>"
      "<th>phase</th><th>count</th>",
      f);
  for (int p = 0; p < REPORT_NUM_PCTS; p++) {
    fprintf(f, "<th>%s</th>", report_pcts[p].label);
  }
  fputs("</tr></thead><tbody>", f);
  static const double pct_of[REPORT_NUM_PCTS] = {50, 90, 99, 99.9, 100};
  for (size_t i = 0; i < n; i++) {
    const json_t *phases = runs[i].json != NULL
                               ? json_object_get(runs[i].json->doc, "phases")
                               : NULL;
    for (int ph = 0; ph < REPORT_NUM_PHASES; ph++) {
      const json_t *pj = json_object_get(phases, report_phases[ph]);
      const struct load_dist *d = &runs[i].dist[ph];
      fprintf(f, "<tr data-run=\"%zu\" data-phase=\"%s\">", i,
              report_phases[ph]);
      td_text(f, runs[i].label);
      td_text(f, report_phases[ph]);
      fprintf(f, "<td class=\"num\">%.0f</td>",
              pj != NULL ? report_num(pj, "count", 0) : (double)d->total);
      for (int p = 0; p < REPORT_NUM_PCTS; p++) {
        double v = pj != NULL ? report_num(pj, report_pcts[p].key, NAN)
                              : load_dist_percentile(d, pct_of[p]);
        if (pj != NULL && report_num(pj, "count", 0) == 0) v = NAN;
        td_ns(f, v);
      }
      fputs("</tr>", f);
    }
  }
  fputs("</tbody></table></div>\n", f);
}

static void outcomes(FILE *f, const struct load_run *runs, size_t n) {
  fputs(
      "<div class=\"scroll\"><table class=\"outcomes\"><thead><tr><th>run"
      "</th><th>outcome</th><th>stage</th><th>count</th><th>refusal</th>"
      "</tr></thead><tbody>",
      f);
  for (size_t i = 0; i < n; i++) {
    const json_t *list = runs[i].json != NULL
                             ? json_object_get(runs[i].json->doc, "outcomes")
                             : NULL;
    size_t k;
    const json_t *o;
    json_array_foreach(list, k, o) {
      fputs("<tr>", f);
      td_text(f, runs[i].label);
      td_text(f, report_str(o, "outcome", ""));
      td_text(f, report_str(o, "stage", ""));
      fprintf(f, "<td class=\"num\">%.0f</td>", report_num(o, "count", 0));
      td_text(f, json_is_true(json_object_get(o, "refusal")) ? "yes" : "no");
      fputs("</tr>", f);
    }
  }
  fputs("</tbody></table></div>\n", f);
}

void html_load_section(FILE *f, const struct load_run *runs, size_t n) {
  if (n > MAX_RUNS) n = MAX_RUNS;
  fputs("<section class=\"load\" id=\"load\">\n<h2>Load</h2>\n", f);
  slo_verdicts(f, runs, n);
  distribution_charts(f, runs, n);
  time_charts(f, runs, n);
  fputs("<h3>Runs</h3>\n", f);
  parameters(f, runs, n);
  fputs("<h3>Latency percentiles</h3>\n", f);
  percentiles(f, runs, n);
  fputs("<h3>Outcomes</h3>\n", f);
  outcomes(f, runs, n);
  fputs("</section>\n", f);
}
