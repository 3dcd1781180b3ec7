// A TLS server on 127.0.0.1 that refuses client certificates with an
// alert of the test's choosing and then resets the connection at once, the
// way a server that closes on unread bytes does: under TLS 1.3 the reset
// races the client's request and can hide the alert. The probe's tests use
// it to check that the probe recovers the alert, and judges it, whichever
// wins the race.
//
// usage: alert_server PORT CERT KEY CA MODE
//   MODE natural     verify against CA as OpenSSL does; a failure sends the
//                    alert OpenSSL maps the X509 error to (unknown_ca, 48,
//                    for an unknown issuer)
//   MODE x509err:N   fail every client certificate with X509 error N (9,
//                    certificate not yet valid, is bad_certificate, 42):
//                    the wrong alert for most cases
// Environment: ALERT_SERVER_H2 offers HTTP/2 over ALPN;
// ALERT_SERVER_RST_ON_DATA resets instead of alerting when the client has
// written (see verify). Accepted clients get "HTTP/1.1 200 OK". Serves one
// connection at a time until killed. Test helper only: links Debian's OpenSSL
// 3, never installed.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static int forced_error = -1;  // X509 error every certificate fails with
static bool rst_on_data;       // ALERT_SERVER_RST_ON_DATA: see verify

// pending_records counts the whole TLS records waiting unread on |fd|.
static int pending_records(int fd) {
  unsigned char buf[65536];
  ssize_t n = recv(fd, buf, sizeof(buf), MSG_PEEK | MSG_DONTWAIT);
  int count = 0;
  for (ssize_t at = 0; n > 0 && at + 5 <= n; count++) {
    at += 5 + (buf[at + 3] << 8 | buf[at + 4]);
  }
  return count;
}

// verify fails the certificate the way MODE says. With rst_on_data it
// first gives the client 20 ms and counts what it sent after its
// Certificate: under TLS 1.3 that is the CertificateVerify and Finished
// records, and a third record is the request libcurl writes at once. If
// there is one, the connection is reset before any alert goes out — the
// race a reset wins, made certain. A client that writes nothing gets the
// alert.
static int verify(int ok, X509_STORE_CTX *ctx) {
  if (forced_error >= 0 && X509_STORE_CTX_get_error_depth(ctx) == 0) {
    X509_STORE_CTX_set_error(ctx, forced_error);
    ok = 0;
  }
  if (!ok && rst_on_data) {
    SSL *ssl =
        X509_STORE_CTX_get_ex_data(ctx, SSL_get_ex_data_X509_STORE_CTX_idx());
    int fd = SSL_get_fd(ssl);
    usleep(20000);
    if (pending_records(fd) >= 3) {
      // Disconnecting an established socket sends a RST (Linux's
      // tcp_disconnect) and leaves OpenSSL's descriptor valid: its alert
      // then fails to go out.
      struct sockaddr unspec;
      memset(&unspec, 0, sizeof(unspec));
      unspec.sa_family = AF_UNSPEC;
      connect(fd, &unspec, sizeof(unspec));
    }
  }
  return ok;
}

// select_h2 offers HTTP/2 when the client does: libcurl then writes its
// connection preface in several records right after the handshake, which
// makes the reset's race with the alert much more likely to be lost.
static int select_h2(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                     const unsigned char *in, unsigned int inlen, void *arg) {
  static const unsigned char h2[] = {2, 'h', '2'};
  unsigned char *sel = NULL;
  (void)ssl;
  (void)arg;
  if (SSL_select_next_proto(&sel, outlen, h2, sizeof(h2), in, inlen) !=
      OPENSSL_NPN_NEGOTIATED) {
    return SSL_TLSEXT_ERR_NOACK;
  }
  *out = sel;
  return SSL_TLSEXT_ERR_OK;
}

static void reset_close(int fd) {
  struct linger l = {1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
  close(fd);
}

static void serve_one(SSL_CTX *ctx, int fd) {
  struct timeval tv = {5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  SSL *ssl = SSL_new(ctx);
  if (ssl == NULL) {
    close(fd);
    return;
  }
  SSL_set_fd(ssl, fd);
  if (SSL_accept(ssl) != 1) {
    // The alert went out in SSL_accept; reset now, whatever is unread.
    ERR_clear_error();
    SSL_free(ssl);
    reset_close(fd);
    return;
  }
  char buf[4096];
  size_t got = 0;
  while (got < sizeof(buf) - 1) {
    int n = SSL_read(ssl, buf + got, (int)(sizeof(buf) - 1 - got));
    if (n <= 0) {
      break;
    }
    got += (size_t)n;
    buf[got] = '\0';
    if (strstr(buf, "\r\n\r\n") != NULL) {
      static const char ok[] =
          "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\n"
          "ok\n";
      SSL_write(ssl, ok, (int)strlen(ok));
      SSL_shutdown(ssl);
      break;
    }
  }
  ERR_clear_error();
  SSL_free(ssl);
  close(fd);
}

int main(int argc, char **argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: alert_server PORT CERT KEY CA MODE\n");
    return 2;
  }
  if (strncmp(argv[5], "x509err:", 8) == 0) {
    forced_error = atoi(argv[5] + 8);
  } else if (strcmp(argv[5], "natural") != 0) {
    fprintf(stderr, "alert_server: unknown mode %s\n", argv[5]);
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  rst_on_data = getenv("ALERT_SERVER_RST_ON_DATA") != NULL;
  SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
  if (ctx == NULL || SSL_CTX_use_certificate_chain_file(ctx, argv[2]) != 1 ||
      SSL_CTX_use_PrivateKey_file(ctx, argv[3], SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_load_verify_locations(ctx, argv[4], NULL) != 1) {
    ERR_print_errors_fp(stderr);
    return 3;
  }
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
                     verify);
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_num_tickets(ctx, 0);
  if (getenv("ALERT_SERVER_H2") != NULL) {
    SSL_CTX_set_alpn_select_cb(ctx, select_h2, NULL);
  }
  int srv = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(srv, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  struct sockaddr_in sa;
  memset(&sa, 0, sizeof(sa));
  sa.sin_family = AF_INET;
  sa.sin_port = htons((unsigned short)atoi(argv[1]));
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(srv, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
      listen(srv, 128) != 0) {
    perror("alert_server: bind");
    return 3;
  }
  for (;;) {
    int fd = accept(srv, NULL, NULL);
    if (fd >= 0) {
      serve_one(ctx, fd);
    }
  }
}
