// Log-linear histogram with HdrHistogram's bucket layout.
//
// The layout (unit magnitude, sub-bucket count, counts index) follows the
// HdrHistogram design so the counts array is interchangeable with every
// HdrHistogram implementation: a value v falls in bucket b = the position
// of its highest bit above the sub-bucket range, and in sub-bucket
// v >> (b + unit_magnitude); the first bucket holds sub_bucket_count slots,
// every later one only its upper half (the lower half would repeat the
// previous bucket's range).
#include "mtlskit/hist.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int floor_log2(int64_t v) { return 63 - __builtin_clzll((uint64_t)v); }

int mtk_hist_init_layout(struct mtk_hist *h, int64_t lowest, int64_t highest,
                         int sigfigs) {
  memset(h, 0, sizeof(*h));
  if (lowest < 1 || sigfigs < 1 || sigfigs > 5 || highest / 2 < lowest) {
    return MTK_EINVAL;
  }
  int64_t largest_single_unit = 2;
  for (int i = 0; i < sigfigs; i++) {
    largest_single_unit *= 10;
  }
  // ceil(log2(largest_single_unit))
  int sub_bucket_count_magnitude = floor_log2(largest_single_unit);
  if ((INT64_C(1) << sub_bucket_count_magnitude) < largest_single_unit) {
    sub_bucket_count_magnitude++;
  }
  h->unit_magnitude = floor_log2(lowest);
  h->sub_bucket_half_count_magnitude =
      sub_bucket_count_magnitude > 1 ? sub_bucket_count_magnitude - 1 : 0;
  if (h->unit_magnitude + h->sub_bucket_half_count_magnitude > 61) {
    memset(h, 0, sizeof(*h));
    return MTK_EINVAL;
  }
  h->sub_bucket_count = INT32_C(1) << (h->sub_bucket_half_count_magnitude + 1);
  h->sub_bucket_half_count = h->sub_bucket_count / 2;
  h->sub_bucket_mask = ((int64_t)h->sub_bucket_count - 1) << h->unit_magnitude;

  int64_t smallest_untrackable = (int64_t)h->sub_bucket_count
                                 << h->unit_magnitude;
  int32_t buckets = 1;
  while (smallest_untrackable <= highest) {
    if (smallest_untrackable > INT64_MAX / 2) {
      buckets++;
      break;
    }
    smallest_untrackable <<= 1;
    buckets++;
  }
  h->bucket_count = buckets;
  h->num_counts = (size_t)(buckets + 1) * (size_t)h->sub_bucket_half_count;
  h->lowest = lowest;
  h->highest = highest;
  h->sigfigs = sigfigs;
  h->min_value = INT64_MAX;
  h->max_value = 0;
  return 0;
}

int mtk_hist_init(struct mtk_hist *h, int64_t lowest, int64_t highest,
                  int sigfigs) {
  int err = mtk_hist_init_layout(h, lowest, highest, sigfigs);
  if (err != 0) {
    return err;
  }
  h->counts = calloc(h->num_counts, sizeof(int64_t));
  if (h->counts == NULL) {
    memset(h, 0, sizeof(*h));
    return MTK_ENOMEM;
  }
  return 0;
}

int mtk_hist_init_like(struct mtk_hist *h, const struct mtk_hist *model) {
  return mtk_hist_init(h, model->lowest, model->highest, model->sigfigs);
}

void mtk_hist_cleanup(struct mtk_hist *h) {
  free(h->counts);
  memset(h, 0, sizeof(*h));
}

void mtk_hist_reset(struct mtk_hist *h) {
  if (h->counts != NULL) {
    memset(h->counts, 0, h->num_counts * sizeof(int64_t));
  }
  h->total_count = 0;
  h->min_value = INT64_MAX;
  h->max_value = 0;
}

static int32_t bucket_index(const struct mtk_hist *h, int64_t value) {
  int pow2ceiling =
      64 - __builtin_clzll((uint64_t)(value | h->sub_bucket_mask));
  return pow2ceiling - h->unit_magnitude -
         (h->sub_bucket_half_count_magnitude + 1);
}

static int32_t sub_bucket_index(const struct mtk_hist *h, int64_t value,
                                int32_t bucket) {
  return (int32_t)(value >> (bucket + h->unit_magnitude));
}

static size_t counts_index(const struct mtk_hist *h, int32_t bucket,
                           int32_t sub) {
  int64_t base = (int64_t)(bucket + 1) << h->sub_bucket_half_count_magnitude;
  return (size_t)(base + (sub - h->sub_bucket_half_count));
}

size_t mtk_hist_index_of(const struct mtk_hist *h, int64_t value) {
  int32_t b = bucket_index(h, value);
  return counts_index(h, b, sub_bucket_index(h, value, b));
}

int64_t mtk_hist_value_at_index(const struct mtk_hist *h, size_t index) {
  int32_t b = (int32_t)(index >> h->sub_bucket_half_count_magnitude) - 1;
  int32_t sub = (int32_t)(index & ((size_t)h->sub_bucket_half_count - 1)) +
                h->sub_bucket_half_count;
  if (b < 0) {
    sub -= h->sub_bucket_half_count;
    b = 0;
  }
  return (int64_t)sub << (b + h->unit_magnitude);
}

static int64_t equivalent_range(const struct mtk_hist *h, int64_t value) {
  int32_t b = bucket_index(h, value);
  int32_t sub = sub_bucket_index(h, value, b);
  int32_t adjusted = sub >= h->sub_bucket_count ? b + 1 : b;
  return INT64_C(1) << (h->unit_magnitude + adjusted);
}

static int64_t lowest_equivalent(const struct mtk_hist *h, int64_t value) {
  int32_t b = bucket_index(h, value);
  int32_t sub = sub_bucket_index(h, value, b);
  return (int64_t)sub << (b + h->unit_magnitude);
}

int64_t mtk_hist_highest_equivalent(const struct mtk_hist *h, int64_t value) {
  return lowest_equivalent(h, value) + equivalent_range(h, value) - 1;
}

int64_t mtk_hist_median_equivalent(const struct mtk_hist *h, int64_t value) {
  return lowest_equivalent(h, value) + (equivalent_range(h, value) >> 1);
}

int mtk_hist_record(struct mtk_hist *h, int64_t value, int64_t count) {
  if (value < 0 || value > h->highest || count < 0) {
    return MTK_ERANGE;
  }
  size_t i = mtk_hist_index_of(h, value);
  if (i >= h->num_counts) {
    return MTK_ERANGE;
  }
  if (count == 0) {
    return 0;
  }
  h->counts[i] += count;
  h->total_count += count;
  if (value < h->min_value) {
    h->min_value = value;
  }
  if (value > h->max_value) {
    h->max_value = value;
  }
  return 0;
}

void mtk_hist_record_clamped(struct mtk_hist *h, int64_t value) {
  if (value < 0) {
    value = 0;
  }
  if (value > h->highest) {
    value = h->highest;
  }
  // Cannot fail: the value is in range and the count positive.
  int err = mtk_hist_record(h, value, 1);
  (void)err;
}

bool mtk_hist_same_layout(const struct mtk_hist *a, const struct mtk_hist *b) {
  return a->lowest == b->lowest && a->highest == b->highest &&
         a->sigfigs == b->sigfigs && a->num_counts == b->num_counts;
}

int mtk_hist_merge(struct mtk_hist *dst, const struct mtk_hist *src,
                   bool *out_exact) {
  if (src->counts == NULL || dst->counts == NULL) {
    return MTK_EINVAL;
  }
  if (mtk_hist_same_layout(dst, src)) {
    for (size_t i = 0; i < src->num_counts; i++) {
      dst->counts[i] += src->counts[i];
    }
    dst->total_count += src->total_count;
    if (src->total_count > 0) {
      if (src->min_value < dst->min_value) {
        dst->min_value = src->min_value;
      }
      if (src->max_value > dst->max_value) {
        dst->max_value = src->max_value;
      }
    }
    if (out_exact != NULL) {
      *out_exact = true;
    }
    return 0;
  }
  size_t cursor = 0;
  int64_t value, count;
  while (mtk_hist_next_nonzero(src, &cursor, &value, &count)) {
    int64_t v = mtk_hist_median_equivalent(src, value);
    if (v > dst->highest) {
      v = dst->highest;
    }
    int err = mtk_hist_record(dst, v, count);
    (void)err;  // in range: clamped above, counts are positive
  }
  if (out_exact != NULL) {
    *out_exact = false;
  }
  return 0;
}

bool mtk_hist_equal(const struct mtk_hist *a, const struct mtk_hist *b) {
  if (!mtk_hist_same_layout(a, b) || a->total_count != b->total_count) {
    return false;
  }
  return memcmp(a->counts, b->counts, a->num_counts * sizeof(int64_t)) == 0;
}

int64_t mtk_hist_min(const struct mtk_hist *h) {
  if (h->total_count == 0) {
    return 0;
  }
  return lowest_equivalent(h, h->min_value);
}

int64_t mtk_hist_max(const struct mtk_hist *h) {
  if (h->total_count == 0) {
    return 0;
  }
  return mtk_hist_highest_equivalent(h, h->max_value);
}

int64_t mtk_hist_value_at_percentile(const struct mtk_hist *h,
                                     double percentile) {
  if (h->total_count == 0) {
    return 0;
  }
  if (percentile >= 100.0) {
    return mtk_hist_max(h);
  }
  if (percentile < 0.0) {
    percentile = 0.0;
  }
  // Nearest rank; the small slack keeps 0.99 * 100 from becoming 100.
  double want = percentile / 100.0 * (double)h->total_count;
  int64_t rank = (int64_t)ceil(want - want * 1e-12);
  if (rank < 1) {
    rank = 1;
  }
  int64_t seen = 0;
  for (size_t i = 0; i < h->num_counts; i++) {
    seen += h->counts[i];
    if (seen >= rank) {
      return mtk_hist_highest_equivalent(h, mtk_hist_value_at_index(h, i));
    }
  }
  return mtk_hist_max(h);
}

double mtk_hist_mean(const struct mtk_hist *h) {
  if (h->total_count == 0) {
    return 0.0;
  }
  double sum = 0.0;
  size_t cursor = 0;
  int64_t value, count;
  while (mtk_hist_next_nonzero(h, &cursor, &value, &count)) {
    sum += (double)mtk_hist_median_equivalent(h, value) * (double)count;
  }
  return sum / (double)h->total_count;
}

bool mtk_hist_next_nonzero(const struct mtk_hist *h, size_t *cursor,
                           int64_t *out_value, int64_t *out_count) {
  for (size_t i = *cursor; i < h->num_counts; i++) {
    if (h->counts[i] != 0) {
      *out_value = mtk_hist_value_at_index(h, i);
      *out_count = h->counts[i];
      *cursor = i + 1;
      return true;
    }
  }
  *cursor = h->num_counts;
  return false;
}

int mtk_hist_recompute(struct mtk_hist *h) {
  h->total_count = 0;
  h->min_value = INT64_MAX;
  h->max_value = 0;
  for (size_t i = 0; i < h->num_counts; i++) {
    int64_t c = h->counts[i];
    if (c == 0) {
      continue;
    }
    if (c < 0 || h->total_count > INT64_MAX - c) {
      return MTK_ECORRUPT;
    }
    h->total_count += c;
    int64_t v = mtk_hist_value_at_index(h, i);
    if (v < h->min_value) {
      h->min_value = v;
    }
    if (v > h->max_value) {
      h->max_value = v;
    }
  }
  return 0;
}
