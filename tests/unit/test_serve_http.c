// mtlskit serve's HTTP/1.x request parser: complete and partial heads,
// limits, and every refusal with its status.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "http.h"

static struct mtk_serve_http_limits limits;

static void setup(void) { mtk_serve_http_limits_alb(&limits); }

static int parse(const char *s, struct mtk_serve_http_request *req,
                 int *status) {
  return mtk_serve_http_parse(s, strlen(s), &limits, req, status);
}

START_TEST(test_http_complete_request) {
  struct mtk_serve_http_request req;
  int status = -1;
  const char *s =
      "GET /a?b=1 HTTP/1.1\r\nHost: x\r\nX-Amzn-Mtls-Clientcert-Subject:  "
      "CN=forged \t\r\nContent-Length: 3\r\n\r\nabc";
  ck_assert_int_eq(parse(s, &req, &status), 1);
  ck_assert_int_eq(status, 0);
  ck_assert_int_eq((int)req.method_len, 3);
  ck_assert(memcmp(req.method, "GET", 3) == 0);
  ck_assert_int_eq((int)req.target_len, 6);
  ck_assert(memcmp(req.target, "/a?b=1", 6) == 0);
  ck_assert_int_eq(req.minor_version, 1);
  ck_assert_int_eq((int)req.num_headers, 3);
  ck_assert(mtk_serve_http_name_is(req.headers[1].name, req.headers[1].name_len,
                                   "x-amzn-mtls-clientcert-subject"));
  ck_assert(mtk_serve_http_name_has_prefix(
      req.headers[1].name, req.headers[1].name_len, "x-amzn-mtls-"));
  ck_assert_int_eq((int)req.headers[1].value_len, 9);
  ck_assert(memcmp(req.headers[1].value, "CN=forged", 9) == 0);
  ck_assert_int_eq((int)req.content_length, 3);
  ck_assert_int_eq((int)req.head_len, (int)(strlen(s) - 3));
  ck_assert(req.keep_alive);
  ck_assert(!req.chunked);
}
END_TEST

START_TEST(test_http_partial_then_complete) {
  struct mtk_serve_http_request req;
  int status;
  const char *s = "GET / HTTP/1.0\r\nHost: x\r\n\r\n";
  for (size_t n = 0; n < strlen(s); n++) {
    ck_assert_int_eq(mtk_serve_http_parse(s, n, &limits, &req, &status), 0);
  }
  ck_assert_int_eq(parse(s, &req, &status), 1);
  ck_assert_int_eq(req.minor_version, 0);
  ck_assert(!req.keep_alive);  // HTTP/1.0 default
  ck_assert_int_eq(
      parse("GET / HTTP/1.0\nConnection: Keep-Alive\n\n", &req, &status), 1);
  ck_assert(req.keep_alive);
  ck_assert_int_eq(
      parse("GET / HTTP/1.1\r\nConnection: te, close\r\n\r\n", &req, &status),
      1);
  ck_assert(!req.keep_alive);
}
END_TEST

START_TEST(test_http_refusals) {
  static const struct {
    const char *text;
    int status;
  } bad[] = {
      {"\x16\x03\x01\x02\x01\x01\xfc\x03\x03\r\n\r\n", 400},
      {"GET /\r\n\r\n", 400},
      {"GET  / HTTP/1.1\r\n\r\n", 400},
      {"GET / HTTP/2.0\r\n\r\n", 505},
      {"GET / HTTP/1.1x\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nNo-Colon\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nName : v\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nA: b\r\n folded\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nA: b\x01\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: "
       "chunked\r\n\r\n",
       400},
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    struct mtk_serve_http_request req;
    int status = 0;
    ck_assert_msg(parse(bad[i].text, &req, &status) == -1, "case %zu", i);
    ck_assert_msg(status == bad[i].status, "case %zu: status %d", i, status);
  }
}
END_TEST

START_TEST(test_http_limits) {
  static char buf[80 * 1024];
  struct mtk_serve_http_request req;
  int status;
  // A request line over 16 K, complete or not.
  memset(buf, 'a', sizeof(buf));
  memcpy(buf, "GET /", 5);
  ck_assert_int_eq(
      mtk_serve_http_parse(buf, 16 * 1024 + 10, &limits, &req, &status), -1);
  ck_assert_int_eq(status, 414);
  // One header line over 16 K.
  int n = snprintf(buf, sizeof(buf), "GET / HTTP/1.1\r\nBig: ");
  memset(buf + n, 'v', 16 * 1024);
  memcpy(buf + n + 16 * 1024, "\r\n\r\n", 4);
  ck_assert_int_eq(mtk_serve_http_parse(buf, (size_t)n + 16 * 1024 + 4, &limits,
                                        &req, &status),
                   -1);
  ck_assert_int_eq(status, 431);
  // Many headers of 1 K: over 64 K in all.
  size_t len = (size_t)snprintf(buf, sizeof(buf), "GET / HTTP/1.1\r\n");
  for (int i = 0; i < 70; i++) {
    len += (size_t)snprintf(buf + len, sizeof(buf) - len, "H%d: ", i);
    memset(buf + len, 'v', 1000);
    len += 1000;
    memcpy(buf + len, "\r\n", 2);
    len += 2;
  }
  memcpy(buf + len, "\r\n", 2);
  len += 2;
  ck_assert_int_eq(mtk_serve_http_parse(buf, len, &limits, &req, &status), -1);
  ck_assert_int_eq(status, 431);
  // Too many header fields.
  limits.max_headers = 2;
  ck_assert_int_eq(
      parse("GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", &req, &status),
      -1);
  ck_assert_int_eq(status, 431);
  ck_assert_int_eq(
      parse("GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\n\r\n", &req, &status), 1);
}
END_TEST

START_TEST(test_http_garbage_never_reads_past_end) {
  // Every prefix of every byte pattern: the parser must answer 0, 1 or -1
  // (AddressSanitizer watches the reads).
  static const char *const seeds[] = {"GET / HTTP/1.1\r\nA: b\r\n\r\n",
                                      "\r\n\r\n\r\n", ":\r\n\r\n", "G E T\n\n",
                                      "\x80\xff\r\n"};
  for (size_t s = 0; s < sizeof(seeds) / sizeof(seeds[0]); s++) {
    size_t len = strlen(seeds[s]);
    for (size_t n = 0; n <= len; n++) {
      char *copy = malloc(n > 0 ? n : 1);
      memcpy(copy, seeds[s], n);
      struct mtk_serve_http_request req;
      int status;
      int rc = mtk_serve_http_parse(copy, n, &limits, &req, &status);
      ck_assert(rc == 0 || rc == 1 || rc == -1);
      free(copy);
    }
  }
}
END_TEST

START_TEST(test_http_random_mutations) {
  // 20,000 mutations of a valid request (bytes flipped, CR/LF/colon/space
  // inserted, truncated), with a fixed seed: every answer is 0, 1 or -1, a
  // complete head lies within the buffer, and -1 always names a status.
  static const char base[] =
      "POST /p?x=1 HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n"
      "Connection: keep-alive\r\nX-Amzn-Mtls-Clientcert: v\r\n\r\nbody";
  static const char specials[] = "\r\n: \t\x00\x7f\x80";
  uint32_t seed = 12345;
  char buf[sizeof(base) + 8];
  for (int round = 0; round < 20000; round++) {
    size_t len = sizeof(base) - 1;
    memcpy(buf, base, len);
    for (int k = 0; k < 1 + round % 4; k++) {
      seed = seed * 1103515245u + 12345u;
      size_t pos = (seed >> 8) % len;
      seed = seed * 1103515245u + 12345u;
      if (seed & 0x10000) {
        buf[pos] = specials[(seed >> 20) % (sizeof(specials) - 1)];
      } else {
        buf[pos] = (char)(seed >> 16);
      }
    }
    seed = seed * 1103515245u + 12345u;
    if (seed & 0x100000) {
      len = (seed >> 8) % (len + 1);
    }
    char *copy = malloc(len > 0 ? len : 1);
    memcpy(copy, buf, len);
    struct mtk_serve_http_request req;
    int status = 0;
    int rc = mtk_serve_http_parse(copy, len, &limits, &req, &status);
    ck_assert(rc == 0 || rc == 1 || rc == -1);
    if (rc == 1) {
      ck_assert(req.head_len <= len);
      for (size_t i = 0; i < req.num_headers; i++) {
        ck_assert(req.headers[i].value + req.headers[i].value_len <=
                  copy + len);
      }
    } else if (rc == -1) {
      ck_assert(status >= 400 && status <= 505);
    }
    free(copy);
  }
}
END_TEST

static Suite *serve_http_suite(void) {
  Suite *s = suite_create("serve_http");
  TCase *tc = tcase_create("parse");
  tcase_add_checked_fixture(tc, setup, NULL);
  tcase_add_test(tc, test_http_complete_request);
  tcase_add_test(tc, test_http_partial_then_complete);
  tcase_add_test(tc, test_http_refusals);
  tcase_add_test(tc, test_http_limits);
  tcase_add_test(tc, test_http_garbage_never_reads_past_end);
  tcase_add_test(tc, test_http_random_mutations);
  suite_add_tcase(s, tc);
  return s;
}

MTK_CHECK_MAIN(serve_http_suite)
