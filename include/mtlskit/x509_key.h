// Key generation and signature primitives for the X.509 toolkit (BoringSSL).
//
// Every certificate, CSR and CRL mtlskit builds is signed through
// mtk_sign_der, so the AlgorithmIdentifier written in the signed structure
// and the one beside the signature come from the same code and cannot
// disagree (RFC 5280 4.1.1.2).
#ifndef MTK_HEADER_X509_KEY_H
#define MTK_HEADER_X509_KEY_H

#include <openssl/base.h>
#include <stddef.h>
#include <stdint.h>

#include "mtlskit/diag.h"

#ifdef __cplusplus
extern "C" {
#endif

// Key types. MTK_KEY_RSA1024 exists for weak-key fixtures only; the CLI
// refuses it (mtk_key_type_from_name rejects it unless |allow_weak|).
enum mtk_key_type {
  MTK_KEY_RSA1024,
  MTK_KEY_RSA2048,
  MTK_KEY_RSA3072,
  MTK_KEY_RSA4096,
  MTK_KEY_P256,
  MTK_KEY_P384,
  MTK_KEY_ED25519,
};

// Signature digests. MTK_DIGEST_DEFAULT means SHA-256 (and "none" for
// Ed25519, which has no separate digest). SHA-1 is for fixtures only.
enum mtk_digest {
  MTK_DIGEST_DEFAULT,
  MTK_DIGEST_SHA256,
  MTK_DIGEST_SHA384,
  MTK_DIGEST_SHA512,
  MTK_DIGEST_SHA1,
};

// mtk_key_type_from_name parses "rsa2048", "rsa3072", "rsa4096", "p256",
// "p384", "ed25519" (and "rsa1024" when |allow_weak|). It returns 0, or
// MTK_EPARSE for any other name.
MTK_MUST_CHECK int mtk_key_type_from_name(const char *name, int allow_weak,
                                          enum mtk_key_type *out);

// mtk_key_type_name returns the name of |type| ("p256"). Static string.
const char *mtk_key_type_name(enum mtk_key_type type);

// mtk_key_generate generates a new key of |type| into *out_key, which the
// caller frees with EVP_PKEY_free. It returns 0 or MTK_ECRYPTO.
MTK_MUST_CHECK int mtk_key_generate(enum mtk_key_type type, EVP_PKEY **out_key,
                                    struct mtk_diag *diag);

// mtk_key_is_rsa reports whether |key| is an RSA key.
int mtk_key_is_rsa(const EVP_PKEY *key);

// mtk_key_check applies the issuance key policy to |key| (a CSR's public
// key, or one mtlskit generated): RSA of 2048 to 8192 bits, a multiple of
// 8, with an odd public exponent of at least 3; ECDSA on P-256 or P-384;
// Ed25519. It returns 0, or MTK_EPARSE with "key RSA-1024 is not allowed:
// ..." in |diag|.
MTK_MUST_CHECK int mtk_key_check(const EVP_PKEY *key, struct mtk_diag *diag);

// mtk_key_type_check applies the same policy to a key type about to be
// generated, with the same message: it refuses MTK_KEY_RSA1024.
MTK_MUST_CHECK int mtk_key_type_check(enum mtk_key_type type,
                                      struct mtk_diag *diag);

// mtk_digest_from_name parses "sha256", "sha384", "sha512", "sha1" (and
// "default", openssl.cnf's word for the key's default). It returns 0 or
// MTK_EPARSE.
MTK_MUST_CHECK int mtk_digest_from_name(const char *name, enum mtk_digest *out);

// mtk_digest_name returns "sha256", ... for |digest|. Static string.
const char *mtk_digest_name(enum mtk_digest digest);

// mtk_sig_alg_write appends the AlgorithmIdentifier for signing with |key|
// and |digest| (sha256WithRSAEncryption with NULL parameters,
// ecdsa-with-SHA256 without parameters, Ed25519, ...) to |cbb|. It returns
// 0, MTK_EUNSUPPORTED for an unsupported key/digest pair, or MTK_ECRYPTO.
MTK_MUST_CHECK int mtk_sig_alg_write(CBB *cbb, const EVP_PKEY *key,
                                     enum mtk_digest digest);

// mtk_sign_der wraps |tbs| (|tbs_len| bytes, a complete DER SEQUENCE) into
// SEQUENCE { tbs, AlgorithmIdentifier, BIT STRING signature }, the shape of
// Certificate, CertificationRequest and CertificateList, signing with |key|
// and |digest|. It writes a new buffer to *out (free with OPENSSL_free).
// It returns 0 or a negative MTK_E* code.
MTK_MUST_CHECK int mtk_sign_der(const uint8_t *tbs, size_t tbs_len,
                                EVP_PKEY *key, enum mtk_digest digest,
                                uint8_t **out, size_t *out_len,
                                struct mtk_diag *diag);

// mtk_key_id computes the RFC 5280 4.2.1.2 method (1) key identifier: the
// SHA-1 of the subjectPublicKey BIT STRING contents of |key|. |out| gets 20
// bytes. It returns 0 or MTK_ECRYPTO.
MTK_MUST_CHECK int mtk_key_id(const EVP_PKEY *key, uint8_t out[20]);

// mtk_key_spki encodes the SubjectPublicKeyInfo of |key| into a new buffer
// *out (free with OPENSSL_free). Encoding an EC point costs a field
// inversion, so a caller that puts one key into a certificate, its key
// identifier and a CSR encodes it once and passes the bytes on. It returns
// 0 or MTK_ECRYPTO.
MTK_MUST_CHECK int mtk_key_spki(const EVP_PKEY *key, uint8_t **out,
                                size_t *out_len);

// mtk_spki_key_id is mtk_key_id for a key already encoded as a
// SubjectPublicKeyInfo (|spki|, |spki_len| bytes). It returns 0 or
// MTK_ECRYPTO when the bytes are not an SPKI.
MTK_MUST_CHECK int mtk_spki_key_id(const uint8_t *spki, size_t spki_len,
                                   uint8_t out[20]);

// mtk_crypto_diag copies the first BoringSSL error-queue entry into |diag|
// as "|what|: <library error>", clears the queue, and returns |err|.
int mtk_crypto_diag(struct mtk_diag *diag, int err, const char *what);

#ifdef __cplusplus
}
#endif

#endif  // MTK_HEADER_X509_KEY_H
