// Private to mtk_verify: the strict profile's checks beyond the library's
// path validation, each run on a validated path (leaf first, anchor last).
#ifndef MTK_VERIFY_VERIFY_INTERNAL_H
#define MTK_VERIFY_VERIFY_INTERNAL_H

#include <openssl/x509.h>
#include <stdbool.h>

#include "mtlskit/verify.h"

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
