#include "mtlskit/x509_csr.h"

#include <openssl/bio.h>
#include <openssl/bytestring.h>
#include <openssl/err.h>
#include <openssl/mem.h>
#include <openssl/nid.h>
#include <openssl/obj.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <string.h>

#include "x509_internal.h"

int mtk_csr_build(const struct mtk_dn *subject, EVP_PKEY *key,
                  const struct mtk_san_list *san, enum mtk_digest digest,
                  uint8_t **out, size_t *out_len, struct mtk_diag *diag) {
  return mtk_csr_build_spki(subject, key, NULL, 0, san, digest, out, out_len,
                            diag);
}

int mtk_csr_build_spki(const struct mtk_dn *subject, EVP_PKEY *key,
                       const uint8_t *spki, size_t spki_len,
                       const struct mtk_san_list *san, enum mtk_digest digest,
                       uint8_t **out, size_t *out_len, struct mtk_diag *diag) {
  CBB cbb, info, attrs;
  int err = 0;
  CBB_zero(&cbb);
  if (!CBB_init(&cbb, 512) || !CBB_add_asn1(&cbb, &info, CBS_ASN1_SEQUENCE) ||
      !CBB_add_asn1_uint64(&info, 0)) {
    err = MTK_ENOMEM;
    goto out;
  }
  err = mtk_dn_marshal(&info, subject);
  if (err != 0) {
    goto out;
  }
  if (spki != NULL ? !CBB_add_bytes(&info, spki, spki_len)
                   : !EVP_marshal_public_key(&info, key)) {
    err = mtk_crypto_diag(diag, MTK_EUNSUPPORTED, "cannot encode the key");
    goto out;
  }
  if (!CBB_add_asn1(&info, &attrs,
                    CBS_ASN1_CONTEXT_SPECIFIC | CBS_ASN1_CONSTRUCTED | 0)) {
    err = MTK_ENOMEM;
    goto out;
  }
  if (san != NULL && san->num > 0) {
    CBB attr, set, exts, ext, value;
    if (!CBB_add_asn1(&attrs, &attr, CBS_ASN1_SEQUENCE) ||
        !OBJ_nid2cbb(&attr, NID_ext_req) ||
        !CBB_add_asn1(&attr, &set, CBS_ASN1_SET) ||
        !CBB_add_asn1(&set, &exts, CBS_ASN1_SEQUENCE) ||
        !CBB_add_asn1(&exts, &ext, CBS_ASN1_SEQUENCE) ||
        !OBJ_nid2cbb(&ext, NID_subject_alt_name) ||
        !CBB_add_asn1(&ext, &value, CBS_ASN1_OCTETSTRING) ||
        mtk_san_marshal(&value, san) != 0) {
      err = MTK_ENOMEM;
      goto out;
    }
  }
  err = mtk_sign_tbs(&cbb, key, digest, out, out_len, diag);
out:
  CBB_cleanup(&cbb);
  return err;
}

static int looks_like_pem(const uint8_t *data, size_t len) {
  static const char tag[] = "-----BEGIN";
  for (size_t i = 0; i + sizeof(tag) - 1 <= len; i++) {
    if (memcmp(data + i, tag, sizeof(tag) - 1) == 0) {
      return 1;
    }
  }
  return 0;
}

// profile_decides reports whether a requested extension is one whose value
// the CA's profile sets itself (so a request for it, critical or not, is
// simply overridden), as opposed to one mtlskit never writes.
static int profile_decides(int nid) {
  return nid == NID_basic_constraints || nid == NID_key_usage ||
         nid == NID_ext_key_usage || nid == NID_subject_key_identifier ||
         nid == NID_authority_key_identifier;
}

void mtk_csr_cleanup(struct mtk_csr *csr) {
  X509_REQ_free(csr->req);
  EVP_PKEY_free(csr->public_key);
  mtk_san_list_cleanup(&csr->san);
  csr->req = NULL;
  csr->public_key = NULL;
}

int mtk_csr_parse(const uint8_t *data, size_t len, struct mtk_csr *out,
                  struct mtk_diag *diag) {
  memset(out, 0, sizeof(*out));
  mtk_san_list_init(&out->san);
  if (looks_like_pem(data, len)) {
    BIO *bio = BIO_new_mem_buf(data, (int)len);
    if (bio == NULL) {
      return MTK_ENOMEM;
    }
    out->req = PEM_read_bio_X509_REQ(bio, NULL, NULL, NULL);
    BIO_free(bio);
  } else {
    const uint8_t *p = data;
    out->req = d2i_X509_REQ(NULL, &p, (long)len);
  }
  if (out->req == NULL) {
    return mtk_crypto_diag(diag, MTK_EPARSE, "not a certificate request");
  }
  out->public_key = X509_REQ_get_pubkey(out->req);
  if (out->public_key == NULL) {
    return mtk_crypto_diag(diag, MTK_EPARSE,
                           "certificate request has an unsupported key");
  }
  if (X509_REQ_verify(out->req, out->public_key) != 1) {
    return mtk_crypto_diag(diag, MTK_ECRYPTO,
                           "certificate request signature does not verify");
  }
  STACK_OF(X509_EXTENSION) *exts = X509_REQ_get_extensions(out->req);
  int err = 0;
  size_t num_san = 0;
  for (size_t i = 0; i < sk_X509_EXTENSION_num(exts) && err == 0; i++) {
    X509_EXTENSION *ext = sk_X509_EXTENSION_value(exts, i);
    const ASN1_OBJECT *obj = X509_EXTENSION_get_object(ext);
    int nid = OBJ_obj2nid(obj);
    if (nid != NID_subject_alt_name) {
      if (X509_EXTENSION_get_critical(ext) && !profile_decides(nid) &&
          out->unknown_critical[0] == '\0') {
        OBJ_obj2txt(out->unknown_critical, sizeof(out->unknown_critical), obj,
                    1);
      }
      continue;
    }
    if (++num_san > 1) {
      err = mtk_diag_set(diag, MTK_EPARSE,
                         "certificate request has two subjectAltName "
                         "extensions");
      break;
    }
    const ASN1_OCTET_STRING *v = X509_EXTENSION_get_data(ext);
    CBS cbs;
    CBS_init(&cbs, ASN1_STRING_get0_data(v), (size_t)ASN1_STRING_length(v));
    int e = mtk_san_unmarshal(&cbs, &out->san);
    if (e == MTK_ERANGE) {
      err = mtk_diag_set(diag, MTK_EPARSE,
                         "certificate request has more than %d SANs",
                         MTK_SAN_MAX);
    } else if (e != 0 || CBS_len(&cbs) != 0) {
      err = mtk_diag_set(diag, MTK_EPARSE,
                         "certificate request has a malformed SAN");
    }
  }
  sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
  ERR_clear_error();
  return err;
}
