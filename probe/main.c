// mtlskit probe: connect to mTLS endpoints with every fixture identity and
// say, per case, whether the endpoint did what its platform must do.
// Reference: docs/probe.md.
#include <ctype.h>
#include <curl/curl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "connlog.h"
#include "engine.h"
#include "manifest.h"
#include "mtlskit/cli.h"
#include "mtlskit/units.h"
#include "plan.h"
#include "profile.h"
#include "record.h"
#include "rejudge.h"
#include "report.h"

static const char usage_text[] =
    "usage: mtlskit probe --fixtures DIR --profile NAME [options] URL...\n"
    "       mtlskit probe --fixtures DIR --config FILE [options]\n"
    "       mtlskit probe --list-profiles\n"
    "       mtlskit probe --rejudge SAVED.json --connection-log FILE|DIR... "
    "[--json]\n"
    "\n"
    "Connect to each URL once per fixture case (DIR/manifest.json) and check\n"
    "the outcome against the profile's expectation for the case's defects.\n"
    "\n"
    "Targets (apply to the URLs given on the command line):\n"
    "  --profile NAME|FILE   an installed profile (alb-verify,\n"
    "                        alb-verify-allow-expired, alb-passthrough,\n"
    "                        apigw, cloudflare (ibm-cis), cloudfront,\n"
    "                        go (caddy), nginx, nginx-optional, haproxy,\n"
    "                        apache, node, stunnel, strict;\n"
    "                        --list-profiles) or a profile file of yours\n"
    "  --name NAME           report name of the (single) URL target\n"
    "  --server-trust root|root+intermediate  what the server's trust store\n"
    "                        holds (default root); with the intermediate,\n"
    "                        its cases run too and missing-intermediate\n"
    "                        must be accepted\n"
    "  --trust VARIANT       manifest trust variant whose CRLs the server\n"
    "                        holds (default: default); cases of other\n"
    "                        variants are skipped\n"
    "  --expect CASE=OUTCOMES  override one cell, e.g. revoked='http 200'\n"
    "                        or no-certificate='http 403|refused' (repeat)\n"
    "  --resolve HOST:PORT:ADDR   as curl --resolve (repeat)\n"
    "  --connect-to HOST:PORT:HOST2:PORT2  as curl --connect-to (repeat)\n"
    "  --cacert FILE         CA bundle that verifies the server\n"
    "  -k, --insecure        do not verify the server certificate\n"
    "  --sni NAME            send NAME as SNI and Host, connect to the URL\n"
    "  --tls 1.2|1.3         pin the TLS version (default: negotiate)\n"
    "  --http 1.1|2          HTTP version (default: curl's)\n"
    "  --method METHOD       request method (default GET)\n"
    "  -H, --header 'N: V'   extra request header (repeat)\n"
    "  --alb-headers verify|passthrough  check the ALB X-Amzn-Mtls-* headers\n"
    "                        a header-echo backend received on every 2xx\n"
    "                        (and send forged ones that must not arrive)\n"
    "  --config FILE         JSON file listing targets (docs/probe.md)\n"
    "\n"
    "Run:\n"
    "  --fixtures DIR        fixture directory holding manifest.json\n"
    "  --parallel N          attempts in flight at once (default 32)\n"
    "  --parallel-per-target N  at most N of them against one target\n"
    "                        (default: --parallel); a free slot goes to the\n"
    "                        target with the fewest attempts in flight\n"
    "  --timeout DUR         per attempt (default 35s: s2n-based endpoints\n"
    "                        may delay a refusal by up to 30 s)\n"
    "  --deadline DUR        whole run (default: derived from the work, so\n"
    "                        that no attempt ending within its --timeout is\n"
    "                        cut); attempts it cuts are 'incomplete'\n"
    "  --json                print one JSON document instead of the table\n"
    "  --junit FILE          also write JUnit XML (one testcase per target x "
    "case)\n"
    "  --record-profile FILE  write what the one target did as a profile\n"
    "                        (basis O) to FILE, exit 0 (default profile for\n"
    "                        the run: strict)\n"
    "  --connection-log FILE|DIR  the platform's connection logs (ALB's\n"
    "                        format, plain or gzip; repeat): each attempt\n"
    "                        shows the reason stated for it, and a refusal\n"
    "                        for the wrong reason is not met\n"
    "  --rejudge SAVED.json  judge a saved --json result again with the\n"
    "                        --connection-log files that arrived since\n"
    "  --list-profiles       print every profile's cells and origin, and\n"
    "                        exit\n"
    "  -h, --help            this text;  --version  versions\n"
    "\n"
    "Exit status: 0 every case met its expectation, 1 some case did not,\n"
    "2 usage or bad config/manifest, 3 nothing NOT-MET but some attempts\n"
    "could not be judged (target unreachable, server certificate not\n"
    "trusted, cut by --deadline), 4 internal.\n";

enum {
  OPT_FIXTURES = 256,
  OPT_PROFILE,
  OPT_NAME,
  OPT_TRUST,
  OPT_SERVER_TRUST,
  OPT_EXPECT,
  OPT_RESOLVE,
  OPT_CONNECT_TO,
  OPT_CACERT,
  OPT_SNI,
  OPT_TLS,
  OPT_HTTP,
  OPT_METHOD,
  OPT_ALB_HEADERS,
  OPT_CONFIG,
  OPT_PARALLEL,
  OPT_PARALLEL_PER_TARGET,
  OPT_TIMEOUT,
  OPT_DEADLINE,
  OPT_JSON,
  OPT_JUNIT,
  OPT_RECORD_PROFILE,
  OPT_CONNECTION_LOG,
  OPT_REJUDGE,
  OPT_LIST_PROFILES,
  OPT_VERSION,
};

static const struct option long_options[] = {
    {"fixtures", required_argument, NULL, OPT_FIXTURES},
    {"profile", required_argument, NULL, OPT_PROFILE},
    {"name", required_argument, NULL, OPT_NAME},
    {"trust", required_argument, NULL, OPT_TRUST},
    {"server-trust", required_argument, NULL, OPT_SERVER_TRUST},
    {"expect", required_argument, NULL, OPT_EXPECT},
    {"resolve", required_argument, NULL, OPT_RESOLVE},
    {"connect-to", required_argument, NULL, OPT_CONNECT_TO},
    {"cacert", required_argument, NULL, OPT_CACERT},
    {"insecure", no_argument, NULL, 'k'},
    {"sni", required_argument, NULL, OPT_SNI},
    {"tls", required_argument, NULL, OPT_TLS},
    {"http", required_argument, NULL, OPT_HTTP},
    {"method", required_argument, NULL, OPT_METHOD},
    {"header", required_argument, NULL, 'H'},
    {"alb-headers", required_argument, NULL, OPT_ALB_HEADERS},
    {"config", required_argument, NULL, OPT_CONFIG},
    {"parallel", required_argument, NULL, OPT_PARALLEL},
    {"parallel-per-target", required_argument, NULL, OPT_PARALLEL_PER_TARGET},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"deadline", required_argument, NULL, OPT_DEADLINE},
    {"json", no_argument, NULL, OPT_JSON},
    {"junit", required_argument, NULL, OPT_JUNIT},
    {"record-profile", required_argument, NULL, OPT_RECORD_PROFILE},
    {"connection-log", required_argument, NULL, OPT_CONNECTION_LOG},
    {"rejudge", required_argument, NULL, OPT_REJUDGE},
    {"list-profiles", no_argument, NULL, OPT_LIST_PROFILES},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, OPT_VERSION},
    {NULL, 0, NULL, 0},
};

// option_name returns the long name of option |opt| ("tls"), or "?".
static const char *option_name(int opt) {
  for (size_t i = 0; long_options[i].name != NULL; i++) {
    if (long_options[i].val == opt) {
      return long_options[i].name;
    }
  }
  return "?";
}

static void list_profiles(FILE *out) {
  const struct mtk_probe_profile *p;
  for (size_t i = 0; (p = mtk_probe_profile_at(i)) != NULL; i++) {
    fprintf(out, "%s: %s\n", p->name, p->summary);
    fprintf(out, "  %-30s %s %s\n", "origin:", p->origin, p->path);
    for (size_t k = 0; k < p->num_cells; k++) {
      const struct mtk_probe_cell *c = &p->cells[k];
      fprintf(out, "  %-30s %s%s%s%s [%s] %s\n", mtk_defect_name(c->defect),
              c->expect, c->expect_tls12 != NULL ? " (TLS 1.2: " : "",
              c->expect_tls12 != NULL ? c->expect_tls12 : "",
              c->expect_tls12 != NULL ? ")" : "", c->basis, c->source);
    }
    if (p->key_type_cell != NULL) {
      char keys[128] = "key-type:";
      for (size_t k = 0; p->unsupported_key_types[k] != NULL; k++) {
        strncat(keys, p->unsupported_key_types[k],
                sizeof(keys) - strlen(keys) - 2);
        if (p->unsupported_key_types[k + 1] != NULL) {
          strcat(keys, ",");
        }
      }
      fprintf(out, "  %-30s %s [%s] %s\n", keys, p->key_type_cell->expect,
              p->key_type_cell->basis, p->key_type_cell->source);
    }
  }
}

// recorded_name derives a profile name from the file name |path|
// ("lab-nginx.json" -> "lab-nginx"): lower case, characters outside
// [a-z0-9.-] become '-', "recorded" if nothing is left.
static void recorded_name(const char *path, char *out, size_t out_len) {
  const char *base = strrchr(path, '/');
  base = base != NULL ? base + 1 : path;
  size_t len = strlen(base);
  if (len > 5 && strcmp(base + len - 5, ".json") == 0) {
    len -= 5;
  }
  size_t n = 0;
  for (size_t i = 0; i < len && n + 1 < out_len; i++) {
    char c = (char)tolower((unsigned char)base[i]);
    out[n++] =
        (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ? c : '-';
  }
  out[n] = '\0';
  if (n == 0 || out[0] == '.' || out[0] == '-') {
    snprintf(out, out_len, "recorded");
  }
}

// parse_duration_ms parses a duration of at least 1 ms.
static int parse_duration_ms(const char *s, uint64_t *out) {
  uint64_t ns;
  if (mtk_parse_duration_ns(s, &ns) != 0 || ns < 1000000) {
    return MTK_EPARSE;
  }
  *out = ns / 1000000;
  return 0;
}

static int dup_opt(char **slot, const char *v) {
  free(*slot);
  *slot = strdup(v);
  return *slot != NULL ? 0 : MTK_ENOMEM;
}

// warn_short_timeouts says, before any connection, which targets'
// --timeout is shorter than the time their platform may hold a refusal:
// such a refusal would end as a timeout, NOT-MET, with no other hint.
static void warn_short_timeouts(const struct mtk_probe_config *c) {
  for (size_t i = 0; i < c->num_targets; i++) {
    const struct mtk_probe_target *t = &c->targets[i];
    uint64_t timeout = t->timeout_ms != 0 ? t->timeout_ms : c->timeout_ms;
    if (timeout < t->profile->refusal_delay_ms) {
      mtk_cli_warn(
          "target %s: --timeout %.3g s is shorter than the %.3g s "
          "for which the platform of profile %s may hold a refusal "
          "(s2n-tls blinding): such refusals will end as timeouts",
          t->name, (double)timeout / 1e3,
          (double)t->profile->refusal_delay_ms / 1e3, t->profile->name);
    }
  }
}

// report_errors prints one line per target that could not be probed, or
// whose attempts partly could not be judged.
static void report_errors(const struct mtk_probe_run *r,
                          const struct mtk_probe_config *c) {
  for (size_t i = 0; i < c->num_targets; i++) {
    const struct mtk_probe_target *t = &c->targets[i];
    char error[512];
    if (mtk_probe_target_error(r, t, error, sizeof(error))) {
      mtk_cli_error("target %s: %s", t->name, error);
      continue;
    }
    size_t counts[MTK_PROBE_RESULT_COUNT] = {0};
    mtk_probe_count_results(r, t, counts);
    if (counts[MTK_PROBE_ERROR] > 0) {
      mtk_cli_error(
          "target %s: %zu attempts could not be judged (see ERROR "
          "rows)",
          t->name, counts[MTK_PROBE_ERROR]);
    }
    if (counts[MTK_PROBE_INCOMPLETE] > 0) {
      mtk_cli_error(
          "target %s: %zu attempts incomplete: the %s deadline of "
          "%.0f s came first",
          t->name, counts[MTK_PROBE_INCOMPLETE],
          c->deadline_derived ? "derived" : "--deadline",
          (double)c->deadline_ms / 1e3);
    }
  }
}

// load_connection_logs reads every --connection-log FILE|DIR into |log|.
static int load_connection_logs(struct mtk_probe_connlog *log,
                                const struct mtk_probe_strv *paths,
                                struct mtk_diag *diag) {
  for (size_t i = 0; i < paths->num; i++) {
    int err = mtk_probe_connlog_load(log, paths->v[i], diag);
    if (err != 0) {
      return err;
    }
  }
  return 0;
}

int main(int argc, char **argv) {
  struct mtk_probe_config cfg;
  struct mtk_probe_target cli;  // options for the command-line URLs
  struct mtk_probe_manifest manifest;
  struct mtk_probe_run run = {NULL, 0, 0};
  struct mtk_diag diag;
  const char *profile = NULL;
  const char *config_file = NULL;
  const char *name = NULL;
  int status = MTK_EXIT_INTERNAL;
  int err = 0;
  int opt;
  bool curl_ready = false;
  bool list = false;
  const char *record = NULL;                    // --record-profile FILE
  const char *rejudge = NULL;                   // --rejudge SAVED.json
  struct mtk_probe_strv conn_logs = {NULL, 0};  // --connection-log FILE|DIR
  struct mtk_probe_connlog connlog = {NULL, 0, 0, 0};
  const char *target_opt = NULL;  // a target option seen, for the check
                                  // that it has URLs to apply to

  mtk_cli_init("mtlskit probe");
  mtk_probe_config_init(&cfg);
  mtk_probe_target_init(&cli);
  mtk_probe_manifest_init(&manifest);
  mtk_diag_init(&diag);

  opterr = 0;  // mtk_cli_option_error reports, on one line
  while ((opt = getopt_long(argc, argv, ":hkH:", long_options, NULL)) != -1) {
    switch (opt) {
      case OPT_PROFILE:
      case OPT_NAME:
      case OPT_TRUST:
      case OPT_SERVER_TRUST:
      case OPT_EXPECT:
      case OPT_RESOLVE:
      case OPT_CONNECT_TO:
      case OPT_CACERT:
      case 'k':
      case OPT_SNI:
      case OPT_TLS:
      case OPT_HTTP:
      case OPT_METHOD:
      case 'H':
      case OPT_ALB_HEADERS:
        target_opt = option_name(opt);
        break;
      default:
        break;
    }
    switch (opt) {
      case 'h':
        fputs(usage_text, stdout);
        status = MTK_EXIT_OK;
        goto out;
      case OPT_VERSION: {
        const char *libs[] = {curl_version(), NULL};
        mtk_cli_print_version(stdout, libs);
        status = MTK_EXIT_OK;
        goto out;
      }
      case OPT_LIST_PROFILES:
        list = true;
        break;
      case OPT_FIXTURES:
        err = dup_opt(&cfg.fixtures, optarg);
        break;
      case OPT_PROFILE:
        profile = optarg;
        break;
      case OPT_NAME:
        name = optarg;
        break;
      case OPT_TRUST:
        err = dup_opt(&cli.trust, optarg);
        break;
      case OPT_SERVER_TRUST:
        if (mtk_probe_server_trust_parse(optarg, &cli.server_trust) != 0) {
          status = mtk_cli_usage_error(
              "--server-trust must be root or root+intermediate, not '%s'",
              optarg);
          goto out;
        }
        break;
      case OPT_EXPECT:
        err = mtk_probe_target_add_override(&cli, optarg, &diag);
        if (err == MTK_EPARSE || err == MTK_ERANGE) {
          status = mtk_cli_usage_error("%s", mtk_diag_message(&diag, err));
          goto out;
        }
        break;
      case OPT_RESOLVE:
        err = mtk_probe_strv_push(&cli.resolve, optarg);
        break;
      case OPT_CONNECT_TO:
        err = mtk_probe_strv_push(&cli.connect_to, optarg);
        break;
      case OPT_CACERT:
        err = dup_opt(&cli.cacert, optarg);
        break;
      case 'k':
        cli.insecure = true;
        break;
      case OPT_SNI:
        err = dup_opt(&cli.sni, optarg);
        break;
      case OPT_TLS:
        if (mtk_probe_parse_tls(optarg, &cli.tls) != 0) {
          status =
              mtk_cli_usage_error("--tls must be 1.2 or 1.3, not '%s'", optarg);
          goto out;
        }
        break;
      case OPT_HTTP:
        if (mtk_probe_parse_http(optarg, &cli.http) != 0) {
          status =
              mtk_cli_usage_error("--http must be 1.1 or 2, not '%s'", optarg);
          goto out;
        }
        break;
      case OPT_METHOD:
        err = dup_opt(&cli.method, optarg);
        break;
      case 'H':
        err = mtk_probe_strv_push(&cli.headers, optarg);
        break;
      case OPT_ALB_HEADERS:
        if (mtk_probe_alb_mode_parse(optarg, &cli.alb_headers) != 0) {
          status = mtk_cli_usage_error(
              "--alb-headers must be verify or passthrough, not '%s'", optarg);
          goto out;
        }
        break;
      case OPT_CONFIG:
        config_file = optarg;
        break;
      case OPT_PARALLEL:
        if (mtk_parse_count(optarg, &cfg.parallel) != 0 || cfg.parallel == 0 ||
            cfg.parallel > 10000) {
          status = mtk_cli_usage_error(
              "--parallel must be a count from 1 to 10000, not '%s'", optarg);
          goto out;
        }
        break;
      case OPT_PARALLEL_PER_TARGET:
        if (mtk_parse_count(optarg, &cfg.parallel_per_target) != 0 ||
            cfg.parallel_per_target == 0 || cfg.parallel_per_target > 10000) {
          status = mtk_cli_usage_error(
              "--parallel-per-target must be a count from 1 to 10000, not "
              "'%s'",
              optarg);
          goto out;
        }
        break;
      case OPT_TIMEOUT:
        if (parse_duration_ms(optarg, &cfg.timeout_ms) != 0) {
          status = mtk_cli_usage_error(
              "--timeout wants a duration such as 10s, not '%s'", optarg);
          goto out;
        }
        break;
      case OPT_DEADLINE:
        if (parse_duration_ms(optarg, &cfg.deadline_ms) != 0) {
          status = mtk_cli_usage_error(
              "--deadline wants a duration such as 2m, not '%s'", optarg);
          goto out;
        }
        break;
      case OPT_JSON:
        cfg.json = true;
        break;
      case OPT_RECORD_PROFILE:
        record = optarg;
        break;
      case OPT_CONNECTION_LOG:
        err = mtk_probe_strv_push(&conn_logs, optarg);
        break;
      case OPT_REJUDGE:
        rejudge = optarg;
        break;
      case OPT_JUNIT:
        err = dup_opt(&cfg.junit, optarg);
        break;
      default:
        status = mtk_cli_option_error(opt, argv);
        goto out;
    }
    if (err != 0) {
      status = mtk_cli_fail(err, &diag);
      goto out;
    }
  }

  int num_urls = argc - optind;
  if (rejudge != NULL) {
    if (conn_logs.num == 0 || num_urls > 0 || config_file != NULL) {
      status = mtk_cli_usage_error(
          "--rejudge takes a saved result and --connection-log files, no "
          "targets");
      goto out;
    }
    if ((err = load_connection_logs(&connlog, &conn_logs, &diag)) != 0) {
      status = mtk_cli_fail(err, &diag);
      goto out;
    }
    struct mtk_probe_rejudge_stats stats;
    if ((err = mtk_probe_rejudge(rejudge, &connlog, cfg.json, stdout, &stats,
                                 &diag)) != 0) {
      mtk_cli_error("%s", mtk_diag_message(&diag, err));
      status = err == MTK_EPARSE ? MTK_EXIT_USAGE : MTK_EXIT_RUNTIME;
      goto out;
    }
    mtk_probe_connlog_print_stats(stderr, &connlog, stats.matched, stats.ran);
    status = stats.exit_status;
    goto out;
  }
  if (list) {
    // The installed profiles, and the user's file --profile names.
    if ((err = mtk_probe_profiles_load(&diag)) != 0 ||
        (profile != NULL &&
         (err = mtk_probe_profile_open(profile, &cli.profile, &diag)) != 0)) {
      mtk_cli_error("%s", mtk_diag_message(&diag, err));
      status = err == MTK_ENOMEM ? MTK_EXIT_INTERNAL : MTK_EXIT_USAGE;
      goto out;
    }
    list_profiles(stdout);
    status = MTK_EXIT_OK;
    goto out;
  }
  if (num_urls == 0 && target_opt != NULL) {
    // With only --config, these would silently apply to nothing.
    status = mtk_cli_usage_error(
        "target options such as '--%s' apply to URLs on the command line; "
        "set them per target in the config file",
        target_opt);
    goto out;
  }
  if (record != NULL && profile == NULL) {
    profile = "strict";  // any profile does: the run is recorded, not judged
  }
  if (num_urls > 0 && profile == NULL) {
    status = mtk_cli_usage_error("URL targets need --profile");
    goto out;
  }
  if (profile != NULL &&
      (err = mtk_probe_profile_open(profile, &cli.profile, &diag)) != 0) {
    if (err == MTK_ENOENT && strchr(profile, '/') == NULL) {
      status = mtk_cli_usage_error("%s", mtk_diag_message(&diag, err));
    } else {
      mtk_cli_error("%s", mtk_diag_message(&diag, err));
      status = err == MTK_ENOMEM ? MTK_EXIT_INTERNAL : MTK_EXIT_USAGE;
    }
    goto out;
  }
  if (name != NULL && num_urls != 1) {
    status = mtk_cli_usage_error("--name needs exactly one URL");
    goto out;
  }
  if (config_file != NULL &&
      (err = mtk_probe_config_load_file(&cfg, config_file, &diag)) != 0) {
    mtk_cli_error("%s", mtk_diag_message(&diag, err));
    status = err == MTK_ENOMEM ? MTK_EXIT_INTERNAL : MTK_EXIT_USAGE;
    goto out;
  }
  for (int i = optind; i < argc; i++) {
    struct mtk_probe_target t;
    mtk_probe_target_init(&t);
    const char *url = argv[i];
    if (strncmp(url, "https://", 8) != 0) {
      status = mtk_cli_usage_error("'%s' is not an https:// URL", url);
      goto out;
    }
    // Each URL gets its own copy of the command-line target options.
    t.profile = cli.profile;
    t.insecure = cli.insecure;
    t.tls = cli.tls;
    t.http = cli.http;
    t.alb_headers = cli.alb_headers;
    t.server_trust = cli.server_trust;
    err = 0;
    if ((t.url = strdup(url)) == NULL ||
        (t.name = strdup(name != NULL ? name : url)) == NULL ||
        (cli.trust != NULL && (t.trust = strdup(cli.trust)) == NULL) ||
        (cli.cacert != NULL && (t.cacert = strdup(cli.cacert)) == NULL) ||
        (cli.sni != NULL && (t.sni = strdup(cli.sni)) == NULL) ||
        (cli.method != NULL && (t.method = strdup(cli.method)) == NULL)) {
      err = MTK_ENOMEM;
    }
    for (size_t k = 0; err == 0 && k < cli.resolve.num; k++) {
      err = mtk_probe_strv_push(&t.resolve, cli.resolve.v[k]);
    }
    for (size_t k = 0; err == 0 && k < cli.connect_to.num; k++) {
      err = mtk_probe_strv_push(&t.connect_to, cli.connect_to.v[k]);
    }
    for (size_t k = 0; err == 0 && k < cli.headers.num; k++) {
      err = mtk_probe_strv_push(&t.headers, cli.headers.v[k]);
    }
    for (size_t k = 0; err == 0 && k < cli.num_overrides; k++) {
      char spec[1024];
      snprintf(spec, sizeof(spec), "%s=%s", cli.overrides[k].case_name,
               cli.overrides[k].text);
      err = mtk_probe_target_add_override(&t, spec, &diag);
    }
    if (err == 0) {
      err = mtk_probe_config_add_target(&cfg, &t, &diag);
    }
    mtk_probe_target_cleanup(&t);
    if (err != 0) {
      status = err == MTK_ENOMEM
                   ? mtk_cli_fail(err, &diag)
                   : mtk_cli_usage_error("%s", mtk_diag_message(&diag, err));
      goto out;
    }
  }
  if (cfg.num_targets == 0) {
    status = mtk_cli_usage_error("no target: give URLs or --config FILE");
    goto out;
  }
  for (size_t i = 0; i < cfg.num_targets; i++) {
    struct mtk_probe_target *t = &cfg.targets[i];
    if (t->trust != NULL &&
        strcmp(t->trust, MTK_PROBE_INTERMEDIATE_VARIANT) == 0) {
      // The variant that once selected the one case needing the
      // intermediate is now what the server trusts, with every case.
      mtk_cli_warn(
          "target %s: --trust %s is --server-trust %s now: every "
          "case runs",
          t->name, t->trust, t->trust);
      free(t->trust);
      t->trust = NULL;
      t->server_trust = MTK_PROBE_SERVER_TRUST_ROOT_INTERMEDIATE;
    }
    if ((err = mtk_probe_target_validate(&cfg.targets[i], &diag)) != 0) {
      status = err == MTK_ENOMEM
                   ? mtk_cli_fail(err, &diag)
                   : mtk_cli_usage_error("%s", mtk_diag_message(&diag, err));
      goto out;
    }
  }
  if (cfg.fixtures == NULL) {
    status = mtk_cli_usage_error("--fixtures DIR is required");
    goto out;
  }
  if (record != NULL && cfg.num_targets != 1) {
    status = mtk_cli_usage_error("--record-profile needs exactly one target");
    goto out;
  }
  if ((err = mtk_probe_manifest_load(cfg.fixtures, &manifest, &diag)) != 0) {
    mtk_cli_error("%s", mtk_diag_message(&diag, err));
    status = err == MTK_ENOMEM ? MTK_EXIT_INTERNAL : MTK_EXIT_USAGE;
    goto out;
  }
  if ((err = mtk_probe_plan(&cfg, &manifest, &run, &diag)) != 0) {
    mtk_cli_error("%s", mtk_diag_message(&diag, err));
    status = mtk_exit_status(err);
    goto out;
  }
  if (cfg.deadline_ms == 0) {
    cfg.deadline_ms = mtk_probe_work_deadline_ms(&run, &cfg);
    cfg.deadline_derived = true;
  }
  warn_short_timeouts(&cfg);

  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    mtk_cli_error("libcurl failed to initialise");
    status = MTK_EXIT_INTERNAL;
    goto out;
  }
  curl_ready = true;
  int64_t elapsed_us = 0;
  if ((err = mtk_probe_engine_run(&run, &cfg, &elapsed_us, &diag)) != 0) {
    status = mtk_cli_fail(err, &diag);
    goto out;
  }
  if (conn_logs.num > 0) {
    // A server logs a connection as it ends, just after the client let go.
    struct timespec settle = {1, 0};
    nanosleep(&settle, NULL);
    if ((err = load_connection_logs(&connlog, &conn_logs, &diag)) != 0) {
      status = mtk_cli_fail(err, &diag);
      goto out;
    }
    size_t ran = 0;
    for (size_t i = 0; i < run.num_attempts; i++) {
      ran += run.attempts[i].run;
    }
    mtk_probe_connlog_print_stats(stderr, &connlog,
                                  mtk_probe_connlog_apply(&connlog, &run), ran);
  }
  mtk_probe_judge(&run);
  status = mtk_probe_exit_status(&run, &cfg);
  if (cfg.json) {
    if ((err = mtk_probe_report_json(stdout, &run, &cfg, &manifest,
                                     elapsed_us)) != 0) {
      status = mtk_cli_fail(err, NULL);
      goto out;
    }
  } else {
    mtk_probe_report_table(stdout, &run, &cfg, elapsed_us);
  }
  if (cfg.junit != NULL &&
      (err = mtk_probe_report_junit(cfg.junit, &run, &diag)) != 0) {
    status = mtk_cli_fail(err, &diag);
    goto out;
  }
  report_errors(&run, &cfg);
  if (record != NULL) {
    char rname[64];
    recorded_name(record, rname, sizeof(rname));
    if ((err = mtk_probe_record_profile(record, rname, &run,
                                        (int64_t)time(NULL), &diag)) != 0) {
      status = mtk_cli_fail(err, &diag);
      goto out;
    }
    fprintf(stderr, "mtlskit probe: recorded profile %s in %s\n", rname,
            record);
    status = MTK_EXIT_OK;
  }
  if (fflush(stdout) != 0) {
    status = mtk_cli_fail(MTK_EIO, NULL);
  }
out:
  mtk_probe_run_cleanup(&run);
  mtk_probe_manifest_cleanup(&manifest);
  mtk_probe_target_cleanup(&cli);
  mtk_probe_config_cleanup(&cfg);
  mtk_probe_profiles_cleanup();
  mtk_probe_strv_cleanup(&conn_logs);
  mtk_probe_connlog_cleanup(&connlog);
  if (curl_ready) {
    curl_global_cleanup();
  }
  return status;
}
