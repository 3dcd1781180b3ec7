#include <string.h>

#include "check_main.h"
#include "mtlskit/cli.h"
#include "mtlskit/diag.h"
#include "mtlskit/error.h"

START_TEST(test_error_names_and_messages) {
  ck_assert_int_eq(MTK_ENOENT, -ENOENT);
  ck_assert_str_eq(mtk_err_name(MTK_ENOENT), "ENOENT");
  ck_assert_str_eq(mtk_err_name(MTK_EBADPASS), "EBADPASS");
  ck_assert_str_eq(mtk_err_name(-123456), "EUNKNOWN");
  ck_assert_str_eq(mtk_strerror(MTK_EBADPASS), "wrong passphrase");
  // An errno outside the table falls back to the C library's message.
  ck_assert_str_eq(mtk_strerror(-EPIPE), strerror(EPIPE));
  ck_assert_str_eq(mtk_strerror(-9999), "unknown error");
}
END_TEST

START_TEST(test_error_exit_status) {
  ck_assert_int_eq(mtk_exit_status(0), MTK_EXIT_OK);
  ck_assert_int_eq(mtk_exit_status(MTK_EUSAGE), MTK_EXIT_USAGE);
  ck_assert_int_eq(mtk_exit_status(MTK_EPARSE), MTK_EXIT_USAGE);
  ck_assert_int_eq(mtk_exit_status(MTK_ENOENT), MTK_EXIT_RUNTIME);
  ck_assert_int_eq(mtk_exit_status(MTK_ENOMEM), MTK_EXIT_INTERNAL);
  ck_assert_int_eq(mtk_exit_status(-EPIPE), MTK_EXIT_RUNTIME);
}
END_TEST

START_TEST(test_diag_set_and_prefix) {
  struct mtk_diag diag;
  mtk_diag_init(&diag);
  ck_assert_str_eq(mtk_diag_message(&diag, MTK_EIO), "input/output error");
  ck_assert_int_eq(mtk_diag_set(&diag, MTK_EPARSE, "line %d:\nbad", 7),
                   MTK_EPARSE);
  ck_assert_str_eq(diag.msg, "line 7: bad");  // newline flattened
  ck_assert_int_eq(mtk_diag_prefix(&diag, MTK_EIO, "%s", "index.txt"),
                   MTK_EPARSE);
  ck_assert_str_eq(mtk_diag_message(&diag, 0), "index.txt: line 7: bad");
  // NULL diag discards detail but keeps the code flowing.
  ck_assert_int_eq(mtk_diag_set(NULL, MTK_EIO, "x"), MTK_EIO);
  ck_assert_int_eq(mtk_diag_prefix(NULL, MTK_EIO, "x"), MTK_EIO);
}
END_TEST

START_TEST(test_diag_truncates_long_messages) {
  struct mtk_diag diag;
  mtk_diag_init(&diag);
  char big[2 * MTK_DIAG_MAX];
  memset(big, 'a', sizeof(big) - 1);
  big[sizeof(big) - 1] = '\0';
  mtk_diag_set(&diag, MTK_EIO, "%s", big);
  ck_assert_uint_eq(strlen(diag.msg), MTK_DIAG_MAX - 1);
}
END_TEST

static Suite *error_suite(void) {
  Suite *s = suite_create("error");
  TCase *tc = tcase_create("codes");
  tcase_add_test(tc, test_error_names_and_messages);
  tcase_add_test(tc, test_error_exit_status);
  suite_add_tcase(s, tc);
  tc = tcase_create("diag");
  tcase_add_test(tc, test_diag_set_and_prefix);
  tcase_add_test(tc, test_diag_truncates_long_messages);
  suite_add_tcase(s, tc);
  return s;
}

MTK_CHECK_MAIN(error_suite)
