// Trust-store lint: check a CA bundle and CRLs against a platform's
// documented upload requirements before they reach it.
//
// Rules and their sources (docs/platforms.md):
//   ALB (§1.5): PEM certificates only, no blank lines, comments start with
//     '#' and contain no '-', at most 25 CA certificates of at most 16 KB
//     each, chain depth at most 4, keys RSA 2048-8192 or ECDSA
//     P-256/384/521, SHA-256+ signatures, CRL files at most 50 MB, at most
//     500,000 revocation entries and 30 CRL files per trust store.
//   API Gateway (§2): chain length at most 4, RSA >= 2048 or ECDSA >= 256,
//     SHA-256+, no duplicate subject DNs, file under ~1000 KB; revocation
//     is not checked (a CRL is pointless).
//   nginx (§4) / HAProxy (§5): with CRLs, one for every CA
//     (X509_V_FLAG_CRL_CHECK_ALL), else every client fails.
//   Cloudflare (§3): CA:TRUE, RSA or ECDSA with SHA-1/256/384/512, at most
//     5 CAs per account; uploaded CRLs are not checked.
// Every platform: each certificate must be a CA (basicConstraints CA:TRUE),
// not expired (warning within 30 days), CRLs signed by a CA in the bundle
// and not past nextUpdate (warning within 7 days).
#ifndef MTK_HEADER_LINT_H
#define MTK_HEADER_LINT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "mtlskit/diag.h"
#include "mtlskit/platform.h"

#ifdef __cplusplus
extern "C" {
#endif

enum mtk_lint_severity {
  MTK_LINT_INFO,
  MTK_LINT_WARNING,
  MTK_LINT_ERROR,
};

struct mtk_lint_finding {
  enum mtk_lint_severity severity;
  const char *rule;  // stable id, e.g. "alb.blank-line"; static
  char where[96];    // "truststore.pem:12", "certificate 3", "crl.pem"
  char message[256];
};

struct mtk_lint_report {
  struct mtk_lint_finding *findings;
  size_t num_findings;
  size_t cap;
};

struct mtk_lint_config {
  enum mtk_platform platform;
  time_t at;  // evaluation time; 0: now
};

// mtk_lint_severity_name returns "info", "warning" or "error".
const char *mtk_lint_severity_name(enum mtk_lint_severity severity);

// mtk_lint_truststore checks the bundle at |bundle_path| and the
// |num_crls| CRL files at |crl_paths| against |config|'s platform, adding
// findings to |report| (initialised to zero by the caller, freed with
// mtk_lint_report_cleanup). It returns 0 when the lint ran (whatever it
// found), or a negative code when a file could not be read at all.
MTK_MUST_CHECK int mtk_lint_truststore(const struct mtk_lint_config *config,
                                       const char *bundle_path,
                                       const char *const *crl_paths,
                                       size_t num_crls,
                                       struct mtk_lint_report *report,
                                       struct mtk_diag *diag);

// mtk_lint_report_has_errors reports whether |report| holds an error-level
// finding.
bool mtk_lint_report_has_errors(const struct mtk_lint_report *report);

// mtk_lint_report_cleanup frees the findings and zeroes |report|.
void mtk_lint_report_cleanup(struct mtk_lint_report *report);

#ifdef __cplusplus
}
#endif

#endif  // MTK_HEADER_LINT_H
