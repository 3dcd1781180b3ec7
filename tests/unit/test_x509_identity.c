#include <openssl/mem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check_main.h"
#include "mtlskit/ca.h"
#include "mtlskit/file.h"
#include "mtlskit/identity.h"

static char base[64];
static char cadir[128];

static void setup(void) {
  snprintf(base, sizeof(base), "/tmp/mtk-test-id.XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(base));
  snprintf(cadir, sizeof(cadir), "%s/ca", base);
  struct mtk_dn root, user;
  mtk_dn_init(&root);
  mtk_dn_init(&user);
  ck_assert_int_eq(mtk_dn_parse("/CN=id Root CA", &root, NULL), 0);
  ck_assert_int_eq(mtk_dn_parse("/CN=id user", &user, NULL), 0);
  struct mtk_ca_init_params p;
  memset(&p, 0, sizeof(p));
  p.subject = &root;
  p.days = 30;
  p.key_type = MTK_KEY_P256;
  p.intermediate = true;
  ck_assert_int_eq(mtk_ca_init(cadir, &p, time(NULL), NULL), 0);
  char sub[160], p12[160];
  snprintf(sub, sizeof(sub), "%s/intermediate", cadir);
  snprintf(p12, sizeof(p12), "%s/user.p12", base);
  struct mtk_ca ca;
  ck_assert_int_eq(
      mtk_ca_open(&ca, sub, MTK_CA_OPEN_LOCK | MTK_CA_OPEN_KEY, NULL, NULL), 0);
  char pw_text[] = "pw";
  struct mtk_secret pw = {.data = pw_text, .len = 2};
  struct mtk_ca_issue_req req;
  memset(&req, 0, sizeof(req));
  req.name = "user";
  req.subject = &user;
  req.not_before = time(NULL);
  req.not_after = req.not_before + 3600;
  req.key_type = MTK_KEY_RSA2048;
  req.p12_path = p12;
  req.p12_password = &pw;
  req.p12_profile = MTK_P12_MODERN;
  struct mtk_ca_issued out;
  ck_assert_int_eq(mtk_ca_issue(&ca, &req, &out, NULL), 0);
  X509_free(out.cert);
  ck_assert_int_eq(mtk_ca_commit(&ca, NULL), 0);
  mtk_ca_close(&ca);
  mtk_dn_cleanup(&root);
  mtk_dn_cleanup(&user);
}

static void teardown(void) {
  char cmd[128];
  snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
  ck_assert_int_eq(system(cmd), 0);
}

START_TEST(test_load_p12) {
  char p12[160];
  snprintf(p12, sizeof(p12), "%s/user.p12", base);
  struct mtk_identity id;
  char pw_text[] = "pw", wrong_text[] = "px";
  struct mtk_secret pw = {.data = pw_text, .len = 2};
  struct mtk_secret wrong = {.data = wrong_text, .len = 2};
  ck_assert_int_eq(mtk_identity_load_p12(&id, p12, &pw, NULL), 0);
  ck_assert_ptr_nonnull(id.key);
  ck_assert_int_eq(X509_check_private_key(id.leaf, id.key), 1);
  ck_assert_int_eq(sk_X509_num(id.chain), 2);  // intermediate, root
  char *s = X509_NAME_oneline(X509_get_subject_name(id.leaf), NULL, 0);
  ck_assert_str_eq(s, "/CN=id user");
  OPENSSL_free(s);
  mtk_identity_cleanup(&id);
  struct mtk_diag diag;
  mtk_diag_init(&diag);
  ck_assert_int_eq(mtk_identity_load_p12(&id, p12, &wrong, &diag),
                   MTK_EBADPASS);
  ck_assert_ptr_null(id.leaf);
}
END_TEST

START_TEST(test_load_pem_and_mismatch) {
  char cert[200], key[200], chain[200], other_key[200];
  snprintf(cert, sizeof(cert), "%s/intermediate/certs/user.cert.pem", cadir);
  snprintf(key, sizeof(key), "%s/intermediate/private/user.key.pem", cadir);
  snprintf(chain, sizeof(chain), "%s/intermediate/certs/ca-chain.cert.pem",
           cadir);
  snprintf(other_key, sizeof(other_key), "%s/private/ca.key.pem", cadir);
  struct mtk_identity id;
  ck_assert_int_eq(mtk_identity_load_pem(&id, cert, key, chain, NULL, NULL), 0);
  ck_assert_int_eq(sk_X509_num(id.chain), 2);
  mtk_identity_cleanup(&id);
  ck_assert_int_eq(
      mtk_identity_load_pem(&id, cert, other_key, NULL, NULL, NULL),
      MTK_ECRYPTO);
  ck_assert_ptr_null(id.leaf);
}
END_TEST

static Suite *identity_suite(void) {
  Suite *s = suite_create("identity");
  TCase *tc = tcase_create("identity");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_load_p12);
  tcase_add_test(tc, test_load_pem_and_mismatch);
  suite_add_tcase(s, tc);
  return s;
}

MTK_CHECK_MAIN(identity_suite)
