// A TLS 1.3 server on 127.0.0.1 whose certificate chain and CertificateVerify
// key change from one connection to the next in a scripted order, for the
// tests of the load generator's server certificate verification cache: a
// server that starts presenting another chain mid-run, or an untrusted one,
// or that signs its CertificateVerify with a key that does not match its
// certificate (a real BoringSSL handshake with a wrong signature, which no
// stock server can be configured to send).
//
// usage: switch_server PORT PATTERN CERT SIGN_KEY [CERT SIGN_KEY]...
//   Identity i is the PEM chain CERT number i, whose CertificateVerify is
//   signed with SIGN_KEY number i whatever key the certificate names.
//   Connection n (from 0) uses identity PATTERN[n % strlen(PATTERN)] - '0'.
// Accepted clients get one "HTTP/1.1 200 OK" answer to whatever they send;
// one connection at a time, until killed. Test helper only, never installed.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/bytestring.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pool.h>
#include <openssl/ssl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

enum { MAX_IDENTITIES = 8, MAX_CHAIN = 4 };

struct identity {
  CRYPTO_BUFFER *certs[MAX_CHAIN];
  size_t num_certs;
  EVP_PKEY *sign_key;
};

static EVP_PKEY *current_key;  // the key of the connection being served

static void die(const char *what) {
  fprintf(stderr, "switch_server: %s\n", what);
  ERR_print_errors_fp(stderr);
  exit(2);
}

static enum ssl_private_key_result_t sign(SSL *ssl, uint8_t *out,
                                          size_t *out_len, size_t max_out,
                                          uint16_t alg, const uint8_t *in,
                                          size_t in_len) {
  (void)ssl;
  EVP_MD_CTX md;
  EVP_PKEY_CTX *pctx = NULL;
  EVP_MD_CTX_init(&md);
  *out_len = max_out;
  int ok =
      EVP_DigestSignInit(&md, &pctx, SSL_get_signature_algorithm_digest(alg),
                         NULL, current_key) &&
      (!SSL_is_signature_algorithm_rsa_pss(alg) ||
       (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) &&
        EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, -1))) &&
      EVP_DigestSign(&md, out, out_len, in, in_len);
  EVP_MD_CTX_cleanup(&md);
  return ok ? ssl_private_key_success : ssl_private_key_failure;
}

static enum ssl_private_key_result_t decrypt(SSL *ssl, uint8_t *out,
                                             size_t *out_len, size_t max_out,
                                             const uint8_t *in, size_t in_len) {
  (void)ssl, (void)out, (void)out_len, (void)max_out, (void)in, (void)in_len;
  return ssl_private_key_failure;  // TLS 1.3 only: no RSA key exchange
}

static enum ssl_private_key_result_t complete(SSL *ssl, uint8_t *out,
                                              size_t *out_len, size_t max_out) {
  (void)ssl, (void)out, (void)out_len, (void)max_out;
  return ssl_private_key_failure;  // every operation completes at once
}

static const SSL_PRIVATE_KEY_METHOD key_method = {sign, decrypt, complete};

static void load_identity(struct identity *id, const char *cert_file,
                          const char *key_file) {
  FILE *f = fopen(cert_file, "r");
  if (f == NULL) die(cert_file);
  X509 *x;
  while (id->num_certs < MAX_CHAIN &&
         (x = PEM_read_X509(f, NULL, NULL, NULL)) != NULL) {
    uint8_t *der = NULL;
    int len = i2d_X509(x, &der);
    if (len <= 0) die("cannot encode a certificate");
    id->certs[id->num_certs++] = CRYPTO_BUFFER_new(der, (size_t)len, NULL);
    OPENSSL_free(der);
    X509_free(x);
  }
  ERR_clear_error();
  fclose(f);
  if (id->num_certs == 0) die("no certificate in the chain file");
  f = fopen(key_file, "r");
  if (f == NULL) die(key_file);
  id->sign_key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
  fclose(f);
  if (id->sign_key == NULL) die("cannot read the signing key");
}

static int listen_on(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  struct sockaddr_in sa = {.sin_family = AF_INET,
                           .sin_port = htons((uint16_t)port),
                           .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
      bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 64)) {
    die("cannot listen");
  }
  return fd;
}

int main(int argc, char **argv) {
  if (argc < 5 || argc % 2 == 0 || (argc - 3) / 2 > MAX_IDENTITIES) {
    fprintf(stderr,
            "usage: switch_server PORT PATTERN CERT SIGN_KEY [CERT "
            "SIGN_KEY]...\n");
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  const char *pattern = argv[2];
  size_t num_ids = (size_t)(argc - 3) / 2;
  struct identity ids[MAX_IDENTITIES] = {0};
  for (size_t i = 0; i < num_ids; i++) {
    load_identity(&ids[i], argv[3 + 2 * i], argv[4 + 2 * i]);
  }
  for (const char *p = pattern; *p != '\0'; p++) {
    if (*p < '0' || (size_t)(*p - '0') >= num_ids) die("bad PATTERN");
  }
  SSL_CTX *ctx = SSL_CTX_new(TLS_method());
  if (ctx == NULL || !SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION)) {
    die("cannot make the context");
  }
  int lfd = listen_on(atoi(argv[1]));
  for (size_t n = 0;; n++) {
    int fd = accept(lfd, NULL, NULL);
    if (fd < 0) continue;
    const struct identity *id = &ids[pattern[n % strlen(pattern)] - '0'];
    current_key = id->sign_key;
    SSL *ssl = SSL_new(ctx);
    if (ssl == NULL ||
        !SSL_set_chain_and_key(ssl, id->certs, id->num_certs, NULL,
                               &key_method) ||
        !SSL_set_fd(ssl, fd)) {
      die("cannot set up a connection");
    }
    char buf[4096];
    static const char answer[] =
        "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n";
    if (SSL_accept(ssl) == 1 && SSL_read(ssl, buf, sizeof(buf)) > 0) {
      SSL_write(ssl, answer, (int)strlen(answer));
      SSL_shutdown(ssl);
    }
    ERR_clear_error();
    SSL_free(ssl);
    close(fd);
  }
}
