#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "mtlskit/junit.h"

START_TEST(test_junit_render) {
  struct mtk_junit *j = NULL;
  char *xml = NULL;
  size_t len = 0;
  ck_assert_int_eq(mtk_junit_new("probe <run>", &j), 0);
  ck_assert_int_eq(
      mtk_junit_add(j, "nginx", "ok", 0.5, MTK_JUNIT_PASSED, NULL, NULL), 0);
  ck_assert_int_eq(
      mtk_junit_add(j, "apache", "revoked", 0.25, MTK_JUNIT_FAILED,
                    "expected \"http 400\"", "a < b & c > d 'q'\nline 2"),
      0);
  ck_assert_int_eq(mtk_junit_add(j, "nginx", "eku", 0, MTK_JUNIT_SKIPPED,
                                 "unspecified", NULL),
                   0);
  ck_assert_int_eq(mtk_junit_add(j, "apache", "(target)", 0, MTK_JUNIT_ERROR,
                                 "server certificate not trusted", NULL),
                   0);
  ck_assert_int_eq(mtk_junit_render(j, &xml, &len), 0);
  ck_assert_uint_eq(strlen(xml), len);
  const char *want =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<testsuites name=\"probe &lt;run&gt;\" tests=\"4\" failures=\"1\" "
      "errors=\"1\" skipped=\"1\" time=\"0.750\">\n"
      "  <testsuite name=\"nginx\" tests=\"2\" failures=\"0\" errors=\"0\" "
      "skipped=\"1\" time=\"0.500\">\n"
      "    <testcase classname=\"nginx\" name=\"ok\" time=\"0.500\"/>\n"
      "    <testcase classname=\"nginx\" name=\"eku\" time=\"0.000\">\n"
      "      <skipped message=\"unspecified\"/>\n"
      "    </testcase>\n"
      "  </testsuite>\n"
      "  <testsuite name=\"apache\" tests=\"2\" failures=\"1\" errors=\"1\" "
      "skipped=\"0\" time=\"0.250\">\n"
      "    <testcase classname=\"apache\" name=\"revoked\" time=\"0.250\">\n"
      "      <failure message=\"expected &quot;http 400&quot;\" "
      "type=\"not-met\">a &lt; b &amp; c &gt; d &apos;q&apos;\nline 2"
      "</failure>\n"
      "    </testcase>\n"
      "    <testcase classname=\"apache\" name=\"(target)\" time=\"0.000\">\n"
      "      <error message=\"server certificate not trusted\" "
      "type=\"error\"/>\n"
      "    </testcase>\n"
      "  </testsuite>\n"
      "</testsuites>\n";
  ck_assert_str_eq(xml, want);
  free(xml);
  mtk_junit_free(j);
  mtk_junit_free(NULL);
}
END_TEST

// Bytes XML 1.0 cannot carry become '?'; valid UTF-8 passes through.
START_TEST(test_junit_sanitises) {
  struct mtk_junit *j = NULL;
  char *xml = NULL;
  size_t len = 0;
  ck_assert_int_eq(mtk_junit_new("s", &j), 0);
  ck_assert_int_eq(mtk_junit_add(j, "c",
                                 "n\x01"
                                 "a\x1b"
                                 "b\tc",
                                 0, MTK_JUNIT_FAILED,
                                 "caf\xc3\xa9 \xe2\x82\xac bad\xff\xc3 "
                                 "over\xc0\xaf sur\xed\xa0\x80 nc\xef\xbf\xbf",
                                 NULL),
                   0);
  ck_assert_int_eq(mtk_junit_render(j, &xml, &len), 0);
  ck_assert_ptr_nonnull(strstr(xml, "name=\"n?a?b\tc\""));
  ck_assert_ptr_nonnull(strstr(
      xml, "message=\"caf\xc3\xa9 \xe2\x82\xac bad?? over?? sur??? nc???\""));
  free(xml);
  mtk_junit_free(j);
}
END_TEST

START_TEST(test_junit_write) {
  struct mtk_junit *j = NULL;
  char dir[] = "/tmp/mtk-junit.XXXXXX";
  char path[64];
  ck_assert_ptr_nonnull(mkdtemp(dir));
  snprintf(path, sizeof(path), "%s/out.xml", dir);
  ck_assert_int_eq(mtk_junit_new("s", &j), 0);
  ck_assert_int_eq(mtk_junit_write(j, path, NULL), 0);
  FILE *f = fopen(path, "r");
  ck_assert_ptr_nonnull(f);
  char buf[256] = {0};
  ck_assert_uint_gt(fread(buf, 1, sizeof(buf) - 1, f), 0);
  fclose(f);
  ck_assert_ptr_nonnull(strstr(buf, "<testsuites name=\"s\" tests=\"0\""));
  // An unwritable destination fails and says so.
  snprintf(path, sizeof(path), "%s/no/such/dir.xml", dir);
  struct mtk_diag d;
  mtk_diag_init(&d);
  ck_assert_int_lt(mtk_junit_write(j, path, &d), 0);
  mtk_junit_free(j);
  snprintf(path, sizeof(path), "%s/out.xml", dir);
  unlink(path);
  rmdir(dir);
}
END_TEST

static Suite *make_suite(void) {
  Suite *s = suite_create("junit");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, test_junit_render);
  tcase_add_test(tc, test_junit_sanitises);
  tcase_add_test(tc, test_junit_write);
  suite_add_tcase(s, tc);
  return s;
}

MTK_CHECK_MAIN(make_suite)
