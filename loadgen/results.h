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

enum lg_phase {
  LG_CONNECT,    // intended start -> TCP connected (includes schedule lag)
  LG_HANDSHAKE,  // TCP connected -> TLS handshake done (accepted ones)
  LG_TTFB,       // request written -> first response byte
  LG_TOTAL,      // intended start -> connection's last response complete
  LG_NUM_PHASES,
};

// Values are nanoseconds, 1 ns .. 1 h at two significant digits.
#define LG_HIST_LOWEST 1
#define LG_HIST_HIGHEST INT64_C(3600000000000)
#define LG_HIST_SIGFIGS 2

struct lg_counts {
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

struct lg_results {
  struct mtk_hist phase[LG_NUM_PHASES];
  struct lg_counts counts;
};

// lg_phase_name returns "connect", "handshake", "ttfb" or "total".
const char *lg_phase_name(enum lg_phase phase);

// lg_results_init zeroes |r| and sets up its histograms. It returns 0 or
// MTK_ENOMEM.
MTK_MUST_CHECK int lg_results_init(struct lg_results *r);

// lg_results_cleanup frees the histograms of |r|.
void lg_results_cleanup(struct lg_results *r);

// lg_results_reset zeroes every count of |r|.
void lg_results_reset(struct lg_results *r);

// lg_results_merge adds |src| to |dst| (exact).
void lg_results_merge(struct lg_results *dst, const struct lg_results *src);

// lg_results_count_outcome counts one outcome |o|.
void lg_results_count_outcome(struct lg_results *r,
                              const struct mtk_outcome *o);

// lg_results_errors returns the outcomes that are not ok.
uint64_t lg_results_errors(const struct lg_results *r);

// lg_results_refused returns the refusals (alert, reset, close).
uint64_t lg_results_refused(const struct lg_results *r);

// lg_results_print_outcomes prints one line per outcome class on |f|.
void lg_results_print_outcomes(const struct lg_results *r, FILE *f);

// lg_results_outcomes_json returns the outcome classes as a JSON array
// (new reference), or NULL on allocation failure.
json_t *lg_results_outcomes_json(const struct lg_results *r);

#endif  // MTK_LOADGEN_RESULTS_H
