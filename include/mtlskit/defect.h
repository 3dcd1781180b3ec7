// The fixed vocabulary of client-certificate defects.
//
// A fixture case in DIR/manifest.json lists what is wrong with it using
// these names; a probe profile says, per defect, what a platform must do.
// The names are a contract (manifest schema, profile files, JSON output):
// add to the table, never rename. A case with no defect is "none".
//
// Defects about the identity presented, and about the trust material the
// server holds (crl-*), share one namespace because a case is an identity
// tested against a trust variant.
#ifndef MTK_HEADER_DEFECT_H
#define MTK_HEADER_DEFECT_H

#include <stddef.h>

#include "mtlskit/error.h"

#ifdef __cplusplus
extern "C" {
#endif

// XX(enum suffix, name, description)
#define MTK_DEFECT_MAP(XX)                                                    \
  XX(NONE, "none", "nothing: a valid client identity")                        \
  XX(NO_CERTIFICATE, "no-certificate", "the client presents no certificate")  \
  XX(EXPIRED, "expired", "leaf notAfter is in the past")                      \
  XX(NOT_YET_VALID, "not-yet-valid", "leaf notBefore is in the future")       \
  XX(VALIDITY_ENDS_NOW, "validity-ends-now",                                  \
     "leaf notAfter equals the build time (inclusive: valid at that second)") \
  XX(REVOKED, "revoked", "leaf serial is on the issuer's current CRL")        \
  XX(UNKNOWN_CA, "unknown-ca",                                                \
     "leaf is issued by a CA the server does not trust")                      \
  XX(SELF_SIGNED, "self-signed", "leaf is self-signed")                       \
  XX(EKU_SERVER_ONLY, "eku-server-only",                                      \
     "leaf extendedKeyUsage is serverAuth only")                              \
  XX(EKU_MISSING, "eku-missing", "leaf has no extendedKeyUsage")              \
  XX(EKU_ANY_ONLY, "eku-any-only",                                            \
     "leaf extendedKeyUsage is anyExtendedKeyUsage only")                     \
  XX(MISSING_INTERMEDIATE, "missing-intermediate",                            \
     "the intermediate is neither sent nor trusted")                          \
  XX(INTERMEDIATE_EXPIRED, "intermediate-expired",                            \
     "the issuing intermediate has expired")                                  \
  XX(INTERMEDIATE_EKU_SERVER_ONLY, "intermediate-eku-server-only",            \
     "the intermediate's extendedKeyUsage is serverAuth only")                \
  XX(ISSUER_NOT_CA, "issuer-not-ca",                                          \
     "the issuer has basicConstraints CA:false")                              \
  XX(PATHLEN_VIOLATED, "pathlen-violated",                                    \
     "a CA below a pathlen:0 intermediate issued the leaf")                   \
  XX(CHAIN_TOO_DEEP, "chain-too-deep",                                        \
     "more than 4 CA certificates in the path")                               \
  XX(LEAF_IS_CA, "leaf-is-ca", "leaf has basicConstraints CA:true")           \
  XX(UNKNOWN_CRITICAL_EXTENSION, "unknown-critical-extension",                \
     "leaf carries an unknown extension marked critical")                     \
  XX(BAD_SIGNATURE, "bad-signature", "leaf signature does not verify")        \
  XX(SHA1_SIGNATURE, "sha1-signature", "leaf is signed with SHA-1")           \
  XX(WEAK_KEY, "weak-key", "leaf key is RSA-1024")                            \
  XX(OVERSIZED, "oversized",                                                  \
     "certificate larger than a 64 KB TLS handshake message")                 \
  XX(CRL_EXPIRED, "crl-expired", "the server's CRL is past its nextUpdate")   \
  XX(CRL_WRONG_SIGNER, "crl-wrong-signer",                                    \
     "the server's CRL is signed by a key other than the issuer's")           \
  XX(CRL_MISSING_INTERMEDIATE, "crl-missing-intermediate",                    \
     "the server has no CRL for the intermediate")                            \
  XX(NAME_CONSTRAINTS_VIOLATED, "name-constraints-violated",                  \
     "a name of the leaf lies outside its issuer's nameConstraints")          \
  XX(NAME_CONSTRAINTS_NO_SAN, "name-constraints-no-san",                      \
     "the issuer has nameConstraints; the leaf has no subjectAltName")        \
  XX(NAME_CONSTRAINTS_IP, "name-constraints-ip",                              \
     "the issuer constrains iPAddress names; the leaf's IP SAN is inside")    \
  XX(INTERMEDIATE_NO_KEY_USAGE, "intermediate-no-key-usage",                  \
     "the issuing CA has no keyUsage extension")                              \
  XX(INTERMEDIATE_NO_KEYCERTSIGN, "intermediate-no-keycertsign",              \
     "the issuing CA's keyUsage lacks keyCertSign")                           \
  XX(LEAF_KEYCERTSIGN, "leaf-keycertsign",                                    \
     "leaf (CA:false) keyUsage includes keyCertSign")                         \
  XX(EXPLICIT_POLICY_MISSING, "explicit-policy-missing",                      \
     "a CA requires an explicit policy; the leaf asserts none")               \
  XX(ANY_POLICY_INHIBITED, "any-policy-inhibited",                            \
     "the leaf asserts only anyPolicy below a CA that inhibits it")           \
  XX(AKI_MISMATCH, "aki-mismatch",                                            \
     "the leaf's authorityKeyIdentifier names no key of its issuer")          \
  XX(INTERMEDIATE_V1, "intermediate-v1",                                      \
     "the issuing CA is a version 1 certificate (no extensions)")             \
  XX(INTERMEDIATE_UNKNOWN_CRITICAL_EXTENSION,                                 \
     "intermediate-unknown-critical-extension",                               \
     "the issuing CA carries an unknown extension marked critical")           \
  XX(ROOT_EXPIRED, "root-expired",                                            \
     "the trusted root that issued the leaf has expired")                     \
  XX(ANCHOR_NOT_SELF_SIGNED, "anchor-not-self-signed",                        \
     "the trusted CA that issued the leaf is not self-signed")                \
  XX(SAME_NAME_INTERMEDIATES, "same-name-intermediates",                      \
     "two CAs with the issuer's name and different keys, the wrong one "      \
     "sent first")                                                            \
  XX(SERIAL_ZERO, "serial-zero", "leaf serial number is 0")                   \
  XX(SERIAL_NEGATIVE, "serial-negative", "leaf serial number is negative")    \
  XX(EMPTY_SUBJECT, "empty-subject",                                          \
     "leaf subject is empty; its name is in a critical subjectAltName")

enum mtk_defect {
#define MTK_DEFECT_ENUM(name, str, desc) MTK_DEFECT_##name,
  MTK_DEFECT_MAP(MTK_DEFECT_ENUM)
#undef MTK_DEFECT_ENUM
      MTK_DEFECT_COUNT
};

// mtk_defect_name returns the stable name of |defect| ("eku-server-only"),
// or NULL if it is out of range. The string is static.
const char *mtk_defect_name(enum mtk_defect defect);

// mtk_defect_description returns a one-line description of |defect|, or
// NULL if it is out of range.
const char *mtk_defect_description(enum mtk_defect defect);

// mtk_defect_from_name looks |name| up. It returns 0 and sets *out_defect,
// or MTK_EPARSE for a name outside the vocabulary.
MTK_MUST_CHECK int mtk_defect_from_name(const char *name,
                                        enum mtk_defect *out_defect);

#ifdef __cplusplus
}
#endif

#endif  // MTK_HEADER_DEFECT_H
