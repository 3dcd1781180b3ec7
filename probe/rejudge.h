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
#include <stdio.h>

#include "connlog.h"

// mtk_probe_rejudge reads the probe --json result |saved|, matches its
// attempts to |log| and writes the result judged again to |out|: as JSON
// (the same schema, with "connection_log" per attempt and the summary and
// exit_status recomputed) when |json|, else as a table of every attempt
// with its stated and expected status. It returns the probe's exit status
// for the new result (0 all met, 1 one not met, 3 errors or incomplete),
// or 2 for a |saved| file that is not a probe result with connection facts
// (one line naming it printed).
int mtk_probe_rejudge(const char *saved, const struct mtk_probe_connlog *log,
                      bool json, FILE *out);

#endif  // MTK_PROBE_REJUDGE_H
