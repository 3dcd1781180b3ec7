#include <openssl/bytestring.h>
#include <openssl/mem.h>
#include <openssl/nid.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <string.h>

#include "check_main.h"
#include "mtlskit/x509_crl.h"

static EVP_PKEY *key;
static X509 *ca;

static void setup(void) {
  struct mtk_dn dn;
  mtk_dn_init(&dn);
  ck_assert_int_eq(mtk_dn_parse("/CN=crl test CA", &dn, NULL), 0);
  ck_assert_int_eq(mtk_key_generate(MTK_KEY_P256, &key, NULL), 0);
  struct mtk_cert_spec spec;
  mtk_cert_spec_init(&spec, MTK_PROFILE_CA, key);
  spec.subject = &dn;
  spec.public_key = key;
  spec.signing_key = key;
  spec.not_before = 1700000000;
  spec.not_after = 2000000000;
  uint8_t *der;
  size_t len;
  ck_assert_int_eq(mtk_cert_build(&spec, &der, &len, NULL), 0);
  ck_assert_int_eq(mtk_cert_parse(der, len, &ca), 0);
  OPENSSL_free(der);
  mtk_dn_cleanup(&dn);
}

static void teardown(void) {
  X509_free(ca);
  EVP_PKEY_free(key);
}

static X509_CRL *build(struct mtk_crl_spec *spec, uint8_t **der, size_t *len) {
  spec->issuer = ca;
  spec->signing_key = key;
  spec->this_update = 1750000000;
  spec->next_update = 1750000000 + 7 * 86400;
  spec->crl_number[0] = 0x10;
  spec->crl_number[1] = 0x00;
  spec->crl_number_len = 2;
  ck_assert_int_eq(mtk_crl_build(spec, der, len, NULL), 0);
  const uint8_t *p = *der;
  X509_CRL *crl = d2i_X509_CRL(NULL, &p, (long)*len);
  ck_assert_ptr_nonnull(crl);
  ck_assert_int_eq(X509_CRL_verify(crl, key), 1);
  return crl;
}

// has_revoked_field reports whether the TBSCertList of |der| carries a
// revokedCertificates SEQUENCE (possibly empty) after nextUpdate.
static int has_revoked_field(const uint8_t *der, size_t len) {
  CBS cbs, crl, tbs, tmp;
  CBS_init(&cbs, der, len);
  ck_assert(CBS_get_asn1(&cbs, &crl, CBS_ASN1_SEQUENCE));
  ck_assert(CBS_get_asn1(&crl, &tbs, CBS_ASN1_SEQUENCE));
  ck_assert(CBS_get_asn1(&tbs, &tmp, CBS_ASN1_INTEGER));   // version
  ck_assert(CBS_get_asn1(&tbs, &tmp, CBS_ASN1_SEQUENCE));  // signature
  ck_assert(CBS_get_asn1(&tbs, &tmp, CBS_ASN1_SEQUENCE));  // issuer
  ck_assert(CBS_get_any_asn1(&tbs, &tmp, NULL));           // thisUpdate
  ck_assert(CBS_get_any_asn1(&tbs, &tmp, NULL));           // nextUpdate
  return CBS_peek_asn1_tag(&tbs, CBS_ASN1_SEQUENCE);
}

START_TEST(test_empty_crl_has_no_revoked_sequence) {
  struct mtk_crl_spec spec;
  mtk_crl_spec_init(&spec);
  uint8_t *der;
  size_t len;
  X509_CRL *crl = build(&spec, &der, &len);
  ck_assert_int_eq(X509_CRL_get_version(crl), 1);  // v2
  ck_assert_int_eq(sk_X509_REVOKED_num(X509_CRL_get_REVOKED(crl)), 0);
  ck_assert(!has_revoked_field(der, len));
  ck_assert_ptr_nonnull(X509_CRL_get0_nextUpdate(crl));
  ASN1_INTEGER *num = X509_CRL_get_ext_d2i(crl, NID_crl_number, NULL, NULL);
  ck_assert_int_eq(ASN1_INTEGER_get(num), 0x1000);
  ASN1_INTEGER_free(num);
  AUTHORITY_KEYID *aki =
      X509_CRL_get_ext_d2i(crl, NID_authority_key_identifier, NULL, NULL);
  ck_assert_int_eq(
      ASN1_OCTET_STRING_cmp(aki->keyid, X509_get0_subject_key_id(ca)), 0);
  AUTHORITY_KEYID_free(aki);
  X509_CRL_free(crl);
  OPENSSL_free(der);

  spec.empty_revoked_sequence = true;  // the fixture form
  crl = build(&spec, &der, &len);
  ck_assert(has_revoked_field(der, len));
  X509_CRL_free(crl);
  OPENSSL_free(der);
}
END_TEST

START_TEST(test_reasons) {
  struct mtk_crl_entry e[3];
  memset(e, 0, sizeof(e));
  int reasons[] = {MTK_REASON_KEY_COMPROMISE, MTK_REASON_UNSPECIFIED,
                   MTK_REASON_NONE};
  for (int i = 0; i < 3; i++) {
    e[i].serial[0] = (uint8_t)(i + 1);
    e[i].serial_len = 1;
    e[i].revoked_at = 1740000000;
    e[i].reason = reasons[i];
  }
  struct mtk_crl_spec spec;
  mtk_crl_spec_init(&spec);
  spec.entries = e;
  spec.num_entries = 3;
  uint8_t *der;
  size_t len;
  X509_CRL *crl = build(&spec, &der, &len);
  STACK_OF(X509_REVOKED) *rev = X509_CRL_get_REVOKED(crl);
  ck_assert_int_eq(sk_X509_REVOKED_num(rev), 3);
  int crit = -1;
  ASN1_ENUMERATED *r = X509_REVOKED_get_ext_d2i(sk_X509_REVOKED_value(rev, 0),
                                                NID_crl_reason, &crit, NULL);
  ck_assert_int_eq(ASN1_ENUMERATED_get(r), 1);
  ck_assert_int_eq(crit, 0);
  ASN1_ENUMERATED_free(r);
  // "unspecified" and "none" both carry no reasonCode (RFC 5280 5.3.1).
  ck_assert_int_eq(X509_REVOKED_get_ext_count(sk_X509_REVOKED_value(rev, 1)),
                   0);
  ck_assert_int_eq(X509_REVOKED_get_ext_count(sk_X509_REVOKED_value(rev, 2)),
                   0);
  X509_CRL_free(crl);
  OPENSSL_free(der);

  int v;
  ck_assert_int_eq(mtk_crl_reason_from_name("keycompromise", &v), 0);
  ck_assert_int_eq(v, 1);
  ck_assert_str_eq(mtk_crl_reason_name(5), "cessationOfOperation");
  ck_assert_int_eq(mtk_crl_reason_from_name("lost", &v), MTK_EPARSE);
}
END_TEST

static Suite *crl_suite(void) {
  Suite *s = suite_create("x509_crl");
  TCase *tc = tcase_create("crl");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_empty_crl_has_no_revoked_sequence);
  tcase_add_test(tc, test_reasons);
  suite_add_tcase(s, tc);
  return s;
}

MTK_CHECK_MAIN(crl_suite)
