// The end of a `mtlskit loadgen` run: what it measured summed up as a
// table or one JSON document, and the verdict of each --slo clause.
#ifndef MTK_LOADGEN_SUMMARY_H
#define MTK_LOADGEN_SUMMARY_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "engine.h"
#include "results.h"
#include "slo.h"

#define MTK_LOADGEN_SCHEMA_VERSION 1

struct mtk_loadgen_summary {
  double elapsed_s;      // start to end of the run
  double window_s;       // the measured window (after warm-up)
  double achieved_rate;  // connections started per second in the window
  uint64_t max_lag_ns;   // open loop: latest start behind schedule
  long rss_start_kb, rss_peak_kb;
  struct mtk_net_verify_stats verify;  // server chain checks, whole run
};

// mtk_loadgen_summary_start zero-fills |s| and notes the memory in use before
// the run.
void mtk_loadgen_summary_start(struct mtk_loadgen_summary *s);

// mtk_loadgen_summary_finish fills in |s| from |run| (joined) and its |cfg|:
// the elapsed time, the measured window, the achieved rate, the schedule lag
// and the peak memory.
void mtk_loadgen_summary_finish(struct mtk_loadgen_summary *s,
                                struct mtk_loadgen_run *run,
                                const struct mtk_loadgen_config *cfg);

// mtk_loadgen_summary_print writes the summary table of a run of |cfg| against
// |url| to |out|: the target, the load, the duration, the connection
// counts, one line of percentiles per phase of |r|, the outcomes and the
// errors.
void mtk_loadgen_summary_print(FILE *out, const struct mtk_loadgen_config *cfg,
                               const struct mtk_loadgen_results *r,
                               const struct mtk_loadgen_summary *s,
                               const char *url);

// mtk_loadgen_summary_json returns the same summary as one JSON document with a
// "schema_version" (a new reference the caller releases), or NULL on
// allocation failure.
json_t *mtk_loadgen_summary_json(const struct mtk_loadgen_config *cfg,
                                 const struct mtk_loadgen_results *r,
                                 const struct mtk_loadgen_summary *s,
                                 const char *url);

// mtk_loadgen_summary_check_slo evaluates every clause of |slo| against |r| and
// the achieved rate of |s|, and sets *|out_ok| to whether all of them hold.
// Unless |table| is NULL it writes one line per clause to it. It returns
// the verdicts as a JSON array (a new reference the caller releases), or
// NULL on allocation failure.
json_t *mtk_loadgen_summary_check_slo(const struct mtk_loadgen_slo *slo,
                                      const struct mtk_loadgen_results *r,
                                      const struct mtk_loadgen_summary *s,
                                      FILE *table, bool *out_ok);

#endif  // MTK_LOADGEN_SUMMARY_H
