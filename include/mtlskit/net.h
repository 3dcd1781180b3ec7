// TLS connections over libuv, for the load generator (client side) and the
// local test servers (server side): one state machine drives BoringSSL on a
// non-blocking socket watched by a uv_poll_t, and classifies how every
// connection ended into a struct mtk_outcome from facts only: the alert
// number received, the OpenSSL reason code, the errno of the socket, a
// timeout.
//
// BoringSSL reads and writes the socket itself through its socket BIO
// (SSL_set_fd), as h2load and tls-perf do: no copies through memory BIOs,
// and no per-connection buffers while a connection is idle, which is what
// keeps 10,000 idle mTLS connections small.
//
// Ownership: the caller embeds a struct mtk_net_conn in its own
// per-connection state (it holds the uv handles) and may free that state
// only in the |close| callback, which runs exactly once for every
// connection that mtk_net_conn_connect or mtk_net_conn_accept started.
// Each loop must be driven by one thread; a struct mtk_net_tls may be shared
// by the loops of several threads.
#ifndef MTK_HEADER_NET_H
#define MTK_HEADER_NET_H

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <uv.h>

#include "mtlskit/diag.h"
#include "mtlskit/error.h"
#include "mtlskit/outcome.h"

#ifdef __cplusplus
extern "C" {
#endif

enum mtk_net_resume {
  MTK_NET_RESUME_OFF,      // every handshake is full: no tickets, no cache
  MTK_NET_RESUME_TICKETS,  // session tickets (TLS 1.2 and 1.3 PSK)
  MTK_NET_RESUME_IDS,      // TLS 1.2 session IDs, tickets disabled
};

struct mtk_net_tls_options {
  bool server;                    // false: client contexts
  const char *const *cert_files;  // PEM certificate chain per identity
  const char *const *key_files;   // PEM private key per identity
  size_t num_identities;          // client: 0 means no client certificate
  // Identities already in memory (e.g. loaded from PKCS#12), used after the
  // files; borrowed for the call only (the contexts take references).
  X509 *const *mem_leaves;
  STACK_OF(X509) *const *mem_chains;  // entries may be NULL
  EVP_PKEY *const *mem_keys;
  size_t num_mem_identities;
  const char *ca_file;  // PEM trust anchors for the peer, or NULL
  bool insecure;        // client: do not verify the server
  // client: verify the server's chain on every handshake instead of once
  // per distinct chain (see mtk_net_tls_verify_stats)
  bool verify_each;
  bool require_peer_cert;  // server: ask for and require a client cert
  int tls_version;         // 0 (1.2 or 1.3), 12 or 13
  const char *groups;      // key exchange groups, "X25519:P-256"
  enum mtk_net_resume resume;
};

// Opaque: one SSL_CTX per identity.
struct mtk_net_tls;

// mtk_net_tls_new loads the identities and trust anchors of |opts| into new
// TLS contexts and stores them in *|out| (free with mtk_net_tls_free). It
// returns 0, MTK_EUSAGE for inconsistent options, or MTK_ECRYPTO with the
// file and BoringSSL's reason in |diag| (may be NULL).
MTK_MUST_CHECK int mtk_net_tls_new(const struct mtk_net_tls_options *opts,
                                   struct mtk_net_tls **out,
                                   struct mtk_diag *diag);

// mtk_net_tls_free frees |tls|; NULL is allowed. SSL objects made from it
// keep their context alive (BoringSSL reference counts).
void mtk_net_tls_free(struct mtk_net_tls *tls);

// mtk_net_tls_num_identities returns how many identities |tls| holds (at
// least 1: a client without certificate has one anonymous identity).
size_t mtk_net_tls_num_identities(const struct mtk_net_tls *tls);

// How a verifying client's contexts checked server certificate chains.
// Each chain the server sends is verified in full (X509_verify_cert, the
// host name included) the first time it is seen, keyed by SHA-256 over the
// trust anchors' bytes, the host name and the DER certificates sent; later
// handshakes presenting the same chain are accepted from the cache until
// its first certificate expires. Failures are never cached, and the
// server's CertificateVerify signature is checked on every handshake.
// With |verify_each| every chain is verified in full.
struct mtk_net_verify_stats {
  uint64_t verified;    // full chain verifications run
  uint64_t cache_hits;  // chains accepted from the cache
  uint64_t failed;      // full verifications that rejected the chain
};

// mtk_net_tls_verify_stats stores |tls|'s counters so far in *|out| (all 0
// for a server or an insecure client). Safe while connections run.
void mtk_net_tls_verify_stats(const struct mtk_net_tls *tls,
                              struct mtk_net_verify_stats *out);

// mtk_net_tls_new_ssl makes a new SSL for identity |identity| (taken modulo
// the number of identities) and stores it in *|out|; the caller owns it
// until it hands it to mtk_net_conn_connect or mtk_net_conn_accept. For a
// client, |sni| (may be NULL) is sent as server name, and the server
// certificate must match |verify_host| (a DNS name or an IP address; NULL:
// only the chain is verified). |session| (may be NULL, borrowed) is offered
// for resumption. It returns 0 or MTK_ENOMEM / MTK_ECRYPTO.
MTK_MUST_CHECK int mtk_net_tls_new_ssl(struct mtk_net_tls *tls, size_t identity,
                                       const char *sni, const char *verify_host,
                                       SSL_SESSION *session, SSL **out);

struct mtk_net_conn;

// Callbacks of one connection; any may be NULL but |close|.
struct mtk_net_conn_cbs {
  // |connected| runs when the TCP connection is established (client).
  void (*connected)(struct mtk_net_conn *c);
  // |handshake| runs when the TLS handshake completed; the caller may write.
  void (*handshake)(struct mtk_net_conn *c);
  // |read| delivers decrypted bytes; |data| is valid during the call only.
  void (*read)(struct mtk_net_conn *c, const uint8_t *data, size_t len);
  // |end| runs once when the connection ended other than by
  // mtk_net_conn_close: an error, an alert, the peer closing, a timeout.
  // The connection is then closed by the library.
  void (*end)(struct mtk_net_conn *c, const struct mtk_outcome *o);
  // |close| runs once when every handle is closed: free the state here.
  void (*close)(struct mtk_net_conn *c);
};

enum mtk_net_state {
  MTK_NET_IDLE,
  MTK_NET_CONNECTING,
  MTK_NET_HANDSHAKING,
  MTK_NET_OPEN,
  MTK_NET_CLOSING,
};

// How a connection ends when the caller closes it.
enum mtk_net_close {
  MTK_NET_CLOSE_CLEAN,  // TLS close_notify, then FIN
  MTK_NET_CLOSE_FIN,    // FIN only, no close_notify (as openssl s_time)
  MTK_NET_CLOSE_RST,    // TCP reset (SO_LINGER 0): no TIME_WAIT
};

struct mtk_net_conn {
  uv_poll_t poll;    // watches |fd|
  uv_timer_t timer;  // the connection's deadline
  uv_idle_t resume;  // checks connect(), or reads on after a readiness
                     // event used its budget
  void *data;        // the caller's
  const struct mtk_net_conn_cbs *cbs;
  SSL *ssl;
  SSL_SESSION **session_slot;  // client: where a new session is stored
  int fd;
  uint8_t state;         // enum mtk_net_state
  uint8_t open_handles;  // handles not yet closed
  uint8_t close_mode;    // enum mtk_net_close
  bool got_app_data;     // any decrypted byte received yet
  bool ended;            // |end| ran or the caller closed
  int poll_events;
  int alert_received;   // last alert read from the peer, -1 if none
  const uint8_t *wbuf;  // pending write, borrowed from the caller
  size_t wlen;
  struct mtk_outcome pending;  // outcome reported from the timer
  uint64_t t_connected;        // uv_hrtime() at TCP connect (client)
  uint64_t t_handshake;        // uv_hrtime() at handshake completion
};

// Before mtk_net_conn_connect or mtk_net_conn_accept the caller sets
// c->data, and optionally c->close_mode and c->session_slot; the call resets
// every other field.
//
// mtk_net_conn_connect starts a TLS client connection on |loop| from |src|
// (NULL: any address) to |dst|, driving |ssl| (takes ownership, also on
// failure) with callbacks |cbs|, and arms a deadline of |timeout_ms|
// milliseconds for the whole connection (0: none; change it with
// mtk_net_conn_set_timeout). It returns 0 when the connection is under way
// (|close| will run), or a negative MTK_E* / -errno code when nothing was
// started (no callback will run; e.g. -EMFILE, -EADDRNOTAVAIL).
MTK_MUST_CHECK int mtk_net_conn_connect(struct mtk_net_conn *c, uv_loop_t *loop,
                                        SSL *ssl, const struct sockaddr *dst,
                                        const struct sockaddr *src,
                                        uint64_t timeout_ms,
                                        const struct mtk_net_conn_cbs *cbs);

// mtk_net_conn_accept starts the server side of a TLS connection on the
// accepted socket |fd| (takes ownership of |fd| and |ssl|, also on
// failure); otherwise as mtk_net_conn_connect.
MTK_MUST_CHECK int mtk_net_conn_accept(struct mtk_net_conn *c, uv_loop_t *loop,
                                       SSL *ssl, int fd, uint64_t timeout_ms,
                                       const struct mtk_net_conn_cbs *cbs);

// mtk_net_conn_write sends |len| bytes of application data. |data| is
// borrowed and must stay valid until the connection closes or the next
// |read| callback (a short write is finished when the socket is writable).
// It returns 0, or MTK_EINVAL when the connection is not open; a transport
// failure is reported through |end|.
MTK_MUST_CHECK int mtk_net_conn_write(struct mtk_net_conn *c,
                                      const uint8_t *data, size_t len);

// mtk_net_conn_set_timeout re-arms the connection's deadline to
// |timeout_ms| from now (0 disarms it).
void mtk_net_conn_set_timeout(struct mtk_net_conn *c, uint64_t timeout_ms);

// mtk_net_conn_close closes the connection as c->close_mode says (a TLS
// close_notify then FIN by default). |close| runs later.
// Calling it again, or after |end|, does nothing.
void mtk_net_conn_close(struct mtk_net_conn *c);

// mtk_net_conn_is_resumed reports whether the handshake of |c| resumed a
// session.
bool mtk_net_conn_is_resumed(const struct mtk_net_conn *c);

// mtk_net_classify builds the outcome of a failed TLS operation from facts:
// |ssl_error| (SSL_get_error's result), |reason| (ERR_GET_REASON of the
// first queued error, 0 if none), |alert| (the alert received, -1 if none),
// |sys_errno| (errno of the failed read or write, 0 for EOF) and |stage|.
// close_notify is `closed`, an alert is `tls-alert N` (also when known only
// from the reason code, 1000 + N), ECONNRESET or EPIPE is `reset`, EOF is
// `closed`, ETIMEDOUT is `timeout`, a failed server certificate check is
// `server-cert-rejected` and anything else at the TLS layer (bytes that are
// not TLS) is `protocol-error`.
void mtk_net_classify(int ssl_error, int reason, int alert, int sys_errno,
                      enum mtk_stage stage, struct mtk_outcome *out);

#ifdef __cplusplus
}
#endif

#endif  // MTK_HEADER_NET_H
