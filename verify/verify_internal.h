// Private to mtk_verify: the strict profile's checks beyond the library's
// path validation, each run on a validated path (leaf first, anchor last).
#ifndef MTK_VERIFY_VERIFY_INTERNAL_H
#define MTK_VERIFY_VERIFY_INTERNAL_H

#include <openssl/x509.h>
#include <stdbool.h>

#include "mtlskit/verify.h"

// VERIFY_X509_REASONS(X) lists the verify errors of the X509 API that
// OpenSSL and BoringSSL share, as X(code, reason): the reason mtlskit
// reports for each. One list for both verifiers, each compiled against its
// own library's x509_vfy.h; each adds the codes only its library has.
#define VERIFY_X509_REASONS(X)                                                \
  X(X509_V_ERR_CERT_HAS_EXPIRED, MTK_VERIFY_EXPIRED)                          \
  X(X509_V_ERR_CERT_NOT_YET_VALID, MTK_VERIFY_NOT_YET_VALID)                  \
  X(X509_V_ERR_CERT_REVOKED, MTK_VERIFY_REVOKED)                              \
  X(X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT, MTK_VERIFY_UNKNOWN_ISSUER)          \
  X(X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, MTK_VERIFY_UNKNOWN_ISSUER)  \
  X(X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE, MTK_VERIFY_UNKNOWN_ISSUER)    \
  X(X509_V_ERR_CERT_UNTRUSTED, MTK_VERIFY_UNKNOWN_ISSUER)                     \
  X(X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, MTK_VERIFY_SELF_SIGNED)           \
  X(X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN, MTK_VERIFY_SELF_SIGNED)             \
  X(X509_V_ERR_INVALID_PURPOSE, MTK_VERIFY_BAD_EKU)                           \
  X(X509_V_ERR_INVALID_CA, MTK_VERIFY_INVALID_CA)                             \
  X(X509_V_ERR_KEYUSAGE_NO_CERTSIGN, MTK_VERIFY_INVALID_CA)                   \
  X(X509_V_ERR_PATH_LENGTH_EXCEEDED, MTK_VERIFY_PATHLEN_EXCEEDED)             \
  X(X509_V_ERR_CERT_CHAIN_TOO_LONG, MTK_VERIFY_DEPTH_EXCEEDED)                \
  X(X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION,                                  \
    MTK_VERIFY_UNHANDLED_CRITICAL_EXTENSION)                                  \
  X(X509_V_ERR_CERT_SIGNATURE_FAILURE, MTK_VERIFY_BAD_SIGNATURE)              \
  X(X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE, MTK_VERIFY_BAD_SIGNATURE)    \
  X(X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY, MTK_VERIFY_BAD_SIGNATURE)  \
  X(X509_V_ERR_UNABLE_TO_GET_CRL, MTK_VERIFY_CRL_MISSING)                     \
  X(X509_V_ERR_UNABLE_TO_GET_CRL_ISSUER, MTK_VERIFY_CRL_MISSING)              \
  X(X509_V_ERR_CRL_HAS_EXPIRED, MTK_VERIFY_CRL_EXPIRED)                       \
  X(X509_V_ERR_CRL_NOT_YET_VALID, MTK_VERIFY_CRL_NOT_YET_VALID)               \
  X(X509_V_ERR_CRL_SIGNATURE_FAILURE, MTK_VERIFY_CRL_BAD_SIGNATURE)           \
  X(X509_V_ERR_UNABLE_TO_DECRYPT_CRL_SIGNATURE, MTK_VERIFY_CRL_BAD_SIGNATURE) \
  X(X509_V_ERR_KEYUSAGE_NO_CRL_SIGN, MTK_VERIFY_CRL_INVALID)                  \
  X(X509_V_ERR_UNHANDLED_CRITICAL_CRL_EXTENSION, MTK_VERIFY_CRL_INVALID)      \
  X(X509_V_ERR_DIFFERENT_CRL_SCOPE, MTK_VERIFY_CRL_INVALID)                   \
  X(X509_V_ERR_CRL_PATH_VALIDATION_ERROR, MTK_VERIFY_CRL_INVALID)             \
  X(X509_V_ERR_ERROR_IN_CRL_LAST_UPDATE_FIELD, MTK_VERIFY_CRL_INVALID)        \
  X(X509_V_ERR_ERROR_IN_CRL_NEXT_UPDATE_FIELD, MTK_VERIFY_CRL_INVALID)        \
  X(X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD, MTK_VERIFY_MALFORMED)          \
  X(X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD, MTK_VERIFY_MALFORMED)           \
  X(X509_V_ERR_PERMITTED_VIOLATION, MTK_VERIFY_NAME_CONSTRAINTS)              \
  X(X509_V_ERR_EXCLUDED_VIOLATION, MTK_VERIFY_NAME_CONSTRAINTS)               \
  X(X509_V_ERR_SUBTREE_MINMAX, MTK_VERIFY_NAME_CONSTRAINTS)                   \
  X(X509_V_ERR_UNSUPPORTED_CONSTRAINT_TYPE, MTK_VERIFY_NAME_CONSTRAINTS)      \
  X(X509_V_ERR_UNSUPPORTED_CONSTRAINT_SYNTAX, MTK_VERIFY_NAME_CONSTRAINTS)    \
  X(X509_V_ERR_UNSUPPORTED_NAME_SYNTAX, MTK_VERIFY_NAME_CONSTRAINTS)          \
  X(X509_V_ERR_INVALID_EXTENSION, MTK_VERIFY_BAD_EXTENSION)                   \
  X(X509_V_ERR_INVALID_POLICY_EXTENSION, MTK_VERIFY_POLICY)                   \
  X(X509_V_ERR_NO_EXPLICIT_POLICY, MTK_VERIFY_POLICY)

// VERIFY_X509_REASON_CASE is the switch case of one VERIFY_X509_REASONS
// entry.
#define VERIFY_X509_REASON_CASE(code, reason) \
  case code:                                  \
    return reason;

// verify_reject marks |out| refused for |reason| at chain position |depth|
// (-1: none) with a printf-style detail line.
void verify_reject(struct mtk_verify_result *out, enum mtk_verify_reason reason,
                   int depth, const char *fmt, ...) MTK_PRINTF(4, 5);

// verify_describe_path fills |out|'s path (one "  depth N: subject" line
// per certificate of |path|, which may be NULL) and the subject of the
// certificate at out->error_depth (verify_path.c, also compiled into the
// OpenSSL verifier).
void verify_describe_path(STACK_OF(X509) * path, struct mtk_verify_result *out);

// verify_ldh_name reports whether |s| is a DNS name in the preferred syntax
// (RFC 1034 3.5, RFC 5280 4.2.1.6): dot-separated labels of letters, digits
// and inner hyphens, each 1..63 octets, at most 253 in all. |wildcard|
// allows a leftmost "*" label.
bool verify_ldh_name(const uint8_t *s, size_t len, bool wildcard);

// verify_uri_authority finds the authority of an absolute URI
// "scheme://[userinfo@]host[:port]/...": "host[:port]" (what Go's net/url
// calls URL.Host). It returns false when the URI has no "://" authority.
bool verify_uri_authority(const uint8_t *s, size_t len, const uint8_t **out,
                          size_t *out_len);

// verify_rfc5280 applies the RFC 5280 section 4 profile rules the strict
// platform enforces (docs/verify.md, "strict") to every certificate of
// |path|, the anchor included. It returns true when all hold, else false
// with |out| refused.
bool verify_rfc5280(STACK_OF(X509) * path, struct mtk_verify_result *out);

// verify_critical_key_id: when path[i] has a critical authority or subject
// key identifier (which BoringSSL reports as an unknown critical
// extension), it refuses |out| as bad-extension and returns true.
bool verify_critical_key_id(STACK_OF(X509) * path, int i,
                            struct mtk_verify_result *out);

// verify_name_constraints checks |path| against the nameConstraints of each
// CA certificate in it, the anchor included (RFC 5280 4.2.1.10 and 6.1.3
// (b)-(c)), for every GeneralName form: dNSName, rfc822Name (and emailAddress
// in the subject), uniformResourceIdentifier, iPAddress and directoryName
// are processed; a constraint on another form (otherName, x400Address,
// ediPartyName, registeredID) refuses a certificate that carries a name of
// that form, as the RFC requires of a verifier that cannot process it. It
// returns true when every name is allowed, else false with |out| refused
// (reason name-constraints).
bool verify_name_constraints(STACK_OF(X509) * path,
                             struct mtk_verify_result *out);

// verify_crl_profile checks that each CRL in |crls| that covers a
// certificate of |path| (same issuer name, signed by the issuer's key) is a
// conforming v2 CRL: a non-critical cRLNumber, and an issuer whose keyUsage,
// when present, has cRLSign (RFC 5280 5.2.3, 4.2.1.3). It returns true or
// false with |out| refused (reason crl-invalid).
bool verify_crl_profile(STACK_OF(X509) * path, STACK_OF(X509_CRL) * crls,
                        struct mtk_verify_result *out);

#endif  // MTK_VERIFY_VERIFY_INTERNAL_H
