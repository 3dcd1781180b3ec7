#include "profile.h"

#include <stdio.h>
#include <string.h>

// Shorthands for the sources, all in docs/platforms.md
// (shipped as docs/probe-profiles.md's references).
#define EB "docs/platforms.md "
#define OK2XX "http 2xx"

// A 70 KB client certificate against an OpenSSL 3.0 server: accepted under
// TLS 1.2, refused with internal_error under TLS 1.3 (observed with nginx,
// HAProxy, Apache and Node; tests/integration/probe_fixture_servers.sh).
#define OSSL_OVERSIZED(src)                                             \
  {                                                                     \
    MTK_DEFECT_OVERSIZED, "tls-alert internal_error|reset", OK2XX, "I", \
        EB src "; observed: TLS 1.3 alert 80, TLS 1.2 accepted"         \
  }

// ALB verify: s2n-tls closes (close_notify, EOF or RST, possibly after
// 10-30 s blinding) rather than sending a specific alert (§1.2), so every
// rejection is "refused".
#define ALB_VERIFY_COMMON                                                        \
  {MTK_DEFECT_NONE, OK2XX, NULL, "D", EB "§7 ALB verify, valid; §1.1"},          \
      {MTK_DEFECT_NO_CERTIFICATE, "refused", NULL, "D/I",                        \
       EB "§7, §1.2 (AWS demo: handshake fails; s2n close_notify)"},             \
      {MTK_DEFECT_NOT_YET_VALID, "refused", NULL, "D/I",                         \
       EB "§7, §1.4 ClientCertNotYetValid"},                                     \
      {MTK_DEFECT_REVOKED, "refused", NULL, "D/I",                               \
       EB "§7, §1.4 ClientCertCrlHit"},                                          \
      {MTK_DEFECT_UNKNOWN_CA, "refused", NULL, "D/I",                            \
       EB "§7, §1.4 ClientCertUntrusted"},                                       \
      {MTK_DEFECT_SELF_SIGNED, "refused", NULL, "I",                             \
       EB "§7 ClientCertUntrusted"},                                             \
      {MTK_DEFECT_EKU_SERVER_ONLY, "refused", NULL, "I",                         \
       EB "§7 ClientCertPurposeInvalid"},                                        \
      {MTK_DEFECT_MISSING_INTERMEDIATE, "refused", NULL, "I",                    \
       EB "§7 ClientCertUntrusted"},                                             \
      {MTK_DEFECT_CHAIN_TOO_DEEP, "refused", NULL, "D/I",                        \
       EB "§7, §1.5 max chain depth 4"},                                         \
      {MTK_DEFECT_OVERSIZED, "refused", NULL, "D/I",                             \
       EB "§7, §1.5 TLS message size 64 K"},                                     \
      {MTK_DEFECT_WEAK_KEY, "refused", NULL, "D/I",                              \
       EB "§7, §1.5 RSA 2K-8K only"},                                            \
      {MTK_DEFECT_CRL_MISSING_INTERMEDIATE, OK2XX, NULL, "I",                    \
       EB                                                                        \
       "§1.1 CRLs are optional per trust store: a CA without one is not "       \
       "checked"},                                                               \
      {MTK_DEFECT_EKU_ANY_ONLY, "refused", NULL, "I",                            \
       EB "§7 ClientCertPurposeInvalid (no clientAuth)"},                        \
      {MTK_DEFECT_INTERMEDIATE_EKU_SERVER_ONLY, "refused", NULL, "I",            \
       EB "§1.4 ClientCertPurposeInvalid"},                                      \
      {MTK_DEFECT_ISSUER_NOT_CA, "refused", NULL, "I",                           \
       EB "§1.1 X.509 authentication, §1.4 ClientCertInvalid/Untrusted"},        \
      {MTK_DEFECT_PATHLEN_VIOLATED, "refused", NULL, "I",                        \
       EB "§1.1 X.509 authentication, §1.4 ClientCertInvalid"},                  \
      {MTK_DEFECT_UNKNOWN_CRITICAL_EXTENSION, "refused", NULL, "I",              \
       EB "§1.1 X.509 authentication, §1.4 ClientCertInvalid"},                  \
      {MTK_DEFECT_BAD_SIGNATURE, "refused", NULL, "I",                           \
       EB "§1.1 X.509 authentication, §1.4 ClientCertInvalid"},                  \
  {                                                                              \
    MTK_DEFECT_SHA1_SIGNATURE, "refused", NULL, "D/I",                           \
        EB                                                                       \
        "§1.5 signatures SHA-256/384/512 only, §1.4 ClientCertTypeUnsupported" \
  }

static const struct mtk_probe_cell alb_verify[] = {
    ALB_VERIFY_COMMON,
    {MTK_DEFECT_EXPIRED, "refused", NULL, "D/I",
     EB "§7, §1.1 expired rejected by default, §1.4 ClientCertExpired"},
    {MTK_DEFECT_INTERMEDIATE_EXPIRED, "refused", NULL, "I",
     EB "§7 ClientCertExpired?"},
    {MTK_DEFECT_VALIDITY_ENDS_NOW, "refused", NULL, "D/I",
     EB "§7 expired (a probe runs after the build second)"},
};

static const struct mtk_probe_cell alb_verify_allow_expired[] = {
    ALB_VERIFY_COMMON,
    {MTK_DEFECT_EXPIRED, OK2XX, NULL, "D",
     EB "§1.1 IgnoreClientCertificateExpiry, §7 \"200 if allow expired\""},
    {MTK_DEFECT_VALIDITY_ENDS_NOW, OK2XX, NULL, "D",
     EB "§1.1 IgnoreClientCertificateExpiry (expired by probe time)"},
};

// Passthrough: ALB does not verify, the target decides (§1.2), so the
// probe can only insist that TLS is not refused.
static const struct mtk_probe_cell alb_passthrough[] = {
    {MTK_DEFECT_NONE, OK2XX, NULL, "D", EB "§7 ALB passthrough, valid"},
    {MTK_DEFECT_NO_CERTIFICATE, "http", NULL, "I",
     EB "§7: handshake OK, no header, target decides"},
    {MTK_DEFECT_EXPIRED, "http", NULL, "I", EB "§7: forwarded, target decides"},
    {MTK_DEFECT_NOT_YET_VALID, "http", NULL, "I", EB "§7: target decides"},
    {MTK_DEFECT_REVOKED, "http", NULL, "I", EB "§7: target decides"},
    {MTK_DEFECT_UNKNOWN_CA, "http", NULL, "I", EB "§7: target decides"},
    {MTK_DEFECT_SELF_SIGNED, "http", NULL, "I", EB "§7: target decides"},
    {MTK_DEFECT_EKU_SERVER_ONLY, "http", NULL, "I", EB "§7: target decides"},
    {MTK_DEFECT_MISSING_INTERMEDIATE, "http", NULL, "I",
     EB "§7: target decides"},
    {MTK_DEFECT_INTERMEDIATE_EXPIRED, "http", NULL, "I",
     EB "§7: target decides"},
    {MTK_DEFECT_CHAIN_TOO_DEEP, "http", NULL, "I", EB "§7: target decides"},
    {MTK_DEFECT_WEAK_KEY, "http", NULL, "I", EB "§7: target decides"},
};

// API Gateway: the REST page says 403, the HTTP API page says the
// handshake fails *and* 403; §2 concludes the probe must accept either.
//
// Certificate intent (EKU) is unsettled: API Gateway's documented checks
// do not include it, but s2n-tls, the TLS library AWS runs, verifies it by
// default since December 2025 (s2n-tls PR #5657, "verify certificate
// issuer intent by default"; s2n_config_disable_x509_intent_verification
// turns it off), and which behaviour API Gateway runs is not documented.
// These cells allow both answers; --expect pins one.
#define APIGW_INTENT(defect)                                            \
  {                                                                     \
    defect, OK2XX "|http 403|refused", NULL, "I",                       \
        "unsettled: EKU is not among API Gateway's documented checks "  \
        "(" EB                                                          \
        "§2), but s2n-tls verifies certificate intent by default "     \
        "since its PR #5657 (Dec 2025); which one API Gateway runs is " \
        "not documented"                                                \
  }
static const struct mtk_probe_cell apigw[] = {
    {MTK_DEFECT_NONE, OK2XX, NULL, "D", EB "§7 API Gateway, valid"},
    {MTK_DEFECT_NO_CERTIFICATE, "http 403|refused", NULL, "I",
     EB "§7, §2 (sample: \"Rejected\", mechanism not stated)"},
    {MTK_DEFECT_EXPIRED, "http 403|refused", NULL, "D",
     EB "§2 \"expired ... denied with a 403\"; TLS failure per HTTP API page"},
    {MTK_DEFECT_NOT_YET_VALID, "http 403|refused", NULL, "I",
     EB "§7 (validity check D)"},
    {MTK_DEFECT_REVOKED, OK2XX, NULL, "D",
     EB "§2 \"doesn't verify if a certificate has been revoked\""},
    {MTK_DEFECT_UNKNOWN_CA, "http 403|refused", NULL, "D",
     EB "§2 \"isn't trusted ... 403\""},
    {MTK_DEFECT_SELF_SIGNED, "http 403|refused", NULL, "D",
     EB "§2 re:Post self-signed -> 403"},
    APIGW_INTENT(MTK_DEFECT_EKU_SERVER_ONLY),
    {MTK_DEFECT_MISSING_INTERMEDIATE, "http 403|refused", NULL, "D",
     EB "§2 sample: truststore must hold the full chain"},
    {MTK_DEFECT_INTERMEDIATE_EXPIRED, "http 403|refused", NULL, "D",
     EB "§2 sample: expired intermediate -> leaf rejected (403)"},
    {MTK_DEFECT_CHAIN_TOO_DEEP, "http 403|refused", NULL, "D",
     EB "§2 blog: 5th level -> 403"},
    {MTK_DEFECT_WEAK_KEY, "http 403|refused", NULL, "I",
     EB "§2 RSA-2048 or stronger"},
    {MTK_DEFECT_VALIDITY_ENDS_NOW, "http 403|refused", NULL, "D",
     EB "§2 validity period (expired by probe time)"},
    {MTK_DEFECT_SHA1_SIGNATURE, "http 403|refused", NULL, "D",
     EB "§2 \"SHA-256 or stronger\", re:Post insecure signature algorithm"},
    {MTK_DEFECT_BAD_SIGNATURE, "http 403|refused", NULL, "I",
     EB "§2 validation: integrity"},
    {MTK_DEFECT_ISSUER_NOT_CA, "http 403|refused", NULL, "I",
     EB "§2 validation: name/key chaining"},
    {MTK_DEFECT_PATHLEN_VIOLATED, "http 403|refused", NULL, "I",
     EB "§2 validation: name/key chaining"},
    {MTK_DEFECT_UNKNOWN_CRITICAL_EXTENSION, "http 403|refused", NULL, "I",
     EB "§2 validation: X.509 syntax"},
    APIGW_INTENT(MTK_DEFECT_EKU_ANY_ONLY),
    {MTK_DEFECT_EKU_MISSING, OK2XX, NULL, "I",
     EB "§2 EKU is not among the listed checks"},
    APIGW_INTENT(MTK_DEFECT_INTERMEDIATE_EKU_SERVER_ONLY),
    {MTK_DEFECT_CRL_EXPIRED, OK2XX, NULL, "D",
     EB "§2 \"doesn't verify if a certificate has been revoked\""},
    {MTK_DEFECT_CRL_WRONG_SIGNER, OK2XX, NULL, "D",
     EB "§2 \"doesn't verify if a certificate has been revoked\""},
    {MTK_DEFECT_CRL_MISSING_INTERMEDIATE, OK2XX, NULL, "D",
     EB "§2 \"doesn't verify if a certificate has been revoked\""},
};

// Cloudflare / IBM CIS: the handshake completes, a WAF/Access rule blocks
// with 403 (§3).
static const struct mtk_probe_cell cloudflare[] = {
    {MTK_DEFECT_NONE, OK2XX, NULL, "D", EB "§7 Cloudflare, valid"},
    {MTK_DEFECT_NO_CERTIFICATE, "http 403", NULL, "D",
     EB "§3 Access: \"Without a client certificate ... 403\"; block = 403"},
    {MTK_DEFECT_EXPIRED, "http 403", NULL, "I", EB "§7 (cert_verified=false)"},
    {MTK_DEFECT_NOT_YET_VALID, "http 403", NULL, "I", EB "§7"},
    {MTK_DEFECT_REVOKED, OK2XX "|http 403", NULL, "D",
     EB "§3: BYOCA no CRL check (200); managed CA 403 if rule tests "
        "cert_revoked"},
    {MTK_DEFECT_UNKNOWN_CA, "http 403", NULL, "D",
     EB "§7, §3 FAILED:unable to get local issuer certificate"},
    {MTK_DEFECT_SELF_SIGNED, "http 403", NULL, "D",
     EB "§7, §3 FAILED:self signed certificate"},
    {MTK_DEFECT_MISSING_INTERMEDIATE, "http 403", NULL, "I",
     EB "§7 unless intermediate uploaded"},
    {MTK_DEFECT_INTERMEDIATE_EXPIRED, "http 403", NULL, "I", EB "§7"},
    {MTK_DEFECT_VALIDITY_ENDS_NOW, "http 403", NULL, "I",
     EB "§7 expired (by probe time)"},
    {MTK_DEFECT_BAD_SIGNATURE, "http 403", NULL, "I",
     EB "§3 certVerified FAILED:<openssl reason>"},
    {MTK_DEFECT_ISSUER_NOT_CA, "http 403", NULL, "I",
     EB "§3 certVerified FAILED:<openssl reason>"},
    {MTK_DEFECT_PATHLEN_VIOLATED, "http 403", NULL, "I",
     EB "§3 certVerified FAILED:<openssl reason>"},
    {MTK_DEFECT_UNKNOWN_CRITICAL_EXTENSION, "http 403", NULL, "I",
     EB "§3 certVerified FAILED:<openssl reason>"},
    {MTK_DEFECT_CRL_EXPIRED, OK2XX, NULL, "D",
     EB "§3 BYOCA: uploaded CRLs are not checked"},
    {MTK_DEFECT_CRL_WRONG_SIGNER, OK2XX, NULL, "D",
     EB "§3 BYOCA: uploaded CRLs are not checked"},
    {MTK_DEFECT_CRL_MISSING_INTERMEDIATE, OK2XX, NULL, "D",
     EB "§3 BYOCA: uploaded CRLs are not checked"},
};

// nginx `ssl_verify_client on`: the handshake always completes; 495/496
// go on the wire as 400 (§4).
#define NGINX_400(defect, basis, src) \
  { defect, "http 400", NULL, basis, src }

// Cells nginx `on` and `optional` share beyond §7's matrix: every verify
// error is 495 (§4); what OpenSSL's ssl_client purpose lets through, and the
// TLS 1.3 handshake limit a 70 KB certificate meets, were observed against
// Debian's nginx 1.22 / OpenSSL 3.0 with the fixtures of `mtlskit fixtures`
// (tests/integration/probe_fixture_servers.sh).
#define NGINX_COMMON_EXTRA(CELL400)                                            \
  CELL400(MTK_DEFECT_VALIDITY_ENDS_NOW, "D",                                   \
          EB "§4 495 CERT_HAS_EXPIRED (expired by probe time)"),               \
      CELL400(MTK_DEFECT_EKU_ANY_ONLY, "I",                                    \
              EB "§4 purpose ssl_client: no clientAuth -> 495 (observed)"),    \
      CELL400(MTK_DEFECT_INTERMEDIATE_EKU_SERVER_ONLY, "D",                    \
              EB "§4 purpose ssl_client on the chain -> 495"),                 \
      CELL400(MTK_DEFECT_ISSUER_NOT_CA, "D", EB "§4 any verify error -> 495"), \
      CELL400(MTK_DEFECT_PATHLEN_VIOLATED, "D",                                \
              EB "§4 any verify error -> 495"),                                \
      CELL400(MTK_DEFECT_UNKNOWN_CRITICAL_EXTENSION, "D",                      \
              EB "§4 any verify error -> 495"),                                \
      CELL400(MTK_DEFECT_SHA1_SIGNATURE, "I",                                  \
              EB "§4 495 at SECLEVEL>=1 (CA_MD_TOO_WEAK; observed)"),          \
      CELL400(MTK_DEFECT_CRL_WRONG_SIGNER, "D",                                \
              EB "§4 any verify error -> 495"),                                \
      {MTK_DEFECT_EKU_MISSING, OK2XX, NULL, "I",                               \
       EB "§4 purpose ssl_client accepts a leaf without EKU (observed)"},      \
      {MTK_DEFECT_LEAF_IS_CA, OK2XX, NULL, "I",                                \
       EB "§4 purpose ssl_client does not check cA on the leaf (observed)"},   \
      OSSL_OVERSIZED("§4 only chains over 100 KiB are documented")
static const struct mtk_probe_cell nginx[] = {
    {MTK_DEFECT_NONE, OK2XX, NULL, "D", EB "§7 nginx on, valid"},
    NGINX_400(MTK_DEFECT_NO_CERTIFICATE, "D",
              EB "§4 496 \"No required SSL certificate was sent\""),
    NGINX_400(MTK_DEFECT_EXPIRED, "D", EB "§4 495, §7"),
    NGINX_400(MTK_DEFECT_NOT_YET_VALID, "D", EB "§4 495, §7"),
    NGINX_400(MTK_DEFECT_REVOKED, "D", EB "§4 495 (ssl_crl), §7"),
    NGINX_400(MTK_DEFECT_UNKNOWN_CA, "D", EB "§4 495, §7"),
    NGINX_400(MTK_DEFECT_SELF_SIGNED, "D", EB "§4 495, §7"),
    NGINX_400(MTK_DEFECT_EKU_SERVER_ONLY, "D",
              EB "§4 purpose ssl_client -> 495, §7"),
    NGINX_400(MTK_DEFECT_MISSING_INTERMEDIATE, "D", EB "§7"),
    NGINX_400(MTK_DEFECT_INTERMEDIATE_EXPIRED, "D", EB "§7"),
    NGINX_400(MTK_DEFECT_CHAIN_TOO_DEEP, "D",
              EB "§4 ssl_verify_depth default 1, §7"),
    NGINX_400(MTK_DEFECT_BAD_SIGNATURE, "D", EB "§4 any verify error -> 495"),
    NGINX_400(MTK_DEFECT_WEAK_KEY, "I", EB "§7 495 at SECLEVEL>=2"),
    NGINX_400(MTK_DEFECT_CRL_MISSING_INTERMEDIATE, "D",
              EB "§4 ssl_crl needs a CRL for every CA"),
    NGINX_400(MTK_DEFECT_CRL_EXPIRED, "I",
              EB "§4 any verify error -> 495 (CRL_HAS_EXPIRED)"),
    NGINX_COMMON_EXTRA(NGINX_400),
};

// nginx `ssl_verify_client optional` with
// `if ($ssl_client_verify != SUCCESS) { return 403; }`. Only a missing
// certificate reaches the rule ($ssl_client_verify = NONE): for
// `optional` as for `on`, a certificate that fails verification is
// turned into 495 (wire status 400) before any rewrite rule runs (§4).
#define NGINX_OPT_400(defect, basis, src)              \
  {                                                    \
    defect, "http 400", NULL, basis,                   \
        EB "§4 on/optional: verify error -> 495; " src \
  }
#define NGINX_OPT_400_SRC(defect, basis, src) \
  { defect, "http 400", NULL, basis, src }
static const struct mtk_probe_cell nginx_optional[] = {
    {MTK_DEFECT_NONE, OK2XX, NULL, "D", EB "§4 $ssl_client_verify SUCCESS"},
    {MTK_DEFECT_NO_CERTIFICATE, "http 403", NULL, "D",
     EB "§4 $ssl_client_verify NONE -> the 403 rule"},
    NGINX_OPT_400(MTK_DEFECT_EXPIRED, "D", "FAILED:certificate has expired"),
    NGINX_OPT_400(MTK_DEFECT_NOT_YET_VALID, "D",
                  "FAILED:certificate is not yet valid"),
    NGINX_OPT_400(MTK_DEFECT_REVOKED, "D", "FAILED:certificate revoked"),
    NGINX_OPT_400(MTK_DEFECT_UNKNOWN_CA, "D",
                  "FAILED:unable to get local issuer certificate"),
    NGINX_OPT_400(MTK_DEFECT_SELF_SIGNED, "D",
                  "FAILED:self-signed certificate"),
    NGINX_OPT_400(MTK_DEFECT_EKU_SERVER_ONLY, "D",
                  "FAILED:unsupported certificate purpose"),
    NGINX_OPT_400(MTK_DEFECT_MISSING_INTERMEDIATE, "D", "§7"),
    NGINX_OPT_400(MTK_DEFECT_INTERMEDIATE_EXPIRED, "D", "§7"),
    NGINX_OPT_400(MTK_DEFECT_CHAIN_TOO_DEEP, "D",
                  "FAILED:certificate chain too long"),
    NGINX_OPT_400(MTK_DEFECT_BAD_SIGNATURE, "D", "any verify error"),
    NGINX_OPT_400(MTK_DEFECT_WEAK_KEY, "I", "EE certificate key too weak"),
    NGINX_OPT_400(MTK_DEFECT_CRL_MISSING_INTERMEDIATE, "D",
                  "unable to get certificate CRL"),
    NGINX_OPT_400(MTK_DEFECT_CRL_EXPIRED, "I", "CRL_HAS_EXPIRED"),
    NGINX_COMMON_EXTRA(NGINX_OPT_400_SRC),
};

// OpenSSL-based servers that fail the handshake from the verify callback
// (HAProxy `verify required`, httpd `SSLVerifyClient require`): the alert
// comes from OpenSSL's x509table (§6.3); no certificate is 116 under TLS
// 1.3 and 40 under TLS 1.2. Under TLS 1.3 the refusal comes after the
// client has sent its request, and the server closing on those unread
// bytes may reset the connection before the alert is read (§6.4), so a
// reset is accepted there; under TLS 1.2 the alert arrives in the
// handshake, before any request, and is required.
#define OSSL_ALERT(defect, alert, basis, src)                       \
  {                                                                 \
    defect, "tls-alert " alert "|reset", "tls-alert " alert, basis, \
        src "; §6.4 RST race (1.3)"                                \
  }
#define OSSL_SERVER_COMMON(who)                                                \
  {MTK_DEFECT_NONE, OK2XX, NULL, "D", EB who ", valid"},                       \
      {MTK_DEFECT_NO_CERTIFICATE, "tls-alert certificate_required|reset",      \
       "tls-alert handshake_failure", "D",                                     \
       EB "§6.3 no certificate 116 / 40; §6.4 RST race (1.3)"},                \
      OSSL_ALERT(MTK_DEFECT_EXPIRED, "certificate_expired", "D",               \
                 EB "§6.3 CERT_HAS_EXPIRED 45"),                               \
      OSSL_ALERT(MTK_DEFECT_NOT_YET_VALID, "bad_certificate", "D",             \
                 EB "§6.3 CERT_NOT_YET_VALID 42"),                             \
      OSSL_ALERT(MTK_DEFECT_REVOKED, "certificate_revoked", "D",               \
                 EB "§6.3 CERT_REVOKED 44"),                                   \
      OSSL_ALERT(MTK_DEFECT_UNKNOWN_CA, "unknown_ca", "D",                     \
                 EB "§6.3 UNABLE_TO_GET_ISSUER_CERT_LOCALLY 48"),              \
      OSSL_ALERT(MTK_DEFECT_SELF_SIGNED, "unknown_ca", "D",                    \
                 EB "§6.3 DEPTH_ZERO_SELF_SIGNED 48"),                         \
      OSSL_ALERT(MTK_DEFECT_EKU_SERVER_ONLY, "unsupported_certificate", "D",   \
                 EB "§6.3 INVALID_PURPOSE 43"),                                \
      OSSL_ALERT(MTK_DEFECT_MISSING_INTERMEDIATE, "unknown_ca", "D",           \
                 EB "§6.3 UNABLE_TO_GET_ISSUER_CERT 48"),                      \
      OSSL_ALERT(MTK_DEFECT_INTERMEDIATE_EXPIRED, "certificate_expired", "D",  \
                 EB "§7 HAProxy, §6.3 45"),                                    \
      OSSL_ALERT(MTK_DEFECT_BAD_SIGNATURE, "decrypt_error", "D",               \
                 EB "§6.3 CERT_SIGNATURE_FAILURE 51"),                         \
      OSSL_ALERT(MTK_DEFECT_WEAK_KEY, "bad_certificate", "I",                  \
                 EB "§7 alert 42 at SECLEVEL>=2"),                             \
      OSSL_ALERT(                                                              \
          MTK_DEFECT_CRL_MISSING_INTERMEDIATE, "unknown_ca", "D",              \
          EB "§5 crl-file needs every CA's CRL, §6.3 UNABLE_TO_GET_CRL 48"),   \
      OSSL_ALERT(MTK_DEFECT_VALIDITY_ENDS_NOW, "certificate_expired", "D",     \
                 EB "§6.3 CERT_HAS_EXPIRED 45 (expired by probe time)"),       \
      OSSL_ALERT(MTK_DEFECT_EKU_ANY_ONLY, "unsupported_certificate", "I",      \
                 EB "§6.3 INVALID_PURPOSE 43 (no clientAuth; observed)"),      \
      OSSL_ALERT(MTK_DEFECT_INTERMEDIATE_EKU_SERVER_ONLY,                      \
                 "unsupported_certificate", "D",                               \
                 EB "§6.3 INVALID_PURPOSE 43"),                                \
      OSSL_ALERT(MTK_DEFECT_ISSUER_NOT_CA, "unknown_ca", "I",                  \
                 EB "§6.3 INVALID_CA -> 48 (observed)"),                       \
      OSSL_ALERT(MTK_DEFECT_PATHLEN_VIOLATED, "unknown_ca", "D",               \
                 EB "§6.3 PATH_LENGTH_EXCEEDED 48"),                           \
      OSSL_ALERT(MTK_DEFECT_UNKNOWN_CRITICAL_EXTENSION, "certificate_unknown", \
                 "D", EB "§6.3 other/unmapped 46"),                            \
      OSSL_ALERT(MTK_DEFECT_SHA1_SIGNATURE, "bad_certificate", "D",            \
                 EB "§6.3 CA_MD_TOO_WEAK 42"),                                 \
      {MTK_DEFECT_EKU_MISSING, OK2XX, NULL, "I",                               \
       EB "§4 purpose ssl_client accepts a leaf without EKU (observed)"},      \
      {MTK_DEFECT_LEAF_IS_CA, OK2XX, NULL, "I",                                \
       EB "§4 purpose ssl_client does not check cA on the leaf (observed)"},   \
      OSSL_OVERSIZED("§5 only chains over 100 KiB are documented")

static const struct mtk_probe_cell haproxy[] = {
    OSSL_SERVER_COMMON("§7 HAProxy verify required"),
    {MTK_DEFECT_CHAIN_TOO_DEEP, OK2XX, NULL, "D/I",
     EB "§7 alert 48 only if a depth is configured (none by default; "
        "observed 200 with five CAs)"},
};

static const struct mtk_probe_cell apache[] = {
    OSSL_SERVER_COMMON("§5 Apache httpd SSLVerifyClient require"),
    {MTK_DEFECT_CHAIN_TOO_DEEP,
     "tls-alert unknown_ca|tls-alert internal_error|reset",
     "tls-alert unknown_ca|tls-alert internal_error", "D/I",
     EB "§5 errdepth > SSLVerifyDepth -> CERT_CHAIN_TOO_LONG, §6.3 48; "
        "observed alert 80 when the chain also exceeds OpenSSL's own depth "
        "limit (five CAs)"},
};

// Node: no certificate fails in OpenSSL (alert); any other verify error
// completes the handshake and then destroys the socket: FIN or RST, no
// alert (§5 Node.js).
#define NODE_DESTROY(defect)                          \
  {                                                   \
    defect, "closed|reset", NULL, "D",                \
        EB "§5 Node: onServerSocketSecure destroy()" \
  }
static const struct mtk_probe_cell node[] = {
    {MTK_DEFECT_NONE, OK2XX, NULL, "D", EB "§5 Node, valid"},
    {MTK_DEFECT_NO_CERTIFICATE, "tls-alert certificate_required|reset",
     "tls-alert handshake_failure", "D",
     EB "§5 Node: FAIL_IF_NO_PEER_CERT -> alert 116/40; §6.4 RST race (1.3)"},
    NODE_DESTROY(MTK_DEFECT_EXPIRED),
    NODE_DESTROY(MTK_DEFECT_NOT_YET_VALID),
    NODE_DESTROY(MTK_DEFECT_REVOKED),
    NODE_DESTROY(MTK_DEFECT_UNKNOWN_CA),
    NODE_DESTROY(MTK_DEFECT_SELF_SIGNED),
    NODE_DESTROY(MTK_DEFECT_EKU_SERVER_ONLY),
    NODE_DESTROY(MTK_DEFECT_MISSING_INTERMEDIATE),
    NODE_DESTROY(MTK_DEFECT_INTERMEDIATE_EXPIRED),
    {MTK_DEFECT_CHAIN_TOO_DEEP, OK2XX, NULL, "I",
     EB "§5 Node sets no verify depth (OpenSSL's default is 100); observed "
        "200 with five CAs"},
    NODE_DESTROY(MTK_DEFECT_BAD_SIGNATURE),
    NODE_DESTROY(MTK_DEFECT_VALIDITY_ENDS_NOW),
    NODE_DESTROY(MTK_DEFECT_EKU_ANY_ONLY),
    NODE_DESTROY(MTK_DEFECT_INTERMEDIATE_EKU_SERVER_ONLY),
    NODE_DESTROY(MTK_DEFECT_ISSUER_NOT_CA),
    NODE_DESTROY(MTK_DEFECT_PATHLEN_VIOLATED),
    NODE_DESTROY(MTK_DEFECT_UNKNOWN_CRITICAL_EXTENSION),
    NODE_DESTROY(MTK_DEFECT_SHA1_SIGNATURE),
    {MTK_DEFECT_EKU_MISSING, OK2XX, NULL, "I",
     EB "§5 Node: OpenSSL's ssl_client purpose accepts a leaf without EKU "
        "(observed)"},
    {MTK_DEFECT_LEAF_IS_CA, OK2XX, NULL, "I",
     EB "§5 Node: OpenSSL's ssl_client purpose does not check cA on the leaf "
        "(observed)"},
    OSSL_OVERSIZED("§5 Node bundles OpenSSL 3.0"),
    // No weak-key cell: NodeSource builds bundle OpenSSL at security level
    // 1 and let RSA-1024 in (http 200, Node 20), Debian's nodejs links the
    // system OpenSSL at level 2 and closes (Node 18); the document says
    // nothing either way.
};

// Key types outside what ALB (RSA 2K-8K, ECDSA P-256/384/521, §1.5 [D])
// and API Gateway (RSA-2048+, ECDSA-256+, §2 [D]) take. A deny-list, so a
// fixture generator's new key-type name is never mistaken for unsupported.
static const char *const aws_unsupported_keys[] = {"ed25519", "ed448",   "dsa",
                                                   "rsa512",  "rsa1024", NULL};

static const struct mtk_probe_cell alb_verify_key = {
    MTK_DEFECT_NONE, "refused", NULL, "D/I",
    EB
    "§1.5 RSA 2K-8K or ECDSA only; §7 unsupported key type: TLS-rej, "
    "ClientCertTypeUnsupported"};
static const struct mtk_probe_cell alb_passthrough_key = {
    MTK_DEFECT_NONE, "http", NULL, "I",
    EB "§7 unsupported key type under passthrough: target decides"};
static const struct mtk_probe_cell apigw_key = {
    MTK_DEFECT_NONE, "http 403|refused", NULL, "I",
    EB "§2 RSA-2048+/ECDSA-256+ only; §7 unsupported key type: 403"};

// s2n-tls, which ALB and API Gateway run, holds a refusal 10-30 s by
// default ("blinding").
#define S2N_BLINDING_MS 30000

#define PROFILE(name, summary, cells)                                          \
  {                                                                            \
    name, summary, cells, sizeof(cells) / sizeof(cells[0]), false, NULL, NULL, \
        0                                                                      \
  }
#define PROFILE_KEYS(name, summary, cells, key_cell, delay)        \
  {                                                                \
    name, summary, cells, sizeof(cells) / sizeof(cells[0]), false, \
        aws_unsupported_keys, &key_cell, delay                     \
  }

static const struct mtk_probe_profile profiles[] = {
    PROFILE_KEYS("alb-verify", "AWS ALB, mutual authentication mode verify",
                 alb_verify, alb_verify_key, S2N_BLINDING_MS),
    PROFILE_KEYS("alb-verify-allow-expired",
                 "AWS ALB verify with IgnoreClientCertificateExpiry",
                 alb_verify_allow_expired, alb_verify_key, S2N_BLINDING_MS),
    PROFILE_KEYS("alb-passthrough",
                 "AWS ALB, mutual authentication passthrough", alb_passthrough,
                 alb_passthrough_key, 0),
    PROFILE_KEYS("apigw", "Amazon API Gateway mutual TLS (REST and HTTP APIs)",
                 apigw, apigw_key, S2N_BLINDING_MS),
    PROFILE("cloudflare",
            "Cloudflare mTLS rule / Access, also IBM Cloud Internet Services",
            cloudflare),
    PROFILE("nginx", "nginx ssl_verify_client on", nginx),
    PROFILE(
        "nginx-optional",
        "nginx ssl_verify_client optional + if ($ssl_client_verify != SUCCESS) "
        "{ return 403; }",
        nginx_optional),
    PROFILE("haproxy", "HAProxy bind ... verify required", haproxy),
    PROFILE("apache", "Apache httpd SSLVerifyClient require", apache),
    PROFILE("node", "Node.js https requestCert + rejectUnauthorized", node),
    {"strict",
     "any refusal counts: the manifest's verdict.strict, accept = http 2xx, "
     "reject = refused|http 4xx",
     NULL, 0, true, NULL, NULL, 0},
};

#define NUM_PROFILES (sizeof(profiles) / sizeof(profiles[0]))

const struct mtk_probe_profile *mtk_probe_profile_find(const char *name) {
  // The names verify and lint give the same platforms.
  if (strcmp(name, "ibm-cis") == 0) {
    name = "cloudflare";
  } else if (strcmp(name, "alb") == 0) {
    name = "alb-verify";
  }
  for (size_t i = 0; i < NUM_PROFILES; i++) {
    if (strcmp(profiles[i].name, name) == 0) {
      return &profiles[i];
    }
  }
  return NULL;
}

void mtk_probe_profile_choices(char *out, size_t out_len) {
  size_t len = 0;
  out[0] = '\0';
  for (size_t i = 0; i < NUM_PROFILES; i++) {
    const char *name = profiles[i].name;
    const char *alias = strcmp(name, "alb-verify") == 0   ? " (or alb)"
                        : strcmp(name, "cloudflare") == 0 ? " (or ibm-cis)"
                                                          : "";
    int n = snprintf(out + len, out_len - len, "%s%s%s", i > 0 ? ", " : "",
                     name, alias);
    len += n > 0 && (size_t)n < out_len - len ? (size_t)n : 0;
  }
}

const struct mtk_probe_profile *mtk_probe_profile_at(size_t i) {
  return i < NUM_PROFILES ? &profiles[i] : NULL;
}

const struct mtk_probe_cell *mtk_probe_profile_cell(
    const struct mtk_probe_profile *p, enum mtk_defect defect) {
  for (size_t i = 0; i < p->num_cells; i++) {
    if (p->cells[i].defect == defect) {
      return &p->cells[i];
    }
  }
  return NULL;
}

const struct mtk_probe_cell *mtk_probe_profile_key_type_cell(
    const struct mtk_probe_profile *p, const char *key_type) {
  if (p->unsupported_key_types == NULL || key_type == NULL) {
    return NULL;
  }
  for (size_t i = 0; p->unsupported_key_types[i] != NULL; i++) {
    if (strcmp(p->unsupported_key_types[i], key_type) == 0) {
      return p->key_type_cell;
    }
  }
  return NULL;
}

int mtk_probe_cell_expect(const struct mtk_probe_cell *c, int tls,
                          struct mtk_probe_expect *out) {
  int err;
  if (tls == 12 && c->expect_tls12 != NULL) {
    return mtk_probe_expect_parse(c->expect_tls12, out, NULL);
  }
  err = mtk_probe_expect_parse(c->expect, out, NULL);
  if (err != 0 || tls != 0 || c->expect_tls12 == NULL) {
    return err;
  }
  struct mtk_probe_expect v12;
  err = mtk_probe_expect_parse(c->expect_tls12, &v12, NULL);
  if (err != 0) {
    return err;
  }
  return mtk_probe_expect_union(out, &v12);
}
