// The endpoint platforms whose documented rules mtlskit applies offline
// (verify, lint). Sources: docs/platforms.md.
#ifndef MTK_HEADER_PLATFORM_H
#define MTK_HEADER_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>

#include "mtlskit/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MTK_PLATFORM_MAP(XX)   \
  XX(STRICT, "strict")         \
  XX(ALB, "alb")               \
  XX(APIGW, "apigw")           \
  XX(NGINX, "nginx")           \
  XX(HAPROXY, "haproxy")       \
  XX(CLOUDFLARE, "cloudflare") \
  XX(APACHE, "apache")         \
  XX(NODE, "node")             \
  XX(GO, "go")                 \
  XX(STUNNEL, "stunnel")

enum mtk_platform {
#define MTK_PLATFORM_ENUM(name, str) MTK_PLATFORM_##name,
  MTK_PLATFORM_MAP(MTK_PLATFORM_ENUM)
#undef MTK_PLATFORM_ENUM
      MTK_PLATFORM_COUNT
};

// mtk_platform_name returns the stable name of |platform| ("alb"), or NULL
// if it is out of range. The string is static.
const char *mtk_platform_name(enum mtk_platform platform);

// mtk_platform_from_name looks |name| up, also under the names probe and
// serve profiles give the same platform ("alb-verify" is "alb",
// "nginx-optional" "nginx", "ibm-cis" "cloudflare", "caddy" "go"). It returns 0
// and sets *out, or MTK_EPARSE.
MTK_MUST_CHECK int mtk_platform_from_name(const char *name,
                                          enum mtk_platform *out);

// mtk_platform_runs_openssl: whether |platform|'s real server verifies
// client certificates with OpenSSL (nginx, haproxy, apache, node, stunnel),
// so that mtlskit decides for it with OpenSSL too.
bool mtk_platform_runs_openssl(enum mtk_platform platform);

// mtk_platform_runs_go: whether |platform|'s real server verifies client
// certificates with Go's crypto/x509 (go: Caddy and other Go servers), so
// that mtlskit decides for it with its emulation of Go's rules.
bool mtk_platform_runs_go(enum mtk_platform platform);

// mtk_platform_checks_revocation: whether |platform| checks a client
// certificate against the CRLs it is given (API Gateway, Cloudflare and Go
// servers ignore them).
bool mtk_platform_checks_revocation(enum mtk_platform platform);

// mtk_platform_crl_check_all: whether |platform|, once given CRLs, wants a
// CRL for every CA in the path (OpenSSL's X509_V_FLAG_CRL_CHECK_ALL, as
// nginx, HAProxy, Apache and Node set it, and strict), rather than the
// client certificate's issuer's only (stunnel's X509_V_FLAG_CRL_CHECK).
bool mtk_platform_crl_check_all(enum mtk_platform platform);

// mtk_platform_choices writes the valid names, for error messages
// ("strict, alb (or alb-verify), ..."), to |out| (NUL-terminated, cut to
// |out_len|, which must be at least 1).
void mtk_platform_choices(char *out, size_t out_len);

#ifdef __cplusplus
}
#endif

#endif  // MTK_HEADER_PLATFORM_H
