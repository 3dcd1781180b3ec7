#include <openssl/bytestring.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/mem.h>
#include <openssl/pkcs8.h>
#include <openssl/x509.h>
#include <string.h>

#include "check_main.h"
#include "mtlskit/p12.h"
#include "mtlskit/x509_cert.h"

static EVP_PKEY *ca_key, *key;
static X509 *ca, *leaf;

static X509 *make_cert(EVP_PKEY *subject_key, X509 *issuer,
                       EVP_PKEY *issuer_key, const char *dn_text,
                       enum mtk_cert_profile profile) {
  struct mtk_dn dn;
  mtk_dn_init(&dn);
  ck_assert_int_eq(mtk_dn_parse(dn_text, &dn, NULL), 0);
  struct mtk_cert_spec spec;
  mtk_cert_spec_init(&spec, profile, subject_key);
  spec.subject = &dn;
  spec.public_key = subject_key;
  spec.issuer = issuer;
  spec.signing_key = issuer_key;
  spec.not_before = 1700000000;
  spec.not_after = 2000000000;
  uint8_t *der;
  size_t len;
  X509 *x;
  ck_assert_int_eq(mtk_cert_build(&spec, &der, &len, NULL), 0);
  ck_assert_int_eq(mtk_cert_parse(der, len, &x), 0);
  OPENSSL_free(der);
  mtk_dn_cleanup(&dn);
  return x;
}

static void setup(void) {
  ck_assert_int_eq(mtk_key_generate(MTK_KEY_P256, &ca_key, NULL), 0);
  ck_assert_int_eq(mtk_key_generate(MTK_KEY_RSA2048, &key, NULL), 0);
  ca = make_cert(ca_key, NULL, ca_key, "/CN=p12 CA", MTK_PROFILE_CA);
  leaf = make_cert(key, ca, ca_key, "/CN=p12 user", MTK_PROFILE_CLIENT);
}

static void teardown(void) {
  X509_free(ca);
  X509_free(leaf);
  EVP_PKEY_free(ca_key);
  EVP_PKEY_free(key);
}

static size_t count(const uint8_t *hay, size_t len, const uint8_t *needle,
                    size_t nlen) {
  size_t n = 0;
  for (size_t i = 0; i + nlen <= len; i++) {
    if (memcmp(hay + i, needle, nlen) == 0) {
      n++;
    }
  }
  return n;
}

static const uint8_t oid_3des[] = {0x2a, 0x86, 0x48, 0x86, 0xf7,
                                   0x0d, 0x01, 0x0c, 0x01, 0x03};
static const uint8_t oid_rc2_40[] = {0x2a, 0x86, 0x48, 0x86, 0xf7,
                                     0x0d, 0x01, 0x0c, 0x01, 0x06};
static const uint8_t oid_pbes2[] = {0x2a, 0x86, 0x48, 0x86, 0xf7,
                                    0x0d, 0x01, 0x05, 0x0d};
static const uint8_t oid_hmac_sha256[] = {0x2a, 0x86, 0x48, 0x86,
                                          0xf7, 0x0d, 0x02, 0x09};
static const uint8_t oid_aes256cbc[] = {0x60, 0x86, 0x48, 0x01, 0x65,
                                        0x03, 0x04, 0x01, 0x2a};
static const uint8_t oid_sha256[] = {0x60, 0x86, 0x48, 0x01, 0x65,
                                     0x03, 0x04, 0x02, 0x01};
static const uint8_t oid_sha1[] = {0x2b, 0x0e, 0x03, 0x02, 0x1a};

static void check_opens(const uint8_t *der, size_t len, const char *pw,
                        size_t want_certs) {
  CBS cbs;
  CBS_init(&cbs, der, len);
  EVP_PKEY *k = NULL;
  STACK_OF(X509) *certs = sk_X509_new_null();
  ck_assert_int_eq(PKCS12_get_key_and_certs(&k, certs, &cbs, pw), 1);
  ck_assert_int_eq(EVP_PKEY_cmp(k, key), 1);
  ck_assert_uint_eq(sk_X509_num(certs), want_certs);
  ck_assert_int_eq(X509_cmp(sk_X509_value(certs, 0), leaf), 0);
  EVP_PKEY_free(k);
  sk_X509_pop_free(certs, X509_free);

  CBS_init(&cbs, der, len);
  certs = sk_X509_new_null();
  k = NULL;
  ck_assert_int_eq(PKCS12_get_key_and_certs(&k, certs, &cbs, "wrong"), 0);
  uint32_t e = ERR_get_error();
  ck_assert_int_eq(ERR_GET_REASON(e), PKCS8_R_INCORRECT_PASSWORD);
  ERR_clear_error();
  sk_X509_pop_free(certs, X509_free);
}

START_TEST(test_compat_profile_algorithms) {
  STACK_OF(X509) *chain = sk_X509_new_null();
  sk_X509_push(chain, ca);
  uint8_t *der;
  size_t len;
  ck_assert_int_eq(
      mtk_p12_build("pässword", strlen("pässword"), key, leaf, chain, "user",
                    MTK_P12_COMPAT, &der, &len, NULL),
      0);
  sk_X509_free(chain);
  check_opens(der, len, "pässword", 2);
  ck_assert_uint_eq(count(der, len, oid_3des, sizeof(oid_3des)), 2);
  ck_assert_uint_eq(count(der, len, oid_rc2_40, sizeof(oid_rc2_40)), 0);
  ck_assert_uint_eq(count(der, len, oid_pbes2, sizeof(oid_pbes2)), 0);
  ck_assert_uint_eq(count(der, len, oid_sha1, sizeof(oid_sha1)), 1);  // MAC
  OPENSSL_free(der);
}
END_TEST

START_TEST(test_modern_profile_algorithms) {
  uint8_t *der;
  size_t len;
  ck_assert_int_eq(mtk_p12_build("pw", 2, key, leaf, NULL, NULL, MTK_P12_MODERN,
                                 &der, &len, NULL),
                   0);
  check_opens(der, len, "pw", 1);
  ck_assert_uint_eq(count(der, len, oid_pbes2, sizeof(oid_pbes2)), 2);
  ck_assert_uint_eq(count(der, len, oid_aes256cbc, sizeof(oid_aes256cbc)), 2);
  ck_assert_uint_eq(count(der, len, oid_hmac_sha256, sizeof(oid_hmac_sha256)),
                    2);
  ck_assert_uint_eq(count(der, len, oid_sha256, sizeof(oid_sha256)), 1);
  ck_assert_uint_eq(count(der, len, oid_3des, sizeof(oid_3des)), 0);
  ck_assert_uint_eq(count(der, len, oid_sha1, sizeof(oid_sha1)), 0);
  OPENSSL_free(der);

  enum mtk_p12_profile p;
  ck_assert_int_eq(mtk_p12_profile_from_name("modern", &p), 0);
  ck_assert_int_eq(p, MTK_P12_MODERN);
  ck_assert_int_eq(mtk_p12_profile_from_name("legacy", &p), MTK_EPARSE);
}
END_TEST

static Suite *p12_suite(void) {
  Suite *s = suite_create("p12");
  TCase *tc = tcase_create("p12");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_compat_profile_algorithms);
  tcase_add_test(tc, test_modern_profile_algorithms);
  suite_add_tcase(s, tc);
  return s;
}

MTK_CHECK_MAIN(p12_suite)
