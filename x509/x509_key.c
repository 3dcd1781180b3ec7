#include "mtlskit/x509_key.h"

#include <openssl/bn.h>
#include <openssl/bytestring.h>
#include <openssl/digest.h>
#include <openssl/ec.h>
#include <openssl/ec_key.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/mem.h>
#include <openssl/nid.h>
#include <openssl/obj.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <string.h>

#include "x509_internal.h"

static const struct {
  const char *name;
  enum mtk_key_type type;
} key_names[] = {
    {"rsa1024", MTK_KEY_RSA1024}, {"rsa2048", MTK_KEY_RSA2048},
    {"rsa3072", MTK_KEY_RSA3072}, {"rsa4096", MTK_KEY_RSA4096},
    {"p256", MTK_KEY_P256},       {"p384", MTK_KEY_P384},
    {"ed25519", MTK_KEY_ED25519},
};

int mtk_crypto_diag(struct mtk_diag *diag, int err, const char *what) {
  uint32_t e = ERR_get_error();
  char buf[256];
  if (e != 0) {
    ERR_error_string_n(e, buf, sizeof(buf));
    mtk_diag_set(diag, err, "%s: %s", what, buf);
  } else {
    mtk_diag_set(diag, err, "%s", what);
  }
  ERR_clear_error();
  return err;
}

int mtk_key_type_from_name(const char *name, int allow_weak,
                           enum mtk_key_type *out) {
  for (size_t i = 0; i < sizeof(key_names) / sizeof(key_names[0]); i++) {
    if (strcmp(name, key_names[i].name) == 0) {
      if (key_names[i].type == MTK_KEY_RSA1024 && !allow_weak) {
        return MTK_EPARSE;
      }
      *out = key_names[i].type;
      return 0;
    }
  }
  return MTK_EPARSE;
}

const char *mtk_key_type_name(enum mtk_key_type type) {
  for (size_t i = 0; i < sizeof(key_names) / sizeof(key_names[0]); i++) {
    if (key_names[i].type == type) {
      return key_names[i].name;
    }
  }
  return "unknown";
}

// gen_rsa makes a new RSA key of |bits| bits with public exponent 65537
// through BoringSSL's RSA_generate_key_ex, or returns NULL with BoringSSL's
// reason on the error queue.
static EVP_PKEY *gen_rsa(unsigned bits) {
  EVP_PKEY *pkey = NULL;
  RSA *rsa = RSA_new();
  BIGNUM *e = BN_new();
  if (rsa == NULL || e == NULL || !BN_set_word(e, RSA_F4) ||
      !RSA_generate_key_ex(rsa, (int)bits, e, NULL)) {
    goto out;
  }
  pkey = EVP_PKEY_new();
  if (pkey == NULL || !EVP_PKEY_assign_RSA(pkey, rsa)) {
    EVP_PKEY_free(pkey);
    pkey = NULL;
    goto out;
  }
  rsa = NULL;
out:
  RSA_free(rsa);
  BN_free(e);
  return pkey;
}

static EVP_PKEY *gen_ec(int nid) {
  EC_KEY *ec = EC_KEY_new_by_curve_name(nid);
  if (ec == NULL || !EC_KEY_generate_key(ec)) {
    EC_KEY_free(ec);
    return NULL;
  }
  EVP_PKEY *pkey = EVP_PKEY_new();
  if (pkey == NULL || !EVP_PKEY_assign_EC_KEY(pkey, ec)) {
    EVP_PKEY_free(pkey);
    EC_KEY_free(ec);
    return NULL;
  }
  return pkey;
}

static EVP_PKEY *gen_ed25519(void) {
  EVP_PKEY *pkey = NULL;
  EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);
  if (ctx == NULL || !EVP_PKEY_keygen_init(ctx) ||
      !EVP_PKEY_keygen(ctx, &pkey)) {
    pkey = NULL;
  }
  EVP_PKEY_CTX_free(ctx);
  return pkey;
}

int mtk_key_generate(enum mtk_key_type type, EVP_PKEY **out_key,
                     struct mtk_diag *diag) {
  EVP_PKEY *pkey = NULL;
  switch (type) {
    case MTK_KEY_RSA1024:
      pkey = gen_rsa(1024);
      break;
    case MTK_KEY_RSA2048:
      pkey = gen_rsa(2048);
      break;
    case MTK_KEY_RSA3072:
      pkey = gen_rsa(3072);
      break;
    case MTK_KEY_RSA4096:
      pkey = gen_rsa(4096);
      break;
    case MTK_KEY_P256:
      pkey = gen_ec(NID_X9_62_prime256v1);
      break;
    case MTK_KEY_P384:
      pkey = gen_ec(NID_secp384r1);
      break;
    case MTK_KEY_ED25519:
      pkey = gen_ed25519();
      break;
  }
  if (pkey == NULL) {
    return mtk_crypto_diag(diag, MTK_ECRYPTO, "key generation failed");
  }
  *out_key = pkey;
  return 0;
}

int mtk_key_is_rsa(const EVP_PKEY *key) {
  return EVP_PKEY_id(key) == EVP_PKEY_RSA;
}

#define KEY_POLICY                                                        \
  "the CA signs RSA keys of 2048 to 8192 bits (a multiple of 8), P-256, " \
  "P-384 and Ed25519 keys"

int mtk_key_type_check(enum mtk_key_type type, struct mtk_diag *diag) {
  if (type == MTK_KEY_RSA1024) {
    return mtk_diag_set(diag, MTK_EPARSE, "key RSA-1024 is not allowed: %s",
                        KEY_POLICY);
  }
  return 0;
}

int mtk_key_check(const EVP_PKEY *key, struct mtk_diag *diag) {
  switch (EVP_PKEY_id(key)) {
    case EVP_PKEY_RSA: {
      const RSA *rsa = EVP_PKEY_get0_RSA(key);
      unsigned bits = RSA_bits(rsa);
      const BIGNUM *e = RSA_get0_e(rsa);
      if (bits < 2048 || bits > 8192 || bits % 8 != 0) {
        return mtk_diag_set(diag, MTK_EPARSE, "key RSA-%u is not allowed: %s",
                            bits, KEY_POLICY);
      }
      if (e == NULL || !BN_is_odd(e) || BN_cmp_word(e, 3) < 0) {
        return mtk_diag_set(diag, MTK_EPARSE,
                            "key RSA-%u has a bad public exponent", bits);
      }
      return 0;
    }
    case EVP_PKEY_EC: {
      const EC_GROUP *g = EC_KEY_get0_group(EVP_PKEY_get0_EC_KEY(key));
      int nid = g != NULL ? EC_GROUP_get_curve_name(g) : NID_undef;
      if (nid == NID_X9_62_prime256v1 || nid == NID_secp384r1) {
        return 0;
      }
      const char *curve = nid != NID_undef ? OBJ_nid2sn(nid) : NULL;
      return mtk_diag_set(diag, MTK_EPARSE, "key EC %s is not allowed: %s",
                          curve != NULL ? curve : "(unnamed curve)",
                          KEY_POLICY);
    }
    case EVP_PKEY_ED25519:
      return 0;
    default:
      return mtk_diag_set(diag, MTK_EPARSE, "key of type %d is not allowed: %s",
                          EVP_PKEY_id(key), KEY_POLICY);
  }
}

static const struct {
  const char *name;
  enum mtk_digest digest;
} digest_names[] = {
    {"sha256", MTK_DIGEST_SHA256},   {"sha384", MTK_DIGEST_SHA384},
    {"sha512", MTK_DIGEST_SHA512},   {"sha1", MTK_DIGEST_SHA1},
    {"default", MTK_DIGEST_DEFAULT},
};

int mtk_digest_from_name(const char *name, enum mtk_digest *out) {
  for (size_t i = 0; i < sizeof(digest_names) / sizeof(digest_names[0]); i++) {
    if (strcmp(name, digest_names[i].name) == 0) {
      *out = digest_names[i].digest;
      return 0;
    }
  }
  return MTK_EPARSE;
}

const char *mtk_digest_name(enum mtk_digest digest) {
  for (size_t i = 0; i < sizeof(digest_names) / sizeof(digest_names[0]); i++) {
    if (digest_names[i].digest == digest) {
      return digest_names[i].name;
    }
  }
  return "sha256";
}

static const EVP_MD *digest_md(enum mtk_digest digest) {
  switch (digest) {
    case MTK_DIGEST_SHA384:
      return EVP_sha384();
    case MTK_DIGEST_SHA512:
      return EVP_sha512();
    case MTK_DIGEST_SHA1:
      return EVP_sha1();
    case MTK_DIGEST_DEFAULT:
    case MTK_DIGEST_SHA256:
      break;
  }
  return EVP_sha256();
}

// sig_algs names the RSA and ECDSA signature algorithms of each digest; the
// last row, SHA-256, serves MTK_DIGEST_SHA256 and MTK_DIGEST_DEFAULT.
static const struct {
  enum mtk_digest digest;
  int rsa_nid;
  int ecdsa_nid;
} sig_algs[] = {
    {MTK_DIGEST_SHA1, NID_sha1WithRSAEncryption, NID_ecdsa_with_SHA1},
    {MTK_DIGEST_SHA384, NID_sha384WithRSAEncryption, NID_ecdsa_with_SHA384},
    {MTK_DIGEST_SHA512, NID_sha512WithRSAEncryption, NID_ecdsa_with_SHA512},
    {MTK_DIGEST_SHA256, NID_sha256WithRSAEncryption, NID_ecdsa_with_SHA256},
};

// sig_nid maps a key and digest to the signature algorithm's NID and says
// whether its AlgorithmIdentifier carries NULL parameters (RSA PKCS#1 v1.5
// does, RFC 4055 2.1; ECDSA and EdDSA must not, RFC 5758 3.2, RFC 8410 3).
static int sig_nid(const EVP_PKEY *key, enum mtk_digest digest, int *out_nid,
                   int *out_null_params) {
  int type = EVP_PKEY_id(key);
  *out_null_params = type == EVP_PKEY_RSA;
  if (type == EVP_PKEY_ED25519) {
    *out_nid = NID_ED25519;
    return 0;
  }
  if (type != EVP_PKEY_RSA && type != EVP_PKEY_EC) {
    return MTK_EUNSUPPORTED;
  }
  size_t i = 0;
  while (i + 1 < sizeof(sig_algs) / sizeof(sig_algs[0]) &&
         sig_algs[i].digest != digest) {
    i++;
  }
  *out_nid = type == EVP_PKEY_RSA ? sig_algs[i].rsa_nid : sig_algs[i].ecdsa_nid;
  return 0;
}

int mtk_sig_alg_write(CBB *cbb, const EVP_PKEY *key, enum mtk_digest digest) {
  int nid, null_params;
  int err = sig_nid(key, digest, &nid, &null_params);
  if (err != 0) {
    return err;
  }
  CBB alg, null;
  if (!CBB_add_asn1(cbb, &alg, CBS_ASN1_SEQUENCE) || !OBJ_nid2cbb(&alg, nid) ||
      (null_params && !CBB_add_asn1(&alg, &null, CBS_ASN1_NULL)) ||
      !CBB_flush(cbb)) {
    return MTK_ECRYPTO;
  }
  return 0;
}

int mtk_sign_der(const uint8_t *tbs, size_t tbs_len, EVP_PKEY *key,
                 enum mtk_digest digest, uint8_t **out, size_t *out_len,
                 struct mtk_diag *diag) {
  int err = 0;
  uint8_t *sig = NULL;
  size_t sig_len = 0;
  CBB cbb, seq, bits;
  EVP_MD_CTX ctx;
  EVP_MD_CTX_init(&ctx);
  CBB_zero(&cbb);
  const EVP_MD *md =
      EVP_PKEY_id(key) == EVP_PKEY_ED25519 ? NULL : digest_md(digest);
  if (!EVP_DigestSignInit(&ctx, NULL, md, NULL, key) ||
      !EVP_DigestSign(&ctx, NULL, &sig_len, tbs, tbs_len)) {
    err = mtk_crypto_diag(diag, MTK_ECRYPTO, "cannot sign");
    goto out;
  }
  sig = OPENSSL_malloc(sig_len);
  if (sig == NULL) {
    err = MTK_ENOMEM;
    goto out;
  }
  if (!EVP_DigestSign(&ctx, sig, &sig_len, tbs, tbs_len)) {
    err = mtk_crypto_diag(diag, MTK_ECRYPTO, "cannot sign");
    goto out;
  }
  if (!CBB_init(&cbb, tbs_len + sig_len + 32) ||
      !CBB_add_asn1(&cbb, &seq, CBS_ASN1_SEQUENCE) ||
      !CBB_add_bytes(&seq, tbs, tbs_len)) {
    err = MTK_ENOMEM;
    goto out;
  }
  err = mtk_sig_alg_write(&seq, key, digest);
  if (err != 0) {
    mtk_diag_set(diag, err, "unsupported key type for signing");
    goto out;
  }
  if (!CBB_add_asn1(&seq, &bits, CBS_ASN1_BITSTRING) || !CBB_add_u8(&bits, 0) ||
      !CBB_add_bytes(&bits, sig, sig_len) || !CBB_finish(&cbb, out, out_len)) {
    err = MTK_ENOMEM;
    goto out;
  }
out:
  CBB_cleanup(&cbb);
  OPENSSL_free(sig);
  EVP_MD_CTX_cleanup(&ctx);
  return err;
}

int mtk_sign_tbs(CBB *cbb, EVP_PKEY *key, enum mtk_digest digest, uint8_t **out,
                 size_t *out_len, struct mtk_diag *diag) {
  uint8_t *tbs = NULL;
  size_t tbs_len = 0;
  if (!CBB_finish(cbb, &tbs, &tbs_len)) {
    return MTK_ENOMEM;
  }
  int err = mtk_sign_der(tbs, tbs_len, key, digest, out, out_len, diag);
  OPENSSL_free(tbs);
  return err;
}

int mtk_key_spki(const EVP_PKEY *key, uint8_t **out, size_t *out_len) {
  CBB cbb;
  if (!CBB_init(&cbb, 256) || !EVP_marshal_public_key(&cbb, key) ||
      !CBB_finish(&cbb, out, out_len)) {
    CBB_cleanup(&cbb);
    ERR_clear_error();
    return MTK_ECRYPTO;
  }
  return 0;
}

int mtk_spki_key_id(const uint8_t *spki_der, size_t spki_len, uint8_t out[20]) {
  CBS spki, seq, alg, bits;
  CBS_init(&spki, spki_der, spki_len);
  uint8_t unused;
  if (!CBS_get_asn1(&spki, &seq, CBS_ASN1_SEQUENCE) ||
      !CBS_get_asn1(&seq, &alg, CBS_ASN1_SEQUENCE) ||
      !CBS_get_asn1(&seq, &bits, CBS_ASN1_BITSTRING) ||
      !CBS_get_u8(&bits, &unused)) {
    return MTK_ECRYPTO;
  }
  SHA1(CBS_data(&bits), CBS_len(&bits), out);
  return 0;
}

int mtk_key_id(const EVP_PKEY *key, uint8_t out[20]) {
  uint8_t *der = NULL;
  size_t der_len = 0;
  int err = mtk_key_spki(key, &der, &der_len);
  if (err == 0) {
    err = mtk_spki_key_id(der, der_len, out);
  }
  OPENSSL_free(der);
  return err;
}
