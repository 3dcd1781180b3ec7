#include <stdio.h>
#include <string.h>

#include "check_main.h"
#include "mtlskit/json.h"

START_TEST(test_json_print_indents_keeps_order_and_ends_line) {
  FILE *f = tmpfile();
  ck_assert_ptr_nonnull(f);
  json_t *doc = json_pack("{s:i, s:s}", "schema_version", 1, "a", "b");
  ck_assert_int_eq(mtk_json_print(f, doc), 0);
  rewind(f);
  char buf[128] = "";
  size_t n = fread(buf, 1, sizeof(buf) - 1, f);
  buf[n] = '\0';
  ck_assert_str_eq(buf, "{\n  \"schema_version\": 1,\n  \"a\": \"b\"\n}\n");
  fclose(f);
}
END_TEST

START_TEST(test_json_print_errors) {
  ck_assert_int_eq(mtk_json_print(stdout, NULL), MTK_ENOMEM);
  FILE *full = fopen("/dev/full", "w");
  ck_assert_ptr_nonnull(full);
  ck_assert_int_eq(mtk_json_print(full, json_pack("{s:i}", "x", 1)), MTK_EIO);
  fclose(full);
}
END_TEST

static Suite *json_suite(void) {
  Suite *s = suite_create("json");
  TCase *tc = tcase_create("print");
  tcase_add_test(tc, test_json_print_indents_keeps_order_and_ends_line);
  tcase_add_test(tc, test_json_print_errors);
  suite_add_tcase(s, tc);
  return s;
}

MTK_CHECK_MAIN(json_suite)
