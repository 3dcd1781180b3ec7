// What the certificate, CRL and CSR builders share: signing a finished TBS
// structure, and the pieces of the extensions that certificates and CRLs
// both write. Private to mtk_ca; fallible functions return 0 or a negative
// MTK_E* code unless they say they keep BoringSSL's 1/0 convention.
#ifndef MTK_CA_X509_INTERNAL_H
#define MTK_CA_X509_INTERNAL_H

#include <openssl/base.h>
#include <openssl/bytestring.h>
#include <openssl/sha.h>
#include <stddef.h>
#include <stdint.h>

#include "mtlskit/diag.h"
#include "mtlskit/x509_cert.h"
#include "mtlskit/x509_key.h"

#ifdef __cplusplus
extern "C" {
#endif

// mtk_sign_tbs finishes |cbb|, which must hold exactly one complete TBS
// SEQUENCE, and signs it with mtk_sign_der (|key|, |digest|): *out gets a
// new buffer (free with OPENSSL_free). |cbb| is finished either way; the
// caller still calls CBB_cleanup on it. It returns 0, MTK_ENOMEM, or what
// mtk_sign_der returns (with the detail in |diag|).
MTK_MUST_CHECK int mtk_sign_tbs(CBB *cbb, EVP_PKEY *key, enum mtk_digest digest,
                                uint8_t **out, size_t *out_len,
                                struct mtk_diag *diag);

// mtk_ext_header_add opens one Extension in |exts|: its SEQUENCE in |ext|,
// the extnID |nid|, critical TRUE when |mode| is MTK_EXT_CRITICAL, and the
// extnValue OCTET STRING in |value|, which the caller fills and flushes.
// It keeps BoringSSL's convention: 1 on success, 0 on failure.
int mtk_ext_header_add(CBB *exts, CBB *ext, CBB *value, int nid,
                       enum mtk_ext_mode mode);

// mtk_aki_ext_add appends to |exts| an authorityKeyIdentifier extension
// (critical when |mode| is MTK_EXT_CRITICAL) whose keyIdentifier is the
// |id_len| bytes at |id|, and flushes |exts|. It returns 0 or MTK_ENOMEM.
MTK_MUST_CHECK int mtk_aki_ext_add(CBB *exts, const uint8_t *id, size_t id_len,
                                   enum mtk_ext_mode mode);

// mtk_issuer_key_id writes the key identifier an authorityKeyIdentifier
// names for |issuer| to |out| and its length to *out_len: the issuer's
// subjectKeyIdentifier when it has one of 1 to 20 bytes, else mtk_key_id of
// its public key (20 bytes). It returns 0 or MTK_ECRYPTO.
MTK_MUST_CHECK int mtk_issuer_key_id(X509 *issuer,
                                     uint8_t out[SHA_DIGEST_LENGTH],
                                     size_t *out_len);

// mtk_issuer_name_add appends the subject Name of |issuer|, as it is
// encoded in that certificate, to |cbb|: the issuer field of a certificate
// or CRL it signs. It returns 0 or MTK_ENOMEM.
MTK_MUST_CHECK int mtk_issuer_name_add(CBB *cbb, X509 *issuer);

// mtk_x509_escape writes the |len| bytes at |in| to |out| for a one-line
// message: printable ASCII (and all of valid UTF-8 text beyond ASCII) as
// is, control bytes and broken encodings as \xHH, cut with "..." to fit
// |out_len|.
void mtk_x509_escape(const uint8_t *in, size_t len, char *out, size_t out_len);

#ifdef __cplusplus
}
#endif

#endif  // MTK_CA_X509_INTERNAL_H
