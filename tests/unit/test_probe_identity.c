#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "identity.h"
#include "test_probe_certs.h"

static char dir[64];

static const char *put(const char *name, const char *a, const char *b) {
  static char path[4][128];
  static int n;
  char *p = path[n++ % 4];
  snprintf(p, 128, "%s/%s", dir, name);
  FILE *f = fopen(p, "w");
  ck_assert_ptr_nonnull(f);
  fputs(a, f);
  if (b != NULL) {
    fputs(b, f);
  }
  fclose(f);
  return p;
}

static void setup(void) {
  snprintf(dir, sizeof(dir), "/tmp/mtk-identity.XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void) {
  char cmd[128];
  snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
  ck_assert_int_eq(system(cmd), 0);
}

START_TEST(test_identity_load_and_apply) {
  struct mtk_probe_identity *id = NULL;
  const char *cert = put("cert.pem", leaf_pem, other_pem);  // leaf + chain
  const char *key = put("key.pem", leaf_key, NULL);
  ck_assert_int_eq(mtk_probe_identity_load(cert, key, &id, NULL), 0);
  SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
  ck_assert_int_eq(mtk_probe_identity_apply(id, ctx), 0);
  X509 *leaf = SSL_CTX_get0_certificate(ctx);
  ck_assert_ptr_nonnull(leaf);
  char cn[64];
  X509_NAME_get_text_by_NID(X509_get_subject_name(leaf), NID_commonName, cn,
                            sizeof(cn));
  ck_assert_str_eq(cn, "leaf");
  STACK_OF(X509) *chain = NULL;
  ck_assert_int_eq(SSL_CTX_get0_chain_certs(ctx, &chain), 1);
  ck_assert_int_eq(sk_X509_num(chain), 1);
  X509_NAME_get_text_by_NID(X509_get_subject_name(sk_X509_value(chain, 0)),
                            NID_commonName, cn, sizeof(cn));
  ck_assert_str_eq(cn, "chain");
  ck_assert_int_eq(SSL_CTX_check_private_key(ctx), 1);
  // Exactly the file's certificates are sent: no chain built from the
  // server-CA store.
  ck_assert(SSL_CTX_get_mode(ctx) & SSL_MODE_NO_AUTO_CHAIN);
  // The accessors hand out the same certificates.
  ck_assert_int_eq(X509_cmp(mtk_probe_identity_leaf(id), leaf), 0);
  ck_assert_int_eq(sk_X509_num(mtk_probe_identity_chain(id)), 1);
  ck_assert_int_eq(X509_cmp(sk_X509_value(mtk_probe_identity_chain(id), 0),
                            sk_X509_value(chain, 0)),
                   0);
  SSL_CTX_free(ctx);
  mtk_probe_identity_free(id);
  mtk_probe_identity_free(NULL);
}
END_TEST

START_TEST(test_identity_errors) {
  struct mtk_probe_identity *id = NULL;
  struct mtk_diag d;
  mtk_diag_init(&d);
  const char *cert = put("cert.pem", leaf_pem, NULL);
  const char *wrong_key = put("wrong.pem", other_key, NULL);
  ck_assert_int_eq(mtk_probe_identity_load(cert, wrong_key, &id, &d),
                   MTK_EPARSE);
  ck_assert_ptr_nonnull(strstr(d.msg, "key does not match the certificate"));
  ck_assert_ptr_null(id);
  const char *junk = put("junk.pem", "not a certificate\n", NULL);
  ck_assert_int_eq(mtk_probe_identity_load(junk, wrong_key, &id, &d),
                   MTK_EPARSE);
  ck_assert_ptr_nonnull(strstr(d.msg, "junk.pem: no PEM certificate"));
  ck_assert_int_eq(mtk_probe_identity_load(cert, junk, &id, &d), MTK_EPARSE);
  ck_assert_ptr_nonnull(strstr(d.msg, "junk.pem: no PEM private key"));
  char missing[128];
  snprintf(missing, sizeof(missing), "%s/missing.pem", dir);
  ck_assert_int_eq(mtk_probe_identity_load(missing, wrong_key, &id, &d),
                   MTK_ENOENT);
  ck_assert_ptr_nonnull(strstr(d.msg, "missing.pem: no such file"));
  ck_assert_ptr_null(id);
}
END_TEST

// write_key writes |key| to |name| in |dir| as PEM, in the key type's own
// ("traditional") form if |traditional|, else PKCS#8.
static const char *write_key(const char *name, EVP_PKEY *key,
                             bool traditional) {
  static char path[128];
  snprintf(path, sizeof(path), "%s/%s", dir, name);
  BIO *f = BIO_new_file(path, "w");
  ck_assert_ptr_nonnull(f);
  ck_assert_int_eq(
      traditional ? PEM_write_bio_PrivateKey_traditional(f, key, NULL, NULL, 0,
                                                         NULL, NULL)
                  : PEM_write_bio_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL),
      1);
  BIO_free(f);
  return path;
}

START_TEST(test_identity_key_forms) {
  struct mtk_probe_identity *id = NULL;
  struct mtk_diag d;
  mtk_diag_init(&d);
  const char *cert = put("cert.pem", leaf_pem, NULL);
  // The leaf's own key rewritten as "BEGIN EC PRIVATE KEY" still loads.
  BIO *b = BIO_new_mem_buf(leaf_key, -1);
  EVP_PKEY *key = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
  BIO_free(b);
  ck_assert_ptr_nonnull(key);
  ck_assert_int_eq(
      mtk_probe_identity_load(cert, write_key("ec.pem", key, true), &id, &d),
      0);
  mtk_probe_identity_free(id);
  id = NULL;
  EVP_PKEY_free(key);
  // A key of another type than the certificate's is read, and refused as
  // not matching it (not as missing).
  key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
  ck_assert_ptr_nonnull(key);
  ck_assert_int_eq(
      mtk_probe_identity_load(cert, write_key("ed.pem", key, false), &id, &d),
      MTK_EPARSE);
  ck_assert_ptr_nonnull(strstr(d.msg, "key does not match the certificate"));
  ck_assert_ptr_null(id);
  EVP_PKEY_free(key);
}
END_TEST

static Suite *make_suite(void) {
  Suite *s = suite_create("probe_identity");
  TCase *tc = tcase_create("core");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_identity_load_and_apply);
  tcase_add_test(tc, test_identity_errors);
  tcase_add_test(tc, test_identity_key_forms);
  suite_add_tcase(s, tc);
  return s;
}

MTK_CHECK_MAIN(make_suite)
