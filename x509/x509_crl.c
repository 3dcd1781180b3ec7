#include "mtlskit/x509_crl.h"

#include <openssl/bytestring.h>
#include <openssl/mem.h>
#include <openssl/nid.h>
#include <openssl/obj.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <string.h>
#include <strings.h>

#include "x509_internal.h"

static const struct {
  const char *name;
  int reason;
} reasons[] = {
    {"unspecified", MTK_REASON_UNSPECIFIED},
    {"keyCompromise", MTK_REASON_KEY_COMPROMISE},
    {"CACompromise", MTK_REASON_CA_COMPROMISE},
    {"affiliationChanged", MTK_REASON_AFFILIATION_CHANGED},
    {"superseded", MTK_REASON_SUPERSEDED},
    {"cessationOfOperation", MTK_REASON_CESSATION_OF_OPERATION},
    {"certificateHold", MTK_REASON_CERTIFICATE_HOLD},
    {"removeFromCRL", MTK_REASON_REMOVE_FROM_CRL},
    {"privilegeWithdrawn", MTK_REASON_PRIVILEGE_WITHDRAWN},
    {"AACompromise", MTK_REASON_AA_COMPROMISE},
};

void mtk_crl_spec_init(struct mtk_crl_spec *spec) {
  memset(spec, 0, sizeof(*spec));
  spec->version = 2;
  spec->digest = MTK_DIGEST_DEFAULT;
  spec->time_encoding = MTK_TIME_AUTO;
  spec->crl_number_mode = MTK_EXT_NONCRITICAL;
  spec->aki_mode = MTK_EXT_NONCRITICAL;
}

int mtk_crl_reason_from_name(const char *name, int *out) {
  for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++) {
    if (strcasecmp(name, reasons[i].name) == 0) {
      *out = reasons[i].reason;
      return 0;
    }
  }
  return MTK_EPARSE;
}

const char *mtk_crl_reason_name(int reason) {
  for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++) {
    if (reasons[i].reason == reason) {
      return reasons[i].name;
    }
  }
  return NULL;
}

static int add_entries(CBB *tbs, const struct mtk_crl_spec *spec) {
  if (spec->num_entries == 0 && !spec->empty_revoked_sequence) {
    return 0;
  }
  CBB list;
  if (!CBB_add_asn1(tbs, &list, CBS_ASN1_SEQUENCE)) {
    return MTK_ENOMEM;
  }
  for (size_t i = 0; i < spec->num_entries; i++) {
    const struct mtk_crl_entry *e = &spec->entries[i];
    CBB entry, serial;
    if (!CBB_add_asn1(&list, &entry, CBS_ASN1_SEQUENCE) ||
        !CBB_add_asn1(&entry, &serial, CBS_ASN1_INTEGER) ||
        !CBB_add_bytes(&serial, e->serial, e->serial_len) ||
        !CBB_flush(&entry)) {
      return MTK_ENOMEM;
    }
    int err = mtk_time_marshal(&entry, e->revoked_at, spec->time_encoding);
    if (err != 0) {
      return err;
    }
    int write_reason = e->reason > 0 || (e->reason == MTK_REASON_UNSPECIFIED &&
                                         spec->write_unspecified_reason);
    if (write_reason) {
      CBB exts, ext, value, en;
      if (!CBB_add_asn1(&entry, &exts, CBS_ASN1_SEQUENCE) ||
          !CBB_add_asn1(&exts, &ext, CBS_ASN1_SEQUENCE) ||
          !OBJ_nid2cbb(&ext, NID_crl_reason) ||
          !CBB_add_asn1(&ext, &value, CBS_ASN1_OCTETSTRING) ||
          !CBB_add_asn1(&value, &en, CBS_ASN1_ENUMERATED) ||
          !CBB_add_u8(&en, (uint8_t)e->reason)) {
        return MTK_ENOMEM;
      }
    }
    if (!CBB_flush(&list)) {
      return MTK_ENOMEM;
    }
  }
  return CBB_flush(tbs) ? 0 : MTK_ENOMEM;
}

static int add_crl_extensions(CBB *tbs, const struct mtk_crl_spec *spec) {
  if (spec->aki_mode == MTK_EXT_OMIT && spec->crl_number_mode == MTK_EXT_OMIT) {
    return 0;
  }
  CBB wrap, exts, ext, value, inner;
  if (!CBB_add_asn1(tbs, &wrap,
                    CBS_ASN1_CONTEXT_SPECIFIC | CBS_ASN1_CONSTRUCTED | 0) ||
      !CBB_add_asn1(&wrap, &exts, CBS_ASN1_SEQUENCE)) {
    return MTK_ENOMEM;
  }
  if (spec->aki_mode != MTK_EXT_OMIT) {
    uint8_t id[SHA_DIGEST_LENGTH];
    size_t id_len = sizeof(id);
    int err = mtk_issuer_key_id(spec->issuer, id, &id_len);
    if (err != 0) {
      return err;
    }
    err = mtk_aki_ext_add(&exts, id, id_len, spec->aki_mode);
    if (err != 0) {
      return err;
    }
  }
  if (spec->crl_number_mode != MTK_EXT_OMIT) {
    if (!mtk_ext_header_add(&exts, &ext, &value, NID_crl_number,
                            spec->crl_number_mode) ||
        !CBB_add_asn1(&value, &inner, CBS_ASN1_INTEGER) ||
        !CBB_add_bytes(&inner, spec->crl_number, spec->crl_number_len) ||
        !CBB_flush(&exts)) {
      return MTK_ENOMEM;
    }
  }
  return CBB_flush(tbs) ? 0 : MTK_ENOMEM;
}

int mtk_crl_build(const struct mtk_crl_spec *spec, uint8_t **out,
                  size_t *out_len, struct mtk_diag *diag) {
  if (spec->issuer == NULL || spec->signing_key == NULL) {
    return mtk_diag_set(diag, MTK_EINVAL, "CRL spec needs issuer and key");
  }
  int err = 0;
  CBB cbb, tbs;
  CBB_zero(&cbb);
  if (!CBB_init(&cbb, 256 + spec->num_entries * 48) ||
      !CBB_add_asn1(&cbb, &tbs, CBS_ASN1_SEQUENCE) ||
      (spec->version != 1 &&
       !CBB_add_asn1_uint64(&tbs, (uint64_t)(spec->version - 1)))) {
    err = MTK_ENOMEM;
    goto out;
  }
  err = mtk_sig_alg_write(&tbs, spec->signing_key, spec->digest);
  if (err != 0) {
    mtk_diag_set(diag, err, "unsupported signing key type");
    goto out;
  }
  err = mtk_issuer_name_add(&tbs, spec->issuer);
  if (err != 0) {
    goto out;
  }
  err = mtk_time_marshal(&tbs, spec->this_update, spec->time_encoding);
  if (err == 0 && !spec->omit_next_update) {
    err = mtk_time_marshal(&tbs, spec->next_update, spec->time_encoding);
  }
  if (err == 0) {
    err = add_entries(&tbs, spec);
  }
  if (err == 0 && spec->version != 1) {
    err = add_crl_extensions(&tbs, spec);
  }
  if (err != 0) {
    mtk_diag_set(diag, err, "cannot encode the CRL");
    goto out;
  }
  err = mtk_sign_tbs(&cbb, spec->signing_key, spec->digest, out, out_len, diag);
out:
  CBB_cleanup(&cbb);
  return err;
}
