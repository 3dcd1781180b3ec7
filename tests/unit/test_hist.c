// Unit tests for the log-linear histogram (core/hist.c).
#include <check.h>
#include <math.h>
#include <stdlib.h>

#include "check_main.h"
#include "mtlskit/hist.h"

#define HOUR_NS INT64_C(3600000000000)

// A small deterministic generator, so failures reproduce.
static uint64_t rng_state;
static uint64_t rng_next(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return rng_state;
}

// Log-uniform latencies between 1 us and 10 s, in ns.
static int64_t random_latency(void) {
  double u = (double)(rng_next() % 1000000) / 1e6;
  double v = 1e3 * pow(1e7, u);
  return (int64_t)v;
}

static int cmp_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return (x > y) - (x < y);
}

START_TEST(test_layout_matches_hdrhistogram) {
  struct mtk_hist h;
  // HdrHistogram's own test expects 23552 counts for 1..3.6e9 at 3 digits.
  ck_assert_int_eq(mtk_hist_init(&h, 1, 3600000000, 3), 0);
  ck_assert_uint_eq(h.num_counts, 23552);
  ck_assert_int_eq(h.sub_bucket_count, 2048);
  mtk_hist_cleanup(&h);

  ck_assert_int_eq(mtk_hist_init(&h, 1, HOUR_NS, 2), 0);
  ck_assert_int_eq(h.sub_bucket_count, 256);
  ck_assert_uint_eq(mtk_hist_index_of(&h, 255), 255);
  ck_assert_uint_eq(mtk_hist_index_of(&h, 256), 256);
  ck_assert_uint_eq(mtk_hist_index_of(&h, 257), 256);
  ck_assert_int_eq(mtk_hist_value_at_index(&h, 256), 256);
  ck_assert_int_eq(mtk_hist_highest_equivalent(&h, 1000), 1003);
  ck_assert_int_eq(mtk_hist_value_at_index(&h, mtk_hist_index_of(&h, 1001)),
                   1000);
  mtk_hist_cleanup(&h);
}
END_TEST

START_TEST(test_bad_ranges) {
  struct mtk_hist h;
  ck_assert_int_eq(mtk_hist_init(&h, 0, 100, 2), MTK_EINVAL);
  ck_assert_int_eq(mtk_hist_init(&h, 10, 15, 2), MTK_EINVAL);
  ck_assert_int_eq(mtk_hist_init(&h, 1, 100, 0), MTK_EINVAL);
  ck_assert_int_eq(mtk_hist_init(&h, 1, 100, 6), MTK_EINVAL);
  ck_assert_ptr_null(h.counts);
}
END_TEST

START_TEST(test_record_range) {
  struct mtk_hist h;
  ck_assert_int_eq(mtk_hist_init(&h, 1, 1000000, 2), 0);
  ck_assert_int_eq(mtk_hist_record(&h, 1000001, 1), MTK_ERANGE);
  ck_assert_int_eq(mtk_hist_record(&h, -1, 1), MTK_ERANGE);
  ck_assert_int_eq(mtk_hist_record(&h, 5, -1), MTK_ERANGE);
  ck_assert_int_eq(h.total_count, 0);
  ck_assert_int_eq(mtk_hist_value_at_percentile(&h, 50), 0);
  mtk_hist_record_clamped(&h, INT64_C(5000000000));
  ck_assert_int_eq(h.total_count, 1);
  ck_assert_int_ge(mtk_hist_max(&h), 1000000);
  ck_assert_int_le(mtk_hist_max(&h), 1010000);
  mtk_hist_cleanup(&h);
}
END_TEST

START_TEST(test_percentiles_within_one_percent) {
  enum { N = 200000 };
  int64_t *samples = malloc(N * sizeof(int64_t));
  ck_assert_ptr_nonnull(samples);
  struct mtk_hist h;
  ck_assert_int_eq(mtk_hist_init(&h, 1, HOUR_NS, 2), 0);
  rng_state = 0x9e3779b97f4a7c15u;
  for (int i = 0; i < N; i++) {
    samples[i] = random_latency();
    ck_assert_int_eq(mtk_hist_record(&h, samples[i], 1), 0);
  }
  qsort(samples, N, sizeof(int64_t), cmp_i64);
  const double ps[] = {0.1, 1, 10, 25, 50, 75, 90, 99, 99.9, 99.99, 100};
  for (size_t k = 0; k < sizeof(ps) / sizeof(ps[0]); k++) {
    int64_t rank = (int64_t)ceil(ps[k] / 100.0 * N - 1e-9);
    if (rank < 1) rank = 1;
    double exact = (double)samples[rank - 1];
    double got = (double)mtk_hist_value_at_percentile(&h, ps[k]);
    ck_assert_msg(fabs(got - exact) <= exact * 0.01,
                  "p%g: histogram %.0f, exact %.0f", ps[k], got, exact);
  }
  double exact_mean = 0;
  for (int i = 0; i < N; i++) exact_mean += (double)samples[i] / N;
  ck_assert(fabs(mtk_hist_mean(&h) - exact_mean) <= exact_mean * 0.01);
  ck_assert(fabs((double)mtk_hist_min(&h) - (double)samples[0]) <=
            (double)samples[0] * 0.01);
  ck_assert(fabs((double)mtk_hist_max(&h) - (double)samples[N - 1]) <=
            (double)samples[N - 1] * 0.01);
  mtk_hist_cleanup(&h);
  free(samples);
}
END_TEST

START_TEST(test_merge_is_exact) {
  struct mtk_hist a, b, all;
  ck_assert_int_eq(mtk_hist_init(&a, 1, HOUR_NS, 2), 0);
  ck_assert_int_eq(mtk_hist_init_like(&b, &a), 0);
  ck_assert_int_eq(mtk_hist_init_like(&all, &a), 0);
  rng_state = 42;
  for (int i = 0; i < 50000; i++) {
    int64_t v = random_latency();
    ck_assert_int_eq(mtk_hist_record(i % 3 == 0 ? &a : &b, v, 1), 0);
    ck_assert_int_eq(mtk_hist_record(&all, v, 1), 0);
  }
  ck_assert(!mtk_hist_equal(&a, &all));
  bool exact = false;
  ck_assert_int_eq(mtk_hist_merge(&a, &b, &exact), 0);
  ck_assert(exact);
  ck_assert(mtk_hist_equal(&a, &all));
  ck_assert_int_eq(a.total_count, 50000);
  ck_assert_int_eq(mtk_hist_min(&a), mtk_hist_min(&all));
  ck_assert_int_eq(mtk_hist_max(&a), mtk_hist_max(&all));
  ck_assert_int_eq(mtk_hist_value_at_percentile(&a, 99.9),
                   mtk_hist_value_at_percentile(&all, 99.9));
  // A merge into a histogram of another layout is flagged as inexact.
  struct mtk_hist other;
  ck_assert_int_eq(mtk_hist_init(&other, 1, HOUR_NS, 3), 0);
  ck_assert_int_eq(mtk_hist_merge(&other, &all, &exact), 0);
  ck_assert(!exact);
  ck_assert_int_eq(other.total_count, 50000);
  mtk_hist_reset(&a);
  ck_assert_int_eq(a.total_count, 0);
  ck_assert_int_eq(mtk_hist_max(&a), 0);
  mtk_hist_cleanup(&other);
  mtk_hist_cleanup(&a);
  mtk_hist_cleanup(&b);
  mtk_hist_cleanup(&all);
}
END_TEST

START_TEST(test_iterate_and_recompute) {
  struct mtk_hist h;
  ck_assert_int_eq(mtk_hist_init(&h, 1, HOUR_NS, 2), 0);
  ck_assert_int_eq(mtk_hist_record(&h, 7, 2), 0);
  ck_assert_int_eq(mtk_hist_record(&h, 1000000, 3), 0);
  size_t cursor = 0;
  int64_t v, c;
  ck_assert(mtk_hist_next_nonzero(&h, &cursor, &v, &c));
  ck_assert_int_eq(v, 7);
  ck_assert_int_eq(c, 2);
  ck_assert(mtk_hist_next_nonzero(&h, &cursor, &v, &c));
  ck_assert_int_eq(v,
                   mtk_hist_value_at_index(&h, mtk_hist_index_of(&h, 1000000)));
  ck_assert_int_eq(c, 3);
  ck_assert(!mtk_hist_next_nonzero(&h, &cursor, &v, &c));
  h.total_count = 0;
  ck_assert_int_eq(mtk_hist_recompute(&h), 0);
  ck_assert_int_eq(h.total_count, 5);
  ck_assert_int_eq(mtk_hist_min(&h), 7);
  ck_assert_int_eq(mtk_hist_value_at_percentile(&h, 40), 7);
  ck_assert_int_eq(mtk_hist_value_at_percentile(&h, 41),
                   mtk_hist_highest_equivalent(&h, 1000000));
  mtk_hist_cleanup(&h);
}
END_TEST

static Suite *hist_suite(void) {
  Suite *s = suite_create("hist");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, test_layout_matches_hdrhistogram);
  tcase_add_test(tc, test_bad_ranges);
  tcase_add_test(tc, test_record_range);
  tcase_add_test(tc, test_percentiles_within_one_percent);
  tcase_add_test(tc, test_merge_is_exact);
  tcase_add_test(tc, test_iterate_and_recompute);
  suite_add_tcase(s, tc);
  return s;
}

MTK_CHECK_MAIN(hist_suite)
