// PKCS#12 (.p12/.pfx) writing with explicit algorithms.
//
// mtlskit never relies on a library default here (BoringSSL changed its
// PKCS12_create defaults in 2025). Two profiles:
//
//   compat  key bag and certificate bag encrypted with
//           pbeWithSHAAnd3-KeyTripleDES-CBC (PKCS#12 KDF, SHA-1), MAC
//           HMAC-SHA1. Opens in macOS Keychain/iOS, Windows, Firefox, Java
//           and OpenSSL 3 without -legacy (3DES is in the default
//           provider; RC2 is not). The default.
//   modern  PBES2: PBKDF2 with HMAC-SHA256 and AES-256-CBC for both bags,
//           MAC HMAC-SHA256 (what OpenSSL 3 writes by default). macOS and
//           Windows Server <= 2016 reject it with "wrong password".
//
// Both use 2048 iterations for encryption and MAC. The file is built with
// CBB: PFX v3, an AuthenticatedSafe holding an encrypted-data content with
// the certificate bags (leaf first, then the chain) and a data content with
// the shrouded key bag; the leaf and key share a localKeyID (SHA-1 of the
// leaf) and an optional friendlyName.
#ifndef MTK_HEADER_P12_H
#define MTK_HEADER_P12_H

#include <openssl/base.h>
#include <openssl/x509.h>
#include <stddef.h>
#include <stdint.h>

#include "mtlskit/diag.h"

#ifdef __cplusplus
extern "C" {
#endif

enum mtk_p12_profile {
  MTK_P12_COMPAT,
  MTK_P12_MODERN,
};

#define MTK_P12_ITERATIONS 2048

// mtk_p12_profile_from_name parses "compat" or "modern". It returns 0 or
// MTK_EPARSE.
MTK_MUST_CHECK int mtk_p12_profile_from_name(const char *name,
                                             enum mtk_p12_profile *out);

// mtk_p12_profile_name returns "compat" or "modern".
const char *mtk_p12_profile_name(enum mtk_p12_profile profile);

// mtk_p12_build writes a PKCS#12 holding |key|, |cert| and |chain| (may be
// NULL; issuer first, root last) protected by |password| (UTF-8, |len|
// bytes) to *out (free with OPENSSL_free). |friendly_name| may be NULL. It
// returns 0 or MTK_ECRYPTO / MTK_ENOMEM.
MTK_MUST_CHECK int mtk_p12_build(const char *password, size_t password_len,
                                 const EVP_PKEY *key, X509 *cert,
                                 const STACK_OF(X509) * chain,
                                 const char *friendly_name,
                                 enum mtk_p12_profile profile, uint8_t **out,
                                 size_t *out_len, struct mtk_diag *diag);

#ifdef __cplusplus
}
#endif

#endif  // MTK_HEADER_P12_H
