// Measurements of a load generator run (see results.h).
#include "results.h"

#include <string.h>

static const char *const phase_names[MTK_LOADGEN_NUM_PHASES] = {
    "connect", "handshake", "ttfb", "total"};

const char *mtk_loadgen_phase_name(enum mtk_loadgen_phase phase) {
  return phase_names[phase];
}

int mtk_loadgen_results_init(struct mtk_loadgen_results *r) {
  memset(r, 0, sizeof(*r));
  for (int i = 0; i < MTK_LOADGEN_NUM_PHASES; i++) {
    int err = mtk_hist_init(&r->phase[i], MTK_LOADGEN_HIST_LOWEST,
                            MTK_LOADGEN_HIST_HIGHEST, MTK_LOADGEN_HIST_SIGFIGS);
    if (err != 0) {
      mtk_loadgen_results_cleanup(r);
      return err;
    }
  }
  return 0;
}

void mtk_loadgen_results_cleanup(struct mtk_loadgen_results *r) {
  for (int i = 0; i < MTK_LOADGEN_NUM_PHASES; i++) {
    mtk_hist_cleanup(&r->phase[i]);
  }
}

void mtk_loadgen_results_reset(struct mtk_loadgen_results *r) {
  for (int i = 0; i < MTK_LOADGEN_NUM_PHASES; i++) {
    mtk_hist_reset(&r->phase[i]);
  }
  memset(&r->counts, 0, sizeof(r->counts));
}

void mtk_loadgen_results_merge(struct mtk_loadgen_results *dst,
                               const struct mtk_loadgen_results *src) {
  for (int i = 0; i < MTK_LOADGEN_NUM_PHASES; i++) {
    int err = mtk_hist_merge(&dst->phase[i], &src->phase[i], NULL);
    (void)err;  // same layout by construction
  }
  const uint64_t *s = (const uint64_t *)&src->counts;
  uint64_t *d = (uint64_t *)&dst->counts;
  for (size_t i = 0; i < sizeof(src->counts) / sizeof(uint64_t); i++) {
    d[i] += s[i];
  }
}

void mtk_loadgen_results_count_outcome(struct mtk_loadgen_results *r,
                                       const struct mtk_outcome *o) {
  struct mtk_loadgen_counts *c = &r->counts;
  c->requests++;
  c->kind_stage[o->kind][o->stage]++;
  if (o->kind == MTK_OUTCOME_HTTP && o->http_status >= 100 &&
      o->http_status < 600) {
    c->http_status[o->http_status]++;
    if (o->http_status < 400) {
      c->ok++;
    }
  } else if (o->kind == MTK_OUTCOME_TLS_ALERT && o->alert >= 0 &&
             o->alert < 256) {
    c->alert[o->alert][o->stage]++;
  } else if (o->kind == MTK_OUTCOME_NONE) {
    c->ok++;  // handshake-only mode: the handshake completed
  }
}

uint64_t mtk_loadgen_results_errors(const struct mtk_loadgen_results *r) {
  return r->counts.requests - r->counts.ok;
}

uint64_t mtk_loadgen_results_refused(const struct mtk_loadgen_results *r) {
  uint64_t n = 0;
  for (int s = 0; s < MTK_STAGE_COUNT; s++) {
    n += r->counts.kind_stage[MTK_OUTCOME_TLS_ALERT][s] +
         r->counts.kind_stage[MTK_OUTCOME_RESET][s] +
         r->counts.kind_stage[MTK_OUTCOME_CLOSED][s];
  }
  return n;
}

// for_each_outcome calls |fn| for every non-zero outcome class.
static void for_each_outcome(const struct mtk_loadgen_results *r,
                             void (*fn)(void *arg, const struct mtk_outcome *o,
                                        uint64_t count),
                             void *arg) {
  const struct mtk_loadgen_counts *c = &r->counts;
  for (int k = 0; k < MTK_OUTCOME_KIND_COUNT; k++) {
    for (int s = 0; s < MTK_STAGE_COUNT; s++) {
      if (c->kind_stage[k][s] == 0) continue;
      struct mtk_outcome o = {.kind = (enum mtk_outcome_kind)k,
                              .stage = (enum mtk_stage)s};
      if (k == MTK_OUTCOME_HTTP) {
        for (int st = 100; st < 600; st++) {
          if (c->http_status[st] == 0) continue;
          o.http_status = st;
          fn(arg, &o, c->http_status[st]);
        }
      } else if (k == MTK_OUTCOME_TLS_ALERT) {
        for (int a = 0; a < 256; a++) {
          if (c->alert[a][s] == 0) continue;
          o.alert = a;
          fn(arg, &o, c->alert[a][s]);
        }
      } else {
        fn(arg, &o, c->kind_stage[k][s]);
      }
    }
  }
}

static void print_one(void *arg, const struct mtk_outcome *o, uint64_t n) {
  char text[96];
  if (o->kind == MTK_OUTCOME_NONE) {
    snprintf(text, sizeof(text), "handshake-only");
  } else if (mtk_outcome_format(text, sizeof(text), o) != 0) {
    snprintf(text, sizeof(text), "%s", mtk_outcome_kind_name(o->kind));
  }
  fprintf(arg, "  %-44s %-11s %12llu\n", text,
          o->kind == MTK_OUTCOME_HTTP || o->kind == MTK_OUTCOME_NONE
              ? ""
              : mtk_stage_name(o->stage),
          (unsigned long long)n);
}

struct top_outcome {
  struct mtk_outcome outcome;
  uint64_t count;
};

static void keep_top(void *arg, const struct mtk_outcome *o, uint64_t count) {
  struct top_outcome *top = arg;
  if (count > top->count) {
    top->outcome = *o;
    top->count = count;
  }
}

uint64_t mtk_loadgen_results_top_outcome(const struct mtk_loadgen_results *r,
                                         struct mtk_outcome *out) {
  struct top_outcome top = {0};
  for_each_outcome(r, keep_top, &top);
  *out = top.outcome;
  return top.count;
}

void mtk_loadgen_results_print_outcomes(const struct mtk_loadgen_results *r,
                                        FILE *f) {
  for_each_outcome(r, print_one, f);
}

static void json_one(void *arg, const struct mtk_outcome *o, uint64_t n) {
  json_t *arr = arg;
  char text[96];
  if (o->kind == MTK_OUTCOME_NONE) {
    snprintf(text, sizeof(text), "handshake-only");
  } else if (mtk_outcome_format(text, sizeof(text), o) != 0) {
    snprintf(text, sizeof(text), "%s", mtk_outcome_kind_name(o->kind));
  }
  json_t *j =
      json_pack("{s:s, s:s, s:s, s:I}", "outcome", text, "kind",
                o->kind == MTK_OUTCOME_NONE ? "handshake-only"
                                            : mtk_outcome_kind_name(o->kind),
                "stage", mtk_stage_name(o->stage), "count", (json_int_t)n);
  if (j == NULL) return;
  if (o->kind == MTK_OUTCOME_HTTP) {
    json_object_set_new(j, "http_status", json_integer(o->http_status));
  } else if (o->kind == MTK_OUTCOME_TLS_ALERT) {
    json_object_set_new(j, "alert", json_integer(o->alert));
    const char *name = mtk_tls_alert_name(o->alert);
    if (name != NULL) {
      json_object_set_new(j, "alert_name", json_string(name));
    }
  }
  json_object_set_new(j, "refusal", json_boolean(mtk_outcome_is_refusal(o)));
  json_array_append_new(arr, j);
}

json_t *mtk_loadgen_results_outcomes_json(const struct mtk_loadgen_results *r) {
  json_t *arr = json_array();
  if (arr != NULL) {
    for_each_outcome(r, json_one, arr);
  }
  return arr;
}
