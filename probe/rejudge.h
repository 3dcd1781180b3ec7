// `mtlskit probe --rejudge SAVED.json --connection-log LOG...`: a probe
// result judged again once the platform's connection logs arrive (ALB
// delivers them to S3 minutes after the connections). Each attempt saved
// with its connection facts (the leaf serial, ports, start and end times,
// the statuses its case may be logged with) is matched to a log line; an
// attempt that met its expectation but was logged with a reason its case
// does not give becomes not met.
#ifndef MTK_PROBE_REJUDGE_H
#define MTK_PROBE_REJUDGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "connlog.h"
#include "mtlskit/diag.h"
#include "mtlskit/error.h"

// What a rejudged run came to.
struct mtk_probe_rejudge_stats {
  size_t ran;       // attempts saved with their connection facts
  size_t matched;   // of which a log line was found
  int exit_status;  // the probe's exit status for the result judged again
};

// mtk_probe_rejudge reads the probe --json result |saved|, matches its
// attempts to |log| and writes the result judged again to |out|: as JSON
// (the same schema, with "connection_log" per attempt and the summary and
// exit_status recomputed) when |json|, else as a table of every attempt
// with its stated and expected status. It fills |stats| and returns 0, or
// MTK_EPARSE when |saved| is not a probe result with connection facts,
// MTK_EIO when |out| cannot be written (|diag| says which, naming |saved|).
MTK_MUST_CHECK int mtk_probe_rejudge(const char *saved,
                                     const struct mtk_probe_connlog *log,
                                     bool json, FILE *out,
                                     struct mtk_probe_rejudge_stats *stats,
                                     struct mtk_diag *diag);

#endif  // MTK_PROBE_REJUDGE_H
