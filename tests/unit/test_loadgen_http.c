// Unit tests for the load generator's HTTP response parser (loadgen/http.c).
#include <check.h>
#include <string.h>

#include "check_main.h"
#include "http.h"

// feed_bytewise feeds |s| one byte at a time, as the worst-case network
// would, and returns the parser's last result.
static int feed_bytewise(struct mtk_loadgen_http *p, const char *s,
                         size_t *consumed) {
  int r = 0;
  *consumed = 0;
  for (size_t i = 0; s[i] != '\0' && r == 0; i++) {
    size_t used;
    r = mtk_loadgen_http_feed(p, (const uint8_t *)s + i, 1, &used);
    *consumed += used;
  }
  return r;
}

START_TEST(test_content_length) {
  const char *resp =
      "HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Length: 3\r\n\r\nok\nNEXT";
  struct mtk_loadgen_http p;
  mtk_loadgen_http_init(&p);
  size_t used;
  ck_assert_int_eq(
      mtk_loadgen_http_feed(&p, (const uint8_t *)resp, strlen(resp), &used), 1);
  ck_assert_int_eq(p.status, 200);
  ck_assert_uint_eq(used, strlen(resp) - 4);  // "NEXT" is not ours
  mtk_loadgen_http_init(&p);
  ck_assert_int_eq(feed_bytewise(&p, resp, &used), 1);
  ck_assert_uint_eq(used, strlen(resp) - 4);
}
END_TEST

START_TEST(test_chunked_and_close) {
  const char *resp =
      "HTTP/1.1 403 Forbidden\r\ntransfer-encoding: chunked\r\n"
      "Connection: "
      "close\r\n\r\n4\r\nabcd\r\na;ext=1\r\n0123456789\r\n0\r\n\r\n";
  struct mtk_loadgen_http p;
  size_t used;
  mtk_loadgen_http_init(&p);
  ck_assert_int_eq(feed_bytewise(&p, resp, &used), 1);
  ck_assert_int_eq(p.status, 403);
  ck_assert(p.close);
  ck_assert_uint_eq(used, strlen(resp));
  // Cut before the last chunk: not complete.
  mtk_loadgen_http_init(&p);
  ck_assert_int_eq(
      mtk_loadgen_http_feed(&p, (const uint8_t *)resp, strlen(resp) - 5, &used),
      0);
}
END_TEST

START_TEST(test_no_body_and_eof) {
  struct mtk_loadgen_http p;
  size_t used;
  const char *nc = "HTTP/1.1 204 No Content\r\nContent-Length: 99\r\n\r\n";
  mtk_loadgen_http_init(&p);
  ck_assert_int_eq(
      mtk_loadgen_http_feed(&p, (const uint8_t *)nc, strlen(nc), &used), 1);
  ck_assert_int_eq(p.status, 204);
  // 100 Continue, then the real response.
  const char *cont =
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 400 Bad "
      "Request\r\nContent-Length: 0\r\n\r\n";
  mtk_loadgen_http_init(&p);
  ck_assert_int_eq(
      mtk_loadgen_http_feed(&p, (const uint8_t *)cont, strlen(cont), &used), 1);
  ck_assert_int_eq(p.status, 400);
  // No length: the body runs to the end of the connection.
  const char *eof = "HTTP/1.0 200 OK\r\n\r\nbody bytes";
  mtk_loadgen_http_init(&p);
  ck_assert(!mtk_loadgen_http_eof(&p));
  ck_assert_int_eq(
      mtk_loadgen_http_feed(&p, (const uint8_t *)eof, strlen(eof), &used), 0);
  ck_assert(mtk_loadgen_http_eof(&p));
  ck_assert_int_eq(p.status, 200);
}
END_TEST

START_TEST(test_garbage) {
  struct mtk_loadgen_http p;
  size_t used;
  const char *bad[] = {
      "SSH-2.0-OpenSSH\r\n", "HTTP/1.1 2x0 OK\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    mtk_loadgen_http_init(&p);
    ck_assert_msg(mtk_loadgen_http_feed(&p, (const uint8_t *)bad[i],
                                        strlen(bad[i]), &used) == MTK_EPARSE,
                  "accepted: %s", bad[i]);
  }
}
END_TEST

static Suite *http_suite(void) {
  Suite *s = suite_create("loadgen_http");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, test_content_length);
  tcase_add_test(tc, test_chunked_and_close);
  tcase_add_test(tc, test_no_body_and_eof);
  tcase_add_test(tc, test_garbage);
  suite_add_tcase(s, tc);
  return s;
}

MTK_CHECK_MAIN(http_suite)
