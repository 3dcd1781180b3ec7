// Results of other mtlskit commands as `report md|diff` read them: one
// loader that recognises a `probe --json` or `loadgen --json` document and
// refuses anything else with one line naming the file, the walks over a
// probe result's attempts and a loadgen result's phases that every output
// shares, and the output sink that never leaves a half-written file.
#ifndef MTK_REPORTS_RESULT_H
#define MTK_REPORTS_RESULT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "outline.h"

// The newest schema_version of each kind this mtlskit reads.
#define REPORT_PROBE_SCHEMA 3
#define REPORT_LOADGEN_SCHEMA 1

enum report_kind { REPORT_PROBE, REPORT_LOADGEN };

struct report_result {
  const char *path;
  enum report_kind kind;
  // The whole document (owned); from report_result_load_outlines, a probe
  // result's without the contents of "targets" (outline.h).
  json_t *doc;
  // From report_result_load_outlines only: a probe result's attempts and
  // the strings they point to (NULL when they point into |doc|). Owned.
  struct report_attempt *attempts;
  size_t num_attempts;
  char *strings;
};

// report_result_load reads |path| as a probe or loadgen JSON result into
// |out|. A file that cannot be read is exit status 3; one that is not JSON
// (truncated, empty), not an mtlskit result (an HdrHistogram log included)
// or of a schema_version newer than REPORT_*_SCHEMA is exit status 2. The
// error is printed as one line naming |path|. Returns 0 on success; the
// caller then frees |out| with report_result_free.
int report_result_load(const char *path, struct report_result *out);

// report_result_load_outlines loads the outline (outline.h) of |path_a|
// into |a| and of |path_b| into |b|, with report_result_load's errors: what
// a comparison of two nightly results reads, fast. The two files are read
// one after the other by one parser, which makes the kernel map its memory
// once. On failure it prints the error of the first file that failed,
// releases both and returns its exit status.
int report_result_load_outlines(const char *path_a, struct report_result *a,
                                const char *path_b, struct report_result *b);

// report_sniff_hdrlog sets *|out| to whether the file |path| starts like an
// HdrHistogram interval log (a "#[" comment, the legend, a "Tag=" line).
// Returns 0, or exit status 3 with one line naming |path| when it cannot be
// opened.
int report_sniff_hdrlog(const char *path, bool *out);

// report_result_free releases what report_result_load allocated.
void report_result_free(struct report_result *r);

// The latency phases of a loadgen result, in their order of occurrence.
#define REPORT_NUM_PHASES 4
extern const char *const report_phases[REPORT_NUM_PHASES];

// A percentile reported by loadgen: its JSON key in a phase ("p99_ns") and
// its label in tables ("p99").
struct report_pct {
  const char *key;
  const char *label;
};
#define REPORT_NUM_PCTS 5
extern const struct report_pct report_pcts[REPORT_NUM_PCTS];

// report_str returns the string member |key| of |obj|, or |dflt| when it is
// missing or not a string.
const char *report_str(const json_t *obj, const char *key, const char *dflt);

// report_num returns the number (integer or real) |key| of |obj|, or
// |dflt|.
double report_num(const json_t *obj, const char *key, double dflt);

// report_attempt_cb is called for each case of each target of a probe
// result with the target's object and the attempt's object.
typedef void (*report_attempt_cb)(const json_t *target, const json_t *attempt,
                                  void *arg);

// report_each_attempt walks a probe result's targets and their results in
// document order.
void report_each_attempt(const json_t *doc, report_attempt_cb cb, void *arg);

// report_observed returns an attempt's observed outcome text ("" when it was
// not run).
const char *report_observed(const json_t *attempt);

// report_format_ns writes a duration in nanoseconds with a unit chosen by
// magnitude ("4.56ms"), or "-" for a missing value (< 0).
void report_format_ns(char *out, size_t out_len, double ns);

// report_format_slo writes the measured |value| of the loadgen SLO clause
// |clause| ("handshake.p99<=50ms", "errors<=0.1%", "rate>=100") as loadgen
// prints it: a duration for a phase, a percentage, a rate or a count.
void report_format_slo(char *out, size_t out_len, const char *clause,
                       double value);

// struct report_out collects a command's output in memory, so that `-o
// FILE` is replaced only once everything was written.
struct report_out {
  FILE *f;  // write here
  char *buf;
  size_t len;
};

// report_out_open starts collecting; returns 0 or exit status 4.
int report_out_open(struct report_out *o);

// report_out_finish writes what was collected to |path| (atomically
// replaced, mode 0644) or to stdout when |path| is NULL, and releases it.
// Returns 0 or the exit status of the printed one-line error.
int report_out_finish(struct report_out *o, const char *path);

// report_out_abort releases what was collected without writing it.
void report_out_abort(struct report_out *o);

// report_md_cell writes |s| as the text of a Markdown table cell: '|' is
// escaped and line breaks become spaces (report_md.c).
void report_md_cell(FILE *f, const char *s);

#endif  // MTK_REPORTS_RESULT_H
