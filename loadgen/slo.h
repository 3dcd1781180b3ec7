// Service-level objectives checked at the end of a run, for CI gating:
//   --slo 'handshake.p99<=50ms,errors<=0.1%,connect.max<1s,rate>=95'
// A clause is METRIC OP VALUE with OP one of <= < >= >. METRIC is
// PHASE.pN (a percentile, "p99.9"), PHASE.max, PHASE.mean (PHASE is
// connect, handshake, ttfb or total; VALUE a duration "50ms"), errors or
// refused or timeouts (VALUE a count, or a share of outcomes "0.1%"), or
// rate (achieved connections per second, VALUE a number).
#ifndef MTK_LOADGEN_SLO_H
#define MTK_LOADGEN_SLO_H

#include <stdbool.h>
#include <stddef.h>

#include "mtlskit/diag.h"
#include "results.h"

#define MTK_LOADGEN_SLO_MAX 16

enum mtk_loadgen_slo_metric {
  MTK_LOADGEN_SLO_PERCENTILE,
  MTK_LOADGEN_SLO_MAX_VALUE,
  MTK_LOADGEN_SLO_MEAN,
  MTK_LOADGEN_SLO_ERRORS,
  MTK_LOADGEN_SLO_REFUSED,
  MTK_LOADGEN_SLO_TIMEOUTS,
  MTK_LOADGEN_SLO_RATE,
};

enum mtk_loadgen_slo_op {
  MTK_LOADGEN_SLO_LE,
  MTK_LOADGEN_SLO_LT,
  MTK_LOADGEN_SLO_GE,
  MTK_LOADGEN_SLO_GT
};

struct mtk_loadgen_slo_clause {
  enum mtk_loadgen_slo_metric metric;
  enum mtk_loadgen_phase phase;
  double percentile;
  enum mtk_loadgen_slo_op op;
  double threshold;  // ns for phases, count or percent, per second
  bool percent;      // threshold is a share of outcomes, in percent
  char text[96];     // the clause as written
};

struct mtk_loadgen_slo {
  struct mtk_loadgen_slo_clause clauses[MTK_LOADGEN_SLO_MAX];
  size_t num_clauses;
};

// mtk_loadgen_slo_parse parses |spec| into |out|. It returns 0, or MTK_EUSAGE
// with the offending clause in |diag|.
MTK_MUST_CHECK int mtk_loadgen_slo_parse(const char *spec,
                                         struct mtk_loadgen_slo *out,
                                         struct mtk_diag *diag);

// mtk_loadgen_slo_value returns the measured value of |c|'s metric in |r| (ns,
// count, percent or per second), given the achieved |rate|.
double mtk_loadgen_slo_value(const struct mtk_loadgen_slo_clause *c,
                             const struct mtk_loadgen_results *r, double rate);

// mtk_loadgen_slo_format writes |value| (as mtk_loadgen_slo_value measures
// it for |c|) in the unit of |c|'s threshold: a duration ("104ms"), a share
// ("0.25%"), a count ("3") or a rate ("95.2/s"), at most |out_len| bytes.
void mtk_loadgen_slo_format(const struct mtk_loadgen_slo_clause *c,
                            double value, char *out, size_t out_len);

// mtk_loadgen_slo_holds reports whether |value| satisfies |c|.
bool mtk_loadgen_slo_holds(const struct mtk_loadgen_slo_clause *c,
                           double value);

#endif  // MTK_LOADGEN_SLO_H
