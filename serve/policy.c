// What each emulated platform does with a client certificate (the ALB
// headers come from mtlskit/alb_headers.h; see include/mtlskit/serve.h).
#include <stdio.h>
#include <string.h>

#include "mtlskit/serve.h"

static const char *const profile_names[] = {
#define MTK_SERVE_PROFILE_STR(name, str) str,
    MTK_SERVE_PROFILE_MAP(MTK_SERVE_PROFILE_STR)
#undef MTK_SERVE_PROFILE_STR
};

const char *mtk_serve_profile_name(enum mtk_serve_profile profile) {
  if ((unsigned)profile >= MTK_SERVE_PROFILE_COUNT) {
    return NULL;
  }
  return profile_names[profile];
}

int mtk_serve_profile_from_name(const char *name, enum mtk_serve_profile *out) {
  if (strcmp(name, "ibm-cis") == 0) {
    name = "cloudflare";  // same Access engine (§3) [I]
  } else if (strcmp(name, "alb") == 0) {
    name = "alb-verify";  // verify and lint's name for ALB's verify mode
  }
  for (unsigned i = 0; i < MTK_SERVE_PROFILE_COUNT; i++) {
    if (strcmp(profile_names[i], name) == 0) {
      *out = (enum mtk_serve_profile)i;
      return 0;
    }
  }
  return MTK_EPARSE;
}

const char *mtk_serve_action_name(enum mtk_serve_action action) {
  switch (action) {
    case MTK_SERVE_FORWARD:
      return "forward";
    case MTK_SERVE_REFUSE_TLS:
      return "refuse-tls";
    case MTK_SERVE_FORBID:
      return "forbid";
  }
  return "?";
}

const char *mtk_serve_alb_code(enum mtk_verify_reason reason) {
  switch (reason) {
    case MTK_VERIFY_OK:
      return "Success";
    case MTK_VERIFY_EXPIRED:
      return "ClientCertExpired";
    case MTK_VERIFY_NOT_YET_VALID:
      return "ClientCertNotYetValid";
    case MTK_VERIFY_REVOKED:
      return "ClientCertCrlHit";
    case MTK_VERIFY_UNKNOWN_ISSUER:
    case MTK_VERIFY_SELF_SIGNED:
      return "ClientCertUntrusted";
    case MTK_VERIFY_BAD_EKU:
      return "ClientCertPurposeInvalid";
    case MTK_VERIFY_DEPTH_EXCEEDED:
      return "ClientCertMaxChainDepthExceeded";
    case MTK_VERIFY_WEAK_KEY:
    case MTK_VERIFY_UNSUPPORTED_KEY_TYPE:
    case MTK_VERIFY_BAD_KEY:
    case MTK_VERIFY_WEAK_SIGNATURE:
      return "ClientCertTypeUnsupported";
    case MTK_VERIFY_CRL_INVALID:
    case MTK_VERIFY_CRL_MISSING:
    case MTK_VERIFY_CRL_EXPIRED:
    case MTK_VERIFY_CRL_NOT_YET_VALID:
    case MTK_VERIFY_CRL_BAD_SIGNATURE:
      return "ClientCertCrlProcessingError";
    case MTK_VERIFY_INVALID_CA:
    case MTK_VERIFY_PATHLEN_EXCEEDED:
    case MTK_VERIFY_LEAF_IS_CA:
    case MTK_VERIFY_UNHANDLED_CRITICAL_EXTENSION:
    case MTK_VERIFY_BAD_SIGNATURE:
    case MTK_VERIFY_MALFORMED:
    case MTK_VERIFY_NAME_CONSTRAINTS:
    case MTK_VERIFY_BAD_EXTENSION:
    case MTK_VERIFY_POLICY:
      return "ClientCertInvalid";
    default:
      // No certificate: ALB has no code of its own for it (CloudFront's
      // list has ClientCertMissing); a third-party runbook saw this one.
      return "UnmappedConnectionError";
  }
}

static int run_verify(const struct mtk_serve_policy *policy,
                      enum mtk_platform platform, bool use_crls, X509 *leaf,
                      STACK_OF(X509) * chain, struct mtk_serve_decision *out,
                      struct mtk_diag *diag) {
  struct mtk_verify_config config;
  mtk_verify_config_init(&config);
  config.platform = platform;
  config.allow_expired = platform == MTK_PLATFORM_ALB && policy->allow_expired;
  config.at = policy->at;
  out->verified = true;
  return mtk_verify_client_cert(&config, leaf, chain, policy->trusted,
                                use_crls ? policy->crls : NULL, &out->verify,
                                diag);
}

int mtk_serve_decide(const struct mtk_serve_policy *policy, X509 *leaf,
                     STACK_OF(X509) * chain, size_t cert_bytes,
                     struct mtk_serve_decision *out, struct mtk_diag *diag) {
  int err = 0;
  memset(out, 0, sizeof(*out));
  out->action = MTK_SERVE_FORWARD;
  out->verify.accepted = leaf != NULL;
  out->verify.reason = leaf != NULL ? MTK_VERIFY_OK : MTK_VERIFY_NO_CERTIFICATE;
  out->verify.error_depth = -1;
  bool too_big = leaf != NULL && cert_bytes > MTK_SERVE_ALB_MAX_CERT_BYTES;
  switch (policy->profile) {
    case MTK_SERVE_PROFILE_ALB_VERIFY:
      if (leaf == NULL) {
        out->action = MTK_SERVE_REFUSE_TLS;
        snprintf(out->status, sizeof(out->status), "Failed:%s",
                 mtk_serve_alb_code(MTK_VERIFY_NO_CERTIFICATE));
        return 0;
      }
      if (too_big) {
        out->action = MTK_SERVE_REFUSE_TLS;
        snprintf(out->status, sizeof(out->status),
                 "Failed:ClientCertMaxSizeExceeded");
        return 0;
      }
      err = run_verify(policy, MTK_PLATFORM_ALB, true, leaf, chain, out, diag);
      if (err != 0) {
        return err;
      }
      if (out->verify.accepted) {
        snprintf(out->status, sizeof(out->status), "Success");
      } else {
        out->action = MTK_SERVE_REFUSE_TLS;
        snprintf(out->status, sizeof(out->status), "Failed:%s",
                 mtk_serve_alb_code(out->verify.reason));
      }
      return 0;
    case MTK_SERVE_PROFILE_ALB_PASSTHROUGH:
      // No verification (§1.1); only the TLS message quota still applies
      // (§1.2, [I]).
      if (too_big) {
        out->action = MTK_SERVE_REFUSE_TLS;
        snprintf(out->status, sizeof(out->status),
                 "Failed:ClientCertMaxSizeExceeded");
      } else {
        snprintf(out->status, sizeof(out->status), "-");
      }
      return 0;
    case MTK_SERVE_PROFILE_APIGW: {
      enum mtk_serve_action refuse =
          policy->apigw_refuse_tls ? MTK_SERVE_REFUSE_TLS : MTK_SERVE_FORBID;
      if (leaf == NULL) {
        out->action = refuse;
        snprintf(out->status, sizeof(out->status),
                 "FAILED:no client certificate presented");
        return 0;
      }
      // "API Gateway doesn't verify if a certificate has been revoked" (§2).
      err =
          run_verify(policy, MTK_PLATFORM_APIGW, false, leaf, chain, out, diag);
      if (err != 0) {
        return err;
      }
      if (out->verify.accepted) {
        snprintf(out->status, sizeof(out->status), "SUCCESS");
      } else {
        out->action = refuse;
        snprintf(out->status, sizeof(out->status), "FAILED:%s",
                 out->verify.detail);
      }
      return 0;
    }
    case MTK_SERVE_PROFILE_CLOUDFLARE:
      // cf.tls_client_auth.cert_verified, enforced by a WAF/Access rule
      // with HTTP 403 (§3); uploaded CRLs are not checked (BYOCA).
      if (leaf == NULL) {
        out->action = MTK_SERVE_FORBID;
        snprintf(out->status, sizeof(out->status), "NONE");
        return 0;
      }
      err = run_verify(policy, MTK_PLATFORM_CLOUDFLARE, false, leaf, chain, out,
                       diag);
      if (err != 0) {
        return err;
      }
      if (out->verify.accepted) {
        snprintf(out->status, sizeof(out->status), "SUCCESS");
      } else {
        out->action = MTK_SERVE_FORBID;
        snprintf(out->status, sizeof(out->status), "FAILED:%s",
                 out->verify.detail);
      }
      return 0;
    default:
      return mtk_diag_set(diag, MTK_EINTERNAL, "unknown profile %d",
                          (int)policy->profile);
  }
}
