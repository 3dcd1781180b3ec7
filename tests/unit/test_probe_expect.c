#include <string.h>

#include "check_main.h"
#include "expect.h"

static struct mtk_outcome http(int status) {
  struct mtk_outcome o = {MTK_OUTCOME_HTTP, MTK_STAGE_HTTP, status, 0};
  return o;
}

static struct mtk_outcome alert(int a) {
  struct mtk_outcome o = {MTK_OUTCOME_TLS_ALERT, MTK_STAGE_FIRST_READ, 0, a};
  return o;
}

static struct mtk_outcome kind(enum mtk_outcome_kind k) {
  struct mtk_outcome o = {k, MTK_STAGE_FIRST_READ, 0, 0};
  return o;
}

START_TEST(test_expect_parse_and_match) {
  struct mtk_probe_expect e;
  struct mtk_outcome o;
  ck_assert_int_eq(mtk_probe_expect_parse("http 403|refused", &e, NULL), 0);
  ck_assert_uint_eq(e.num_matches, 4);
  o = http(403);
  ck_assert(mtk_probe_expect_matches(&e, &o));
  o = http(400);
  ck_assert(!mtk_probe_expect_matches(&e, &o));
  o = alert(45);
  ck_assert(mtk_probe_expect_matches(&e, &o));
  o = kind(MTK_OUTCOME_RESET);
  ck_assert(mtk_probe_expect_matches(&e, &o));
  o = kind(MTK_OUTCOME_CLOSED);
  ck_assert(mtk_probe_expect_matches(&e, &o));
  o = kind(MTK_OUTCOME_TIMEOUT);
  ck_assert(!mtk_probe_expect_matches(&e, &o));

  ck_assert_int_eq(mtk_probe_expect_parse(
                       " http 2xx | tls-alert certificate_expired ", &e, NULL),
                   0);
  o = http(204);
  ck_assert(mtk_probe_expect_matches(&e, &o));
  o = http(300);
  ck_assert(!mtk_probe_expect_matches(&e, &o));
  o = alert(45);
  ck_assert(mtk_probe_expect_matches(&e, &o));
  o = alert(44);
  ck_assert(!mtk_probe_expect_matches(&e, &o));

  ck_assert_int_eq(mtk_probe_expect_parse("tls-alert 116|http", &e, NULL), 0);
  o = alert(116);
  ck_assert(mtk_probe_expect_matches(&e, &o));
  o = http(599);
  ck_assert(mtk_probe_expect_matches(&e, &o));

  ck_assert_int_eq(mtk_probe_expect_parse("tls-alert", &e, NULL), 0);
  o = alert(80);
  ck_assert(mtk_probe_expect_matches(&e, &o));
  o = kind(MTK_OUTCOME_RESET);
  ck_assert(!mtk_probe_expect_matches(&e, &o));

  struct mtk_probe_expect empty = {0};
  o = http(200);
  ck_assert(!mtk_probe_expect_matches(&empty, &o));
}
END_TEST

START_TEST(test_expect_format_round_trip) {
  static const char *const texts[] = {
      "http 403|tls-alert|reset|closed",
      "http 2xx",
      "http",
      "tls-alert certificate_required",
      "tls-alert 200",
      "timeout|connect-failed|dns-failed|server-cert-rejected|client-error|"
      "protocol-error",
  };
  for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
    struct mtk_probe_expect e, back;
    char buf[256];
    ck_assert_int_eq(mtk_probe_expect_parse(texts[i], &e, NULL), 0);
    ck_assert_int_eq(mtk_probe_expect_format(buf, sizeof(buf), &e), 0);
    ck_assert_str_eq(buf, texts[i]);
    ck_assert_int_eq(mtk_probe_expect_parse(buf, &back, NULL), 0);
    ck_assert_uint_eq(back.num_matches, e.num_matches);
  }
  struct mtk_probe_expect e;
  char small[8];
  ck_assert_int_eq(mtk_probe_expect_parse("tls-alert 45", &e, NULL), 0);
  ck_assert_int_eq(mtk_probe_expect_format(small, sizeof(small), &e),
                   MTK_ERANGE);
  ck_assert_int_eq(mtk_probe_expect_parse("refused|refused|reset", &e, NULL),
                   0);
  ck_assert_uint_eq(e.num_matches, 3);  // duplicates collapse
}
END_TEST

START_TEST(test_expect_errors) {
  static const struct {
    const char *text;
    const char *msg;
  } bad[] = {
      {"", "empty alternative in ''"},
      {"http 403|", "empty alternative in 'http 403|'"},
      {"refusd", "unknown outcome 'refusd'"},
      {"none", "unknown outcome 'none'"},
      {"http 99", "bad HTTP status '99' (want e.g. 403 or 4xx)"},
      {"http 6xx", "bad HTTP status '6xx' (want e.g. 403 or 4xx)"},
      {"http 4x", "bad HTTP status '4x' (want e.g. 403 or 4xx)"},
      {"tls-alert nope", "unknown TLS alert 'nope'"},
      {"reset 1", "'reset' takes no argument"},
      {"refused now", "'refused' takes no argument"},
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    struct mtk_probe_expect e = {0};
    struct mtk_diag d;
    mtk_diag_init(&d);
    ck_assert_int_eq(mtk_probe_expect_parse(bad[i].text, &e, &d), MTK_EPARSE);
    ck_assert_str_eq(d.msg, bad[i].msg);
    ck_assert_uint_eq(e.num_matches, 0);  // untouched on failure
  }
  struct mtk_probe_expect e;
  ck_assert_int_eq(
      mtk_probe_expect_parse("http 200|http 201|http 202|http 203|http 204|"
                             "http 205|http 206|http 207|http 208|http 209|"
                             "http 210|http 211|http 212",
                             &e, NULL),
      MTK_ERANGE);
}
END_TEST

START_TEST(test_expect_union) {
  struct mtk_probe_expect a, b;
  ck_assert_int_eq(mtk_probe_expect_parse("tls-alert 116", &a, NULL), 0);
  ck_assert_int_eq(
      mtk_probe_expect_parse("tls-alert 40|tls-alert 116", &b, NULL), 0);
  ck_assert_int_eq(mtk_probe_expect_union(&a, &b), 0);
  ck_assert_uint_eq(a.num_matches, 2);
  struct mtk_outcome o = alert(40);
  ck_assert(mtk_probe_expect_matches(&a, &o));
}
END_TEST

static Suite *make_suite(void) {
  Suite *s = suite_create("probe_expect");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, test_expect_parse_and_match);
  tcase_add_test(tc, test_expect_format_round_trip);
  tcase_add_test(tc, test_expect_errors);
  tcase_add_test(tc, test_expect_union);
  suite_add_tcase(s, tc);
  return s;
}

MTK_CHECK_MAIN(make_suite)
