#include "mtlskit/p12.h"

#include <openssl/bytestring.h>
#include <openssl/cipher.h>
#include <openssl/digest.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/mem.h>
#include <openssl/nid.h>
#include <openssl/obj.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>

#include "mtlskit/x509_key.h"

int mtk_p12_profile_from_name(const char *name, enum mtk_p12_profile *out) {
  if (strcmp(name, "compat") == 0) {
    *out = MTK_P12_COMPAT;
  } else if (strcmp(name, "modern") == 0) {
    *out = MTK_P12_MODERN;
  } else {
    return MTK_EPARSE;
  }
  return 0;
}

const char *mtk_p12_profile_name(enum mtk_p12_profile profile) {
  return profile == MTK_P12_MODERN ? "modern" : "compat";
}

// to_bmp converts a UTF-8 password to the BMPString form the PKCS#12 KDF
// uses (RFC 7292 B.1): UTF-16BE with a two-byte NUL terminator. Bytes that
// are not valid UTF-8 are taken as Latin-1, as OpenSSL does.
static int to_bmp(const char *pass, size_t len, uint8_t **out,
                  size_t *out_len) {
  uint8_t *buf = malloc(2 * len + 2);
  if (buf == NULL) {
    return MTK_ENOMEM;
  }
  size_t n = 0;
  const uint8_t *p = (const uint8_t *)pass;
  for (size_t i = 0; i < len;) {
    uint32_t c = p[i];
    size_t extra = 0;
    if (c >= 0xc0 && c < 0xe0 && i + 1 < len && (p[i + 1] & 0xc0) == 0x80) {
      c = ((c & 0x1f) << 6) | (p[i + 1] & 0x3f);
      extra = 1;
    } else if (c >= 0xe0 && c < 0xf0 && i + 2 < len &&
               (p[i + 1] & 0xc0) == 0x80 && (p[i + 2] & 0xc0) == 0x80) {
      c = ((c & 0x0f) << 12) | ((uint32_t)(p[i + 1] & 0x3f) << 6) |
          (p[i + 2] & 0x3f);
      extra = 2;
    }
    buf[n++] = (uint8_t)(c >> 8);
    buf[n++] = (uint8_t)c;
    i += extra + 1;
  }
  buf[n++] = 0;
  buf[n++] = 0;
  *out = buf;
  *out_len = n;
  return 0;
}

// pkcs12_kdf is the key derivation of RFC 7292 appendix B.2.
static int pkcs12_kdf(const EVP_MD *md, const uint8_t *pass, size_t pass_len,
                      const uint8_t *salt, size_t salt_len, uint8_t id,
                      unsigned iterations, uint8_t *out, size_t out_len) {
  size_t u = EVP_MD_size(md), v = EVP_MD_block_size(md);
  size_t s_len = v * ((salt_len + v - 1) / v);
  size_t p_len = v * ((pass_len + v - 1) / v);
  size_t i_len = s_len + p_len;
  uint8_t *I = malloc(i_len + 1);
  uint8_t D[128], A[EVP_MAX_MD_SIZE], B[128];
  int ok = 0;
  if (I == NULL || v > sizeof(D)) {
    goto out;
  }
  memset(D, id, v);
  for (size_t i = 0; i < s_len; i++) {
    I[i] = salt[i % salt_len];
  }
  for (size_t i = 0; i < p_len; i++) {
    I[s_len + i] = pass[i % pass_len];
  }
  for (;;) {
    EVP_MD_CTX ctx;
    EVP_MD_CTX_init(&ctx);
    unsigned a_len;
    int r = EVP_DigestInit_ex(&ctx, md, NULL) && EVP_DigestUpdate(&ctx, D, v) &&
            EVP_DigestUpdate(&ctx, I, i_len) &&
            EVP_DigestFinal_ex(&ctx, A, &a_len);
    for (unsigned k = 1; r && k < iterations; k++) {
      r = EVP_DigestInit_ex(&ctx, md, NULL) && EVP_DigestUpdate(&ctx, A, u) &&
          EVP_DigestFinal_ex(&ctx, A, &a_len);
    }
    EVP_MD_CTX_cleanup(&ctx);
    if (!r) {
      goto out;
    }
    size_t take = out_len < u ? out_len : u;
    memcpy(out, A, take);
    out += take;
    out_len -= take;
    if (out_len == 0) {
      break;
    }
    for (size_t k = 0; k < v; k++) {
      B[k] = A[k % u];
    }
    // I_j = (I_j + B + 1) mod 2^(8v) for each v-byte block of I.
    for (size_t j = 0; j < i_len; j += v) {
      unsigned carry = 1;
      for (size_t k = v; k-- > 0;) {
        carry += (unsigned)I[j + k] + B[k];
        I[j + k] = (uint8_t)carry;
        carry >>= 8;
      }
    }
  }
  ok = 1;
out:
  if (I != NULL) {
    OPENSSL_cleanse(I, i_len);
  }
  free(I);
  OPENSSL_cleanse(A, sizeof(A));
  return ok ? 0 : MTK_ECRYPTO;
}

struct pbe_ctx {
  enum mtk_p12_profile profile;
  const char *pass;  // UTF-8 (PBES2 uses it as is)
  size_t pass_len;
  const uint8_t *bmp;  // BMPString form (PKCS#12 KDF)
  size_t bmp_len;
};

static int cipher_run(const EVP_CIPHER *cipher, const uint8_t *key,
                      const uint8_t *iv, const uint8_t *in, size_t in_len,
                      uint8_t **out, size_t *out_len) {
  EVP_CIPHER_CTX ctx;
  EVP_CIPHER_CTX_init(&ctx);
  uint8_t *buf = OPENSSL_malloc(in_len + EVP_MAX_BLOCK_LENGTH);
  int n1 = 0, n2 = 0;
  int ok = buf != NULL && EVP_EncryptInit_ex(&ctx, cipher, NULL, key, iv) &&
           EVP_EncryptUpdate(&ctx, buf, &n1, in, (int)in_len) &&
           EVP_EncryptFinal_ex(&ctx, buf + n1, &n2);
  EVP_CIPHER_CTX_cleanup(&ctx);
  if (!ok) {
    OPENSSL_free(buf);
    return MTK_ECRYPTO;
  }
  *out = buf;
  *out_len = (size_t)n1 + (size_t)n2;
  return 0;
}

// pbe_encrypt encrypts |in| per the profile, appends the
// AlgorithmIdentifier describing it to |alg_parent| and returns the
// ciphertext in *out (OPENSSL_free).
static int pbe_encrypt(const struct pbe_ctx *pc, CBB *alg_parent,
                       const uint8_t *in, size_t in_len, uint8_t **out,
                       size_t *out_len) {
  CBB alg, params, kdf, kdf_params, s, prf, enc, ivs;
  if (pc->profile == MTK_P12_COMPAT) {
    uint8_t salt[8], key[24], iv[8];
    if (!RAND_bytes(salt, sizeof(salt)) ||
        pkcs12_kdf(EVP_sha1(), pc->bmp, pc->bmp_len, salt, sizeof(salt), 1,
                   MTK_P12_ITERATIONS, key, sizeof(key)) != 0 ||
        pkcs12_kdf(EVP_sha1(), pc->bmp, pc->bmp_len, salt, sizeof(salt), 2,
                   MTK_P12_ITERATIONS, iv, sizeof(iv)) != 0) {
      return MTK_ECRYPTO;
    }
    if (!CBB_add_asn1(alg_parent, &alg, CBS_ASN1_SEQUENCE) ||
        !OBJ_nid2cbb(&alg, NID_pbe_WithSHA1And3_Key_TripleDES_CBC) ||
        !CBB_add_asn1(&alg, &params, CBS_ASN1_SEQUENCE) ||
        !CBB_add_asn1(&params, &s, CBS_ASN1_OCTETSTRING) ||
        !CBB_add_bytes(&s, salt, sizeof(salt)) ||
        !CBB_add_asn1_uint64(&params, MTK_P12_ITERATIONS) ||
        !CBB_flush(alg_parent)) {
      return MTK_ENOMEM;
    }
    int err = cipher_run(EVP_des_ede3_cbc(), key, iv, in, in_len, out, out_len);
    OPENSSL_cleanse(key, sizeof(key));
    return err;
  }
  uint8_t salt[16], key[32], iv[16];
  if (!RAND_bytes(salt, sizeof(salt)) || !RAND_bytes(iv, sizeof(iv)) ||
      !PKCS5_PBKDF2_HMAC(pc->pass, pc->pass_len, salt, sizeof(salt),
                         MTK_P12_ITERATIONS, EVP_sha256(), sizeof(key), key)) {
    return MTK_ECRYPTO;
  }
  if (!CBB_add_asn1(alg_parent, &alg, CBS_ASN1_SEQUENCE) ||
      !OBJ_nid2cbb(&alg, NID_pbes2) ||
      !CBB_add_asn1(&alg, &params, CBS_ASN1_SEQUENCE) ||
      !CBB_add_asn1(&params, &kdf, CBS_ASN1_SEQUENCE) ||
      !OBJ_nid2cbb(&kdf, NID_id_pbkdf2) ||
      !CBB_add_asn1(&kdf, &kdf_params, CBS_ASN1_SEQUENCE) ||
      !CBB_add_asn1(&kdf_params, &s, CBS_ASN1_OCTETSTRING) ||
      !CBB_add_bytes(&s, salt, sizeof(salt)) ||
      !CBB_add_asn1_uint64(&kdf_params, MTK_P12_ITERATIONS) ||
      !CBB_add_asn1(&kdf_params, &prf, CBS_ASN1_SEQUENCE) ||
      !OBJ_nid2cbb(&prf, NID_hmacWithSHA256) ||
      !CBB_add_asn1(&prf, &s, CBS_ASN1_NULL) ||
      !CBB_add_asn1(&params, &enc, CBS_ASN1_SEQUENCE) ||
      !OBJ_nid2cbb(&enc, NID_aes_256_cbc) ||
      !CBB_add_asn1(&enc, &ivs, CBS_ASN1_OCTETSTRING) ||
      !CBB_add_bytes(&ivs, iv, sizeof(iv)) || !CBB_flush(alg_parent)) {
    return MTK_ENOMEM;
  }
  int err = cipher_run(EVP_aes_256_cbc(), key, iv, in, in_len, out, out_len);
  OPENSSL_cleanse(key, sizeof(key));
  return err;
}

// add_bag_attrs writes the bagAttributes SET: friendlyName (BMPString) and
// localKeyID.
static int add_bag_attrs(CBB *bag, const char *friendly_name,
                         const uint8_t *key_id, size_t key_id_len) {
  CBB attrs, attr, set, v;
  if (!CBB_add_asn1(bag, &attrs, CBS_ASN1_SET)) {
    return 0;
  }
  if (friendly_name != NULL) {
    uint8_t *bmp = NULL;
    size_t bmp_len = 0;
    if (to_bmp(friendly_name, strlen(friendly_name), &bmp, &bmp_len) != 0) {
      return 0;
    }
    int ok = CBB_add_asn1(&attrs, &attr, CBS_ASN1_SEQUENCE) &&
             OBJ_nid2cbb(&attr, NID_friendlyName) &&
             CBB_add_asn1(&attr, &set, CBS_ASN1_SET) &&
             CBB_add_asn1(&set, &v, CBS_ASN1_BMPSTRING) &&
             CBB_add_bytes(&v, bmp, bmp_len - 2) && CBB_flush(&attrs);
    free(bmp);
    if (!ok) {
      return 0;
    }
  }
  return CBB_add_asn1(&attrs, &attr, CBS_ASN1_SEQUENCE) &&
         OBJ_nid2cbb(&attr, NID_localKeyID) &&
         CBB_add_asn1(&attr, &set, CBS_ASN1_SET) &&
         CBB_add_asn1(&set, &v, CBS_ASN1_OCTETSTRING) &&
         CBB_add_bytes(&v, key_id, key_id_len) && CBB_flush(bag);
}

static int add_cert_bag(CBB *contents, X509 *cert, const char *friendly_name,
                        const uint8_t *key_id, size_t key_id_len) {
  uint8_t *der = NULL;
  int der_len = i2d_X509(cert, &der);
  if (der_len <= 0) {
    return 0;
  }
  CBB bag, wrap, certbag, w2, os;
  int ok = CBB_add_asn1(contents, &bag, CBS_ASN1_SEQUENCE) &&
           OBJ_nid2cbb(&bag, NID_certBag) &&
           CBB_add_asn1(&bag, &wrap,
                        CBS_ASN1_CONTEXT_SPECIFIC | CBS_ASN1_CONSTRUCTED | 0) &&
           CBB_add_asn1(&wrap, &certbag, CBS_ASN1_SEQUENCE) &&
           OBJ_nid2cbb(&certbag, NID_x509Certificate) &&
           CBB_add_asn1(&certbag, &w2,
                        CBS_ASN1_CONTEXT_SPECIFIC | CBS_ASN1_CONSTRUCTED | 0) &&
           CBB_add_asn1(&w2, &os, CBS_ASN1_OCTETSTRING) &&
           CBB_add_bytes(&os, der, (size_t)der_len) && CBB_flush(&bag) &&
           (key_id == NULL ||
            add_bag_attrs(&bag, friendly_name, key_id, key_id_len)) &&
           CBB_flush(contents);
  OPENSSL_free(der);
  return ok;
}

static int finish_cbb(CBB *cbb, uint8_t **out, size_t *out_len) {
  return CBB_finish(cbb, out, out_len) ? 0 : MTK_ENOMEM;
}

int mtk_p12_build(const char *password, size_t password_len,
                  const EVP_PKEY *key, X509 *cert, const STACK_OF(X509) * chain,
                  const char *friendly_name, enum mtk_p12_profile profile,
                  uint8_t **out, size_t *out_len, struct mtk_diag *diag) {
  int err = MTK_ENOMEM;
  uint8_t *bmp = NULL, *certs_der = NULL, *certs_ct = NULL, *p8 = NULL,
          *p8_ct = NULL, *keys_der = NULL, *auth_der = NULL;
  size_t bmp_len = 0, certs_len = 0, certs_ct_len = 0, p8_len = 0,
         p8_ct_len = 0, keys_len = 0, auth_len = 0;
  CBB cbb;
  CBB_zero(&cbb);
  uint8_t key_id[SHA_DIGEST_LENGTH];
  unsigned key_id_len = 0;
  if (!X509_digest(cert, EVP_sha1(), key_id, &key_id_len)) {
    return mtk_crypto_diag(diag, MTK_ECRYPTO, "cannot hash the certificate");
  }
  if (to_bmp(password, password_len, &bmp, &bmp_len) != 0) {
    return MTK_ENOMEM;
  }
  struct pbe_ctx pc = {profile, password, password_len, bmp, bmp_len};

  // SafeContents with the certificate bags, then encrypted.
  CBB contents;
  if (!CBB_init(&cbb, 4096) ||
      !CBB_add_asn1(&cbb, &contents, CBS_ASN1_SEQUENCE) ||
      !add_cert_bag(&contents, cert, friendly_name, key_id, key_id_len)) {
    goto out;
  }
  for (size_t i = 0; chain != NULL && i < sk_X509_num(chain); i++) {
    if (!add_cert_bag(&contents, sk_X509_value(chain, i), NULL, NULL, 0)) {
      goto out;
    }
  }
  if ((err = finish_cbb(&cbb, &certs_der, &certs_len)) != 0) {
    goto out;
  }

  // The shrouded key bag.
  if (!CBB_init(&cbb, 2048) || !EVP_marshal_private_key(&cbb, key) ||
      (err = finish_cbb(&cbb, &p8, &p8_len)) != 0) {
    err = mtk_crypto_diag(diag, MTK_ECRYPTO, "cannot encode the key");
    goto out;
  }
  CBB bag, wrap, epki, os;
  if (!CBB_init(&cbb, 2048) ||
      !CBB_add_asn1(&cbb, &contents, CBS_ASN1_SEQUENCE) ||
      !CBB_add_asn1(&contents, &bag, CBS_ASN1_SEQUENCE) ||
      !OBJ_nid2cbb(&bag, NID_pkcs8ShroudedKeyBag) ||
      !CBB_add_asn1(&bag, &wrap,
                    CBS_ASN1_CONTEXT_SPECIFIC | CBS_ASN1_CONSTRUCTED | 0) ||
      !CBB_add_asn1(&wrap, &epki, CBS_ASN1_SEQUENCE)) {
    err = MTK_ENOMEM;
    goto out;
  }
  if ((err = pbe_encrypt(&pc, &epki, p8, p8_len, &p8_ct, &p8_ct_len)) != 0) {
    mtk_crypto_diag(diag, err, "cannot encrypt the key");
    goto out;
  }
  if (!CBB_add_asn1(&epki, &os, CBS_ASN1_OCTETSTRING) ||
      !CBB_add_bytes(&os, p8_ct, p8_ct_len) || !CBB_flush(&bag) ||
      !add_bag_attrs(&bag, friendly_name, key_id, key_id_len) ||
      (err = finish_cbb(&cbb, &keys_der, &keys_len)) != 0) {
    err = MTK_ENOMEM;
    goto out;
  }

  // AuthenticatedSafe: [encryptedData(certs), data(key)].
  CBB auth, ci, ci_wrap, ed, eci, ct, data_os;
  if (!CBB_init(&cbb, certs_len + keys_len + 512) ||
      !CBB_add_asn1(&cbb, &auth, CBS_ASN1_SEQUENCE) ||
      !CBB_add_asn1(&auth, &ci, CBS_ASN1_SEQUENCE) ||
      !OBJ_nid2cbb(&ci, NID_pkcs7_encrypted) ||
      !CBB_add_asn1(&ci, &ci_wrap,
                    CBS_ASN1_CONTEXT_SPECIFIC | CBS_ASN1_CONSTRUCTED | 0) ||
      !CBB_add_asn1(&ci_wrap, &ed, CBS_ASN1_SEQUENCE) ||
      !CBB_add_asn1_uint64(&ed, 0) ||
      !CBB_add_asn1(&ed, &eci, CBS_ASN1_SEQUENCE) ||
      !OBJ_nid2cbb(&eci, NID_pkcs7_data)) {
    err = MTK_ENOMEM;
    goto out;
  }
  if ((err = pbe_encrypt(&pc, &eci, certs_der, certs_len, &certs_ct,
                         &certs_ct_len)) != 0) {
    mtk_crypto_diag(diag, err, "cannot encrypt the certificates");
    goto out;
  }
  if (!CBB_add_asn1(&eci, &ct, CBS_ASN1_CONTEXT_SPECIFIC | 0) ||
      !CBB_add_bytes(&ct, certs_ct, certs_ct_len) || !CBB_flush(&auth) ||
      !CBB_add_asn1(&auth, &ci, CBS_ASN1_SEQUENCE) ||
      !OBJ_nid2cbb(&ci, NID_pkcs7_data) ||
      !CBB_add_asn1(&ci, &ci_wrap,
                    CBS_ASN1_CONTEXT_SPECIFIC | CBS_ASN1_CONSTRUCTED | 0) ||
      !CBB_add_asn1(&ci_wrap, &data_os, CBS_ASN1_OCTETSTRING) ||
      !CBB_add_bytes(&data_os, keys_der, keys_len) ||
      (err = finish_cbb(&cbb, &auth_der, &auth_len)) != 0) {
    err = MTK_ENOMEM;
    goto out;
  }

  // MAC over the AuthenticatedSafe, then the PFX.
  const EVP_MD *mac_md = profile == MTK_P12_MODERN ? EVP_sha256() : EVP_sha1();
  uint8_t mac_salt[16], mac_key[EVP_MAX_MD_SIZE], mac[EVP_MAX_MD_SIZE];
  size_t mac_salt_len = profile == MTK_P12_MODERN ? 16 : 8;
  unsigned mac_len = 0;
  if (!RAND_bytes(mac_salt, mac_salt_len) ||
      pkcs12_kdf(mac_md, bmp, bmp_len, mac_salt, mac_salt_len, 3,
                 MTK_P12_ITERATIONS, mac_key, EVP_MD_size(mac_md)) != 0 ||
      HMAC(mac_md, mac_key, EVP_MD_size(mac_md), auth_der, auth_len, mac,
           &mac_len) == NULL) {
    err = mtk_crypto_diag(diag, MTK_ECRYPTO, "cannot compute the MAC");
    goto out;
  }
  OPENSSL_cleanse(mac_key, sizeof(mac_key));
  CBB pfx, macdata, digest_info, dalg, null, v;
  if (!CBB_init(&cbb, auth_len + 256) ||
      !CBB_add_asn1(&cbb, &pfx, CBS_ASN1_SEQUENCE) ||
      !CBB_add_asn1_uint64(&pfx, 3) ||
      !CBB_add_asn1(&pfx, &ci, CBS_ASN1_SEQUENCE) ||
      !OBJ_nid2cbb(&ci, NID_pkcs7_data) ||
      !CBB_add_asn1(&ci, &ci_wrap,
                    CBS_ASN1_CONTEXT_SPECIFIC | CBS_ASN1_CONSTRUCTED | 0) ||
      !CBB_add_asn1(&ci_wrap, &data_os, CBS_ASN1_OCTETSTRING) ||
      !CBB_add_bytes(&data_os, auth_der, auth_len) ||
      !CBB_add_asn1(&pfx, &macdata, CBS_ASN1_SEQUENCE) ||
      !CBB_add_asn1(&macdata, &digest_info, CBS_ASN1_SEQUENCE) ||
      !CBB_add_asn1(&digest_info, &dalg, CBS_ASN1_SEQUENCE) ||
      !OBJ_nid2cbb(&dalg, profile == MTK_P12_MODERN ? NID_sha256 : NID_sha1) ||
      !CBB_add_asn1(&dalg, &null, CBS_ASN1_NULL) ||
      !CBB_add_asn1(&digest_info, &v, CBS_ASN1_OCTETSTRING) ||
      !CBB_add_bytes(&v, mac, mac_len) ||
      !CBB_add_asn1(&macdata, &v, CBS_ASN1_OCTETSTRING) ||
      !CBB_add_bytes(&v, mac_salt, mac_salt_len) ||
      !CBB_add_asn1_uint64(&macdata, MTK_P12_ITERATIONS) ||
      (err = finish_cbb(&cbb, out, out_len)) != 0) {
    err = MTK_ENOMEM;
    goto out;
  }
  err = 0;
out:
  CBB_cleanup(&cbb);
  if (p8 != NULL) {
    OPENSSL_cleanse(p8, p8_len);
  }
  if (bmp != NULL) {
    OPENSSL_cleanse(bmp, bmp_len);
  }
  OPENSSL_free(p8);
  OPENSSL_free(p8_ct);
  OPENSSL_free(certs_der);
  OPENSSL_free(certs_ct);
  OPENSSL_free(keys_der);
  OPENSSL_free(auth_der);
  free(bmp);
  ERR_clear_error();
  return err;
}
