// PEM files: certificates, keys (PKCS#8), CSRs, CRLs.
//
// Keys are written as PKCS#8 ("PRIVATE KEY"), or encrypted PKCS#8
// ("ENCRYPTED PRIVATE KEY", PBES2 AES-256-CBC) when a password is given,
// the forms `openssl genpkey` writes. Reading accepts every form openssl
// writes (PKCS#8, encrypted PKCS#8, traditional RSA/EC, legacy
// Proc-Type encryption).
#ifndef MTK_HEADER_PEM_H
#define MTK_HEADER_PEM_H

#include <openssl/base.h>
#include <openssl/x509.h>
#include <stddef.h>
#include <stdint.h>

#include "mtlskit/diag.h"
#include "mtlskit/secret.h"

#ifdef __cplusplus
extern "C" {
#endif

// The largest PEM file mtlskit reads (a CRL with 500,000 entries is about
// 40 MB in PEM).
#define MTK_PEM_MAX_FILE (256u * 1024u * 1024u)

// mtk_pem_encode writes |der| as a PEM block with |label| ("CERTIFICATE")
// and 64-column base64 to a new buffer *out (NUL-terminated; free with
// free()). It returns 0 or MTK_ENOMEM.
MTK_MUST_CHECK int mtk_pem_encode(const char *label, const uint8_t *der,
                                  size_t der_len, char **out, size_t *out_len);

// mtk_pem_cert_encode is mtk_pem_encode of |cert|'s DER.
MTK_MUST_CHECK int mtk_pem_cert_encode(X509 *cert, char **out, size_t *out_len);

// mtk_pem_key_encode writes |key| as PKCS#8 PEM, encrypted with PBES2
// AES-256-CBC (PBKDF2, 2048 iterations) when |password| is not NULL. Free
// *out with free(); it holds key material, so wipe it first
// (OPENSSL_cleanse). It returns 0 or MTK_ECRYPTO / MTK_ENOMEM, or
// MTK_EUSAGE for a password of PEM_BUFSIZE (1024) bytes or more, which no
// PEM reader could give back.
MTK_MUST_CHECK int mtk_pem_key_encode(const EVP_PKEY *key,
                                      const struct mtk_secret *password,
                                      char **out, size_t *out_len,
                                      struct mtk_diag *diag);

// mtk_pem_read_key reads the private key in |path|. |password| may be NULL.
// It returns 0, MTK_EBADPASS when the key is encrypted and |password| is
// NULL or wrong, MTK_EUSAGE for a |password| of PEM_BUFSIZE bytes or more,
// MTK_EPARSE when the file holds no key, or -errno.
MTK_MUST_CHECK int mtk_pem_read_key(const char *path,
                                    const struct mtk_secret *password,
                                    EVP_PKEY **out, struct mtk_diag *diag);

// mtk_pem_read_certs reads every CERTIFICATE block of |path| into a new
// stack (free with sk_X509_pop_free(.., X509_free)). It returns 0,
// MTK_EPARSE when the file holds no certificate or a malformed one, or
// -errno.
MTK_MUST_CHECK int mtk_pem_read_certs(const char *path, STACK_OF(X509) * *out,
                                      struct mtk_diag *diag);

// mtk_pem_read_cert reads the first certificate of |path|. Same returns as
// mtk_pem_read_certs; free *out with X509_free.
MTK_MUST_CHECK int mtk_pem_read_cert(const char *path, X509 **out,
                                     struct mtk_diag *diag);

#ifdef __cplusplus
}
#endif

#endif  // MTK_HEADER_PEM_H
