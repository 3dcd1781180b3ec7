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

struct mtk_verify_check mtk_verify_reason_check(enum mtk_verify_reason reason) {
  static const struct mtk_verify_check checks[MTK_VERIFY_REASON_COUNT] = {
      [MTK_VERIFY_OK] = {"none", NULL},
      [MTK_VERIFY_NO_CERTIFICATE] = {"client certificate presented", NULL},
      [MTK_VERIFY_EXPIRED] = {"validity", "RFC 5280 §4.1.2.5, §6.1.3 (a)(2)"},
      [MTK_VERIFY_NOT_YET_VALID] = {"validity",
                                    "RFC 5280 §4.1.2.5, §6.1.3 (a)(2)"},
      [MTK_VERIFY_REVOKED] = {"revocation", "RFC 5280 §6.3, §5.3.1"},
      [MTK_VERIFY_UNKNOWN_ISSUER] = {"path building (issuer)",
                                     "RFC 5280 §6.1 (the path ends at a "
                                     "trust anchor), §4.2.1.1"},
      [MTK_VERIFY_SELF_SIGNED] = {"path building (trust anchor)",
                                  "RFC 5280 §6.1.1 (d)"},
      [MTK_VERIFY_BAD_EKU] = {"EKU/purpose",
                              "RFC 5280 §4.2.1.12 (TLS WWW client "
                              "authentication, id-kp-clientAuth)"},
      [MTK_VERIFY_INVALID_CA] = {"CA constraints",
                                 "RFC 5280 §6.1.4 (k) basicConstraints, (n) "
                                 "keyUsage keyCertSign"},
      [MTK_VERIFY_PATHLEN_EXCEEDED] = {"path length",
                                       "RFC 5280 §4.2.1.9, §6.1.4 (l)-(m)"},
      [MTK_VERIFY_DEPTH_EXCEEDED] = {"depth limit", NULL},
      [MTK_VERIFY_LEAF_IS_CA] = {"client certificate profile",
                                 "RFC 5280 §4.2.1.9"},
      [MTK_VERIFY_UNHANDLED_CRITICAL_EXTENSION] = {"critical extensions",
                                                   "RFC 5280 §4.2, §6.1.4 "
                                                   "(o)"},
      [MTK_VERIFY_BAD_SIGNATURE] = {"signature", "RFC 5280 §6.1.3 (a)(1)"},
      [MTK_VERIFY_WEAK_SIGNATURE] = {"signature algorithm", NULL},
      [MTK_VERIFY_WEAK_KEY] = {"keys", NULL},
      [MTK_VERIFY_UNSUPPORTED_KEY_TYPE] = {"keys", NULL},
      [MTK_VERIFY_CRL_MISSING] = {"revocation (CRL present)",
                                  "RFC 5280 §6.3.3"},
      [MTK_VERIFY_CRL_EXPIRED] = {"revocation (CRL validity)",
                                  "RFC 5280 §5.1.2.5, §6.3.3 (a)"},
      [MTK_VERIFY_CRL_NOT_YET_VALID] = {"revocation (CRL validity)",
                                        "RFC 5280 §5.1.2.4, §6.3.3"},
      [MTK_VERIFY_CRL_BAD_SIGNATURE] = {"revocation (CRL signature)",
                                        "RFC 5280 §6.3.3 (f)-(g)"},
      [MTK_VERIFY_MALFORMED] = {"certificate profile", "RFC 5280 §4.1"},
      [MTK_VERIFY_NAME_CONSTRAINTS] = {"name constraints",
                                       "RFC 5280 §4.2.1.10, §6.1.3 (b)-(c)"},
      [MTK_VERIFY_BAD_EXTENSION] = {"certificate profile (extensions)",
                                    "RFC 5280 §4.2"},
      [MTK_VERIFY_BAD_KEY] = {"keys", NULL},
      [MTK_VERIFY_CRL_INVALID] = {"revocation (CRL profile)",
                                  "RFC 5280 §5.2, §6.3.3"},
      [MTK_VERIFY_POLICY] = {"certificate policies",
                             "RFC 5280 §6.1.3 (d)-(f), §6.1.5"},
      [MTK_VERIFY_OTHER] = {"other", NULL},
  };
  if ((unsigned)reason >= MTK_VERIFY_REASON_COUNT) {
    return checks[MTK_VERIFY_OTHER];
  }
  return checks[reason];
}
