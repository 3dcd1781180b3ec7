// Percentile tables and JSON buckets of a histogram (see hist_report.h).
#include "mtlskit/hist_report.h"

void mtk_hist_report_format_ns(char *out, size_t out_len, double ns) {
  if (ns < 1e3)
    snprintf(out, out_len, "%.0fns", ns);
  else if (ns < 1e6)
    snprintf(out, out_len, "%.1fus", ns / 1e3);
  else if (ns < 1e9)
    snprintf(out, out_len, "%.2fms", ns / 1e6);
  else
    snprintf(out, out_len, "%.3fs", ns / 1e9);
}

void mtk_hist_report_print_header(FILE *out, const char *label) {
  fprintf(out, "%-10s %10s %10s %10s %10s %10s %10s %10s\n", label, "count",
          "p50", "p90", "p99", "p99.9", "max", "mean");
}

void mtk_hist_report_print_row(FILE *out, const char *name,
                               const struct mtk_hist *h) {
  static const double percentiles[] = {50, 90, 99, 99.9};
  char v[6][32];
  if (h->total_count == 0) {  // nothing measured: no figure, not "0ns"
    fprintf(out, "%-10s %10d %10s %10s %10s %10s %10s %10s\n", name, 0, "-",
            "-", "-", "-", "-", "-");
    return;
  }
  for (size_t i = 0; i < 4; i++) {
    mtk_hist_report_format_ns(
        v[i], sizeof(v[i]),
        (double)mtk_hist_value_at_percentile(h, percentiles[i]));
  }
  mtk_hist_report_format_ns(v[4], sizeof(v[4]), (double)mtk_hist_max(h));
  mtk_hist_report_format_ns(v[5], sizeof(v[5]), mtk_hist_mean(h));
  fprintf(out, "%-10s %10lld %10s %10s %10s %10s %10s %10s\n", name,
          (long long)h->total_count, v[0], v[1], v[2], v[3], v[4], v[5]);
}

json_t *mtk_hist_report_layout_json(const struct mtk_hist *h) {
  json_t *buckets = json_array();
  size_t cursor = 0;
  int64_t v, n;
  while (buckets != NULL && mtk_hist_next_nonzero(h, &cursor, &v, &n)) {
    json_array_append_new(buckets,
                          json_pack("[I,I]", (json_int_t)v, (json_int_t)n));
  }
  // "o" takes the reference to |buckets| even when packing fails; a NULL
  // |buckets| makes json_pack fail, as it did before.
  return json_pack("{s:I, s:I, s:i, s:o}", "lowest", (json_int_t)h->lowest,
                   "highest", (json_int_t)h->highest, "sigfigs", h->sigfigs,
                   "buckets", buckets);
}

json_t *mtk_hist_report_json(const struct mtk_hist *h) {
  return json_pack(
      "{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:f, s:o}", "count",
      (json_int_t)h->total_count, "min_ns", (json_int_t)mtk_hist_min(h),
      "p50_ns", (json_int_t)mtk_hist_value_at_percentile(h, 50), "p90_ns",
      (json_int_t)mtk_hist_value_at_percentile(h, 90), "p99_ns",
      (json_int_t)mtk_hist_value_at_percentile(h, 99), "p999_ns",
      (json_int_t)mtk_hist_value_at_percentile(h, 99.9), "p9999_ns",
      (json_int_t)mtk_hist_value_at_percentile(h, 99.99), "max_ns",
      (json_int_t)mtk_hist_max(h), "mean_ns", mtk_hist_mean(h), "histogram",
      mtk_hist_report_layout_json(h));
}
