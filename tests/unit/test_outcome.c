#include "check_main.h"
#include "mtlskit/outcome.h"

START_TEST(test_outcome_format_each_kind) {
  char buf[64];
  struct mtk_outcome o = {MTK_OUTCOME_HTTP, MTK_STAGE_HTTP, 403, 0};
  ck_assert_int_eq(mtk_outcome_format(buf, sizeof(buf), &o), 0);
  ck_assert_str_eq(buf, "http 403");
  o = (struct mtk_outcome){MTK_OUTCOME_TLS_ALERT, MTK_STAGE_FIRST_READ, 0, 116};
  ck_assert_int_eq(mtk_outcome_format(buf, sizeof(buf), &o), 0);
  ck_assert_str_eq(buf, "tls-alert certificate_required (116)");
  o.alert = 200;
  ck_assert_int_eq(mtk_outcome_format(buf, sizeof(buf), &o), 0);
  ck_assert_str_eq(buf, "tls-alert unknown (200)");
  o = (struct mtk_outcome){MTK_OUTCOME_RESET, MTK_STAGE_HANDSHAKE, 0, 0};
  ck_assert_int_eq(mtk_outcome_format(buf, sizeof(buf), &o), 0);
  ck_assert_str_eq(buf, "reset");
  ck_assert_int_eq(mtk_outcome_format(buf, 3, &o), MTK_ERANGE);
  o = (struct mtk_outcome){MTK_OUTCOME_HTTP_BROKEN, MTK_STAGE_HTTP, 200, 0};
  ck_assert_int_eq(mtk_outcome_format(buf, sizeof(buf), &o), 0);
  ck_assert_str_eq(buf, "http-broken 200");
  ck_assert(!mtk_outcome_is_refusal(&o));
}
END_TEST

START_TEST(test_outcome_names_round_trip) {
  for (int k = 0; k < MTK_OUTCOME_KIND_COUNT; k++) {
    enum mtk_outcome_kind back;
    ck_assert_int_eq(
        mtk_outcome_kind_from_name(
            mtk_outcome_kind_name((enum mtk_outcome_kind)k), &back),
        0);
    ck_assert_int_eq(back, k);
  }
  enum mtk_outcome_kind kind;
  ck_assert_int_eq(mtk_outcome_kind_from_name("refused", &kind), MTK_EPARSE);
  ck_assert_str_eq(mtk_stage_name(MTK_STAGE_FIRST_READ), "first-read");
}
END_TEST

START_TEST(test_outcome_alerts) {
  int alert = -1;
  ck_assert_str_eq(mtk_tls_alert_name(48), "unknown_ca");
  ck_assert_ptr_null(mtk_tls_alert_name(3));
  ck_assert_int_eq(mtk_tls_alert_from_name("certificate_revoked", &alert), 0);
  ck_assert_int_eq(alert, 44);
  ck_assert_int_eq(mtk_tls_alert_from_name("45", &alert), 0);
  ck_assert_int_eq(alert, 45);
  ck_assert_int_eq(mtk_tls_alert_from_name("256", &alert), MTK_EPARSE);
  ck_assert_int_eq(mtk_tls_alert_from_name("bogus", &alert), MTK_EPARSE);
}
END_TEST

START_TEST(test_outcome_refusal_classes) {
  struct mtk_outcome o = {MTK_OUTCOME_CLOSED, MTK_STAGE_FIRST_READ, 0, 0};
  ck_assert(mtk_outcome_is_refusal(&o));
  o.kind = MTK_OUTCOME_TLS_ALERT;
  ck_assert(mtk_outcome_is_refusal(&o));
  o.kind = MTK_OUTCOME_RESET;
  ck_assert(mtk_outcome_is_refusal(&o));
  o.kind = MTK_OUTCOME_HTTP;
  ck_assert(!mtk_outcome_is_refusal(&o));
  o.kind = MTK_OUTCOME_TIMEOUT;
  ck_assert(!mtk_outcome_is_refusal(&o));
}
END_TEST

static Suite *outcome_suite(void) {
  Suite *s = suite_create("outcome");
  TCase *tc = tcase_create("model");
  tcase_add_test(tc, test_outcome_format_each_kind);
  tcase_add_test(tc, test_outcome_names_round_trip);
  tcase_add_test(tc, test_outcome_alerts);
  tcase_add_test(tc, test_outcome_refusal_classes);
  suite_add_tcase(s, tc);
  return s;
}

MTK_CHECK_MAIN(outcome_suite)
