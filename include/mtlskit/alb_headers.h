// The headers AWS ALB adds for its targets in mutual-TLS modes
// (docs/platforms.md §1.3), computed from certificates: what
// `mtlskit serve` sends to its echo backend and what `mtlskit probe
// --alb-headers` expects to see echoed.
//
// This module is compiled once per TLS library (common/CMakeLists.txt):
// into mtk_alb_boringssl for the BoringSSL side and into mtk_alb_openssl
// for the probe's OpenSSL 3, because the two may never share an
// executable. It uses only X509 API both libraries provide.
#ifndef MTK_HEADER_ALB_HEADERS_H
#define MTK_HEADER_ALB_HEADERS_H

#include <openssl/x509.h>
#include <stddef.h>

#include "mtlskit/error.h"

#ifdef __cplusplus
extern "C" {
#endif

// The verify-mode headers, each a heap string.
struct mtk_alb_headers {
  char *serial;    // X-Amzn-Mtls-Clientcert-Serial-Number: "03A5B1"
  char *issuer;    // X-Amzn-Mtls-Clientcert-Issuer: RFC 2253
  char *subject;   // X-Amzn-Mtls-Clientcert-Subject: RFC 2253
  char *validity;  // X-Amzn-Mtls-Clientcert-Validity:
                   // "NotBefore=...Z;NotAfter=...Z"
  char *leaf;      // X-Amzn-Mtls-Clientcert-Leaf: URL-encoded PEM
};

// mtk_alb_headers_make fills |out| from |leaf| (borrowed). Release with
// mtk_alb_headers_cleanup, also after a failure. It returns 0, MTK_ENOMEM
// or MTK_ECRYPTO.
MTK_MUST_CHECK int mtk_alb_headers_make(X509 *leaf,
                                        struct mtk_alb_headers *out);

// mtk_alb_headers_cleanup frees what |h| holds and zeroes it.
void mtk_alb_headers_cleanup(struct mtk_alb_headers *h);

// mtk_alb_chain_header writes the value of X-Amzn-Mtls-Clientcert
// (passthrough mode): the URL-encoded PEM of |leaf| then of each certificate
// of |chain| (may be NULL), as a new heap string *out. It returns 0,
// MTK_ENOMEM or MTK_ECRYPTO.
MTK_MUST_CHECK int mtk_alb_chain_header(X509 *leaf,
                                        const STACK_OF(X509) * chain,
                                        char **out);

// mtk_alb_url_encode percent-encodes |in| (|len| bytes) as ALB does:
// letters, digits, "-._~" and the documented safe "+=/" stay, everything
// else becomes %XX in upper case (a space %20, a newline %0A). *out is a
// new heap string. It returns 0 or MTK_ENOMEM.
MTK_MUST_CHECK int mtk_alb_url_encode(const char *in, size_t len, char **out);

// mtk_alb_name_rfc2253 writes |name| as `openssl x509 -nameopt RFC2253`
// prints it (most specific RDN first) to a new heap string *out. It
// returns 0, MTK_ENOMEM or MTK_ECRYPTO.
MTK_MUST_CHECK int mtk_alb_name_rfc2253(const X509_NAME *name, char **out);

#ifdef __cplusplus
}
#endif

#endif  // MTK_HEADER_ALB_HEADERS_H
