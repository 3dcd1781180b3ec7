// The endpoint platforms whose documented rules mtlskit applies offline
// (verify, lint). Sources: shared docs endpoint-behaviour.md.
#ifndef MTK_HEADER_PLATFORM_H
#define MTK_HEADER_PLATFORM_H

#include "mtlskit/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MTK_PLATFORM_MAP(XX) \
  XX(STRICT, "strict")       \
  XX(ALB, "alb")             \
  XX(APIGW, "apigw")         \
  XX(NGINX, "nginx")         \
  XX(HAPROXY, "haproxy")     \
  XX(CLOUDFLARE, "cloudflare")

enum mtk_platform {
#define MTK_PLATFORM_ENUM(name, str) MTK_PLATFORM_##name,
  MTK_PLATFORM_MAP(MTK_PLATFORM_ENUM)
#undef MTK_PLATFORM_ENUM
      MTK_PLATFORM_COUNT
};

// mtk_platform_name returns the stable name of |platform| ("alb"), or NULL
// if it is out of range. The string is static.
const char *mtk_platform_name(enum mtk_platform platform);

// mtk_platform_from_name looks |name| up. It returns 0 and sets *out, or
// MTK_EPARSE.
MTK_MUST_CHECK int mtk_platform_from_name(const char *name,
                                          enum mtk_platform *out);

#ifdef __cplusplus
}
#endif

#endif  // MTK_HEADER_PLATFORM_H
