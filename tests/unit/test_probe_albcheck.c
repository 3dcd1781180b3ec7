#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "albcheck.h"
#include "check_main.h"

// Writable strings for the non-const fields (-Wwrite-strings).
#define S(text) ((char[]){text})

#define LEAF                               \
  "-----BEGIN%20CERTIFICATE-----%0AMIIB+/" \
  "Aw==%0A-----END%20CERTIFICATE-----%0A"
#define INT \
  "-----BEGIN%20CERTIFICATE-----%0AMIIC/+Bx=%0A-----END%20CERTIFICATE-----%0A"

static struct mtk_probe_alb_expected want = {
    S("03A5B1"),
    S("CN=Fixture Root CA,O=mtlskit fixtures"),
    S("CN=ok-root-leaf,OU=Clients,O=mtlskit fixtures"),
    S("NotBefore=2023-09-21T01:50:17Z;NotAfter=2024-09-20T01:50:17Z"),
    S(LEAF),
    S(LEAF INT),
};

// The five verify headers as ALB adds them for |want|, at 1..5, with
// Host at 0; tests change single entries.
static struct mtk_probe_echo_header h[8];
static struct mtk_probe_echo echo;
static struct mtk_probe_alb_result r;

// At file scope, so the compound literals live as long as the program.
static struct mtk_probe_echo_header base[] = {
    {S("Host"), S("127.0.0.1")},
    {S("X-Amzn-Mtls-Clientcert-Serial-Number"), S("03A5B1")},
    {S("X-Amzn-Mtls-Clientcert-Issuer"),
     S("CN=Fixture Root CA,O=mtlskit fixtures")},
    {S("X-Amzn-Mtls-Clientcert-Subject"),
     S("CN=ok-root-leaf,OU=Clients,O=mtlskit fixtures")},
    {S("X-Amzn-Mtls-Clientcert-Validity"),
     S("NotBefore=2023-09-21T01:50:17Z;NotAfter=2024-09-20T01:50:17Z")},
    {S("X-Amzn-Mtls-Clientcert-Leaf"), S(LEAF)},
};

static void setup(void) {
  memset(h, 0, sizeof(h));
  memcpy(h, base, sizeof(base));
  echo.format = MTK_PROBE_ECHO_PAIRS;
  echo.headers = h;
  echo.num_headers = 6;
  mtk_probe_alb_result_init(&r);
}

static void expect_failures(size_t n, ...) {
  va_list ap;
  ck_assert_msg(r.checked, "not checked");
  ck_assert_msg(r.num_failures == n, "%zu failures, want %zu; first: %s",
                r.num_failures, n, r.num_failures > 0 ? r.failures[0] : "-");
  va_start(ap, n);
  for (size_t i = 0; i < n; i++) {
    ck_assert_str_eq(r.failures[i], va_arg(ap, const char *));
  }
  va_end(ap);
}

START_TEST(test_modes_and_forged) {
  enum mtk_probe_alb_mode m = MTK_PROBE_ALB_OFF;
  ck_assert_int_eq(mtk_probe_alb_mode_parse("verify", &m), 0);
  ck_assert_int_eq(m, MTK_PROBE_ALB_VERIFY);
  ck_assert_int_eq(mtk_probe_alb_mode_parse("passthrough", &m), 0);
  ck_assert_int_eq(m, MTK_PROBE_ALB_PASSTHROUGH);
  ck_assert_int_eq(mtk_probe_alb_mode_parse("Verify", &m), MTK_EPARSE);
  ck_assert_int_eq(mtk_probe_alb_mode_parse("off", &m), MTK_EPARSE);
  ck_assert_int_eq(m, MTK_PROBE_ALB_PASSTHROUGH);
  ck_assert_str_eq(mtk_probe_alb_mode_name(MTK_PROBE_ALB_OFF), "off");
  ck_assert_str_eq(mtk_probe_alb_mode_name(MTK_PROBE_ALB_VERIFY), "verify");
  ck_assert_str_eq(mtk_probe_alb_mode_name(MTK_PROBE_ALB_PASSTHROUGH),
                   "passthrough");
  ck_assert_str_eq(mtk_probe_alb_forged_header(0),
                   "X-Amzn-Mtls-Clientcert-Subject: CN=mtlskit-forged-subject");
  ck_assert_str_eq(mtk_probe_alb_forged_header(1),
                   "X-Amzn-Mtls-Clientcert: mtlskit-forged-clientcert");
  ck_assert_ptr_null(mtk_probe_alb_forged_header(2));
}
END_TEST

START_TEST(test_pem_equal) {
  size_t wa = 99, ga = 99;
  ck_assert(mtk_probe_alb_pem_equal("ab==%0A", "ab==%0A", &wa, &ga));
  ck_assert_uint_eq(wa, 99);
  // §1.3: '=' as is (its rule) or %3D (its example), each on its own.
  ck_assert(mtk_probe_alb_pem_equal("ab==%0A", "ab%3D%3D%0A", NULL, NULL));
  ck_assert(mtk_probe_alb_pem_equal("ab==%0A", "ab=%3D%0A", NULL, NULL));
  // Nothing else is loosened: lower-case hex, '+' or '/' encoded, '='
  // where the fixture has none.
  ck_assert(!mtk_probe_alb_pem_equal("ab==%0A", "ab%3d%3d%0A", &wa, &ga));
  ck_assert_uint_eq(wa, 2);
  ck_assert_uint_eq(ga, 2);
  ck_assert(!mtk_probe_alb_pem_equal("a+b", "a%2Bb", NULL, NULL));
  ck_assert(!mtk_probe_alb_pem_equal("a/b", "a%2Fb", NULL, NULL));
  ck_assert(!mtk_probe_alb_pem_equal("a%3Db", "a=b", NULL, NULL));
  // Offsets of the first difference, in each string.
  ck_assert(!mtk_probe_alb_pem_equal("x=yZ", "x%3DyQ", &wa, &ga));
  ck_assert_uint_eq(wa, 3);
  ck_assert_uint_eq(ga, 5);
  ck_assert(!mtk_probe_alb_pem_equal("abc", "abcd", &wa, &ga));
  ck_assert_uint_eq(wa, 3);
  ck_assert_uint_eq(ga, 3);
  ck_assert(!mtk_probe_alb_pem_equal("ab=", "ab%3", &wa, &ga));
  ck_assert_uint_eq(wa, 2);
}
END_TEST

START_TEST(test_verify_ok) {
  mtk_probe_alb_check(MTK_PROBE_ALB_VERIFY, &want, &echo, &r);
  expect_failures(0);
  // Names in any case (HTTP/2 lower-cases them); '=' of the leaf as %3D.
  h[1].name = S("x-amzn-mtls-clientcert-serial-number");
  h[5].name = S("X-AMZN-MTLS-CLIENTCERT-LEAF");
  h[5].value =
      S("-----BEGIN%20CERTIFICATE-----%0AMIIB+/"
        "Aw%3D%3D%0A-----END%20CERTIFICATE-----%0A");
  mtk_probe_alb_check(MTK_PROBE_ALB_VERIFY, &want, &echo, &r);
  expect_failures(0);
}
END_TEST

START_TEST(test_verify_mismatch) {
  h[1].value = S("03A5B2");
  mtk_probe_alb_check(MTK_PROBE_ALB_VERIFY, &want, &echo, &r);
  expect_failures(
      1, "X-Amzn-Mtls-Clientcert-Serial-Number: expected 03A5B1, got 03A5B2");
  // Leading zero byte, lower case: each exactly the serial check.
  h[1].value = S("0003a5b1");
  h[3].value = S("CN=ok-root-leaf, OU=Clients, O=mtlskit fixtures");
  mtk_probe_alb_check(MTK_PROBE_ALB_VERIFY, &want, &echo, &r);
  expect_failures(
      2, "X-Amzn-Mtls-Clientcert-Serial-Number: expected 03A5B1, got 0003a5b1",
      "X-Amzn-Mtls-Clientcert-Subject: expected CN=ok-root-leaf,OU=Clients,"
      "O=mtlskit fixtures, got CN=ok-root-leaf, OU=Clients, O=mtlskit "
      "fixtures");
  setup();
  // A long value: where it differs, in context, not the whole PEM.
  h[5].value =
      S("-----BEGIN%20CERTIFICATE-----%0AMIIB+/"
        "Ax==%0A-----END%20CERTIFICATE-----%0A");
  mtk_probe_alb_check(MTK_PROBE_ALB_VERIFY, &want, &echo, &r);
  expect_failures(
      1,
      "X-Amzn-Mtls-Clientcert-Leaf: differs at byte 39 of 75 "
      "(received 75): expected \"...AMIIB+/Aw==%0A-----END%20CERTIFI...\", "
      "got \"...AMIIB+/Ax==%0A-----END%20CERTIFI...\"");
  // Bytes a terminal should not get are shown as '?'.
  h[2].value = S("CN=x\x1b[31m");
  mtk_probe_alb_check(MTK_PROBE_ALB_VERIFY, &want, &echo, &r);
  ck_assert_uint_eq(r.num_failures, 2);
  ck_assert_str_eq(r.failures[0],
                   "X-Amzn-Mtls-Clientcert-Issuer: expected CN=Fixture Root "
                   "CA,O=mtlskit fixtures, got CN=x?[31m");
}
END_TEST

START_TEST(test_verify_missing_and_duplicate) {
  h[2].name = S("X-Other");
  h[6].name = S("x-amzn-mtls-clientcert-validity");
  h[6].value =
      S("NotBefore=2023-09-21T01:50:17Z;NotAfter=2024-09-20T01:50:17Z");
  echo.num_headers = 7;
  mtk_probe_alb_check(MTK_PROBE_ALB_VERIFY, &want, &echo, &r);
  expect_failures(2, "X-Amzn-Mtls-Clientcert-Issuer missing",
                  "X-Amzn-Mtls-Clientcert-Validity: 2 values, expected one");
}
END_TEST

START_TEST(test_forged) {
  // A backend that passes the client's headers on and adds ALB's: the
  // forgery is named, the real value is still checked on its own.
  h[6].name = S("X-Amzn-Mtls-Clientcert-Subject");
  h[6].value = S("CN=mtlskit-forged-subject");
  h[7].name = S("x-amzn-mtls-clientcert");
  h[7].value = S("mtlskit-forged-clientcert");
  echo.num_headers = 8;
  mtk_probe_alb_check(MTK_PROBE_ALB_VERIFY, &want, &echo, &r);
  expect_failures(2,
                  "forged X-Amzn-Mtls-Clientcert-Subject reached the backend",
                  "forged X-Amzn-Mtls-Clientcert reached the backend");
  // Merged into ALB's value by a proxy: still the forgery, and the merged
  // value is not ALB's.
  echo.num_headers = 6;
  h[3].value =
      S("CN=ok-root-leaf,OU=Clients,O=mtlskit fixtures, "
        "CN=mtlskit-forged-subject");
  mtk_probe_alb_check(MTK_PROBE_ALB_VERIFY, &want, &echo, &r);
  expect_failures(2,
                  "forged X-Amzn-Mtls-Clientcert-Subject reached the backend",
                  "X-Amzn-Mtls-Clientcert-Subject missing");
  // Under any other name too.
  setup();
  h[0].value = S("mtlskit-forged-clientcert");
  mtk_probe_alb_check(MTK_PROBE_ALB_VERIFY, &want, &echo, &r);
  expect_failures(1, "forged X-Amzn-Mtls-Clientcert reached the backend");
}
END_TEST

START_TEST(test_no_certificate) {
  // Without a client certificate the headers must be absent.
  echo.num_headers = 1;
  mtk_probe_alb_check(MTK_PROBE_ALB_VERIFY, NULL, &echo, &r);
  expect_failures(0);
  echo.num_headers = 3;
  mtk_probe_alb_check(MTK_PROBE_ALB_VERIFY, NULL, &echo, &r);
  expect_failures(
      2,
      "X-Amzn-Mtls-Clientcert-Serial-Number present although no client "
      "certificate was sent",
      "X-Amzn-Mtls-Clientcert-Issuer present although no client certificate "
      "was sent");
  h[1].name = S("X-Amzn-Mtls-Clientcert");
  echo.num_headers = 2;
  mtk_probe_alb_check(MTK_PROBE_ALB_PASSTHROUGH, NULL, &echo, &r);
  expect_failures(1,
                  "X-Amzn-Mtls-Clientcert present although no client "
                  "certificate was sent");
  // The forged one alone is the forgery, not ALB's header.
  h[1].value = S("mtlskit-forged-clientcert");
  mtk_probe_alb_check(MTK_PROBE_ALB_PASSTHROUGH, NULL, &echo, &r);
  expect_failures(1, "forged X-Amzn-Mtls-Clientcert reached the backend");
}
END_TEST

START_TEST(test_passthrough) {
  h[1].name = S("X-Amzn-Mtls-Clientcert");
  h[1].value = S(LEAF INT);
  echo.num_headers = 2;
  mtk_probe_alb_check(MTK_PROBE_ALB_PASSTHROUGH, &want, &echo, &r);
  expect_failures(0);
  // The verify headers are not what passthrough checks.
  echo.num_headers = 6;
  mtk_probe_alb_check(MTK_PROBE_ALB_PASSTHROUGH, &want, &echo, &r);
  expect_failures(0);
  h[1].value = S(LEAF);
  mtk_probe_alb_check(MTK_PROBE_ALB_PASSTHROUGH, &want, &echo, &r);
  expect_failures(
      1,
      "X-Amzn-Mtls-Clientcert: differs at byte 75 of 149 "
      "(received 75): expected \"...-----%0A-----BEGIN%20CERTIFICATE...\", "
      "got \"...-----%0A\"");
  h[1].value = S(INT LEAF);
  mtk_probe_alb_check(MTK_PROBE_ALB_PASSTHROUGH, &want, &echo, &r);
  ck_assert_uint_eq(r.num_failures, 1);
  ck_assert(strncmp(r.failures[0],
                    "X-Amzn-Mtls-Clientcert: differs at byte 35 ", 43) == 0);
  h[1].name = S("X-Amzn-Mtls-Clientcert-Leaf");
  mtk_probe_alb_check(MTK_PROBE_ALB_PASSTHROUGH, &want, &echo, &r);
  expect_failures(1, "X-Amzn-Mtls-Clientcert missing");
}
END_TEST

START_TEST(test_no_headers_and_overflow) {
  echo.num_headers = 0;
  mtk_probe_alb_check(MTK_PROBE_ALB_VERIFY, &want, &echo, &r);
  expect_failures(1, "no echoed request headers in the response body");
  mtk_probe_alb_check(MTK_PROBE_ALB_PASSTHROUGH, NULL, &echo, &r);
  expect_failures(1, "no echoed request headers in the response body");
  mtk_probe_alb_result_init(&r);
  ck_assert(!r.checked);
  for (int i = 0; i < 10; i++) {
    mtk_probe_alb_result_fail(&r, "failure %d", i);
  }
  ck_assert(r.checked);
  ck_assert_uint_eq(r.num_failures, 10);
  ck_assert_str_eq(r.failures[MTK_PROBE_ALB_MAX_FAILURES - 1], "failure 7");
}
END_TEST

static Suite *make_suite(void) {
  Suite *s = suite_create("probe_albcheck");
  TCase *tc = tcase_create("core");
  tcase_add_checked_fixture(tc, setup, NULL);
  tcase_add_test(tc, test_modes_and_forged);
  tcase_add_test(tc, test_pem_equal);
  tcase_add_test(tc, test_verify_ok);
  tcase_add_test(tc, test_verify_mismatch);
  tcase_add_test(tc, test_verify_missing_and_duplicate);
  tcase_add_test(tc, test_forged);
  tcase_add_test(tc, test_no_certificate);
  tcase_add_test(tc, test_passthrough);
  tcase_add_test(tc, test_no_headers_and_overflow);
  suite_add_tcase(s, tc);
  return s;
}

MTK_CHECK_MAIN(make_suite)
