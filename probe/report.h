// The probe's outputs: the table on the terminal, the --json document and
// the --junit file, all from one judged run.
#ifndef MTK_PROBE_REPORT_H
#define MTK_PROBE_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "config.h"
#include "manifest.h"
#include "mtlskit/diag.h"
#include "plan.h"

#ifdef __cplusplus
extern "C" {
#endif

// 2: results "error" (the target could not be probed), outcome kind
// "http-broken", target "error", summary "error", facts "body_capped".
// 3: result "incomplete" (cut by the deadline, was "not-met"), summary
// "incomplete", "deadline_ms", "deadline_derived"; "observed" may come from
// the read-before-write re-probe ("observations" lists both); target
// "server_trust"; "chain_sent"; "timings_ms.start"; "timings_ms.connect"
// also when the handshake failed.
#define MTK_PROBE_JSON_SCHEMA 3

// mtk_probe_report_table prints, per target, one row per case (case,
// expected, observed, result, why) and a closing summary line to |out|.
void mtk_probe_report_table(FILE *out, const struct mtk_probe_run *r,
                            const struct mtk_probe_config *c,
                            int64_t elapsed_us);

// mtk_probe_report_json prints the run as one JSON document (schema in
// docs/probe.md) to |out|. It returns 0, or MTK_ENOMEM / MTK_EIO.
MTK_MUST_CHECK int mtk_probe_report_json(FILE *out,
                                         const struct mtk_probe_run *r,
                                         const struct mtk_probe_config *c,
                                         const struct mtk_probe_manifest *m,
                                         int64_t elapsed_us);

// mtk_probe_report_junit writes the run as JUnit XML to |path|: one
// testcase per target x case, classname = target name; not-met cases are
// failures carrying expected and observed, error cases are <error>,
// unspecified and skipped cases are <skipped>. A target that could not be
// probed at all (mtk_probe_target_error) is one <error> testcase named
// "(target)" and its cases are <skipped>. It returns 0 or an error with detail
// in |diag|.
MTK_MUST_CHECK int mtk_probe_report_junit(const char *path,
                                          const struct mtk_probe_run *r,
                                          struct mtk_diag *diag);

#ifdef __cplusplus
}
#endif

#endif  // MTK_PROBE_REPORT_H
