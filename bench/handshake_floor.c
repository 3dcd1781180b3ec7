// handshake_floor: the cheapest possible client of full TLS handshakes, as
// a floor for a client's per-handshake CPU cost. Built twice from this
// file: on BoringSSL (handshake_floor, the floor for mtlskit loadgen) and
// on Debian's OpenSSL 3 (handshake_floor_openssl, the floor for any client
// on the library libcurl and mtlskit probe use). One blocking socket at a
// time: connect, SSL_connect with the client certificate, close_notify,
// close (--close fin: no close_notify, as openssl s_time and mtlskit
// loadgen --close fin). No event loop, no timing, no histograms, no HTTP.
// It prints the handshakes done and the CPU it used. With --cacert it
// verifies the server on every handshake as a verifying client does (chain
// to the anchors in FILE, and HOST as the certificate's IP address or name).
//
// usage: handshake_floor HOST PORT SECONDS [CERT KEY] [--tls 1.2|1.3]
//        [--cacert FILE] [--close clean|fin]
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_s(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr,
            "usage: handshake_floor HOST PORT SECONDS [CERT KEY] [--tls "
            "1.2|1.3] [--cacert FILE] [--close clean|fin]\n");
    return 2;
  }
  const char *cert = NULL, *key = NULL, *ca_file = NULL;
  int version = 0;
  bool close_notify = true;
  for (int i = 4; i < argc; i++) {
    if (strcmp(argv[i], "--tls") == 0 && i + 1 < argc) {
      version = strcmp(argv[++i], "1.2") == 0 ? TLS1_2_VERSION : TLS1_3_VERSION;
    } else if (strcmp(argv[i], "--close") == 0 && i + 1 < argc) {
      close_notify = strcmp(argv[++i], "fin") != 0;
    } else if (strcmp(argv[i], "--cacert") == 0 && i + 1 < argc) {
      ca_file = argv[++i];
    } else if (cert == NULL) {
      cert = argv[i];
    } else {
      key = argv[i];
    }
  }
  struct sockaddr_in addr = {.sin_family = AF_INET,
                             .sin_port = htons((uint16_t)atoi(argv[2]))};
  if (inet_pton(AF_INET, argv[1], &addr.sin_addr) != 1) {
    fprintf(stderr, "handshake_floor: bad address %s\n", argv[1]);
    return 2;
  }
  double seconds = atof(argv[3]);
  SSL_CTX *ctx = SSL_CTX_new(TLS_method());
  SSL_CTX_set_verify(ctx, ca_file != NULL ? SSL_VERIFY_PEER : SSL_VERIFY_NONE,
                     NULL);
  if (ca_file != NULL &&
      (!SSL_CTX_load_verify_locations(ctx, ca_file, NULL) ||
       !X509_VERIFY_PARAM_set1_ip_asc(SSL_CTX_get0_param(ctx), argv[1]))) {
    fprintf(stderr, "handshake_floor: cannot load %s\n", ca_file);
    return 3;
  }
  SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  if (version != 0) {
    SSL_CTX_set_min_proto_version(ctx, (uint16_t)version);
    SSL_CTX_set_max_proto_version(ctx, (uint16_t)version);
  }
  if (cert != NULL &&
      (!SSL_CTX_use_certificate_chain_file(ctx, cert) ||
       !SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM))) {
    fprintf(stderr, "handshake_floor: cannot load %s / %s\n", cert, key);
    return 3;
  }
  long done = 0, failed = 0;
  double t0 = now_s(), c0 = cpu_s();
  while (now_s() - t0 < seconds) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
      close(fd);
      failed++;
      continue;
    }
    SSL *ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    if (SSL_connect(ssl) == 1) {
      done++;
      if (close_notify) {
        SSL_shutdown(ssl);
      }
    } else {
      failed++;
    }
    ERR_clear_error();
    SSL_free(ssl);
    close(fd);
  }
  double wall = now_s() - t0, cpu = cpu_s() - c0;
  printf(
      "handshakes %ld failed %ld wall_s %.3f cpu_s %.3f cpu_us_per_handshake "
      "%.1f\n",
      done, failed, wall, cpu, done > 0 ? cpu * 1e6 / (double)done : 0.0);
  SSL_CTX_free(ctx);
  return done > 0 ? 0 : 1;
}
