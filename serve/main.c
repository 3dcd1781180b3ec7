// mtlskit serve: a local mTLS endpoint that behaves as a cloud platform is
// documented to (docs/serve.md).
#include <arpa/inet.h>
#include <getopt.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mtlskit/cli.h"
#include "mtlskit/units.h"
#include "server.h"

static const char usage_text[] =
    "usage: mtlskit serve --profile NAME --cert FILE --key FILE\n"
    "                     [--truststore BUNDLE] [--crl FILE]... [options]\n"
    "\n"
    "Run a local HTTPS endpoint that treats client certificates the way a\n"
    "cloud platform is documented to (docs/platforms.md), in front of a\n"
    "built-in echo backend that answers 200 with the request headers it\n"
    "received as JSON. [I] marks behaviour inferred, not documented.\n"
    "\n"
    "Profiles:\n"
    "  alb-verify       AWS ALB mutual TLS verify: a certificate that fails\n"
    "                   the ALB rules (trust bundle, CRLs, chain depth 4,\n"
    "                   RSA 2K-8K/ECDSA keys, SHA-2, expiry, 64 K message)\n"
    "                   or no certificate is refused at the TLS level with\n"
    "                   close_notify and no named alert, as s2n-tls does\n"
    "                   [I]; no 10-30 s blinding delay unless\n"
    "                   --blinding-delay. Accepted requests\n"
    "                   carry X-Amzn-Mtls-Clientcert-Serial-Number, -Issuer,\n"
    "                   -Subject, -Validity, -Leaf (§1.3).\n"
    "  alb-passthrough  AWS ALB passthrough: no verification; the handshake\n"
    "                   completes for any certificate or none [I]; requests\n"
    "                   carry X-Amzn-Mtls-Clientcert, the URL-encoded chain.\n"
    "  apigw            API Gateway: untrusted, expired or weak-algorithm\n"
    "                   certificates, and no certificate [I], get HTTP 403\n"
    "                   (REST API page); --apigw-refusal tls refuses the\n"
    "                   handshake instead (HTTP API page). No revocation\n"
    "                   check (§2).\n"
    "  cloudflare       Cloudflare / IBM CIS: the handshake completes; HTTP\n"
    "                   403 when cert_verified is false or no certificate\n"
    "                   was sent (§3); uploaded CRLs are not checked.\n"
    "  Every profile strips client-sent X-Amzn-Mtls-* headers before the\n"
    "  backend (that ALB does so is [I]).\n"
    "\n"
    "Options:\n"
    "  --profile NAME         alb-verify, alb-passthrough, apigw,\n"
    "                         cloudflare (ibm-cis)\n"
    "  --cert FILE            server certificate chain, PEM\n"
    "  --key FILE             server private key, PEM\n"
    "  --truststore BUNDLE    trusted CA certificates, PEM (not used by\n"
    "                         alb-passthrough)\n"
    "  --crl FILE             CRLs, PEM or DER (repeat); alb-verify only\n"
    "  --allow-expired        alb-verify: IgnoreClientCertificateExpiry\n"
    "  --advertise-ca-names   list the trust store's CA names in the\n"
    "                         CertificateRequest (AdvertiseTrustStoreCaNames)\n"
    "  --apigw-refusal 403|tls  apigw: answer 403 (default) or refuse the\n"
    "                         TLS handshake\n"
    "  --listen ADDR:PORT     address to listen on (default 127.0.0.1:8443;\n"
    "                         port 0: any free port)\n"
    "  --tls 1.2|1.3          the only TLS version accepted (default both)\n"
    "  --max-connections N    stop after N connections\n"
    "  --duration D           stop after D (e.g. 60s)\n"
    "  --timeout D            handshake and idle timeout per connection\n"
    "                         (default 10s)\n"
    "  --max-requests N       requests per connection (default 100)\n"
    "  --ready-file FILE      write the bound port to FILE once listening\n"
    "  --blinding-delay D     hold every TLS refusal for D before the\n"
    "                         close_notify, as s2n-tls blinding does (10-30 s\n"
    "                         by default in s2n; ALB's setting is [I]);\n"
    "                         default 0\n"
    "  --quiet                no connection log lines on stdout\n"
    "  --connection-log FILE  also append each connection-log line to FILE\n"
    "                         (what mtlskit probe --connection-log reads)\n"
    "  --help, --version\n"
    "\n"
    "Output: 'listening https://ADDR:PORT/ profile=NAME' on stdout, then one\n"
    "line per connection in ALB connection-log order (§1.4).\n"
    "Exit status: 0 stopped (duration, connection count, SIGINT/SIGTERM),\n"
    "2 usage error, 3 runtime error (files, address in use), 4 internal.\n";

enum {
  OPT_PROFILE = 256,
  OPT_CERT,
  OPT_KEY,
  OPT_TRUSTSTORE,
  OPT_CRL,
  OPT_ALLOW_EXPIRED,
  OPT_ADVERTISE,
  OPT_APIGW_REFUSAL,
  OPT_LISTEN,
  OPT_TLS,
  OPT_MAX_CONNECTIONS,
  OPT_DURATION,
  OPT_TIMEOUT,
  OPT_MAX_REQUESTS,
  OPT_READY_FILE,
  OPT_BLINDING,
  OPT_QUIET,
  OPT_CONNECTION_LOG,
  OPT_HELP,
  OPT_VERSION,
};

static const struct option long_options[] = {
    {"profile", required_argument, NULL, OPT_PROFILE},
    {"cert", required_argument, NULL, OPT_CERT},
    {"key", required_argument, NULL, OPT_KEY},
    {"truststore", required_argument, NULL, OPT_TRUSTSTORE},
    {"crl", required_argument, NULL, OPT_CRL},
    {"allow-expired", no_argument, NULL, OPT_ALLOW_EXPIRED},
    {"advertise-ca-names", no_argument, NULL, OPT_ADVERTISE},
    {"apigw-refusal", required_argument, NULL, OPT_APIGW_REFUSAL},
    {"listen", required_argument, NULL, OPT_LISTEN},
    {"tls", required_argument, NULL, OPT_TLS},
    {"max-connections", required_argument, NULL, OPT_MAX_CONNECTIONS},
    {"duration", required_argument, NULL, OPT_DURATION},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"max-requests", required_argument, NULL, OPT_MAX_REQUESTS},
    {"ready-file", required_argument, NULL, OPT_READY_FILE},
    {"blinding-delay", required_argument, NULL, OPT_BLINDING},
    {"quiet", no_argument, NULL, OPT_QUIET},
    {"connection-log", required_argument, NULL, OPT_CONNECTION_LOG},
    {"help", no_argument, NULL, OPT_HELP},
    {"version", no_argument, NULL, OPT_VERSION},
    {NULL, 0, NULL, 0},
};

// parse_listen reads "IPv4:PORT" or "[IPv6]:PORT" (no host names: a test
// server binds where it is told, nothing is resolved).
static int parse_listen(const char *s, struct sockaddr_storage *out) {
  char host[64];
  const char *colon;
  memset(out, 0, sizeof(*out));
  if (s[0] == '[') {
    const char *end = strchr(s, ']');
    if (end == NULL || end[1] != ':' || (size_t)(end - s - 1) >= sizeof(host)) {
      return -1;
    }
    memcpy(host, s + 1, (size_t)(end - s - 1));
    host[end - s - 1] = '\0';
    colon = end + 1;
  } else {
    colon = strrchr(s, ':');
    if (colon == NULL || (size_t)(colon - s) >= sizeof(host)) {
      return -1;
    }
    memcpy(host, s, (size_t)(colon - s));
    host[colon - s] = '\0';
  }
  uint64_t port;
  if (mtk_parse_uint(colon + 1, 65535, &port) != 0) {
    return -1;
  }
  struct sockaddr_in *in4 = (struct sockaddr_in *)out;
  struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)out;
  if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
    in4->sin_family = AF_INET;
    in4->sin_port = htons((uint16_t)port);
  } else if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons((uint16_t)port);
  } else {
    return -1;
  }
  return 0;
}

static int parse_duration_ms(const char *name, const char *v, uint64_t *out) {
  uint64_t ns;
  if (mtk_parse_duration_ns(v, &ns) != 0 || ns < 1000000) {
    return mtk_cli_usage_error(
        "%s: '%s' is not a duration of at least 1ms "
        "(e.g. 10s, 250ms)",
        name, v);
  }
  *out = ns / 1000000;
  return 0;
}

// parse_options fills |cfg| and returns 0, the exit status to end with, or
// -1 for a clean exit after --help or --version.
static int parse_options(int argc, char **argv, struct mtk_serve_config *cfg) {
  bool have_profile = false;
  int rc;
  cfg->timeout_ms = 10000;
  cfg->max_requests = 100;
  if (parse_listen("127.0.0.1:8443", &cfg->listen) != 0) {
    return MTK_EXIT_INTERNAL;
  }
  int opt;
  opterr = 0;
  while ((opt = getopt_long(argc, argv, ":h", long_options, NULL)) != -1) {
    const char *a = optarg;
    switch (opt) {
      case OPT_PROFILE:
        if (mtk_serve_profile_from_name(a, &cfg->profile) != 0) {
          return mtk_cli_usage_error(
              "--profile: '%s' is not alb-verify (or alb), alb-passthrough, "
              "apigw or cloudflare (or ibm-cis)",
              a);
        }
        have_profile = true;
        break;
      case OPT_CERT:
        cfg->cert_file = a;
        break;
      case OPT_KEY:
        cfg->key_file = a;
        break;
      case OPT_TRUSTSTORE:
        cfg->truststore = a;
        break;
      case OPT_CRL:
        if (cfg->num_crls == MTK_SERVE_MAX_CRLS) {
          return mtk_cli_usage_error("--crl: at most %d files",
                                     MTK_SERVE_MAX_CRLS);
        }
        cfg->crl_files[cfg->num_crls++] = a;
        break;
      case OPT_ALLOW_EXPIRED:
        cfg->allow_expired = true;
        break;
      case OPT_ADVERTISE:
        cfg->advertise_ca_names = true;
        break;
      case OPT_APIGW_REFUSAL:
        if (strcmp(a, "403") == 0) {
          cfg->apigw_refuse_tls = false;
        } else if (strcmp(a, "tls") == 0) {
          cfg->apigw_refuse_tls = true;
        } else {
          return mtk_cli_usage_error("--apigw-refusal: '%s' is not 403 or tls",
                                     a);
        }
        break;
      case OPT_LISTEN:
        if (parse_listen(a, &cfg->listen) != 0) {
          return mtk_cli_usage_error(
              "--listen: '%s' is not IPv4:PORT or [IPv6]:PORT", a);
        }
        break;
      case OPT_TLS:
        if (strcmp(a, "1.2") == 0) {
          cfg->tls_version = 12;
        } else if (strcmp(a, "1.3") == 0) {
          cfg->tls_version = 13;
        } else {
          return mtk_cli_usage_error("--tls: '%s' is not 1.2 or 1.3", a);
        }
        break;
      case OPT_MAX_CONNECTIONS:
        if (mtk_parse_count(a, &cfg->max_connections) != 0 ||
            cfg->max_connections == 0) {
          return mtk_cli_usage_error(
              "--max-connections: '%s' is not a count of at least 1", a);
        }
        break;
      case OPT_DURATION:
        if ((rc = parse_duration_ms("--duration", a, &cfg->duration_ms)) != 0) {
          return rc;
        }
        break;
      case OPT_TIMEOUT:
        if ((rc = parse_duration_ms("--timeout", a, &cfg->timeout_ms)) != 0) {
          return rc;
        }
        break;
      case OPT_MAX_REQUESTS:
        if (mtk_parse_count(a, &cfg->max_requests) != 0 ||
            cfg->max_requests == 0) {
          return mtk_cli_usage_error(
              "--max-requests: '%s' is not a count of at least 1", a);
        }
        break;
      case OPT_READY_FILE:
        cfg->ready_file = a;
        break;
      case OPT_BLINDING:
        if ((rc = parse_duration_ms("--blinding-delay", a,
                                    &cfg->blinding_ms)) != 0) {
          return rc;
        }
        break;
      case OPT_QUIET:
        cfg->quiet = true;
        break;
      case OPT_CONNECTION_LOG:
        cfg->connection_log = a;
        break;
      case 'h':
      case OPT_HELP:
        fputs(usage_text, stdout);
        return -1;
      case OPT_VERSION:
        mtk_cli_print_version(stdout, NULL);
        return -1;
      default:
        return mtk_cli_option_error(opt, argv);
    }
  }
  if (optind < argc) {
    return mtk_cli_usage_error("unexpected argument '%s'", argv[optind]);
  }
  if (!have_profile) {
    return mtk_cli_usage_error("--profile is required");
  }
  if (cfg->cert_file == NULL || cfg->key_file == NULL) {
    return mtk_cli_usage_error("--cert and --key are required");
  }
  bool passthrough = cfg->profile == MTK_SERVE_PROFILE_ALB_PASSTHROUGH;
  if (cfg->truststore == NULL && (!passthrough || cfg->advertise_ca_names)) {
    return mtk_cli_usage_error("--truststore is required%s",
                               passthrough ? " with --advertise-ca-names" : "");
  }
  if (cfg->allow_expired && cfg->profile != MTK_SERVE_PROFILE_ALB_VERIFY) {
    return mtk_cli_usage_error("--allow-expired applies to alb-verify only");
  }
  if (cfg->apigw_refuse_tls && cfg->profile != MTK_SERVE_PROFILE_APIGW) {
    return mtk_cli_usage_error("--apigw-refusal applies to apigw only");
  }
  if (cfg->num_crls > 0 && cfg->profile != MTK_SERVE_PROFILE_ALB_VERIFY) {
    // Loaded anyway (a bad file is still an error), never consulted.
    mtk_cli_warn(
        "--crl: %s does not check revocation (%s); the CRLs are "
        "ignored",
        mtk_serve_profile_name(cfg->profile),
        cfg->profile == MTK_SERVE_PROFILE_APIGW ? "docs/platforms.md §2"
        : cfg->profile == MTK_SERVE_PROFILE_CLOUDFLARE
            ? "uploaded CAs, docs/platforms.md §3"
            : "passthrough verifies nothing");
  }
  return 0;
}

int main(int argc, char **argv) {
  mtk_cli_init("mtlskit serve");
  struct mtk_serve_config cfg;
  memset(&cfg, 0, sizeof(cfg));
  int rc = parse_options(argc, argv, &cfg);
  if (rc != 0) {
    return rc < 0 ? MTK_EXIT_OK : rc;
  }
  // A client that goes away while a response is written must not kill the
  // server.
  signal(SIGPIPE, SIG_IGN);
  setvbuf(stdout, NULL, _IOLBF, 0);
  struct mtk_diag diag;
  mtk_diag_init(&diag);
  int err = mtk_serve_run(&cfg, stdout, &diag);
  if (err != 0) {
    return mtk_cli_fail(err, &diag);
  }
  return MTK_EXIT_OK;
}
