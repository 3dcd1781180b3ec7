#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "plan.h"

// An in-memory manifest: ok, nocert, two (expired+revoked), eku (no
// nginx cell is missing, but cloudflare has none), crl (other trust).
// Writable strings for the non-const fields (-Wwrite-strings).
#define S(text) ((char[]){text})
static char *trust_names[] = {S("default"), S("crl-expired")};
static struct mtk_probe_case cases[] = {
    {S("ok"),
     {MTK_DEFECT_NONE},
     1,
     S("default"),
     S("p256"),
     S("c"),
     S("k"),
     MTK_PROBE_VERDICT_ACCEPT,
     NULL,
     NULL,
     {{NULL, false}},
     0},
    {S("nocert"),
     {MTK_DEFECT_NO_CERTIFICATE},
     1,
     S("default"),
     NULL,
     NULL,
     NULL,
     MTK_PROBE_VERDICT_UNKNOWN,
     NULL,
     NULL,
     {{NULL, false}},
     0},
    {S("two"),
     {MTK_DEFECT_EXPIRED, MTK_DEFECT_REVOKED},
     2,
     S("default"),
     S("p256"),
     S("c"),
     S("k"),
     MTK_PROBE_VERDICT_REJECT,
     NULL,
     NULL,
     {{NULL, false}},
     0},
    {S("eku"),
     {MTK_DEFECT_EKU_SERVER_ONLY},
     1,
     S("default"),
     NULL,
     S("c"),
     S("k"),
     MTK_PROBE_VERDICT_UNKNOWN,
     NULL,
     NULL,
     {{NULL, false}},
     0},
    {S("crl"),
     {MTK_DEFECT_CRL_EXPIRED},
     1,
     S("crl-expired"),
     NULL,
     S("c"),
     S("k"),
     MTK_PROBE_VERDICT_UNKNOWN,
     NULL,
     NULL,
     {{NULL, false}},
     0},
    {S("ed"),
     {MTK_DEFECT_NONE},
     1,
     S("default"),
     S("ed25519"),
     S("c"),
     S("k"),
     MTK_PROBE_VERDICT_ACCEPT,
     NULL,
     NULL,
     {{NULL, false}},
     0},
};
static struct mtk_probe_manifest manifest = {NULL, trust_names, 2, cases, 6};

static void add_target(struct mtk_probe_config *c, const char *name,
                       const char *profile, int tls, const char *override) {
  struct mtk_probe_target t;
  mtk_probe_target_init(&t);
  t.name = strdup(name);
  t.url = strdup("https://127.0.0.1:1/");
  t.profile = mtk_probe_profile_find(profile);
  t.tls = tls;
  if (override != NULL) {
    ck_assert_int_eq(mtk_probe_target_add_override(&t, override, NULL), 0);
  }
  ck_assert_int_eq(mtk_probe_config_add_target(c, &t, NULL), 0);
}

static struct mtk_probe_attempt *find(struct mtk_probe_run *r,
                                      const char *target, const char *kase) {
  for (size_t i = 0; i < r->num_attempts; i++) {
    if (strcmp(r->attempts[i].target->name, target) == 0 &&
        strcmp(r->attempts[i].kase->name, kase) == 0) {
      return &r->attempts[i];
    }
  }
  ck_abort_msg("no attempt %s/%s", target, kase);
  return NULL;
}

static void observe(struct mtk_probe_attempt *a, enum mtk_outcome_kind k,
                    int status, int alert) {
  a->outcome.kind = k;
  a->outcome.http_status = status;
  a->outcome.alert = alert;
}

START_TEST(test_plan_expectations) {
  struct mtk_probe_config c;
  struct mtk_probe_run r = {NULL, 0, 0};
  char buf[256];
  mtk_probe_config_init(&c);
  add_target(&c, "h12", "haproxy", 12, NULL);
  add_target(&c, "cf", "cloudflare", 0, "two=http 200");
  add_target(&c, "strict", "strict", 0, NULL);
  ck_assert_int_eq(mtk_probe_plan(&c, &manifest, &r, NULL), 0);
  ck_assert_uint_eq(r.num_attempts, 18);  // 3 targets x 6 cases

  struct mtk_probe_attempt *a = find(&r, "h12", "nocert");
  ck_assert(a->run && a->specified);
  ck_assert_int_eq(mtk_probe_expect_format(buf, sizeof(buf), &a->expect), 0);
  ck_assert_str_eq(buf, "tls-alert handshake_failure");  // pinned to 1.2
  ck_assert_str_eq(a->basis, "D");
  // Two defects: either refusal is acceptable.
  a = find(&r, "h12", "two");
  ck_assert_int_eq(mtk_probe_expect_format(buf, sizeof(buf), &a->expect), 0);
  ck_assert_str_eq(
      buf, "tls-alert certificate_expired|tls-alert certificate_revoked");
  ck_assert(strstr(a->source, "CERT_HAS_EXPIRED 45; ") != NULL);
  ck_assert(!find(&r, "h12", "crl")->run);
  // No cell: unspecified, with the reason.
  a = find(&r, "cf", "eku");
  ck_assert(a->run && !a->specified);
  ck_assert_str_eq(a->source,
                   "profile cloudflare has no cell for defect eku-server-only");
  a = find(&r, "cf", "two");
  ck_assert_str_eq(a->basis, "user");
  ck_assert_str_eq(a->source, "--expect two=http 200");
  a = find(&r, "cf", "nocert");
  ck_assert_str_eq(a->basis, "D");
  // strict: verdict.strict, or derived from the defects when absent.
  a = find(&r, "strict", "ok");
  ck_assert_int_eq(mtk_probe_expect_format(buf, sizeof(buf), &a->expect), 0);
  ck_assert_str_eq(buf, "http 2xx");
  a = find(&r, "strict", "eku");
  ck_assert_int_eq(mtk_probe_expect_format(buf, sizeof(buf), &a->expect), 0);
  ck_assert_str_eq(buf, "tls-alert|reset|closed|http 4xx");
  ck_assert(strstr(a->source, "(derived from defects)") != NULL);

  // Judge: met, not met, unspecified, skipped; exit status.
  for (size_t i = 0; i < r.num_attempts; i++) {
    observe(&r.attempts[i], MTK_OUTCOME_HTTP, 200, 0);
  }
  observe(find(&r, "h12", "nocert"), MTK_OUTCOME_TLS_ALERT, 0, 40);
  observe(find(&r, "h12", "two"), MTK_OUTCOME_TLS_ALERT, 0, 44);
  observe(find(&r, "h12", "eku"), MTK_OUTCOME_TLS_ALERT, 0, 43);
  observe(find(&r, "cf", "nocert"), MTK_OUTCOME_HTTP, 403, 0);
  observe(find(&r, "cf", "eku"), MTK_OUTCOME_HTTP, 403, 0);
  observe(find(&r, "strict", "nocert"), MTK_OUTCOME_RESET, 0, 0);
  observe(find(&r, "strict", "two"), MTK_OUTCOME_HTTP, 400, 0);
  observe(find(&r, "strict", "eku"), MTK_OUTCOME_CLOSED, 0, 0);
  mtk_probe_judge(&r);
  ck_assert_int_eq(find(&r, "h12", "two")->result, MTK_PROBE_MET);
  ck_assert_int_eq(find(&r, "h12", "crl")->result, MTK_PROBE_SKIPPED);
  ck_assert_int_eq(find(&r, "cf", "eku")->result, MTK_PROBE_UNSPECIFIED);
  ck_assert_int_eq(find(&r, "cf", "two")->result, MTK_PROBE_MET);
  ck_assert_int_eq(find(&r, "strict", "two")->result, MTK_PROBE_MET);
  ck_assert_int_eq(mtk_probe_exit_status(&r, &c), MTK_EXIT_OK);
  observe(find(&r, "h12", "two"), MTK_OUTCOME_HTTP, 200, 0);
  mtk_probe_judge(&r);
  ck_assert_int_eq(find(&r, "h12", "two")->result, MTK_PROBE_NOT_MET);
  ck_assert_str_eq(mtk_probe_result_name(MTK_PROBE_NOT_MET), "not-met");
  ck_assert_int_eq(mtk_probe_exit_status(&r, &c), MTK_EXIT_CHECKS);
  // A failed ALB header check makes an attempt not met whatever its
  // outcome, also one without a profile cell; a passed check changes
  // nothing.
  observe(find(&r, "h12", "two"), MTK_OUTCOME_TLS_ALERT, 0, 44);
  find(&r, "cf", "ok")->alb.checked = true;
  mtk_probe_alb_result_fail(&find(&r, "h12", "ok")->alb, "forged");
  mtk_probe_alb_result_fail(&find(&r, "cf", "eku")->alb, "forged");
  mtk_probe_judge(&r);
  ck_assert_int_eq(find(&r, "cf", "ok")->result, MTK_PROBE_MET);
  ck_assert_int_eq(find(&r, "h12", "ok")->result, MTK_PROBE_NOT_MET);
  ck_assert_int_eq(find(&r, "cf", "eku")->result, MTK_PROBE_NOT_MET);
  ck_assert_int_eq(find(&r, "h12", "two")->result, MTK_PROBE_MET);
  ck_assert_int_eq(mtk_probe_exit_status(&r, &c), MTK_EXIT_CHECKS);
  mtk_probe_alb_result_init(&find(&r, "h12", "ok")->alb);
  mtk_probe_alb_result_init(&find(&r, "cf", "eku")->alb);
  mtk_probe_judge(&r);
  ck_assert_int_eq(find(&r, "h12", "ok")->result, MTK_PROBE_MET);
  ck_assert_int_eq(mtk_probe_exit_status(&r, &c), MTK_EXIT_OK);
  // A target whose every attempt failed to connect makes the run exit 3.
  for (size_t i = 0; i < r.num_attempts; i++) {
    if (strcmp(r.attempts[i].target->name, "cf") == 0) {
      observe(&r.attempts[i], MTK_OUTCOME_CONNECT_FAILED, 0, 0);
    }
  }
  mtk_probe_judge(&r);
  ck_assert(mtk_probe_target_unreachable(&r, &c.targets[1]));
  ck_assert(!mtk_probe_target_unreachable(&r, &c.targets[0]));
  ck_assert_int_eq(find(&r, "cf", "ok")->result, MTK_PROBE_ERROR);
  ck_assert_str_eq(mtk_probe_result_name(MTK_PROBE_ERROR), "error");
  ck_assert(mtk_probe_target_error(&r, &c.targets[1], buf, sizeof(buf)));
  ck_assert_msg(strncmp(buf, "unreachable: ", 13) == 0, "%s", buf);
  ck_assert(!mtk_probe_target_error(&r, &c.targets[0], buf, sizeof(buf)));
  ck_assert_int_eq(mtk_probe_exit_status(&r, &c), MTK_EXIT_RUNTIME);
  // A server certificate the probe does not trust: every attempt is an
  // error, one reason for the target, never NOT-MET.
  for (size_t i = 0; i < r.num_attempts; i++) {
    if (strcmp(r.attempts[i].target->name, "cf") == 0) {
      observe(&r.attempts[i], MTK_OUTCOME_SERVER_CERT_REJECTED, 0, 0);
    }
  }
  mtk_probe_judge(&r);
  size_t counts[MTK_PROBE_RESULT_COUNT] = {0};
  mtk_probe_count_results(&r, &c.targets[1], counts);
  ck_assert_uint_eq(counts[MTK_PROBE_ERROR], 5);  // 6 cases, 1 skipped
  ck_assert_uint_eq(counts[MTK_PROBE_NOT_MET], 0);
  ck_assert(mtk_probe_target_error(&r, &c.targets[1], buf, sizeof(buf)));
  ck_assert_str_eq(buf,
                   "server certificate not trusted: give --cacert FILE (the "
                   "CA that issued the server's certificate) or --insecure");
  ck_assert_int_eq(mtk_probe_exit_status(&r, &c), MTK_EXIT_RUNTIME);
  // One attempt of another target alone: an error, not a target error.
  observe(find(&r, "h12", "ok"), MTK_OUTCOME_CONNECT_FAILED, 0, 0);
  mtk_probe_judge(&r);
  ck_assert_int_eq(find(&r, "h12", "ok")->result, MTK_PROBE_ERROR);
  ck_assert(!mtk_probe_target_error(&r, &c.targets[0], NULL, 0));
  // A case not met anywhere wins over the errors: exit 1.
  observe(find(&r, "h12", "two"), MTK_OUTCOME_HTTP, 200, 0);
  mtk_probe_judge(&r);
  ck_assert_int_eq(mtk_probe_exit_status(&r, &c), MTK_EXIT_CHECKS);
  mtk_probe_run_cleanup(&r);
  mtk_probe_config_cleanup(&c);
}
END_TEST

START_TEST(test_plan_key_type) {
  struct mtk_probe_config c;
  struct mtk_probe_run r = {NULL, 0, 0};
  struct mtk_probe_attempt *a;
  char buf[256];
  mtk_probe_config_init(&c);
  // A key type API Gateway does not take replaces the "none" cell; other
  // profiles have no key-type rule.
  add_target(&c, "gw", "apigw", 0, NULL);
  add_target(&c, "h12", "haproxy", 12, NULL);
  ck_assert_int_eq(mtk_probe_plan(&c, &manifest, &r, NULL), 0);
  a = find(&r, "gw", "ed");
  ck_assert(a->specified);
  ck_assert_int_eq(mtk_probe_expect_format(buf, sizeof(buf), &a->expect), 0);
  ck_assert_str_eq(buf, "http 403|tls-alert|reset|closed");
  ck_assert_str_eq(a->basis, "I");
  ck_assert_msg(strncmp(a->source, "key type ed25519: ", 18) == 0, "%s",
                a->source);
  a = find(&r, "gw", "ok");
  ck_assert_int_eq(mtk_probe_expect_format(buf, sizeof(buf), &a->expect), 0);
  ck_assert_str_eq(buf, "http 2xx");
  a = find(&r, "h12", "ed");
  ck_assert_int_eq(mtk_probe_expect_format(buf, sizeof(buf), &a->expect), 0);
  ck_assert_str_eq(buf, "http 2xx");
  mtk_probe_run_cleanup(&r);
  mtk_probe_config_cleanup(&c);
}
END_TEST

START_TEST(test_plan_errors) {
  struct mtk_probe_config c;
  struct mtk_probe_run r = {NULL, 0, 0};
  struct mtk_diag d;
  mtk_diag_init(&d);
  mtk_probe_config_init(&c);
  add_target(&c, "x", "nginx", 0, "nosuch=reset");
  ck_assert_int_eq(mtk_probe_plan(&c, &manifest, &r, &d), MTK_EPARSE);
  ck_assert_str_eq(d.msg,
                   "target x: --expect names case 'nosuch', which the "
                   "manifest does not have");
  ck_assert_ptr_null(r.attempts);
  mtk_probe_config_cleanup(&c);
  mtk_probe_config_init(&c);
  add_target(&c, "y", "nginx", 0, NULL);
  c.targets[0].trust = strdup("wrong");
  ck_assert_int_eq(mtk_probe_plan(&c, &manifest, &r, &d), MTK_EPARSE);
  ck_assert_str_eq(d.msg,
                   "target y: the manifest has no trust variant 'wrong'");
  mtk_probe_config_cleanup(&c);
}
END_TEST

// Server trust: a second manifest with the case that needs the
// intermediate in the trust store and the leaf sent without it.
static char *ri_trust_names[] = {S("default"), S("root+intermediate"),
                                 S("crl-expired")};
static struct mtk_probe_case ri_cases[] = {
    {S("missing"),
     {MTK_DEFECT_MISSING_INTERMEDIATE},
     1,
     S("default"),
     S("p256"),
     S("c"),
     S("k"),
     MTK_PROBE_VERDICT_REJECT,
     NULL,
     NULL,
     {{NULL, false}},
     0},
    {S("trusted-int"),
     {MTK_DEFECT_NONE},
     1,
     S("root+intermediate"),
     S("p256"),
     S("c"),
     S("k"),
     MTK_PROBE_VERDICT_ACCEPT,
     NULL,
     NULL,
     {{NULL, false}},
     0},
    {S("crl"),
     {MTK_DEFECT_CRL_EXPIRED},
     1,
     S("crl-expired"),
     NULL,
     S("c"),
     S("k"),
     MTK_PROBE_VERDICT_REJECT,
     NULL,
     NULL,
     {{NULL, false}},
     0},
};
static struct mtk_probe_manifest ri_manifest = {NULL, ri_trust_names, 3,
                                                ri_cases, 3};

START_TEST(test_plan_server_trust) {
  struct mtk_probe_config c;
  struct mtk_probe_run r = {NULL, 0, 0};
  char buf[256];
  mtk_probe_config_init(&c);
  add_target(&c, "root", "nginx", 0, NULL);
  add_target(&c, "ri", "nginx", 0, NULL);
  add_target(&c, "ri-strict", "strict", 0, NULL);
  add_target(&c, "ri-crl", "nginx", 0, NULL);
  c.targets[1].server_trust = MTK_PROBE_SERVER_TRUST_ROOT_INTERMEDIATE;
  c.targets[2].server_trust = MTK_PROBE_SERVER_TRUST_ROOT_INTERMEDIATE;
  c.targets[3].server_trust = MTK_PROBE_SERVER_TRUST_ROOT_INTERMEDIATE;
  c.targets[3].trust = strdup("crl-expired");
  ck_assert_int_eq(mtk_probe_plan(&c, &ri_manifest, &r, NULL), 0);
  // Root only: the leaf without its intermediate must be refused, the case
  // needing the intermediate does not run.
  struct mtk_probe_attempt *a = find(&r, "root", "missing");
  ck_assert_int_eq(mtk_probe_expect_format(buf, sizeof(buf), &a->expect), 0);
  ck_assert_str_eq(buf, "http 400");
  ck_assert(!find(&r, "root", "trusted-int")->run);
  // Root + intermediate: it is a valid client, and the other case runs.
  a = find(&r, "ri", "missing");
  ck_assert(a->run);
  ck_assert_int_eq(mtk_probe_expect_format(buf, sizeof(buf), &a->expect), 0);
  ck_assert_str_eq(buf, "http 2xx");
  ck_assert(strstr(a->source, "server trusts root+intermediate") != NULL);
  ck_assert(find(&r, "ri", "trusted-int")->run);
  ck_assert(!find(&r, "ri", "crl")->run);
  // strict follows: the manifest's reject becomes accept.
  a = find(&r, "ri-strict", "missing");
  ck_assert_int_eq(mtk_probe_expect_format(buf, sizeof(buf), &a->expect), 0);
  ck_assert_str_eq(buf, "http 2xx");
  // A CRL variant stays as it is: only its own cases run.
  ck_assert(find(&r, "ri-crl", "crl")->run);
  ck_assert(!find(&r, "ri-crl", "trusted-int")->run);
  ck_assert(!find(&r, "ri-crl", "missing")->run);
  ck_assert_str_eq(mtk_probe_server_trust_name(c.targets[1].server_trust),
                   "root+intermediate");
  enum mtk_probe_server_trust st;
  ck_assert_int_eq(mtk_probe_server_trust_parse("root", &st), 0);
  ck_assert_int_eq(st, MTK_PROBE_SERVER_TRUST_ROOT);
  ck_assert_int_eq(mtk_probe_server_trust_parse("intermediate", &st),
                   MTK_EPARSE);
  mtk_probe_run_cleanup(&r);
  mtk_probe_config_cleanup(&c);
}
END_TEST

// Incomplete attempts, and the deadline derived from the work.
// A defect the profile has no cell for takes the manifest's verdict for
// the library the profile names; without one it stays unspecified.
static char *lib_trust_names[] = {S("default")};
static struct mtk_probe_case lib_cases[] = {
    {S("cn-only"),
     {MTK_DEFECT_NAME_CONSTRAINTS_NO_SAN},
     1,
     S("default"),
     S("p256"),
     S("c"),
     S("k"),
     MTK_PROBE_VERDICT_DIVERGENT,
     NULL,
     NULL,
     {{S("openssl"), true}, {S("boringssl"), false}},
     2},
    {S("outside"),
     {MTK_DEFECT_NAME_CONSTRAINTS_VIOLATED, MTK_DEFECT_NAME_CONSTRAINTS_NO_SAN},
     2,
     S("default"),
     S("p256"),
     S("c"),
     S("k"),
     MTK_PROBE_VERDICT_DIVERGENT,
     NULL,
     NULL,
     {{S("openssl"), false}},
     1},
    {S("unstated"),
     {MTK_DEFECT_SERIAL_ZERO},
     1,
     S("default"),
     S("p256"),
     S("c"),
     S("k"),
     MTK_PROBE_VERDICT_DIVERGENT,
     NULL,
     NULL,
     {{NULL, false}},
     0},
};
static struct mtk_probe_manifest lib_manifest = {NULL, lib_trust_names, 1,
                                                 lib_cases, 3};

START_TEST(test_plan_library_verdict) {
  struct mtk_probe_config c;
  struct mtk_probe_run r = {NULL, 0, 0};
  char buf[256];
  mtk_probe_config_init(&c);
  add_target(&c, "nginx", "nginx", 0, NULL);
  add_target(&c, "cf", "cloudflare", 0, NULL);
  ck_assert_int_eq(mtk_probe_plan(&c, &lib_manifest, &r, NULL), 0);
  ck_assert_int_eq(mtk_probe_case_library_verdict(&lib_cases[0], "boringssl"),
                   MTK_PROBE_VERDICT_REJECT);
  ck_assert_int_eq(mtk_probe_case_library_verdict(&lib_cases[0], NULL),
                   MTK_PROBE_VERDICT_UNKNOWN);
  struct mtk_probe_attempt *a = find(&r, "nginx", "cn-only");
  ck_assert(a->specified);
  ck_assert_int_eq(mtk_probe_expect_format(buf, sizeof(buf), &a->expect), 0);
  ck_assert_str_eq(buf, "http 2xx");  // nginx's "none" cell
  ck_assert_str_eq(a->basis, "verdict");
  ck_assert(strstr(a->source, "verdict.libraries.openssl accept") != NULL);
  a = find(&r, "nginx", "outside");
  ck_assert(a->specified);
  ck_assert_int_eq(mtk_probe_expect_format(buf, sizeof(buf), &a->expect), 0);
  ck_assert_str_eq(buf, "tls-alert|reset|closed|http 4xx");  // any refusal
  // No verdict for the library, or a profile naming none: unspecified.
  a = find(&r, "nginx", "unstated");
  ck_assert(!a->specified);
  ck_assert_str_eq(a->source,
                   "profile nginx has no cell for defect serial-zero");
  ck_assert(!find(&r, "cf", "cn-only")->specified);
  mtk_probe_run_cleanup(&r);
  mtk_probe_config_cleanup(&c);
}
END_TEST

START_TEST(test_plan_incomplete_and_deadline) {
  struct mtk_probe_config c;
  struct mtk_probe_run r = {NULL, 0, 0};
  mtk_probe_config_init(&c);
  add_target(&c, "h", "haproxy", 0, NULL);     // alerts matter: re-probes
  add_target(&c, "h12", "haproxy", 12, NULL);  // pinned to 1.2: none
  ck_assert_int_eq(mtk_probe_plan(&c, &manifest, &r, NULL), 0);
  ck_assert(find(&r, "h", "nocert")->alert_matters);
  ck_assert(!find(&r, "h12", "nocert")->alert_matters);
  ck_assert(!find(&r, "h", "ok")->alert_matters);
  // 5 attempts each run; timeout 35 s, parallel 32: W = 5*70 + 5*35 s,
  // the worst target (5/32 + 1) * 70 s; plus 10 s.
  uint64_t want =
      (uint64_t)((5.0 * 70000 + 5.0 * 35000) / 32 + (5.0 / 32 + 1) * 70000) +
      10000;
  ck_assert_uint_eq(mtk_probe_work_deadline_ms(&r, &c), want);
  // A per-target limit makes the worst target's share longer.
  c.parallel_per_target = 1;
  ck_assert_uint_gt(mtk_probe_work_deadline_ms(&r, &c), want);
  // Cut by the deadline: incomplete whatever was seen; exit 3, unless
  // something is NOT-MET.
  for (size_t i = 0; i < r.num_attempts; i++) {
    observe(&r.attempts[i], MTK_OUTCOME_HTTP, 200, 0);
  }
  observe(find(&r, "h", "nocert"), MTK_OUTCOME_TLS_ALERT, 0, 116);
  observe(find(&r, "h", "two"), MTK_OUTCOME_TLS_ALERT, 0, 45);
  observe(find(&r, "h", "eku"), MTK_OUTCOME_TLS_ALERT, 0, 43);
  for (size_t i = 0; i < r.num_attempts; i++) {
    if (strcmp(r.attempts[i].target->name, "h12") == 0) {
      r.attempts[i].facts.deadline = true;
      observe(&r.attempts[i], MTK_OUTCOME_TIMEOUT, 0, 0);
    }
  }
  mtk_probe_judge(&r);
  ck_assert_int_eq(find(&r, "h12", "ok")->result, MTK_PROBE_INCOMPLETE);
  ck_assert_int_eq(find(&r, "h12", "crl")->result, MTK_PROBE_SKIPPED);
  ck_assert_str_eq(mtk_probe_result_name(MTK_PROBE_INCOMPLETE), "incomplete");
  ck_assert_int_eq(find(&r, "h", "ok")->result, MTK_PROBE_MET);
  ck_assert_int_eq(mtk_probe_exit_status(&r, &c), MTK_EXIT_RUNTIME);
  ck_assert(!mtk_probe_target_error(&r, &c.targets[1], NULL, 0));
  observe(find(&r, "h", "two"), MTK_OUTCOME_HTTP, 200, 0);
  mtk_probe_judge(&r);
  ck_assert_int_eq(mtk_probe_exit_status(&r, &c), MTK_EXIT_CHECKS);
  mtk_probe_run_cleanup(&r);
  mtk_probe_config_cleanup(&c);
}
END_TEST

static Suite *make_suite(void) {
  Suite *s = suite_create("probe_plan");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, test_plan_expectations);
  tcase_add_test(tc, test_plan_key_type);
  tcase_add_test(tc, test_plan_errors);
  tcase_add_test(tc, test_plan_server_trust);
  tcase_add_test(tc, test_plan_incomplete_and_deadline);
  tcase_add_test(tc, test_plan_library_verdict);
  suite_add_tcase(s, tc);
  return s;
}

MTK_CHECK_MAIN(make_suite)
