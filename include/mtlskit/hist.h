// Log-linear histograms of integer values (latencies in nanoseconds), laid
// out exactly like HdrHistogram's (Gil Tene, HdrHistogram/HdrHistogram_c,
// CC0/BSD-2) so that their counts array can be written in HdrHistogram's V2
// encoding (see hdrlog.h) and read by the existing HdrHistogram tools.
//
// Values from |lowest| to |highest| are recorded with a relative error of
// at most 10^-|sigfigs| (|sigfigs| = 2 gives buckets of at most 1/128 of the
// value, under 1%). Memory is fixed at init: about 36 KiB for 1 ns..1 h at
// two significant figures, whatever the number of samples. Two histograms
// with the same range and precision merge exactly (counts add up index by
// index), which is what makes per-thread and per-machine results combine
// into one true distribution.
//
// A histogram is not thread-safe; give each thread its own and merge.
#ifndef MTK_HEADER_HIST_H
#define MTK_HEADER_HIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mtlskit/error.h"

#ifdef __cplusplus
extern "C" {
#endif

struct mtk_hist {
  int64_t lowest;   // lowest discernible value, >= 1
  int64_t highest;  // highest trackable value
  int sigfigs;      // significant decimal digits, 1..5
  int unit_magnitude;
  int sub_bucket_half_count_magnitude;
  int32_t sub_bucket_count;
  int32_t sub_bucket_half_count;
  int64_t sub_bucket_mask;
  int32_t bucket_count;
  size_t num_counts;
  int64_t total_count;
  int64_t min_value;  // INT64_MAX while empty
  int64_t max_value;  // 0 while empty
  int64_t *counts;    // num_counts entries, owned
};

// mtk_hist_init_layout sets up |h| as mtk_hist_init does but allocates no
// counts (h->counts stays NULL): the layout alone, for index and value
// arithmetic. Same return values, without MTK_ENOMEM; nothing to release.
MTK_MUST_CHECK int mtk_hist_init_layout(struct mtk_hist *h, int64_t lowest,
                                        int64_t highest, int sigfigs);

// mtk_hist_init sets up |h| for values in [|lowest|, |highest|] with
// |sigfigs| significant digits, all counts zero. It returns 0, MTK_EINVAL
// for a bad range (lowest < 1, highest < 2 * lowest, sigfigs outside 1..5)
// or MTK_ENOMEM. Release with mtk_hist_cleanup.
MTK_MUST_CHECK int mtk_hist_init(struct mtk_hist *h, int64_t lowest,
                                 int64_t highest, int sigfigs);

// mtk_hist_init_like sets up |h| with the same range and precision as
// |model|, all counts zero. Same returns as mtk_hist_init.
MTK_MUST_CHECK int mtk_hist_init_like(struct mtk_hist *h,
                                      const struct mtk_hist *model);

// mtk_hist_cleanup frees the counts of |h| (which may be zero-filled, never
// initialised) and leaves it zero-filled.
void mtk_hist_cleanup(struct mtk_hist *h);

// mtk_hist_reset sets every count of |h| back to zero.
void mtk_hist_reset(struct mtk_hist *h);

// mtk_hist_record adds |count| samples of |value|. It returns 0, or
// MTK_ERANGE (nothing recorded) when |value| is outside the trackable range
// or |count| is negative.
MTK_MUST_CHECK int mtk_hist_record(struct mtk_hist *h, int64_t value,
                                   int64_t count);

// mtk_hist_record_clamped records one sample of |value| clamped into the
// trackable range, so a measurement is never lost (an hour-long stall is
// counted as the highest value).
void mtk_hist_record_clamped(struct mtk_hist *h, int64_t value);

// mtk_hist_same_layout reports whether |a| and |b| have the same range and
// precision, i.e. whether mtk_hist_merge is exact between them.
bool mtk_hist_same_layout(const struct mtk_hist *a, const struct mtk_hist *b);

// mtk_hist_merge adds every count of |src| to |dst|. The result is exact
// when both have the same layout. Otherwise each bucket of |src| is
// re-recorded at its median equivalent value (precision of the coarser of
// the two) and *|out_exact| is set false; values outside |dst|'s range are
// clamped. |out_exact| may be NULL. It returns 0 or MTK_EINVAL when |src|
// holds no counts array.
MTK_MUST_CHECK int mtk_hist_merge(struct mtk_hist *dst,
                                  const struct mtk_hist *src, bool *out_exact);

// mtk_hist_equal reports whether |a| and |b| have the same layout and the
// same count at every index.
bool mtk_hist_equal(const struct mtk_hist *a, const struct mtk_hist *b);

// mtk_hist_value_at_percentile returns the value at |percentile| (0..100):
// the highest value equivalent to the bucket that holds the sample of rank
// ceil(percentile/100 * total) (at least 1). It returns 0 for an empty
// histogram and the maximum for 100.
int64_t mtk_hist_value_at_percentile(const struct mtk_hist *h,
                                     double percentile);

// mtk_hist_min returns the smallest recorded value (its bucket's lowest
// equivalent), or 0 when empty.
int64_t mtk_hist_min(const struct mtk_hist *h);

// mtk_hist_max returns the largest recorded value (its bucket's highest
// equivalent), or 0 when empty.
int64_t mtk_hist_max(const struct mtk_hist *h);

// mtk_hist_mean returns the mean of the recorded values (bucket medians), or
// 0 when empty.
double mtk_hist_mean(const struct mtk_hist *h);

// mtk_hist_index_of returns the counts index |value| falls in. |value| must
// be within the trackable range.
size_t mtk_hist_index_of(const struct mtk_hist *h, int64_t value);

// mtk_hist_value_at_index returns the lowest value equivalent to counts
// index |index|.
int64_t mtk_hist_value_at_index(const struct mtk_hist *h, size_t index);

// mtk_hist_highest_equivalent returns the highest value that lands in the
// same bucket as |value|.
int64_t mtk_hist_highest_equivalent(const struct mtk_hist *h, int64_t value);

// mtk_hist_median_equivalent returns the middle of the range of values that
// land in the same count as |value| (what a count stands for when it moves
// to another layout).
int64_t mtk_hist_median_equivalent(const struct mtk_hist *h, int64_t value);

// mtk_hist_next_nonzero walks the non-empty buckets: start with *|cursor| =
// 0; each call that returns true sets *|out_value| to the bucket's lowest
// equivalent value and *|out_count| to its count, and advances *|cursor|.
// It returns false when no bucket is left.
bool mtk_hist_next_nonzero(const struct mtk_hist *h, size_t *cursor,
                           int64_t *out_value, int64_t *out_count);

// mtk_hist_recompute rebuilds total, min and max from the counts array, for
// a histogram whose counts were filled in directly (a decoder). It returns
// 0 or MTK_ECORRUPT when the total overflows.
MTK_MUST_CHECK int mtk_hist_recompute(struct mtk_hist *h);

#ifdef __cplusplus
}
#endif

#endif  // MTK_HEADER_HIST_H
