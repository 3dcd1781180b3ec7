// report_outline_parse (reports/outline.h): what it keeps of a probe
// result, that it keeps a loadgen result whole, and that it accepts no
// document jansson's defaults refuse.
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "outline.h"

// outline parses |text| from a buffer padded as outline.h requires.
static json_t *outline(const char *text) {
  size_t len = strlen(text);
  char *buf = calloc(1, len + REPORT_OUTLINE_PADDING);
  ck_assert_ptr_nonnull(buf);
  memcpy(buf, text, len);
  json_t *doc = report_outline_parse(buf, len);
  free(buf);
  return doc;
}

static const char probe_doc[] =
    "{\"schema_version\": 3, \"summary\": {\"met\": 1, \"not_met\": 0},"
    " \"started_at\": \"2026-12-04T06:00:00Z\","
    " \"targets\": [{\"name\": \"edge\", \"url\": \"https://x/\","
    "  \"results\": [{\"case\": \"ok-root-leaf\", \"result\": \"met\","
    "   \"expected\": \"http 2xx\", \"facts\": {\"curl_code\": 0},"
    "   \"observed\": {\"text\": \"http 200\", \"kind\": \"http\"},"
    "   \"timings_ms\": {\"tls\": 4.5}}, 7]}]}";

START_TEST(test_outline_keeps_what_a_comparison_reads) {
  json_t *doc = outline(probe_doc);
  ck_assert_ptr_nonnull(doc);
  json_error_t err;
  json_t *want = json_loads(
      "{\"schema_version\": 3, \"summary\": {\"met\": 1, \"not_met\": 0},"
      " \"started_at\": \"2026-12-04T06:00:00Z\","
      " \"targets\": [{\"name\": \"edge\", \"results\": [{\"case\": "
      "\"ok-root-leaf\", \"result\": \"met\", \"observed\": {\"text\": "
      "\"http 200\"}}, 7]}]}",
      0, &err);
  ck_assert_ptr_nonnull(want);
  ck_assert_msg(json_equal(doc, want), "outline: %s",
                json_dumps(doc, JSON_COMPACT));
  json_decref(want);
  json_decref(doc);
}
END_TEST

START_TEST(test_outline_keeps_a_loadgen_result_whole) {
  const char *text =
      "{\"schema_version\": 1, \"config\": {\"rate\": 100.5, \"url\": \"u\"},"
      " \"phases\": {\"handshake\": {\"count\": 3, \"p99_ns\": 1200000}},"
      " \"slo\": [{\"slo\": \"errors<=1%\", \"ok\": true}], \"x\": null,"
      " \"big\": -9223372036854775808, \"e\": 1e300, \"s\": \"\\u00e9\\n\"}";
  json_t *doc = outline(text);
  ck_assert_ptr_nonnull(doc);
  json_error_t err;
  json_t *want = json_loads(text, 0, &err);
  ck_assert_ptr_nonnull(want);
  ck_assert_msg(json_equal(doc, want), "outline: %s",
                json_dumps(doc, JSON_COMPACT));
  json_decref(want);
  json_decref(doc);
}
END_TEST

START_TEST(test_outline_refuses_what_jansson_refuses) {
  static const char *const bad[] = {
      "",
      "{\"schema_version\": 3, \"targets\": [",  // truncated
      "{\"a\": 1, \"a\": 2}",                    // a key twice
      "{\"targets\": [{\"name\": \"t\", \"url\": 1, \"url\": 2}]}",
      "{\"a\": \"x\\u0000y\"}",         // NUL in a string
      "{\"a\\u0000\": 1}",              // NUL in a key
      "{\"a\": 18446744073709551615}",  // beyond json_int_t
      "{\"a\": \"\xff\"}",              // not UTF-8
      "{\"a\": 1} {\"b\": 2}",          // two documents
      "{\"a\": 1e999}",
      "\"a 1,\"",  // not an object or array
      "12",
      // the same in the members the outline leaves out
      "{\"targets\": [{\"name\": \"t\", \"results\": [{\"case\": \"c\","
      " \"facts\": {\"os_errno\": 0, \"os_errno\": 1}}]}]}",
      "{\"targets\": [{\"results\": [{\"detail\": \"x\\u0000\"}]}]}",
      "{\"targets\": [{\"results\": [{\"timings\": [18446744073709551615]}]}]}",
      "{\"targets\": [{\"url\": {\"a\\u0000\": 1}}]}",
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    json_error_t err;
    json_t *j = json_loads(bad[i], JSON_REJECT_DUPLICATES, &err);
    ck_assert_msg(j == NULL, "jansson accepts case %zu", i);
    json_t *doc = outline(bad[i]);
    ck_assert_msg(doc == NULL, "the outline accepts case %zu: %s", i, bad[i]);
  }
}
END_TEST

START_TEST(test_outline_refuses_a_key_twice_in_a_large_object) {
  // Beyond 32 members the duplicate check takes another road.
  char text[4096] = "{";
  for (int i = 0; i < 40; i++) {
    char member[32];
    snprintf(member, sizeof(member), "\"k%d\": %d, ", i, i);
    strcat(text, member);
  }
  char ok[sizeof(text) + 16];
  snprintf(ok, sizeof(ok), "%s\"last\": 0}", text);
  json_t *doc = outline(ok);
  ck_assert_ptr_nonnull(doc);
  ck_assert_int_eq(json_object_size(doc), 41);
  json_decref(doc);
  strcat(text, "\"k7\": 0}");
  ck_assert_ptr_null(outline(text));
}
END_TEST

static Suite *outline_suite(void) {
  Suite *s = suite_create("report_outline");
  TCase *tc = tcase_create("outline");
  tcase_add_test(tc, test_outline_keeps_what_a_comparison_reads);
  tcase_add_test(tc, test_outline_keeps_a_loadgen_result_whole);
  tcase_add_test(tc, test_outline_refuses_what_jansson_refuses);
  tcase_add_test(tc, test_outline_refuses_a_key_twice_in_a_large_object);
  suite_add_tcase(s, tc);
  return s;
}

MTK_CHECK_MAIN(outline_suite)
