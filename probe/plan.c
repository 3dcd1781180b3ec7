#include "plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const result_names[] = {
#define MTK_PROBE_RESULT_STR(name, str) str,
    MTK_PROBE_VERDICT_MAP(MTK_PROBE_RESULT_STR)
#undef MTK_PROBE_RESULT_STR
};

const char *mtk_probe_result_name(enum mtk_probe_result r) {
  if ((unsigned)r >= sizeof(result_names) / sizeof(result_names[0])) {
    return "pending";
  }
  return result_names[r];
}

static const struct mtk_probe_override *find_override(
    const struct mtk_probe_target *t, const char *case_name) {
  for (size_t i = 0; i < t->num_overrides; i++) {
    if (strcmp(t->overrides[i].case_name, case_name) == 0) {
      return &t->overrides[i];
    }
  }
  return NULL;
}

static bool only_none(const struct mtk_probe_case *k) {
  for (size_t i = 0; i < k->num_defects; i++) {
    if (k->defects[i] != MTK_DEFECT_NONE) {
      return false;
    }
  }
  return true;
}

// apply_server_trust adjusts |k|, a copy of a case, to what target |t|'s
// server trusts. With the intermediate in the trust store the leaf that
// was sent without it still chains (the store supplies the intermediate),
// so missing-intermediate is no defect there: the case is judged as a
// valid client, in every profile and in strict. It returns whether |k|
// changed.
static bool apply_server_trust(const struct mtk_probe_target *t,
                               struct mtk_probe_case *k) {
  bool changed = false;
  if (t->server_trust != MTK_PROBE_SERVER_TRUST_ROOT_INTERMEDIATE) {
    return false;
  }
  for (size_t i = 0; i < k->num_defects; i++) {
    if (k->defects[i] == MTK_DEFECT_MISSING_INTERMEDIATE) {
      k->defects[i] = MTK_DEFECT_NONE;
      changed = true;
    }
  }
  if (changed && only_none(k)) {
    k->verdict_strict = MTK_PROBE_VERDICT_ACCEPT;
  }
  return changed;
}

// case_runs reports whether case |k| runs against target |t|: its trust
// variant is the target's (the same CRLs), or it is the variant that needs
// the intermediate in the trust store and the target's server holds it
// beside the default CRLs.
static bool case_runs(const struct mtk_probe_target *t,
                      const struct mtk_probe_case *k) {
  const char *trust = t->trust != NULL ? t->trust : "default";
  if (strcmp(k->trust, trust) == 0) {
    return true;
  }
  return t->server_trust == MTK_PROBE_SERVER_TRUST_ROOT_INTERMEDIATE &&
         strcmp(trust, "default") == 0 &&
         strcmp(k->trust, MTK_PROBE_INTERMEDIATE_VARIANT) == 0;
}

// expect_from_verdict: the strict profile. Any refusal counts: a TLS
// refusal or an HTTP 4xx.
static int expect_from_verdict(const struct mtk_probe_case *k,
                               struct mtk_probe_attempt *a) {
  if (k->verdict_strict == MTK_PROBE_VERDICT_DIVERGENT) {
    // Verifiers legitimately disagree on this case (docs/fixtures.md): the
    // outcome is recorded, not judged.
    a->specified = false;
    snprintf(a->basis, sizeof(a->basis), "-");
    snprintf(a->source, sizeof(a->source),
             "manifest verdict.strict divergent: recorded, not judged");
    return 0;
  }
  bool accept =
      k->verdict_strict == MTK_PROBE_VERDICT_ACCEPT ||
      (k->verdict_strict == MTK_PROBE_VERDICT_UNKNOWN && only_none(k));
  snprintf(a->basis, sizeof(a->basis), "verdict");
  snprintf(a->source, sizeof(a->source), "manifest verdict.strict %s%s",
           accept ? "accept" : "reject",
           k->verdict_strict == MTK_PROBE_VERDICT_UNKNOWN
               ? " (derived from defects)"
               : "");
  a->specified = true;
  return mtk_probe_expect_parse(accept ? "http 2xx" : "refused|http 4xx",
                                &a->expect, NULL);
}

// expect_from_library judges case |k| by the manifest's verdict for the
// library the profile's server runs (a defect the profile has no cell
// for): accept is the profile's "none" cell, reject any refusal. It
// returns 1 when the manifest has no such verdict.
static int expect_from_library(const struct mtk_probe_target *t,
                               const struct mtk_probe_case *k,
                               struct mtk_probe_attempt *a) {
  const struct mtk_probe_profile *p = t->profile;
  enum mtk_probe_verdict v = mtk_probe_case_library_verdict(k, p->library);
  const struct mtk_probe_cell *none =
      mtk_probe_profile_cell(p, MTK_DEFECT_NONE);
  if (v == MTK_PROBE_VERDICT_UNKNOWN ||
      (v == MTK_PROBE_VERDICT_ACCEPT && none == NULL)) {
    return 1;
  }
  int err = v == MTK_PROBE_VERDICT_ACCEPT
                ? mtk_probe_cell_expect(none, t->tls, &a->expect)
                : mtk_probe_expect_parse("refused|http 4xx", &a->expect, NULL);
  if (err != 0) {
    return MTK_EINTERNAL;
  }
  a->specified = true;
  snprintf(a->basis, sizeof(a->basis), "verdict");
  snprintf(a->source, sizeof(a->source),
           "manifest verdict.libraries.%s %s (profile %s has no cell for "
           "this case's defects)",
           p->library, v == MTK_PROBE_VERDICT_ACCEPT ? "accept" : "reject",
           p->name);
  return 0;
}

static int expect_from_profile(const struct mtk_probe_target *t,
                               const struct mtk_probe_case *k,
                               struct mtk_probe_attempt *a) {
  bool any_d = false;
  bool any_o = false;
  bool any_i = false;
  size_t used = 0;
  a->expect.num_matches = 0;
  // A key type the platform does not take is refused like a defect, and
  // replaces the "none" cell (it is not a valid identity there).
  const struct mtk_probe_cell *key_cell =
      mtk_probe_profile_key_type_cell(t->profile, k->key_type);
  for (size_t i = 0; i <= k->num_defects; i++) {
    const struct mtk_probe_cell *cell;
    if (i == k->num_defects) {
      if (key_cell == NULL) {
        break;
      }
      cell = key_cell;
    } else if (key_cell != NULL && k->defects[i] == MTK_DEFECT_NONE) {
      continue;
    } else {
      cell = mtk_probe_profile_cell(t->profile, k->defects[i]);
    }
    if (cell == NULL) {
      int by_library = expect_from_library(t, k, a);
      if (by_library <= 0) {
        return by_library;
      }
      a->expect.num_matches = 0;
      a->specified = false;
      snprintf(a->basis, sizeof(a->basis), "-");
      snprintf(a->source, sizeof(a->source),
               "profile %s has no cell for defect %s", t->profile->name,
               mtk_defect_name(k->defects[i]));
      return 0;
    }
    // A case with several defects may be refused for any of them, so the
    // allowed outcomes are the union of the cells.
    struct mtk_probe_expect e;
    int err = mtk_probe_cell_expect(cell, t->tls, &e);
    if (err == 0) {
      err = mtk_probe_expect_union(&a->expect, &e);
    }
    if (err != 0) {
      return MTK_EINTERNAL;
    }
    any_d = any_d || strchr(cell->basis, 'D') != NULL;
    any_i = any_i || strchr(cell->basis, 'I') != NULL;
    any_o = any_o || strchr(cell->basis, 'O') != NULL;
    int n = snprintf(a->source + used, sizeof(a->source) - used, "%s%s%s%s",
                     used > 0 ? "; " : "", cell == key_cell ? "key type " : "",
                     cell == key_cell ? k->key_type : "",
                     cell == key_cell ? ": " : "");
    if (n > 0 && (size_t)n < sizeof(a->source) - used) {
      used += (size_t)n;
    }
    n = snprintf(a->source + used, sizeof(a->source) - used, "%s",
                 cell->source);
    if (n > 0 && (size_t)n < sizeof(a->source) - used) {
      used += (size_t)n;
    }
  }
  a->specified = true;
  snprintf(a->basis, sizeof(a->basis), "%s%s%s%s%s",
           any_d || !(any_i || any_o) ? "D" : "",
           any_d && (any_i || any_o) ? "/" : "", any_i ? "I" : "",
           any_i && any_o ? "/" : "", any_o ? "O" : "");
  return 0;
}

int mtk_probe_plan(const struct mtk_probe_config *c,
                   const struct mtk_probe_manifest *m,
                   struct mtk_probe_run *out, struct mtk_diag *diag) {
  for (size_t ti = 0; ti < c->num_targets; ti++) {
    const struct mtk_probe_target *t = &c->targets[ti];
    const char *trust = t->trust != NULL ? t->trust : "default";
    if (!mtk_probe_manifest_has_trust(m, trust)) {
      return mtk_diag_set(diag, MTK_EPARSE,
                          "target %s: the manifest has no trust variant '%s'",
                          t->name, trust);
    }
    for (size_t i = 0; i < t->num_overrides; i++) {
      if (mtk_probe_manifest_find(m, t->overrides[i].case_name) == NULL) {
        return mtk_diag_set(diag, MTK_EPARSE,
                            "target %s: --expect names case '%s', which the "
                            "manifest does not have",
                            t->name, t->overrides[i].case_name);
      }
    }
  }
  size_t n = c->num_targets * m->num_cases;
  struct mtk_probe_attempt *v = calloc(n > 0 ? n : 1, sizeof(*v));
  if (v == NULL) {
    return MTK_ENOMEM;
  }
  size_t ai = 0;
  for (size_t ti = 0; ti < c->num_targets; ti++) {
    const struct mtk_probe_target *t = &c->targets[ti];
    for (size_t ci = 0; ci < m->num_cases; ci++) {
      const struct mtk_probe_case *k = &m->cases[ci];
      struct mtk_probe_attempt *a = &v[ai++];
      struct mtk_probe_case eff = *k;  // the case as this server sees it
      bool adjusted = apply_server_trust(t, &eff);
      a->target = t;
      a->kase = k;
      a->run = case_runs(t, k);
      mtk_probe_facts_init(&a->facts);
      mtk_probe_alb_result_init(&a->alb);
      a->result = MTK_PROBE_PENDING;
      const struct mtk_probe_override *o = find_override(t, k->name);
      int err = 0;
      if (o != NULL) {
        a->expect = o->expect;
        a->specified = true;
        snprintf(a->basis, sizeof(a->basis), "user");
        snprintf(a->source, sizeof(a->source), "--expect %s=%s", o->case_name,
                 o->text);
      } else if (t->profile->from_verdict) {
        err = expect_from_verdict(&eff, a);
      } else {
        err = expect_from_profile(t, &eff, a);
      }
      if (err == 0 && adjusted && o == NULL) {
        size_t used = strlen(a->source);
        snprintf(a->source + used, sizeof(a->source) - used,
                 "; server trusts root+intermediate: missing-intermediate is "
                 "a valid client there");
      }
      if (err != 0) {
        free(v);
        return mtk_diag_set(diag, MTK_EINTERNAL,
                            "profile %s: bad expectation table",
                            t->profile->name);
      }
      a->alert_matters = a->specified && t->tls != 12 &&
                         mtk_probe_expect_names_alert(&a->expect);
    }
  }
  out->attempts = v;
  out->num_attempts = n;
  return 0;
}

void mtk_probe_run_cleanup(struct mtk_probe_run *r) {
  free(r->attempts);
  r->attempts = NULL;
  r->num_attempts = 0;
}

// is_infrastructure: the outcome ends an attempt before the endpoint has
// judged the client certificate, for a reason on the probe's side.
static bool is_infrastructure(const struct mtk_outcome *o) {
  return o->kind == MTK_OUTCOME_DNS_FAILED ||
         o->kind == MTK_OUTCOME_CONNECT_FAILED ||
         o->kind == MTK_OUTCOME_SERVER_CERT_REJECTED ||
         o->kind == MTK_OUTCOME_CLIENT_ERROR;
}

void mtk_probe_judge(struct mtk_probe_run *r) {
  for (size_t i = 0; i < r->num_attempts; i++) {
    struct mtk_probe_attempt *a = &r->attempts[i];
    bool matches =
        a->specified && mtk_probe_expect_matches(&a->expect, &a->outcome);
    if (!a->run) {
      a->result = MTK_PROBE_SKIPPED;
    } else if (a->facts.deadline ||
               (a->recovery.tried && a->recovery.facts.deadline)) {
      a->result = MTK_PROBE_INCOMPLETE;
    } else if (a->alb.num_failures > 0) {
      a->result = MTK_PROBE_NOT_MET;
    } else if (is_infrastructure(&a->outcome) && !matches) {
      a->result = MTK_PROBE_ERROR;
    } else if (!a->specified) {
      a->result = MTK_PROBE_UNSPECIFIED;
    } else if (matches && a->logged.wrong) {
      a->result = MTK_PROBE_NOT_MET;  // refused, but for another reason
    } else if (matches) {
      a->result = MTK_PROBE_MET;
    } else {
      a->result = MTK_PROBE_NOT_MET;
    }
  }
}

bool mtk_probe_target_error(const struct mtk_probe_run *r,
                            const struct mtk_probe_target *t, char *out,
                            size_t out_len) {
  size_t ran = 0;
  size_t kinds[MTK_OUTCOME_KIND_COUNT] = {0};
  const struct mtk_probe_attempt *first = NULL;
  for (size_t i = 0; i < r->num_attempts; i++) {
    const struct mtk_probe_attempt *a = &r->attempts[i];
    if (a->target != t || !a->run) {
      continue;
    }
    ran++;
    if (a->result != MTK_PROBE_ERROR) {
      return false;
    }
    if (first == NULL) {
      first = a;
    }
    if ((unsigned)a->outcome.kind < MTK_OUTCOME_KIND_COUNT) {
      kinds[a->outcome.kind]++;
    }
  }
  if (ran == 0) {
    return false;
  }
  if (out == NULL || out_len == 0) {
    return true;
  }
  if (kinds[MTK_OUTCOME_SERVER_CERT_REJECTED] == ran) {
    snprintf(out, out_len,
             "server certificate not trusted: give --cacert FILE (the CA "
             "that issued the server's certificate) or --insecure");
  } else if (kinds[MTK_OUTCOME_DNS_FAILED] +
                 kinds[MTK_OUTCOME_CONNECT_FAILED] ==
             ran) {
    snprintf(out, out_len,
             "unreachable: every attempt failed to resolve or connect (%s)",
             first->detail);
  } else if (kinds[MTK_OUTCOME_CLIENT_ERROR] == ran) {
    snprintf(out, out_len, "every attempt failed on the probe's side (%s)",
             first->detail);
  } else {
    snprintf(out, out_len,
             "no attempt reached the endpoint's verdict (%zu unreachable, "
             "%zu server certificate not trusted, %zu local errors)",
             kinds[MTK_OUTCOME_DNS_FAILED] + kinds[MTK_OUTCOME_CONNECT_FAILED],
             kinds[MTK_OUTCOME_SERVER_CERT_REJECTED],
             kinds[MTK_OUTCOME_CLIENT_ERROR]);
  }
  return true;
}

bool mtk_probe_target_unreachable(const struct mtk_probe_run *r,
                                  const struct mtk_probe_target *t) {
  size_t ran = 0;
  for (size_t i = 0; i < r->num_attempts; i++) {
    const struct mtk_probe_attempt *a = &r->attempts[i];
    if (a->target != t || !a->run) {
      continue;
    }
    ran++;
    if (a->outcome.kind != MTK_OUTCOME_DNS_FAILED &&
        a->outcome.kind != MTK_OUTCOME_CONNECT_FAILED) {
      return false;
    }
  }
  return ran > 0;
}

void mtk_probe_count_results(const struct mtk_probe_run *r,
                             const struct mtk_probe_target *t, size_t *counts) {
  for (size_t i = 0; i < r->num_attempts; i++) {
    const struct mtk_probe_attempt *a = &r->attempts[i];
    if ((t == NULL || a->target == t) &&
        (unsigned)a->result < MTK_PROBE_RESULT_COUNT) {
      counts[a->result]++;
    }
  }
}

int mtk_probe_exit_status(const struct mtk_probe_run *r,
                          const struct mtk_probe_config *c) {
  size_t counts[MTK_PROBE_RESULT_COUNT] = {0};
  (void)c;
  mtk_probe_count_results(r, NULL, counts);
  if (counts[MTK_PROBE_NOT_MET] > 0) {
    return MTK_EXIT_CHECKS;
  }
  if (counts[MTK_PROBE_ERROR] > 0 || counts[MTK_PROBE_INCOMPLETE] > 0) {
    return MTK_EXIT_RUNTIME;
  }
  return MTK_EXIT_OK;
}

static uint64_t target_timeout_ms(const struct mtk_probe_target *t,
                                  const struct mtk_probe_config *c) {
  return t->timeout_ms != 0 ? t->timeout_ms : c->timeout_ms;
}

uint64_t mtk_probe_work_deadline_ms(const struct mtk_probe_run *r,
                                    const struct mtk_probe_config *c) {
  double p = c->parallel > 0 ? (double)c->parallel : 1;
  double l = c->parallel_per_target > 0 && (double)c->parallel_per_target < p
                 ? (double)c->parallel_per_target
                 : p;
  double work = 0;
  double worst = 0;
  for (size_t ti = 0; ti < c->num_targets; ti++) {
    const struct mtk_probe_target *t = &c->targets[ti];
    double n = 0;
    bool reprobe = false;
    for (size_t i = 0; i < r->num_attempts; i++) {
      const struct mtk_probe_attempt *a = &r->attempts[i];
      if (a->target == t && a->run) {
        n++;
        reprobe = reprobe || a->alert_matters;
      }
    }
    // A re-probe is one more connection of at most the same timeout.
    double each = (double)target_timeout_ms(t, c) * (reprobe ? 2 : 1);
    work += n * each;
    double own = (n / l + 1) * each;
    worst = own > worst ? own : worst;
  }
  return (uint64_t)(work / p + worst) + 10000;
}
