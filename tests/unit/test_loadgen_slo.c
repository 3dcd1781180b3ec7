// Unit tests for SLO clauses (loadgen/slo.c).
#include <check.h>
#include <string.h>

#include "check_main.h"
#include "slo.h"

START_TEST(test_parse) {
  struct mtk_loadgen_slo s;
  ck_assert_int_eq(
      mtk_loadgen_slo_parse(
          "handshake.p99<=50ms, "
          "errors<=0.1%,connect.max<1s,rate>=95,ttfb.p99.9<2ms,timeouts<=3",
          &s, NULL),
      0);
  ck_assert_uint_eq(s.num_clauses, 6);
  ck_assert_int_eq(s.clauses[0].metric, MTK_LOADGEN_SLO_PERCENTILE);
  ck_assert_int_eq(s.clauses[0].phase, MTK_LOADGEN_HANDSHAKE);
  ck_assert(s.clauses[0].percentile == 99.0);
  ck_assert_int_eq(s.clauses[0].op, MTK_LOADGEN_SLO_LE);
  ck_assert(s.clauses[0].threshold == 50e6);
  ck_assert_str_eq(s.clauses[1].text, "errors<=0.1%");
  ck_assert(s.clauses[1].percent && s.clauses[1].threshold == 0.1);
  ck_assert_int_eq(s.clauses[2].op, MTK_LOADGEN_SLO_LT);
  ck_assert_int_eq(s.clauses[3].metric, MTK_LOADGEN_SLO_RATE);
  ck_assert_int_eq(s.clauses[3].op, MTK_LOADGEN_SLO_GE);
  ck_assert(s.clauses[4].percentile == 99.9);
  ck_assert(!s.clauses[5].percent && s.clauses[5].threshold == 3);
}
END_TEST

// Measured values print in the unit of the clause's threshold.
START_TEST(test_format) {
  struct mtk_loadgen_slo s;
  ck_assert_int_eq(
      mtk_loadgen_slo_parse(
          "handshake.p99<=50ms,errors<=0.1%,rate>=95,timeouts<=3", &s, NULL),
      0);
  char out[48];
  mtk_loadgen_slo_format(&s.clauses[0], 104333333.0, out, sizeof(out));
  ck_assert_str_eq(out, "104.33ms");
  mtk_loadgen_slo_format(&s.clauses[1], 0.25, out, sizeof(out));
  ck_assert_str_eq(out, "0.25%");
  mtk_loadgen_slo_format(&s.clauses[2], 95.24, out, sizeof(out));
  ck_assert_str_eq(out, "95.2/s");
  mtk_loadgen_slo_format(&s.clauses[3], 3.0, out, sizeof(out));
  ck_assert_str_eq(out, "3");
}
END_TEST

START_TEST(test_parse_errors) {
  struct mtk_loadgen_slo s;
  struct mtk_diag d;
  const char *bad[] = {"",
                       "handshake.p99",
                       "handshake.p99<=",
                       "handshake.p99<=50",
                       "latency.p99<=1ms",
                       "handshake.p0<=1ms",
                       "handshake.p101<=1ms",
                       "handshake.median<=1ms",
                       "errors<=lots",
                       "errors<=200%",
                       "bogus<=1"};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    mtk_diag_init(&d);
    ck_assert_msg(mtk_loadgen_slo_parse(bad[i], &s, &d) == MTK_EUSAGE,
                  "accepted '%s'", bad[i]);
    ck_assert(d.msg[0] != '\0');
  }
}
END_TEST

START_TEST(test_evaluate) {
  struct mtk_loadgen_results r;
  ck_assert_int_eq(mtk_loadgen_results_init(&r), 0);
  for (int i = 1; i <= 100; i++) {
    mtk_hist_record_clamped(&r.phase[MTK_LOADGEN_HANDSHAKE],
                            i * INT64_C(1000000));  // 1..100 ms
    struct mtk_outcome o = {.kind = MTK_OUTCOME_HTTP,
                            .stage = MTK_STAGE_HTTP,
                            .http_status = i <= 98 ? 200 : 503};
    mtk_loadgen_results_count_outcome(&r, &o);
  }
  struct mtk_loadgen_slo s;
  ck_assert_int_eq(
      mtk_loadgen_slo_parse("handshake.p99<=100ms,handshake.p50<=49ms,"
                            "errors<=2,errors<2%,rate>=10",
                            &s, NULL),
      0);
  double v0 = mtk_loadgen_slo_value(&s.clauses[0], &r, 12.0);
  ck_assert(v0 >= 99e6 && v0 <= 100e6);
  ck_assert(mtk_loadgen_slo_holds(&s.clauses[0], v0));
  ck_assert(!mtk_loadgen_slo_holds(
      &s.clauses[1], mtk_loadgen_slo_value(&s.clauses[1], &r, 12.0)));
  ck_assert(mtk_loadgen_slo_value(&s.clauses[2], &r, 12.0) == 2.0);
  ck_assert(mtk_loadgen_slo_holds(&s.clauses[2], 2.0));
  ck_assert(mtk_loadgen_slo_value(&s.clauses[3], &r, 12.0) == 2.0);
  ck_assert(!mtk_loadgen_slo_holds(&s.clauses[3], 2.0));
  ck_assert(mtk_loadgen_slo_holds(
      &s.clauses[4], mtk_loadgen_slo_value(&s.clauses[4], &r, 12.0)));
  ck_assert(!mtk_loadgen_slo_holds(
      &s.clauses[4], mtk_loadgen_slo_value(&s.clauses[4], &r, 9.5)));
  mtk_loadgen_results_cleanup(&r);
}
END_TEST

static Suite *slo_suite(void) {
  Suite *s = suite_create("loadgen_slo");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, test_parse);
  tcase_add_test(tc, test_parse_errors);
  tcase_add_test(tc, test_format);
  tcase_add_test(tc, test_evaluate);
  suite_add_tcase(s, tc);
  return s;
}

MTK_CHECK_MAIN(slo_suite)
