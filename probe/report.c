#include "report.h"

#include <jansson.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "connlog.h"
#include "mtlskit/junit.h"
#include "mtlskit/units.h"

static void expected_text(const struct mtk_probe_attempt *a, char *out,
                          size_t out_len) {
  if (!a->run) {
    snprintf(out, out_len, "-");
  } else if (!a->specified) {
    snprintf(out, out_len, "(unspecified)");
  } else if (mtk_probe_expect_format(out, out_len, &a->expect) != 0) {
    snprintf(out, out_len, "(too long)");
  }
}

static void observed_text(const struct mtk_probe_attempt *a, char *out,
                          size_t out_len) {
  if (!a->run) {
    snprintf(out, out_len, "-");
  } else if (mtk_outcome_format(out, out_len, &a->outcome) != 0) {
    snprintf(out, out_len, "(too long)");
  } else if (a->outcome.kind == MTK_OUTCOME_HTTP_BROKEN) {
    // Which abort it was is the point: curl 27, 56, 18, 28, 23.
    size_t used = strlen(out);
    snprintf(out + used, out_len - used, " (curl %d)", a->facts.curl_code);
  }
}

// The ALB header failures of one attempt joined into one line fit here
// (MTK_PROBE_ALB_MAX_FAILURES lines and their separators).
#define ALB_TEXT_LEN \
  (MTK_PROBE_ALB_MAX_FAILURES * (MTK_PROBE_ALB_FAILURE_LEN + 2) + 64)
#define WHY_LEN (ALB_TEXT_LEN + 1024 + 64)

// alb_text joins the ALB header failures of |a|: "f1; f2".
static void alb_text(const struct mtk_probe_attempt *a, char *out,
                     size_t out_len) {
  size_t used = 0;
  size_t shown = a->alb.num_failures < MTK_PROBE_ALB_MAX_FAILURES
                     ? a->alb.num_failures
                     : MTK_PROBE_ALB_MAX_FAILURES;
  out[0] = '\0';
  for (size_t i = 0; i < shown; i++) {
    int n = snprintf(out + used, out_len - used, "%s%s", i > 0 ? "; " : "",
                     a->alb.failures[i]);
    if (n < 0 || (size_t)n >= out_len - used) {
      return;
    }
    used += (size_t)n;
  }
  if (a->alb.num_failures > shown) {
    snprintf(out + used, out_len - used, "; and %zu more",
             a->alb.num_failures - shown);
  }
}

// outcome_met: the outcome alone met the expectation.
static bool outcome_met(const struct mtk_probe_attempt *a) {
  return a->specified && mtk_probe_expect_matches(&a->expect, &a->outcome);
}

static void why_text(const struct mtk_probe_attempt *a, char *out,
                     size_t out_len) {
  char facts[160];
  char base[1024];
  char alb[ALB_TEXT_LEN];
  if (!a->run) {
    snprintf(out, out_len, "case needs trust variant '%s'", a->kase->trust);
    return;
  }
  if (mtk_probe_facts_format(facts, sizeof(facts), &a->facts) != 0) {
    snprintf(facts, sizeof(facts), "?");
  }
  if (!outcome_met(a)) {
    snprintf(base, sizeof(base), "at %s (%s)%s%s%s%s",
             mtk_stage_name(a->outcome.stage), facts, a->specified ? "" : "; ",
             a->specified ? "" : a->source, a->detail[0] != '\0' ? "; " : "",
             a->detail);
  } else {
    snprintf(base, sizeof(base), "at %s [%s] %s",
             mtk_stage_name(a->outcome.stage), a->basis, a->source);
  }
  if (a->recovery.tried) {
    char first[96];
    size_t used = strlen(base);
    if (mtk_outcome_format(first, sizeof(first), &a->recovery.outcome) != 0) {
      snprintf(first, sizeof(first), "?");
    }
    snprintf(base + used, sizeof(base) - used,
             a->recovery.used
                 ? "; alert recovered by a read-before-write re-probe (the "
                   "request saw %s)"
                 : "; a read-before-write re-probe saw %s, no alert",
             first);
  }
  if (a->logged.looked) {
    // The stated reason leads when it is what failed.
    char logged[320];
    size_t used = strlen(base);
    if (!a->logged.found) {
      snprintf(logged, sizeof(logged), "no connection-log line");
    } else if (a->logged.wrong) {
      snprintf(logged, sizeof(logged), "logged %s, expected %s",
               a->logged.stated, a->logged.expected);
    } else {
      snprintf(logged, sizeof(logged), "logged %s", a->logged.stated);
    }
    if (a->logged.wrong) {
      char rest[sizeof(base)];
      snprintf(rest, sizeof(rest), "%s", base);
      snprintf(base, sizeof(base), "%s; %.*s", logged,
               (int)(sizeof(base) - sizeof(logged) - 3), rest);
    } else {
      snprintf(base + used, sizeof(base) - used, "; %s", logged);
    }
  }
  if (a->alb.num_failures > 0) {
    // The header check leads: it is what failed when the outcome was right.
    alb_text(a, alb, sizeof(alb));
    snprintf(out, out_len, "ALB headers: %s; %s", alb, base);
  } else if (a->alb.checked) {
    snprintf(out, out_len, "%s; ALB %s headers match", base,
             mtk_probe_alb_mode_name(a->target->alb_headers));
  } else {
    snprintf(out, out_len, "%s", base);
  }
}

static const char *tls_name(int tls) {
  return tls == 12 ? "1.2" : tls == 13 ? "1.3" : "any";
}

// result_text is the RESULT column: upper case where the run's exit
// status comes from.
static const char *result_text(enum mtk_probe_result r) {
  switch (r) {
    case MTK_PROBE_NOT_MET:
      return "NOT-MET";
    case MTK_PROBE_ERROR:
      return "ERROR";
    case MTK_PROBE_INCOMPLETE:
      return "INCOMPLETE";
    default:
      return mtk_probe_result_name(r);
  }
}

void mtk_probe_report_table(FILE *out, const struct mtk_probe_run *r,
                            const struct mtk_probe_config *c,
                            int64_t elapsed_us) {
  size_t counts[MTK_PROBE_RESULT_COUNT] = {0};
  for (size_t ti = 0; ti < c->num_targets; ti++) {
    const struct mtk_probe_target *t = &c->targets[ti];
    char error[512];
    bool target_error = mtk_probe_target_error(r, t, error, sizeof(error));
    fprintf(out, "== %s  (profile %s, trust %s%s, tls %s%s%s)%s%s\n", t->name,
            t->profile->name, t->trust != NULL ? t->trust : "default",
            t->server_trust == MTK_PROBE_SERVER_TRUST_ROOT_INTERMEDIATE
                ? ", server-trust root+intermediate"
                : "",
            tls_name(t->tls),
            t->alb_headers != MTK_PROBE_ALB_OFF ? ", alb-headers " : "",
            t->alb_headers != MTK_PROBE_ALB_OFF
                ? mtk_probe_alb_mode_name(t->alb_headers)
                : "",
            target_error ? "  ERROR: " : "", target_error ? error : "");
    fprintf(out, "%-28s %-34s %-36s %-11s %s\n", "CASE", "EXPECTED", "OBSERVED",
            "RESULT", "WHY");
    for (size_t i = 0; i < r->num_attempts; i++) {
      const struct mtk_probe_attempt *a = &r->attempts[i];
      if (a->target != t) {
        continue;
      }
      char expected[256], observed[96], why[WHY_LEN];
      expected_text(a, expected, sizeof(expected));
      observed_text(a, observed, sizeof(observed));
      why_text(a, why, sizeof(why));
      fprintf(out, "%-28s %-34s %-36s %-11s %s\n", a->kase->name, expected,
              observed, result_text(a->result), why);
    }
  }
  mtk_probe_count_results(r, NULL, counts);
  fprintf(out,
          "%zu met, %zu not met, %zu unspecified, %zu skipped, %zu "
          "incomplete, %zu error in %.2f s\n",
          counts[MTK_PROBE_MET], counts[MTK_PROBE_NOT_MET],
          counts[MTK_PROBE_UNSPECIFIED], counts[MTK_PROBE_SKIPPED],
          counts[MTK_PROBE_INCOMPLETE], counts[MTK_PROBE_ERROR],
          (double)elapsed_us / 1e6);
}

// http_version_name returns "1.0", "1.1", "2" or "3" for the facts'
// http_version, or NULL when there was no HTTP response.
static const char *http_version_name(int v) {
  switch (v) {
    case 10:
      return "1.0";
    case 11:
      return "1.1";
    case 20:
      return "2";
    case 30:
      return "3";
    default:
      return NULL;
  }
}

// observed_json: {"text", "kind", "stage", "http_status"?, "curl_code"?,
// "alert"?, "alert_name"?} of one observation.
static json_t *observed_json(const char *text, const struct mtk_outcome *oc,
                             const struct mtk_probe_facts *f) {
  const char *alert_name = mtk_tls_alert_name(oc->alert);
  json_t *o = json_pack("{s:s, s:s, s:s}", "text", text, "kind",
                        mtk_outcome_kind_name(oc->kind), "stage",
                        mtk_stage_name(oc->stage));
  if (o == NULL) {
    return NULL;
  }
  if (oc->kind == MTK_OUTCOME_HTTP || oc->kind == MTK_OUTCOME_HTTP_BROKEN) {
    json_object_set_new(o, "http_status", json_integer(oc->http_status));
  }
  if (oc->kind == MTK_OUTCOME_HTTP_BROKEN) {
    json_object_set_new(o, "curl_code", json_integer(f->curl_code));
  }
  if (oc->kind == MTK_OUTCOME_TLS_ALERT) {
    json_object_set_new(o, "alert", json_integer(oc->alert));
    json_object_set_new(
        o, "alert_name",
        alert_name != NULL ? json_string(alert_name) : json_null());
  }
  return o;
}

static json_t *facts_json(const struct mtk_probe_facts *f,
                          bool cert_requested) {
  char ssl[16];
  snprintf(ssl, sizeof(ssl), "%08lX", f->ssl_error);
  return json_pack(
      "{s:i, s:I, s:I, s:s?, s:i, s:s?, s:b, s:b, s:b, s:b, s:b}", "curl_code",
      f->curl_code, "os_errno", (json_int_t)f->os_errno, "http_status",
      (json_int_t)f->http_status, "http_version",
      http_version_name(f->http_version), "alert", f->alert, "ssl_error",
      f->ssl_error != 0 ? ssl : NULL, "tcp_connected", f->tcp_connected,
      "tls_done", f->tls_done, "cert_requested", cert_requested, "deadline",
      f->deadline, "body_capped", f->body_capped);
}

// observations_json lists both observations of a re-probed attempt, in
// the order they were made: the request, then the read-before-write
// re-probe; "judged" marks the one the result comes from.
static json_t *observations_json(const struct mtk_probe_attempt *a) {
  bool used = a->recovery.used;
  // With |used| the attempt's own fields hold the re-probe.
  const struct mtk_outcome *oc[2] = {used ? &a->recovery.outcome : &a->outcome,
                                     used ? &a->outcome : &a->recovery.outcome};
  const struct mtk_probe_facts *f[2] = {used ? &a->recovery.facts : &a->facts,
                                        used ? &a->facts : &a->recovery.facts};
  const int64_t total[2] = {used ? a->recovery.total_us : a->total_us,
                            used ? a->total_us : a->recovery.total_us};
  const char *detail[2] = {used ? a->recovery.detail : a->detail,
                           used ? a->detail : a->recovery.detail};
  static const char *const how[2] = {"request", "read-before-write"};
  json_t *list = json_array();
  for (size_t i = 0; list != NULL && i < 2; i++) {
    char text[96];
    if (mtk_outcome_format(text, sizeof(text), oc[i]) != 0) {
      snprintf(text, sizeof(text), "(too long)");
    }
    json_array_append_new(
        list, json_pack("{s:s, s:b, s:o, s:o, s:f, s:s}", "how", how[i],
                        "judged", used == (i == 1), "observed",
                        observed_json(text, oc[i], f[i]), "facts",
                        facts_json(f[i], a->cert_requested), "total_ms",
                        (double)total[i] / 1e3, "detail", detail[i]));
  }
  return list;
}

// chain_sent_json: what the client sent, {"count": N, "subjects": [...]}
// (count 0 and no subjects: no certificate; 1: the leaf only).
static json_t *chain_sent_json(const struct mtk_probe_attempt *a) {
  json_t *subjects = json_array();
  const char *p = a->chain_subjects;
  while (subjects != NULL && *p != '\0') {
    const char *nl = strchr(p, '\n');
    size_t len = nl != NULL ? (size_t)(nl - p) : strlen(p);
    json_array_append_new(subjects, json_stringn(p, len));
    p += len + (nl != NULL ? 1 : 0);
  }
  return json_pack("{s:I, s:o}", "count", (json_int_t)a->chain_count,
                   "subjects", subjects);
}

static json_t *attempt_json(const struct mtk_probe_run *r,
                            const struct mtk_probe_attempt *a) {
  char expected[256], observed[96];
  expected_text(a, expected, sizeof(expected));
  observed_text(a, observed, sizeof(observed));
  json_t *defects = json_array();
  for (size_t i = 0; i < a->kase->num_defects; i++) {
    json_array_append_new(defects,
                          json_string(mtk_defect_name(a->kase->defects[i])));
  }
  json_t *o = json_pack("{s:s, s:o, s:s, s:s, s:s}", "case", a->kase->name,
                        "defects", defects, "trust", a->kase->trust, "result",
                        mtk_probe_result_name(a->result), "expected", expected);
  if (o == NULL) {
    return NULL;
  }
  json_object_set_new(o, "basis", json_string(a->basis));
  json_object_set_new(o, "source", json_string(a->source));
  if (!a->run) {
    return o;
  }
  if (a->target->alb_headers != MTK_PROBE_ALB_OFF) {
    json_t *failures = json_array();
    for (size_t i = 0; failures != NULL && i < a->alb.num_failures &&
                       i < MTK_PROBE_ALB_MAX_FAILURES;
         i++) {
      json_array_append_new(failures, json_string(a->alb.failures[i]));
    }
    json_object_set_new(
        o, "alb_headers",
        json_pack("{s:s, s:b, s:I, s:o}", "mode",
                  mtk_probe_alb_mode_name(a->target->alb_headers), "checked",
                  a->alb.checked, "num_failures",
                  (json_int_t)a->alb.num_failures, "failures", failures));
  }
  // What a connection-log line of this attempt is matched by, and the
  // statuses it may state: `probe --rejudge` reads them back.
  char log_expected[160];
  json_object_set_new(
      o, "connection",
      json_pack(
          "{s:s?, s:I, s:I, s:I, s:I, s:s?}", "serial",
          a->kase->cert != NULL ? a->kase->serial : NULL, "port",
          (json_int_t)a->port, "local_port", (json_int_t)a->local_port,
          "started_us", (json_int_t)(r->wall_start * 1e6) + a->start_us,
          "ended_us",
          (json_int_t)(r->wall_start * 1e6) + a->start_us + a->total_us,
          "log_expected",
          mtk_probe_connlog_expected(a, log_expected, sizeof(log_expected))
              ? log_expected
              : NULL));
  json_object_set_new(o, "observed",
                      observed_json(observed, &a->outcome, &a->facts));
  json_object_set_new(o, "facts", facts_json(&a->facts, a->cert_requested));
  if (a->recovery.tried) {
    json_object_set_new(o, "observations", observations_json(a));
  }
  json_object_set_new(
      o, "timings_ms",
      json_pack("{s:f, s:f, s:f, s:f, s:f}", "start", (double)a->start_us / 1e3,
                "connect", (double)a->connect_us / 1e3, "tls",
                (double)a->tls_us / 1e3, "first_byte",
                (double)a->first_byte_us / 1e3, "total",
                (double)a->total_us / 1e3));
  json_object_set_new(o, "chain_sent", chain_sent_json(a));
  json_object_set_new(o, "detail", json_string(a->detail));
  if (a->logged.looked) {
    json_object_set_new(
        o, "connection_log",
        a->logged.found
            ? json_pack(
                  "{s:s, s:s?, s:b}", "stated", a->logged.stated, "expected",
                  a->logged.expected[0] != '\0' ? a->logged.expected : NULL,
                  "wrong_reason", a->logged.wrong)
            : json_pack("{s:n}", "stated"));
  }
  return o;
}

int mtk_probe_report_json(FILE *out, const struct mtk_probe_run *r,
                          const struct mtk_probe_config *c,
                          const struct mtk_probe_manifest *m,
                          int64_t elapsed_us) {
  size_t counts[MTK_PROBE_RESULT_COUNT] = {0};
  int err = MTK_ENOMEM;
  json_t *targets = json_array();
  json_t *doc = NULL;
  if (targets == NULL) {
    goto out;
  }
  for (size_t ti = 0; ti < c->num_targets; ti++) {
    const struct mtk_probe_target *t = &c->targets[ti];
    char error[512];
    bool target_error = mtk_probe_target_error(r, t, error, sizeof(error));
    json_t *results = json_array();
    json_t *jt = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:s?, s:o}", "name", t->name,
        "url", t->url, "profile", t->profile->name, "trust",
        t->trust != NULL ? t->trust : "default", "tls", tls_name(t->tls),
        "alb_headers", mtk_probe_alb_mode_name(t->alb_headers), "server_trust",
        mtk_probe_server_trust_name(t->server_trust), "unreachable",
        mtk_probe_target_unreachable(r, t), "error",
        target_error ? error : NULL, "results", results);
    if (jt == NULL || json_array_append_new(targets, jt) != 0) {
      goto out;
    }
    for (size_t i = 0; i < r->num_attempts; i++) {
      const struct mtk_probe_attempt *a = &r->attempts[i];
      if (a->target != t) {
        continue;
      }
      json_t *ja = attempt_json(r, a);
      if (ja == NULL || json_array_append_new(results, ja) != 0) {
        goto out;
      }
    }
  }
  mtk_probe_count_results(r, NULL, counts);
  doc = json_pack(
      "{s:i, s:s, s:s?, s:f, s:I, s:b, s:i, s:{s:I, s:I, s:I, s:I, s:I, s:I}, "
      "s:O}",
      "schema_version", MTK_PROBE_JSON_SCHEMA, "fixtures", c->fixtures,
      "generator", m->generator, "elapsed_ms", (double)elapsed_us / 1e3,
      "deadline_ms", (json_int_t)c->deadline_ms, "deadline_derived",
      c->deadline_derived, "exit_status", mtk_probe_exit_status(r, c),
      "summary", "met", (json_int_t)counts[MTK_PROBE_MET], "not_met",
      (json_int_t)counts[MTK_PROBE_NOT_MET], "unspecified",
      (json_int_t)counts[MTK_PROBE_UNSPECIFIED], "skipped",
      (json_int_t)counts[MTK_PROBE_SKIPPED], "incomplete",
      (json_int_t)counts[MTK_PROBE_INCOMPLETE], "error",
      (json_int_t)counts[MTK_PROBE_ERROR], "targets", targets);
  if (doc == NULL) {
    goto out;
  }
  char started[32];
  time_t now = time(NULL);
  if (mtk_format_time(started, sizeof(started),
                      now - (time_t)(elapsed_us / 1000000)) == 0) {
    json_object_set_new(doc, "started_at", json_string(started));
  }
  if (json_dumpf(doc, out, JSON_INDENT(2) | JSON_REAL_PRECISION(6)) != 0 ||
      fputc('\n', out) == EOF) {
    err = MTK_EIO;
    goto out;
  }
  err = 0;
out:
  json_decref(doc);
  json_decref(targets);
  return err;
}

// junit_target_error adds the one <error> testcase of a target that could
// not be probed at all.
static int junit_target_error(struct mtk_junit *j,
                              const struct mtk_probe_target *t,
                              const char *error) {
  char msg[600];
  snprintf(msg, sizeof(msg), "target %s: %s", t->name, error);
  return mtk_junit_add(j, t->name, "(target)", 0, MTK_JUNIT_ERROR, msg, NULL);
}

int mtk_probe_report_junit(const char *path, const struct mtk_probe_run *r,
                           struct mtk_diag *diag) {
  struct mtk_junit *j = NULL;
  const struct mtk_probe_target *last = NULL;
  bool target_error = false;
  char error[512] = "";
  int err = mtk_junit_new("mtlskit probe", &j);
  if (err != 0) {
    return err;
  }
  for (size_t i = 0; i < r->num_attempts; i++) {
    const struct mtk_probe_attempt *a = &r->attempts[i];
    char expected[256], observed[96], why[WHY_LEN], alb[ALB_TEXT_LEN];
    char msg[WHY_LEN + 512], body[2 * WHY_LEN + 1024];
    if (a->target != last) {
      // Attempts are grouped by target. A target that could not be probed
      // at all is one <error>, not one per case: its cases are skipped.
      last = a->target;
      target_error = mtk_probe_target_error(r, a->target, error, sizeof(error));
      if (target_error &&
          (err = junit_target_error(j, a->target, error)) != 0) {
        goto out;
      }
    }
    expected_text(a, expected, sizeof(expected));
    observed_text(a, observed, sizeof(observed));
    why_text(a, why, sizeof(why));
    alb_text(a, alb, sizeof(alb));
    enum mtk_junit_status st = MTK_JUNIT_PASSED;
    const char *m = NULL;
    const char *b = NULL;
    if (target_error && a->run) {
      st = MTK_JUNIT_SKIPPED;
      snprintf(msg, sizeof(msg), "not judged: %s", error);
      m = msg;
    } else if (a->result == MTK_PROBE_NOT_MET) {
      st = MTK_JUNIT_FAILED;
      bool bad_outcome = a->specified && !outcome_met(a);
      bool bad_alb = a->alb.num_failures > 0;
      bool bad_log = a->logged.wrong;
      snprintf(msg, sizeof(msg), "%s%s%s%s%s%s%s%s%s%s%s%s",
               bad_outcome ? "expected " : "", bad_outcome ? expected : "",
               bad_outcome ? ", observed " : "", bad_outcome ? observed : "",
               bad_outcome && bad_alb ? "; " : "",
               bad_alb ? "ALB headers: " : "", bad_alb ? alb : "",
               (bad_outcome || bad_alb) && bad_log ? "; " : "",
               bad_log ? "logged " : "", bad_log ? a->logged.stated : "",
               bad_log ? ", expected in the log " : "",
               bad_log ? a->logged.expected : "");
      snprintf(body, sizeof(body),
               "expected: %s\nobserved: %s\nstage: %s\nsource: [%s] %s\n"
               "%s%s%s"
               "why: %s\n",
               expected, observed, mtk_stage_name(a->outcome.stage), a->basis,
               a->source, bad_alb ? "alb headers: " : "", bad_alb ? alb : "",
               bad_alb ? "\n" : "", why);
      m = msg;
      b = body;
    } else if (a->result == MTK_PROBE_MET && a->logged.found) {
      // Passed: the connection log's word goes in <system-out>.
      snprintf(body, sizeof(body), "connection log: %s\n", a->logged.stated);
      b = body;
    } else if (a->result == MTK_PROBE_INCOMPLETE) {
      st = MTK_JUNIT_ERROR;
      snprintf(msg, sizeof(msg), "incomplete: %s", a->detail);
      snprintf(body, sizeof(body), "expected: %s\nwhy: %s\n", expected, why);
      m = msg;
      b = body;
    } else if (a->result == MTK_PROBE_ERROR) {
      st = MTK_JUNIT_ERROR;
      snprintf(msg, sizeof(msg), "not judged: %s", observed);
      snprintf(body, sizeof(body), "expected: %s\nobserved: %s\nwhy: %s\n",
               expected, observed, why);
      m = msg;
      b = body;
    } else if (a->result == MTK_PROBE_UNSPECIFIED ||
               a->result == MTK_PROBE_SKIPPED) {
      st = MTK_JUNIT_SKIPPED;
      snprintf(msg, sizeof(msg), "%s: %s (observed %s)",
               mtk_probe_result_name(a->result), a->run ? a->source : why,
               observed);
      m = msg;
    }
    err = mtk_junit_add(j, a->target->name, a->kase->name,
                        (double)a->total_us / 1e6, st, m, b);
    if (err != 0) {
      goto out;
    }
  }
  err = mtk_junit_write(j, path, diag);
out:
  mtk_junit_free(j);
  return err;
}
