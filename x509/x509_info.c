// A certificate's fields as text (see x509_info.h).
#include "mtlskit/x509_info.h"

#include <arpa/inet.h>
#include <openssl/digest.h>
#include <openssl/ec.h>
#include <openssl/ec_key.h>
#include <openssl/evp.h>
#include <openssl/mem.h>
#include <openssl/nid.h>
#include <openssl/obj.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>

#include "mtlskit/x509_cert.h"
#include "mtlskit/x509_time.h"

// The keyUsage bits in openssl's words and order (RFC 5280 4.2.1.3).
static const struct {
  unsigned bit;
  const char *name;
} key_usages[] = {
    {KU_DIGITAL_SIGNATURE, "Digital Signature"},
    {KU_NON_REPUDIATION, "Non Repudiation"},
    {KU_KEY_ENCIPHERMENT, "Key Encipherment"},
    {KU_DATA_ENCIPHERMENT, "Data Encipherment"},
    {KU_KEY_AGREEMENT, "Key Agreement"},
    {KU_KEY_CERT_SIGN, "Certificate Sign"},
    {KU_CRL_SIGN, "CRL Sign"},
    {KU_ENCIPHER_ONLY, "Encipher Only"},
    {KU_DECIPHER_ONLY, "Decipher Only"},
};

static void hex_colons(const uint8_t *in, size_t len, char *out) {
  static const char digits[] = "0123456789ABCDEF";
  for (size_t i = 0; i < len; i++) {
    out[3 * i] = digits[in[i] >> 4];
    out[3 * i + 1] = digits[in[i] & 15];
    out[3 * i + 2] = i + 1 < len ? ':' : '\0';
  }
}

static int fingerprints(X509 *cert, struct mtk_cert_info *out) {
  uint8_t md[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  if (!X509_digest(cert, EVP_sha256(), md, &len)) {
    return MTK_ENOMEM;
  }
  hex_colons(md, len, out->sha256);
  if (!X509_digest(cert, EVP_sha1(), md, &len)) {
    return MTK_ENOMEM;
  }
  hex_colons(md, len, out->sha1);
  return 0;
}

// san_text formats one GeneralName; NULL on allocation failure.
static char *san_text(const GENERAL_NAME *gn) {
  char buf[512];
  const ASN1_STRING *s = NULL;
  const char *prefix = NULL;
  switch (gn->type) {
    case GEN_DNS:
      s = gn->d.dNSName, prefix = "DNS:";
      break;
    case GEN_EMAIL:
      s = gn->d.rfc822Name, prefix = "email:";
      break;
    case GEN_URI:
      s = gn->d.uniformResourceIdentifier, prefix = "URI:";
      break;
    case GEN_IPADD: {
      const ASN1_OCTET_STRING *ip = gn->d.iPAddress;
      char addr[INET6_ADDRSTRLEN] = "?";
      int len = ASN1_STRING_length(ip);
      if (len == 4 || len == 16) {
        inet_ntop(len == 4 ? AF_INET : AF_INET6, ASN1_STRING_get0_data(ip),
                  addr, sizeof(addr));
      }
      snprintf(buf, sizeof(buf), "IP:%s", addr);
      return OPENSSL_strdup(buf);
    }
    default:
      return OPENSSL_strdup("othername");
  }
  snprintf(buf, sizeof(buf), "%s%.*s", prefix, ASN1_STRING_length(s),
           (const char *)ASN1_STRING_get0_data(s));
  return OPENSSL_strdup(buf);
}

static int sans(X509 *cert, struct mtk_cert_info *out) {
  GENERAL_NAMES *names =
      X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
  int err = 0;
  for (size_t i = 0; names != NULL && i < sk_GENERAL_NAME_num(names) &&
                     out->num_sans < MTK_INFO_MAX_ITEMS;
       i++) {
    char *t = san_text(sk_GENERAL_NAME_value(names, i));
    if (t == NULL) {
      err = MTK_ENOMEM;
      break;
    }
    out->sans[out->num_sans++] = t;
  }
  GENERAL_NAMES_free(names);
  return err;
}

static int ekus(X509 *cert, struct mtk_cert_info *out) {
  EXTENDED_KEY_USAGE *eku =
      X509_get_ext_d2i(cert, NID_ext_key_usage, NULL, NULL);
  int err = 0;
  for (size_t i = 0; eku != NULL && i < sk_ASN1_OBJECT_num(eku) &&
                     out->num_eku < MTK_INFO_MAX_ITEMS;
       i++) {
    char buf[128];
    const ASN1_OBJECT *obj = sk_ASN1_OBJECT_value(eku, i);
    int nid = OBJ_obj2nid(obj);
    if (nid != NID_undef) {
      snprintf(buf, sizeof(buf), "%s", OBJ_nid2sn(nid));
    } else if (OBJ_obj2txt(buf, sizeof(buf), obj, 1) < 0) {
      snprintf(buf, sizeof(buf), "?");
    }
    if ((out->eku[out->num_eku] = OPENSSL_strdup(buf)) == NULL) {
      err = MTK_ENOMEM;
      break;
    }
    out->num_eku++;
  }
  EXTENDED_KEY_USAGE_free(eku);
  return err;
}

static void key_info(X509 *cert, struct mtk_cert_info *out) {
  EVP_PKEY *key = X509_get_pubkey(cert);
  snprintf(out->key_type, sizeof(out->key_type), "unknown");
  if (key == NULL) {
    return;
  }
  out->key_bits = (unsigned)EVP_PKEY_bits(key);
  switch (EVP_PKEY_id(key)) {
    case EVP_PKEY_RSA:
      snprintf(out->key_type, sizeof(out->key_type), "RSA");
      break;
    case EVP_PKEY_ED25519:
      snprintf(out->key_type, sizeof(out->key_type), "Ed25519");
      break;
    case EVP_PKEY_EC: {
      snprintf(out->key_type, sizeof(out->key_type), "EC");
      const EC_GROUP *g = EC_KEY_get0_group(EVP_PKEY_get0_EC_KEY(key));
      int nid = g != NULL ? EC_GROUP_get_curve_name(g) : NID_undef;
      const char *curve = nid == NID_X9_62_prime256v1 ? "P-256"
                          : nid == NID_secp384r1      ? "P-384"
                          : nid == NID_secp521r1      ? "P-521"
                                                      : "";
      snprintf(out->key_curve, sizeof(out->key_curve), "%s", curve);
      break;
    }
    default:
      break;
  }
  EVP_PKEY_free(key);
}

static int asn1_time(const ASN1_TIME *t, time_t *out) {
  return mtk_time_parse((const char *)ASN1_STRING_get0_data(t),
                        (size_t)ASN1_STRING_length(t), out);
}

int mtk_cert_info_get(X509 *cert, struct mtk_cert_info *out) {
  memset(out, 0, sizeof(*out));
  out->subject = X509_NAME_oneline(X509_get_subject_name(cert), NULL, 0);
  out->issuer = X509_NAME_oneline(X509_get_issuer_name(cert), NULL, 0);
  if (out->subject == NULL || out->issuer == NULL) {
    return MTK_ENOMEM;
  }
  if (mtk_cert_serial_hex(cert, out->serial, sizeof(out->serial)) != 0) {
    snprintf(out->serial, sizeof(out->serial), "?");
  }
  if (asn1_time(X509_get0_notBefore(cert), &out->not_before) != 0 ||
      asn1_time(X509_get0_notAfter(cert), &out->not_after) != 0) {
    out->not_before = out->not_after = 0;
  }
  uint32_t ku = X509_get_key_usage(cert);
  if (ku != UINT32_MAX) {
    for (size_t i = 0; i < sizeof(key_usages) / sizeof(key_usages[0]); i++) {
      if (ku & key_usages[i].bit) {
        out->key_usage[out->num_key_usage++] = key_usages[i].name;
      }
    }
  }
  out->is_ca = (X509_get_extension_flags(cert) & EXFLAG_CA) != 0;
  key_info(cert, out);
  int err = fingerprints(cert, out);
  if (err == 0) {
    err = sans(cert, out);
  }
  if (err == 0) {
    err = ekus(cert, out);
  }
  return err;
}

void mtk_cert_info_cleanup(struct mtk_cert_info *info) {
  OPENSSL_free(info->subject);
  OPENSSL_free(info->issuer);
  for (size_t i = 0; i < info->num_sans; i++) {
    OPENSSL_free(info->sans[i]);
  }
  for (size_t i = 0; i < info->num_eku; i++) {
    OPENSSL_free(info->eku[i]);
  }
  memset(info, 0, sizeof(*info));
}
