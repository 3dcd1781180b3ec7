// TLS connections over libuv (see include/mtlskit/net.h).
#include "mtlskit/net.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "readahead_bio.h"
#include "verify_cache.h"

struct mtk_net_tls {
  SSL_CTX **ctx;
  size_t num_ctx;
  bool server;
  bool insecure;
  bool has_cache;  // |cache| is set up (a verifying client)
  enum mtk_net_resume resume;
  struct mtk_verify_cache cache;
};

// Decrypted bytes land here before the |read| callback: one buffer per
// thread, so an idle connection owns none.
static _Thread_local uint8_t read_buf[16384];

// At most this many reads (each up to sizeof(read_buf) bytes) per readiness
// event: a peer that sends faster than the caller consumes must not keep the
// loop from its timers (deadlines, the end of the run).
enum { READS_PER_EVENT = 8 };

static int tls_fail(struct mtk_diag *diag, const char *what, const char *file) {
  char reason[256] = "unknown error";
  uint32_t e = ERR_get_error();
  if (e != 0) {
    ERR_error_string_n(e, reason, sizeof(reason));
  }
  ERR_clear_error();
  // What users can act on, in the words every other command uses, rather
  // than the library's error string.
  if (file != NULL && ERR_GET_LIB(e) == ERR_LIB_SYS) {
    int sys = ERR_GET_REASON(e);
    return sys == ENOENT
               ? mtk_diag_set(diag, MTK_ENOENT, "no such file: %s", file)
               : mtk_diag_set(diag, -sys, "%s %s: %s", what, file,
                              mtk_strerror(-sys));
  }
  if (file != NULL && ERR_GET_LIB(e) == ERR_LIB_PEM &&
      ERR_GET_REASON(e) == PEM_R_NO_START_LINE) {
    return mtk_diag_set(diag, MTK_EPARSE, "%s %s: no PEM block in it", what,
                        file);
  }
  return mtk_diag_set(diag, MTK_ECRYPTO, "%s%s%s: %s", what,
                      file != NULL ? " " : "", file != NULL ? file : "",
                      reason);
}

static void info_cb(const SSL *ssl, int where, int ret) {
  // SSL_CB_READ_ALERT and SSL_CB_WRITE_ALERT share the SSL_CB_ALERT bit:
  // only alerts read from the peer count.
  if ((where & SSL_CB_ALERT) == 0 || (where & SSL_CB_READ) == 0) {
    return;
  }
  struct mtk_net_conn *c = SSL_get_app_data(ssl);
  if (c != NULL) {
    c->alert_received = ret & 0xff;
  }
}

static int new_session_cb(SSL *ssl, SSL_SESSION *session) {
  struct mtk_net_conn *c = SSL_get_app_data(ssl);
  if (c == NULL || c->session_slot == NULL) {
    return 0;
  }
  if (*c->session_slot != NULL) {
    SSL_SESSION_free(*c->session_slot);
  }
  *c->session_slot = session;  // we keep the reference
  return 1;
}

static enum ssl_verify_result_t accept_any_chain(SSL *ssl, uint8_t *out_alert) {
  (void)ssl, (void)out_alert;
  return ssl_verify_ok;
}

static int setup_ctx(SSL_CTX *ctx, const struct mtk_net_tls_options *opts,
                     struct mtk_verify_cache *cache, struct mtk_diag *diag) {
  uint16_t min = TLS1_2_VERSION, max = TLS1_3_VERSION;
  if (opts->tls_version == 12) {
    max = TLS1_2_VERSION;
  } else if (opts->tls_version == 13) {
    min = TLS1_3_VERSION;
  } else if (opts->tls_version != 0) {
    return mtk_diag_set(diag, MTK_EUSAGE, "unsupported TLS version %d",
                        opts->tls_version);
  }
  if (!SSL_CTX_set_min_proto_version(ctx, min) ||
      !SSL_CTX_set_max_proto_version(ctx, max)) {
    return tls_fail(diag, "cannot set TLS versions", NULL);
  }
  if (opts->groups != NULL && !SSL_CTX_set1_curves_list(ctx, opts->groups)) {
    ERR_clear_error();
    return mtk_diag_set(
        diag, MTK_EUSAGE,
        "unknown key exchange group in '%s' (e.g. X25519:P-256)", opts->groups);
  }
  if (opts->server) {
    if (opts->ca_file != NULL &&
        !SSL_CTX_load_verify_locations(ctx, opts->ca_file, NULL)) {
      return tls_fail(diag, "cannot load trust anchors", opts->ca_file);
    }
    if (opts->require_peer_cert) {
      SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
                         NULL);
    }
  } else if (cache != NULL) {
    if (!mtk_verify_cache_install(ctx, cache)) {
      return mtk_diag_set(diag, MTK_ENOMEM, "out of memory");
    }
  } else {
    // Insecure: a client on TLS_with_buffers_method still needs a verifier,
    // one that accepts any chain.
    SSL_CTX_set_custom_verify(ctx, SSL_VERIFY_NONE, accept_any_chain);
  }
  SSL_CTX_set_info_callback(ctx, info_cb);
  // Resumption is never implicit: off means no tickets and no cache at
  // all, on either side.
  switch (opts->resume) {
    case MTK_NET_RESUME_OFF:
      SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
      SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
      break;
    case MTK_NET_RESUME_IDS:
      SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
      SSL_CTX_set_session_cache_mode(
          ctx, opts->server
                   ? SSL_SESS_CACHE_SERVER
                   : SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL);
      break;
    case MTK_NET_RESUME_TICKETS:
      SSL_CTX_set_session_cache_mode(
          ctx, opts->server
                   ? SSL_SESS_CACHE_SERVER
                   : SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL);
      break;
  }
  if (!opts->server) {
    SSL_CTX_sess_set_new_cb(ctx, new_session_cb);
  }
  return 0;
}

// use_identity gives |ctx| the certificate |leaf|, the intermediates
// |chain| (may be NULL) and the private |key|, as DER buffers: a client
// context has no X509 objects (TLS_with_buffers_method). |key_file| names
// the key in errors (NULL: an identity in memory).
static int use_identity(SSL_CTX *ctx, X509 *leaf, STACK_OF(X509) * chain,
                        EVP_PKEY *key, const char *key_file,
                        struct mtk_diag *diag) {
  if (!X509_check_private_key(leaf, key)) {
    return tls_fail(diag, "key does not match certificate", key_file);
  }
  size_t n = 1 + (chain != NULL ? sk_X509_num(chain) : 0);
  CRYPTO_BUFFER **der = calloc(n, sizeof(*der));
  bool made = der != NULL;
  for (size_t i = 0; made && i < n; i++) {
    X509 *x = i == 0 ? leaf : sk_X509_value(chain, i - 1);
    uint8_t *bytes = NULL;
    int len = i2d_X509(x, &bytes);
    der[i] = len > 0 ? CRYPTO_BUFFER_new(bytes, (size_t)len, NULL) : NULL;
    OPENSSL_free(bytes);
    made = der[i] != NULL;
  }
  int err = !made ? mtk_diag_set(diag, MTK_ENOMEM, "out of memory")
            : !SSL_CTX_set_chain_and_key(ctx, der, n, key, NULL)
                ? tls_fail(diag, "cannot use certificate and key", key_file)
                : 0;
  for (size_t i = 0; der != NULL && i < n; i++) {
    CRYPTO_BUFFER_free(der[i]);
  }
  free(der);
  return err;
}

// use_identity_files loads the PEM certificate chain |cert_file| (leaf
// first) and the PEM private key |key_file| into |ctx|.
static int use_identity_files(SSL_CTX *ctx, const char *cert_file,
                              const char *key_file, struct mtk_diag *diag) {
  X509 *leaf = NULL;
  STACK_OF(X509) *chain = sk_X509_new_null();
  EVP_PKEY *key = NULL;
  int err = 0;
  BIO *bio = BIO_new_file(cert_file, "r");
  if (chain == NULL || bio == NULL ||
      (leaf = PEM_read_bio_X509(bio, NULL, NULL, NULL)) == NULL) {
    err = tls_fail(diag, "cannot load certificate", cert_file);
    goto out;
  }
  X509 *x;
  while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
    if (!sk_X509_push(chain, x)) {
      X509_free(x);
      err = mtk_diag_set(diag, MTK_ENOMEM, "out of memory");
      goto out;
    }
  }
  // The loop ends at the end of the file, or at a block that is not a
  // certificate.
  uint32_t e = ERR_peek_last_error();
  if (ERR_GET_LIB(e) != ERR_LIB_PEM ||
      ERR_GET_REASON(e) != PEM_R_NO_START_LINE) {
    err = tls_fail(diag, "cannot load certificate", cert_file);
    goto out;
  }
  ERR_clear_error();
  BIO_free(bio);
  bio = BIO_new_file(key_file, "r");
  if (bio == NULL ||
      (key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL)) == NULL) {
    err = tls_fail(diag, "cannot load private key", key_file);
    goto out;
  }
  err = use_identity(ctx, leaf, chain, key, key_file, diag);
out:
  BIO_free(bio);
  X509_free(leaf);
  sk_X509_pop_free(chain, X509_free);
  EVP_PKEY_free(key);
  return err;
}

int mtk_net_tls_new(const struct mtk_net_tls_options *opts,
                    struct mtk_net_tls **out, struct mtk_diag *diag) {
  int err = 0;
  *out = NULL;
  if (!opts->server && opts->ca_file == NULL && !opts->insecure) {
    return mtk_diag_set(diag, MTK_EUSAGE,
                        "a client needs trust anchors or insecure mode");
  }
  size_t num_total = opts->num_identities + opts->num_mem_identities;
  if (opts->server && num_total == 0) {
    return mtk_diag_set(diag, MTK_EUSAGE, "a server needs a certificate");
  }
  if (opts->resume == MTK_NET_RESUME_IDS && opts->tls_version != 12) {
    return mtk_diag_set(diag, MTK_EUSAGE,
                        "session IDs exist in TLS 1.2 only (TLS 1.3 resumes "
                        "with tickets)");
  }
  struct mtk_net_tls *tls = calloc(1, sizeof(*tls));
  size_t n = num_total > 0 ? num_total : 1;
  if (tls == NULL || (tls->ctx = calloc(n, sizeof(SSL_CTX *))) == NULL) {
    err = MTK_ENOMEM;
    goto out;
  }
  tls->server = opts->server;
  tls->insecure = opts->insecure;
  tls->resume = opts->resume;
  // Clients verify through the cache, which holds the trust anchors.
  bool verifying = !opts->server && !opts->insecure;
  if (verifying) {
    err = mtk_verify_cache_init(&tls->cache, opts->ca_file, opts->verify_each);
    if (err == MTK_ECRYPTO) {
      err = tls_fail(diag, "cannot load trust anchors", opts->ca_file);
      goto out;
    }
    if (err != 0) {
      err = err == MTK_ENOENT
                ? mtk_diag_set(diag, err, "no such file: %s", opts->ca_file)
                : mtk_diag_set(diag, err, "cannot read trust anchors %s: %s",
                               opts->ca_file, mtk_strerror(err));
      goto out;
    }
    tls->has_cache = true;
  }
  for (size_t i = 0; i < n; i++) {
    // A client keeps the server's certificates as DER (parsed only when a
    // chain is verified in full); a server verifies clients with X509.
    SSL_CTX *ctx =
        SSL_CTX_new(opts->server ? TLS_method() : TLS_with_buffers_method());
    if (ctx == NULL) {
      err = MTK_ENOMEM;
      goto out;
    }
    tls->ctx[tls->num_ctx++] = ctx;
    err = setup_ctx(ctx, opts, verifying ? &tls->cache : NULL, diag);
    if (err != 0) {
      goto out;
    }
    if (num_total == 0) {
      continue;
    }
    if (i >= opts->num_identities) {
      size_t m = i - opts->num_identities;
      STACK_OF(X509) *chain =
          opts->mem_chains != NULL ? opts->mem_chains[m] : NULL;
      err = use_identity(ctx, opts->mem_leaves[m], chain, opts->mem_keys[m],
                         NULL, diag);
    } else {
      err = use_identity_files(ctx, opts->cert_files[i], opts->key_files[i],
                               diag);
    }
    if (err != 0) {
      goto out;
    }
  }
  *out = tls;
  tls = NULL;
out:
  mtk_net_tls_free(tls);
  ERR_clear_error();
  return err;
}

void mtk_net_tls_free(struct mtk_net_tls *tls) {
  if (tls == NULL) {
    return;
  }
  for (size_t i = 0; i < tls->num_ctx; i++) {
    SSL_CTX_free(tls->ctx[i]);
  }
  free(tls->ctx);
  if (tls->has_cache) {
    mtk_verify_cache_cleanup(&tls->cache);
  }
  free(tls);
}

void mtk_net_tls_verify_stats(const struct mtk_net_tls *tls,
                              struct mtk_net_verify_stats *out) {
  memset(out, 0, sizeof(*out));
  if (!tls->has_cache) {
    return;
  }
  out->verified = atomic_load(&tls->cache.verified);
  out->cache_hits = atomic_load(&tls->cache.cache_hits);
  out->failed = atomic_load(&tls->cache.failed);
}

size_t mtk_net_tls_num_identities(const struct mtk_net_tls *tls) {
  return tls->num_ctx;
}

int mtk_net_tls_new_ssl(struct mtk_net_tls *tls, size_t identity,
                        const char *sni, const char *verify_host,
                        SSL_SESSION *session, SSL **out) {
  int err = 0;
  SSL *ssl = SSL_new(tls->ctx[identity % tls->num_ctx]);
  *out = NULL;
  if (ssl == NULL) {
    return MTK_ENOMEM;
  }
  if (tls->server) {
    SSL_set_accept_state(ssl);
  } else {
    SSL_set_connect_state(ssl);
    if (sni != NULL && !SSL_set_tlsext_host_name(ssl, sni)) {
      err = MTK_ECRYPTO;
      goto out;
    }
    if (verify_host != NULL && !tls->insecure &&
        !mtk_verify_cache_set_host(ssl, verify_host)) {
      err = MTK_ENOMEM;
      goto out;
    }
    if (session != NULL && tls->resume != MTK_NET_RESUME_OFF &&
        !SSL_set_session(ssl, session)) {
      err = MTK_ECRYPTO;
      goto out;
    }
  }
  *out = ssl;
  ssl = NULL;
out:
  SSL_free(ssl);
  ERR_clear_error();
  return err;
}

void mtk_net_classify(int ssl_error, int reason, int alert, int sys_errno,
                      enum mtk_stage stage, struct mtk_outcome *out) {
  memset(out, 0, sizeof(*out));
  out->stage = stage;
  if (ssl_error == SSL_ERROR_ZERO_RETURN) {
    out->kind = MTK_OUTCOME_CLOSED;
    return;
  }
  if (ssl_error == SSL_ERROR_SSL) {
    if (alert < 0 && reason > SSL_AD_REASON_OFFSET &&
        reason < SSL_AD_REASON_OFFSET + 256) {
      alert = reason - SSL_AD_REASON_OFFSET;
    }
    if (alert > 0) {
      out->kind = MTK_OUTCOME_TLS_ALERT;
      out->alert = alert;
    } else if (reason == SSL_R_CERTIFICATE_VERIFY_FAILED) {
      out->kind = MTK_OUTCOME_SERVER_CERT_REJECTED;
    } else if (alert == 0) {
      out->kind = MTK_OUTCOME_CLOSED;  // close_notify seen as an error
    } else {
      out->kind = MTK_OUTCOME_PROTOCOL_ERROR;
    }
    return;
  }
  switch (sys_errno) {
    case 0:
      // EOF without close_notify; an alert read just before still counts.
      if (alert > 0) {
        out->kind = MTK_OUTCOME_TLS_ALERT;
        out->alert = alert;
      } else {
        out->kind = MTK_OUTCOME_CLOSED;
      }
      break;
    case ECONNRESET:
    case EPIPE:
      out->kind = MTK_OUTCOME_RESET;
      break;
    case ETIMEDOUT:
      out->kind = MTK_OUTCOME_TIMEOUT;
      break;
    case ECONNREFUSED:
    case ENETUNREACH:
    case EHOSTUNREACH:
    case EADDRNOTAVAIL:
      out->kind = MTK_OUTCOME_CONNECT_FAILED;
      break;
    default:
      out->kind = stage == MTK_STAGE_TCP ? MTK_OUTCOME_CONNECT_FAILED
                                         : MTK_OUTCOME_RESET;
      break;
  }
}

static enum mtk_stage current_stage(const struct mtk_net_conn *c) {
  switch (c->state) {
    case MTK_NET_CONNECTING:
      return MTK_STAGE_TCP;
    case MTK_NET_HANDSHAKING:
      return MTK_STAGE_HANDSHAKE;
    default:
      return c->got_app_data ? MTK_STAGE_HTTP : MTK_STAGE_FIRST_READ;
  }
}

static void set_poll(struct mtk_net_conn *c, int events);

static void on_handle_closed(uv_handle_t *h) {
  struct mtk_net_conn *c = h->data;
  if (--c->open_handles > 0) {
    return;
  }
  if (c->fd >= 0) {
    close(c->fd);
    c->fd = -1;
  }
  SSL_free(c->ssl);
  c->ssl = NULL;
  c->cbs->close(c);
}

void mtk_net_conn_close(struct mtk_net_conn *c) {
  if (c->state == MTK_NET_CLOSING) {
    return;
  }
  bool was_open = c->state == MTK_NET_OPEN;
  c->state = MTK_NET_CLOSING;
  c->ended = true;
  if (c->close_mode == MTK_NET_CLOSE_RST) {
    struct linger lg = {.l_onoff = 1, .l_linger = 0};
    setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
  } else if (c->close_mode == MTK_NET_CLOSE_CLEAN && was_open &&
             c->ssl != NULL) {
    // One non-blocking close_notify; the reply is not awaited.
    SSL_shutdown(c->ssl);
  }
  ERR_clear_error();
  uv_close((uv_handle_t *)&c->poll, on_handle_closed);
  uv_close((uv_handle_t *)&c->timer, on_handle_closed);
  uv_close((uv_handle_t *)&c->resume, on_handle_closed);
}

static void finish(struct mtk_net_conn *c, const struct mtk_outcome *o) {
  if (c->ended) {
    return;
  }
  c->ended = true;
  if (c->cbs->end != NULL) {
    c->cbs->end(c, o);
  }
  mtk_net_conn_close(c);
}

static void fail_ssl(struct mtk_net_conn *c, int ret, int sys_errno) {
  int ssl_error = SSL_get_error(c->ssl, ret);
  int reason = 0;
  uint32_t e = ERR_peek_error();
  if (e != 0) {
    reason = ERR_GET_REASON(e);
  }
  ERR_clear_error();
  struct mtk_outcome o;
  mtk_net_classify(ssl_error, reason, c->alert_received,
                   ssl_error == SSL_ERROR_SYSCALL ? sys_errno : 0,
                   current_stage(c), &o);
  finish(c, &o);
}

static void on_timer(uv_timer_t *t) {
  struct mtk_net_conn *c = t->data;
  if (c->pending.kind != MTK_OUTCOME_NONE) {
    struct mtk_outcome o = c->pending;
    finish(c, &o);
    return;
  }
  struct mtk_outcome o = {.kind = MTK_OUTCOME_TIMEOUT,
                          .stage = current_stage(c)};
  finish(c, &o);
}

// fail_later reports |o| from the next loop iteration, never from inside a
// call the caller made.
static void fail_later(struct mtk_net_conn *c, enum mtk_outcome_kind kind,
                       enum mtk_stage stage) {
  c->pending.kind = kind;
  c->pending.stage = stage;
  set_poll(c, 0);
  uv_timer_start(&c->timer, on_timer, 0, 0);
}

static void flush_write(struct mtk_net_conn *c) {
  if (c->wlen == 0) {
    return;
  }
  int n = SSL_write(c->ssl, c->wbuf, (int)c->wlen);
  if (n > 0) {
    c->wbuf = NULL;
    c->wlen = 0;
    set_poll(c, UV_READABLE);
    return;
  }
  int saved = errno;
  int e = SSL_get_error(c->ssl, n);
  if (e == SSL_ERROR_WANT_WRITE) {
    set_poll(c, UV_READABLE | UV_WRITABLE);
  } else if (e != SSL_ERROR_WANT_READ) {
    fail_ssl(c, n, saved);
  }
}

static void on_resume(uv_idle_t *idle);

// has_buffered reports whether bytes already read wait in the TLS layer or
// in the read-ahead BIO: no socket readiness will bring them.
static bool has_buffered(const struct mtk_net_conn *c) {
  return SSL_has_pending(c->ssl) || BIO_pending(SSL_get_rbio(c->ssl)) > 0;
}

// do_read delivers what arrived, READS_PER_EVENT reads at most. Bytes still
// buffered in the TLS layer make no socket readable, so when the budget runs
// out with some left, an idle handle brings the connection back on the next
// loop iteration, after the timers have run.
static void do_read(struct mtk_net_conn *c) {
  uv_idle_stop(&c->resume);
  for (int reads = 0; reads < READS_PER_EVENT; reads++) {
    errno = 0;
    int n = SSL_read(c->ssl, read_buf, (int)sizeof(read_buf));
    if (n > 0) {
      c->got_app_data = true;
      if (c->cbs->read != NULL) {
        c->cbs->read(c, read_buf, (size_t)n);
      }
      if (c->state != MTK_NET_OPEN) {
        return;
      }
      continue;
    }
    int saved = errno;
    int e = SSL_get_error(c->ssl, n);
    if (e == SSL_ERROR_WANT_READ) {
      return;
    }
    if (e == SSL_ERROR_WANT_WRITE) {
      set_poll(c, UV_READABLE | UV_WRITABLE);
      return;
    }
    fail_ssl(c, n, saved);
    return;
  }
  if (has_buffered(c)) {
    uv_idle_start(&c->resume, on_resume);
  }
}

static void check_connect(struct mtk_net_conn *c);

static void on_resume(uv_idle_t *idle) {
  struct mtk_net_conn *c = idle->data;
  uv_idle_stop(idle);
  if (c->state == MTK_NET_CONNECTING) {
    check_connect(c);
  } else if (c->state == MTK_NET_OPEN) {
    do_read(c);
  }
}

static void do_handshake(struct mtk_net_conn *c) {
  errno = 0;
  int r = SSL_do_handshake(c->ssl);
  if (r == 1) {
    c->t_handshake = uv_hrtime();
    c->state = MTK_NET_OPEN;
    set_poll(c, UV_READABLE);
    if (c->cbs->handshake != NULL) {
      c->cbs->handshake(c);
    }
    // Bytes that arrived with the last flight (a TLS 1.3 ticket, an early
    // alert) are read now: the socket may never become readable again.
    if (c->state == MTK_NET_OPEN && has_buffered(c)) {
      do_read(c);
    }
    return;
  }
  int saved = errno;
  int e = SSL_get_error(c->ssl, r);
  if (e == SSL_ERROR_WANT_READ) {
    set_poll(c, UV_READABLE);
  } else if (e == SSL_ERROR_WANT_WRITE) {
    set_poll(c, UV_WRITABLE);
  } else {
    fail_ssl(c, r, saved);
  }
}

// connect_done ends the TCP connect of |c|, the socket now writable or in
// error. With |check_error| (or a negative libuv |status|) it first asks
// the socket whether the connect failed, and reports that; otherwise it
// starts the handshake.
static void connect_done(struct mtk_net_conn *c, bool check_error, int status) {
  int so_error = 0;
  socklen_t len = sizeof(so_error);
  if ((check_error || status < 0) &&
      getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &so_error, &len) != 0) {
    so_error = errno;
  }
  if (so_error == 0 && status < 0) {
    so_error = -status;
  }
  if (so_error != 0) {
    struct mtk_outcome o;
    mtk_net_classify(SSL_ERROR_SYSCALL, 0, -1, so_error, MTK_STAGE_TCP, &o);
    if (o.kind == MTK_OUTCOME_RESET) {
      o.kind = MTK_OUTCOME_CONNECT_FAILED;
    }
    finish(c, &o);
    return;
  }
  c->t_connected = uv_hrtime();
  c->state = MTK_NET_HANDSHAKING;
  if (c->cbs->connected != NULL) {
    c->cbs->connected(c);
    if (c->state != MTK_NET_HANDSHAKING) {
      return;
    }
  }
  do_handshake(c);
}

static void on_poll(uv_poll_t *p, int status, int events) {
  struct mtk_net_conn *c = p->data;
  if (c->state == MTK_NET_CLOSING) {
    return;
  }
  if (c->state == MTK_NET_CONNECTING) {
    connect_done(c, true, status);
    return;
  }
  if (c->state == MTK_NET_HANDSHAKING) {
    do_handshake(c);
    return;
  }
  // Open: a pending write first, then whatever arrived.
  if ((events & UV_WRITABLE) && c->wlen > 0) {
    flush_write(c);
    if (c->state != MTK_NET_OPEN) {
      return;
    }
  }
  if ((events & (UV_READABLE | UV_DISCONNECT)) || status < 0) {
    do_read(c);
  }
}

static void set_poll(struct mtk_net_conn *c, int events) {
  if (events == c->poll_events) {
    return;
  }
  c->poll_events = events;
  if (events == 0) {
    uv_poll_stop(&c->poll);
  } else {
    uv_poll_start(&c->poll, events, on_poll);
  }
}

// check_connect runs on the loop iteration after connect(): a connection to
// a nearby peer (loopback above all) is often complete by then, and one
// poll() finds out without registering the socket for writability first.
// Otherwise the socket is watched as usual.
static void check_connect(struct mtk_net_conn *c) {
  struct pollfd p = {.fd = c->fd, .events = POLLOUT};
  if (poll(&p, 1, 0) != 1) {
    set_poll(c, UV_WRITABLE);
  } else {
    // POLLOUT alone: connected, no error to ask for.
    connect_done(c, p.revents != POLLOUT, 0);
  }
}

static int start(struct mtk_net_conn *c, uv_loop_t *loop, SSL *ssl, int fd,
                 uint64_t timeout_ms, const struct mtk_net_conn_cbs *cbs) {
  // The caller's settings survive the reset of the rest of the state.
  void *data = c->data;
  SSL_SESSION **session_slot = c->session_slot;
  uint8_t close_mode = c->close_mode;
  memset(c, 0, sizeof(*c));
  c->data = data;
  c->session_slot = session_slot;
  c->close_mode = close_mode;
  c->fd = fd;
  c->ssl = ssl;
  c->cbs = cbs;
  c->alert_received = -1;
  int err = uv_poll_init_socket(loop, &c->poll, fd);
  if (err != 0) {
    close(fd);
    SSL_free(ssl);
    c->ssl = NULL;
    c->fd = -1;
    return err;
  }
  uv_timer_init(loop, &c->timer);  // cannot fail
  uv_idle_init(loop, &c->resume);  // cannot fail
  c->poll.data = c;
  c->timer.data = c;
  c->resume.data = c;
  c->open_handles = 3;
  SSL_set_app_data(ssl, c);
  BIO *rbio = mtk_readahead_bio_new(fd);
  BIO *wbio = BIO_new_socket(fd, BIO_NOCLOSE);
  if (rbio == NULL || wbio == NULL) {
    BIO_free(rbio);
    BIO_free(wbio);
    ERR_clear_error();
    fail_later(c, MTK_OUTCOME_CLIENT_ERROR, MTK_STAGE_NONE);
    return 0;
  }
  SSL_set_bio(ssl, rbio, wbio);
  if (timeout_ms > 0) {
    uv_timer_start(&c->timer, on_timer, timeout_ms, 0);
  }
  return 0;
}

int mtk_net_conn_connect(struct mtk_net_conn *c, uv_loop_t *loop, SSL *ssl,
                         const struct sockaddr *dst, const struct sockaddr *src,
                         uint64_t timeout_ms,
                         const struct mtk_net_conn_cbs *cbs) {
  socklen_t len = dst->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                             : sizeof(struct sockaddr_in);
  int fd =
      socket(dst->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    int err = mtk_errno_get();
    SSL_free(ssl);
    return err;
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  if (src != NULL && bind(fd, src, len) != 0) {
    int err = mtk_errno_get();
    close(fd);
    SSL_free(ssl);
    return err;
  }
  int err = start(c, loop, ssl, fd, timeout_ms, cbs);
  if (err != 0) {
    return err;
  }
  c->state = MTK_NET_CONNECTING;
  if (connect(fd, dst, len) != 0 && errno != EINPROGRESS) {
    int e = errno;
    struct mtk_outcome o;
    mtk_net_classify(SSL_ERROR_SYSCALL, 0, -1, e, MTK_STAGE_TCP, &o);
    fail_later(
        c, o.kind == MTK_OUTCOME_RESET ? MTK_OUTCOME_CONNECT_FAILED : o.kind,
        MTK_STAGE_TCP);
    return 0;
  }
  uv_idle_start(&c->resume, on_resume);  // check_connect, next iteration
  return 0;
}

int mtk_net_conn_accept(struct mtk_net_conn *c, uv_loop_t *loop, SSL *ssl,
                        int fd, uint64_t timeout_ms,
                        const struct mtk_net_conn_cbs *cbs) {
  int err = start(c, loop, ssl, fd, timeout_ms, cbs);
  if (err != 0) {
    return err;
  }
  c->state = MTK_NET_HANDSHAKING;
  set_poll(c, UV_READABLE);
  return 0;
}

int mtk_net_conn_write(struct mtk_net_conn *c, const uint8_t *data,
                       size_t len) {
  if (c->state != MTK_NET_OPEN || c->wlen > 0) {
    return MTK_EINVAL;
  }
  c->wbuf = data;
  c->wlen = len;
  int n = SSL_write(c->ssl, data, (int)len);
  if (n > 0) {
    c->wbuf = NULL;
    c->wlen = 0;
    return 0;
  }
  int saved = errno;
  int e = SSL_get_error(c->ssl, n);
  if (e == SSL_ERROR_WANT_WRITE) {
    set_poll(c, UV_READABLE | UV_WRITABLE);
    return 0;
  }
  if (e == SSL_ERROR_WANT_READ) {
    return 0;
  }
  int reason = 0;
  uint32_t err = ERR_peek_error();
  if (err != 0) {
    reason = ERR_GET_REASON(err);
  }
  ERR_clear_error();
  struct mtk_outcome o;
  mtk_net_classify(e, reason, c->alert_received,
                   e == SSL_ERROR_SYSCALL ? saved : 0, current_stage(c), &o);
  c->pending = o;
  set_poll(c, 0);
  uv_timer_start(&c->timer, on_timer, 0, 0);
  return 0;
}

void mtk_net_conn_set_timeout(struct mtk_net_conn *c, uint64_t timeout_ms) {
  if (c->state == MTK_NET_CLOSING || c->pending.kind != MTK_OUTCOME_NONE) {
    return;
  }
  if (timeout_ms == 0) {
    uv_timer_stop(&c->timer);
  } else {
    uv_timer_start(&c->timer, on_timer, timeout_ms, 0);
  }
}

bool mtk_net_conn_is_resumed(const struct mtk_net_conn *c) {
  return c->ssl != NULL && SSL_session_reused(c->ssl);
}
