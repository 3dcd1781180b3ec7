#include <dirent.h>
#include <openssl/mem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check_main.h"
#include "mtlskit/ca.h"
#include "mtlskit/file.h"
#include "mtlskit/x509_crl.h"

static char base[64];
static char cadir[128];
static struct mtk_dn root_dn, user_dn;

static void setup(void) {
  snprintf(base, sizeof(base), "/tmp/mtk-test-ca.XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(base));
  snprintf(cadir, sizeof(cadir), "%s/ca", base);
  mtk_dn_init(&root_dn);
  mtk_dn_init(&user_dn);
  ck_assert_int_eq(mtk_dn_parse("/C=JP/O=t/CN=t Root CA", &root_dn, NULL), 0);
  ck_assert_int_eq(mtk_dn_parse("/C=JP/O=t/CN=user", &user_dn, NULL), 0);
  struct mtk_ca_init_params p;
  memset(&p, 0, sizeof(p));
  p.subject = &root_dn;
  p.days = 30;
  p.key_type = MTK_KEY_P256;
  struct mtk_diag diag;
  mtk_diag_init(&diag);
  ck_assert_msg(mtk_ca_init(cadir, &p, time(NULL), &diag) == 0, "%s", diag.msg);
}

static void teardown(void) {
  char cmd[128];
  snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
  ck_assert_int_eq(system(cmd), 0);
  mtk_dn_cleanup(&root_dn);
  mtk_dn_cleanup(&user_dn);
}

// listing writes "path size" for every file under |dir| into |out|.
static void listing(const char *dir, char *out, size_t out_len) {
  char cmd[256];
  snprintf(cmd, sizeof(cmd),
           "cd '%s' && find . -type f -printf '%%p %%s\\n' | sort", dir);
  FILE *f = popen(cmd, "r");
  ck_assert_ptr_nonnull(f);
  size_t n = fread(out, 1, out_len - 1, f);
  out[n] = '\0';
  pclose(f);
}

static int issue(const char *name, const char *p12, struct mtk_diag *diag) {
  struct mtk_ca ca;
  int err =
      mtk_ca_open(&ca, cadir, MTK_CA_OPEN_LOCK | MTK_CA_OPEN_KEY, NULL, diag);
  if (err == 0) {
    char pw_text[] = "pw";
    struct mtk_secret pw = {.data = pw_text, .len = 2};
    struct mtk_ca_issue_req req;
    memset(&req, 0, sizeof(req));
    req.name = name;
    req.subject = &user_dn;
    req.profile = MTK_PROFILE_CLIENT;
    req.not_before = time(NULL);
    req.not_after = req.not_before + 86400;
    req.key_type = MTK_KEY_P256;
    req.p12_path = p12;
    req.p12_password = &pw;
    struct mtk_ca_issued out;
    err = mtk_ca_issue(&ca, &req, &out, diag);
    if (err == 0) {
      X509_free(out.cert);
      err = mtk_ca_commit(&ca, diag);
    }
  }
  mtk_ca_close(&ca);
  return err;
}

START_TEST(test_init_layout) {
  static const char *files[] = {
      "openssl.cnf", "index.txt",          "index.txt.attr",   "serial",
      "crlnumber",   "private/ca.key.pem", "certs/ca.cert.pem"};
  for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", cadir, files[i]);
    ck_assert_msg(mtk_file_exists(path), "%s missing", files[i]);
  }
  char path[256];
  struct stat st;
  snprintf(path, sizeof(path), "%s/private/ca.key.pem", cadir);
  ck_assert_int_eq(stat(path, &st), 0);
  ck_assert_int_eq(st.st_mode & 0777, 0600);
  // A second init refuses the non-empty directory.
  struct mtk_ca_init_params p;
  memset(&p, 0, sizeof(p));
  p.subject = &root_dn;
  p.days = 1;
  ck_assert_int_eq(mtk_ca_init(cadir, &p, time(NULL), NULL), MTK_EEXIST);
}
END_TEST

START_TEST(test_issue_revoke_crl) {
  struct mtk_diag diag;
  mtk_diag_init(&diag);
  ck_assert_msg(issue("alice", NULL, &diag) == 0, "%s", diag.msg);
  ck_assert_int_eq(issue("alice", NULL, &diag), MTK_EDUPLICATE);
  ck_assert_ptr_nonnull(strstr(diag.msg, "already used"));
  ck_assert_int_eq(issue("ca", NULL, &diag), MTK_EUSAGE);
  ck_assert_int_eq(issue("../x", NULL, &diag), MTK_EUSAGE);

  struct mtk_ca ca;
  ck_assert_int_eq(mtk_ca_open(&ca, cadir, MTK_CA_OPEN_LOCK, NULL, NULL), 0);
  ck_assert_uint_eq(ca.index.num_entries, 1);
  char serial[64];
  ck_assert_int_eq(mtk_ca_revoke(&ca, "alice", NULL, MTK_REASON_KEY_COMPROMISE,
                                 time(NULL), serial, sizeof(serial), NULL),
                   0);
  ck_assert_int_eq(mtk_ca_revoke(&ca, NULL, serial, MTK_REASON_NONE, time(NULL),
                                 serial, sizeof(serial), &diag),
                   MTK_EDUPLICATE);
  ck_assert_int_eq(mtk_ca_revoke(&ca, "bob", NULL, MTK_REASON_NONE, time(NULL),
                                 serial, sizeof(serial), &diag),
                   MTK_ENOTFOUND);
  ck_assert_int_eq(mtk_ca_commit(&ca, NULL), 0);
  mtk_ca_close(&ca);

  // Same subject again after revocation (unique_subject = no).
  ck_assert_int_eq(issue("alice-v2", NULL, &diag), 0);

  ck_assert_int_eq(
      mtk_ca_open(&ca, cadir, MTK_CA_OPEN_LOCK | MTK_CA_OPEN_KEY, NULL, NULL),
      0);
  char number[64];
  size_t num_revoked = 0;
  ck_assert_int_eq(mtk_ca_crl(&ca, 7, time(NULL), NULL, number, sizeof(number),
                              &num_revoked, NULL),
                   0);
  ck_assert_str_eq(number, "1000");
  ck_assert_uint_eq(num_revoked, 1);
  ck_assert_int_eq(mtk_ca_crl(&ca, 7, time(NULL), NULL, number, sizeof(number),
                              &num_revoked, NULL),
                   0);
  ck_assert_str_eq(number, "1001");
  mtk_ca_close(&ca);
  char path[256];
  snprintf(path, sizeof(path), "%s/crlnumber", cadir);
  char *text;
  size_t len;
  ck_assert_int_eq(mtk_file_read(path, 64, &text, &len, NULL), 0);
  ck_assert_str_eq(text, "1002\n");
  free(text);
}
END_TEST

START_TEST(test_failed_issue_changes_nothing) {
  char before[8192], after[8192];
  ck_assert_int_eq(issue("alice", NULL, NULL), 0);
  listing(cadir, before, sizeof(before));
  // The PKCS#12 cannot be created: every file made so far is removed.
  struct mtk_diag diag;
  mtk_diag_init(&diag);
  ck_assert_int_eq(issue("bob", "/dev/null/bob.p12", &diag), -ENOTDIR);
  listing(cadir, after, sizeof(after));
  ck_assert_str_eq(before, after);
}
END_TEST

START_TEST(test_truststore_and_chain) {
  char inter[160];
  snprintf(inter, sizeof(inter), "%s/two", base);
  struct mtk_ca_init_params p;
  memset(&p, 0, sizeof(p));
  p.subject = &root_dn;
  p.days = 30;
  p.key_type = MTK_KEY_P256;
  p.intermediate = true;
  struct mtk_diag diag;
  mtk_diag_init(&diag);
  ck_assert_msg(mtk_ca_init(inter, &p, time(NULL), &diag) == 0, "%s", diag.msg);
  struct mtk_ca ca;
  char *pem;
  size_t len;
  ck_assert_int_eq(mtk_ca_open(&ca, inter, 0, NULL, NULL), 0);
  ck_assert_uint_eq(ca.index.num_entries, 1);  // the intermediate
  ck_assert_int_eq(mtk_ca_truststore(&ca, &pem, &len, NULL), 0);
  mtk_ca_close(&ca);
  char *first = strstr(pem, "BEGIN CERTIFICATE");
  ck_assert_ptr_nonnull(first);
  ck_assert_ptr_nonnull(strstr(first + 1, "BEGIN CERTIFICATE"));
  free(pem);
  char sub[200];
  snprintf(sub, sizeof(sub), "%s/intermediate", inter);
  ck_assert_int_eq(mtk_ca_open(&ca, sub, 0, NULL, NULL), 0);
  ck_assert_int_eq(sk_X509_num(ca.chain), 1);  // the root above it
  char *oneline = X509_NAME_oneline(X509_get_subject_name(ca.cert), NULL, 0);
  ck_assert_str_eq(oneline, "/C=JP/O=t/CN=t Intermediate CA");
  OPENSSL_free(oneline);
  mtk_ca_close(&ca);
}
END_TEST

static Suite *ca_suite(void) {
  Suite *s = suite_create("ca");
  TCase *tc = tcase_create("ca");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_init_layout);
  tcase_add_test(tc, test_issue_revoke_crl);
  tcase_add_test(tc, test_failed_issue_changes_nothing);
  tcase_add_test(tc, test_truststore_and_chain);
  suite_add_tcase(s, tc);
  return s;
}

MTK_CHECK_MAIN(ca_suite)
