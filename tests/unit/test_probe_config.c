#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "config.h"

static char dir[64];
static char path[128];

static void write_config(const char *text) {
  FILE *f = fopen(path, "w");
  ck_assert_ptr_nonnull(f);
  fputs(text, f);
  fclose(f);
}

static void setup(void) {
  snprintf(dir, sizeof(dir), "/tmp/mtk-config.XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(dir));
  snprintf(path, sizeof(path), "%s/probe.json", dir);
}

static void teardown(void) {
  unlink(path);
  rmdir(dir);
}

START_TEST(test_config_file) {
  struct mtk_probe_config c;
  struct mtk_diag d;
  char want[256];
  mtk_probe_config_init(&c);
  mtk_diag_init(&d);
  ck_assert_uint_eq(c.parallel, 32);
  ck_assert_uint_eq(c.timeout_ms, 35000);
  write_config(
      "{\"schema_version\": 1, \"fixtures\": \"fx\", \"targets\": ["
      " {\"name\": \"stg\", \"url\": \"https://api.example/\", \"profile\": "
      "\"alb-verify\", \"trust\": \"crl-expired\","
      "  \"resolve\": [\"api.example:443:10.0.0.1\"], \"connect_to\": "
      "[\"a:1:b:2\"],"
      "  \"cacert\": \"ca.pem\", \"sni\": \"api.example\", \"tls\": \"1.2\","
      "  \"http\": \"2\", \"method\": \"POST\", \"headers\": [\"X-A: 1\"],"
      "  \"timeout\": \"40s\", \"expect\": {\"revoked\": \"http 200\"},"
      "  \"alb_headers\": \"passthrough\"},"
      " {\"url\": \"https://b.example/\", \"profile\": \"ibm-cis\", "
      "\"insecure\": true, \"cacert\": \"/abs/ca.pem\"}"
      "]}");
  ck_assert_int_eq(mtk_probe_config_load_file(&c, path, &d), 0);
  snprintf(want, sizeof(want), "%s/fx", dir);
  ck_assert_str_eq(c.fixtures, want);
  ck_assert_uint_eq(c.num_targets, 2);
  const struct mtk_probe_target *t = &c.targets[0];
  ck_assert_str_eq(t->name, "stg");
  ck_assert_str_eq(t->profile->name, "alb-verify");
  ck_assert_str_eq(t->trust, "crl-expired");
  ck_assert_uint_eq(t->resolve.num, 1);
  ck_assert_str_eq(t->resolve.v[0], "api.example:443:10.0.0.1");
  ck_assert_str_eq(t->connect_to.v[0], "a:1:b:2");
  snprintf(want, sizeof(want), "%s/ca.pem", dir);
  ck_assert_str_eq(t->cacert, want);
  ck_assert_str_eq(t->sni, "api.example");
  ck_assert_int_eq(t->tls, 12);
  ck_assert_int_eq(t->http, 2);
  ck_assert_str_eq(t->method, "POST");
  ck_assert_str_eq(t->headers.v[0], "X-A: 1");
  ck_assert_uint_eq(t->timeout_ms, 40000);
  ck_assert_uint_eq(t->num_overrides, 1);
  ck_assert_str_eq(t->overrides[0].case_name, "revoked");
  ck_assert_str_eq(t->overrides[0].text, "http 200");
  ck_assert_int_eq(t->alb_headers, MTK_PROBE_ALB_PASSTHROUGH);
  t = &c.targets[1];
  ck_assert_int_eq(t->alb_headers, MTK_PROBE_ALB_OFF);  // not set: off
  ck_assert_str_eq(t->name, "https://b.example/");      // defaults to the URL
  ck_assert_str_eq(t->profile->name, "cloudflare");
  ck_assert(t->insecure);
  ck_assert_str_eq(t->cacert, "/abs/ca.pem");
  ck_assert_ptr_null(t->trust);
  mtk_probe_config_cleanup(&c);
}
END_TEST

static void expect_bad(const char *json, const char *msg) {
  struct mtk_probe_config c;
  struct mtk_diag d;
  mtk_probe_config_init(&c);
  mtk_diag_init(&d);
  write_config(json);
  ck_assert_int_ne(mtk_probe_config_load_file(&c, path, &d), 0);
  ck_assert_msg(strstr(d.msg, msg) != NULL, "'%s' not in '%s'", msg, d.msg);
  mtk_probe_config_cleanup(&c);
}

#define HEAD "{\"schema_version\": 1, \"targets\": ["
START_TEST(test_config_errors) {
  expect_bad("[", "probe.json line 1");
  expect_bad("{\"schema_version\": 3, \"targets\": []}",
             "schema_version must be 1");
  expect_bad(HEAD "]}", "\"targets\" must be a non-empty list");
  expect_bad(HEAD "1]}", "targets[0]: not an object");
  expect_bad(HEAD "{\"url\": \"https://x/\"}]}",
             "\"url\" and \"profile\" are required");
  expect_bad(HEAD "{\"url\": \"https://x/\", \"profile\": \"f5\"}]}",
             "unknown profile 'f5'");
  expect_bad(
      HEAD
      "{\"url\": \"https://x/\", \"profile\": \"nginx\", \"tls\": \"1.1\"}]}",
      "\"tls\" must be \"1.2\" or \"1.3\"");
  expect_bad(
      HEAD
      "{\"url\": \"https://x/\", \"profile\": \"nginx\", \"http\": \"3\"}]}",
      "\"http\" must be \"1.1\" or \"2\"");
  expect_bad(HEAD
             "{\"url\": \"https://x/\", \"profile\": \"nginx\", \"timeout\": "
             "\"10\"}]}",
             "bad \"timeout\" '10'");
  expect_bad(
      HEAD
      "{\"url\": \"https://x/\", \"profile\": \"nginx\", \"insecure\": 1}]}",
      "\"insecure\" must be true or false");
  expect_bad(
      HEAD
      "{\"url\": \"https://x/\", \"profile\": \"nginx\", \"resolve\": \"a\"}]}",
      "\"resolve\" must be a list of strings");
  expect_bad(
      HEAD
      "{\"url\": \"https://x/\", \"profile\": \"nginx\", \"expect\": []}]}",
      "\"expect\" maps case names to outcomes");
  expect_bad(HEAD
             "{\"url\": \"https://x/\", \"profile\": \"nginx\", \"expect\": "
             "{\"a\": \"http 2\"}}]}",
             "bad HTTP status");
  expect_bad(HEAD
             "{\"url\": \"https://x/\", \"profile\": \"nginx\"},"
             "{\"url\": \"https://x/\", \"profile\": \"node\"}]}",
             "two targets are named 'https://x/'");
  expect_bad(
      HEAD "{\"url\": \"https://x/\", \"profile\": \"nginx\", \"proxy\": 1}]}",
      "unknown key \"proxy\"");
  expect_bad(HEAD
             "{\"url\": \"https://x/\", \"profile\": \"alb-verify\", "
             "\"alb_headers\": \"on\"}]}",
             "target https://x/: \"alb_headers\" must be \"verify\" or "
             "\"passthrough\"");
  expect_bad(HEAD
             "{\"url\": \"https://x/\", \"profile\": \"alb-verify\", "
             "\"alb_headers\": true}]}",
             "\"alb_headers\" must be \"verify\" or \"passthrough\"");
}
END_TEST

START_TEST(test_override_spec) {
  struct mtk_probe_target t;
  struct mtk_diag d;
  mtk_probe_target_init(&t);
  mtk_diag_init(&d);
  ck_assert_int_eq(mtk_probe_target_add_override(&t, "revoked=http 200", &d),
                   0);
  ck_assert_int_eq(mtk_probe_target_add_override(&t, "expired=refused", &d), 0);
  // A later override of the same case replaces the earlier one.
  ck_assert_int_eq(mtk_probe_target_add_override(&t, "revoked=http 403", &d),
                   0);
  ck_assert_uint_eq(t.num_overrides, 2);
  ck_assert_str_eq(t.overrides[0].text, "http 403");
  ck_assert_int_eq(mtk_probe_target_add_override(&t, "=reset", &d), MTK_EPARSE);
  ck_assert_int_eq(mtk_probe_target_add_override(&t, "x=", &d), MTK_EPARSE);
  ck_assert_int_eq(mtk_probe_target_add_override(&t, "x=bogus", &d),
                   MTK_EPARSE);
  ck_assert_str_eq(d.msg, "--expect 'x=bogus': unknown outcome 'bogus'");
  ck_assert_uint_eq(t.num_overrides, 2);
  mtk_probe_target_cleanup(&t);
  int v;
  ck_assert_int_eq(mtk_probe_parse_tls("1.3", &v), 0);
  ck_assert_int_eq(v, 13);
  ck_assert_int_eq(mtk_probe_parse_tls("1.0", &v), MTK_EPARSE);
  ck_assert_int_eq(mtk_probe_parse_http("1.1", &v), 0);
  ck_assert_int_eq(v, 11);
  ck_assert_int_eq(mtk_probe_parse_http("2.0", &v), MTK_EPARSE);
}
END_TEST

static int validate(const char *url, const char *resolve,
                    const char *connect_to, const char *header,
                    const char *method, const char *cacert, char *msg) {
  struct mtk_probe_target t;
  struct mtk_diag d;
  mtk_probe_target_init(&t);
  mtk_diag_init(&d);
  t.name = strdup("t");
  t.url = strdup(url);
  if (resolve != NULL) {
    ck_assert_int_eq(mtk_probe_strv_push(&t.resolve, resolve), 0);
  }
  if (connect_to != NULL) {
    ck_assert_int_eq(mtk_probe_strv_push(&t.connect_to, connect_to), 0);
  }
  if (header != NULL) {
    ck_assert_int_eq(mtk_probe_strv_push(&t.headers, header), 0);
  }
  t.method = method != NULL ? strdup(method) : NULL;
  t.cacert = cacert != NULL ? strdup(cacert) : NULL;
  int err = mtk_probe_target_validate(&t, &d);
  snprintf(msg, MTK_DIAG_MAX, "%s", d.msg);
  // --alb-headers needs a response body: HEAD is refused with it only.
  if (err == 0 && method != NULL && strcmp(method, "HEAD") == 0) {
    t.alb_headers = MTK_PROBE_ALB_VERIFY;
    err = mtk_probe_target_validate(&t, &d);
    snprintf(msg, MTK_DIAG_MAX, "%s", d.msg);
  }
  mtk_probe_target_cleanup(&t);
  return err;
}

START_TEST(test_target_validate) {
  char msg[MTK_DIAG_MAX];
  ck_assert_int_eq(
      validate("https://a.example:8443/x", "a.example:8443:10.0.0.1",
               "a.example:8443:b:443", "X-A: 1", "POST", NULL, msg),
      0);
  ck_assert_int_eq(validate("https://[::1]:443/", "+[::1]:443:::1,::2",
                            "::b:", "X-Empty;x: y", "GET", path, msg),
                   MTK_ENOENT);  // probe.json does not exist yet
  ck_assert_int_eq(
      validate("https://x/", "-x:443", NULL, "X-Empty;", NULL, NULL, msg), 0);
  static const struct {
    const char *url, *resolve, *connect_to, *header, *method, *want;
  } bad[] = {
      {"http://x/", NULL, NULL, NULL, NULL,
       "'http://x/' is not a valid https:// URL"},
      {"https://", NULL, NULL, NULL, NULL, "is not a valid https:// URL"},
      {"https://x:99999/", NULL, NULL, NULL, NULL,
       "is not a valid https:// URL"},
      {"https://[::1/", NULL, NULL, NULL, NULL, "is not a valid https:// URL"},
      {"https://x/", "garbage", NULL, NULL, NULL,
       "--resolve 'garbage': want HOST:PORT:ADDR"},
      {"https://x/", "x:0:1.2.3.4", NULL, NULL, NULL,
       "--resolve 'x:0:1.2.3.4'"},
      {"https://x/", "x:443:", NULL, NULL, NULL, "--resolve 'x:443:'"},
      {"https://x/", "x:443", NULL, NULL, NULL, "--resolve 'x:443'"},
      {"https://x/", NULL, "garbage", NULL, NULL,
       "--connect-to 'garbage': want HOST:PORT:HOST2:PORT2"},
      {"https://x/", NULL, "a:b:c:d", NULL, NULL, "--connect-to 'a:b:c:d'"},
      {"https://x/", NULL, "a:1:c:70000", NULL, NULL,
       "--connect-to 'a:1:c:70000'"},
      {"https://x/", NULL, NULL, "garbage", NULL,
       "header 'garbage': want 'Name: value'"},
      {"https://x/", NULL, NULL, ": v", NULL, "header ': v'"},
      {"https://x/", NULL, NULL, NULL, "", "bad method ''"},
      {"https://x/", NULL, NULL, NULL, "GET X", "bad method 'GET X'"},
      {"https://x/", NULL, NULL, NULL, "HEAD",
       "target t: --alb-headers reads the echoed headers from the response "
       "body, which HEAD does not get"},
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    ck_assert_int_eq(validate(bad[i].url, bad[i].resolve, bad[i].connect_to,
                              bad[i].header, bad[i].method, NULL, msg),
                     MTK_EPARSE);
    ck_assert_msg(strstr(msg, bad[i].want) != NULL, "'%s' not in '%s'",
                  bad[i].want, msg);
  }
}
END_TEST

static Suite *make_suite(void) {
  Suite *s = suite_create("probe_config");
  TCase *tc = tcase_create("core");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_config_file);
  tcase_add_test(tc, test_config_errors);
  tcase_add_test(tc, test_override_spec);
  tcase_add_test(tc, test_target_validate);
  suite_add_tcase(s, tc);
  return s;
}

MTK_CHECK_MAIN(make_suite)
