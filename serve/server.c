// The mtlskit serve event loop (see server.h).
#include "server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#include "http.h"
#include "mtlskit/bundle.h"
#include "mtlskit/file.h"
#include "mtlskit/net.h"
#include "mtlskit/net_server.h"
#include "mtlskit/units.h"

// A request body is read and thrown away; larger ones get 413.
#define MAX_BODY (1024u * 1024u)
// How often a connection waiting for its response to drain looks again.
#define DRAIN_POLL_MS 2

struct serve;

struct serve_conn {
  struct mtk_net_conn net;  // embedded handles: freed in the close callback
  uv_timer_t drain;         // waits for a pending write to finish
  struct serve *srv;
  struct serve_conn *prev, *next;
  uint64_t id;
  uint64_t t_accept;  // uv_hrtime() at accept
  char peer_ip[INET6_ADDRSTRLEN];
  unsigned peer_port;
  bool decided;
  struct mtk_serve_decision decision;
  // What the backend is told about the certificate (ALB profiles).
  struct mtk_alb_headers alb;
  bool have_alb;
  char *chain_header;  // passthrough X-Amzn-Mtls-Clientcert
  // For the connection log.
  char proto[16];
  char cipher[64];
  char *subject;
  char *validity;
  char *serial;
  char *in;
  size_t in_len, in_cap;
  char *out;  // the response being written; kept until the next one
  uint64_t requests;
  int last_status;
  bool close_after_write;
  bool blinding;  // a refusal waits for its close_notify; input is dropped
  bool logged;
  char ended[64];  // how the connection ended, if not by us
};

struct serve {
  const struct mtk_serve_config *cfg;
  FILE *log;
  FILE *connlog;  // --connection-log FILE, or NULL
  uv_loop_t loop;
  uv_poll_t listener;
  uv_timer_t duration;
  // Out of file descriptors, accepting pauses (the listener would report
  // the pending connection again at once and spin) until a connection
  // closes or ACCEPT_PAUSE_MS pass; said once per episode on stderr.
  uv_timer_t accept_pause;
  bool accept_paused;
  bool fd_limit_said;
  uv_signal_t sigint, sigterm;
  int listen_fd;
  bool listening;
  bool stopping;
  unsigned listen_port;
  uint64_t accepted;
  uint64_t active;
  struct serve_conn *conns;
  struct mtk_net_tls *tls;
  struct mtk_net_server_opts srv_opts;
  STACK_OF(CRYPTO_BUFFER) * ca_names;
  struct mtk_bundle trust;
  struct mtk_bundle crls;
  struct mtk_serve_policy policy;
  struct mtk_serve_http_limits limits;
};

static void conn_process(struct serve_conn *sc);
static void resume_accepting(struct serve *srv);

enum { ACCEPT_PAUSE_MS = 100 };

// --- connection log ----------------------------------------------------

static void log_conn(struct serve_conn *sc) {
  struct serve *srv = sc->srv;
  if (sc->logged) {
    return;
  }
  sc->logged = true;
  if (srv->cfg->quiet && srv->connlog == NULL) {
    return;
  }
  // ALB's timestamp: RFC 3339 UTC with microseconds.
  char now[48] = "-";
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  if (mtk_format_time(now, sizeof(now), ts.tv_sec) == 0) {
    snprintf(now + 19, sizeof(now) - 19, ".%06ldZ", ts.tv_nsec / 1000);
  } else {
    snprintf(now, sizeof(now), "-");
  }
  const char *proto = sc->proto[0] != '\0' ? sc->proto : "-";
  const char *cipher = sc->cipher[0] != '\0' ? sc->cipher : "-";
  char latency[32] = "-";
  bool refused = sc->decided && sc->decision.action == MTK_SERVE_REFUSE_TLS;
  if (sc->net.t_handshake > sc->t_accept && !refused) {
    snprintf(latency, sizeof(latency), "%.6f",
             (double)(sc->net.t_handshake - sc->t_accept) / 1e9);
  }
  char http[16] = "-";
  if (sc->last_status > 0) {
    snprintf(http, sizeof(http), "%d", sc->last_status);
  }
  // ALB's connection-log fields (§1.4): all --connection-log writes; the
  // output adds mtlskit's own.
  char line[1536];
  snprintf(line, sizeof(line),
           "%s %s %u %u %s %s %s \"%s\" %s %s %s TID_%016llx", now, sc->peer_ip,
           sc->peer_port, srv->listen_port, proto, cipher, latency,
           sc->subject != NULL ? sc->subject : "-",
           sc->validity != NULL ? sc->validity : "-",
           sc->serial != NULL ? sc->serial : "-",
           sc->decided ? sc->decision.status : "-", (unsigned long long)sc->id);
  if (!srv->cfg->quiet) {
    fprintf(srv->log, "%s action=%s http=%s requests=%llu end=%s\n", line,
            sc->decided ? mtk_serve_action_name(sc->decision.action) : "-",
            http, (unsigned long long)sc->requests,
            sc->ended[0] != '\0' ? sc->ended : "closed-by-server");
    fflush(srv->log);
  }
  if (srv->connlog != NULL) {
    fprintf(srv->connlog, "%s\n", line);
    fflush(srv->connlog);
  }
}

// open_connlog opens --connection-log FILE for appending, line by line.
static int open_connlog(struct serve *srv, struct mtk_diag *diag) {
  if (srv->cfg->connection_log == NULL) {
    return 0;
  }
  srv->connlog = fopen(srv->cfg->connection_log, "a");
  if (srv->connlog == NULL) {
    int err = mtk_errno_get();
    return mtk_diag_set(diag, err, "--connection-log %s: %s",
                        srv->cfg->connection_log, mtk_strerror(err));
  }
  return 0;
}

// --- server lifetime ---------------------------------------------------

static void on_listener_closed(uv_handle_t *h) {
  struct serve *srv = h->data;
  if (srv->listen_fd >= 0) {
    close(srv->listen_fd);
    srv->listen_fd = -1;
  }
}

static void stop_listening(struct serve *srv) {
  if (!srv->listening) {
    return;
  }
  srv->listening = false;
  uv_close((uv_handle_t *)&srv->listener, on_listener_closed);
}

// stop ends the server: no new connections, every open one closed; the
// loop returns once every handle is closed.
static void stop(struct serve *srv) {
  if (srv->stopping) {
    return;
  }
  srv->stopping = true;
  stop_listening(srv);
  uv_close((uv_handle_t *)&srv->duration, NULL);
  uv_close((uv_handle_t *)&srv->accept_pause, NULL);
  uv_close((uv_handle_t *)&srv->sigint, NULL);
  uv_close((uv_handle_t *)&srv->sigterm, NULL);
  for (struct serve_conn *sc = srv->conns; sc != NULL; sc = sc->next) {
    if (sc->ended[0] == '\0') {
      snprintf(sc->ended, sizeof(sc->ended), "server-stopped");
    }
    mtk_net_conn_close(&sc->net);
  }
}

static void maybe_finish(struct serve *srv) {
  if (srv->active == 0 && !srv->listening) {
    stop(srv);
  }
}

static void on_duration(uv_timer_t *t) { stop(t->data); }

static void on_signal(uv_signal_t *s, int signum) {
  (void)signum;
  stop(s->data);
}

// --- per connection ----------------------------------------------------

static void conn_free(uv_handle_t *h) {
  struct serve_conn *sc = h->data;
  struct serve *srv = sc->srv;
  mtk_alb_headers_cleanup(&sc->alb);
  free(sc->chain_header);
  free(sc->subject);
  free(sc->validity);
  free(sc->serial);
  free(sc->in);
  free(sc->out);
  free(sc);
  srv->active--;
  resume_accepting(srv);  // a descriptor is free again
  maybe_finish(srv);
}

static void on_conn_close(struct mtk_net_conn *c) {
  struct serve_conn *sc = c->data;
  struct serve *srv = sc->srv;
  log_conn(sc);
  if (sc->prev != NULL) {
    sc->prev->next = sc->next;
  } else {
    srv->conns = sc->next;
  }
  if (sc->next != NULL) {
    sc->next->prev = sc->prev;
  }
  uv_close((uv_handle_t *)&sc->drain, conn_free);
}

static void on_conn_end(struct mtk_net_conn *c, const struct mtk_outcome *o) {
  struct serve_conn *sc = c->data;
  char buf[64];
  if (mtk_outcome_format(buf, sizeof(buf), o) != 0) {
    snprintf(buf, sizeof(buf), "error");
  }
  for (char *p = buf; *p != '\0'; p++) {
    if (*p == ' ') {
      *p = '_';  // one field in the space-separated log line
    }
  }
  // A refused TLS 1.2 handshake fails on purpose: say so, not "error".
  snprintf(sc->ended, sizeof(sc->ended), "%s",
           sc->decided && sc->decision.action == MTK_SERVE_REFUSE_TLS
               ? "refused"
               : buf);
}

// take_cert_facts keeps what the log and the backend need from |leaf| and
// |chain|.
static int take_cert_facts(struct serve_conn *sc, X509 *leaf,
                           STACK_OF(X509) * chain) {
  int err;
  if ((err = mtk_alb_headers_make(leaf, &sc->alb)) != 0) {
    return err;
  }
  sc->have_alb = true;
  sc->subject = strdup(sc->alb.subject);
  sc->validity = strdup(sc->alb.validity);
  sc->serial = strdup(sc->alb.serial);
  if (sc->subject == NULL || sc->validity == NULL || sc->serial == NULL) {
    return MTK_ENOMEM;
  }
  if (sc->srv->cfg->profile == MTK_SERVE_PROFILE_ALB_PASSTHROUGH) {
    return mtk_alb_chain_header(leaf, chain, &sc->chain_header);
  }
  return 0;
}

// decide runs the platform decision once per connection, from the chain
// the client sent (none when it sent no certificate).
static void decide(struct serve_conn *sc, SSL *ssl) {
  if (sc->decided) {
    return;
  }
  // The log needs these after the SSL is gone.
  snprintf(sc->proto, sizeof(sc->proto), "%s", SSL_get_version(ssl));
  const SSL_CIPHER *cipher = SSL_get_current_cipher(ssl);
  if (cipher == NULL) {
    cipher = SSL_get_pending_cipher(ssl);
  }
  if (cipher != NULL) {
    snprintf(sc->cipher, sizeof(sc->cipher), "%s",
             SSL_CIPHER_standard_name(cipher));
  }
  X509 *leaf = NULL;
  STACK_OF(X509) *chain = NULL;
  size_t bytes = 0;
  struct mtk_diag diag;
  mtk_diag_init(&diag);
  int err = mtk_net_server_peer_chain(ssl, &leaf, &chain, &bytes);
  if (err == 0 && leaf != NULL) {
    err = take_cert_facts(sc, leaf, chain);
  }
  if (err == 0) {
    err = mtk_serve_decide(&sc->srv->policy, leaf, chain, bytes, &sc->decision,
                           &diag);
  }
  if (err != 0) {
    // A certificate that cannot even be parsed is refused like any other
    // failure of the platform's checks.
    const struct mtk_serve_config *cfg = sc->srv->cfg;
    bool http =
        cfg->profile == MTK_SERVE_PROFILE_CLOUDFLARE ||
        (cfg->profile == MTK_SERVE_PROFILE_APIGW && !cfg->apigw_refuse_tls);
    memset(&sc->decision, 0, sizeof(sc->decision));
    sc->decision.action = http ? MTK_SERVE_FORBID : MTK_SERVE_REFUSE_TLS;
    snprintf(sc->decision.status, sizeof(sc->decision.status), "Failed:%s",
             mtk_diag_message(&diag, err));
  }
  sc->decided = true;
  X509_free(leaf);
  sk_X509_pop_free(chain, X509_free);
}

static enum mtk_net_verdict verify_fn(SSL *ssl, void *arg) {
  (void)arg;
  struct mtk_net_conn *c = SSL_get_app_data(ssl);
  struct serve_conn *sc = c->data;
  decide(sc, ssl);
  return sc->decision.action == MTK_SERVE_REFUSE_TLS ? MTK_NET_VERDICT_REFUSE
                                                     : MTK_NET_VERDICT_ACCEPT;
}

// send_refusal closes a refused connection: the plaintext close_notify of
// a held TLS 1.2 refusal, else (TLS 1.3) mtk_net_conn_close's own.
static void send_refusal(struct mtk_net_conn *c) {
  if (mtk_net_server_refuse_finish(c->ssl) != 0) {
    // Nothing held: the close_notify below is the refusal.
  }
  mtk_net_conn_close(c);
}

static void on_blinding_over(uv_timer_t *t) {
  struct serve_conn *sc = t->data;
  if (sc->net.state == MTK_NET_OPEN) {
    send_refusal(&sc->net);
  }
}

static void on_conn_handshake(struct mtk_net_conn *c) {
  struct serve_conn *sc = c->data;
  decide(sc, c->ssl);  // no certificate: the verify function never ran
  if (sc->decision.action == MTK_SERVE_REFUSE_TLS ||
      mtk_net_server_refused(c->ssl)) {
    // No HTTP response: close_notify, then FIN (s2n-tls, §1.2).
    snprintf(sc->ended, sizeof(sc->ended), "refused");
    if (sc->srv->cfg->blinding_ms > 0) {
      // s2n's blinding: the client hears nothing until the delay is over.
      sc->blinding = true;
      mtk_net_conn_set_timeout(c, 0);
      uv_timer_start(&sc->drain, on_blinding_over, sc->srv->cfg->blinding_ms,
                     0);
      return;
    }
    send_refusal(c);
    return;
  }
  mtk_net_conn_set_timeout(c, sc->srv->cfg->timeout_ms);
}

static void on_conn_read(struct mtk_net_conn *c, const uint8_t *data,
                         size_t len) {
  struct serve_conn *sc = c->data;
  size_t max_in = sc->srv->limits.max_head + MAX_BODY;
  if (sc->close_after_write || sc->blinding) {
    return;  // the answer is final; later bytes are ignored
  }
  if (sc->in_len + len > max_in) {
    len = max_in - sc->in_len;  // the parser refuses what is over the limit
  }
  if (sc->in_len + len > sc->in_cap) {
    size_t cap = sc->in_cap > 0 ? sc->in_cap : 4096;
    while (cap < sc->in_len + len) {
      cap *= 2;
    }
    if (cap > max_in) {
      cap = max_in;
    }
    char *grown = realloc(sc->in, cap);
    if (grown == NULL) {
      mtk_net_conn_close(c);
      return;
    }
    sc->in = grown;
    sc->in_cap = cap;
  }
  memcpy(sc->in + sc->in_len, data, len);
  sc->in_len += len;
  conn_process(sc);
}

static void on_drain(uv_timer_t *t) {
  struct serve_conn *sc = t->data;
  if (sc->net.state != MTK_NET_OPEN) {
    uv_timer_stop(t);
    return;
  }
  if (sc->net.wlen > 0) {
    return;
  }
  uv_timer_stop(t);
  if (sc->close_after_write) {
    mtk_net_conn_close(&sc->net);
  } else {
    conn_process(sc);
  }
}

static const struct mtk_net_conn_cbs conn_cbs = {
    .handshake = on_conn_handshake,
    .read = on_conn_read,
    .end = on_conn_end,
    .close = on_conn_close,
};

// --- responses ---------------------------------------------------------

struct strbuf {
  char *p;
  size_t len, cap;
  bool failed;
};

static void sb_add(struct strbuf *b, const char *s, size_t n) {
  if (b->failed) {
    return;
  }
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap > 0 ? b->cap : 1024;
    while (cap < b->len + n + 1) {
      cap *= 2;
    }
    char *grown = realloc(b->p, cap);
    if (grown == NULL) {
      b->failed = true;
      return;
    }
    b->p = grown;
    b->cap = cap;
  }
  memcpy(b->p + b->len, s, n);
  b->len += n;
  b->p[b->len] = '\0';
}

static void sb_str(struct strbuf *b, const char *s) { sb_add(b, s, strlen(s)); }

// sb_json adds |s| as a JSON string. Bytes outside printable ASCII become
// \u00XX (read as Latin-1), so the document is valid whatever was sent.
static void sb_json(struct strbuf *b, const char *s, size_t n) {
  sb_add(b, "\"", 1);
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    char esc[8];
    if (c == '"' || c == '\\') {
      esc[0] = '\\';
      esc[1] = (char)c;
      sb_add(b, esc, 2);
    } else if (c < 0x20 || c >= 0x7f) {
      snprintf(esc, sizeof(esc), "\\u%04x", c);
      sb_add(b, esc, 6);
    } else {
      sb_add(b, (const char *)&s[i], 1);
    }
  }
  sb_add(b, "\"", 1);
}

static void sb_json_header(struct strbuf *b, bool *first, const char *name,
                           size_t name_len, const char *value,
                           size_t value_len) {
  sb_str(b, *first ? "[" : ",[");
  *first = false;  // the caller opened the array
  sb_json(b, name, name_len);
  sb_str(b, ",");
  sb_json(b, value, value_len);
  sb_str(b, "]");
}

static const char *reason_phrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 403:
      return "Forbidden";
    case 413:
      return "Content Too Large";
    case 414:
      return "URI Too Long";
    case 431:
      return "Request Header Fields Too Large";
    case 501:
      return "Not Implemented";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "Error";
  }
}

// conn_respond sends |status| with |body| and takes ownership of the body
// buffer's bytes by copying them into the connection's response.
static void conn_respond(struct serve_conn *sc, int status,
                         const char *content_type, const char *body,
                         size_t body_len, bool keep_alive) {
  struct strbuf b = {0};
  char head[256];
  snprintf(head, sizeof(head),
           "HTTP/1.1 %d %s\r\nServer: mtlskit-serve\r\nContent-Type: %s\r\n"
           "Content-Length: %zu\r\nConnection: %s\r\n\r\n",
           status, reason_phrase(status), content_type, body_len,
           keep_alive ? "keep-alive" : "close");
  sb_str(&b, head);
  sb_add(&b, body, body_len);
  sc->last_status = status;
  sc->close_after_write = !keep_alive;
  if (b.failed) {
    free(b.p);
    mtk_net_conn_close(&sc->net);
    return;
  }
  free(sc->out);
  sc->out = b.p;
  if (mtk_net_conn_write(&sc->net, (const uint8_t *)sc->out, b.len) != 0) {
    mtk_net_conn_close(&sc->net);
    return;
  }
  if (sc->net.wlen > 0 || sc->close_after_write) {
    uv_timer_start(&sc->drain, on_drain, 0, DRAIN_POLL_MS);
  }
}

static void conn_error(struct serve_conn *sc, int status) {
  char body[96];
  int n =
      snprintf(body, sizeof(body), "%d %s\n", status, reason_phrase(status));
  conn_respond(sc, status, "text/plain", body, (size_t)n, false);
}

// conn_forbid answers 403 the way the platform's rule does (the body is
// mtlskit's: the platforms' own pages are not documented in detail).
static void conn_forbid(struct serve_conn *sc, bool keep_alive) {
  struct strbuf b = {0};
  const char *type = "text/plain";
  if (sc->srv->cfg->profile == MTK_SERVE_PROFILE_APIGW) {
    type = "application/json";
    sb_str(&b, "{\"message\":\"Forbidden\"}");
  } else {
    sb_str(&b, "403 Forbidden: client certificate not verified (");
    sb_str(&b, sc->decision.status);
    sb_str(&b, ")\n");
  }
  if (b.failed) {
    free(b.p);
    mtk_net_conn_close(&sc->net);
    return;
  }
  conn_respond(sc, 403, type, b.p, b.len, keep_alive);
  free(b.p);
}

// conn_echo is the built-in backend: 200 and, as JSON, the request as it
// reached the backend. Client-sent X-Amzn-Mtls-* headers never do (what
// ALB does with them is not documented [I]); the ALB profiles add their
// own.
static void conn_echo(struct serve_conn *sc,
                      const struct mtk_serve_http_request *req,
                      bool keep_alive) {
  struct strbuf b = {0};
  bool first = true;
  char version[16];
  snprintf(version, sizeof(version), "HTTP/1.%d", req->minor_version);
  sb_str(&b, "{\"schema_version\":1,\"profile\":");
  const char *profile = mtk_serve_profile_name(sc->srv->cfg->profile);
  sb_json(&b, profile, strlen(profile));
  sb_str(&b, ",\"method\":");
  sb_json(&b, req->method, req->method_len);
  sb_str(&b, ",\"target\":");
  sb_json(&b, req->target, req->target_len);
  sb_str(&b, ",\"version\":");
  sb_json(&b, version, strlen(version));
  sb_str(&b, ",\"headers\":[");
  for (size_t i = 0; i < req->num_headers; i++) {
    const struct mtk_serve_http_header *h = &req->headers[i];
    if (mtk_serve_http_name_has_prefix(h->name, h->name_len, "x-amzn-mtls-")) {
      continue;
    }
    sb_json_header(&b, &first, h->name, h->name_len, h->value, h->value_len);
  }
#define ADD(name, value) \
  sb_json_header(&b, &first, name, strlen(name), value, strlen(value))
  enum mtk_serve_profile p = sc->srv->cfg->profile;
  if (p == MTK_SERVE_PROFILE_ALB_VERIFY && sc->have_alb) {
    const struct mtk_alb_headers *a = &sc->alb;
    ADD("X-Amzn-Mtls-Clientcert-Serial-Number", a->serial);
    ADD("X-Amzn-Mtls-Clientcert-Issuer", a->issuer);
    ADD("X-Amzn-Mtls-Clientcert-Subject", a->subject);
    ADD("X-Amzn-Mtls-Clientcert-Validity", a->validity);
    ADD("X-Amzn-Mtls-Clientcert-Leaf", a->leaf);
  } else if (p == MTK_SERVE_PROFILE_ALB_PASSTHROUGH &&
             sc->chain_header != NULL) {
    ADD("X-Amzn-Mtls-Clientcert", sc->chain_header);
  }
#undef ADD
  sb_str(&b, "]}\n");
  if (b.failed) {
    free(b.p);
    mtk_net_conn_close(&sc->net);
    return;
  }
  conn_respond(sc, 200, "application/json", b.p, b.len, keep_alive);
  free(b.p);
}

static void conn_process(struct serve_conn *sc) {
  while (sc->net.state == MTK_NET_OPEN && !sc->close_after_write) {
    if (sc->net.wlen > 0) {
      if (!uv_is_active((uv_handle_t *)&sc->drain)) {
        uv_timer_start(&sc->drain, on_drain, DRAIN_POLL_MS, DRAIN_POLL_MS);
      }
      return;
    }
    struct mtk_serve_http_request req;
    int status = 0;
    int rc = mtk_serve_http_parse(sc->in, sc->in_len, &sc->srv->limits, &req,
                                  &status);
    if (rc == 0) {
      return;
    }
    if (rc < 0) {
      conn_error(sc, status);
      return;
    }
    if (req.chunked) {
      conn_error(sc, 501);
      return;
    }
    if (req.content_length > MAX_BODY) {
      conn_error(sc, 413);
      return;
    }
    size_t total = req.head_len + (size_t)req.content_length;
    if (sc->in_len < total) {
      return;  // the body is still coming
    }
    sc->requests++;
    bool keep_alive =
        req.keep_alive && sc->requests < sc->srv->cfg->max_requests;
    if (sc->decision.action == MTK_SERVE_FORBID) {
      conn_forbid(sc, keep_alive);
    } else {
      conn_echo(sc, &req, keep_alive);
    }
    // |req| points into |in|: consume only after the response is built.
    memmove(sc->in, sc->in + total, sc->in_len - total);
    sc->in_len -= total;
    mtk_net_conn_set_timeout(&sc->net, sc->srv->cfg->timeout_ms);
  }
}

// --- accepting ---------------------------------------------------------

static void accept_one(struct serve *srv, int fd,
                       const struct sockaddr_storage *peer) {
  struct serve_conn *sc = calloc(1, sizeof(*sc));
  SSL *ssl = NULL;
  if (sc == NULL) {
    close(fd);
    return;
  }
  sc->srv = srv;
  sc->id = srv->accepted;
  sc->t_accept = uv_hrtime();
  if (peer->ss_family == AF_INET6) {
    const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)peer;
    inet_ntop(AF_INET6, &in6->sin6_addr, sc->peer_ip, sizeof(sc->peer_ip));
    sc->peer_port = ntohs(in6->sin6_port);
  } else {
    const struct sockaddr_in *in4 = (const struct sockaddr_in *)peer;
    inet_ntop(AF_INET, &in4->sin_addr, sc->peer_ip, sizeof(sc->peer_ip));
    sc->peer_port = ntohs(in4->sin_port);
  }
  if (mtk_net_tls_new_ssl(srv->tls, 0, NULL, NULL, NULL, &ssl) != 0 ||
      mtk_net_server_setup_ssl(ssl, &srv->srv_opts) != 0) {
    SSL_free(ssl);
    close(fd);
    free(sc);
    ERR_clear_error();
    return;
  }
  uv_timer_init(&srv->loop, &sc->drain);
  sc->drain.data = sc;
  sc->net.data = sc;
  srv->active++;
  if (mtk_net_conn_accept(&sc->net, &srv->loop, ssl, fd, srv->cfg->timeout_ms,
                          &conn_cbs) != 0) {
    // Nothing started: no net callback will run.
    snprintf(sc->ended, sizeof(sc->ended), "accept-failed");
    sc->logged = true;
    uv_close((uv_handle_t *)&sc->drain, conn_free);
    return;
  }
  sc->next = srv->conns;
  if (srv->conns != NULL) {
    srv->conns->prev = sc;
  }
  srv->conns = sc;
}

static void on_listener(uv_poll_t *p, int status, int events);

static void on_accept_pause_over(uv_timer_t *t) { resume_accepting(t->data); }

// pause_accepting stops watching the listener after accept failed with
// |err| (no descriptor or memory left): the connections already open keep
// being served, new ones wait in the listen queue.
static void pause_accepting(struct serve *srv, int err) {
  if (!srv->fd_limit_said) {
    srv->fd_limit_said = true;
    fprintf(stderr,
            "mtlskit serve: cannot accept: %s (%llu connections open); "
            "accepting paused until one closes\n",
            strerror(err), (unsigned long long)srv->active);
  }
  srv->accept_paused = true;
  uv_poll_stop(&srv->listener);
  uv_timer_start(&srv->accept_pause, on_accept_pause_over, ACCEPT_PAUSE_MS, 0);
}

static void resume_accepting(struct serve *srv) {
  if (!srv->accept_paused) {
    return;
  }
  srv->accept_paused = false;
  uv_timer_stop(&srv->accept_pause);
  if (srv->listening) {
    uv_poll_start(&srv->listener, UV_READABLE, on_listener);
  }
}

static void on_listener(uv_poll_t *p, int status, int events) {
  struct serve *srv = p->data;
  (void)events;
  if (status < 0 || !srv->listening) {
    return;
  }
  for (;;) {
    if (srv->cfg->max_connections > 0 &&
        srv->accepted >= srv->cfg->max_connections) {
      stop_listening(srv);
      maybe_finish(srv);
      return;
    }
    struct sockaddr_storage peer;
    socklen_t plen = sizeof(peer);
    int fd = accept(srv->listen_fd, (struct sockaddr *)&peer, &plen);
    if (fd < 0) {
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
          errno == ENOMEM) {
        pause_accepting(srv, errno);
      }
      return;  // EAGAIN, or a connection that went away: try later
    }
    srv->fd_limit_said = false;
    if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) != 0 ||
        fcntl(fd, F_SETFD, FD_CLOEXEC) != 0) {
      close(fd);
      continue;
    }
    srv->accepted++;
    accept_one(srv, fd, &peer);
    if (srv->cfg->max_connections > 0 &&
        srv->accepted >= srv->cfg->max_connections) {
      stop_listening(srv);
      maybe_finish(srv);
      return;
    }
  }
}

// --- setup -------------------------------------------------------------

static int load_trust(struct serve *srv, struct mtk_diag *diag) {
  const struct mtk_serve_config *cfg = srv->cfg;
  int err;
  if (cfg->truststore != NULL) {
    err = mtk_bundle_add_file(&srv->trust, cfg->truststore, diag);
    if (err != 0) {
      return mtk_diag_prefix(diag, err, "--truststore %s", cfg->truststore);
    }
    if (sk_X509_num(srv->trust.certs) == 0) {
      return mtk_diag_set(diag, MTK_EPARSE,
                          "--truststore %s: no certificate in the file",
                          cfg->truststore);
    }
  }
  for (size_t i = 0; i < cfg->num_crls; i++) {
    err = mtk_bundle_add_file(&srv->crls, cfg->crl_files[i], diag);
    if (err != 0) {
      return mtk_diag_prefix(diag, err, "--crl %s", cfg->crl_files[i]);
    }
    if (sk_X509_CRL_num(srv->crls.crls) == 0) {
      return mtk_diag_set(diag, MTK_EPARSE, "--crl %s: no CRL in the file",
                          cfg->crl_files[i]);
    }
  }
  srv->policy.profile = cfg->profile;
  srv->policy.trusted = srv->trust.certs;
  srv->policy.crls = srv->crls.crls;
  srv->policy.allow_expired = cfg->allow_expired;
  srv->policy.apigw_refuse_tls = cfg->apigw_refuse_tls;
  return 0;
}

static int setup_tls(struct serve *srv, struct mtk_diag *diag) {
  const struct mtk_serve_config *cfg = srv->cfg;
  const char *certs[1] = {cfg->cert_file};
  const char *keys[1] = {cfg->key_file};
  struct mtk_net_tls_options opts = {
      .server = true,
      .cert_files = certs,
      .key_files = keys,
      .num_identities = 1,
      .tls_version = cfg->tls_version,
      // ALB: "Session resumption is not supported" with mTLS (§1.1).
      .resume = MTK_NET_RESUME_OFF,
  };
  int err = mtk_net_tls_new(&opts, &srv->tls, diag);
  if (err != 0) {
    return err;
  }
  if (cfg->advertise_ca_names) {
    err = mtk_net_server_ca_names_new(srv->trust.certs, &srv->ca_names);
    if (err != 0) {
      return mtk_diag_set(diag, err, "cannot collect the CA names");
    }
  }
  srv->srv_opts.verify = verify_fn;
  srv->srv_opts.arg = srv;
  srv->srv_opts.ca_names = srv->ca_names;
  srv->srv_opts.accept_ed25519 = true;
  srv->srv_opts.defer_refusal = cfg->blinding_ms > 0;
  return 0;
}

static int setup_listener(struct serve *srv, struct mtk_diag *diag) {
  const struct sockaddr_storage *addr = &srv->cfg->listen;
  socklen_t len = addr->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                              : sizeof(struct sockaddr_in);
  char host[INET6_ADDRSTRLEN] = "?";
  unsigned port = 0;
  if (addr->ss_family == AF_INET6) {
    const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)addr;
    inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
    port = ntohs(in6->sin6_port);
  } else {
    const struct sockaddr_in *in4 = (const struct sockaddr_in *)addr;
    inet_ntop(AF_INET, &in4->sin_addr, host, sizeof(host));
    port = ntohs(in4->sin_port);
  }
  int fd =
      socket(addr->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    int err = mtk_errno_get();
    return mtk_diag_set(diag, err, "socket: %s", mtk_strerror(err));
  }
  srv->listen_fd = fd;
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (bind(fd, (const struct sockaddr *)addr, len) != 0 ||
      listen(fd, 128) != 0) {
    int err = mtk_errno_get();
    return mtk_diag_set(diag, err, "cannot listen on %s:%u: %s", host, port,
                        mtk_strerror(err));
  }
  struct sockaddr_storage bound;
  socklen_t blen = sizeof(bound);
  if (getsockname(fd, (struct sockaddr *)&bound, &blen) == 0) {
    port = bound.ss_family == AF_INET6
               ? ntohs(((struct sockaddr_in6 *)&bound)->sin6_port)
               : ntohs(((struct sockaddr_in *)&bound)->sin_port);
  }
  srv->listen_port = port;
  int err = uv_poll_init_socket(&srv->loop, &srv->listener, fd);
  if (err != 0) {
    return mtk_diag_set(diag, err, "uv_poll_init_socket: %s", uv_strerror(err));
  }
  srv->listener.data = srv;
  srv->listening = true;
  uv_poll_start(&srv->listener, UV_READABLE, on_listener);
  bool v6 = addr->ss_family == AF_INET6;
  fprintf(srv->log, "listening https://%s%s%s:%u/ profile=%s\n", v6 ? "[" : "",
          host, v6 ? "]" : "", port, mtk_serve_profile_name(srv->cfg->profile));
  fflush(srv->log);
  if (srv->cfg->ready_file != NULL) {
    char line[16];
    int n = snprintf(line, sizeof(line), "%u\n", port);
    err = mtk_file_replace(srv->cfg->ready_file, line, (size_t)n, 0644, diag);
    if (err != 0) {
      return mtk_diag_prefix(diag, err, "--ready-file %s",
                             srv->cfg->ready_file);
    }
  }
  return 0;
}

int mtk_serve_run(const struct mtk_serve_config *cfg, FILE *log,
                  struct mtk_diag *diag) {
  struct serve srv;
  memset(&srv, 0, sizeof(srv));
  srv.cfg = cfg;
  srv.log = log;
  srv.listen_fd = -1;
  mtk_serve_http_limits_alb(&srv.limits);
  int err = uv_loop_init(&srv.loop);
  if (err != 0) {
    return mtk_diag_set(diag, err, "uv_loop_init: %s", uv_strerror(err));
  }
  uv_timer_init(&srv.loop, &srv.duration);
  uv_timer_init(&srv.loop, &srv.accept_pause);
  uv_signal_init(&srv.loop, &srv.sigint);
  uv_signal_init(&srv.loop, &srv.sigterm);
  srv.duration.data = srv.accept_pause.data = srv.sigint.data =
      srv.sigterm.data = &srv;
  if ((err = mtk_bundle_init(&srv.trust)) != 0 ||
      (err = mtk_bundle_init(&srv.crls)) != 0 ||
      (err = open_connlog(&srv, diag)) != 0 ||
      (err = load_trust(&srv, diag)) != 0 ||
      (err = setup_tls(&srv, diag)) != 0 ||
      (err = uv_signal_start(&srv.sigint, on_signal, SIGINT)) != 0 ||
      (err = uv_signal_start(&srv.sigterm, on_signal, SIGTERM)) != 0 ||
      (err = setup_listener(&srv, diag)) != 0) {
    stop(&srv);
    uv_run(&srv.loop, UV_RUN_DEFAULT);
    goto out;
  }
  if (cfg->duration_ms > 0) {
    uv_timer_start(&srv.duration, on_duration, cfg->duration_ms, 0);
  }
  uv_run(&srv.loop, UV_RUN_DEFAULT);
out:
  if (srv.listen_fd >= 0) {
    close(srv.listen_fd);
  }
  uv_loop_close(&srv.loop);
  mtk_net_server_ca_names_free(srv.ca_names);
  mtk_net_tls_free(srv.tls);
  mtk_bundle_cleanup(&srv.crls);
  mtk_bundle_cleanup(&srv.trust);
  if (srv.connlog != NULL && fclose(srv.connlog) != 0 && err == 0) {
    err = mtk_diag_set(diag, MTK_EIO, "--connection-log %s: write failed",
                       cfg->connection_log);
  }
  return err;
}
