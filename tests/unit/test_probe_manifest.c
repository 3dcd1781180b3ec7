#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "manifest.h"

static char dir[64];

static void write_file(const char *rel, const char *text) {
  char path[256];
  snprintf(path, sizeof(path), "%s/%s", dir, rel);
  FILE *f = fopen(path, "w");
  ck_assert_ptr_nonnull(f);
  fputs(text, f);
  fclose(f);
}

static void setup(void) {
  snprintf(dir, sizeof(dir), "/tmp/mtk-manifest.XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(dir));
  write_file("a.pem", "cert");
  write_file("a.key", "key");
}

static void teardown(void) {
  char cmd[128];
  snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
  ck_assert_int_eq(system(cmd), 0);
}

static const char good[] =
    "{\"schema_version\": 1, \"generator\": \"test\","
    " \"trust\": {\"default\": {}, \"crl-expired\": {}},"
    " \"cases\": ["
    "  {\"name\": \"ok\", \"defects\": [\"none\"], \"trust\": \"default\","
    "   \"key_type\": \"ed25519\","
    "   \"files\": {\"cert\": \"a.pem\", \"key\": \"a.key\"},"
    "   \"verdict\": {\"strict\": \"accept\", \"reason\": \"ok\"}},"
    "  {\"name\": \"nocert\", \"defects\": [\"no-certificate\"], \"files\": "
    "{}},"
    "  {\"name\": \"two\", \"defects\": [\"expired\", \"revoked\"],"
    "   \"trust\": \"crl-expired\", \"files\": {\"cert\": \"a.pem\", \"key\": "
    "\"a.key\"},"
    "   \"verdict\": {\"strict\": \"reject\"}}"
    " ]}";

START_TEST(test_manifest_load) {
  struct mtk_probe_manifest m;
  struct mtk_diag d;
  char want[256];
  mtk_probe_manifest_init(&m);
  mtk_diag_init(&d);
  write_file("manifest.json", good);
  ck_assert_int_eq(mtk_probe_manifest_load(dir, &m, &d), 0);
  ck_assert_str_eq(m.generator, "test");
  ck_assert_uint_eq(m.num_trust, 2);
  ck_assert(mtk_probe_manifest_has_trust(&m, "crl-expired"));
  ck_assert(!mtk_probe_manifest_has_trust(&m, "other"));
  ck_assert_uint_eq(m.num_cases, 3);
  const struct mtk_probe_case *ok = mtk_probe_manifest_find(&m, "ok");
  snprintf(want, sizeof(want), "%s/a.pem", dir);
  ck_assert_str_eq(ok->cert, want);
  ck_assert_str_eq(ok->trust, "default");
  ck_assert_int_eq(ok->verdict_strict, MTK_PROBE_VERDICT_ACCEPT);
  ck_assert_str_eq(ok->reason, "ok");
  ck_assert_str_eq(ok->key_type, "ed25519");
  const struct mtk_probe_case *nocert = mtk_probe_manifest_find(&m, "nocert");
  ck_assert_ptr_null(nocert->cert);
  ck_assert_ptr_null(nocert->key);
  ck_assert_ptr_null(nocert->key_type);
  ck_assert_str_eq(nocert->trust, "default");  // the default variant
  ck_assert_int_eq(nocert->verdict_strict, MTK_PROBE_VERDICT_UNKNOWN);
  const struct mtk_probe_case *two = mtk_probe_manifest_find(&m, "two");
  ck_assert_uint_eq(two->num_defects, 2);
  ck_assert_int_eq(two->defects[0], MTK_DEFECT_EXPIRED);
  ck_assert_int_eq(two->defects[1], MTK_DEFECT_REVOKED);
  ck_assert_int_eq(two->verdict_strict, MTK_PROBE_VERDICT_REJECT);
  ck_assert_ptr_null(mtk_probe_manifest_find(&m, "nope"));
  mtk_probe_manifest_cleanup(&m);
  ck_assert_uint_eq(m.num_cases, 0);
}
END_TEST

static void expect_bad(const char *json, int err, const char *msg) {
  struct mtk_probe_manifest m;
  struct mtk_diag d;
  mtk_probe_manifest_init(&m);
  mtk_diag_init(&d);
  write_file("manifest.json", json);
  ck_assert_int_eq(mtk_probe_manifest_load(dir, &m, &d), err);
  ck_assert_msg(strstr(d.msg, msg) != NULL, "'%s' not in '%s'", msg, d.msg);
  ck_assert_uint_eq(m.num_cases, 0);
  ck_assert_ptr_null(m.cases);
}

#define T_ "\"trust\": {\"default\": {}}, "
START_TEST(test_manifest_divergent_verdict) {
  // mtlskit fixtures marks cases where verifiers legitimately disagree.
  struct mtk_probe_manifest m;
  struct mtk_diag d;
  mtk_probe_manifest_init(&m);
  mtk_diag_init(&d);
  write_file("manifest.json",
             "{\"schema_version\": 1, \"trust\": {\"default\": "
             "{\"bundle\": \"r.pem\", \"crls\": []}}, \"cases\": ["
             "{\"name\": \"eku-missing\", \"defects\": [\"eku-missing\"], "
             "\"files\": {\"cert\": \"a.pem\", \"key\": \"a.key\"}, "
             "\"verdict\": {\"strict\": \"divergent\", \"reason\": "
             "\"bad-eku\"}}]}");
  ck_assert_int_eq(mtk_probe_manifest_load(dir, &m, &d), 0);
  const struct mtk_probe_case *c = mtk_probe_manifest_find(&m, "eku-missing");
  ck_assert_ptr_nonnull(c);
  ck_assert_int_eq(c->verdict_strict, MTK_PROBE_VERDICT_DIVERGENT);
  ck_assert_str_eq(c->reason, "bad-eku");
  mtk_probe_manifest_cleanup(&m);
}
END_TEST

START_TEST(test_manifest_errors) {
  expect_bad("{", MTK_EPARSE, "manifest.json line 1");
  expect_bad("{\"schema_version\": 2, " T_ "\"cases\": []}", MTK_EPARSE,
             "schema_version must be 1");
  expect_bad("{\"schema_version\": 1, \"cases\": [{}]}", MTK_EPARSE,
             "no \"trust\" variants");
  expect_bad("{\"schema_version\": 1, " T_ "\"cases\": []}", MTK_EPARSE,
             "no \"cases\"");
  expect_bad("{\"schema_version\": 1, " T_
             "\"cases\": [{\"defects\": [\"none\"]}]}",
             MTK_EPARSE, "cases[0]: no \"name\"");
  expect_bad("{\"schema_version\": 1, " T_
             "\"cases\": [{\"name\": \"x\", \"defects\": []}]}",
             MTK_EPARSE, "case x: \"defects\" must list 1 to 8 names");
  expect_bad("{\"schema_version\": 1, " T_
             "\"cases\": [{\"name\": \"x\", \"defects\": [\"expird\"]}]}",
             MTK_EPARSE, "case x: unknown defect 'expird'");
  expect_bad("{\"schema_version\": 1, " T_
             "\"cases\": [{\"name\": \"x\", \"defects\": [\"none\"], "
             "\"trust\": \"other\"}]}",
             MTK_EPARSE, "case x: trust variant 'other' is not in \"trust\"");
  expect_bad("{\"schema_version\": 1, " T_
             "\"cases\": [{\"name\": \"x\", \"defects\": [\"none\"], "
             "\"files\": {\"cert\": \"a.pem\"}}]}",
             MTK_EPARSE, "case x: files.cert without files.key");
  expect_bad("{\"schema_version\": 1, " T_
             "\"cases\": [{\"name\": \"x\", \"defects\": [\"none\"], "
             "\"files\": {\"cert\": \"a.pem\", \"key\": \"missing.key\"}}]}",
             MTK_ENOENT, "case x: ");
  expect_bad("{\"schema_version\": 1, " T_
             "\"cases\": [{\"name\": \"x\", \"defects\": [\"none\"], "
             "\"files\": {\"cert\": \"/etc/hostname\", \"key\": \"a.key\"}}]}",
             MTK_EPARSE, "must stay inside the fixture directory");
  expect_bad("{\"schema_version\": 1, " T_
             "\"cases\": [{\"name\": \"x\", \"defects\": [\"none\"]},"
             " {\"name\": \"x\", \"defects\": [\"none\"]}]}",
             MTK_EPARSE, "case x: duplicate name");
  expect_bad("{\"schema_version\": 1, " T_
             "\"cases\": [{\"name\": \"x\", \"defects\": [\"none\"], "
             "\"verdict\": {\"strict\": \"maybe\"}}]}",
             MTK_EPARSE, "verdict.strict must be accept, reject or divergent");
}
END_TEST

// A symlink inside the set is followed before the containment check: one
// that leads outside (itself, or a directory on the way) is refused, one
// that stays inside is fine, and the case then holds the resolved path.
START_TEST(test_manifest_symlinks) {
  char path[256], outside[64];
  snprintf(outside, sizeof(outside), "/tmp/mtk-outside.XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(outside));
  snprintf(path, sizeof(path), "%s/secret.pem", outside);
  FILE *f = fopen(path, "w");
  ck_assert_ptr_nonnull(f);
  fputs("not yours", f);
  fclose(f);
  snprintf(path, sizeof(path), "%s/link.pem", dir);
  ck_assert_int_eq(symlink("/etc/hostname", path), 0);
  snprintf(path, sizeof(path), "%s/sub", dir);
  ck_assert_int_eq(symlink(outside, path), 0);
  snprintf(path, sizeof(path), "%s/inside.pem", dir);
  ck_assert_int_eq(symlink("a.pem", path), 0);
  expect_bad("{\"schema_version\": 1, " T_
             "\"cases\": [{\"name\": \"x\", \"defects\": [\"none\"], "
             "\"files\": {\"cert\": \"link.pem\", \"key\": \"a.key\"}}]}",
             MTK_EPARSE, "case x: path 'link.pem' leads to /");
  expect_bad("{\"schema_version\": 1, " T_
             "\"cases\": [{\"name\": \"x\", \"defects\": [\"none\"], "
             "\"files\": {\"cert\": \"link.pem\", \"key\": \"a.key\"}}]}",
             MTK_EPARSE, ", outside the fixture directory");
  expect_bad("{\"schema_version\": 1, " T_
             "\"cases\": [{\"name\": \"x\", \"defects\": [\"none\"], "
             "\"files\": {\"cert\": \"a.pem\", \"key\": \"sub/secret.pem\"}}]}",
             MTK_EPARSE, "outside the fixture directory");
  struct mtk_probe_manifest m;
  struct mtk_diag d;
  mtk_probe_manifest_init(&m);
  mtk_diag_init(&d);
  write_file("manifest.json",
             "{\"schema_version\": 1, \"trust\": {\"default\": {}}, "
             "\"cases\": [{\"name\": \"x\", \"defects\": [\"none\"], "
             "\"files\": {\"cert\": \"inside.pem\", \"key\": \"a.key\"}}]}");
  ck_assert_int_eq(mtk_probe_manifest_load(dir, &m, &d), 0);
  ck_assert_ptr_nonnull(strstr(m.cases[0].cert, "/a.pem"));
  mtk_probe_manifest_cleanup(&m);
  char cmd[128];
  snprintf(cmd, sizeof(cmd), "rm -rf %s", outside);
  ck_assert_int_eq(system(cmd), 0);
}
END_TEST

START_TEST(test_manifest_missing) {
  struct mtk_probe_manifest m;
  struct mtk_diag d;
  mtk_probe_manifest_init(&m);
  mtk_diag_init(&d);
  ck_assert_int_eq(mtk_probe_manifest_load(dir, &m, &d), MTK_ENOENT);
  ck_assert(strstr(d.msg, "manifest.json: no such file") != NULL);
}
END_TEST

static Suite *make_suite(void) {
  Suite *s = suite_create("probe_manifest");
  TCase *tc = tcase_create("core");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_manifest_load);
  tcase_add_test(tc, test_manifest_divergent_verdict);
  tcase_add_test(tc, test_manifest_errors);
  tcase_add_test(tc, test_manifest_symlinks);
  tcase_add_test(tc, test_manifest_missing);
  suite_add_tcase(s, tc);
  return s;
}

MTK_CHECK_MAIN(make_suite)
