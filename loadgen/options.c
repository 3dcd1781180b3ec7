// Command line of mtlskit loadgen (see options.h).
#include "options.h"

#include <arpa/inet.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "mtlskit/cli.h"
#include "mtlskit/units.h"

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
    "  --identities DIR     a fixture set (its valid cases), a CA directory\n"
    "                       (its valid certificates with keys), or every\n"
    "                       NAME.crt with its NAME.key in DIR\n"
    "  --p12 FILE           a PKCS#12 identity (repeatable, joins the pool)\n"
    "  --p12-password SRC   its password: env:VAR, file:PATH, prompt or\n"
    "                       pass:TEXT (visible to ps; default: empty)\n"
    "  --cacert FILE        trust anchors for the server certificate\n"
    "  -k, --insecure       do not verify the server certificate\n"
    "  --verify-each        verify the server's chain on every handshake\n"
    "                       (default: once per distinct chain presented)\n"
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
    "  --close MODE         clean: close_notify then FIN (default); fin: FIN\n"
    "                       only, as openssl s_time; rst: a TCP reset (no\n"
    "                       TIME_WAIT)\n"
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

static int parse_url(struct mtk_loadgen_config *cfg, const char *url) {
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

static int parse_sources(struct mtk_loadgen_config *cfg, const char *list) {
  char buf[4096];
  snprintf(buf, sizeof(buf), "%s", list);
  char *save = NULL;
  for (char *tok = strtok_r(buf, ",", &save); tok != NULL;
       tok = strtok_r(NULL, ",", &save)) {
    if (cfg->num_sources == MTK_LOADGEN_MAX_SOURCES) {
      return mtk_cli_usage_error("--source-ips: more than %d addresses",
                                 MTK_LOADGEN_MAX_SOURCES);
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

enum {
  OPT_CERT = 256,
  OPT_KEY,
  OPT_IDENTITIES,
  OPT_CACERT,
  OPT_INSECURE,
  OPT_VERIFY_EACH,
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
    {"verify-each", no_argument, NULL, OPT_VERIFY_EACH},
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

// parse_option applies option |opt| with its argument |a| to |o| (|argv|
// names the option in diagnostics). It returns 0, -1 after --help or
// --version, or an exit status.
static int parse_option(struct mtk_loadgen_options *o, int opt, const char *a,
                        char **argv) {
  struct mtk_loadgen_config *cfg = &o->cfg;
  uint64_t v;
  int rc;
  switch (opt) {
    case OPT_CERT:
    case OPT_KEY:
      if ((opt == OPT_CERT ? o->ids.num_certs : o->ids.num_keys) >=
          MTK_LOADGEN_MAX_IDENTITIES) {
        return mtk_cli_usage_error("too many identities (at most %d)",
                                   MTK_LOADGEN_MAX_IDENTITIES);
      }
      if (opt == OPT_CERT)
        o->ids.certs[o->ids.num_certs++] = a;
      else
        o->ids.keys[o->ids.num_keys++] = a;
      break;
    case OPT_IDENTITIES:
      o->identities_dir = a;
      break;
    case OPT_P12:
      if (o->ids.num_p12 >= MTK_LOADGEN_MAX_IDENTITIES) {
        return mtk_cli_usage_error("too many --p12 (at most %d)",
                                   MTK_LOADGEN_MAX_IDENTITIES);
      }
      o->ids.p12_files[o->ids.num_p12++] = a;
      break;
    case OPT_P12_PASSWORD:
      o->ids.p12_password = a;
      break;
    case OPT_CACERT:
      cfg->tls.ca_file = a;
      break;
    case 'k':  // as in curl and mtlskit probe
    case OPT_INSECURE:
      cfg->tls.insecure = true;
      break;
    case OPT_VERIFY_EACH:
      cfg->tls.verify_each = true;
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
        return mtk_cli_usage_error("--resume: '%s' is not off, tickets or ids",
                                   a);
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
      if ((rc = parse_duration_opt("--hold", a, &cfg->hold_ns)) != 0) return rc;
      break;
    case OPT_CLOSE:
      if (strcmp(a, "clean") == 0)
        cfg->close_mode = MTK_NET_CLOSE_CLEAN;
      else if (strcmp(a, "fin") == 0)
        cfg->close_mode = MTK_NET_CLOSE_FIN;
      else if (strcmp(a, "rst") == 0)
        cfg->close_mode = MTK_NET_CLOSE_RST;
      else
        return mtk_cli_usage_error("--close: '%s' is not clean, fin or rst", a);
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
      if ((rc = parse_count_opt("--max-inflight", a, &cfg->max_inflight)) != 0)
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
  return 0;
}

// check_options checks how the options of |o| combine and fills in the
// settings that follow from them. It returns 0 or an exit status.
static int check_options(struct mtk_loadgen_options *o) {
  struct mtk_loadgen_config *cfg = &o->cfg;
  int rc;
  if (o->rate_set && o->concurrency_set) {
    return mtk_cli_usage_error(
        "--rate (open loop) and --concurrency (closed loop) exclude each "
        "other");
  }
  if (o->ids.num_certs != o->ids.num_keys) {
    return mtk_cli_usage_error(
        "%zu --cert but %zu --key: give one key per certificate",
        o->ids.num_certs, o->ids.num_keys);
  }
  if (o->identities_dir != NULL && o->ids.num_certs > 0) {
    return mtk_cli_usage_error("--identities and --cert exclude each other");
  }
  if (cfg->tls.ca_file == NULL && !cfg->tls.insecure) {
    return mtk_cli_usage_error(
        "give --cacert FILE to verify the server, or --insecure");
  }
  if (cfg->tls.verify_each && cfg->tls.insecure) {
    return mtk_cli_usage_error(
        "--verify-each and --insecure exclude each other");
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
    if (mtk_loadgen_slo_parse(o->slo_spec, &o->slo, &diag) != 0) {
      return mtk_cli_usage_error("%s", diag.msg);
    }
  }
  if (o->identities_dir != NULL &&
      (rc = mtk_loadgen_identities_load_dir(&o->ids, o->identities_dir)) != 0)
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
  cfg->tls.cert_files = o->ids.certs;
  cfg->tls.key_files = o->ids.keys;
  cfg->tls.num_identities = o->ids.num_certs;
  if (o->ids.p12_password != NULL && o->ids.num_p12 == 0) {
    return mtk_cli_usage_error("--p12-password without --p12");
  }
  return 0;
}

int mtk_loadgen_options_parse(int argc, char **argv,
                              struct mtk_loadgen_options *o) {
  struct mtk_loadgen_config *cfg = &o->cfg;
  int opt, rc;
  cfg->threads = 1;
  cfg->concurrency = 1;
  cfg->keepalive = 1;
  cfg->timeout_ms = 10000;
  cfg->max_inflight = 10000;
  cfg->interval_ns = 1000000000;
  opterr = 0;
  while ((opt = getopt_long(argc, argv, ":hk", long_options, NULL)) != -1) {
    if ((rc = parse_option(o, opt, optarg, argv)) != 0) return rc;
  }
  if (optind != argc - 1) {
    return mtk_cli_usage_error(optind >= argc ? "missing target URL"
                                              : "expected one target URL");
  }
  if ((rc = parse_url(cfg, argv[optind])) != 0) return rc;
  return check_options(o);
}

void mtk_loadgen_options_cleanup(struct mtk_loadgen_options *o) {
  mtk_loadgen_identities_cleanup(&o->ids);
}
