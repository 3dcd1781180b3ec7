// The engine: runs every attempt of a plan through one curl multi handle,
// at most --parallel at a time, each bounded by its timeout and all of
// them by the run's deadline, so a run always ends.
#ifndef MTK_PROBE_ENGINE_H
#define MTK_PROBE_ENGINE_H

#include <stdint.h>

#include "config.h"
#include "mtlskit/diag.h"
#include "plan.h"

#ifdef __cplusplus
extern "C" {
#endif

// mtk_probe_engine_run performs every attempt of |r| that is to run,
// filling in facts, outcome, timings and detail, and sets *out_elapsed_us
// to the wall time of the whole run. curl_global_init must have been
// called. Attempts cut short by |c|->deadline_ms end as timeouts marked
// "deadline". It returns 0, or MTK_ENOMEM / MTK_EINTERNAL if libcurl
// could not be set up (detail in |diag|).
MTK_MUST_CHECK int mtk_probe_engine_run(struct mtk_probe_run *r,
                                        const struct mtk_probe_config *c,
                                        int64_t *out_elapsed_us,
                                        struct mtk_diag *diag);

#ifdef __cplusplus
}
#endif

#endif  // MTK_PROBE_ENGINE_H
