// The BoringSSL side of `mtlskit verify` (mtlskit-verify): strict, alb,
// apigw and cloudflare are decided here by mtk_verify_client_cert; the
// platforms whose servers run OpenSSL are handed to mtlskit-verify-openssl.
#include <errno.h>
#include <limits.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mtlskit/cli.h"
#include "verify_backend.h"
#include "verify_go.h"

// The executable beside this one that decides with OpenSSL.
#define OPENSSL_VERIFIER "mtlskit-verify-openssl"

int verify_backend_handoff(const struct mtk_verify_config *config,
                           char **argv) {
  if (!mtk_platform_runs_openssl(config->platform)) {
    return -1;
  }
  char self[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
  if (n <= 0) {
    fprintf(stderr, "%s: cannot find my own executable\n", mtk_cli_name());
    return MTK_EXIT_RUNTIME;
  }
  self[n] = '\0';
  char *slash = strrchr(self, '/');
  char path[PATH_MAX];
  int len = snprintf(path, sizeof(path), "%.*s/%s", (int)(slash - self), self,
                     OPENSSL_VERIFIER);
  if (len < 0 || (size_t)len >= sizeof(path)) {
    fprintf(stderr, "%s: path of %s too long\n", mtk_cli_name(),
            OPENSSL_VERIFIER);
    return MTK_EXIT_RUNTIME;
  }
  execv(path, argv);
  fprintf(stderr, "%s: cannot run %s: %s\n", mtk_cli_name(), path,
          strerror(errno));
  return MTK_EXIT_RUNTIME;
}

// platform_source is the public page the platform's rules follow.
static const char *platform_source(enum mtk_platform platform) {
  switch (platform) {
    case MTK_PLATFORM_ALB:
      return "https://docs.aws.amazon.com/elasticloadbalancing/latest/"
             "application/mutual-authentication.html (Certificate "
             "requirements), load-balancer-limits.html (chain depth 4)";
    case MTK_PLATFORM_APIGW:
      return "https://docs.aws.amazon.com/apigateway/latest/developerguide/"
             "rest-api-mutual-tls.html";
    case MTK_PLATFORM_CLOUDFLARE:
      return "https://developers.cloudflare.com/api-shield/security/mtls/"
             "configure/";
    case MTK_PLATFORM_GO:
      return "Go " VERIFY_GO_VERSION
             " src/crypto/tls/handshake_server.go (processCertsFromClient), "
             "src/crypto/x509/verify.go (Verify, buildChains, isValid), "
             "x509.go (CheckSignatureFrom), parser.go, cert_pool.go "
             "(https://github.com/golang/go at go" VERIFY_GO_VERSION ")";
    default:
      return "RFC 5280 §6.1 and §4 as read by mtlskit strict "
             "(docs/verify.md STRICT); keys RFC 8410";
  }
}

int verify_backend_run(const struct mtk_verify_config *config, X509 *leaf,
                       STACK_OF(X509) * chain, STACK_OF(X509) * trusted,
                       STACK_OF(X509_CRL) * crls, struct mtk_verify_result *out,
                       struct verify_basis *basis, struct mtk_diag *diag) {
  basis->source = platform_source(config->platform);
  if (mtk_platform_runs_go(config->platform)) {
    snprintf(basis->library, sizeof(basis->library),
             "Go crypto/x509 %s rules, emulated by mtlskit on BoringSSL (%s)",
             VERIFY_GO_VERSION, OPENSSL_VERSION_TEXT);
    snprintf(basis->settings, sizeof(basis->settings),
             "tls.RequireAndVerifyClientCert: x509.VerifyOptions{Roots: the "
             "trust store, Intermediates: the certificates the client "
             "sends, KeyUsages: [ClientAuth]}; no CRL check (CRLs are "
             "ignored), no depth limit; leaf key RSA, ECDSA or Ed25519");
    return mtk_verify_client_cert(config, leaf, chain, trusted, crls, out,
                                  diag);
  }
  snprintf(basis->library, sizeof(basis->library), "BoringSSL (%s)",
           OPENSSL_VERSION_TEXT);
  snprintf(basis->settings, sizeof(basis->settings),
           "X509_PURPOSE_SSL_CLIENT (none for apigw), CRL_CHECK_ALL for "
           "strict when CRLs are given, then the %s platform rules",
           mtk_platform_name(config->platform));
  return mtk_verify_client_cert(config, leaf, chain, trusted, crls, out, diag);
}
