// HdrHistogram interval logs: the ".hlog" text format written by
// HdrHistogram's HistogramLogWriter (Java) and hdr_log_write (C), so that
// HistogramLogProcessor, HdrHistogram_c's hdr_log_read, hdr-plot and the
// other HdrHistogram tools read what mtlskit writes, and mtlskit reads theirs.
//
// A log looks like this (format version 1.3, HdrHistogram/HdrHistogram
// HistogramLogWriter; HdrHistogram_c src/hdr_histogram_log.c):
//
//   #[Histogram log format version 1.3]
//   #[StartTime: 1764000000.000 (seconds since epoch), Mon Nov 24 ...]
//   #[BaseTime: 1764000000.000 (seconds since epoch)]
//   "StartTimestamp","Interval_Length","Interval_Max","Interval_Compressed_Histogram"
//   Tag=handshake,0.000,1.000,0.812,HISTFAAAA...
//
// Each line is one interval: an optional "Tag=NAME," then the interval start
// (seconds since BaseTime), its length in seconds, its maximum divided by
// 1e6 (milliseconds when values are nanoseconds, as the Java writer does),
// and the histogram in V2 compressed encoding, base64:
//   compressed = BE32 cookie 0x1c849314, BE32 length, zlib(encoded)
//   encoded    = BE32 cookie 0x1c849313, BE32 payload length,
//                BE32 normalizing index offset (0), BE32 significant digits,
//                BE64 lowest discernible value, BE64 highest trackable value,
//                BE64 double integer-to-double ratio (1.0), payload
//   payload    = the counts array up to the highest non-empty index, each
//                count as ZigZag LEB128 (at most 9 bytes), a run of N > 1
//                empty counts as the single value -N.
#ifndef MTK_HEADER_HDRLOG_H
#define MTK_HEADER_HDRLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "mtlskit/diag.h"
#include "mtlskit/error.h"
#include "mtlskit/hist.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MTK_HDRLOG_TAG_MAX 64

// mtk_hdrlog_encode writes |h| in V2 compressed encoding, base64, into a new
// NUL-terminated string *|out| (length in *|out_len|, which may be NULL).
// The caller frees *|out| with free(). It returns 0, MTK_ENOMEM or
// MTK_EINTERNAL (zlib failure).
MTK_MUST_CHECK int mtk_hdrlog_encode(const struct mtk_hist *h, char **out,
                                     size_t *out_len);

// A decoded histogram kept as its layout and its non-zero counts only, so
// that reading one costs time and memory in proportion to its encoding,
// whatever value range and precision it declares.
struct mtk_hdrlog_counts {
  struct mtk_hist layout;  // range and precision, totals; layout.counts NULL
  size_t len;              // non-zero counts
  size_t *index;           // their indexes in |layout|, ascending
  int64_t *count;          // their counts
};

// mtk_hdrlog_decode_counts decodes |b64_len| bytes of base64 V2 compressed
// histogram at |b64| into |out| (release with mtk_hdrlog_counts_cleanup; on
// failure |out| holds nothing). Returns as mtk_hdrlog_decode.
MTK_MUST_CHECK int mtk_hdrlog_decode_counts(const char *b64, size_t b64_len,
                                            struct mtk_hdrlog_counts *out,
                                            struct mtk_diag *diag);

// mtk_hdrlog_counts_cleanup frees what |c| holds.
void mtk_hdrlog_counts_cleanup(struct mtk_hdrlog_counts *c);

// mtk_hdrlog_counts_merge adds |src| to |dst|: count by count when both
// have the same layout (*|out_exact| true), else each count recorded at the
// middle of its range in |dst|, clamped to dst's highest value (*|out_exact|
// false). |out_exact| may be NULL. Time grows with src->len, not with the
// layout. Returns 0, or MTK_ECORRUPT when dst's total would overflow.
MTK_MUST_CHECK int mtk_hdrlog_counts_merge(struct mtk_hist *dst,
                                           const struct mtk_hdrlog_counts *src,
                                           bool *out_exact);

// mtk_hdrlog_decode decodes |b64_len| bytes of base64 V2 compressed
// histogram at |b64| into |out|, which it initialises with the encoded
// range and precision (release with mtk_hist_cleanup; on failure |out| is
// left zero-filled). It returns 0, MTK_ECORRUPT for malformed data,
// MTK_EUNSUPPORTED for another encoding version, or MTK_ENOMEM; |diag|
// (may be NULL) says what was wrong.
MTK_MUST_CHECK int mtk_hdrlog_decode(const char *b64, size_t b64_len,
                                     struct mtk_hist *out,
                                     struct mtk_diag *diag);

// mtk_hdrlog_write_header writes the version comment, the StartTime comment
// for |start_time| (seconds since the epoch), a BaseTime comment for
// |base_time| when |base_time| >= 0, and the legend line. It returns 0 or
// MTK_EIO.
MTK_MUST_CHECK int mtk_hdrlog_write_header(FILE *f, double start_time,
                                           double base_time);

// mtk_hdrlog_write_interval writes one interval line for |h|: |tag| (NULL or
// "" for none; it must not contain ',', ' ' or newlines), |start| seconds
// after the base time, |length| seconds long. It returns 0, MTK_EINVAL for
// a bad tag, MTK_EIO, or an mtk_hdrlog_encode error.
MTK_MUST_CHECK int mtk_hdrlog_write_interval(FILE *f, const char *tag,
                                             double start, double length,
                                             const struct mtk_hist *h);

struct mtk_hdrlog_reader {
  FILE *f;         // borrowed
  size_t line_no;  // of the line read last
  bool has_start_time;
  double start_time;  // from "#[StartTime: ...]"
  bool has_base_time;
  double base_time;  // from "#[BaseTime: ...]"
  char *line;        // owned line buffer
  size_t line_cap;
};

struct mtk_hdrlog_entry {
  char tag[MTK_HDRLOG_TAG_MAX];     // "" when the line has no tag
  double start;                     // seconds, as written
  double length;                    // seconds
  double max;                       // the Interval_Max column, as written
  struct mtk_hdrlog_counts counts;  // owned, initialised by the read
};

// mtk_hdrlog_reader_init prepares |r| to read the log |f| (borrowed).
void mtk_hdrlog_reader_init(struct mtk_hdrlog_reader *r, FILE *f);

// mtk_hdrlog_reader_cleanup frees what |r| holds (not |f|).
void mtk_hdrlog_reader_cleanup(struct mtk_hdrlog_reader *r);

// mtk_hdrlog_read_next reads up to and including the next interval line,
// skipping comments (recording StartTime and BaseTime), the legend and
// blank lines. It returns 1 with *|out| filled (release its counts with
// mtk_hdrlog_entry_cleanup), 0 at the end of the log, or a negative
// MTK_ECORRUPT / MTK_EUNSUPPORTED / MTK_EIO / MTK_ENOMEM with the line
// number in |diag| (may be NULL); on failure |out| holds nothing to free.
MTK_MUST_CHECK int mtk_hdrlog_read_next(struct mtk_hdrlog_reader *r,
                                        struct mtk_hdrlog_entry *out,
                                        struct mtk_diag *diag);

// mtk_hdrlog_entry_cleanup releases the counts of |e|.
void mtk_hdrlog_entry_cleanup(struct mtk_hdrlog_entry *e);

#ifdef __cplusplus
}
#endif

#endif  // MTK_HEADER_HDRLOG_H
