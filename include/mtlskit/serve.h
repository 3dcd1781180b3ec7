// mtlskit serve: what a local endpoint emulating a cloud platform does with
// a client certificate, and the request headers its built-in backend gets.
//
// The decision reuses mtk_verify_client_cert (verify.h) with the
// platform's rules; this module adds what is not certificate validation:
// which platform refuses at the TLS level and which with HTTP 403, ALB's
// 64 K TLS message quota, and ALB's connection-log reason codes.
// Source of every rule: docs/platforms.md (§1 ALB, §2 API
// Gateway, §3 Cloudflare); docs/serve.md marks which are inferred.
#ifndef MTK_HEADER_SERVE_H
#define MTK_HEADER_SERVE_H

#include <openssl/x509.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "mtlskit/alb_headers.h"
#include "mtlskit/diag.h"
#include "mtlskit/error.h"
#include "mtlskit/verify.h"

#ifdef __cplusplus
extern "C" {
#endif

// XX(enum suffix, name)
#define MTK_SERVE_PROFILE_MAP(XX)        \
  XX(ALB_VERIFY, "alb-verify")           \
  XX(ALB_PASSTHROUGH, "alb-passthrough") \
  XX(APIGW, "apigw")                     \
  XX(CLOUDFLARE, "cloudflare")

enum mtk_serve_profile {
#define MTK_SERVE_PROFILE_ENUM(name, str) MTK_SERVE_PROFILE_##name,
  MTK_SERVE_PROFILE_MAP(MTK_SERVE_PROFILE_ENUM)
#undef MTK_SERVE_PROFILE_ENUM
      MTK_SERVE_PROFILE_COUNT
};

// What the endpoint does with a client.
enum mtk_serve_action {
  MTK_SERVE_FORWARD,     // the request reaches the backend
  MTK_SERVE_REFUSE_TLS,  // no HTTP response: close_notify and close
  MTK_SERVE_FORBID,      // HTTP 403, the backend never sees the request
};

// ALB's "TLS message size 64 K" quota (§1.5), applied to the Certificate
// message (sum of the certificates' DER sizes; [I]).
#define MTK_SERVE_ALB_MAX_CERT_BYTES 65536

struct mtk_serve_policy {
  enum mtk_serve_profile profile;
  STACK_OF(X509) * trusted;   // the trust bundle; borrowed
  STACK_OF(X509_CRL) * crls;  // the CRL files, may be empty; borrowed
  bool allow_expired;         // ALB IgnoreClientCertificateExpiry
  bool apigw_refuse_tls;      // API Gateway refuses the handshake (HTTP API
                              // page) instead of HTTP 403 (REST page)
  time_t at;                  // validation time; 0: now
};

struct mtk_serve_decision {
  enum mtk_serve_action action;
  bool verified;                    // a certificate check ran
  struct mtk_verify_result verify;  // its result, when |verified|
  // One word for the log: ALB "Success" / "Failed:ClientCertExpired",
  // Cloudflare "SUCCESS" / "NONE" / "FAILED:<reason>", API Gateway
  // "SUCCESS" / "FAILED:<reason>", passthrough "-".
  char status[300];
};

// mtk_serve_profile_name returns the name of |profile| ("alb-verify"), or
// NULL when out of range. The string is static.
const char *mtk_serve_profile_name(enum mtk_serve_profile profile);

// mtk_serve_profile_from_name looks |name| up ("ibm-cis" is "cloudflare").
// It returns 0 and sets *out, or MTK_EPARSE.
MTK_MUST_CHECK int mtk_serve_profile_from_name(const char *name,
                                               enum mtk_serve_profile *out);

// mtk_serve_action_name returns "forward", "refuse-tls" or "forbid".
const char *mtk_serve_action_name(enum mtk_serve_action action);

// mtk_serve_alb_code returns ALB's connection-log reason code for a
// refusal with |reason| ("ClientCertExpired"; §1.4, mapping [I]), or
// "UnmappedConnectionError" for reasons with no code of their own. The
// string is static.
const char *mtk_serve_alb_code(enum mtk_verify_reason reason);

// mtk_serve_decide decides what |policy|'s platform does with a client
// that presented |leaf| (NULL: no certificate) and the other certificates
// |chain| (may be NULL), |cert_bytes| bytes of DER in all. Inputs are
// borrowed. It fills |out| and returns 0, or a negative code (with |diag|)
// when verification could not run.
MTK_MUST_CHECK int mtk_serve_decide(const struct mtk_serve_policy *policy,
                                    X509 *leaf, STACK_OF(X509) * chain,
                                    size_t cert_bytes,
                                    struct mtk_serve_decision *out,
                                    struct mtk_diag *diag);

// The header values ALB verify mode adds for targets (§1.3); each a
// NUL-terminated heap string.
#ifdef __cplusplus
}
#endif

#endif  // MTK_HEADER_SERVE_H
