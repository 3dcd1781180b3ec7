// The OpenSSL 3 side of `mtlskit verify` (mtlskit-verify-openssl): the
// platforms whose servers verify client certificates with OpenSSL are
// decided by OpenSSL, set up the way the server sets up its SSL_CTX. Never
// linked with BoringSSL (the two libraries' symbols clash).
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>

#include "mtlskit/cli.h"
#include "verify_backend.h"
#include "verify_internal.h"

// OpenSSL's own default verify depth, which HAProxy does not change.
#define OPENSSL_DEFAULT_DEPTH 100

// Each server's verify settings, from its source at a named version.
struct server_settings {
  enum mtk_platform platform;
  int default_depth;  // intermediates allowed when --verify-depth is absent
  int auth_level;     // the SSL_CTX's security level; -1: the system's
  const char *depth_rule;  // how the server limits the depth
  const char *source;
};

static const struct server_settings servers[] = {
    // ngx_http_ssl_module.c merges ssl_verify_depth with default 1 and
    // ngx_ssl_client_certificate passes it to SSL_CTX_set_verify_depth;
    // ngx_ssl_crl sets X509_V_FLAG_CRL_CHECK|X509_V_FLAG_CRL_CHECK_ALL.
    {MTK_PLATFORM_NGINX, 1, -1, "SSL_CTX_set_verify_depth (ssl_verify_depth)",
     "https://github.com/nginx/nginx/blob/release-1.22.1/src/event/"
     "ngx_event_openssl.c (ngx_ssl_client_certificate, ngx_ssl_crl)"},
    // ssl_sock.c sets X509_V_FLAG_CRL_CHECK|X509_V_FLAG_CRL_CHECK_ALL when a
    // bind line has crl-file and sets no verify depth.
    {MTK_PLATFORM_HAPROXY, OPENSSL_DEFAULT_DEPTH, -1,
     "not set (OpenSSL's default)",
     "https://github.com/haproxy/haproxy/blob/v2.6.0/src/ssl_sock.c "
     "(crl-file handling)"},
    // mod_ssl's verify callback refuses a certificate whose error depth
    // exceeds SSLVerifyDepth (default 1); the anchor's error depth is the
    // number of intermediates + 1, so SSLVerifyDepth N allows N - 1
    // intermediates. SSLCARevocationCheck chain sets
    // X509_V_FLAG_CRL_CHECK|X509_V_FLAG_CRL_CHECK_ALL.
    {MTK_PLATFORM_APACHE, 0, -1,
     "SSLVerifyDepth N (default 1) checked in ssl_callback_SSLVerify: N - 1 "
     "intermediates",
     "https://github.com/apache/httpd/blob/2.4.71/modules/ssl/"
     "ssl_engine_kernel.c (ssl_callback_SSLVerify), ssl_engine_init.c "
     "(ssl_init_ctx_verify, ssl_init_ctx_crl)"},
    // node::crypto::SecureContext::AddCRL sets
    // X509_V_FLAG_CRL_CHECK|X509_V_FLAG_CRL_CHECK_ALL; no verify depth is
    // set. Node 20 does not apply the system openssl.cnf (it reads its own
    // nodejs_conf section) and accepts a 1024-bit RSA client key: level 1.
    {MTK_PLATFORM_NODE, OPENSSL_DEFAULT_DEPTH, 1, "not set (OpenSSL's default)",
     "https://github.com/nodejs/node/blob/v20.20.2/src/crypto/"
     "crypto_context.cc (SecureContext::AddCRL, SetCert, AddCACert)"},
    // verifyChain = yes (or verify = 2) requests and requires a client
    // certificate and refuses any verify error at any depth; no verify
    // depth is set; CRLfile sets X509_V_FLAG_CRL_CHECK alone (the client
    // certificate's issuer's CRL); securityLevel unset raises the SSL_CTX's
    // level to at least 2 (DEFAULT_SECURITY_LEVEL), Debian's already.
    {MTK_PLATFORM_STUNNEL, OPENSSL_DEFAULT_DEPTH, -1,
     "not set (OpenSSL's default)",
     "https://github.com/mtrojnar/stunnel/blob/stunnel-5.68/src/verify.c "
     "(verify_init, crl_init, verify_callback), src/options.c (verify, "
     "verifyChain), src/ctx.c (securityLevel)"},
};

// server_of returns the settings of |platform|, or NULL for a platform that
// mtlskit-verify decides.
static const struct server_settings *server_of(enum mtk_platform platform) {
  for (size_t i = 0; i < sizeof(servers) / sizeof(servers[0]); i++) {
    if (servers[i].platform == platform) {
      return &servers[i];
    }
  }
  return NULL;
}

int verify_backend_handoff(const struct mtk_verify_config *config,
                           char **argv) {
  (void)argv;
  if (server_of(config->platform) == NULL) {
    fprintf(stderr, "%s: platform %s is decided by mtlskit-verify\n",
            mtk_cli_name(), mtk_platform_name(config->platform));
    return MTK_EXIT_USAGE;
  }
  return -1;
}

// reason_from_x509 names OpenSSL's verify error |err|.
static enum mtk_verify_reason reason_from_x509(int err) {
  switch (err) {
    VERIFY_X509_REASONS(VERIFY_X509_REASON_CASE)
    // OpenSSL's own
    case X509_V_ERR_CA_MD_TOO_WEAK:
      return MTK_VERIFY_WEAK_SIGNATURE;
    case X509_V_ERR_CA_KEY_TOO_SMALL:
    case X509_V_ERR_EE_KEY_TOO_SMALL:
      return MTK_VERIFY_WEAK_KEY;
    default:
      return MTK_VERIFY_OTHER;
  }
}

// describe_revocation fills the CRL reason code and date of |cert|.
static void describe_revocation(X509 *cert, STACK_OF(X509_CRL) * crls,
                                struct mtk_verify_result *out) {
  for (int i = 0; i < sk_X509_CRL_num(crls); i++) {
    X509_REVOKED *rev = NULL;
    if (X509_CRL_get0_by_cert(sk_X509_CRL_value(crls, i), &rev, cert) != 1 ||
        rev == NULL) {
      continue;
    }
    ASN1_ENUMERATED *code =
        X509_REVOKED_get_ext_d2i(rev, NID_crl_reason, NULL, NULL);
    if (code != NULL) {
      out->revocation_reason = (int)ASN1_ENUMERATED_get(code);
      ASN1_ENUMERATED_free(code);
    }
    struct tm tm;
    if (ASN1_TIME_to_tm(X509_REVOKED_get0_revocationDate(rev), &tm) == 1) {
      out->revoked_at = timegm(&tm);
    }
    return;
  }
}

// security_level is the level a server's SSL_CTX gets from the system
// OpenSSL configuration (Debian: 2); libssl hands it to the verifier as
// the auth level (key sizes, signature digests).
static int security_level(void) {
  static int level = -2;  // not read yet; one SSL_CTX per process
  if (level != -2) {
    return level;
  }
  SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
  level = ctx != NULL ? SSL_CTX_get_security_level(ctx) : -1;
  SSL_CTX_free(ctx);
  return level;
}

int verify_backend_run(const struct mtk_verify_config *config, X509 *leaf,
                       STACK_OF(X509) * chain, STACK_OF(X509) * trusted,
                       STACK_OF(X509_CRL) * crls, struct mtk_verify_result *out,
                       struct verify_basis *basis, struct mtk_diag *diag) {
  const struct server_settings *server = server_of(config->platform);
  memset(out, 0, sizeof(*out));
  out->accepted = true;
  out->reason = MTK_VERIFY_OK;
  out->error_depth = -1;
  out->revocation_reason = -1;
  snprintf(out->detail, sizeof(out->detail), "ok");
  int depth = config->depth >= 0 ? config->depth : server->default_depth;
  bool check_crls = crls != NULL && sk_X509_CRL_num(crls) > 0;
  bool check_all = mtk_platform_crl_check_all(config->platform);
  int level = server->auth_level >= 0 ? server->auth_level : security_level();
  snprintf(basis->library, sizeof(basis->library), "%s",
           OpenSSL_version(OPENSSL_VERSION));
  snprintf(basis->settings, sizeof(basis->settings),
           "X509_STORE_CTX_set_default ssl_client (purpose sslclient, trust "
           "SSL client), verify depth %d (%s), auth level %d, %s, partial "
           "chain off, trusted first",
           depth, server->depth_rule, level,
           !check_crls ? "no CRL check"
           : check_all ? "X509_V_FLAG_CRL_CHECK|X509_V_FLAG_CRL_CHECK_ALL"
                       : "X509_V_FLAG_CRL_CHECK (the client certificate only)");
  basis->source = server->source;
  if (leaf == NULL) {
    out->accepted = false;
    out->reason = MTK_VERIFY_NO_CERTIFICATE;
    snprintf(out->detail, sizeof(out->detail), "%s",
             "no client certificate presented");
    return 0;
  }
  int err = 0;
  X509_STORE *store = X509_STORE_new();
  X509_STORE_CTX *ctx = X509_STORE_CTX_new();
  if (store == NULL || ctx == NULL) {
    err = MTK_ENOMEM;
    goto out;
  }
  for (int i = 0; i < sk_X509_num(trusted); i++) {
    if (!X509_STORE_add_cert(store, sk_X509_value(trusted, i))) {
      ERR_clear_error();  // a duplicate anchor is harmless
    }
  }
  for (int i = 0; check_crls && i < sk_X509_CRL_num(crls); i++) {
    if (!X509_STORE_add_crl(store, sk_X509_CRL_value(crls, i))) {
      ERR_clear_error();
    }
  }
  if (check_crls) {
    X509_STORE_set_flags(
        store,
        X509_V_FLAG_CRL_CHECK | (check_all ? X509_V_FLAG_CRL_CHECK_ALL : 0));
  }
  if (!X509_STORE_CTX_init(ctx, store, leaf, chain)) {
    err = mtk_diag_set(diag, MTK_ECRYPTO, "cannot set up verification");
    goto out;
  }
  // What libssl's ssl_verify_cert_chain does on a server verifying its
  // client: the ssl_client defaults, the SSL's auth level, then its param
  // (the verify depth the server set).
  X509_STORE_CTX_set_default(ctx, "ssl_client");
  X509_VERIFY_PARAM *param = X509_STORE_CTX_get0_param(ctx);
  if (level >= 0) {
    X509_VERIFY_PARAM_set_auth_level(param, level);
  }
  X509_VERIFY_PARAM_set_depth(param, depth);
  X509_VERIFY_PARAM_set_time(param, config->at != 0 ? config->at : time(NULL));
  if (X509_verify_cert(ctx) != 1) {
    int x509_err = X509_STORE_CTX_get_error(ctx);
    out->accepted = false;
    out->x509_error = x509_err;
    out->reason = reason_from_x509(x509_err);
    out->error_depth = X509_STORE_CTX_get_error_depth(ctx);
    snprintf(out->detail, sizeof(out->detail), "%s",
             X509_verify_cert_error_string(x509_err));
    if (x509_err == X509_V_ERR_CERT_REVOKED) {
      describe_revocation(X509_STORE_CTX_get_current_cert(ctx), crls, out);
    }
  }
  verify_describe_path(X509_STORE_CTX_get0_chain(ctx), out);
  ERR_clear_error();
out:
  X509_STORE_CTX_free(ctx);
  X509_STORE_free(store);
  return err;
}
