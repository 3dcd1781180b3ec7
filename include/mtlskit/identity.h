// Client identities: a leaf certificate, the chain to send with it and the
// private key, loaded from PEM files or a PKCS#12 file. The load generator
// and the probe's BoringSSL side present these in TLS handshakes.
#ifndef MTK_HEADER_IDENTITY_H
#define MTK_HEADER_IDENTITY_H

#include <openssl/base.h>
#include <openssl/x509.h>

#include "mtlskit/diag.h"
#include "mtlskit/secret.h"

#ifdef __cplusplus
extern "C" {
#endif

struct mtk_identity {
  X509 *leaf;              // owned
  STACK_OF(X509) * chain;  // owned, never NULL after a load; may be empty
  EVP_PKEY *key;           // owned
};

// mtk_identity_init sets |id| to the empty state.
void mtk_identity_init(struct mtk_identity *id);

// mtk_identity_cleanup frees what |id| holds and empties it.
void mtk_identity_cleanup(struct mtk_identity *id);

// mtk_identity_load_pem loads the first certificate of |cert_path| as the
// leaf, any further certificates in it and every certificate of
// |chain_path| (may be NULL) as the chain, and the key in |key_path|
// (decrypted with |key_password|, which may be NULL). It checks that the
// key matches the leaf. It returns 0, -errno, MTK_EPARSE, MTK_EBADPASS, or
// MTK_ECRYPTO for a key that does not match. On failure |id| is empty.
MTK_MUST_CHECK int mtk_identity_load_pem(struct mtk_identity *id,
                                         const char *cert_path,
                                         const char *key_path,
                                         const char *chain_path,
                                         const struct mtk_secret *key_password,
                                         struct mtk_diag *diag);

// mtk_identity_load_p12 loads a PKCS#12 file (either mtlskit profile, or
// what openssl pkcs12 writes) opened with |password| (NULL: empty). It
// returns 0, -errno, MTK_EPARSE, or MTK_EBADPASS. On failure |id| is empty.
MTK_MUST_CHECK int mtk_identity_load_p12(struct mtk_identity *id,
                                         const char *path,
                                         const struct mtk_secret *password,
                                         struct mtk_diag *diag);

#ifdef __cplusplus
}
#endif

#endif  // MTK_HEADER_IDENTITY_H
