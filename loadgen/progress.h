// The live progress line of `mtlskit loadgen` on a terminal: rewritten in
// place once per reporting interval.
#ifndef MTK_LOADGEN_PROGRESS_H
#define MTK_LOADGEN_PROGRESS_H

#include <stdio.h>

#include "engine.h"
#include "results.h"

// mtk_loadgen_progress_print rewrites the progress line on |out| (a terminal):
// the |elapsed_s| seconds since the start, the connection rate of the last
// interval (|interval|, |interval_s| long: warm-up connections included, so
// the rate is what the server sees now, not an average), "warming up" while
// |warming_up|, the handshake p50 and p99 and the errors so far in |all|
// ("-" before the first handshake), and |run|'s connections in flight.
void mtk_loadgen_progress_print(FILE *out, struct mtk_loadgen_run *run,
                                const struct mtk_loadgen_results *all,
                                const struct mtk_loadgen_results *interval,
                                double interval_s, double elapsed_s,
                                bool warming_up);

// mtk_loadgen_progress_end ends the progress line on |out|, so that what
// follows starts on a line of its own.
void mtk_loadgen_progress_end(FILE *out);

#endif  // MTK_LOADGEN_PROGRESS_H
