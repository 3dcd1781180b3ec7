#include <openssl/bytestring.h>
#include <openssl/mem.h>
#include <openssl/x509.h>
#include <string.h>

#include "check_main.h"
#include "mtlskit/x509_name.h"

// oneline parses |dn| into DER, decodes it with BoringSSL and returns
// X509_NAME_oneline's rendering (what index.txt stores).
static char *oneline(const struct mtk_dn *dn) {
  CBB cbb;
  uint8_t *der;
  size_t len;
  ck_assert(CBB_init(&cbb, 64));
  ck_assert_int_eq(mtk_dn_marshal(&cbb, dn), 0);
  ck_assert(CBB_finish(&cbb, &der, &len));
  const uint8_t *p = der;
  X509_NAME *name = d2i_X509_NAME(NULL, &p, (long)len);
  ck_assert_ptr_nonnull(name);
  ck_assert_ptr_eq(p, der + len);
  char *s = X509_NAME_oneline(name, NULL, 0);
  X509_NAME_free(name);
  OPENSSL_free(der);
  return s;
}

START_TEST(test_dn_parses_recipe_subject) {
  struct mtk_dn dn;
  mtk_dn_init(&dn);
  const char *s =
      "/C=JP/ST=Osaka/L=Osaka/O=webservicename/OU=Internal Client/"
      "CN=internal.user";
  ck_assert_int_eq(mtk_dn_parse(s, &dn, NULL), 0);
  ck_assert_uint_eq(dn.num_attrs, 6);
  ck_assert_str_eq(dn.attrs[4].value, "Internal Client");
  ck_assert_int_eq(dn.attrs[0].tag, CBS_ASN1_PRINTABLESTRING);
  ck_assert_int_eq(dn.attrs[5].tag, CBS_ASN1_UTF8STRING);
  ck_assert_str_eq(mtk_dn_get_cn(&dn), "internal.user");
  char *back = oneline(&dn);
  ck_assert_str_eq(back, s);
  OPENSSL_free(back);
  mtk_dn_cleanup(&dn);
}
END_TEST

START_TEST(test_dn_escapes_and_oids) {
  struct mtk_dn dn;
  mtk_dn_init(&dn);
  ck_assert_int_eq(
      mtk_dn_parse("/O=a\\/b\\\\c/emailAddress=x@example.com/2.5.4.97=VAT-1/"
                   "CN=caf\xc3\xa9",
                   &dn, NULL),
      0);
  ck_assert_uint_eq(dn.num_attrs, 4);
  ck_assert_str_eq(dn.attrs[0].value, "a/b\\c");
  ck_assert_int_eq(dn.attrs[1].tag, CBS_ASN1_IA5STRING);
  ck_assert_str_eq(dn.attrs[2].value, "VAT-1");
  ck_assert_uint_eq(dn.attrs[3].value_len, 5);
  mtk_dn_cleanup(&dn);
}
END_TEST

START_TEST(test_dn_rejects_malformed) {
  static const struct {
    const char *in, *why;
  } bad[] = {
      {"CN=x", "must start with '/'"},
      {"/CN=", "has no value"},
      {"/CN", "missing '='"},
      {"//CN=x", "empty attribute type"},
      {"/XX=y", "unknown attribute type 'XX'"},
      {"/C=JPN", "C must be 2 characters"},
      {"/C=J_", "cannot hold"},
      {"/CN=x\\", "trailing backslash"},
      {"/CN=\xff\xfe", "not valid UTF-8"},
      {"/CN=0123456789012345678901234567890123456789012345678901234567890123"
       "4",
       "longer than 64"},
      {"/emailAddress=caf\xc3\xa9@x", "cannot hold"},
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    struct mtk_dn dn;
    mtk_dn_init(&dn);
    struct mtk_diag diag;
    mtk_diag_init(&diag);
    ck_assert_int_eq(mtk_dn_parse(bad[i].in, &dn, &diag), MTK_EPARSE);
    ck_assert_msg(strstr(diag.msg, bad[i].why) != NULL, "%s: got '%s'",
                  bad[i].in, diag.msg);
    ck_assert_uint_eq(dn.num_attrs, 0);
  }
}
END_TEST

START_TEST(test_dn_from_x509_name_round_trip) {
  struct mtk_dn dn, copy;
  mtk_dn_init(&dn);
  mtk_dn_init(&copy);
  ck_assert_int_eq(mtk_dn_parse("/C=JP/O=x/CN=y", &dn, NULL), 0);
  X509_NAME *name = X509_NAME_new();
  X509_NAME_add_entry_by_txt(name, "C", MBSTRING_ASC, (const uint8_t *)"JP", -1,
                             -1, 0);
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const uint8_t *)"x", -1,
                             -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const uint8_t *)"y", -1,
                             -1, 0);
  ck_assert_int_eq(mtk_dn_from_x509_name(name, &copy), 0);
  ck_assert_uint_eq(copy.num_attrs, 3);
  ck_assert_str_eq(copy.attrs[2].value, "y");
  ck_assert_mem_eq(copy.attrs[1].oid, dn.attrs[1].oid, dn.attrs[1].oid_len);
  X509_NAME_free(name);
  mtk_dn_cleanup(&dn);
  mtk_dn_cleanup(&copy);
}
END_TEST

static Suite *name_suite(void) {
  Suite *s = suite_create("x509_name");
  TCase *tc = tcase_create("dn");
  tcase_add_test(tc, test_dn_parses_recipe_subject);
  tcase_add_test(tc, test_dn_escapes_and_oids);
  tcase_add_test(tc, test_dn_rejects_malformed);
  tcase_add_test(tc, test_dn_from_x509_name_round_trip);
  suite_add_tcase(s, tc);
  return s;
}

MTK_CHECK_MAIN(name_suite)
