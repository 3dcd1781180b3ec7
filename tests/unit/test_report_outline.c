// report_outline_parse (reports/outline.h): the attempts it collects from a
// probe result, against the walk every report uses over jansson's reading
// (report_outline_from_doc), what it keeps of the rest, that it keeps a
// loadgen result whole, and that it accepts no document jansson's defaults
// refuse.
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "outline.h"

static struct report_outline_parser *parser;

static void setup(void) {
  parser = report_outline_parser_new();
  ck_assert_ptr_nonnull(parser);
}

static void teardown(void) { report_outline_parser_free(parser); }

// outline parses |text| from a buffer padded as outline.h requires; returns
// report_outline_parse's status.
static int outline(const char *text, struct report_outline *out) {
  size_t len = strlen(text);
  char *buf = calloc(1, len + REPORT_OUTLINE_PADDING);
  ck_assert_ptr_nonnull(buf);
  memcpy(buf, text, len);
  int status = report_outline_parse(parser, buf, len, out);
  free(buf);
  return status;
}

// jansson_outline is the outline of |text| as jansson reads it.
static void jansson_outline(const char *text, struct report_outline *out) {
  json_error_t err;
  json_t *doc = json_loads(text, JSON_REJECT_DUPLICATES, &err);
  ck_assert_msg(doc != NULL, "jansson: %s", err.text);
  ck_assert_int_eq(report_outline_from_doc(doc, out), 0);
}

static void assert_same_attempts(const struct report_outline *got,
                                 const struct report_outline *want) {
  ck_assert_uint_eq(got->num_attempts, want->num_attempts);
  for (size_t i = 0; i < want->num_attempts; i++) {
    const struct report_attempt *g = &got->attempts[i], *w = &want->attempts[i];
    ck_assert_str_eq(g->target, w->target);
    ck_assert_str_eq(g->case_name, w->case_name);
    ck_assert_str_eq(g->result, w->result);
    ck_assert_str_eq(g->observed, w->observed);
  }
}

// Two targets; attempts with every member a comparison reads, some missing
// or of another type, escapes, and elements that are not attempts.
static const char probe_doc[] =
    "{\"schema_version\": 3, \"summary\": {\"met\": 1, \"not_met\": 0},"
    " \"started_at\": \"2026-12-04T06:00:00Z\","
    " \"targets\": [{\"results\": [{\"result\": \"met\", \"case\": \"a\","
    "   \"expected\": \"http 2xx\", \"facts\": {\"curl_code\": 0},"
    "   \"observed\": {\"kind\": \"http\", \"text\": \"http 200\"},"
    "   \"timings_ms\": {\"tls\": 4.5}}, 7, [\"x\"],"
    "  {\"case\": \"b\\u00e9\\n\", \"result\": 3, \"observed\": \"reset\"},"
    "  {\"observed\": {\"text\": null}}], \"name\": \"edge \\\"1\\\"\","
    "  \"url\": \"https://x/\"},"
    "  \"not a target\", {\"results\": {\"case\": \"c\"}},"
    "  {\"name\": \"edge-2\", \"results\": [{\"case\": \"a\", \"result\":"
    "   \"not-met\", \"observed\": {\"text\": \"tls alert 48\"}}]},"
    "  {\"name\": 5, \"results\": [{\"case\": \"z\"}]}]}";

START_TEST(test_outline_collects_each_attempt) {
  struct report_outline got, want;
  ck_assert_int_eq(outline(probe_doc, &got), 0);
  jansson_outline(probe_doc, &want);
  ck_assert_uint_eq(got.num_attempts, 5);
  assert_same_attempts(&got, &want);
  // Spelled out once, beside the comparison with the reports' walk.
  ck_assert_str_eq(got.attempts[0].target, "edge \"1\"");
  ck_assert_str_eq(got.attempts[0].observed, "http 200");
  ck_assert_str_eq(got.attempts[1].case_name, "b\xc3\xa9\n");
  ck_assert_str_eq(got.attempts[1].result, "");
  ck_assert_str_eq(got.attempts[1].observed, "");
  ck_assert_str_eq(got.attempts[3].target, "edge-2");
  ck_assert_str_eq(got.attempts[4].target, "");
  report_outline_cleanup(&got);
  report_outline_cleanup(&want);
}
END_TEST

START_TEST(test_outline_keeps_the_rest_with_targets_empty) {
  struct report_outline got;
  ck_assert_int_eq(outline(probe_doc, &got), 0);
  json_error_t err;
  json_t *want = json_loads(
      "{\"schema_version\": 3, \"summary\": {\"met\": 1, \"not_met\": 0},"
      " \"started_at\": \"2026-12-04T06:00:00Z\", \"targets\": []}",
      0, &err);
  ck_assert_ptr_nonnull(want);
  ck_assert_msg(json_equal(got.doc, want), "outline: %s",
                json_dumps(got.doc, JSON_COMPACT));
  json_decref(want);
  report_outline_cleanup(&got);
}
END_TEST

START_TEST(test_outline_keeps_a_loadgen_result_whole) {
  const char *text =
      "{\"schema_version\": 1, \"config\": {\"rate\": 100.5, \"url\": \"u\"},"
      " \"phases\": {\"handshake\": {\"count\": 3, \"p99_ns\": 1200000}},"
      " \"slo\": [{\"slo\": \"errors<=1%\", \"ok\": true}], \"x\": null,"
      " \"big\": -9223372036854775808, \"e\": 1e300, \"s\": \"\\u00e9\\n\","
      " \"targets\": {\"not\": \"an array\"}}";
  struct report_outline got;
  ck_assert_int_eq(outline(text, &got), 0);
  json_error_t err;
  json_t *want = json_loads(text, 0, &err);
  ck_assert_ptr_nonnull(want);
  ck_assert_msg(json_equal(got.doc, want), "outline: %s",
                json_dumps(got.doc, JSON_COMPACT));
  ck_assert_uint_eq(got.num_attempts, 0);
  json_decref(want);
  report_outline_cleanup(&got);
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
      // the same in the members the outline leaves out or collects
      "{\"targets\": [{\"name\": \"t\", \"results\": [{\"case\": \"c\","
      " \"facts\": {\"os_errno\": 0, \"os_errno\": 1}}]}]}",
      "{\"targets\": [{\"results\": [{\"detail\": \"x\\u0000\"}]}]}",
      "{\"targets\": [{\"results\": [{\"timings\": [18446744073709551615]}]}]}",
      "{\"targets\": [{\"url\": {\"a\\u0000\": 1}}]}",
      "{\"targets\": [{\"name\": \"a\\u0000\", \"results\": []}]}",
      "{\"targets\": [{\"results\": [{\"case\": \"c\\u0000\"}]}]}",
      "{\"targets\": [{\"results\": [{\"case\": \"c\", \"case\": \"d\"}]}]}",
      "{\"targets\": [{\"results\": [{\"observed\": {\"text\": "
      "\"\\u0000\"}}]}]}",
      "{\"targets\": [{\"results\": [{\"observed\": {\"text\": \"a\","
      " \"text\": \"b\"}}]}]}",
      "{\"targets\": [{\"results\": [{\"result\": 18446744073709551615}]}]}",
      "{\"targets\": [{\"name\": \"a\", \"name\": \"b\"}]}",
      "{\"targets\": [], \"targets\": []}",
      "{\"targets\": [7, {\"a\": [18446744073709551615]}]}",
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    json_error_t err;
    json_t *j = json_loads(bad[i], JSON_REJECT_DUPLICATES, &err);
    ck_assert_msg(j == NULL, "jansson accepts case %zu", i);
    struct report_outline got;
    ck_assert_msg(outline(bad[i], &got) == -1,
                  "the outline accepts case %zu: %s", i, bad[i]);
    ck_assert_ptr_null(got.doc);
    ck_assert_ptr_null(got.attempts);
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
  struct report_outline got;
  ck_assert_int_eq(outline(ok, &got), 0);
  ck_assert_int_eq(json_object_size(got.doc), 41);
  report_outline_cleanup(&got);
  strcat(text, "\"k7\": 0}");
  ck_assert_int_eq(outline(text, &got), -1);
}
END_TEST

START_TEST(test_outline_parser_reads_documents_in_turn) {
  // The second document reuses the parser; the first outline's strings
  // must not point into the parser's memory.
  struct report_outline first, second;
  ck_assert_int_eq(outline(probe_doc, &first), 0);
  ck_assert_int_eq(
      outline("{\"targets\": [{\"name\": \"other\", \"results\": [{\"case\":"
              " \"zzzzzzzzzzzzzzzzzzzzzzzz\", \"result\": \"met\"}]}]}",
              &second),
      0);
  struct report_outline want;
  jansson_outline(probe_doc, &want);
  assert_same_attempts(&first, &want);
  ck_assert_str_eq(second.attempts[0].case_name, "zzzzzzzzzzzzzzzzzzzzzzzz");
  report_outline_cleanup(&first);
  report_outline_cleanup(&second);
  report_outline_cleanup(&want);
}
END_TEST

static Suite *outline_suite(void) {
  Suite *s = suite_create("report_outline");
  TCase *tc = tcase_create("outline");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_outline_collects_each_attempt);
  tcase_add_test(tc, test_outline_keeps_the_rest_with_targets_empty);
  tcase_add_test(tc, test_outline_keeps_a_loadgen_result_whole);
  tcase_add_test(tc, test_outline_refuses_what_jansson_refuses);
  tcase_add_test(tc, test_outline_refuses_a_key_twice_in_a_large_object);
  tcase_add_test(tc, test_outline_parser_reads_documents_in_turn);
  suite_add_tcase(s, tc);
  return s;
}

MTK_CHECK_MAIN(outline_suite)
