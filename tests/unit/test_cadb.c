#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "mtlskit/cadb.h"
#include "mtlskit/file.h"
#include "mtlskit/x509_crl.h"

static char dir[64];

static void make_dir(void) {
  snprintf(dir, sizeof(dir), "/tmp/mtk-test-cadb.XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void remove_dir(void) {
  char cmd[128];
  snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
  ck_assert_int_eq(system(cmd), 0);
}

static const char *put(const char *name, const char *text) {
  static char path[256];
  snprintf(path, sizeof(path), "%s/%s", dir, name);
  unlink(path);
  ck_assert_int_eq(mtk_file_create(path, text, strlen(text), 0644, false, NULL),
                   0);
  return path;
}

// What `openssl ca` writes: V, R with a reason, R without, E.
static const char index_text[] =
    "V\t361120173151Z\t\t05C757C0A4457A42746D151B8391A0C1\tunknown\t"
    "/C=JP/O=w/CN=internal.user\n"
    "R\t270527173151Z\t261123173151Z,keyCompromise\t1000\tunknown\t"
    "/C=JP/O=w/CN=external.user\n"
    "R\t20500101000000Z\t261123173151Z\t1001\tunknown\t/CN=x\n"
    "E\t200101000000Z\t\t00FF\tunknown\t/CN=old\n";

START_TEST(test_index_round_trip) {
  const char *path = put("index.txt", index_text);
  struct mtk_cadb_index idx;
  ck_assert_int_eq(mtk_cadb_index_load(path, &idx, NULL), 0);
  ck_assert_uint_eq(idx.num_entries, 4);
  ck_assert_int_eq(idx.entries[1].status, 'R');
  ck_assert_str_eq(idx.entries[1].revoked, "261123173151Z,keyCompromise");
  ck_assert_int_eq(mtk_cadb_index_find(&idx, "1000"), 1);
  ck_assert_int_eq(
      mtk_cadb_index_find(&idx, "05c757c0a4457a42746d151b8391a0c1"), 0);
  ck_assert_int_eq(mtk_cadb_index_find(&idx, "FF"), 3);
  ck_assert_int_eq(mtk_cadb_index_find(&idx, "1002"), -1);
  ck_assert(mtk_cadb_index_has_subject(&idx, "/C=JP/O=w/CN=internal.user"));
  ck_assert(!mtk_cadb_index_has_subject(&idx, "/C=JP/O=w/CN=external.user"));
  char *out;
  size_t len;
  ck_assert_int_eq(mtk_cadb_index_render(&idx, &out, &len), 0);
  ck_assert_str_eq(out, index_text);  // byte for byte
  free(out);
  // Append many: the hash table grows and finds them all.
  for (int i = 0; i < 300; i++) {
    char serial[16];
    snprintf(serial, sizeof(serial), "%04X", 0x2000 + i);
    ck_assert_int_eq(
        mtk_cadb_index_append(&idx, "301231000000Z", serial, "/CN=n"), 0);
  }
  ck_assert_int_eq(mtk_cadb_index_append(&idx, "301231000000Z", "1000", "/"),
                   MTK_EDUPLICATE);
  ck_assert_int_eq(mtk_cadb_index_find(&idx, "2100"), 4 + 0x100);
  ck_assert_int_eq(mtk_cadb_index_revoke(&idx, 0, "261124000000Z"), 0);
  ck_assert_int_eq(mtk_cadb_index_render(&idx, &out, &len), 0);
  ck_assert(strncmp(out, "R\t361120173151Z\t261124000000Z\t05C7", 34) == 0);
  ck_assert_ptr_nonnull(
      strstr(out, "V\t301231000000Z\t\t212B\tunknown\t/CN=n\n"));
  free(out);
  mtk_cadb_index_cleanup(&idx);
}
END_TEST

START_TEST(test_index_corrupt_lines) {
  static const struct {
    const char *text, *why;
  } bad[] = {
      {"V\t361120173151Z\t\t1000\tunknown\n", "line 1: expected 6"},
      {"V\t361120173151Z\t\t1000\tunknown\t/CN=a\nX\t361120173151Z\t\t1001\t"
       "unknown\t/CN=b\n",
       "line 2: status"},
      {"V\t3611201731Z\t\t1000\tunknown\t/CN=a\n", "expiry"},
      {"V\t361120173151Z\t\t10G0\tunknown\t/CN=a\n", "malformed serial"},
      {"R\t361120173151Z\t\t1000\tunknown\t/CN=a\n", "revocation field"},
      {"R\t361120173151Z\t261123173151Z,lost\t1000\tunknown\t/CN=a\n",
       "revocation field"},
      {"V\t361120173151Z\t261123173151Z\t1000\tunknown\t/CN=a\n", "unrevoked"},
      {"V\t361120173151Z\t\t1000\tunknown\t/CN=a\nV\t361120173151Z\t\t1000"
       "\tunknown\t/CN=b\n",
       "duplicate serial"},
      {"V\t361120173151Z\t\t1000\tunknown\t/CN=a", "incomplete"},
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    const char *path = put("index.txt", bad[i].text);
    struct mtk_cadb_index idx;
    struct mtk_diag diag;
    mtk_diag_init(&diag);
    ck_assert_int_eq(mtk_cadb_index_load(path, &idx, &diag), MTK_ECORRUPT);
    ck_assert_msg(strstr(diag.msg, bad[i].why) != NULL, "case %zu: %s", i,
                  diag.msg);
    mtk_cadb_index_cleanup(&idx);
  }
}
END_TEST

START_TEST(test_hex_files) {
  uint8_t n[8];
  size_t len;
  ck_assert_int_eq(
      mtk_cadb_hex_read(put("serial", "1000\n"), n, sizeof(n), &len, NULL), 0);
  ck_assert_uint_eq(len, 2);
  ck_assert_int_eq(mtk_cadb_hex_increment(n, &len, sizeof(n)), 0);
  ck_assert_uint_eq(n[0], 0x10);
  ck_assert_uint_eq(n[1], 0x01);
  uint8_t ff[4] = {0x00, 0xff};
  len = 2;
  ck_assert_int_eq(mtk_cadb_hex_increment(ff, &len, sizeof(ff)), 0);
  ck_assert_uint_eq(len, 2);
  ck_assert_uint_eq(ff[0], 0x01);
  ck_assert_uint_eq(ff[1], 0x00);
  uint8_t top[4] = {0x7f};
  len = 1;
  ck_assert_int_eq(mtk_cadb_hex_increment(top, &len, sizeof(top)), 0);
  ck_assert_uint_eq(len, 2);  // 0x0080: stays positive
  ck_assert_uint_eq(top[0], 0x00);
  ck_assert_uint_eq(top[1], 0x80);
  struct mtk_diag diag;
  mtk_diag_init(&diag);
  ck_assert_int_eq(
      mtk_cadb_hex_read(put("serial", "10z0\n"), n, sizeof(n), &len, &diag),
      MTK_ECORRUPT);
  ck_assert_ptr_nonnull(strstr(diag.msg, "not a hex number"));
  ck_assert_int_eq(
      mtk_cadb_hex_read(put("serial", ""), n, sizeof(n), &len, NULL),
      MTK_ECORRUPT);
}
END_TEST

START_TEST(test_conf_variables_and_dir_override) {
  put("openssl.cnf",
      "# comment\n"
      "HOME = /nowhere\n"
      "[ ca ]\n"
      "default_ca = CA_mine   # trailing comment\n"
      "[ CA_mine ]\n"
      "dir = /somewhere/else\n"
      "database = $dir/db.txt\n"
      "certs = ${dir}/certs\n"
      "new_certs_dir = $dir/new\n"
      "private_key = $dir/private/root.key\n"
      "certificate = $CA_mine::dir/root.pem\n"
      "default_md = sha384\n"
      "default_days = 90\n"
      "unique_subject = yes\n");
  put("db.txt.attr", "unique_subject = no\n");
  struct mtk_cadb_conf conf;
  char want[256];
  ck_assert_int_eq(mtk_cadb_conf_load(dir, &conf, NULL), 0);
  snprintf(want, sizeof(want), "%s/db.txt", dir);
  ck_assert_str_eq(conf.database, want);
  snprintf(want, sizeof(want), "%s/root.pem", dir);
  ck_assert_str_eq(conf.certificate, want);
  snprintf(want, sizeof(want), "%s/crlnumber", dir);  // default
  ck_assert_str_eq(conf.crlnumber, want);
  ck_assert_int_eq(conf.default_md, MTK_DIGEST_SHA384);
  ck_assert_int_eq(conf.default_days, 90);
  ck_assert_int_eq(conf.default_crl_days, 30);
  ck_assert(conf.unique_subject);  // the cnf overrides the attr file

  put("openssl.cnf", "[ CA_default ]\ndatabase = $undefined/x\n");
  struct mtk_diag diag;
  mtk_diag_init(&diag);
  ck_assert_int_eq(mtk_cadb_conf_load(dir, &conf, &diag), MTK_ECORRUPT);
  ck_assert_ptr_nonnull(strstr(
      diag.msg, "openssl.cnf line 2: database = $undefined/x: cannot expand"));

  char missing[128];
  snprintf(missing, sizeof(missing), "%s/nope", dir);
  ck_assert_int_eq(mtk_cadb_conf_load(missing, &conf, &diag), MTK_ENOENT);
  ck_assert_ptr_nonnull(strstr(diag.msg, "is not a CA directory"));
}
END_TEST

START_TEST(test_rendered_cnf_reads_back) {
  char *text;
  size_t len;
  ck_assert_int_eq(mtk_cadb_cnf_render("/abs/ca", 1, "sha256", &text, &len), 0);
  ck_assert_ptr_nonnull(strstr(text,
                               "basicConstraints       = critical, "
                               "CA:true, pathlen:1\n"));
  put("openssl.cnf", text);
  free(text);
  struct mtk_cadb_conf conf;
  ck_assert_int_eq(mtk_cadb_conf_load(dir, &conf, NULL), 0);
  char want[256];
  snprintf(want, sizeof(want), "%s/private/ca.key.pem", dir);
  ck_assert_str_eq(conf.private_key, want);
  ck_assert_int_eq(conf.default_days, 365);
  ck_assert(!conf.unique_subject);
}
END_TEST

START_TEST(test_revoked_field) {
  time_t t;
  int r;
  ck_assert_int_eq(mtk_cadb_revoked_parse("261123173151Z", &t, &r), 0);
  ck_assert_int_eq(r, MTK_REASON_NONE);
  ck_assert_int_eq(mtk_cadb_revoked_parse("261123173151Z,superseded", &t, &r),
                   0);
  ck_assert_int_eq(r, MTK_REASON_SUPERSEDED);
  ck_assert_int_eq(
      mtk_cadb_revoked_parse("261123173151Z,keyTime,20261101000000Z", &t, &r),
      0);
  ck_assert_int_eq(r, MTK_REASON_KEY_COMPROMISE);
  ck_assert_int_eq(mtk_cadb_revoked_parse("x,superseded", &t, &r), MTK_EPARSE);
}
END_TEST

static Suite *cadb_suite(void) {
  Suite *s = suite_create("cadb");
  TCase *tc = tcase_create("cadb");
  tcase_add_checked_fixture(tc, make_dir, remove_dir);
  tcase_add_test(tc, test_index_round_trip);
  tcase_add_test(tc, test_index_corrupt_lines);
  tcase_add_test(tc, test_hex_files);
  tcase_add_test(tc, test_conf_variables_and_dir_override);
  tcase_add_test(tc, test_rendered_cnf_reads_back);
  tcase_add_test(tc, test_revoked_field);
  suite_add_tcase(s, tc);
  return s;
}

MTK_CHECK_MAIN(cadb_suite)
