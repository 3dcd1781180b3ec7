// What AWS ALB must add for a client certificate (endpoint-behaviour.md
// §1.3), computed with OpenSSL 3 (the one libcurl links, never BoringSSL)
// from the certificates the probe sends: the expected values that
// albcheck.h compares an echo with.
#ifndef MTK_PROBE_ALBEXPECT_H
#define MTK_PROBE_ALBEXPECT_H

#include <openssl/x509.h>
#include <stddef.h>

#include "albcheck.h"
#include "mtlskit/diag.h"

#ifdef __cplusplus
extern "C" {
#endif

// mtk_probe_url_encode URL-encodes the |len| bytes of |in| as ALB does:
// letters, digits, "-._~" and §1.3's safe characters "+=/" stay, every
// other byte becomes "%XX" (upper-case hex), so a space is "%20" and a
// newline "%0A". It returns 0 and sets *out (free with free()), or
// MTK_ENOMEM.
MTK_MUST_CHECK int mtk_probe_url_encode(const char *in, size_t len,
                                        char **out);

// mtk_probe_alb_serial_hex writes |cert|'s serial number as ALB's
// X-Amzn-Mtls-Clientcert-Serial-Number: upper-case hex, two digits per
// byte, no leading zero bytes ("03A5B1"; a zero serial is "00", a negative
// one gets a leading '-'). It returns 0, or MTK_ERANGE if |out_len| is too
// small (a 20-byte serial needs 42 bytes).
MTK_MUST_CHECK int mtk_probe_alb_serial_hex(const X509 *cert, char *out,
                                            size_t out_len);

// mtk_probe_alb_name_rfc2253 returns |name| as OpenSSL prints it with
// XN_FLAG_RFC2253 (`openssl x509 -nameopt RFC2253`), in *out (free with
// free()). It returns 0, MTK_ENOMEM or MTK_ECRYPTO.
MTK_MUST_CHECK int mtk_probe_alb_name_rfc2253(const X509_NAME *name,
                                              char **out);

// mtk_probe_alb_validity writes |cert|'s validity as ALB's
// X-Amzn-Mtls-Clientcert-Validity, "NotBefore=2023-09-21T01:50:17Z;
// NotAfter=2024-09-20T01:50:17Z" (no space), into |out|. It returns 0,
// MTK_EPARSE for a time OpenSSL cannot read, or MTK_ERANGE if |out_len| is
// too small (64 bytes suffice for four-digit years).
MTK_MUST_CHECK int mtk_probe_alb_validity(const X509 *cert, char *out,
                                          size_t out_len);

// mtk_probe_alb_pem_url_encoded returns the URL-encoded PEM of |cert|
// (64-character base64 lines, each ending in a newline) in *out (free with
// free()). It returns 0, MTK_ENOMEM or MTK_ECRYPTO.
MTK_MUST_CHECK int mtk_probe_alb_pem_url_encoded(X509 *cert, char **out);

// mtk_probe_alb_expected_make computes every expected header value for a
// client that sends |leaf| followed by |chain| (NULL or empty: the leaf
// alone) into |out|, which must be zeroed. It returns 0, or MTK_ENOMEM /
// MTK_ECRYPTO / MTK_EPARSE with the detail in |diag|; on failure |out| is
// left zeroed.
MTK_MUST_CHECK int mtk_probe_alb_expected_make(
    X509 *leaf, const STACK_OF(X509) *chain,
    struct mtk_probe_alb_expected *out, struct mtk_diag *diag);

#ifdef __cplusplus
}
#endif

#endif  // MTK_PROBE_ALBEXPECT_H
