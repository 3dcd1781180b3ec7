// The run over time as `loadgen --json` reports it: one entry per reporting
// interval (--interval) with the connections that ended in it, their errors
// and refusals, and the p50 and p99 of each phase, so that a report can
// draw throughput, errors and latency over time from the JSON alone.
#ifndef MTK_LOADGEN_TIMELINE_H
#define MTK_LOADGEN_TIMELINE_H

#include <jansson.h>
#include <stdbool.h>

#include "results.h"

// mtk_loadgen_timeline_add appends to the array |timeline| the entry of the
// interval |r| that starts |start_s| seconds after the run started and lasts
// |length_s| seconds; |warmup| marks an interval inside --warmup. It returns
// 0 or MTK_ENOMEM.
int mtk_loadgen_timeline_add(json_t *timeline,
                             const struct mtk_loadgen_results *r,
                             double start_s, double length_s, bool warmup);

#endif  // MTK_LOADGEN_TIMELINE_H
