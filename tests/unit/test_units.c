#include "check_main.h"
#include "mtlskit/units.h"

START_TEST(test_units_duration_accepts_suffixes) {
  uint64_t ns = 0;
  ck_assert_int_eq(mtk_parse_duration_ns("250ms", &ns), 0);
  ck_assert_uint_eq(ns, 250000000u);
  ck_assert_int_eq(mtk_parse_duration_ns("1.5s", &ns), 0);
  ck_assert_uint_eq(ns, 1500000000u);
  ck_assert_int_eq(mtk_parse_duration_ns("2m", &ns), 0);
  ck_assert_uint_eq(ns, 120000000000u);
  ck_assert_int_eq(mtk_parse_duration_ns("1d", &ns), 0);
  ck_assert_uint_eq(ns, 86400000000000u);
  ck_assert_int_eq(mtk_parse_duration_ns("7us", &ns), 0);
  ck_assert_uint_eq(ns, 7000u);
}
END_TEST

START_TEST(test_units_duration_rejects_garbage) {
  uint64_t ns = 42;
  ck_assert_int_eq(mtk_parse_duration_ns("10", &ns), MTK_EPARSE);
  ck_assert_int_eq(mtk_parse_duration_ns("", &ns), MTK_EPARSE);
  ck_assert_int_eq(mtk_parse_duration_ns("-1s", &ns), MTK_EPARSE);
  ck_assert_int_eq(mtk_parse_duration_ns("1s ", &ns), MTK_EPARSE);
  ck_assert_int_eq(mtk_parse_duration_ns("1.s", &ns), MTK_EPARSE);
  ck_assert_int_eq(mtk_parse_duration_ns("1.5ns", &ns), MTK_EPARSE);
  ck_assert_int_eq(mtk_parse_duration_ns("99999999999999999999s", &ns),
                   MTK_ERANGE);
  ck_assert_int_eq(mtk_parse_duration_ns(NULL, &ns), MTK_EPARSE);
  ck_assert_uint_eq(ns, 42);  // untouched on failure
}
END_TEST

START_TEST(test_units_count_and_bytes) {
  uint64_t v = 0;
  ck_assert_int_eq(mtk_parse_count("5k", &v), 0);
  ck_assert_uint_eq(v, 5000);
  ck_assert_int_eq(mtk_parse_count("1.5M", &v), 0);
  ck_assert_uint_eq(v, 1500000);
  ck_assert_int_eq(mtk_parse_count("17", &v), 0);
  ck_assert_uint_eq(v, 17);
  ck_assert_int_eq(mtk_parse_count("1.0005k", &v), MTK_EPARSE);
  ck_assert_int_eq(mtk_parse_count("5x", &v), MTK_EPARSE);
  ck_assert_int_eq(mtk_parse_bytes("64KiB", &v), 0);
  ck_assert_uint_eq(v, 65536);
  ck_assert_int_eq(mtk_parse_bytes("16k", &v), 0);
  ck_assert_uint_eq(v, 16000);
  ck_assert_int_eq(mtk_parse_bytes("50MB", &v), 0);
  ck_assert_uint_eq(v, 50000000);
}
END_TEST

START_TEST(test_units_uint_bounds) {
  uint64_t v = 0;
  ck_assert_int_eq(mtk_parse_uint("65535", 65535, &v), 0);
  ck_assert_uint_eq(v, 65535);
  ck_assert_int_eq(mtk_parse_uint("65536", 65535, &v), MTK_ERANGE);
  ck_assert_int_eq(mtk_parse_uint("+1", 10, &v), MTK_EPARSE);
  ck_assert_int_eq(mtk_parse_uint("1a", 10, &v), MTK_EPARSE);
}
END_TEST

START_TEST(test_units_time_forms) {
  time_t t = 0;
  ck_assert_int_eq(mtk_parse_time("2026-11-23T17:00:00Z", 0, &t), 0);
  ck_assert_int_eq((long long)t, 1795453200LL);
  ck_assert_int_eq(mtk_parse_time("2050-01-01T00:00:00Z", 0, &t), 0);
  ck_assert_int_eq((long long)t, 2524608000LL);
  ck_assert_int_eq(mtk_parse_time("now-1s", 1000, &t), 0);
  ck_assert_int_eq((long long)t, 999);
  ck_assert_int_eq(mtk_parse_time("now+1d", 1000, &t), 0);
  ck_assert_int_eq((long long)t, 1000 + 86400);
  ck_assert_int_eq(mtk_parse_time("@1700000000", 0, &t), 0);
  ck_assert_int_eq((long long)t, 1700000000LL);
  ck_assert_int_eq(mtk_parse_time("2026-02-29T00:00:00Z", 0, &t), MTK_EPARSE);
  ck_assert_int_eq(mtk_parse_time("2024-02-29T00:00:00Z", 0, &t), 0);
  ck_assert_int_eq(mtk_parse_time("2026-11-23 17:00:00", 0, &t), MTK_EPARSE);
  // RFC 3339 in full: offsets, fractions (floored), t/z, a space.
  ck_assert_int_eq(mtk_parse_time("2026-11-23T18:30:00+01:30", 0, &t), 0);
  ck_assert_int_eq(t, 1795453200);
  ck_assert_int_eq(mtk_parse_time("2026-11-23T12:00:00-05:00", 0, &t), 0);
  ck_assert_int_eq(t, 1795453200);
  ck_assert_int_eq(mtk_parse_time("2026-11-23T17:00:00+00:00", 0, &t), 0);
  ck_assert_int_eq(t, 1795453200);
  ck_assert_int_eq(mtk_parse_time("2026-11-23t17:00:00.999z", 0, &t), 0);
  ck_assert_int_eq(t, 1795453200);
  ck_assert_int_eq(mtk_parse_time("2026-11-23 17:00:00.5Z", 0, &t), 0);
  ck_assert_int_eq(t, 1795453200);
  ck_assert_int_eq(mtk_parse_time("2026-11-23T16:59:60Z", 0, &t), 0);
  ck_assert_int_eq(t, 1795453200);
  ck_assert_int_eq(mtk_parse_time("2026-11-23T17:00:00.Z", 0, &t), MTK_EPARSE);
  ck_assert_int_eq(mtk_parse_time("2026-11-23T17:00:00+0100", 0, &t),
                   MTK_EPARSE);
  ck_assert_int_eq(mtk_parse_time("2026-11-23T17:00:00+24:00", 0, &t),
                   MTK_EPARSE);
  ck_assert_int_eq(mtk_parse_time("2026-11-23T17:00:61Z", 0, &t), MTK_EPARSE);
  ck_assert_int_eq(mtk_parse_time("2026-11-23T17:00Z", 0, &t), MTK_EPARSE);
  ck_assert_int_eq(mtk_parse_time("+026-11-23T17:00:00Z", 0, &t), MTK_EPARSE);
  ck_assert_int_eq(mtk_parse_time("2026-11-23T17:00:00Zjunk", 0, &t),
                   MTK_EPARSE);
  ck_assert_int_eq(mtk_parse_time("now+1.5s", 0, &t), MTK_EPARSE);
  char buf[32];
  ck_assert_int_eq(mtk_format_time(buf, sizeof(buf), 2524608000), 0);
  ck_assert_str_eq(buf, "2050-01-01T00:00:00Z");
}
END_TEST

static Suite *units_suite(void) {
  Suite *s = suite_create("units");
  TCase *tc = tcase_create("parse");
  tcase_add_test(tc, test_units_duration_accepts_suffixes);
  tcase_add_test(tc, test_units_duration_rejects_garbage);
  tcase_add_test(tc, test_units_count_and_bytes);
  tcase_add_test(tc, test_units_uint_bounds);
  tcase_add_test(tc, test_units_time_forms);
  suite_add_tcase(s, tc);
  return s;
}

MTK_CHECK_MAIN(units_suite)
