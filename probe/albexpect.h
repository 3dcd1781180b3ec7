// What AWS ALB must add for a client certificate (docs/platforms.md
// §1.3): the expected values that albcheck.h compares an echo with,
// computed from the certificates the probe sends by the same formatting
// code mtlskit serve uses (include/mtlskit/alb_headers.h), here in its
// OpenSSL 3 build (mtk_alb_openssl; never BoringSSL in the probe).
#ifndef MTK_PROBE_ALBEXPECT_H
#define MTK_PROBE_ALBEXPECT_H

#include <openssl/x509.h>

#include "albcheck.h"
#include "mtlskit/diag.h"

#ifdef __cplusplus
extern "C" {
#endif

// mtk_probe_alb_expected_make computes every expected header value for a
// client that sends |leaf| followed by |chain| (NULL or empty: the leaf
// alone) into |out|, which must be zeroed: the leaf's serial (upper-case
// hex, no leading zero bytes), issuer and subject (RFC 2253 as
// XN_FLAG_RFC2253 prints them), validity ("NotBefore=...Z;NotAfter=...Z"),
// URL-encoded PEM ("+=/" kept), and the URL-encoded PEM of every
// certificate, leaf first. It returns 0, or MTK_ENOMEM / MTK_ECRYPTO with
// the detail in |diag|; on failure |out| is left zeroed.
MTK_MUST_CHECK int mtk_probe_alb_expected_make(
    X509 *leaf, const STACK_OF(X509) * chain,
    struct mtk_probe_alb_expected *out, struct mtk_diag *diag);

#ifdef __cplusplus
}
#endif

#endif  // MTK_PROBE_ALBEXPECT_H
