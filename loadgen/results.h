// What a load generator run measured: one histogram per phase and the
// outcome counts. Each worker thread fills its own; they merge exactly.
#ifndef MTK_LOADGEN_RESULTS_H
#define MTK_LOADGEN_RESULTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "mtlskit/hist.h"
#include "mtlskit/outcome.h"

enum mtk_loadgen_phase {
  // intended start -> TCP connected (includes schedule lag)
  MTK_LOADGEN_CONNECT,
  // TCP connected -> TLS handshake done (accepted ones)
  MTK_LOADGEN_HANDSHAKE,
  // request written -> first response byte
  MTK_LOADGEN_TTFB,
  // intended start -> connection's last response complete
  MTK_LOADGEN_TOTAL,
  MTK_LOADGEN_NUM_PHASES,
};

// Values are nanoseconds, 1 ns .. 1 h at two significant digits.
#define MTK_LOADGEN_HIST_LOWEST 1
#define MTK_LOADGEN_HIST_HIGHEST INT64_C(3600000000000)
#define MTK_LOADGEN_HIST_SIGFIGS 2

struct mtk_loadgen_counts {
  uint64_t connections;  // connections whose outcome is counted
  uint64_t requests;     // outcomes counted (one per request attempted)
  uint64_t ok;           // HTTP status < 400, or a completed handshake
  uint64_t handshakes;   // handshakes completed and accepted
  uint64_t resumed;      // of which resumed
  uint64_t warmup;       // connections left out as warm-up
  uint64_t kind_stage[MTK_OUTCOME_KIND_COUNT][MTK_STAGE_COUNT];
  uint64_t http_status[600];
  uint64_t alert[256][MTK_STAGE_COUNT];
};

struct mtk_loadgen_results {
  struct mtk_hist phase[MTK_LOADGEN_NUM_PHASES];
  struct mtk_loadgen_counts counts;
};

// mtk_loadgen_phase_name returns "connect", "handshake", "ttfb" or "total".
const char *mtk_loadgen_phase_name(enum mtk_loadgen_phase phase);

// mtk_loadgen_results_init zeroes |r| and sets up its histograms. It returns 0
// or MTK_ENOMEM.
MTK_MUST_CHECK int mtk_loadgen_results_init(struct mtk_loadgen_results *r);

// mtk_loadgen_results_cleanup frees the histograms of |r|.
void mtk_loadgen_results_cleanup(struct mtk_loadgen_results *r);

// mtk_loadgen_results_reset zeroes every count of |r|.
void mtk_loadgen_results_reset(struct mtk_loadgen_results *r);

// mtk_loadgen_results_merge adds |src| to |dst| (exact).
void mtk_loadgen_results_merge(struct mtk_loadgen_results *dst,
                               const struct mtk_loadgen_results *src);

// mtk_loadgen_results_count_outcome counts one outcome |o|.
void mtk_loadgen_results_count_outcome(struct mtk_loadgen_results *r,
                                       const struct mtk_outcome *o);

// mtk_loadgen_results_errors returns the outcomes that are not ok.
uint64_t mtk_loadgen_results_errors(const struct mtk_loadgen_results *r);

// mtk_loadgen_results_refused returns the refusals (alert, reset, close).
uint64_t mtk_loadgen_results_refused(const struct mtk_loadgen_results *r);

// mtk_loadgen_results_top_outcome stores in *|out| the outcome class counted
// most often in |r| and returns its count (0, and *|out| zeroed, when nothing
// was counted).
uint64_t mtk_loadgen_results_top_outcome(const struct mtk_loadgen_results *r,
                                         struct mtk_outcome *out);

// mtk_loadgen_results_print_outcomes prints one line per outcome class on |f|.
void mtk_loadgen_results_print_outcomes(const struct mtk_loadgen_results *r,
                                        FILE *f);

// mtk_loadgen_results_outcomes_json returns the outcome classes as a JSON array
// (new reference), or NULL on allocation failure.
json_t *mtk_loadgen_results_outcomes_json(const struct mtk_loadgen_results *r);

#endif  // MTK_LOADGEN_RESULTS_H
