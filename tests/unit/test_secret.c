#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "mtlskit/secret.h"

START_TEST(test_secret_from_env) {
  struct mtk_secret s;
  ck_assert_int_eq(setenv("MTK_TEST_PW", "hunter2", 1), 0);
  ck_assert_int_eq(mtk_secret_read(&s, "env:MTK_TEST_PW", NULL, false, NULL),
                   0);
  ck_assert_str_eq(s.data, "hunter2");
  ck_assert_uint_eq(s.len, 7);
  ck_assert(!s.from_argv);
  mtk_secret_free(&s);
  ck_assert_ptr_null(s.data);
  ck_assert_uint_eq(s.len, 0);
}
END_TEST

START_TEST(test_secret_env_unset_names_variable_not_value) {
  struct mtk_secret s;
  struct mtk_diag diag;
  mtk_diag_init(&diag);
  unsetenv("MTK_TEST_UNSET");
  ck_assert_int_eq(
      mtk_secret_read(&s, "env:MTK_TEST_UNSET", NULL, false, &diag),
      MTK_ENOTFOUND);
  ck_assert_ptr_nonnull(strstr(diag.msg, "MTK_TEST_UNSET"));
  ck_assert_ptr_null(s.data);
}
END_TEST

START_TEST(test_secret_from_file_first_line) {
  char path[] = "/tmp/mtk-test-secret.XXXXXX";
  int fd = mkstemp(path);
  ck_assert_int_ge(fd, 0);
  const char body[] = "s3cret pass\r\nsecond line\n";
  ck_assert_int_eq(write(fd, body, sizeof(body) - 1), sizeof(body) - 1);
  close(fd);
  char source[64];
  snprintf(source, sizeof(source), "file:%s", path);
  struct mtk_secret s;
  ck_assert_int_eq(mtk_secret_read(&s, source, NULL, false, NULL), 0);
  ck_assert_str_eq(s.data, "s3cret pass");
  mtk_secret_free(&s);
  unlink(path);
  ck_assert_int_eq(mtk_secret_read(&s, source, NULL, false, NULL), MTK_ENOENT);
}
END_TEST

START_TEST(test_secret_pass_is_flagged_and_unknown_rejected) {
  struct mtk_secret s;
  ck_assert_int_eq(mtk_secret_read(&s, "pass:abc", NULL, false, NULL), 0);
  ck_assert_str_eq(s.data, "abc");
  ck_assert(s.from_argv);
  mtk_secret_free(&s);
  ck_assert_int_eq(mtk_secret_read(&s, "abc", NULL, false, NULL), MTK_EUSAGE);
}
END_TEST

START_TEST(test_secret_prompt_without_tty_fails) {
  // CI has no controlling terminal: the prompt must fail, not hang.
  if (access("/dev/tty", R_OK) == 0) {
    FILE *f = fopen("/dev/tty", "r");
    if (f != NULL) {
      fclose(f);
      return;  // a real terminal: nothing to check here
    }
  }
  struct mtk_secret s;
  ck_assert_int_eq(mtk_secret_read(&s, "prompt", NULL, false, NULL), MTK_EIO);
}
END_TEST

static Suite *secret_suite(void) {
  Suite *s = suite_create("secret");
  TCase *tc = tcase_create("sources");
  tcase_add_test(tc, test_secret_from_env);
  tcase_add_test(tc, test_secret_env_unset_names_variable_not_value);
  tcase_add_test(tc, test_secret_from_file_first_line);
  tcase_add_test(tc, test_secret_pass_is_flagged_and_unknown_rejected);
  tcase_add_test(tc, test_secret_prompt_without_tty_fails);
  suite_add_tcase(s, tc);
  return s;
}

MTK_CHECK_MAIN(secret_suite)
