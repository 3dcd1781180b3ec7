#include "mtlskit/platform.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

static const char *const platform_names[] = {
#define MTK_PLATFORM_STR(name, str) str,
    MTK_PLATFORM_MAP(MTK_PLATFORM_STR)
#undef MTK_PLATFORM_STR
};

const char *mtk_platform_name(enum mtk_platform platform) {
  if ((unsigned)platform >= MTK_PLATFORM_COUNT) {
    return NULL;
  }
  return platform_names[platform];
}

// The names probe and serve give the same platforms (their profiles), so
// one spelling works in every command. The verifier checks what the
// platform checks; how it answers (nginx `optional`'s 403) is the probe's.
static const struct {
  const char *alias;
  enum mtk_platform platform;
} aliases[] = {
    {"alb-verify", MTK_PLATFORM_ALB},
    {"nginx-optional", MTK_PLATFORM_NGINX},
    {"ibm-cis", MTK_PLATFORM_CLOUDFLARE},
    {"caddy", MTK_PLATFORM_GO},
};

int mtk_platform_from_name(const char *name, enum mtk_platform *out) {
  for (size_t i = 0; i < MTK_PLATFORM_COUNT; i++) {
    if (strcmp(name, platform_names[i]) == 0) {
      *out = (enum mtk_platform)i;
      return 0;
    }
  }
  for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++) {
    if (strcmp(name, aliases[i].alias) == 0) {
      *out = aliases[i].platform;
      return 0;
    }
  }
  return MTK_EPARSE;
}

bool mtk_platform_runs_openssl(enum mtk_platform platform) {
  return platform == MTK_PLATFORM_NGINX || platform == MTK_PLATFORM_HAPROXY ||
         platform == MTK_PLATFORM_APACHE || platform == MTK_PLATFORM_NODE ||
         platform == MTK_PLATFORM_STUNNEL;
}

bool mtk_platform_runs_go(enum mtk_platform platform) {
  return platform == MTK_PLATFORM_GO;
}

// Go's crypto/tls and crypto/x509 check no CRL at all (verify.go: "this
// function doesn't do any revocation checking"); API Gateway and
// Cloudflare document that they check none (docs/platforms.md).
bool mtk_platform_checks_revocation(enum mtk_platform platform) {
  return platform != MTK_PLATFORM_APIGW &&
         platform != MTK_PLATFORM_CLOUDFLARE && platform != MTK_PLATFORM_GO;
}

bool mtk_platform_crl_check_all(enum mtk_platform platform) {
  // stunnel 5.68 src/verify.c crl_init: X509_V_FLAG_CRL_CHECK alone.
  return platform == MTK_PLATFORM_STRICT ||
         (mtk_platform_runs_openssl(platform) &&
          platform != MTK_PLATFORM_STUNNEL);
}

void mtk_platform_choices(char *out, size_t out_len) {
  size_t len = 0;
  out[0] = '\0';
  for (size_t i = 0; i < MTK_PLATFORM_COUNT; i++) {
    int n = snprintf(out + len, out_len - len, "%s%s", i > 0 ? ", " : "",
                     platform_names[i]);
    len += n > 0 && (size_t)n < out_len - len ? (size_t)n : 0;
    for (size_t a = 0; a < sizeof(aliases) / sizeof(aliases[0]); a++) {
      if (aliases[a].platform == (enum mtk_platform)i) {
        n = snprintf(out + len, out_len - len, " (or %s)", aliases[a].alias);
        len += n > 0 && (size_t)n < out_len - len ? (size_t)n : 0;
      }
    }
  }
}
