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

#define LG_SLO_MAX 16

enum lg_slo_metric {
  LG_SLO_PERCENTILE,
  LG_SLO_MAX_VALUE,
  LG_SLO_MEAN,
  LG_SLO_ERRORS,
  LG_SLO_REFUSED,
  LG_SLO_TIMEOUTS,
  LG_SLO_RATE,
};

enum lg_slo_op { LG_SLO_LE, LG_SLO_LT, LG_SLO_GE, LG_SLO_GT };

struct lg_slo_clause {
  enum lg_slo_metric metric;
  enum lg_phase phase;
  double percentile;
  enum lg_slo_op op;
  double threshold;  // ns for phases, count or percent, per second
  bool percent;      // threshold is a share of outcomes, in percent
  char text[96];     // the clause as written
};

struct lg_slo {
  struct lg_slo_clause clauses[LG_SLO_MAX];
  size_t num_clauses;
};

// lg_slo_parse parses |spec| into |out|. It returns 0, or MTK_EUSAGE with
// the offending clause in |diag|.
MTK_MUST_CHECK int lg_slo_parse(const char *spec, struct lg_slo *out,
                                struct mtk_diag *diag);

// lg_slo_value returns the measured value of |c|'s metric in |r| (ns,
// count, percent or per second), given the achieved |rate|.
double lg_slo_value(const struct lg_slo_clause *c, const struct lg_results *r,
                    double rate);

// lg_slo_holds reports whether |value| satisfies |c|.
bool lg_slo_holds(const struct lg_slo_clause *c, double value);

#endif  // MTK_LOADGEN_SLO_H
