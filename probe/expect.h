// Expectations: the set of outcomes a profile cell or a user override
// allows, e.g. "http 403|refused" or "tls-alert certificate_expired|reset".
//
// Grammar: alternatives separated by '|'; each is
//   http              any HTTP response
//   http 403          that status
//   http 4xx          any status in that hundred
//   tls-alert         any TLS alert
//   tls-alert 45      that alert, by number or RFC 8446 name
//   refused           tls-alert, reset or closed (no HTTP response)
//   reset | closed | timeout | connect-failed | dns-failed |
//   server-cert-rejected | client-error | protocol-error
#ifndef MTK_PROBE_EXPECT_H
#define MTK_PROBE_EXPECT_H

#include <stdbool.h>
#include <stddef.h>

#include "mtlskit/diag.h"
#include "mtlskit/outcome.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MTK_PROBE_EXPECT_MAX 12

// One allowed outcome. For HTTP, status in [http_lo, http_hi]; for a TLS
// alert, alert == -1 means any.
struct mtk_probe_match {
  enum mtk_outcome_kind kind;
  int http_lo;
  int http_hi;
  int alert;
};

struct mtk_probe_expect {
  size_t num_matches;
  struct mtk_probe_match matches[MTK_PROBE_EXPECT_MAX];
};

// mtk_probe_expect_parse parses |text| into |out|. It returns 0, or
// MTK_EPARSE (detail in |diag|) for text outside the grammar, or
// MTK_ERANGE for more than MTK_PROBE_EXPECT_MAX alternatives.
MTK_MUST_CHECK int mtk_probe_expect_parse(const char *text,
                                          struct mtk_probe_expect *out,
                                          struct mtk_diag *diag);

// mtk_probe_expect_union adds the alternatives of |add| to |e| (skipping
// ones already there). It returns 0, or MTK_ERANGE if they do not fit.
MTK_MUST_CHECK int mtk_probe_expect_union(struct mtk_probe_expect *e,
                                          const struct mtk_probe_expect *add);

// mtk_probe_expect_matches reports whether |o| is one of the outcomes |e|
// allows. An empty |e| matches nothing.
bool mtk_probe_expect_matches(const struct mtk_probe_expect *e,
                              const struct mtk_outcome *o);

// mtk_probe_expect_names_alert reports whether |e| allows a TLS alert by
// its number or name (not just "any alert"): the alert then decides the
// verdict.
bool mtk_probe_expect_names_alert(const struct mtk_probe_expect *e);

// mtk_probe_expect_format writes |e| in the grammar above, alerts by name
// ("http 403|tls-alert certificate_expired"), into |out|. It returns 0, or
// MTK_ERANGE if |out_len| is too small.
MTK_MUST_CHECK int mtk_probe_expect_format(char *out, size_t out_len,
                                           const struct mtk_probe_expect *e);

#ifdef __cplusplus
}
#endif

#endif  // MTK_PROBE_EXPECT_H
