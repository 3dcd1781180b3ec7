// Server-side TLS features of the local test servers (see
// include/mtlskit/net_server.h).
#include "mtlskit/net_server.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/mem.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

// Two ex_data slots per SSL: the options (borrowed) and the refusal mark
// (&refused_mark, or &deferred_mark while a TLS 1.2 refusal waits for
// mtk_net_server_refuse_finish).
static int opts_index = -1;
static int refused_index = -1;
static pthread_once_t index_once = PTHREAD_ONCE_INIT;
static char refused_mark;
static char deferred_mark;

static void make_indexes(void) {
  opts_index = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
  refused_index = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
}

// The signature algorithms a client may use in CertificateVerify:
// BoringSSL's defaults, in its order, plus ECDSA P-521 and, on request,
// Ed25519.
static const uint16_t verify_prefs[] = {
    SSL_SIGN_ECDSA_SECP256R1_SHA256,
    SSL_SIGN_RSA_PSS_RSAE_SHA256,
    SSL_SIGN_RSA_PKCS1_SHA256,
    SSL_SIGN_ECDSA_SECP384R1_SHA384,
    SSL_SIGN_RSA_PSS_RSAE_SHA384,
    SSL_SIGN_RSA_PKCS1_SHA384,
    SSL_SIGN_RSA_PSS_RSAE_SHA512,
    SSL_SIGN_RSA_PKCS1_SHA512,
    SSL_SIGN_ECDSA_SECP521R1_SHA512,
    SSL_SIGN_RSA_PKCS1_SHA1,
    SSL_SIGN_ED25519,
};

// A warning close_notify as a plaintext TLS 1.2 record: before the
// server's ChangeCipherSpec, TLS 1.2 records are not encrypted, so the
// alert s2n-tls sends for every error (§1.2) can be written by hand. TLS
// 1.3 records are encrypted by the time the client's certificate arrives.
static const uint8_t tls12_close_notify[] = {
    21, 0x03, 0x03, 0x00, 0x02,  // alert record, TLS 1.2, 2 bytes
    1,  0,                       // warning, close_notify
};

static bool in_tls12_handshake(const SSL *ssl) {
  return SSL_version(ssl) == TLS1_2_VERSION && SSL_in_init(ssl) &&
         SSL_get_fd(ssl) >= 0;
}

// divert sends whatever BoringSSL writes from now on to a memory BIO.
static int divert(SSL *ssl) {
  BIO *sink = BIO_new(BIO_s_mem());
  if (sink == NULL) {
    return MTK_ENOMEM;
  }
  SSL_set0_wbio(ssl, sink);
  return 0;
}

static void write_close(int fd) {
  // A failed send is the peer having gone: the refusal stands anyway.
  (void)send(fd, tls12_close_notify, sizeof(tls12_close_notify), MSG_NOSIGNAL);
  shutdown(fd, SHUT_WR);
}

int mtk_net_server_refuse_now(SSL *ssl) {
  if (!in_tls12_handshake(ssl)) {
    return MTK_EINVAL;
  }
  int err = divert(ssl);
  if (err != 0) {
    return err;
  }
  write_close(SSL_get_fd(ssl));
  return 0;
}

int mtk_net_server_refuse_finish(SSL *ssl) {
  if (SSL_get_ex_data(ssl, refused_index) != &deferred_mark) {
    return MTK_EINVAL;
  }
  SSL_set_ex_data(ssl, refused_index, &refused_mark);
  write_close(SSL_get_fd(ssl));
  return 0;
}

// refuse records the refusal of |ssl| and returns true when the handshake
// must fail now (TLS 1.2, close_notify written). Otherwise the handshake
// completes and the caller closes: TLS 1.3, or a deferred TLS 1.2 refusal
// whose output goes to a memory BIO meanwhile.
static bool refuse(SSL *ssl, const struct mtk_net_server_opts *opts) {
  SSL_set_ex_data(ssl, refused_index, &refused_mark);
  if (!in_tls12_handshake(ssl)) {
    return false;
  }
  if (opts->defer_refusal) {
    if (divert(ssl) == 0) {
      SSL_set_ex_data(ssl, refused_index, &deferred_mark);
    }
    return false;
  }
  return mtk_net_server_refuse_now(ssl) == 0;
}

static enum ssl_verify_result_t verify_cb(SSL *ssl, uint8_t *out_alert) {
  const struct mtk_net_server_opts *opts = SSL_get_ex_data(ssl, opts_index);
  if (opts == NULL || opts->verify == NULL ||
      opts->verify(ssl, opts->arg) == MTK_NET_VERDICT_ACCEPT) {
    return ssl_verify_ok;
  }
  if (!refuse(ssl, opts)) {
    return ssl_verify_ok;
  }
  *out_alert = SSL_AD_CLOSE_NOTIFY;  // goes to the memory BIO
  return ssl_verify_invalid;
}

// no_cert_cb gives the verify function its say when the client answered
// the CertificateRequest with no certificate, where BoringSSL's custom
// verify callback is not called: on entering the state that follows the
// client's Certificate message. The TLS 1.2 refusal then happens in the
// handshake, as for a bad certificate. The ctx's callback (mtk::net's
// alert tracking) runs first.
static void no_cert_cb(const SSL *cssl, int where, int ret) {
  void (*ctx_cb)(const SSL *, int, int) =
      SSL_CTX_get_info_callback(SSL_get_SSL_CTX(cssl));
  if (ctx_cb != NULL) {
    ctx_cb(cssl, where, ret);
  }
  if (where != SSL_CB_ACCEPT_LOOP) {
    return;
  }
  const STACK_OF(CRYPTO_BUFFER) *certs = SSL_get0_peer_certificates(cssl);
  if (certs != NULL && sk_CRYPTO_BUFFER_num(certs) > 0) {
    return;
  }
  const char *state = SSL_state_string_long(cssl);
  if (strcmp(state, "TLS server verify_client_certificate") != 0 &&
      strcmp(state, "TLS 1.3 server read_client_certificate_verify") != 0) {
    return;
  }
  // The info callback gets a const SSL; the refusal writes through it.
  SSL *ssl = (SSL *)cssl;
  const struct mtk_net_server_opts *opts = SSL_get_ex_data(ssl, opts_index);
  if (opts == NULL || opts->verify == NULL ||
      opts->verify(ssl, opts->arg) == MTK_NET_VERDICT_ACCEPT) {
    return;
  }
  // TLS 1.2: close_notify now (or deferred); the rest of the handshake
  // goes to the memory BIO. TLS 1.3: the caller closes after the
  // handshake.
  (void)refuse(ssl, opts);
}

int mtk_net_server_setup_ssl(SSL *ssl, const struct mtk_net_server_opts *opts) {
  int err = 0;
  STACK_OF(CRYPTO_BUFFER) *names = NULL;
  pthread_once(&index_once, make_indexes);
  if (opts_index < 0 || refused_index < 0) {
    return MTK_ENOMEM;
  }
  size_t num_prefs = sizeof(verify_prefs) / sizeof(verify_prefs[0]);
  if (!opts->accept_ed25519) {
    num_prefs--;
  }
  if (!SSL_set_ex_data(ssl, opts_index, (void *)opts) ||
      !SSL_set_verify_algorithm_prefs(ssl, verify_prefs, num_prefs)) {
    err = MTK_ECRYPTO;
    goto out;
  }
  SSL_set_custom_verify(ssl, SSL_VERIFY_PEER, verify_cb);
  SSL_set_info_callback(ssl, no_cert_cb);
  size_t n = opts->ca_names != NULL ? sk_CRYPTO_BUFFER_num(opts->ca_names) : 0;
  if (n > 0) {
    names = sk_CRYPTO_BUFFER_new_null();
    if (names == NULL) {
      err = MTK_ENOMEM;
      goto out;
    }
    for (size_t i = 0; i < n; i++) {
      CRYPTO_BUFFER *b = sk_CRYPTO_BUFFER_value(opts->ca_names, i);
      if (!sk_CRYPTO_BUFFER_push(names, b)) {
        err = MTK_ENOMEM;
        goto out;
      }
      CRYPTO_BUFFER_up_ref(b);
    }
    SSL_set0_client_CAs(ssl, names);
    names = NULL;
  }
out:
  sk_CRYPTO_BUFFER_pop_free(names, CRYPTO_BUFFER_free);
  ERR_clear_error();
  return err;
}

bool mtk_net_server_refused(const SSL *ssl) {
  return refused_index >= 0 && SSL_get_ex_data(ssl, refused_index) != NULL;
}

int mtk_net_server_ca_names_new(STACK_OF(X509) * certs,
                                STACK_OF(CRYPTO_BUFFER) * *out) {
  int err = 0;
  STACK_OF(CRYPTO_BUFFER) *names = sk_CRYPTO_BUFFER_new_null();
  *out = NULL;
  if (names == NULL) {
    return MTK_ENOMEM;
  }
  for (size_t i = 0; i < sk_X509_num(certs); i++) {
    uint8_t *der = NULL;
    int len =
        i2d_X509_NAME(X509_get_subject_name(sk_X509_value(certs, i)), &der);
    if (len <= 0) {
      err = MTK_ECRYPTO;
      goto out;
    }
    CRYPTO_BUFFER *b = CRYPTO_BUFFER_new(der, (size_t)len, NULL);
    OPENSSL_free(der);
    if (b == NULL || !sk_CRYPTO_BUFFER_push(names, b)) {
      CRYPTO_BUFFER_free(b);
      err = MTK_ENOMEM;
      goto out;
    }
  }
  *out = names;
  names = NULL;
out:
  sk_CRYPTO_BUFFER_pop_free(names, CRYPTO_BUFFER_free);
  ERR_clear_error();
  return err;
}

void mtk_net_server_ca_names_free(STACK_OF(CRYPTO_BUFFER) * names) {
  sk_CRYPTO_BUFFER_pop_free(names, CRYPTO_BUFFER_free);
}

int mtk_net_server_peer_chain(const SSL *ssl, X509 **out_leaf,
                              STACK_OF(X509) * *out_chain, size_t *out_bytes) {
  int err = 0;
  X509 *leaf = NULL;
  STACK_OF(X509) *chain = sk_X509_new_null();
  size_t bytes = 0;
  *out_leaf = NULL;
  *out_chain = NULL;
  if (chain == NULL) {
    return MTK_ENOMEM;
  }
  const STACK_OF(CRYPTO_BUFFER) *certs = SSL_get0_peer_certificates(ssl);
  for (size_t i = 0; certs != NULL && i < sk_CRYPTO_BUFFER_num(certs); i++) {
    CRYPTO_BUFFER *b = sk_CRYPTO_BUFFER_value(certs, i);
    bytes += CRYPTO_BUFFER_len(b);
    X509 *x = X509_parse_from_buffer(b);
    if (x == NULL) {
      err = MTK_EPARSE;
      goto out;
    }
    if (leaf == NULL) {
      leaf = x;
    } else if (!sk_X509_push(chain, x)) {
      X509_free(x);
      err = MTK_ENOMEM;
      goto out;
    }
  }
  *out_leaf = leaf;
  *out_chain = chain;
  if (out_bytes != NULL) {
    *out_bytes = bytes;
  }
  leaf = NULL;
  chain = NULL;
out:
  X509_free(leaf);
  sk_X509_pop_free(chain, X509_free);
  ERR_clear_error();
  return err;
}
