// Server-side TLS features of the local test servers, beyond net.h: ask for
// a client certificate and judge it in the caller's code instead of
// BoringSSL's verifier, advertise CA names in the CertificateRequest, read
// the chain the client sent, and refuse a client the way s2n-tls does
// (a close_notify, never a named alert; docs/platforms.md §1.2).
//
// Use: make the SSL with mtk_net_tls_new_ssl from a server mtk_net_tls
// (require_peer_cert false, no ca_file), call mtk_net_server_setup_ssl,
// then hand the SSL to mtk_net_conn_accept. In the |handshake| callback,
// close the connection when mtk_net_server_refused reports true.
#ifndef MTK_HEADER_NET_SERVER_H
#define MTK_HEADER_NET_SERVER_H

#include <openssl/pool.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <stdbool.h>
#include <stddef.h>

#include "mtlskit/error.h"

#ifdef __cplusplus
extern "C" {
#endif

enum mtk_net_verdict {
  MTK_NET_VERDICT_ACCEPT,  // the handshake goes on
  MTK_NET_VERDICT_REFUSE,  // s2n-style refusal: close_notify, then close
};

// mtk_net_server_verify_fn decides about the chain the client sent (read it
// with mtk_net_server_peer_chain; it may be empty: no certificate). It runs
// once during the handshake, right after the client's Certificate message.
typedef enum mtk_net_verdict (*mtk_net_server_verify_fn)(SSL *ssl, void *arg);

struct mtk_net_server_opts {
  mtk_net_server_verify_fn verify;  // NULL: accept every chain
  void *arg;                        // passed to |verify|
  // CA distinguished names (DER) advertised in the CertificateRequest;
  // NULL or empty: none. Borrowed; the buffers are shared by reference.
  STACK_OF(CRYPTO_BUFFER) * ca_names;
  // Also accept Ed25519 client signatures, so that the decision about an
  // Ed25519 certificate is the caller's, not a missing signature algorithm
  // (an OpenSSL client then silently sends no certificate, §6.4).
  bool accept_ed25519;
  // Hold a TLS 1.2 refusal: nothing more reaches the client (the server's
  // flight goes to a memory BIO), the handshake completes on the server's
  // side, and the caller sends the close_notify when it chooses with
  // mtk_net_server_refuse_finish (s2n-tls "blinding", §1.2).
  bool defer_refusal;
};

// mtk_net_server_setup_ssl makes the server |ssl| request a client
// certificate without requiring one and without BoringSSL judging it:
// |opts->verify| decides. |opts| is borrowed and must outlive |ssl|.
//
// A refusal under TLS 1.2 happens in the handshake, as s2n-tls does it: a
// plaintext warning close_notify is written, the socket's write side is
// shut down (FIN) and the handshake fails; BoringSSL's own alert goes to a
// memory BIO and never reaches the wire. Under TLS 1.3 the client has already
// sent its Finished when the server reads its certificate (RFC 8446 §4.4,
// docs/platforms.md §6.1), so the handshake completes and the caller closes
// the connection with close_notify (mtk_net_conn_close): the client observes
// the same. It returns 0, MTK_ENOMEM or MTK_ECRYPTO.
MTK_MUST_CHECK int mtk_net_server_setup_ssl(
    SSL *ssl, const struct mtk_net_server_opts *opts);

// mtk_net_server_refused reports whether the verify function of |ssl|
// refused the client (the caller must then close without answering).
bool mtk_net_server_refused(const SSL *ssl);

// mtk_net_server_refuse_now refuses the client of |ssl| in the middle of a
// TLS 1.2 handshake, before the server's ChangeCipherSpec: it writes a
// plaintext warning close_notify to the socket, shuts its write side down
// and sends whatever BoringSSL writes afterwards to a memory BIO. It returns 0,
// or MTK_EINVAL when |ssl| is not in that state (the caller then closes with
// mtk_net_conn_close after the handshake).
MTK_MUST_CHECK int mtk_net_server_refuse_now(SSL *ssl);

// mtk_net_server_refuse_finish ends a TLS 1.2 refusal that
// opts->defer_refusal held: it writes the plaintext warning close_notify
// and shuts the socket's write side down; then close the connection with
// mtk_net_conn_close (whose own close_notify goes to the memory BIO). It
// returns 0, or MTK_EINVAL when no refusal of |ssl| is held (TLS 1.3: the
// close_notify of mtk_net_conn_close is the refusal).
MTK_MUST_CHECK int mtk_net_server_refuse_finish(SSL *ssl);

// mtk_net_server_ca_names_new collects the subject names of |certs| as DER
// into a new stack *out (free with mtk_net_server_ca_names_free), for
// mtk_net_server_opts.ca_names. It returns 0, MTK_ENOMEM or MTK_ECRYPTO.
MTK_MUST_CHECK int mtk_net_server_ca_names_new(STACK_OF(X509) * certs,
                                               STACK_OF(CRYPTO_BUFFER) * *out);

// mtk_net_server_ca_names_free frees |names|; NULL is allowed.
void mtk_net_server_ca_names_free(STACK_OF(CRYPTO_BUFFER) * names);

// mtk_net_server_peer_chain parses the certificates the client of |ssl|
// sent, in the order sent: *out_leaf gets the first (NULL when the client
// sent none) and *out_chain the others (never NULL on success), both new
// (free with X509_free / sk_X509_pop_free). *out_bytes, if not NULL, gets
// the sum of their DER sizes. It works during the verify function and
// after the handshake. It returns 0, MTK_ENOMEM or MTK_EPARSE.
MTK_MUST_CHECK int mtk_net_server_peer_chain(const SSL *ssl, X509 **out_leaf,
                                             STACK_OF(X509) * *out_chain,
                                             size_t *out_bytes);

#ifdef __cplusplus
}
#endif

#endif  // MTK_HEADER_NET_SERVER_H
