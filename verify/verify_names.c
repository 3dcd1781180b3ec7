// The TLS-library-free part of mtk_verify: configuration defaults and the
// reason names. Compiled into both verifiers (BoringSSL's mtk_verify and
// the OpenSSL-linked mtlskit-verify-openssl), which must not share a
// library that calls either TLS stack.
#include "mtlskit/verify.h"

static const char *const reason_names[] = {
#define MTK_VERIFY_REASON_STR(name, str) str,
    MTK_VERIFY_REASON_MAP(MTK_VERIFY_REASON_STR)
#undef MTK_VERIFY_REASON_STR
};

void mtk_verify_config_init(struct mtk_verify_config *config) {
  config->platform = MTK_PLATFORM_STRICT;
  config->depth = -1;
  config->allow_expired = false;
  config->at = 0;
}

const char *mtk_verify_reason_name(enum mtk_verify_reason reason) {
  if ((unsigned)reason >= MTK_VERIFY_REASON_COUNT) {
    return NULL;
  }
  return reason_names[reason];
}
