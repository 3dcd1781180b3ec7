// ALB header checks (docs/platforms.md §1.3): does what a header-echo
// backend received match what AWS ALB must add for the client certificate
// an attempt used, and did none of the probe's forged X-Amzn-Mtls-*
// request headers get through?
//
// verify mode: X-Amzn-Mtls-Clientcert-Serial-Number, -Issuer, -Subject,
// -Validity, -Leaf. passthrough mode: X-Amzn-Mtls-Clientcert. Header names
// are compared case-insensitively. In the two URL-encoded PEM headers a
// '=' may arrive as is or as "%3D": §1.3 says "+=/" stay unencoded, while
// its example shows a trailing "==" as "%3D%3D"; both are accepted, every
// other byte must be exactly as expected.
#ifndef MTK_PROBE_ALBCHECK_H
#define MTK_PROBE_ALBCHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "echo.h"
#include "mtlskit/diag.h"

#ifdef __cplusplus
extern "C" {
#endif

enum mtk_probe_alb_mode {
  MTK_PROBE_ALB_OFF = 0,
  MTK_PROBE_ALB_VERIFY,
  MTK_PROBE_ALB_PASSTHROUGH,
};

// mtk_probe_alb_mode_parse parses "verify" or "passthrough" into |out|. It
// returns 0 or MTK_EPARSE.
MTK_MUST_CHECK int mtk_probe_alb_mode_parse(const char *s,
                                            enum mtk_probe_alb_mode *out);

// mtk_probe_alb_mode_name returns "off", "verify" or "passthrough"
// (static).
const char *mtk_probe_alb_mode_name(enum mtk_probe_alb_mode m);

// mtk_probe_alb_forged_header returns the |i|th forged request header
// ("Name: value", static) the probe sends when the checks are on, or NULL
// past the last one.
const char *mtk_probe_alb_forged_header(size_t i);

// What ALB must add for one client certificate, computed from the fixture
// (albexpect.h). Every field is a NUL-terminated heap string.
struct mtk_probe_alb_expected {
  char *serial;    // upper-case hex, no leading zero bytes: "03A5B1"
  char *issuer;    // RFC 2253
  char *subject;   // RFC 2253
  char *validity;  // "NotBefore=2023-09-21T01:50:17Z;NotAfter=..."
  char *leaf;      // URL-encoded PEM of the leaf
  char *chain;     // URL-encoded PEM of every certificate sent, leaf first
};

// mtk_probe_alb_expected_cleanup frees the fields of |e| and zeroes it.
// NULL fields are allowed.
void mtk_probe_alb_expected_cleanup(struct mtk_probe_alb_expected *e);

#define MTK_PROBE_ALB_MAX_FAILURES 8
#define MTK_PROBE_ALB_FAILURE_LEN 240

// The header check of one attempt.
struct mtk_probe_alb_result {
  bool checked;  // the attempt was an HTTP 2xx and its echo was examined
  size_t num_failures;
  char failures[MTK_PROBE_ALB_MAX_FAILURES][MTK_PROBE_ALB_FAILURE_LEN];
};

// mtk_probe_alb_result_init sets |r| to "not checked".
void mtk_probe_alb_result_init(struct mtk_probe_alb_result *r);

// mtk_probe_alb_pem_equal compares a received URL-encoded PEM |got| with
// the expected |want|, where a '=' in |want| may be "%3D" in |got|. It
// returns true if they are equal; otherwise false with the offsets of the
// first difference in *out_want_at and *out_got_at (either may be NULL).
bool mtk_probe_alb_pem_equal(const char *want, const char *got,
                             size_t *out_want_at, size_t *out_got_at);

// mtk_probe_alb_check checks |echo| against |want| (NULL: the attempt
// sent no client certificate, so the mode's headers must be absent) in
// |mode|, and fills in |out|: checked = true and one line per failed
// check, e.g. "X-Amzn-Mtls-Clientcert-Serial-Number: expected 03A5B1, got
// 03A5B2", "forged X-Amzn-Mtls-Clientcert-Subject reached the backend",
// "X-Amzn-Mtls-Clientcert-Leaf missing", or, when |echo| holds no headers
// at all, "no echoed request headers in the response body". An echoed
// value carrying a forged value is reported as the forgery and left out of
// the other checks. |mode| must not be MTK_PROBE_ALB_OFF.
void mtk_probe_alb_check(enum mtk_probe_alb_mode mode,
                         const struct mtk_probe_alb_expected *want,
                         const struct mtk_probe_echo *echo,
                         struct mtk_probe_alb_result *out);

// mtk_probe_alb_result_fail records one failure with text |fmt| in |r|
// (checked becomes true), for a check that could not even read the echo
// (a body over the size bound). Failures past MTK_PROBE_ALB_MAX_FAILURES
// are counted in num_failures but their text is dropped.
void mtk_probe_alb_result_fail(struct mtk_probe_alb_result *r, const char *fmt,
                               ...) MTK_PRINTF(2, 3);

#ifdef __cplusplus
}
#endif

#endif  // MTK_PROBE_ALBCHECK_H
