// Offline client-certificate verification: what a verifying endpoint would
// do with a client certificate, given its trust bundle and CRLs.
//
// The verifier runs BoringSSL's X.509 path validation for the TLS client
// purpose and then the rules of the chosen platform (docs/verify.md has
// each rule with its source):
//   strict   RFC 5280: path validation with policy processing, the section
//            4 profile at every depth (AKI/SKI, criticality, SAN, serial),
//            name constraints of every GeneralName form, CRLs (when given)
//            for every CA, keys RSA >= 2048 / ECDSA P-256/384/521 /
//            Ed25519 at every depth, no SHA-1, a clientAuth EKU, a leaf
//            that is not a CA. The fixture manifest's verdicts are this.
//   alb      AWS ALB verify mode: at most 4 CA certificates in the path,
//            keys RSA 2048-8192 or ECDSA P-256/384/521 only, CRLs for the
//            CAs that have one, optional "allow expired client certificates".
//   apigw    API Gateway: no revocation check, no extendedKeyUsage purpose
//            check (only syntax, integrity, validity, chaining), chain
//            length 4, RSA >= 2048 or ECDSA P-256/384/521.
//   nginx    ssl_verify_client on: depth (ssl_verify_depth, default 1:
//            leaf + 1 intermediate + anchor), and when CRLs are given a CRL
//            for every CA in the chain (X509_V_FLAG_CRL_CHECK_ALL).
//   haproxy  verify required with crl-file: a CRL for every CA.
//   cloudflare  BYOCA mTLS: chain validation only; uploaded CRLs are not
//            checked.
#ifndef MTK_HEADER_VERIFY_H
#define MTK_HEADER_VERIFY_H

#include <openssl/x509.h>
#include <stdbool.h>
#include <time.h>

#include "mtlskit/diag.h"
#include "mtlskit/platform.h"

#ifdef __cplusplus
extern "C" {
#endif

// Why a certificate is refused; "ok" when it is accepted. The names are a
// contract (verify --json, the fixture manifest's verdict reasons).
#define MTK_VERIFY_REASON_MAP(XX)                                  \
  XX(OK, "ok")                                                     \
  XX(NO_CERTIFICATE, "no-certificate")                             \
  XX(EXPIRED, "expired")                                           \
  XX(NOT_YET_VALID, "not-yet-valid")                               \
  XX(REVOKED, "revoked")                                           \
  XX(UNKNOWN_ISSUER, "unknown-issuer")                             \
  XX(SELF_SIGNED, "self-signed")                                   \
  XX(BAD_EKU, "bad-eku")                                           \
  XX(INVALID_CA, "invalid-ca")                                     \
  XX(PATHLEN_EXCEEDED, "pathlen-exceeded")                         \
  XX(DEPTH_EXCEEDED, "depth-exceeded")                             \
  XX(LEAF_IS_CA, "leaf-is-ca")                                     \
  XX(UNHANDLED_CRITICAL_EXTENSION, "unhandled-critical-extension") \
  XX(BAD_SIGNATURE, "bad-signature")                               \
  XX(WEAK_SIGNATURE, "weak-signature")                             \
  XX(WEAK_KEY, "weak-key")                                         \
  XX(UNSUPPORTED_KEY_TYPE, "unsupported-key-type")                 \
  XX(CRL_MISSING, "crl-missing")                                   \
  XX(CRL_EXPIRED, "crl-expired")                                   \
  XX(CRL_NOT_YET_VALID, "crl-not-yet-valid")                       \
  XX(CRL_BAD_SIGNATURE, "crl-bad-signature")                       \
  XX(MALFORMED, "malformed")                                       \
  XX(NAME_CONSTRAINTS, "name-constraints")                         \
  XX(BAD_EXTENSION, "bad-extension")                               \
  XX(BAD_KEY, "bad-key")                                           \
  XX(CRL_INVALID, "crl-invalid")                                   \
  XX(POLICY, "policy")                                             \
  XX(OTHER, "other")

enum mtk_verify_reason {
#define MTK_VERIFY_REASON_ENUM(name, str) MTK_VERIFY_##name,
  MTK_VERIFY_REASON_MAP(MTK_VERIFY_REASON_ENUM)
#undef MTK_VERIFY_REASON_ENUM
      MTK_VERIFY_REASON_COUNT
};

// The largest --verify-depth (intermediates between leaf and anchor); a
// longer chain is refused as depth-exceeded on every platform.
#define MTK_VERIFY_DEPTH_MAX 255

struct mtk_verify_config {
  enum mtk_platform platform;
  int depth;           // max intermediates, 0..MTK_VERIFY_DEPTH_MAX;
                       // < 0: the platform's default
  bool allow_expired;  // ALB "allow expired client certificates"
  time_t at;           // validation time; 0: now
};

struct mtk_verify_result {
  bool accepted;
  enum mtk_verify_reason reason;
  int error_depth;        // chain position of the failing certificate, or -1
  int x509_error;         // X509_V_ERR_* behind the reason, or 0
  int revocation_reason;  // CRL reason code for REVOKED, -1 if none given
  time_t revoked_at;      // revocation date for REVOKED
  char detail[256];       // one human line ("certificate has expired ...")
  char subject[256];      // subject of the certificate at error_depth, or ""
  char path[1024];        // the path built, "  depth N: subject\n" each
  const char *rule;  // the rule that refused, when the platform's own source
                     // names it (go: Go's source file), else NULL (static)
};

// What a refusal reason checks and the rule behind it, for --explain.
struct mtk_verify_check {
  const char *check;  // "validity", "name constraints", ...
  const char *rule;   // "RFC 5280 §4.1.2.5, §6.1.3 (a)(2)"; NULL: the
                      // platform's own rule (its documented source)
};

// mtk_verify_reason_check returns what |reason| checks and the RFC rule it
// applies (rule NULL for the platform rules: depth, keys, algorithms).
struct mtk_verify_check mtk_verify_reason_check(enum mtk_verify_reason reason);

// mtk_verify_config_init sets |config| to strict verification now.
void mtk_verify_config_init(struct mtk_verify_config *config);

// mtk_verify_reason_name returns the stable name of |reason|, or NULL.
const char *mtk_verify_reason_name(enum mtk_verify_reason reason);

// mtk_verify_client_cert decides what an endpoint configured by |config|,
// trusting |trusted| and holding |crls|, does with client certificate
// |leaf| presented with |chain| (the intermediates the client sends; may be
// NULL). |leaf| may be NULL: the client sends no certificate. All inputs are
// borrowed. It fills |out| and returns 0 whether the certificate is accepted
// or not; a negative code means the verification could not run.
MTK_MUST_CHECK int mtk_verify_client_cert(
    const struct mtk_verify_config *config, X509 *leaf, STACK_OF(X509) * chain,
    STACK_OF(X509) * trusted, STACK_OF(X509_CRL) * crls,
    struct mtk_verify_result *out, struct mtk_diag *diag);

#ifdef __cplusplus
}
#endif

#endif  // MTK_HEADER_VERIFY_H
