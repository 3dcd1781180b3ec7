// One entry of `loadgen --json`'s timeline per reporting interval (see
// timeline.h).
#include "timeline.h"

#include "mtlskit/error.h"

// percentiles_json returns {"connect": N, ...} with the value at |pct| of
// each phase of |r| in nanoseconds (null for an empty phase).
static json_t *percentiles_json(const struct mtk_loadgen_results *r,
                                double pct) {
  json_t *obj = json_object();
  for (int i = 0; obj != NULL && i < MTK_LOADGEN_NUM_PHASES; i++) {
    const struct mtk_hist *h = &r->phase[i];
    json_t *v = h->total_count > 0
                    ? json_integer(mtk_hist_value_at_percentile(h, pct))
                    : json_null();
    json_object_set_new(obj, mtk_loadgen_phase_name((enum mtk_loadgen_phase)i),
                        v);
  }
  return obj;
}

int mtk_loadgen_timeline_add(json_t *timeline,
                             const struct mtk_loadgen_results *r,
                             double start_s, double length_s, bool warmup) {
  uint64_t timeouts = 0;
  for (int st = 0; st < MTK_STAGE_COUNT; st++) {
    timeouts += r->counts.kind_stage[MTK_OUTCOME_TIMEOUT][st];
  }
  json_t *entry =
      json_pack("{s:f, s:f, s:b, s:I, s:I, s:I, s:I, s:I, s:o, s:o}", "start_s",
                start_s, "length_s", length_s, "warmup", warmup, "connections",
                (json_int_t)(r->counts.connections + r->counts.warmup),
                "requests", (json_int_t)r->counts.requests, "errors",
                (json_int_t)mtk_loadgen_results_errors(r), "refused",
                (json_int_t)mtk_loadgen_results_refused(r), "timeouts",
                (json_int_t)timeouts, "p50_ns", percentiles_json(r, 50.0),
                "p99_ns", percentiles_json(r, 99.0));
  if (entry == NULL || json_array_append_new(timeline, entry) != 0) {
    return MTK_ENOMEM;
  }
  return 0;
}
