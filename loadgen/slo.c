// SLO clauses (see slo.h).
#include "slo.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mtlskit/hist_report.h"
#include "mtlskit/units.h"

static int parse_clause(const char *text, struct mtk_loadgen_slo_clause *c,
                        struct mtk_diag *diag) {
  memset(c, 0, sizeof(*c));
  snprintf(c->text, sizeof(c->text), "%s", text);
  const char *op = strpbrk(text, "<>");
  if (op == NULL || op == text) {
    return mtk_diag_set(diag, MTK_EUSAGE, "--slo '%s': expected METRIC<=VALUE",
                        text);
  }
  char metric[64];
  size_t mlen = (size_t)(op - text);
  if (mlen >= sizeof(metric)) {
    return mtk_diag_set(diag, MTK_EUSAGE, "--slo '%s': metric too long", text);
  }
  memcpy(metric, text, mlen);
  metric[mlen] = '\0';
  const char *value = op + 1;
  if (*value == '=') {
    c->op = *op == '<' ? MTK_LOADGEN_SLO_LE : MTK_LOADGEN_SLO_GE;
    value++;
  } else {
    c->op = *op == '<' ? MTK_LOADGEN_SLO_LT : MTK_LOADGEN_SLO_GT;
  }
  if (*value == '\0') {
    return mtk_diag_set(diag, MTK_EUSAGE, "--slo '%s': missing value", text);
  }
  char *dot = strchr(metric, '.');
  if (dot != NULL) {
    *dot = '\0';
    const char *stat = dot + 1;
    int phase = -1;
    for (int i = 0; i < MTK_LOADGEN_NUM_PHASES; i++) {
      if (strcmp(metric, mtk_loadgen_phase_name((enum mtk_loadgen_phase)i)) ==
          0)
        phase = i;
    }
    if (phase < 0) {
      return mtk_diag_set(diag, MTK_EUSAGE,
                          "--slo '%s': unknown phase '%s' (connect, "
                          "handshake, ttfb, total)",
                          text, metric);
    }
    c->phase = (enum mtk_loadgen_phase)phase;
    if (strcmp(stat, "max") == 0) {
      c->metric = MTK_LOADGEN_SLO_MAX_VALUE;
    } else if (strcmp(stat, "mean") == 0) {
      c->metric = MTK_LOADGEN_SLO_MEAN;
    } else if (stat[0] == 'p' && stat[1] != '\0') {
      char *end;
      c->metric = MTK_LOADGEN_SLO_PERCENTILE;
      c->percentile = strtod(stat + 1, &end);
      if (*end != '\0' || c->percentile <= 0 || c->percentile > 100) {
        return mtk_diag_set(diag, MTK_EUSAGE, "--slo '%s': bad percentile '%s'",
                            text, stat);
      }
    } else {
      return mtk_diag_set(diag, MTK_EUSAGE,
                          "--slo '%s': unknown statistic '%s' (pN, max, mean)",
                          text, stat);
    }
    uint64_t ns;
    if (mtk_parse_duration_ns(value, &ns) != 0) {
      return mtk_diag_set(diag, MTK_EUSAGE,
                          "--slo '%s': '%s' is not a duration (e.g. 50ms)",
                          text, value);
    }
    c->threshold = (double)ns;
    return 0;
  }
  if (strcmp(metric, "errors") == 0 || strcmp(metric, "refused") == 0 ||
      strcmp(metric, "timeouts") == 0) {
    c->metric = metric[0] == 'e'   ? MTK_LOADGEN_SLO_ERRORS
                : metric[0] == 'r' ? MTK_LOADGEN_SLO_REFUSED
                                   : MTK_LOADGEN_SLO_TIMEOUTS;
    size_t vlen = strlen(value);
    char *end;
    if (vlen > 1 && value[vlen - 1] == '%') {
      c->percent = true;
      c->threshold = strtod(value, &end);
      if (end != value + vlen - 1 || c->threshold < 0 || c->threshold > 100) {
        return mtk_diag_set(diag, MTK_EUSAGE, "--slo '%s': bad percentage '%s'",
                            text, value);
      }
    } else {
      uint64_t n;
      if (mtk_parse_count(value, &n) != 0) {
        return mtk_diag_set(diag, MTK_EUSAGE,
                            "--slo '%s': '%s' is neither a count nor a "
                            "percentage",
                            text, value);
      }
      c->threshold = (double)n;
    }
    return 0;
  }
  if (strcmp(metric, "rate") == 0) {
    char *end;
    c->metric = MTK_LOADGEN_SLO_RATE;
    c->threshold = strtod(value, &end);
    if (*end != '\0' || c->threshold < 0) {
      return mtk_diag_set(diag, MTK_EUSAGE, "--slo '%s': bad rate '%s'", text,
                          value);
    }
    return 0;
  }
  return mtk_diag_set(diag, MTK_EUSAGE,
                      "--slo '%s': unknown metric '%s' (PHASE.pN, errors, "
                      "refused, timeouts, rate)",
                      text, metric);
}

int mtk_loadgen_slo_parse(const char *spec, struct mtk_loadgen_slo *out,
                          struct mtk_diag *diag) {
  memset(out, 0, sizeof(*out));
  char buf[1024];
  if (strlen(spec) >= sizeof(buf)) {
    return mtk_diag_set(diag, MTK_EUSAGE, "--slo: too long");
  }
  snprintf(buf, sizeof(buf), "%s", spec);
  char *save = NULL;
  for (char *tok = strtok_r(buf, ",", &save); tok != NULL;
       tok = strtok_r(NULL, ",", &save)) {
    while (*tok == ' ') tok++;
    size_t n = strlen(tok);
    while (n > 0 && tok[n - 1] == ' ') tok[--n] = '\0';
    if (out->num_clauses == MTK_LOADGEN_SLO_MAX) {
      return mtk_diag_set(diag, MTK_EUSAGE, "--slo: more than %d clauses",
                          MTK_LOADGEN_SLO_MAX);
    }
    int err = parse_clause(tok, &out->clauses[out->num_clauses], diag);
    if (err != 0) {
      return err;
    }
    out->num_clauses++;
  }
  if (out->num_clauses == 0) {
    return mtk_diag_set(diag, MTK_EUSAGE, "--slo: no clause");
  }
  return 0;
}

double mtk_loadgen_slo_value(const struct mtk_loadgen_slo_clause *c,
                             const struct mtk_loadgen_results *r, double rate) {
  const struct mtk_hist *h = &r->phase[c->phase];
  uint64_t n = 0;
  switch (c->metric) {
    case MTK_LOADGEN_SLO_PERCENTILE:
      return (double)mtk_hist_value_at_percentile(h, c->percentile);
    case MTK_LOADGEN_SLO_MAX_VALUE:
      return (double)mtk_hist_max(h);
    case MTK_LOADGEN_SLO_MEAN:
      return mtk_hist_mean(h);
    case MTK_LOADGEN_SLO_RATE:
      return rate;
    case MTK_LOADGEN_SLO_ERRORS:
      n = mtk_loadgen_results_errors(r);
      break;
    case MTK_LOADGEN_SLO_REFUSED:
      n = mtk_loadgen_results_refused(r);
      break;
    case MTK_LOADGEN_SLO_TIMEOUTS:
      for (int s = 0; s < MTK_STAGE_COUNT; s++) {
        n += r->counts.kind_stage[MTK_OUTCOME_TIMEOUT][s];
      }
      break;
  }
  if (c->percent) {
    return r->counts.requests == 0
               ? 0.0
               : 100.0 * (double)n / (double)r->counts.requests;
  }
  return (double)n;
}

bool mtk_loadgen_slo_holds(const struct mtk_loadgen_slo_clause *c,
                           double value) {
  switch (c->op) {
    case MTK_LOADGEN_SLO_LE:
      return value <= c->threshold;
    case MTK_LOADGEN_SLO_LT:
      return value < c->threshold;
    case MTK_LOADGEN_SLO_GE:
      return value >= c->threshold;
    case MTK_LOADGEN_SLO_GT:
      return value > c->threshold;
  }
  return false;
}

void mtk_loadgen_slo_format(const struct mtk_loadgen_slo_clause *c,
                            double value, char *out, size_t out_len) {
  switch (c->metric) {
    case MTK_LOADGEN_SLO_PERCENTILE:
    case MTK_LOADGEN_SLO_MAX_VALUE:
    case MTK_LOADGEN_SLO_MEAN:
      mtk_hist_report_format_ns(out, out_len, value);
      break;
    case MTK_LOADGEN_SLO_RATE:
      snprintf(out, out_len, "%.1f/s", value);
      break;
    default:  // errors, refused, timeouts
      if (c->percent) {
        snprintf(out, out_len, "%.3g%%", value);
      } else {
        snprintf(out, out_len, "%.0f", value);
      }
      break;
  }
}
