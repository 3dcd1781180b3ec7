// PKCS#10 certificate signing requests.
#ifndef MTK_HEADER_X509_CSR_H
#define MTK_HEADER_X509_CSR_H

#include <openssl/base.h>
#include <stddef.h>
#include <stdint.h>

#include "mtlskit/diag.h"
#include "mtlskit/x509_key.h"
#include "mtlskit/x509_name.h"
#include "mtlskit/x509_san.h"

#ifdef __cplusplus
extern "C" {
#endif

// mtk_csr_build writes a signed CertificationRequest for |subject| and
// |key| to *out (free with OPENSSL_free). When |san| has entries they are
// requested in an extensionRequest attribute. It returns 0 or a negative
// MTK_E* code.
MTK_MUST_CHECK int mtk_csr_build(const struct mtk_dn *subject, EVP_PKEY *key,
                                 const struct mtk_san_list *san,
                                 enum mtk_digest digest, uint8_t **out,
                                 size_t *out_len, struct mtk_diag *diag);

// mtk_csr_build_spki is mtk_csr_build with |key|'s SubjectPublicKeyInfo
// already encoded (|spki|, |spki_len| bytes, from mtk_key_spki; NULL:
// encode it here).
MTK_MUST_CHECK int mtk_csr_build_spki(const struct mtk_dn *subject,
                                      EVP_PKEY *key, const uint8_t *spki,
                                      size_t spki_len,
                                      const struct mtk_san_list *san,
                                      enum mtk_digest digest, uint8_t **out,
                                      size_t *out_len, struct mtk_diag *diag);

// A parsed, signature-checked CSR.
struct mtk_csr {
  X509_REQ *req;            // owned
  EVP_PKEY *public_key;     // owned
  struct mtk_san_list san;  // requested SANs (DNS, IP, email, URI)
  // The OID of the first critical extension requested that mtlskit never
  // writes (not subjectAltName, nor one the CA profile sets: basic
  // constraints, key usage, extended key usage, key identifiers); "" if
  // none.
  char unknown_critical[80];
};

// mtk_csr_parse parses a PEM or DER CSR from |data| and checks its
// self-signature (proof of possession of the key). It returns 0, or
// MTK_EPARSE for malformed input (two subjectAltName extensions, more than
// MTK_SAN_MAX SANs), or MTK_ECRYPTO when the signature does not verify.
// It applies no issuance policy: see mtk_dn_check, mtk_san_check and
// mtk_key_check. Release |out| with
// mtk_csr_cleanup (also after a failure).
MTK_MUST_CHECK int mtk_csr_parse(const uint8_t *data, size_t len,
                                 struct mtk_csr *out, struct mtk_diag *diag);

// mtk_csr_cleanup frees what |csr| holds.
void mtk_csr_cleanup(struct mtk_csr *csr);

#ifdef __cplusplus
}
#endif

#endif  // MTK_HEADER_X509_CSR_H
