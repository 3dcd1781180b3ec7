// One load run as `report html` draws it, from a `loadgen --json` result,
// a `loadgen --hdr-log` interval log, or both (the same run's two files):
// the latency distribution of each phase and the run over time.
#ifndef MTK_REPORTS_LOAD_RUN_H
#define MTK_REPORTS_LOAD_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "result.h"

// A latency distribution: the non-empty buckets in ascending order, each
// as its lowest value (ns) and its count.
struct load_dist {
  size_t n;
  int64_t *value;
  int64_t *count;
  int64_t total;
};

// One reporting interval. Values not known from the inputs are NAN.
struct load_interval {
  double start_s;   // since the start of the run
  double length_s;  // its length
  double connections;
  double errors;  // only a --json timeline says
  double p50[REPORT_NUM_PHASES], p99[REPORT_NUM_PHASES];  // ns
};

struct load_run {
  char label[128];                           // the legend: the file's name
  const struct report_result *json;          // borrowed, or NULL
  const char *hlog_path;                     // or NULL
  struct load_dist dist[REPORT_NUM_PHASES];  // per phase
  struct load_interval *iv;                  // the timeline
  size_t num_iv;
};

// load_run_init sets up |run| labelled with |path|'s file name.
void load_run_init(struct load_run *run, const char *path);

// load_run_add_json takes the distributions and the timeline of the
// loadgen result |r| (borrowed until load_run_free). Returns 0 or an exit
// status (out of memory).
int load_run_add_json(struct load_run *run, const struct report_result *r);

// load_run_add_hdrlog reads the HdrHistogram interval log |path|: it adds
// up the intervals of each tag (connect, handshake, ttfb, total; a line
// without a tag counts as total) into the distributions the run does not
// have yet, and becomes the timeline when the run has none. A log that
// cannot be read is exit status 3; a corrupt one, or one without any
// interval, exit status 2 with one line naming |path|. Returns 0 or that
// status.
int load_run_add_hdrlog(struct load_run *run, const char *path);

// load_run_free releases what |run| holds.
void load_run_free(struct load_run *run);

// load_dist_percentile returns the value (ns) at |pct| (0..100) of |d|, or
// NAN when |d| is empty.
double load_dist_percentile(const struct load_dist *d, double pct);

#endif  // MTK_REPORTS_LOAD_RUN_H
