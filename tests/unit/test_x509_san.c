#include <openssl/bytestring.h>
#include <openssl/mem.h>
#include <string.h>

#include "check_main.h"
#include "mtlskit/x509_san.h"

START_TEST(test_san_parses_every_type) {
  struct mtk_san_list l;
  mtk_san_list_init(&l);
  ck_assert_int_eq(
      mtk_san_parse("DNS:www.example.com,IP:192.0.2.1,ip:2001:db8::1,"
                    "email:a@example.com,URI:spiffe://example.com/x",
                    &l, NULL),
      0);
  ck_assert_uint_eq(l.num, 5);
  ck_assert_int_eq(l.entries[0].type, MTK_SAN_DNS);
  ck_assert_int_eq(l.entries[1].type, MTK_SAN_IP);
  ck_assert_uint_eq(l.entries[1].value_len, 4);
  static const uint8_t v4[] = {192, 0, 2, 1};
  ck_assert_mem_eq(l.entries[1].value, v4, 4);
  ck_assert_uint_eq(l.entries[2].value_len, 16);
  ck_assert_int_eq(l.entries[3].type, MTK_SAN_EMAIL);
  ck_assert_int_eq(l.entries[4].type, MTK_SAN_URI);

  // Marshal, then unmarshal: same entries.
  CBB cbb;
  uint8_t *der;
  size_t len;
  ck_assert(CBB_init(&cbb, 64));
  ck_assert_int_eq(mtk_san_marshal(&cbb, &l), 0);
  ck_assert(CBB_finish(&cbb, &der, &len));
  struct mtk_san_list back;
  mtk_san_list_init(&back);
  CBS cbs;
  CBS_init(&cbs, der, len);
  ck_assert_int_eq(mtk_san_unmarshal(&cbs, &back), 0);
  ck_assert_uint_eq(back.num, 5);
  ck_assert_str_eq((const char *)back.entries[4].value,
                   "spiffe://example.com/x");
  OPENSSL_free(der);
  mtk_san_list_cleanup(&back);
  mtk_san_list_cleanup(&l);
}
END_TEST

START_TEST(test_san_rejects_malformed_and_keeps_list) {
  static const struct {
    const char *in, *why;
  } bad[] = {
      {"www.example.com", "expected TYPE:VALUE"},
      {"DNS:", "empty value"},
      {"DNS:a..b", "not a DNS name"},
      {"DNS:a b", "not a DNS name"},
      {"IP:300.1.1.1", "not an IPv4 or IPv6"},
      {"IP:1.2.3", "not an IPv4 or IPv6"},
      {"email:nobody", "not an email"},
      {"email:a@b@c", "not an email"},
      {"URI:no-scheme", "not a URI"},
      {"RID:1.2.3", "unknown type"},
      {"DNS:ok.example,,DNS:x", "expected TYPE:VALUE"},
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    struct mtk_san_list l;
    mtk_san_list_init(&l);
    ck_assert_int_eq(mtk_san_parse("DNS:kept.example", &l, NULL), 0);
    struct mtk_diag diag;
    mtk_diag_init(&diag);
    ck_assert_int_eq(mtk_san_parse(bad[i].in, &l, &diag), MTK_EPARSE);
    ck_assert_msg(strstr(diag.msg, bad[i].why) != NULL, "%s: got '%s'",
                  bad[i].in, diag.msg);
    ck_assert_uint_eq(l.num, 1);  // the earlier entry survives, no more
    mtk_san_list_cleanup(&l);
  }
}
END_TEST

static Suite *san_suite(void) {
  Suite *s = suite_create("x509_san");
  TCase *tc = tcase_create("san");
  tcase_add_test(tc, test_san_parses_every_type);
  tcase_add_test(tc, test_san_rejects_malformed_and_keeps_list);
  suite_add_tcase(s, tc);
  return s;
}

MTK_CHECK_MAIN(san_suite)
