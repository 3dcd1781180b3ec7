#include "mtlskit/x509_cert.h"

#include <ctype.h>
#include <openssl/bytestring.h>
#include <openssl/err.h>
#include <openssl/mem.h>
#include <openssl/nid.h>
#include <openssl/obj.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "x509_internal.h"

void mtk_cert_spec_init(struct mtk_cert_spec *spec,
                        enum mtk_cert_profile profile,
                        const EVP_PKEY *public_key) {
  memset(spec, 0, sizeof(*spec));
  spec->version = 3;
  spec->digest = MTK_DIGEST_DEFAULT;
  spec->time_encoding = MTK_TIME_AUTO;
  spec->pathlen = -1;
  spec->basic_constraints_mode = MTK_EXT_CRITICAL;
  spec->key_usage_mode = MTK_EXT_CRITICAL;
  spec->ski_mode = MTK_EXT_NONCRITICAL;
  spec->aki_mode = MTK_EXT_NONCRITICAL;
  spec->san_mode = MTK_EXT_NONCRITICAL;
  if (profile == MTK_PROFILE_CA) {
    spec->basic_constraints = MTK_BC_CA;
    spec->key_usage =
        MTK_KU_DIGITAL_SIGNATURE | MTK_KU_KEY_CERT_SIGN | MTK_KU_CRL_SIGN;
    spec->eku_mode = MTK_EXT_OMIT;
    return;
  }
  spec->basic_constraints = MTK_BC_LEAF;
  spec->key_usage = MTK_KU_DIGITAL_SIGNATURE | MTK_KU_NON_REPUDIATION;
  if (public_key != NULL && mtk_key_is_rsa(public_key)) {
    spec->key_usage |= MTK_KU_KEY_ENCIPHERMENT;
  }
  spec->eku_mode = MTK_EXT_NONCRITICAL;
  spec->eku =
      profile == MTK_PROFILE_SERVER ? MTK_EKU_SERVER_AUTH : MTK_EKU_CLIENT_AUTH;
}

int mtk_cert_profile_from_name(const char *name, enum mtk_cert_profile *out) {
  if (strcmp(name, "client") == 0) {
    *out = MTK_PROFILE_CLIENT;
  } else if (strcmp(name, "server") == 0) {
    *out = MTK_PROFILE_SERVER;
  } else if (strcmp(name, "ca") == 0) {
    *out = MTK_PROFILE_CA;
  } else {
    return MTK_EPARSE;
  }
  return 0;
}

int mtk_serial_random(uint8_t *out, size_t *out_len) {
  if (!RAND_bytes(out, 16)) {
    return MTK_ECRYPTO;
  }
  // Positive and exactly 16 octets: clear the sign bit, and keep the first
  // byte non-zero so the encoding is minimal without stripping.
  out[0] &= 0x7f;
  if (out[0] == 0) {
    out[0] = 0x01;
  }
  *out_len = 16;
  return 0;
}

int mtk_serial_hex(const uint8_t *serial, size_t len, char *out,
                   size_t out_len) {
  while (len > 1 && serial[0] == 0) {
    serial++;
    len--;
  }
  if (out_len < 2 * len + 3) {
    return MTK_ERANGE;
  }
  static const char hex[] = "0123456789ABCDEF";
  if (len == 0) {
    snprintf(out, out_len, "00");
    return 0;
  }
  for (size_t i = 0; i < len; i++) {
    out[2 * i] = hex[serial[i] >> 4];
    out[2 * i + 1] = hex[serial[i] & 15];
  }
  out[2 * len] = '\0';
  return 0;
}

int mtk_serial_from_hex(const char *hex, uint8_t *out, size_t out_cap,
                        size_t *out_len) {
  size_t n = strlen(hex);
  if (n == 0) {
    return MTK_EPARSE;
  }
  for (size_t i = 0; i < n; i++) {
    if (!isxdigit((unsigned char)hex[i])) {
      return MTK_EPARSE;
    }
  }
  while (n > 1 && hex[0] == '0') {
    hex++;
    n--;
  }
  if (n > 2 * MTK_SERIAL_MAX) {
    return MTK_EPARSE;
  }
  char padded[2 * MTK_SERIAL_MAX + 2];
  snprintf(padded, sizeof(padded), "%s%s", n % 2 == 1 ? "0" : "", hex);
  size_t num = (n + 1) / 2;
  uint8_t buf[MTK_SERIAL_MAX];
  for (size_t i = 0; i < num; i++) {
    char pair[3] = {padded[2 * i], padded[2 * i + 1], 0};
    buf[i] = (uint8_t)strtoul(pair, NULL, 16);
  }
  size_t off = 0;
  if (buf[0] & 0x80) {
    off = 1;
  }
  if (num + off > out_cap) {
    return MTK_EPARSE;
  }
  if (off) {
    out[0] = 0;
  }
  memcpy(out + off, buf, num);
  *out_len = num + off;
  return 0;
}

int mtk_ext_header_add(CBB *exts, CBB *ext, CBB *value, int nid,
                       enum mtk_ext_mode mode) {
  return CBB_add_asn1(exts, ext, CBS_ASN1_SEQUENCE) && OBJ_nid2cbb(ext, nid) &&
         (mode != MTK_EXT_CRITICAL || CBB_add_asn1_bool(ext, 1)) &&
         CBB_add_asn1(ext, value, CBS_ASN1_OCTETSTRING);
}

// add_bit_string writes |bits| (bit 0 first) as a DER named-bit BIT STRING:
// trailing zero bits are dropped and the unused-bits count says so.
static int add_named_bits(CBB *cbb, unsigned bits) {
  CBB bs;
  uint8_t bytes[2] = {0, 0};
  for (unsigned i = 0; i < 16; i++) {
    if (bits & (1u << i)) {
      bytes[i / 8] |= (uint8_t)(0x80 >> (i % 8));
    }
  }
  size_t len = bytes[1] != 0 ? 2 : bytes[0] != 0 ? 1 : 0;
  uint8_t unused = 0;
  if (len > 0) {
    uint8_t last = bytes[len - 1];
    while (unused < 8 && !(last & (1u << unused))) {
      unused++;
    }
  }
  return CBB_add_asn1(cbb, &bs, CBS_ASN1_BITSTRING) &&
         CBB_add_u8(&bs, unused) && CBB_add_bytes(&bs, bytes, len) &&
         CBB_flush(cbb);
}

static const int eku_nids[] = {
    NID_server_auth,   NID_client_auth, NID_code_sign,
    NID_email_protect, NID_OCSP_sign,   NID_anyExtendedKeyUsage,
};

int mtk_issuer_key_id(X509 *issuer, uint8_t out[SHA_DIGEST_LENGTH],
                      size_t *out_len) {
  const ASN1_OCTET_STRING *ski = X509_get0_subject_key_id(issuer);
  if (ski != NULL && ASN1_STRING_length(ski) > 0 &&
      ASN1_STRING_length(ski) <= SHA_DIGEST_LENGTH) {
    *out_len = (size_t)ASN1_STRING_length(ski);
    memcpy(out, ASN1_STRING_get0_data(ski), *out_len);
    return 0;
  }
  EVP_PKEY *pub = X509_get_pubkey(issuer);
  if (pub == NULL) {
    return MTK_ECRYPTO;
  }
  int err = mtk_key_id(pub, out);
  EVP_PKEY_free(pub);
  *out_len = SHA_DIGEST_LENGTH;
  return err;
}

int mtk_aki_ext_add(CBB *exts, const uint8_t *id, size_t id_len,
                    enum mtk_ext_mode mode) {
  CBB ext, value, seq, key_id;
  if (!mtk_ext_header_add(exts, &ext, &value, NID_authority_key_identifier,
                          mode) ||
      !CBB_add_asn1(&value, &seq, CBS_ASN1_SEQUENCE) ||
      !CBB_add_asn1(&seq, &key_id, CBS_ASN1_CONTEXT_SPECIFIC | 0) ||
      !CBB_add_bytes(&key_id, id, id_len) || !CBB_flush(exts)) {
    return MTK_ENOMEM;
  }
  return 0;
}

int mtk_issuer_name_add(CBB *cbb, X509 *issuer) {
  uint8_t *der = NULL;
  int len = i2d_X509_NAME(X509_get_subject_name(issuer), &der);
  int ok = len > 0 && CBB_add_bytes(cbb, der, (size_t)len);
  OPENSSL_free(der);
  return ok ? 0 : MTK_ENOMEM;
}

static int add_extensions(CBB *tbs, const struct mtk_cert_spec *spec) {
  CBB wrap, exts, ext, value, inner;
  int any = spec->basic_constraints_mode != MTK_EXT_OMIT ||
            spec->key_usage_mode != MTK_EXT_OMIT ||
            spec->eku_mode != MTK_EXT_OMIT || spec->ski_mode != MTK_EXT_OMIT ||
            spec->aki_mode != MTK_EXT_OMIT ||
            (spec->san_mode != MTK_EXT_OMIT && spec->san != NULL &&
             spec->san->num > 0) ||
            spec->num_extra > 0;
  if (!any) {
    return 0;
  }
  if (!CBB_add_asn1(tbs, &wrap,
                    CBS_ASN1_CONTEXT_SPECIFIC | CBS_ASN1_CONSTRUCTED | 3) ||
      !CBB_add_asn1(&wrap, &exts, CBS_ASN1_SEQUENCE)) {
    return MTK_ENOMEM;
  }
  if (spec->basic_constraints_mode != MTK_EXT_OMIT) {
    if (!mtk_ext_header_add(&exts, &ext, &value, NID_basic_constraints,
                            spec->basic_constraints_mode) ||
        !CBB_add_asn1(&value, &inner, CBS_ASN1_SEQUENCE) ||
        (spec->basic_constraints == MTK_BC_CA &&
         (!CBB_add_asn1_bool(&inner, 1) ||
          (spec->pathlen >= 0 &&
           !CBB_add_asn1_uint64(&inner, (uint64_t)spec->pathlen)))) ||
        !CBB_flush(&exts)) {
      return MTK_ENOMEM;
    }
  }
  if (spec->key_usage_mode != MTK_EXT_OMIT) {
    if (!mtk_ext_header_add(&exts, &ext, &value, NID_key_usage,
                            spec->key_usage_mode) ||
        !add_named_bits(&value, spec->key_usage) || !CBB_flush(&exts)) {
      return MTK_ENOMEM;
    }
  }
  if (spec->eku_mode != MTK_EXT_OMIT) {
    if (!mtk_ext_header_add(&exts, &ext, &value, NID_ext_key_usage,
                            spec->eku_mode) ||
        !CBB_add_asn1(&value, &inner, CBS_ASN1_SEQUENCE)) {
      return MTK_ENOMEM;
    }
    for (size_t i = 0; i < sizeof(eku_nids) / sizeof(eku_nids[0]); i++) {
      if ((spec->eku & (1u << i)) && !OBJ_nid2cbb(&inner, eku_nids[i])) {
        return MTK_ENOMEM;
      }
    }
    if (!CBB_flush(&exts)) {
      return MTK_ENOMEM;
    }
  }
  if (spec->ski_mode != MTK_EXT_OMIT) {
    uint8_t id[SHA_DIGEST_LENGTH];
    if ((spec->public_key_der != NULL
             ? mtk_spki_key_id(spec->public_key_der, spec->public_key_der_len,
                               id)
             : mtk_key_id(spec->public_key, id)) != 0) {
      return MTK_ECRYPTO;
    }
    if (!mtk_ext_header_add(&exts, &ext, &value, NID_subject_key_identifier,
                            spec->ski_mode) ||
        !CBB_add_asn1(&value, &inner, CBS_ASN1_OCTETSTRING) ||
        !CBB_add_bytes(&inner, id, sizeof(id)) || !CBB_flush(&exts)) {
      return MTK_ENOMEM;
    }
  }
  if (spec->aki_mode != MTK_EXT_OMIT) {
    uint8_t id[SHA_DIGEST_LENGTH];
    size_t id_len = sizeof(id);
    int err = spec->issuer != NULL
                  ? mtk_issuer_key_id(spec->issuer, id, &id_len)
                  : mtk_key_id(spec->signing_key, id);
    if (err != 0) {
      return err;
    }
    err = mtk_aki_ext_add(&exts, id, id_len, spec->aki_mode);
    if (err != 0) {
      return err;
    }
  }
  if (spec->san_mode != MTK_EXT_OMIT && spec->san != NULL &&
      spec->san->num > 0) {
    if (!mtk_ext_header_add(&exts, &ext, &value, NID_subject_alt_name,
                            spec->san_mode) ||
        mtk_san_marshal(&value, spec->san) != 0 || !CBB_flush(&exts)) {
      return MTK_ENOMEM;
    }
  }
  for (size_t i = 0; i < spec->num_extra; i++) {
    const struct mtk_raw_ext *x = &spec->extra[i];
    // CBB_add_asn1_oid_from_text writes only the OID's contents: the
    // OBJECT IDENTIFIER framing is ours to add.
    CBB oid;
    if (!CBB_add_asn1(&exts, &ext, CBS_ASN1_SEQUENCE) ||
        !CBB_add_asn1(&ext, &oid, CBS_ASN1_OBJECT) ||
        !CBB_add_asn1_oid_from_text(&oid, x->oid, strlen(x->oid)) ||
        (x->critical && !CBB_add_asn1_bool(&ext, 1)) ||
        !CBB_add_asn1(&ext, &value, CBS_ASN1_OCTETSTRING) ||
        !CBB_add_bytes(&value, x->value, x->value_len) || !CBB_flush(&exts)) {
      return MTK_EINVAL;
    }
  }
  return CBB_flush(tbs) ? 0 : MTK_ENOMEM;
}

int mtk_cert_build(struct mtk_cert_spec *spec, uint8_t **out, size_t *out_len,
                   struct mtk_diag *diag) {
  if (spec->subject == NULL || spec->public_key == NULL ||
      spec->signing_key == NULL) {
    return mtk_diag_set(diag, MTK_EINVAL,
                        "certificate spec needs a subject and keys");
  }
  int err = 0;
  CBB cbb, tbs, child;
  CBB_zero(&cbb);
  if (spec->serial_len == 0) {
    err = mtk_serial_random(spec->serial, &spec->serial_len);
    if (err != 0) {
      return mtk_diag_set(diag, err, "cannot generate a serial number");
    }
  }
  if (!CBB_init(&cbb, 1024) || !CBB_add_asn1(&cbb, &tbs, CBS_ASN1_SEQUENCE)) {
    err = MTK_ENOMEM;
    goto out;
  }
  if (spec->version != 1) {
    CBB ver;
    if (!CBB_add_asn1(&tbs, &ver,
                      CBS_ASN1_CONTEXT_SPECIFIC | CBS_ASN1_CONSTRUCTED | 0) ||
        !CBB_add_asn1_uint64(&ver, (uint64_t)(spec->version - 1))) {
      err = MTK_ENOMEM;
      goto out;
    }
  }
  if (!CBB_add_asn1(&tbs, &child, CBS_ASN1_INTEGER) ||
      !CBB_add_bytes(&child, spec->serial, spec->serial_len) ||
      !CBB_flush(&tbs)) {
    err = MTK_ENOMEM;
    goto out;
  }
  err = mtk_sig_alg_write(&tbs, spec->signing_key, spec->digest);
  if (err != 0) {
    mtk_diag_set(diag, err, "unsupported signing key type");
    goto out;
  }
  if (spec->issuer != NULL) {
    err = mtk_issuer_name_add(&tbs, spec->issuer);
  } else {
    err = mtk_dn_marshal(
        &tbs, spec->issuer_name != NULL ? spec->issuer_name : spec->subject);
  }
  if (err != 0) {
    goto out;
  }
  if (!CBB_add_asn1(&tbs, &child, CBS_ASN1_SEQUENCE)) {
    err = MTK_ENOMEM;
    goto out;
  }
  err = mtk_time_marshal(&child, spec->not_before, spec->time_encoding);
  if (err == 0) {
    err = mtk_time_marshal(&child, spec->not_after, spec->time_encoding);
  }
  if (err != 0) {
    mtk_diag_set(diag, err, "validity time out of range");
    goto out;
  }
  if (!CBB_flush(&tbs)) {
    err = MTK_ENOMEM;
    goto out;
  }
  err = mtk_dn_marshal(&tbs, spec->subject);
  if (err != 0) {
    goto out;
  }
  if (spec->public_key_der != NULL
          ? !CBB_add_bytes(&tbs, spec->public_key_der, spec->public_key_der_len)
          : !EVP_marshal_public_key(&tbs, spec->public_key)) {
    err =
        mtk_crypto_diag(diag, MTK_EUNSUPPORTED, "cannot encode the public key");
    goto out;
  }
  if (spec->version != 1) {
    err = add_extensions(&tbs, spec);
    if (err != 0) {
      mtk_diag_set(diag, err, "cannot encode the extensions");
      goto out;
    }
  }
  err = mtk_sign_tbs(&cbb, spec->signing_key, spec->digest, out, out_len, diag);
out:
  CBB_cleanup(&cbb);
  return err;
}

int mtk_cert_parse(const uint8_t *der, size_t der_len, X509 **out) {
  const uint8_t *p = der;
  X509 *x = d2i_X509(NULL, &p, (long)der_len);
  if (x == NULL || p != der + der_len) {
    X509_free(x);
    ERR_clear_error();
    return MTK_EPARSE;
  }
  *out = x;
  return 0;
}

int mtk_cert_serial_hex(const X509 *cert, char *out, size_t out_len) {
  const ASN1_INTEGER *s = X509_get0_serialNumber(cert);
  return mtk_serial_hex(ASN1_STRING_get0_data(s), (size_t)ASN1_STRING_length(s),
                        out, out_len);
}
