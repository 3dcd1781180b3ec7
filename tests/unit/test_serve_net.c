// net_server (mtk::net's server-side features for mtlskit serve): CA-name
// collection, setup of a server SSL, and the refusal calls outside the
// state they are meant for. The handshake paths run end to end in
// tests/integration/serve_*.sh.
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <string.h>

#include "check_main.h"
#include "mtlskit/net_server.h"

static X509 *cert_named(const char *cn) {
  X509 *x = X509_new();
  X509_NAME *name = X509_get_subject_name(x);
  ck_assert(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                       (const unsigned char *)cn, -1, -1, 0));
  return x;
}

START_TEST(test_net_server_ca_names) {
  STACK_OF(X509) *certs = sk_X509_new_null();
  STACK_OF(CRYPTO_BUFFER) *names = NULL;
  ck_assert_int_eq(mtk_net_server_ca_names_new(certs, &names), 0);
  ck_assert_int_eq((int)sk_CRYPTO_BUFFER_num(names), 0);
  mtk_net_server_ca_names_free(names);
  ck_assert(sk_X509_push(certs, cert_named("Root A")));
  ck_assert(sk_X509_push(certs, cert_named("Intermediate B")));
  ck_assert_int_eq(mtk_net_server_ca_names_new(certs, &names), 0);
  ck_assert_int_eq((int)sk_CRYPTO_BUFFER_num(names), 2);
  for (size_t i = 0; i < 2; i++) {
    uint8_t *der = NULL;
    int len =
        i2d_X509_NAME(X509_get_subject_name(sk_X509_value(certs, i)), &der);
    CRYPTO_BUFFER *b = sk_CRYPTO_BUFFER_value(names, i);
    ck_assert_int_eq((int)CRYPTO_BUFFER_len(b), len);
    ck_assert(memcmp(CRYPTO_BUFFER_data(b), der, (size_t)len) == 0);
    OPENSSL_free(der);
  }
  mtk_net_server_ca_names_free(names);
  mtk_net_server_ca_names_free(NULL);
  sk_X509_pop_free(certs, X509_free);
}
END_TEST

START_TEST(test_net_server_setup_and_refusals) {
  SSL_CTX *ctx = SSL_CTX_new(TLS_method());
  SSL *ssl = SSL_new(ctx);
  SSL_set_accept_state(ssl);
  struct mtk_net_server_opts opts;
  memset(&opts, 0, sizeof(opts));
  ck_assert_int_eq(mtk_net_server_setup_ssl(ssl, &opts), 0);
  // A client certificate is asked for, not required, and judged by us.
  ck_assert_int_eq(SSL_get_verify_mode(ssl), SSL_VERIFY_PEER);
  ck_assert(!mtk_net_server_refused(ssl));
  // No TLS 1.2 handshake under way: nothing to refuse by hand, nothing
  // held.
  ck_assert_int_eq(mtk_net_server_refuse_now(ssl), MTK_EINVAL);
  ck_assert_int_eq(mtk_net_server_refuse_finish(ssl), MTK_EINVAL);
  X509 *leaf = (X509 *)1;
  STACK_OF(X509) *chain = NULL;
  size_t bytes = 99;
  ck_assert_int_eq(mtk_net_server_peer_chain(ssl, &leaf, &chain, &bytes), 0);
  ck_assert_ptr_null(leaf);
  ck_assert_int_eq((int)sk_X509_num(chain), 0);
  ck_assert_int_eq((int)bytes, 0);
  sk_X509_free(chain);
  SSL_free(ssl);
  SSL_CTX_free(ctx);
}
END_TEST

static Suite *serve_net_suite(void) {
  Suite *s = suite_create("serve_net");
  TCase *tc = tcase_create("net_server");
  tcase_add_test(tc, test_net_server_ca_names);
  tcase_add_test(tc, test_net_server_setup_and_refusals);
  suite_add_tcase(s, tc);
  return s;
}

MTK_CHECK_MAIN(serve_net_suite)
