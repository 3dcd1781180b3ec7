// Unit tests for mtk_net (net/net.c): outcome classification from facts,
// and both sides of the state machine on one loop over loopback (server
// side through mtk_net_conn_accept, client through mtk_net_conn_connect).
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <openssl/ec_key.h>
#include <openssl/evp.h>
#include <openssl/nid.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "mtlskit/net.h"

static char dir[64];
static char cert_path[128], key_path[128], other_cert[128], other_key[128];

// write_self_signed writes a P-256 key and a self-signed certificate for
// 127.0.0.1 (CN only: the tests verify the chain, not the name).
static void write_self_signed(const char *cert_file, const char *key_file,
                              const char *cn) {
  EC_KEY *ec = EC_KEY_new_by_curve_name(NID_X9_62_prime256v1);
  ck_assert(ec != NULL && EC_KEY_generate_key(ec));
  EVP_PKEY *pkey = EVP_PKEY_new();
  ck_assert(EVP_PKEY_assign_EC_KEY(pkey, ec));
  X509 *x = X509_new();
  ck_assert(X509_set_version(x, 2));
  ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
  X509_gmtime_adj(X509_getm_notBefore(x), -3600);
  X509_gmtime_adj(X509_getm_notAfter(x), 3600);
  X509_NAME *name = X509_get_subject_name(x);
  ck_assert(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                       (const uint8_t *)cn, -1, -1, 0));
  ck_assert(X509_set_issuer_name(x, name));
  ck_assert(X509_set_pubkey(x, pkey));
  ck_assert(X509_sign(x, pkey, EVP_sha256()));
  FILE *f = fopen(cert_file, "w");
  ck_assert(f != NULL && PEM_write_X509(f, x));
  fclose(f);
  f = fopen(key_file, "w");
  ck_assert(f != NULL &&
            PEM_write_PrivateKey(f, pkey, NULL, NULL, 0, NULL, NULL));
  fclose(f);
  X509_free(x);
  EVP_PKEY_free(pkey);
}

static void setup(void) {
  snprintf(dir, sizeof(dir), "/tmp/mtk-net-test.XXXXXX");
  ck_assert(mkdtemp(dir) != NULL);
  snprintf(cert_path, sizeof(cert_path), "%s/a.crt", dir);
  snprintf(key_path, sizeof(key_path), "%s/a.key", dir);
  snprintf(other_cert, sizeof(other_cert), "%s/b.crt", dir);
  snprintf(other_key, sizeof(other_key), "%s/b.key", dir);
  write_self_signed(cert_path, key_path, "mtk net test a");
  write_self_signed(other_cert, other_key, "mtk net test b");
}

static void teardown(void) {
  unlink(cert_path);
  unlink(key_path);
  unlink(other_cert);
  unlink(other_key);
  rmdir(dir);
}

START_TEST(test_classify) {
  struct mtk_outcome o;
  mtk_net_classify(SSL_ERROR_ZERO_RETURN, 0, 0, 0, MTK_STAGE_FIRST_READ, &o);
  ck_assert_int_eq(o.kind, MTK_OUTCOME_CLOSED);
  ck_assert_int_eq(o.stage, MTK_STAGE_FIRST_READ);
  mtk_net_classify(SSL_ERROR_SSL, SSL_R_TLSV1_ALERT_UNKNOWN_CA, -1, 0,
                   MTK_STAGE_HANDSHAKE, &o);
  ck_assert_int_eq(o.kind, MTK_OUTCOME_TLS_ALERT);
  ck_assert_int_eq(o.alert, 48);
  mtk_net_classify(SSL_ERROR_SSL, 0, 116, 0, MTK_STAGE_FIRST_READ, &o);
  ck_assert_int_eq(o.kind, MTK_OUTCOME_TLS_ALERT);
  ck_assert_int_eq(o.alert, 116);
  mtk_net_classify(SSL_ERROR_SSL, SSL_R_CERTIFICATE_VERIFY_FAILED, -1, 0,
                   MTK_STAGE_HANDSHAKE, &o);
  ck_assert_int_eq(o.kind, MTK_OUTCOME_SERVER_CERT_REJECTED);
  mtk_net_classify(SSL_ERROR_SSL, SSL_R_WRONG_VERSION_NUMBER, -1, 0,
                   MTK_STAGE_HANDSHAKE, &o);
  ck_assert_int_eq(o.kind, MTK_OUTCOME_PROTOCOL_ERROR);
  mtk_net_classify(SSL_ERROR_SYSCALL, 0, -1, ECONNRESET, MTK_STAGE_FIRST_READ,
                   &o);
  ck_assert_int_eq(o.kind, MTK_OUTCOME_RESET);
  mtk_net_classify(SSL_ERROR_SYSCALL, 0, -1, EPIPE, MTK_STAGE_HTTP, &o);
  ck_assert_int_eq(o.kind, MTK_OUTCOME_RESET);
  mtk_net_classify(SSL_ERROR_SYSCALL, 0, -1, 0, MTK_STAGE_HANDSHAKE, &o);
  ck_assert_int_eq(o.kind, MTK_OUTCOME_CLOSED);
  mtk_net_classify(SSL_ERROR_SYSCALL, 0, 42, 0, MTK_STAGE_FIRST_READ, &o);
  ck_assert_int_eq(o.kind, MTK_OUTCOME_TLS_ALERT);
  ck_assert_int_eq(o.alert, 42);
  mtk_net_classify(SSL_ERROR_SYSCALL, 0, -1, ECONNREFUSED, MTK_STAGE_TCP, &o);
  ck_assert_int_eq(o.kind, MTK_OUTCOME_CONNECT_FAILED);
  mtk_net_classify(SSL_ERROR_SYSCALL, 0, -1, ETIMEDOUT, MTK_STAGE_TCP, &o);
  ck_assert_int_eq(o.kind, MTK_OUTCOME_TIMEOUT);
}
END_TEST

START_TEST(test_tls_options) {
  struct mtk_net_tls *tls = NULL;
  struct mtk_diag d;
  mtk_diag_init(&d);
  struct mtk_net_tls_options o = {0};
  ck_assert_int_eq(mtk_net_tls_new(&o, &tls, &d), MTK_EUSAGE);  // no trust
  o.insecure = true;
  o.resume = MTK_NET_RESUME_IDS;
  o.tls_version = 13;
  ck_assert_int_eq(mtk_net_tls_new(&o, &tls, &d), MTK_EUSAGE);
  o.resume = MTK_NET_RESUME_OFF;
  const char *certs[] = {cert_path, other_cert};
  const char *keys[] = {key_path, key_path};  // second pair mismatched
  o.cert_files = certs;
  o.key_files = keys;
  o.num_identities = 2;
  ck_assert_int_eq(mtk_net_tls_new(&o, &tls, &d), MTK_ECRYPTO);
  ck_assert_ptr_nonnull(strstr(d.msg, "a.key"));
  ck_assert_ptr_nonnull(strstr(d.msg, "does not match"));
  keys[1] = other_key;
  o.groups = "P-256:nonsense";
  ck_assert_int_eq(mtk_net_tls_new(&o, &tls, &d), MTK_EUSAGE);
  ck_assert_ptr_nonnull(strstr(d.msg, "P-256:nonsense"));
  o.groups = "X25519:P-256";
  ck_assert_int_eq(mtk_net_tls_new(&o, &tls, &d), 0);
  ck_assert_uint_eq(mtk_net_tls_num_identities(tls), 2);
  mtk_net_tls_free(tls);
  mtk_net_tls_free(NULL);
}
END_TEST

// A one-loop client/server pair.
struct side {
  struct mtk_net_conn conn;
  bool handshake, closed;
  struct mtk_outcome end;
  char got[64];
  size_t got_len;
  bool echo;  // server: answer "pong" to "ping"
  bool resumed;
};

static void s_handshake(struct mtk_net_conn *c) {
  struct side *s = c->data;
  s->handshake = true;
  s->resumed = mtk_net_conn_is_resumed(c);
  if (!s->echo) {
    ck_assert_int_eq(mtk_net_conn_write(c, (const uint8_t *)"ping", 4), 0);
  }
}

static void s_read(struct mtk_net_conn *c, const uint8_t *data, size_t len) {
  struct side *s = c->data;
  if (s->got_len + len < sizeof(s->got)) {
    memcpy(s->got + s->got_len, data, len);
    s->got_len += len;
  }
  if (s->echo && s->got_len == 4) {
    ck_assert_int_eq(mtk_net_conn_write(c, (const uint8_t *)"pong", 4), 0);
  } else if (!s->echo && s->got_len == 4) {
    mtk_net_conn_close(c);
  }
}

static void s_end(struct mtk_net_conn *c, const struct mtk_outcome *o) {
  struct side *s = c->data;
  s->end = *o;
}

static void s_close(struct mtk_net_conn *c) {
  struct side *s = c->data;
  s->closed = true;
}

static const struct mtk_net_conn_cbs side_cbs = {
    .handshake = s_handshake, .read = s_read, .end = s_end, .close = s_close};

struct server {
  uv_poll_t poll;
  int fd;
  struct mtk_net_tls *tls;
  struct side side;
  bool accepted;
  bool accept;  // false: leave the connection in the backlog (stall)
};

static void on_accept(uv_poll_t *p, int status, int events) {
  (void)status;
  (void)events;
  struct server *srv = p->data;
  if (srv->accepted) return;
  int fd = accept(srv->fd, NULL, NULL);
  ck_assert_int_ge(fd, 0);
  srv->accepted = true;
  SSL *ssl;
  ck_assert_int_eq(mtk_net_tls_new_ssl(srv->tls, 0, NULL, NULL, NULL, &ssl), 0);
  srv->side.conn.data = &srv->side;
  ck_assert_int_eq(
      mtk_net_conn_accept(&srv->side.conn, p->loop, ssl, fd, 5000, &side_cbs),
      0);
  uv_poll_stop(p);
}

static void listen_on(uv_loop_t *loop, struct server *srv,
                      struct sockaddr_in *addr) {
  srv->fd = socket(AF_INET, SOCK_STREAM, 0);
  ck_assert_int_ge(srv->fd, 0);
  memset(addr, 0, sizeof(*addr));
  addr->sin_family = AF_INET;
  addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ck_assert_int_eq(bind(srv->fd, (struct sockaddr *)addr, sizeof(*addr)), 0);
  socklen_t len = sizeof(*addr);
  ck_assert_int_eq(getsockname(srv->fd, (struct sockaddr *)addr, &len), 0);
  ck_assert_int_eq(listen(srv->fd, 8), 0);
  ck_assert_int_eq(uv_poll_init_socket(loop, &srv->poll, srv->fd), 0);
  srv->poll.data = srv;
  if (srv->accept) uv_poll_start(&srv->poll, UV_READABLE, on_accept);
}

// run_pair runs one client connection against a server made from
// |server_opts|; the client uses |client_opts|.
static void run_pair_with(struct mtk_net_tls *server_tls,
                          const struct mtk_net_tls_options *client_opts,
                          bool accept, uint64_t timeout_ms, struct side *client,
                          struct side *server_out, SSL_SESSION **session) {
  uv_loop_t loop;
  ck_assert_int_eq(uv_loop_init(&loop), 0);
  struct server srv = {.accept = accept};
  srv.side.echo = true;
  srv.tls = server_tls;
  struct sockaddr_in addr;
  listen_on(&loop, &srv, &addr);
  struct mtk_net_tls *ctls = NULL;
  struct mtk_diag d;
  ck_assert_int_eq(mtk_net_tls_new(client_opts, &ctls, &d), 0);
  SSL *ssl;
  ck_assert_int_eq(mtk_net_tls_new_ssl(ctls, 0, "localhost", NULL,
                                       session != NULL ? *session : NULL, &ssl),
                   0);
  client->conn.data = client;
  client->conn.session_slot = session;
  ck_assert_int_eq(
      mtk_net_conn_connect(&client->conn, &loop, ssl, (struct sockaddr *)&addr,
                           NULL, timeout_ms, &side_cbs),
      0);
  // Bounded: the client's deadline ends every scenario.
  for (int i = 0;
       i < 2000 && !(client->closed && (!srv.accepted || srv.side.closed));
       i++) {
    uv_run(&loop, UV_RUN_ONCE);
    if (client->closed && srv.accepted && !srv.side.closed &&
        srv.side.conn.state != MTK_NET_CLOSING) {
      mtk_net_conn_close(&srv.side.conn);
    }
  }
  ck_assert(client->closed);
  uv_close((uv_handle_t *)&srv.poll, NULL);
  uv_run(&loop, UV_RUN_DEFAULT);
  ck_assert_int_eq(uv_loop_close(&loop), 0);
  close(srv.fd);
  *server_out = srv.side;
  mtk_net_tls_free(ctls);
}

static void run_pair(const struct mtk_net_tls_options *server_opts,
                     const struct mtk_net_tls_options *client_opts, bool accept,
                     uint64_t timeout_ms, struct side *client,
                     struct side *server_out, SSL_SESSION **session) {
  struct mtk_net_tls *tls = NULL;
  ck_assert_int_eq(mtk_net_tls_new(server_opts, &tls, NULL), 0);
  run_pair_with(tls, client_opts, accept, timeout_ms, client, server_out,
                session);
  mtk_net_tls_free(tls);
}

START_TEST(test_mtls_exchange) {
  for (int v = 12; v <= 13; v++) {
    const char *scert[] = {cert_path}, *skey[] = {key_path};
    const char *ccert[] = {other_cert}, *ckey[] = {other_key};
    struct mtk_net_tls_options so = {.server = true,
                                     .cert_files = scert,
                                     .key_files = skey,
                                     .num_identities = 1,
                                     .ca_file = other_cert,
                                     .require_peer_cert = true,
                                     .tls_version = v};
    struct mtk_net_tls_options co = {.cert_files = ccert,
                                     .key_files = ckey,
                                     .num_identities = 1,
                                     .ca_file = cert_path,
                                     .tls_version = v};
    struct side client = {0}, server;
    run_pair(&so, &co, true, 5000, &client, &server, NULL);
    ck_assert(client.handshake);
    ck_assert(server.handshake);
    ck_assert_uint_eq(server.got_len, 4);
    ck_assert(memcmp(server.got, "ping", 4) == 0);
    ck_assert_uint_eq(client.got_len, 4);
    ck_assert(memcmp(client.got, "pong", 4) == 0);
    ck_assert_int_eq(client.end.kind, MTK_OUTCOME_NONE);  // closed by us
  }
}
END_TEST

START_TEST(test_refused_client_cert) {
  // The server trusts only itself: the client's certificate is refused,
  // during the handshake under TLS 1.2, at the first read under TLS 1.3.
  for (int v = 12; v <= 13; v++) {
    const char *scert[] = {cert_path}, *skey[] = {key_path};
    const char *ccert[] = {other_cert}, *ckey[] = {other_key};
    struct mtk_net_tls_options so = {.server = true,
                                     .cert_files = scert,
                                     .key_files = skey,
                                     .num_identities = 1,
                                     .ca_file = cert_path,
                                     .require_peer_cert = true,
                                     .tls_version = v};
    struct mtk_net_tls_options co = {.cert_files = ccert,
                                     .key_files = ckey,
                                     .num_identities = 1,
                                     .ca_file = cert_path,
                                     .tls_version = v};
    struct side client = {0}, server;
    run_pair(&so, &co, true, 5000, &client, &server, NULL);
    ck_assert_int_eq(client.end.kind, MTK_OUTCOME_TLS_ALERT);
    ck_assert_int_eq(client.end.alert, SSL_AD_UNKNOWN_CA);
    ck_assert_int_eq(client.end.stage,
                     v == 12 ? MTK_STAGE_HANDSHAKE : MTK_STAGE_FIRST_READ);
    ck_assert(!server.handshake);
  }
}
END_TEST

START_TEST(test_server_cert_rejected_and_timeout) {
  const char *scert[] = {cert_path}, *skey[] = {key_path};
  struct mtk_net_tls_options so = {.server = true,
                                   .cert_files = scert,
                                   .key_files = skey,
                                   .num_identities = 1};
  struct mtk_net_tls_options co = {.ca_file = other_cert};  // wrong anchor
  struct side client = {0}, server;
  run_pair(&so, &co, true, 5000, &client, &server, NULL);
  ck_assert_int_eq(client.end.kind, MTK_OUTCOME_SERVER_CERT_REJECTED);
  ck_assert_int_eq(client.end.stage, MTK_STAGE_HANDSHAKE);
  // A server that never answers: a timeout at the handshake.
  struct side c2 = {0};
  co.ca_file = cert_path;
  run_pair(&so, &co, false, 150, &c2, &server, NULL);
  ck_assert_int_eq(c2.end.kind, MTK_OUTCOME_TIMEOUT);
  ck_assert_int_eq(c2.end.stage, MTK_STAGE_HANDSHAKE);
}
END_TEST

START_TEST(test_resumption) {
  const char *scert[] = {cert_path}, *skey[] = {key_path};
  const enum mtk_net_resume modes[] = {MTK_NET_RESUME_TICKETS,
                                       MTK_NET_RESUME_IDS, MTK_NET_RESUME_OFF,
                                       MTK_NET_RESUME_TICKETS};
  const int versions[] = {12, 12, 12, 13};
  for (int m = 0; m < 4; m++) {
    enum mtk_net_resume r = modes[m];
    struct mtk_net_tls_options so = {.server = true,
                                     .cert_files = scert,
                                     .key_files = skey,
                                     .num_identities = 1,
                                     .resume = r,
                                     .tls_version = versions[m]};
    struct mtk_net_tls_options co = {
        .ca_file = cert_path, .resume = r, .tls_version = versions[m]};
    struct mtk_net_tls *stls = NULL;
    ck_assert_int_eq(mtk_net_tls_new(&so, &stls, NULL), 0);
    SSL_SESSION *session = NULL;
    struct side first = {0}, second = {0}, server;
    run_pair_with(stls, &co, true, 5000, &first, &server, &session);
    ck_assert(first.handshake && !first.resumed);
    ck_assert_msg(r == MTK_NET_RESUME_OFF ? session == NULL : session != NULL,
                  "mode %d: session %p", m, (void *)session);
    run_pair_with(stls, &co, true, 5000, &second, &server, &session);
    ck_assert(second.handshake);
    ck_assert_msg(second.resumed == (r != MTK_NET_RESUME_OFF),
                  "mode %d: resumed %d", m, second.resumed);
    SSL_SESSION_free(session);
    mtk_net_tls_free(stls);
  }
}
END_TEST

START_TEST(test_connect_errors) {
  uv_loop_t loop;
  ck_assert_int_eq(uv_loop_init(&loop), 0);
  struct mtk_net_tls_options co = {.insecure = true};
  struct mtk_net_tls *tls;
  ck_assert_int_eq(mtk_net_tls_new(&co, &tls, NULL), 0);
  // A port nobody listens on: connect-failed at tcp.
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in addr = {.sin_family = AF_INET,
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  ck_assert_int_eq(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
  socklen_t len = sizeof(addr);
  getsockname(fd, (struct sockaddr *)&addr, &len);
  close(fd);
  struct side c = {0};
  SSL *ssl;
  ck_assert_int_eq(mtk_net_tls_new_ssl(tls, 0, NULL, NULL, NULL, &ssl), 0);
  c.conn.data = &c;
  ck_assert_int_eq(
      mtk_net_conn_connect(&c.conn, &loop, ssl, (struct sockaddr *)&addr, NULL,
                           2000, &side_cbs),
      0);
  ck_assert_int_eq(mtk_net_conn_write(&c.conn, (const uint8_t *)"x", 1),
                   MTK_EINVAL);
  uv_run(&loop, UV_RUN_DEFAULT);
  ck_assert(c.closed);
  ck_assert_int_eq(c.end.kind, MTK_OUTCOME_CONNECT_FAILED);
  ck_assert_int_eq(c.end.stage, MTK_STAGE_TCP);
  // A source address that is not local: nothing starts, an error returns.
  struct sockaddr_in src = {.sin_family = AF_INET};
  inet_pton(AF_INET, "192.0.2.1", &src.sin_addr);
  ck_assert_int_eq(mtk_net_tls_new_ssl(tls, 0, NULL, NULL, NULL, &ssl), 0);
  struct side c2 = {0};
  c2.conn.data = &c2;
  ck_assert_int_eq(
      mtk_net_conn_connect(&c2.conn, &loop, ssl, (struct sockaddr *)&addr,
                           (struct sockaddr *)&src, 2000, &side_cbs),
      -EADDRNOTAVAIL);
  ck_assert(!c2.closed);
  ck_assert_int_eq(uv_loop_close(&loop), 0);
  mtk_net_tls_free(tls);
}
END_TEST

static Suite *net_suite(void) {
  Suite *s = suite_create("net");
  TCase *tc = tcase_create("core");
  tcase_add_unchecked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_classify);
  tcase_add_test(tc, test_tls_options);
  tcase_add_test(tc, test_mtls_exchange);
  tcase_add_test(tc, test_refused_client_cert);
  tcase_add_test(tc, test_server_cert_rejected_and_timeout);
  tcase_add_test(tc, test_resumption);
  tcase_add_test(tc, test_connect_errors);
  suite_add_tcase(s, tc);
  return s;
}

MTK_CHECK_MAIN(net_suite)
