#include <openssl/bytestring.h>
#include <openssl/mem.h>
#include <openssl/nid.h>
#include <openssl/obj.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <string.h>

#include "check_main.h"
#include "mtlskit/x509_cert.h"

static EVP_PKEY *ca_key, *leaf_key;
static X509 *ca_cert;
static struct mtk_dn ca_dn, leaf_dn;

static X509 *build(struct mtk_cert_spec *spec, uint8_t **der, size_t *len) {
  struct mtk_diag diag;
  mtk_diag_init(&diag);
  ck_assert_msg(mtk_cert_build(spec, der, len, &diag) == 0, "%s", diag.msg);
  X509 *x = NULL;
  ck_assert_int_eq(mtk_cert_parse(*der, *len, &x), 0);
  return x;
}

static void setup(void) {
  ck_assert_int_eq(mtk_key_generate(MTK_KEY_P256, &ca_key, NULL), 0);
  ck_assert_int_eq(mtk_key_generate(MTK_KEY_P256, &leaf_key, NULL), 0);
  mtk_dn_init(&ca_dn);
  mtk_dn_init(&leaf_dn);
  ck_assert_int_eq(mtk_dn_parse("/C=JP/O=t/CN=t Root CA", &ca_dn, NULL), 0);
  ck_assert_int_eq(mtk_dn_parse("/C=JP/O=t/CN=leaf", &leaf_dn, NULL), 0);
  struct mtk_cert_spec spec;
  mtk_cert_spec_init(&spec, MTK_PROFILE_CA, ca_key);
  spec.pathlen = 0;
  spec.subject = &ca_dn;
  spec.public_key = ca_key;
  spec.signing_key = ca_key;
  spec.not_before = 1700000000;
  spec.not_after = 2000000000;
  uint8_t *der;
  size_t len;
  ca_cert = build(&spec, &der, &len);
  OPENSSL_free(der);
}

static void teardown(void) {
  X509_free(ca_cert);
  EVP_PKEY_free(ca_key);
  EVP_PKEY_free(leaf_key);
  mtk_dn_cleanup(&ca_dn);
  mtk_dn_cleanup(&leaf_dn);
}

static void leaf_spec(struct mtk_cert_spec *spec) {
  mtk_cert_spec_init(spec, MTK_PROFILE_CLIENT, leaf_key);
  spec->subject = &leaf_dn;
  spec->public_key = leaf_key;
  spec->issuer = ca_cert;
  spec->signing_key = ca_key;
  spec->not_before = 1700000000;
  spec->not_after = 1800000000;
}

START_TEST(test_key_types) {
  static const char *names[] = {"rsa2048", "p256", "p384", "ed25519"};
  for (size_t i = 0; i < 4; i++) {
    enum mtk_key_type t;
    ck_assert_int_eq(mtk_key_type_from_name(names[i], 0, &t), 0);
    ck_assert_str_eq(mtk_key_type_name(t), names[i]);
    EVP_PKEY *k = NULL;
    ck_assert_int_eq(mtk_key_generate(t, &k, NULL), 0);
    EVP_PKEY_free(k);
  }
  enum mtk_key_type t;
  ck_assert_int_eq(mtk_key_type_from_name("rsa1024", 0, &t), MTK_EPARSE);
  ck_assert_int_eq(mtk_key_type_from_name("rsa1024", 1, &t), 0);
  ck_assert_int_eq(t, MTK_KEY_RSA1024);
  ck_assert_int_eq(mtk_key_type_from_name("dsa", 1, &t), MTK_EPARSE);
}
END_TEST

START_TEST(test_ca_cert_rfc5280) {
  ck_assert_int_eq(X509_get_version(ca_cert), 2);
  ck_assert_int_eq(X509_check_ca(ca_cert), 1);
  int crit = -1;
  BASIC_CONSTRAINTS *bc =
      X509_get_ext_d2i(ca_cert, NID_basic_constraints, &crit, NULL);
  ck_assert_ptr_nonnull(bc);
  ck_assert_int_eq(crit, 1);
  ck_assert(bc->ca);
  ck_assert_int_eq(ASN1_INTEGER_get(bc->pathlen), 0);
  BASIC_CONSTRAINTS_free(bc);
  ASN1_BIT_STRING *ku = X509_get_ext_d2i(ca_cert, NID_key_usage, &crit, NULL);
  ck_assert_int_eq(crit, 1);
  ck_assert(ASN1_BIT_STRING_get_bit(ku, 5) && ASN1_BIT_STRING_get_bit(ku, 6));
  ASN1_BIT_STRING_free(ku);
  ck_assert_int_eq(X509_get_ext_by_NID(ca_cert, NID_ext_key_usage, -1), -1);
  ck_assert_ptr_nonnull(X509_get0_subject_key_id(ca_cert));
  ck_assert_int_eq(X509_verify(ca_cert, ca_key), 1);
}
END_TEST

START_TEST(test_leaf_defaults) {
  struct mtk_cert_spec spec;
  leaf_spec(&spec);
  struct mtk_san_list san;
  mtk_san_list_init(&san);
  ck_assert_int_eq(mtk_san_parse("DNS:leaf.example,IP:::1", &san, NULL), 0);
  spec.san = &san;
  uint8_t *der;
  size_t len;
  X509 *x = build(&spec, &der, &len);
  ck_assert_int_eq(X509_verify(x, ca_key), 1);
  // Serial: 16 octets, positive, minimal.
  const ASN1_INTEGER *s = X509_get0_serialNumber(x);
  ck_assert_int_eq(ASN1_STRING_type(s), V_ASN1_INTEGER);
  ck_assert_int_eq(ASN1_STRING_length(s), 16);
  ck_assert_uint_lt(ASN1_STRING_get0_data(s)[0], 0x80);
  ck_assert_uint_gt(ASN1_STRING_get0_data(s)[0], 0);
  ck_assert_uint_eq(spec.serial_len, 16);
  int crit;
  BASIC_CONSTRAINTS *bc =
      X509_get_ext_d2i(x, NID_basic_constraints, &crit, NULL);
  ck_assert_int_eq(crit, 1);
  ck_assert(!bc->ca);
  BASIC_CONSTRAINTS_free(bc);
  EXTENDED_KEY_USAGE *eku = X509_get_ext_d2i(x, NID_ext_key_usage, &crit, NULL);
  ck_assert_int_eq(crit, 0);
  ck_assert_int_eq(sk_ASN1_OBJECT_num(eku), 1);
  ck_assert_int_eq(OBJ_obj2nid(sk_ASN1_OBJECT_value(eku, 0)), NID_client_auth);
  sk_ASN1_OBJECT_pop_free(eku, ASN1_OBJECT_free);
  ASN1_BIT_STRING *ku = X509_get_ext_d2i(x, NID_key_usage, &crit, NULL);
  ck_assert_int_eq(crit, 1);
  ck_assert(ASN1_BIT_STRING_get_bit(ku, 0));   // digitalSignature
  ck_assert(!ASN1_BIT_STRING_get_bit(ku, 2));  // no keyEncipherment on EC
  ASN1_BIT_STRING_free(ku);
  AUTHORITY_KEYID *aki =
      X509_get_ext_d2i(x, NID_authority_key_identifier, &crit, NULL);
  ck_assert_int_eq(
      ASN1_OCTET_STRING_cmp(aki->keyid, X509_get0_subject_key_id(ca_cert)), 0);
  AUTHORITY_KEYID_free(aki);
  ck_assert_int_ge(X509_get_ext_by_NID(x, NID_subject_alt_name, -1), 0);
  ck_assert_int_eq(X509_check_purpose(x, X509_PURPOSE_SSL_CLIENT, 0), 1);
  ck_assert_int_eq(X509_check_purpose(x, X509_PURPOSE_SSL_SERVER, 0), 0);
  // UTCTime before 2050.
  ck_assert_int_eq(ASN1_STRING_type(X509_get0_notAfter(x)), V_ASN1_UTCTIME);
  X509_free(x);
  OPENSSL_free(der);
  mtk_san_list_cleanup(&san);
}
END_TEST

START_TEST(test_time_encoding_2050) {
  struct mtk_cert_spec spec;
  leaf_spec(&spec);
  spec.not_after = 2524608000;   // 2050-01-01T00:00:00Z
  spec.not_before = 2524607999;  // 2049-12-31T23:59:59Z
  uint8_t *der;
  size_t len;
  X509 *x = build(&spec, &der, &len);
  ck_assert_int_eq(ASN1_STRING_type(X509_get0_notBefore(x)), V_ASN1_UTCTIME);
  ck_assert_int_eq(ASN1_STRING_type(X509_get0_notAfter(x)),
                   V_ASN1_GENERALIZEDTIME);
  ck_assert_str_eq((const char *)ASN1_STRING_get0_data(X509_get0_notAfter(x)),
                   "20500101000000Z");
  X509_free(x);
  OPENSSL_free(der);
  char buf[24];
  ck_assert_int_eq(mtk_time_format(buf, sizeof(buf), 2524608000, MTK_TIME_UTC),
                   0);
  ck_assert_str_eq(buf, "500101000000Z");  // the broken fixture form
  time_t t;
  ck_assert_int_eq(mtk_time_parse("500101000000Z", 13, &t), 0);
  ck_assert_int_eq(t, -631152000);  // UTCTime 50 means 1950
  ck_assert_int_eq(mtk_time_parse("20500101000000Z", 15, &t), 0);
  ck_assert_int_eq(t, 2524608000);
  ck_assert_int_eq(mtk_time_parse("2050010100000Z", 14, &t), MTK_EPARSE);
}
END_TEST

START_TEST(test_flexible_spec_for_fixtures) {
  struct mtk_cert_spec spec;
  leaf_spec(&spec);
  spec.eku = MTK_EKU_SERVER_AUTH;
  spec.digest = MTK_DIGEST_SHA1;
  spec.ski_mode = MTK_EXT_OMIT;
  spec.aki_mode = MTK_EXT_OMIT;
  spec.basic_constraints_mode = MTK_EXT_OMIT;
  static const uint8_t null_der[] = {0x05, 0x00};
  struct mtk_raw_ext ext = {"1.3.6.1.4.1.55555.1", true, null_der, 2};
  spec.extra = &ext;
  spec.num_extra = 1;
  static const uint8_t serial[] = {0x00};
  memcpy(spec.serial, serial, 1);
  spec.serial_len = 1;
  spec.not_after = 1600000000;  // in the past: expired
  uint8_t *der;
  size_t len;
  X509 *x = build(&spec, &der, &len);
  ck_assert_int_eq(X509_get_signature_nid(x), NID_ecdsa_with_SHA1);
  ck_assert_ptr_null(X509_get0_subject_key_id(x));
  ck_assert_int_eq(X509_get_ext_by_NID(x, NID_authority_key_identifier, -1),
                   -1);
  ck_assert_int_eq(X509_get_ext_by_NID(x, NID_basic_constraints, -1), -1);
  ck_assert_int_eq(X509_check_purpose(x, X509_PURPOSE_SSL_CLIENT, 0), 0);
  ck_assert_int_eq(ASN1_INTEGER_get(X509_get0_serialNumber(x)), 0);
  int idx = X509_get_ext_count(x) - 1;
  ck_assert(X509_EXTENSION_get_critical(X509_get_ext(x, idx)));
  X509_free(x);
  OPENSSL_free(der);

  // v1: no extensions field at all.
  leaf_spec(&spec);
  spec.version = 1;
  x = build(&spec, &der, &len);
  ck_assert_int_eq(X509_get_version(x), 0);
  ck_assert_int_eq(X509_get_ext_count(x), 0);
  X509_free(x);
  OPENSSL_free(der);
}
END_TEST

START_TEST(test_serial_hex) {
  static const uint8_t s[] = {0x00, 0x80, 0x01};
  char hex[16];
  ck_assert_int_eq(mtk_serial_hex(s, 3, hex, sizeof(hex)), 0);
  ck_assert_str_eq(hex, "8001");
  uint8_t out[8];
  size_t n;
  ck_assert_int_eq(mtk_serial_from_hex("8001", out, sizeof(out), &n), 0);
  ck_assert_uint_eq(n, 3);
  ck_assert_mem_eq(out, s, 3);
  ck_assert_int_eq(mtk_serial_from_hex("0001000", out, sizeof(out), &n), 0);
  ck_assert_uint_eq(n, 2);
  ck_assert_uint_eq(out[0], 0x10);
  ck_assert_int_eq(mtk_serial_from_hex("12G4", out, sizeof(out), &n),
                   MTK_EPARSE);
  ck_assert_int_eq(mtk_serial_from_hex("", out, sizeof(out), &n), MTK_EPARSE);
}
END_TEST

static Suite *cert_suite(void) {
  Suite *s = suite_create("x509_cert");
  TCase *tc = tcase_create("cert");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_key_types);
  tcase_add_test(tc, test_ca_cert_rfc5280);
  tcase_add_test(tc, test_leaf_defaults);
  tcase_add_test(tc, test_time_encoding_2050);
  tcase_add_test(tc, test_flexible_spec_for_fixtures);
  tcase_add_test(tc, test_serial_hex);
  suite_add_tcase(s, tc);
  return s;
}

MTK_CHECK_MAIN(cert_suite)
