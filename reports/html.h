// The parts of `mtlskit report html` (html.c writes the page around them):
// conformance (html_probe.c), load (html_load.c) and history
// (html_history.c). Each writes HTML5 fragments with the classes that
// html.c's stylesheet knows.
#ifndef MTK_REPORTS_HTML_H
#define MTK_REPORTS_HTML_H

#include <stdbool.h>
#include <stdio.h>

#include "load_run.h"
#include "mtlskit/cli.h"
#include "result.h"

// html_probe_section writes a probe result's section: its header and
// totals, the targets and the matrix of targets by cases (each cell's
// expected and observed outcome, stage and source shown on hover and
// focus); with |details_only|, the details table instead, the cases not
// met first. Returns 0 or an exit status (out of memory).
int html_probe_section(FILE *f, const struct report_result *r,
                       bool details_only);

// html_verdict_legend writes the key of the verdict symbols.
void html_verdict_legend(FILE *f);

// html_load_section writes the load section for |n| runs drawn on the same
// axes: parameters, SLO verdicts, percentiles, outcomes, the percentile
// distribution of each phase and the charts over time.
void html_load_section(FILE *f, const struct load_run *runs, size_t n);

// html_history_section reads the earlier results in |dir| (every *.json,
// each a probe or loadgen result) and writes the trend charts: met and not
// met per run, handshake p50 and p99 per run. The |n| results of this
// report are drawn as the latest points unless |dir| holds them already.
// Returns 0 or the exit status of the one-line error printed (an
// unreadable directory, a file that is not a result).
int html_history_section(FILE *f, const char *dir,
                         const struct report_result *current, size_t n);

// html_meta writes one "<dt>name</dt><dd>value</dd>" pair of a <dl>.
void html_meta(FILE *f, const char *name, const char *value);

#endif  // MTK_REPORTS_HTML_H
