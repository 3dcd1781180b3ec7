#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "echo.h"

static struct mtk_probe_echo e;

static void setup(void) { mtk_probe_echo_init(&e); }

static void teardown(void) { mtk_probe_echo_cleanup(&e); }

static void parse(const char *body) {
  mtk_probe_echo_cleanup(&e);
  ck_assert_int_eq(mtk_probe_echo_parse(body, strlen(body), &e), 0);
}

static void expect_header(size_t i, const char *name, const char *value) {
  ck_assert_uint_lt(i, e.num_headers);
  ck_assert_str_eq(e.headers[i].name, name);
  ck_assert_str_eq(e.headers[i].value, value);
}

START_TEST(test_echo_pairs) {
  // mtlskit serve's echo: order and duplicates kept, other keys ignored,
  // elements that are not [string, string] skipped, values trimmed.
  parse(
      "{\"schema_version\":1,\"profile\":\"alb-verify\",\"method\":\"GET\","
      "\"headers\":[[\"Host\",\"127.0.0.1:8443\"],"
      "[\"X-Amzn-Mtls-Clientcert-Serial-Number\",\" 03A5B1\\t\"],"
      "[\"X-A\",\"1\"],[\"X-A\",\"2\"],[\"odd\"],[\"n\",3],\"flat\","
      "[\"X-Empty\",\"\"]]}");
  ck_assert_int_eq(e.format, MTK_PROBE_ECHO_PAIRS);
  ck_assert_str_eq(mtk_probe_echo_format_name(e.format), "pairs");
  ck_assert_uint_eq(e.num_headers, 5);
  expect_header(0, "Host", "127.0.0.1:8443");
  expect_header(1, "X-Amzn-Mtls-Clientcert-Serial-Number", "03A5B1");
  expect_header(2, "X-A", "1");
  expect_header(3, "X-A", "2");
  expect_header(4, "X-Empty", "");
  // JSON escapes are decoded: a URL-encoded PEM arrives as sent.
  parse(
      "{\"headers\":[[\"X-Amzn-Mtls-Clientcert-Leaf\","
      "\"-----BEGIN%20CERTIFICATE-----%0AMIIB\\/+==\\u0041\"]]}");
  expect_header(0, "X-Amzn-Mtls-Clientcert-Leaf",
                "-----BEGIN%20CERTIFICATE-----%0AMIIB/+==A");
}
END_TEST

START_TEST(test_echo_object) {
  // httpbin: {"headers": {name: value}}; go-httpbin: lists of values.
  parse(
      "{\"args\": {}, \"headers\": {\"Host\": \"httpbin.org\", "
      "\"X-Amzn-Mtls-Clientcert-Subject\": \"CN=a,O=b\", "
      "\"X-Multi\": [\"1\", 2, \"3\"], \"X-Obj\": {\"a\": \"b\"}}, "
      "\"url\": \"https://httpbin.org/headers\"}");
  ck_assert_int_eq(e.format, MTK_PROBE_ECHO_OBJECT);
  ck_assert_str_eq(mtk_probe_echo_format_name(e.format), "object");
  ck_assert_uint_eq(e.num_headers, 4);
  expect_header(0, "Host", "httpbin.org");
  expect_header(1, "X-Amzn-Mtls-Clientcert-Subject", "CN=a,O=b");
  expect_header(2, "X-Multi", "1");
  expect_header(3, "X-Multi", "3");
}
END_TEST

START_TEST(test_echo_lines) {
  // A raw request dump: the request line is not a header, CRLF and LF both
  // end lines, OWS is trimmed, the blank line ends the block (the body
  // after it is not read), lines that are not "token:value" are skipped.
  parse(
      "\r\nGET /x HTTP/1.1\r\nHost: a.example\r\n"
      "X-Amzn-Mtls-Clientcert-Serial-Number:   03A5B1  \r\n"
      "Bad Name: no\r\n: empty name\r\nno colon here\n"
      "x-amzn-mtls-clientcert-validity:NotBefore=a;NotAfter=b\n"
      "Empty:\r\n"
      "\r\nBody-Line: not a header\r\n");
  ck_assert_int_eq(e.format, MTK_PROBE_ECHO_LINES);
  ck_assert_str_eq(mtk_probe_echo_format_name(e.format), "lines");
  ck_assert_uint_eq(e.num_headers, 4);
  expect_header(0, "Host", "a.example");
  expect_header(1, "X-Amzn-Mtls-Clientcert-Serial-Number", "03A5B1");
  expect_header(2, "x-amzn-mtls-clientcert-validity", "NotBefore=a;NotAfter=b");
  expect_header(3, "Empty", "");
  // The last line needs no newline; the length bounds the body (no NUL).
  const char buf[] = "A: 1\nB: 2XXXX";
  mtk_probe_echo_cleanup(&e);
  ck_assert_int_eq(mtk_probe_echo_parse(buf, 9, &e), 0);
  ck_assert_uint_eq(e.num_headers, 2);
  expect_header(1, "B", "2");
  // A line with a NUL byte is not a header.
  const char nul[] = "A: 1\nB: x\0y\nC: 3\n";
  mtk_probe_echo_cleanup(&e);
  ck_assert_int_eq(mtk_probe_echo_parse(nul, sizeof(nul) - 1, &e), 0);
  ck_assert_uint_eq(e.num_headers, 2);
  expect_header(0, "A", "1");
  expect_header(1, "C", "3");
}
END_TEST

START_TEST(test_echo_none) {
  // A JSON document is read only as JSON: no "headers" list or object, no
  // headers, even when a string in it looks like a header line.
  parse("{\"message\": \"ok\",\n\"note\": \"X-A: 1\"}");
  ck_assert_int_eq(e.format, MTK_PROBE_ECHO_NONE);
  ck_assert_str_eq(mtk_probe_echo_format_name(e.format), "none");
  ck_assert_uint_eq(e.num_headers, 0);
  ck_assert_ptr_null(e.headers);
  parse("{\"headers\": \"X-A: 1\"}");
  ck_assert_int_eq(e.format, MTK_PROBE_ECHO_NONE);
  parse("[[\"X-A\", \"1\"]]");
  ck_assert_int_eq(e.format, MTK_PROBE_ECHO_NONE);
  parse("{\"headers\": []}");
  ck_assert_int_eq(e.format, MTK_PROBE_ECHO_NONE);
  parse("ok\n");
  ck_assert_int_eq(e.format, MTK_PROBE_ECHO_NONE);
  ck_assert_uint_eq(e.num_headers, 0);
  mtk_probe_echo_cleanup(&e);
  ck_assert_int_eq(mtk_probe_echo_parse("", 0, &e), 0);
  ck_assert_int_eq(e.format, MTK_PROBE_ECHO_NONE);
  // Not JSON after all (cut short): read as lines.
  parse("{\"headers\": [[\"X-A\",\nX-B: 2\n");
  ck_assert_int_eq(e.format, MTK_PROBE_ECHO_LINES);
  ck_assert_uint_eq(e.num_headers, 1);
  expect_header(0, "X-B", "2");
}
END_TEST

static Suite *make_suite(void) {
  Suite *s = suite_create("probe_echo");
  TCase *tc = tcase_create("core");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_echo_pairs);
  tcase_add_test(tc, test_echo_object);
  tcase_add_test(tc, test_echo_lines);
  tcase_add_test(tc, test_echo_none);
  suite_add_tcase(s, tc);
  return s;
}

MTK_CHECK_MAIN(make_suite)
