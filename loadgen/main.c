// mtlskit loadgen: measure mTLS handshakes under load (docs/loadgen.md).
#include <arpa/inet.h>
#include <dirent.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "engine.h"
#include "mtlskit/cli.h"
#include "mtlskit/hdrlog.h"
#include "mtlskit/identity.h"
#include "mtlskit/json.h"
#include "mtlskit/secret.h"
#include "mtlskit/units.h"
#include "mtlskit/version.h"
#include "slo.h"

#define LG_SCHEMA_VERSION 1
#define MAX_IDENTITIES 4096

static const char usage_text[] =
    "usage: mtlskit loadgen [OPTIONS] https://HOST[:PORT][/PATH]\n"
    "\n"
    "Open mTLS connections to a server at a fixed arrival rate (--rate) or\n"
    "with a fixed number in flight (--concurrency), and report TCP connect,\n"
    "TLS handshake, time to first byte and total latency percentiles and how\n"
    "each connection ended.\n"
    "\n"
    "Identity and TLS:\n"
    "  --cert FILE          client certificate chain, PEM (repeat with --key\n"
    "                       for a pool of identities used round-robin)\n"
    "  --key FILE           private key, PEM, for the --cert of the same rank\n"
    "  --identities DIR     every NAME.crt with its NAME.key in DIR\n"
    "  --p12 FILE           a PKCS#12 identity (repeatable, joins the pool)\n"
    "  --p12-password SRC   its password: env:VAR, file:PATH, prompt or\n"
    "                       pass:TEXT (visible to ps; default: empty)\n"
    "  --cacert FILE        trust anchors for the server certificate\n"
    "  --insecure           do not verify the server certificate\n"
    "  --sni NAME           server name to send (default: the URL's host\n"
    "                       unless it is an IP address)\n"
    "  --tls 1.2|1.3        the only TLS version offered (default: both)\n"
    "  --groups LIST        key exchange groups, e.g. X25519:P-256\n"
    "  --resume off|tickets|ids  session resumption (default off: every\n"
    "                       handshake is full, tickets and cache disabled)\n"
    "Load:\n"
    "  --rate R             open loop: R new connections per second, latency\n"
    "                       measured from each intended start\n"
    "  --concurrency C      closed loop: C connections in flight (default 1)\n"
    "  --duration D         stop starting connections after D (e.g. 30s)\n"
    "  --connections N      stop after N connections\n"
    "  --requests N         stop after N requests\n"
    "  --warmup D           leave connections started in the first D out\n"
    "  --keepalive K        requests per connection (default 1; 0: handshake\n"
    "                       only, no HTTP request)\n"
    "  --hold D             keep each finished connection open and idle for D\n"
    "  --close clean|rst    close with close_notify+FIN (default) or a TCP\n"
    "                       reset (no TIME_WAIT)\n"
    "  --source-ips LIST    comma-separated local addresses, used in turn\n"
    "  --threads N          event loops, one per thread (default 1)\n"
    "  --timeout D          per connection and per request (default 10s)\n"
    "  --max-inflight N     open loop: most connections in flight (default\n"
    "                       10000, capped by the open-file limit)\n"
    "Output:\n"
    "  --json               one JSON document (schema_version 1) on stdout\n"
    "  --hdr-log FILE       HdrHistogram interval log, one line per phase per\n"
    "                       interval (tags connect, handshake, ttfb, total)\n"
    "  --interval D         reporting interval (default 1s)\n"
    "  --slo SPEC           e.g. 'handshake.p99<=50ms,errors<=0.1%': exit 1\n"
    "                       when violated\n"
    "  --quiet              no progress line, no notes\n"
    "  --help, --version\n"
    "\n"
    "Exit status: 0 done (and every SLO held), 1 an SLO was violated,\n"
    "2 usage error, 3 runtime error (files, network setup), 4 internal "
    "error.\n";

struct options {
  struct lg_config cfg;
  const char *certs[MAX_IDENTITIES];
  const char *keys[MAX_IDENTITIES];
  char *owned[2 * MAX_IDENTITIES];
  size_t num_certs, num_keys, num_owned;
  const char *identities_dir;
  const char *p12_files[MAX_IDENTITIES];
  size_t num_p12;
  const char *p12_password;
  struct mtk_identity *p12;  // num_p12 loaded identities
  X509 *p12_leaves[MAX_IDENTITIES];
  STACK_OF(X509) * p12_chains[MAX_IDENTITIES];
  EVP_PKEY *p12_keys[MAX_IDENTITIES];
  const char *hdr_log;
  const char *slo_spec;
  struct lg_slo slo;
  bool json;
  bool quiet;
  bool rate_set, concurrency_set;
};

static volatile sig_atomic_t interrupted;
static void on_sigint(int sig) {
  (void)sig;
  interrupted = 1;
}

static int parse_duration_opt(const char *name, const char *v, uint64_t *out) {
  if (mtk_parse_duration_ns(v, out) != 0) {
    return mtk_cli_usage_error("%s: '%s' is not a duration (e.g. 10s, 250ms)",
                               name, v);
  }
  return 0;
}

static int parse_count_opt(const char *name, const char *v, uint64_t *out) {
  if (mtk_parse_count(v, out) != 0) {
    return mtk_cli_usage_error("%s: '%s' is not a count (e.g. 100, 5k)", name,
                               v);
  }
  return 0;
}

static int parse_url(struct lg_config *cfg, const char *url) {
  const char *p = url;
  if (strncmp(p, "https://", 8) == 0) {
    p += 8;
  } else if (strstr(p, "://") != NULL) {
    return mtk_cli_usage_error("'%s': only https:// URLs are supported", url);
  }
  const char *host_start = p, *host_end;
  if (*p == '[') {
    host_start = p + 1;
    host_end = strchr(p, ']');
    if (host_end == NULL) {
      return mtk_cli_usage_error("'%s': unterminated [IPv6 address]", url);
    }
    p = host_end + 1;
  } else {
    host_end = p + strcspn(p, ":/");
    p = host_end;
  }
  size_t hlen = (size_t)(host_end - host_start);
  if (hlen == 0 || hlen >= sizeof(cfg->host)) {
    return mtk_cli_usage_error("'%s': missing or overlong host", url);
  }
  memcpy(cfg->host, host_start, hlen);
  cfg->host[hlen] = '\0';
  snprintf(cfg->port, sizeof(cfg->port), "443");
  if (*p == ':') {
    p++;
    size_t plen = strcspn(p, "/");
    uint64_t port;
    char buf[8];
    if (plen == 0 || plen >= sizeof(buf)) {
      return mtk_cli_usage_error("'%s': bad port", url);
    }
    memcpy(buf, p, plen);
    buf[plen] = '\0';
    if (mtk_parse_uint(buf, 65535, &port) != 0 || port == 0) {
      return mtk_cli_usage_error("'%s': bad port '%s'", url, buf);
    }
    snprintf(cfg->port, sizeof(cfg->port), "%u", (unsigned)port);
    p += plen;
  }
  if (*p == '\0') {
    snprintf(cfg->path, sizeof(cfg->path), "/");
  } else if (strlen(p) >= sizeof(cfg->path) || strpbrk(p, " \r\n") != NULL) {
    return mtk_cli_usage_error("'%s': bad path", url);
  } else {
    snprintf(cfg->path, sizeof(cfg->path), "%s", p);
  }
  bool v6 = strchr(cfg->host, ':') != NULL;
  bool default_port = strcmp(cfg->port, "443") == 0;
  snprintf(cfg->host_header, sizeof(cfg->host_header), "%s%s%s%s%s",
           v6 ? "[" : "", cfg->host, v6 ? "]" : "", default_port ? "" : ":",
           default_port ? "" : cfg->port);
  return 0;
}

static int resolve(struct lg_config *cfg) {
  struct addrinfo hints = {.ai_socktype = SOCK_STREAM};
  struct addrinfo *res = NULL;
  int rc = getaddrinfo(cfg->host, cfg->port, &hints, &res);
  if (rc != 0) {
    mtk_cli_error("cannot resolve %s: %s", cfg->host, gai_strerror(rc));
    return MTK_EXIT_RUNTIME;
  }
  memcpy(&cfg->dst, res->ai_addr, res->ai_addrlen);
  freeaddrinfo(res);
  return 0;
}

static int parse_sources(struct lg_config *cfg, const char *list) {
  char buf[4096];
  snprintf(buf, sizeof(buf), "%s", list);
  char *save = NULL;
  for (char *tok = strtok_r(buf, ",", &save); tok != NULL;
       tok = strtok_r(NULL, ",", &save)) {
    if (cfg->num_sources == LG_MAX_SOURCES) {
      return mtk_cli_usage_error("--source-ips: more than %d addresses",
                                 LG_MAX_SOURCES);
    }
    struct sockaddr_storage *ss = &cfg->sources[cfg->num_sources];
    memset(ss, 0, sizeof(*ss));
    struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
    if (inet_pton(AF_INET, tok, &in4->sin_addr) == 1) {
      in4->sin_family = AF_INET;
    } else if (inet_pton(AF_INET6, tok, &in6->sin6_addr) == 1) {
      in6->sin6_family = AF_INET6;
    } else {
      return mtk_cli_usage_error("--source-ips: '%s' is not an IP address",
                                 tok);
    }
    cfg->num_sources++;
  }
  if (cfg->num_sources == 0) {
    return mtk_cli_usage_error("--source-ips: no address");
  }
  return 0;
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static int load_identities_dir(struct options *o) {
  DIR *d = opendir(o->identities_dir);
  if (d == NULL) {
    mtk_cli_error("--identities %s: %s", o->identities_dir,
                  mtk_strerror(mtk_errno_get()));
    return MTK_EXIT_RUNTIME;
  }
  char *names[MAX_IDENTITIES];
  size_t n = 0;
  struct dirent *de;
  while ((de = readdir(d)) != NULL && n < MAX_IDENTITIES) {
    size_t len = strlen(de->d_name);
    if (len > 4 && strcmp(de->d_name + len - 4, ".crt") == 0) {
      names[n] = strdup(de->d_name);
      if (names[n] != NULL) n++;
    }
  }
  closedir(d);
  qsort(names, n, sizeof(char *), cmp_str);
  for (size_t i = 0; i < n; i++) {
    size_t len = strlen(names[i]);
    char *cert = NULL, *key = NULL;
    size_t dlen = strlen(o->identities_dir) + len + 2;
    cert = malloc(dlen);
    key = malloc(dlen);
    if (cert != NULL && key != NULL && o->num_certs < MAX_IDENTITIES) {
      snprintf(cert, dlen, "%s/%s", o->identities_dir, names[i]);
      snprintf(key, dlen, "%s/%.*s.key", o->identities_dir, (int)(len - 4),
               names[i]);
      o->certs[o->num_certs++] = cert;
      o->keys[o->num_keys++] = key;
      o->owned[o->num_owned++] = cert;
      o->owned[o->num_owned++] = key;
    } else {
      free(cert);
      free(key);
    }
    free(names[i]);
  }
  if (n == 0) {
    mtk_cli_error("--identities %s: no NAME.crt file", o->identities_dir);
    return MTK_EXIT_USAGE;
  }
  return 0;
}

enum {
  OPT_CERT = 256,
  OPT_KEY,
  OPT_IDENTITIES,
  OPT_CACERT,
  OPT_INSECURE,
  OPT_SNI,
  OPT_TLS,
  OPT_GROUPS,
  OPT_RESUME,
  OPT_RATE,
  OPT_CONCURRENCY,
  OPT_DURATION,
  OPT_CONNECTIONS,
  OPT_REQUESTS,
  OPT_WARMUP,
  OPT_KEEPALIVE,
  OPT_HOLD,
  OPT_CLOSE,
  OPT_SOURCES,
  OPT_THREADS,
  OPT_TIMEOUT,
  OPT_MAX_INFLIGHT,
  OPT_JSON,
  OPT_HDR_LOG,
  OPT_INTERVAL,
  OPT_SLO,
  OPT_QUIET,
  OPT_HELP,
  OPT_VERSION,
  OPT_P12,
  OPT_P12_PASSWORD,
};

static const struct option long_options[] = {
    {"cert", required_argument, NULL, OPT_CERT},
    {"key", required_argument, NULL, OPT_KEY},
    {"identities", required_argument, NULL, OPT_IDENTITIES},
    {"p12", required_argument, NULL, OPT_P12},
    {"p12-password", required_argument, NULL, OPT_P12_PASSWORD},
    {"cacert", required_argument, NULL, OPT_CACERT},
    {"insecure", no_argument, NULL, OPT_INSECURE},
    {"sni", required_argument, NULL, OPT_SNI},
    {"tls", required_argument, NULL, OPT_TLS},
    {"groups", required_argument, NULL, OPT_GROUPS},
    {"resume", required_argument, NULL, OPT_RESUME},
    {"rate", required_argument, NULL, OPT_RATE},
    {"concurrency", required_argument, NULL, OPT_CONCURRENCY},
    {"duration", required_argument, NULL, OPT_DURATION},
    {"connections", required_argument, NULL, OPT_CONNECTIONS},
    {"requests", required_argument, NULL, OPT_REQUESTS},
    {"warmup", required_argument, NULL, OPT_WARMUP},
    {"keepalive", required_argument, NULL, OPT_KEEPALIVE},
    {"hold", required_argument, NULL, OPT_HOLD},
    {"close", required_argument, NULL, OPT_CLOSE},
    {"source-ips", required_argument, NULL, OPT_SOURCES},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"max-inflight", required_argument, NULL, OPT_MAX_INFLIGHT},
    {"json", no_argument, NULL, OPT_JSON},
    {"hdr-log", required_argument, NULL, OPT_HDR_LOG},
    {"interval", required_argument, NULL, OPT_INTERVAL},
    {"slo", required_argument, NULL, OPT_SLO},
    {"quiet", no_argument, NULL, OPT_QUIET},
    {"help", no_argument, NULL, OPT_HELP},
    {"version", no_argument, NULL, OPT_VERSION},
    {NULL, 0, NULL, 0},
};

// parse_options fills |o| and returns 0, or the exit status to end with
// (-1 for a clean exit after --help or --version).
static int parse_options(int argc, char **argv, struct options *o) {
  struct lg_config *cfg = &o->cfg;
  uint64_t v;
  int rc;
  cfg->threads = 1;
  cfg->concurrency = 1;
  cfg->keepalive = 1;
  cfg->timeout_ms = 10000;
  cfg->max_inflight = 10000;
  cfg->interval_ns = 1000000000;
  int opt;
  opterr = 0;
  while ((opt = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
    const char *a = optarg;
    switch (opt) {
      case OPT_CERT:
      case OPT_KEY:
        if ((opt == OPT_CERT ? o->num_certs : o->num_keys) >= MAX_IDENTITIES) {
          return mtk_cli_usage_error("too many identities (at most %d)",
                                     MAX_IDENTITIES);
        }
        if (opt == OPT_CERT)
          o->certs[o->num_certs++] = a;
        else
          o->keys[o->num_keys++] = a;
        break;
      case OPT_IDENTITIES:
        o->identities_dir = a;
        break;
      case OPT_P12:
        if (o->num_p12 >= MAX_IDENTITIES) {
          return mtk_cli_usage_error("too many --p12 (at most %d)",
                                     MAX_IDENTITIES);
        }
        o->p12_files[o->num_p12++] = a;
        break;
      case OPT_P12_PASSWORD:
        o->p12_password = a;
        break;
      case OPT_CACERT:
        cfg->tls.ca_file = a;
        break;
      case OPT_INSECURE:
        cfg->tls.insecure = true;
        break;
      case OPT_SNI:
        cfg->sni = a;
        break;
      case OPT_TLS:
        if (strcmp(a, "1.2") == 0)
          cfg->tls.tls_version = 12;
        else if (strcmp(a, "1.3") == 0)
          cfg->tls.tls_version = 13;
        else
          return mtk_cli_usage_error("--tls: '%s' is not 1.2 or 1.3", a);
        break;
      case OPT_GROUPS:
        cfg->tls.groups = a;
        break;
      case OPT_RESUME:
        if (strcmp(a, "off") == 0)
          cfg->tls.resume = MTK_NET_RESUME_OFF;
        else if (strcmp(a, "tickets") == 0)
          cfg->tls.resume = MTK_NET_RESUME_TICKETS;
        else if (strcmp(a, "ids") == 0)
          cfg->tls.resume = MTK_NET_RESUME_IDS;
        else
          return mtk_cli_usage_error(
              "--resume: '%s' is not off, tickets or ids", a);
        break;
      case OPT_RATE: {
        char *end;
        cfg->rate = strtod(a, &end);
        if (*end != '\0' || !(cfg->rate > 0) || cfg->rate > 1e7) {
          return mtk_cli_usage_error(
              "--rate: '%s' is not a rate in connections per second", a);
        }
        o->rate_set = true;
        break;
      }
      case OPT_CONCURRENCY:
        if ((rc = parse_count_opt("--concurrency", a, &cfg->concurrency)) != 0)
          return rc;
        if (cfg->concurrency == 0)
          return mtk_cli_usage_error("--concurrency must be at least 1");
        o->concurrency_set = true;
        break;
      case OPT_DURATION:
        if ((rc = parse_duration_opt("--duration", a, &cfg->duration_ns)) != 0)
          return rc;
        if (cfg->duration_ns == 0)
          return mtk_cli_usage_error("--duration must be positive");
        break;
      case OPT_CONNECTIONS:
        if ((rc = parse_count_opt("--connections", a, &cfg->max_connections)) !=
            0)
          return rc;
        if (cfg->max_connections == 0)
          return mtk_cli_usage_error("--connections must be at least 1");
        break;
      case OPT_REQUESTS:
        if ((rc = parse_count_opt("--requests", a, &cfg->max_requests)) != 0)
          return rc;
        if (cfg->max_requests == 0)
          return mtk_cli_usage_error("--requests must be at least 1");
        break;
      case OPT_WARMUP:
        if ((rc = parse_duration_opt("--warmup", a, &cfg->warmup_ns)) != 0)
          return rc;
        break;
      case OPT_KEEPALIVE:
        if ((rc = parse_count_opt("--keepalive", a, &cfg->keepalive)) != 0)
          return rc;
        break;
      case OPT_HOLD:
        if ((rc = parse_duration_opt("--hold", a, &cfg->hold_ns)) != 0)
          return rc;
        break;
      case OPT_CLOSE:
        if (strcmp(a, "rst") == 0)
          cfg->close_rst = true;
        else if (strcmp(a, "clean") == 0)
          cfg->close_rst = false;
        else
          return mtk_cli_usage_error("--close: '%s' is not clean or rst", a);
        break;
      case OPT_SOURCES:
        if ((rc = parse_sources(cfg, a)) != 0) return rc;
        break;
      case OPT_THREADS:
        if (mtk_parse_uint(a, 256, &v) != 0 || v == 0) {
          return mtk_cli_usage_error(
              "--threads: '%s' is not a number from 1 to 256", a);
        }
        cfg->threads = (unsigned)v;
        break;
      case OPT_TIMEOUT:
        if ((rc = parse_duration_opt("--timeout", a, &v)) != 0) return rc;
        if (v < 1000000)
          return mtk_cli_usage_error("--timeout must be at least 1ms");
        cfg->timeout_ms = v / 1000000;
        break;
      case OPT_MAX_INFLIGHT:
        if ((rc = parse_count_opt("--max-inflight", a, &cfg->max_inflight)) !=
            0)
          return rc;
        if (cfg->max_inflight == 0)
          return mtk_cli_usage_error("--max-inflight must be at least 1");
        break;
      case OPT_JSON:
        o->json = true;
        break;
      case OPT_HDR_LOG:
        o->hdr_log = a;
        break;
      case OPT_INTERVAL:
        if ((rc = parse_duration_opt("--interval", a, &cfg->interval_ns)) != 0)
          return rc;
        if (cfg->interval_ns < 10000000)
          return mtk_cli_usage_error("--interval must be at least 10ms");
        break;
      case OPT_SLO:
        o->slo_spec = a;
        break;
      case OPT_QUIET:
        o->quiet = true;
        break;
      case OPT_HELP:
        fputs(usage_text, stdout);
        return -1;
      case OPT_VERSION:
        mtk_cli_print_version(stdout, NULL);
        return -1;
      default:
        if (optopt != 0) {
          return mtk_cli_usage_error("option '%s' needs a value",
                                     argv[optind - 1]);
        }
        return mtk_cli_usage_error("unknown option '%s'", argv[optind - 1]);
    }
  }
  if (optind != argc - 1) {
    return mtk_cli_usage_error(optind >= argc ? "missing target URL"
                                              : "expected one target URL");
  }
  if ((rc = parse_url(cfg, argv[optind])) != 0) return rc;
  if (o->rate_set && o->concurrency_set) {
    return mtk_cli_usage_error(
        "--rate (open loop) and --concurrency (closed loop) exclude each "
        "other");
  }
  if (o->num_certs != o->num_keys) {
    return mtk_cli_usage_error(
        "%zu --cert but %zu --key: give one key per certificate", o->num_certs,
        o->num_keys);
  }
  if (o->identities_dir != NULL && o->num_certs > 0) {
    return mtk_cli_usage_error("--identities and --cert exclude each other");
  }
  if (cfg->tls.ca_file == NULL && !cfg->tls.insecure) {
    return mtk_cli_usage_error(
        "give --cacert FILE to verify the server, or --insecure");
  }
  if (cfg->tls.resume == MTK_NET_RESUME_IDS && cfg->tls.tls_version != 12) {
    return mtk_cli_usage_error(
        "--resume ids needs --tls 1.2 (TLS 1.3 resumes with tickets only)");
  }
  if (cfg->warmup_ns > 0 && cfg->duration_ns > 0 &&
      cfg->warmup_ns >= cfg->duration_ns) {
    return mtk_cli_usage_error("--warmup must be shorter than --duration");
  }
  if (cfg->max_requests > 0 && cfg->keepalive == 0) {
    return mtk_cli_usage_error(
        "--requests needs requests: not with --keepalive 0");
  }
  if (cfg->max_requests > 0 && cfg->max_connections == 0) {
    cfg->max_connections =
        (cfg->max_requests + cfg->keepalive - 1) / cfg->keepalive;
  }
  if (cfg->duration_ns == 0 && cfg->max_connections == 0) {
    cfg->duration_ns = 10000000000u;  // 10 s
  }
  if (o->slo_spec != NULL) {
    struct mtk_diag diag;
    mtk_diag_init(&diag);
    if (lg_slo_parse(o->slo_spec, &o->slo, &diag) != 0) {
      return mtk_cli_usage_error("%s", diag.msg);
    }
  }
  if (o->identities_dir != NULL && (rc = load_identities_dir(o)) != 0)
    return rc;
  if (!o->rate_set && cfg->max_inflight < cfg->concurrency) {
    cfg->max_inflight = cfg->concurrency;
  }
  if (o->rate_set && cfg->threads > cfg->rate) {
    cfg->threads = (unsigned)ceil(cfg->rate);
  }
  if (!o->rate_set && cfg->threads > cfg->concurrency) {
    cfg->threads = (unsigned)cfg->concurrency;
  }
  unsigned char tmp[16];
  bool host_is_ip = inet_pton(AF_INET, cfg->host, tmp) == 1 ||
                    inet_pton(AF_INET6, cfg->host, tmp) == 1;
  if (cfg->sni == NULL && !host_is_ip) cfg->sni = cfg->host;
  cfg->verify_host = cfg->sni != NULL ? cfg->sni : cfg->host;
  cfg->tls.cert_files = o->certs;
  cfg->tls.key_files = o->keys;
  cfg->tls.num_identities = o->num_certs;
  if (o->p12_password != NULL && o->num_p12 == 0) {
    return mtk_cli_usage_error("--p12-password without --p12");
  }
  return 0;
}

// load_p12 loads every --p12 identity into |o| and points the TLS options
// at them. It returns 0 or an exit status.
static int load_p12(struct options *o) {
  if (o->num_p12 == 0) {
    return 0;
  }
  struct mtk_secret password = {0};
  struct mtk_diag diag;
  mtk_diag_init(&diag);
  int err = 0;
  if (o->p12_password != NULL) {
    err = mtk_secret_read(&password, o->p12_password,
                          "PKCS#12 password: ", false, &diag);
    if (err != 0) {
      return mtk_cli_fail(err, &diag);
    }
    if (password.from_argv) {
      mtk_cli_warn(
          "--p12-password pass:... is visible to other users (ps, shell "
          "history); prefer env: or file:");
    }
  }
  o->p12 = calloc(o->num_p12, sizeof(struct mtk_identity));
  if (o->p12 == NULL) {
    mtk_secret_free(&password);
    return mtk_cli_fail(MTK_ENOMEM, NULL);
  }
  for (size_t i = 0; i < o->num_p12; i++) {
    mtk_identity_init(&o->p12[i]);
    err = mtk_identity_load_p12(&o->p12[i], o->p12_files[i],
                                o->p12_password != NULL ? &password : NULL,
                                &diag);
    if (err != 0) {
      mtk_secret_free(&password);
      mtk_diag_prefix(&diag, err, "%s", o->p12_files[i]);
      return mtk_cli_fail(err, &diag);
    }
    o->p12_leaves[i] = o->p12[i].leaf;
    o->p12_chains[i] = o->p12[i].chain;
    o->p12_keys[i] = o->p12[i].key;
  }
  mtk_secret_free(&password);
  o->cfg.tls.mem_leaves = o->p12_leaves;
  o->cfg.tls.mem_chains = o->p12_chains;
  o->cfg.tls.mem_keys = o->p12_keys;
  o->cfg.tls.num_mem_identities = o->num_p12;
  return 0;
}

// raise_nofile raises the soft open-file limit to what the run needs, as
// far as the hard limit allows, and lowers max-inflight when capped.
static void raise_nofile(struct options *o) {
  struct lg_config *cfg = &o->cfg;
  uint64_t need = (o->rate_set ? cfg->max_inflight : cfg->concurrency) + 64;
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return;
  if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need) {
    rlim_t want = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= need
                      ? (rlim_t)need
                      : rl.rlim_max;
    rlim_t before = rl.rlim_cur;
    rl.rlim_cur = want;
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0) rl.rlim_cur = before;
  }
  if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need) {
    uint64_t cap = rl.rlim_cur > 96 ? (uint64_t)rl.rlim_cur - 64 : 32;
    mtk_cli_warn(
        "open-file limit capped at %llu (hard limit %llu): at most "
        "%llu connections in flight",
        (unsigned long long)rl.rlim_cur, (unsigned long long)rl.rlim_max,
        (unsigned long long)cap);
    if (cfg->max_inflight > cap) cfg->max_inflight = cap;
    if (cfg->concurrency > cap) cfg->concurrency = cap;
  }
}

static void fmt_ns(char *out, size_t len, double ns) {
  if (ns < 1e3)
    snprintf(out, len, "%.0fns", ns);
  else if (ns < 1e6)
    snprintf(out, len, "%.1fus", ns / 1e3);
  else if (ns < 1e9)
    snprintf(out, len, "%.2fms", ns / 1e6);
  else
    snprintf(out, len, "%.3fs", ns / 1e9);
}

static long rss_kb(void) {
  FILE *f = fopen("/proc/self/statm", "r");
  long pages = 0, resident = 0;
  if (f != NULL) {
    if (fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
    fclose(f);
  }
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static void print_progress(const struct lg_run *run,
                           const struct lg_results *all, double elapsed) {
  char p50[32], p99[32];
  const struct mtk_hist *h = &all->phase[LG_HANDSHAKE];
  fmt_ns(p50, sizeof(p50), (double)mtk_hist_value_at_percentile(h, 50));
  fmt_ns(p99, sizeof(p99), (double)mtk_hist_value_at_percentile(h, 99));
  fprintf(stderr,
          "\r%7.1fs  %9.1f conn/s  handshake p50 %-9s p99 %-9s errors %-8llu "
          "in flight %-6llu",
          elapsed,
          elapsed > 0 ? (double)all->counts.connections / elapsed : 0.0, p50,
          p99, (unsigned long long)lg_results_errors(all),
          (unsigned long long)atomic_load(&((struct lg_run *)run)->inflight));
  fflush(stderr);
}

static const char *resume_name(enum mtk_net_resume r) {
  return r == MTK_NET_RESUME_TICKETS ? "tickets"
         : r == MTK_NET_RESUME_IDS   ? "ids"
                                     : "off";
}

struct summary {
  double elapsed_s;
  double window_s;
  double achieved_rate;
  uint64_t max_lag_ns;
  long rss_start_kb, rss_peak_kb;
};

static void print_table(const struct options *o, const struct lg_results *r,
                        const struct summary *s, const char *url) {
  const struct lg_config *cfg = &o->cfg;
  printf("target       %s (%s%s)\n", url,
         cfg->tls.tls_version == 0    ? "TLS 1.2-1.3"
         : cfg->tls.tls_version == 12 ? "TLS 1.2"
                                      : "TLS 1.3",
         cfg->tls.num_identities + cfg->tls.num_mem_identities > 0
             ? ", client certificate"
             : ", no client certificate");
  if (cfg->rate > 0) {
    printf(
        "load         open loop, %.1f conn/s requested, %.1f/s achieved, %u "
        "thread%s\n",
        cfg->rate, s->achieved_rate, cfg->threads,
        cfg->threads == 1 ? "" : "s");
  } else {
    printf(
        "load         closed loop, concurrency %llu, %.1f conn/s achieved, %u "
        "thread%s\n",
        (unsigned long long)cfg->concurrency, s->achieved_rate, cfg->threads,
        cfg->threads == 1 ? "" : "s");
  }
  char lag[32];
  fmt_ns(lag, sizeof(lag), (double)s->max_lag_ns);
  printf("duration     %.3fs (%.3fs measured)%s%s\n", s->elapsed_s, s->window_s,
         cfg->rate > 0 ? ", latest start behind schedule by " : "",
         cfg->rate > 0 ? lag : "");
  printf(
      "connections  %llu (+%llu warm-up), handshakes %llu, resumed %llu "
      "(--resume %s)\n",
      (unsigned long long)r->counts.connections,
      (unsigned long long)r->counts.warmup,
      (unsigned long long)r->counts.handshakes,
      (unsigned long long)r->counts.resumed, resume_name(cfg->tls.resume));
  printf("\n%-10s %10s %10s %10s %10s %10s %10s %10s\n", "phase", "count",
         "p50", "p90", "p99", "p99.9", "max", "mean");
  for (int i = 0; i < LG_NUM_PHASES; i++) {
    const struct mtk_hist *h = &r->phase[i];
    char v[6][32];
    fmt_ns(v[0], 32, (double)mtk_hist_value_at_percentile(h, 50));
    fmt_ns(v[1], 32, (double)mtk_hist_value_at_percentile(h, 90));
    fmt_ns(v[2], 32, (double)mtk_hist_value_at_percentile(h, 99));
    fmt_ns(v[3], 32, (double)mtk_hist_value_at_percentile(h, 99.9));
    fmt_ns(v[4], 32, (double)mtk_hist_max(h));
    fmt_ns(v[5], 32, mtk_hist_mean(h));
    printf("%-10s %10lld %10s %10s %10s %10s %10s %10s\n",
           lg_phase_name((enum lg_phase)i), (long long)h->total_count, v[0],
           v[1], v[2], v[3], v[4], v[5]);
  }
  printf("\noutcomes (%llu)\n", (unsigned long long)r->counts.requests);
  lg_results_print_outcomes(r, stdout);
  uint64_t errors = lg_results_errors(r);
  printf(
      "errors       %llu (%.3f%%), refused %llu\n", (unsigned long long)errors,
      r->counts.requests ? 100.0 * (double)errors / (double)r->counts.requests
                         : 0.0,
      (unsigned long long)lg_results_refused(r));
}

static json_t *summary_json(const struct options *o, const struct lg_results *r,
                            const struct summary *s, const char *url) {
  const struct lg_config *cfg = &o->cfg;
  json_t *phases = json_object();
  for (int i = 0; i < LG_NUM_PHASES; i++) {
    json_object_set_new(phases, lg_phase_name((enum lg_phase)i),
                        lg_hist_json(&r->phase[i]));
  }
  uint64_t errors = lg_results_errors(r);
  uint64_t timeouts = 0;
  for (int st = 0; st < MTK_STAGE_COUNT; st++) {
    timeouts += r->counts.kind_stage[MTK_OUTCOME_TIMEOUT][st];
  }
  json_t *root = json_pack(
      "{s:i, s:s, s:{s:s, s:s, s:i, s:s, s:f, s:I, s:I, s:i, s:b, s:I}, "
      "s:f, s:f, s:{s:f, s:f, s:I}, s:I, s:I, s:I, s:I, s:I, s:I, s:f, s:I, "
      "s:I, "
      "s:o, s:o, s:{s:i, s:i}}",
      "schema_version", LG_SCHEMA_VERSION, "target", url, "config", "mode",
      cfg->rate > 0 ? "open" : "closed", "tls",
      cfg->tls.tls_version == 12   ? "1.2"
      : cfg->tls.tls_version == 13 ? "1.3"
                                   : "any",
      "identities",
      (int)(cfg->tls.num_identities + cfg->tls.num_mem_identities), "resume",
      resume_name(cfg->tls.resume), "rate", cfg->rate, "concurrency",
      (json_int_t)cfg->concurrency, "keepalive", (json_int_t)cfg->keepalive,
      "threads", (int)cfg->threads, "close_rst", cfg->close_rst, "warmup_ns",
      (json_int_t)cfg->warmup_ns, "elapsed_s", s->elapsed_s, "measured_s",
      s->window_s, "rate", "requested", cfg->rate, "achieved", s->achieved_rate,
      "max_start_lag_ns", (json_int_t)s->max_lag_ns, "connections",
      (json_int_t)r->counts.connections, "warmup_connections",
      (json_int_t)r->counts.warmup, "requests", (json_int_t)r->counts.requests,
      "handshakes", (json_int_t)r->counts.handshakes, "resumed",
      (json_int_t)r->counts.resumed, "errors", (json_int_t)errors,
      "error_ratio",
      r->counts.requests ? (double)errors / (double)r->counts.requests : 0.0,
      "refused", (json_int_t)lg_results_refused(r), "timeouts",
      (json_int_t)timeouts, "outcomes", lg_results_outcomes_json(r), "phases",
      phases, "memory", "rss_start_kb", (int)s->rss_start_kb, "rss_peak_kb",
      (int)s->rss_peak_kb);
  return root;
}

int main(int argc, char **argv) {
  mtk_cli_init("mtlskit loadgen");
  struct options *o = calloc(1, sizeof(*o));
  struct mtk_net_tls *tls = NULL;
  struct lg_run run;
  bool run_started = false;
  struct lg_results all, interval;
  FILE *hlog = NULL;
  int status = MTK_EXIT_OK;
  memset(&run, 0, sizeof(run));
  memset(&all, 0, sizeof(all));
  memset(&interval, 0, sizeof(interval));
  if (o == NULL) {
    return mtk_cli_fail(MTK_ENOMEM, NULL);
  }
  int rc = parse_options(argc, argv, o);
  if (rc != 0) {
    status = rc < 0 ? MTK_EXIT_OK : rc;
    goto out;
  }
  struct lg_config *cfg = &o->cfg;
  mtk_cli_set_quiet(o->quiet);
  if ((rc = resolve(cfg)) != 0) {
    status = rc;
    goto out;
  }
  raise_nofile(o);
  if ((rc = load_p12(o)) != 0) {
    status = rc;
    goto out;
  }
  struct mtk_diag diag;
  mtk_diag_init(&diag);
  int err = mtk_net_tls_new(&cfg->tls, &tls, &diag);
  if (err != 0) {
    status = mtk_cli_fail(err, &diag);
    goto out;
  }
  if (lg_results_init(&all) != 0 || lg_results_init(&interval) != 0) {
    status = mtk_cli_fail(MTK_ENOMEM, NULL);
    goto out;
  }
  double wall_start = 0;
  {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    wall_start = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
  }
  if (o->hdr_log != NULL) {
    hlog = fopen(o->hdr_log, "w");
    if (hlog == NULL ||
        mtk_hdrlog_write_header(hlog, wall_start, wall_start) != 0) {
      mtk_cli_error("--hdr-log %s: %s", o->hdr_log,
                    mtk_strerror(mtk_errno_get()));
      status = MTK_EXIT_RUNTIME;
      goto out;
    }
  }
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = on_sigint;
  sa.sa_flags = SA_RESETHAND;
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);

  struct summary sum = {.rss_start_kb = rss_kb()};
  bool progress = !o->quiet && !o->json && isatty(STDERR_FILENO);
  err = lg_run_start(&run, cfg, tls, &diag);
  run_started = true;
  if (err != 0) {
    status = mtk_cli_fail(err, &diag);
    goto out;
  }
  double interval_s = (double)cfg->interval_ns / 1e9;
  uint64_t next = cfg->interval_ns;
  uint64_t last = 0;
  for (;;) {
    bool finished = lg_run_finished(&run);
    uint64_t now = uv_hrtime() - run.t0;
    if (interrupted) atomic_store(&run.stop, 1);
    if (now >= next + cfg->interval_ns / 20 || finished) {
      lg_run_take(&run, &interval);
      uint64_t end = finished ? now : next;
      if (hlog != NULL && (end > last || finished)) {
        for (int i = 0; i < LG_NUM_PHASES; i++) {
          if (mtk_hdrlog_write_interval(
                  hlog, lg_phase_name((enum lg_phase)i), (double)last / 1e9,
                  (double)(end - last) / 1e9, &interval.phase[i]) != 0) {
            mtk_cli_error("--hdr-log %s: write failed", o->hdr_log);
            status = MTK_EXIT_RUNTIME;
          }
        }
      }
      lg_results_merge(&all, &interval);
      lg_results_reset(&interval);
      last = end;
      next += cfg->interval_ns;
      if (progress) print_progress(&run, &all, (double)now / 1e9);
      if (finished) break;
    }
    struct timespec pause = {0, 10 * 1000 * 1000};
    nanosleep(&pause, NULL);
  }
  (void)interval_s;
  lg_run_join(&run);
  sum.max_lag_ns = lg_run_max_lag_ns(&run);
  if (progress) fputc('\n', stderr);
  if (interrupted) mtk_cli_note("interrupted: results cover the run so far");

  uint64_t elapsed = uv_hrtime() - run.t0;
  uint64_t window_end =
      cfg->duration_ns > 0 ? cfg->duration_ns : atomic_load(&run.last_start_ns);
  if (window_end > elapsed) window_end = elapsed;
  sum.elapsed_s = (double)elapsed / 1e9;
  sum.window_s = window_end > cfg->warmup_ns
                     ? (double)(window_end - cfg->warmup_ns) / 1e9
                     : 0;
  uint64_t started = atomic_load(&run.started_in_window);
  sum.achieved_rate = sum.window_s > 0 ? (double)started / sum.window_s : 0;
  if (cfg->duration_ns == 0 && sum.window_s > 0 && started > 1) {
    // Bounded by a count: the window ends at the last start, so n starts
    // span n - 1 gaps.
    sum.achieved_rate = (double)(started - 1) / sum.window_s;
  }
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  sum.rss_peak_kb = ru.ru_maxrss;

  char url[1400];
  snprintf(url, sizeof(url), "https://%s%s", cfg->host_header, cfg->path);
  json_t *root = o->json ? summary_json(o, &all, &sum, url) : NULL;
  if (!o->json) print_table(o, &all, &sum, url);
  json_t *slo_arr = json_array();
  bool slo_ok = true;
  for (size_t i = 0; i < o->slo.num_clauses; i++) {
    const struct lg_slo_clause *c = &o->slo.clauses[i];
    double value = lg_slo_value(c, &all, sum.achieved_rate);
    bool ok = lg_slo_holds(c, value);
    slo_ok = slo_ok && ok;
    json_array_append_new(slo_arr, json_pack("{s:s, s:f, s:b}", "slo", c->text,
                                             "value", value, "ok", ok));
    if (!o->json) {
      printf("slo          %-30s %s (measured %g)\n", c->text,
             ok ? "ok" : "VIOLATED", value);
    }
  }
  if (root != NULL) {
    json_object_set_new(root, "slo", slo_arr);
    int print_err = mtk_json_print(stdout, root);
    if (print_err != 0) status = mtk_cli_fail(print_err, NULL);
  } else {
    json_decref(slo_arr);
  }
  if (o->json && root == NULL) status = mtk_cli_fail(MTK_ENOMEM, NULL);
  if (!slo_ok) {
    mtk_cli_error("service-level objective violated");
    if (status == MTK_EXIT_OK) status = MTK_EXIT_CHECKS;
  }
  if (fflush(stdout) != 0) status = MTK_EXIT_RUNTIME;
out:
  if (run_started) lg_run_cleanup(&run);
  if (hlog != NULL && fclose(hlog) != 0 && status == MTK_EXIT_OK) {
    mtk_cli_error("--hdr-log: write failed");
    status = MTK_EXIT_RUNTIME;
  }
  lg_results_cleanup(&all);
  lg_results_cleanup(&interval);
  mtk_net_tls_free(tls);
  if (o != NULL) {
    for (size_t i = 0; i < o->num_owned; i++) free(o->owned[i]);
    for (size_t i = 0; o->p12 != NULL && i < o->num_p12; i++) {
      mtk_identity_cleanup(&o->p12[i]);
    }
    free(o->p12);
    free(o);
  }
  return status;
}
