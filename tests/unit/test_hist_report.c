// Unit tests for the histogram reports (core/hist_report.c): the unit
// formatting, the percentile table shared by loadgen and report merge, and
// the JSON buckets.
#define _GNU_SOURCE  // open_memstream
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "mtlskit/hist_report.h"

#define HOUR_NS INT64_C(3600000000000)

static void check_format(double ns, const char *want) {
  char out[32];
  mtk_hist_report_format_ns(out, sizeof(out), ns);
  ck_assert_str_eq(out, want);
}

START_TEST(test_format_ns_units) {
  check_format(0, "0ns");
  check_format(999, "999ns");
  check_format(1000, "1.0us");
  check_format(12345, "12.3us");
  check_format(999999, "1000.0us");
  check_format(1e6, "1.00ms");
  check_format(4.56e6, "4.56ms");
  check_format(1e9, "1.000s");
  check_format(1.2344e9, "1.234s");
  check_format(3600e9, "3600.000s");
}
END_TEST

START_TEST(test_format_ns_truncates) {
  char out[4];
  memset(out, 'x', sizeof(out));
  mtk_hist_report_format_ns(out, sizeof(out), 1.234e9);
  ck_assert_str_eq(out, "1.2");
}
END_TEST

// table_of prints the header titled |name| (|h| NULL) or the row of |h|
// named |name| on a memory stream and returns what it wrote (the caller
// frees it).
static char *table_of(const char *name, const struct mtk_hist *h) {
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  ck_assert_ptr_nonnull(f);
  if (h == NULL) {
    mtk_hist_report_print_header(f, name);
  } else {
    mtk_hist_report_print_row(f, name, h);
  }
  ck_assert_int_eq(fclose(f), 0);
  return buf;
}

START_TEST(test_header) {
  char *out = table_of("phase", NULL);
  ck_assert_str_eq(out,
                   "phase           count        p50        p90        p99"
                   "      p99.9        max       mean\n");
  free(out);
  out = table_of("tag", NULL);
  ck_assert_str_eq(out,
                   "tag             count        p50        p90        p99"
                   "      p99.9        max       mean\n");
  free(out);
}
END_TEST

START_TEST(test_row_small_values) {
  struct mtk_hist h;
  ck_assert_int_eq(mtk_hist_init(&h, 1, HOUR_NS, 2), 0);
  // 1..99 ns once each: exact buckets, p50 = 50, p90 = 90, p99 = p99.9 =
  // max = 99, mean 50.
  for (int64_t v = 1; v <= 99; v++) {
    ck_assert_int_eq(mtk_hist_record(&h, v, 1), 0);
  }
  char *out = table_of("handshake", &h);
  ck_assert_str_eq(out,
                   "handshake          99       50ns       90ns       99ns"
                   "       99ns       99ns       50ns\n");
  free(out);
  mtk_hist_cleanup(&h);
}
END_TEST

START_TEST(test_row_units_and_empty) {
  struct mtk_hist h;
  ck_assert_int_eq(mtk_hist_init(&h, 1, HOUR_NS, 2), 0);
  char *out = table_of("(untagged)", &h);
  ck_assert_str_eq(out,
                   "(untagged)          0          -          -          -"
                   "          -          -          -\n");
  free(out);
  // 98 samples of 2 ms and 2 of 3 s: p50 and p90 in ms, p99 and above in
  // seconds (each the highest value of its bucket).
  ck_assert_int_eq(mtk_hist_record(&h, 2000000, 98), 0);
  ck_assert_int_eq(mtk_hist_record(&h, 3000000000, 2), 0);
  char want[256];
  char p50[32], p99[32], mean[32];
  mtk_hist_report_format_ns(p50, sizeof(p50),
                            (double)mtk_hist_highest_equivalent(&h, 2000000));
  mtk_hist_report_format_ns(
      p99, sizeof(p99), (double)mtk_hist_highest_equivalent(&h, 3000000000));
  mtk_hist_report_format_ns(mean, sizeof(mean), mtk_hist_mean(&h));
  ck_assert_str_eq(p50, "2.01ms");
  ck_assert_str_eq(p99, "3.003s");
  snprintf(want, sizeof(want),
           "total             100 %10s %10s %10s %10s "
           "%10s %10s\n",
           p50, p50, p99, p99, p99, mean);
  out = table_of("total", &h);
  ck_assert_str_eq(out, want);
  free(out);
  mtk_hist_cleanup(&h);
}
END_TEST

START_TEST(test_layout_json) {
  struct mtk_hist h;
  ck_assert_int_eq(mtk_hist_init(&h, 1, HOUR_NS, 2), 0);
  json_t *j = mtk_hist_report_layout_json(&h);
  ck_assert_ptr_nonnull(j);
  char *text = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
  ck_assert_str_eq(text,
                   "{\"lowest\":1,\"highest\":3600000000000,\"sigfigs\":2,"
                   "\"buckets\":[]}");
  free(text);
  json_decref(j);

  ck_assert_int_eq(mtk_hist_record(&h, 7, 2), 0);
  ck_assert_int_eq(mtk_hist_record(&h, 1000, 3), 0);
  j = mtk_hist_report_layout_json(&h);
  ck_assert_ptr_nonnull(j);
  text = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
  ck_assert_str_eq(text,
                   "{\"lowest\":1,\"highest\":3600000000000,\"sigfigs\":2,"
                   "\"buckets\":[[7,2],[1000,3]]}");
  free(text);
  json_decref(j);
  mtk_hist_cleanup(&h);
}
END_TEST

START_TEST(test_summary_json) {
  struct mtk_hist h;
  ck_assert_int_eq(mtk_hist_init(&h, 1, HOUR_NS, 3), 0);
  for (int64_t v = 1; v <= 1000; v++) {
    ck_assert_int_eq(mtk_hist_record(&h, v * 1000, 1), 0);
  }
  json_t *j = mtk_hist_report_json(&h);
  ck_assert_ptr_nonnull(j);
  // The keys, in the order both commands print them.
  static const char *const keys[] = {
      "count",   "min_ns",   "p50_ns", "p90_ns",  "p99_ns",
      "p999_ns", "p9999_ns", "max_ns", "mean_ns", "histogram"};
  const char *key;
  json_t *val;
  size_t i = 0;
  json_object_foreach(j, key, val) {
    ck_assert_uint_lt(i, sizeof(keys) / sizeof(keys[0]));
    ck_assert_str_eq(key, keys[i++]);
  }
  ck_assert_uint_eq(i, sizeof(keys) / sizeof(keys[0]));
  ck_assert_int_eq(json_integer_value(json_object_get(j, "count")), 1000);
  // Each value is the histogram's own, at its 3 significant figures.
  ck_assert_int_eq(json_integer_value(json_object_get(j, "min_ns")),
                   mtk_hist_min(&h));
  ck_assert_int_eq(json_integer_value(json_object_get(j, "p50_ns")),
                   mtk_hist_value_at_percentile(&h, 50));
  ck_assert_int_eq(json_integer_value(json_object_get(j, "p9999_ns")),
                   mtk_hist_value_at_percentile(&h, 99.99));
  ck_assert_int_eq(json_integer_value(json_object_get(j, "max_ns")),
                   mtk_hist_max(&h));
  ck_assert(llabs(json_integer_value(json_object_get(j, "p90_ns")) - 900000) <=
            1000);
  ck_assert(fabs(json_real_value(json_object_get(j, "mean_ns")) - 500500.0) <
            1000.0);
  json_t *layout = json_object_get(j, "histogram");
  ck_assert_int_eq(json_integer_value(json_object_get(layout, "sigfigs")), 3);
  ck_assert_int_gt(json_array_size(json_object_get(layout, "buckets")), 0);
  json_decref(j);
  mtk_hist_cleanup(&h);
}
END_TEST

static Suite *hist_report_suite(void) {
  Suite *s = suite_create("hist_report");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, test_format_ns_units);
  tcase_add_test(tc, test_format_ns_truncates);
  tcase_add_test(tc, test_header);
  tcase_add_test(tc, test_row_small_values);
  tcase_add_test(tc, test_row_units_and_empty);
  tcase_add_test(tc, test_layout_json);
  tcase_add_test(tc, test_summary_json);
  suite_add_tcase(s, tc);
  return s;
}

MTK_CHECK_MAIN(hist_report_suite)
