// Reports of a histogram of latencies in nanoseconds: the percentile table
// that `mtlskit loadgen` and `mtlskit report merge` print, one row per
// histogram, and the JSON description of its buckets. Crypto-free: any
// executable may use it.
#ifndef MTK_HEADER_HIST_REPORT_H
#define MTK_HEADER_HIST_REPORT_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

#include "mtlskit/hist.h"

#ifdef __cplusplus
extern "C" {
#endif

// mtk_hist_report_format_ns writes |ns| nanoseconds to |out| (|out_len|
// bytes, truncated and NUL-terminated) with a unit chosen by magnitude:
// "850ns", "12.3us", "4.56ms", "1.234s".
void mtk_hist_report_format_ns(char *out, size_t out_len, double ns);

// mtk_hist_report_print_header writes the table's header line to |out|:
// |label| (the first column's title, e.g. "phase"), then count, p50, p90,
// p99, p99.9, max and mean.
void mtk_hist_report_print_header(FILE *out, const char *label);

// mtk_hist_report_print_row writes the table line of |h| named |name| to
// |out|: its count, then p50, p90, p99, p99.9, max and mean formatted by
// mtk_hist_report_format_ns, in the columns of
// mtk_hist_report_print_header.
void mtk_hist_report_print_row(FILE *out, const char *name,
                               const struct mtk_hist *h);

// mtk_hist_report_layout_json returns |h|'s layout and non-empty buckets
// as a JSON object {"lowest", "highest", "sigfigs", "buckets": [[value,
// count], ...]} (a new reference the caller releases), or NULL on
// allocation failure.
json_t *mtk_hist_report_layout_json(const struct mtk_hist *h);

// mtk_hist_report_json returns |h| as the JSON object `mtlskit loadgen
// --json` and `mtlskit report merge --json` print: {"count", "min_ns",
// "p50_ns", "p90_ns", "p99_ns", "p999_ns", "p9999_ns", "max_ns",
// "mean_ns", "histogram": the mtk_hist_report_layout_json object}, keys in
// that order. It returns a new reference the caller releases, or NULL on
// allocation failure.
json_t *mtk_hist_report_json(const struct mtk_hist *h);

#ifdef __cplusplus
}
#endif

#endif  // MTK_HEADER_HIST_REPORT_H
