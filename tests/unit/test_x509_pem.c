#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "mtlskit/file.h"
#include "mtlskit/pem.h"
#include "mtlskit/x509_key.h"

static char dir[64];

static void make_dir(void) {
  snprintf(dir, sizeof(dir), "/tmp/mtk-test-pem.XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void remove_dir(void) {
  char cmd[128];
  snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
  ck_assert_int_eq(system(cmd), 0);
}

START_TEST(test_pem_encode_lines) {
  uint8_t der[100];
  memset(der, 0xab, sizeof(der));
  char *pem;
  size_t len;
  ck_assert_int_eq(mtk_pem_encode("TEST", der, sizeof(der), &pem, &len), 0);
  ck_assert_uint_eq(strlen(pem), len);
  ck_assert(strncmp(pem, "-----BEGIN TEST-----\n", 21) == 0);
  // 100 bytes: two full 64-column lines and one of 8.
  const char *l1 = pem + 21;
  ck_assert_int_eq(strchr(l1, '\n') - l1, 64);
  ck_assert_ptr_nonnull(strstr(pem, "-----END TEST-----\n"));
  free(pem);
}
END_TEST

START_TEST(test_key_round_trip_and_passphrases) {
  EVP_PKEY *key = NULL, *back = NULL;
  ck_assert_int_eq(mtk_key_generate(MTK_KEY_ED25519, &key, NULL), 0);
  char pw_text[] = "s3cret", wrong_text[] = "nope";
  struct mtk_secret pw = {.data = pw_text, .len = 6};
  struct mtk_secret wrong = {.data = wrong_text, .len = 4};
  char *pem;
  size_t len;
  char plain[128], enc[128];
  snprintf(plain, sizeof(plain), "%s/plain.pem", dir);
  snprintf(enc, sizeof(enc), "%s/enc.pem", dir);
  ck_assert_int_eq(mtk_pem_key_encode(key, NULL, &pem, &len, NULL), 0);
  ck_assert_ptr_nonnull(strstr(pem, "BEGIN PRIVATE KEY"));
  ck_assert_int_eq(mtk_file_create(plain, pem, len, 0600, false, NULL), 0);
  free(pem);
  ck_assert_int_eq(mtk_pem_key_encode(key, &pw, &pem, &len, NULL), 0);
  ck_assert_ptr_nonnull(strstr(pem, "BEGIN ENCRYPTED PRIVATE KEY"));
  ck_assert_int_eq(mtk_file_create(enc, pem, len, 0600, false, NULL), 0);
  free(pem);

  ck_assert_int_eq(mtk_pem_read_key(plain, NULL, &back, NULL), 0);
  ck_assert_int_eq(EVP_PKEY_cmp(key, back), 1);
  EVP_PKEY_free(back);
  back = NULL;
  ck_assert_int_eq(mtk_pem_read_key(enc, &pw, &back, NULL), 0);
  ck_assert_int_eq(EVP_PKEY_cmp(key, back), 1);
  EVP_PKEY_free(back);
  back = NULL;
  struct mtk_diag diag;
  mtk_diag_init(&diag);
  ck_assert_int_eq(mtk_pem_read_key(enc, &wrong, &back, &diag), MTK_EBADPASS);
  ck_assert_ptr_nonnull(strstr(diag.msg, "wrong passphrase"));
  ck_assert_int_eq(mtk_pem_read_key(enc, NULL, &back, &diag), MTK_EBADPASS);
  ck_assert_ptr_nonnull(strstr(diag.msg, "no passphrase"));
  ck_assert_int_eq(mtk_pem_read_key(dir, NULL, &back, NULL), MTK_EINVAL);
  EVP_PKEY_free(key);
}
END_TEST

START_TEST(test_read_certs_errors) {
  char path[128];
  snprintf(path, sizeof(path), "%s/none.pem", dir);
  STACK_OF(X509) *certs = NULL;
  ck_assert_int_eq(mtk_pem_read_certs(path, &certs, NULL), MTK_ENOENT);
  ck_assert_int_eq(mtk_file_create(path, "hello\n", 6, 0644, false, NULL), 0);
  ck_assert_int_eq(mtk_pem_read_certs(path, &certs, NULL), MTK_EPARSE);
  snprintf(path, sizeof(path), "%s/bad.pem", dir);
  static const char bad[] =
      "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
  ck_assert_int_eq(
      mtk_file_create(path, bad, sizeof(bad) - 1, 0644, false, NULL), 0);
  ck_assert_int_eq(mtk_pem_read_certs(path, &certs, NULL), MTK_EPARSE);
}
END_TEST

static Suite *pem_suite(void) {
  Suite *s = suite_create("pem");
  TCase *tc = tcase_create("pem");
  tcase_add_checked_fixture(tc, make_dir, remove_dir);
  tcase_add_test(tc, test_pem_encode_lines);
  tcase_add_test(tc, test_key_round_trip_and_passphrases);
  tcase_add_test(tc, test_read_certs_errors);
  suite_add_tcase(s, tc);
  return s;
}

MTK_CHECK_MAIN(pem_suite)
