#include "demo.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "exec.h"
#include "mtlskit/cli.h"
#include "mtlskit/file.h"
#include "mtlskit/units.h"

#define MAX_ARGS 24

// step_to runs one subcommand, echoing it as a shell line first, with its
// standard output in |out_path| (NULL: left as it is).
static int step_to(const char *name, const char **args, const char *out_path) {
  printf("\n$ mtlskit %s", name);
  for (const char **a = args + 1; *a != NULL; a++) {
    printf(" %s", *a);
  }
  if (out_path != NULL) {
    printf(" > %s", out_path);
  }
  printf("\n");
  return exec_run_to(name, args, out_path);
}

// step runs one subcommand, echoing it as a shell line first.
static int step(const char *name, const char **args) {
  return step_to(name, args, NULL);
}

static int ca_walkthrough(const char *dir) {
  char ca[PATH_MAX], p12[PATH_MAX], bundle[PATH_MAX];
  snprintf(ca, sizeof(ca), "%s/webservicename-ca", dir);
  snprintf(p12, sizeof(p12), "%s/internal.user.pfx", dir);
  snprintf(bundle, sizeof(bundle), "%s/truststore.pem", dir);
  // The .pfx password comes from the environment, as it would in a script.
  if (setenv("MTLSKIT_DEMO_PASSWORD", "demo-password", 1) != 0) {
    return MTK_EXIT_RUNTIME;
  }
  const char *steps[][MAX_ARGS] = {
      {"", "init", ca, "--subject",
       "/C=JP/ST=Osaka/L=Osaka/O=webservicename/CN=webservicename Root CA",
       "--key-type", "p256", NULL},
      {"", "issue", ca, "client-internal", "--subject",
       "/C=JP/ST=Osaka/L=Osaka/O=webservicename/OU=Internal Client/"
       "CN=internal.user",
       "--days", "3650", "--p12", p12, "--p12-password",
       "env:MTLSKIT_DEMO_PASSWORD", NULL},
      {"", "issue", ca, "client-external", "--subject",
       "/C=JP/ST=Osaka/L=Osaka/O=webservicename/OU=External Client/"
       "CN=external.user",
       "--days", "185", NULL},
      {"", "revoke", ca, "client-external", "--reason", "keyCompromise", NULL},
      {"", "crl", ca, NULL},
      {"", "issue", ca, "client-external-v2", "--subject",
       "/C=JP/ST=Osaka/L=Osaka/O=webservicename/OU=External Client/"
       "CN=external.user",
       "--days", "185", NULL},
      {"", "export", ca, "--truststore", bundle, NULL},
      {"", "list", ca, NULL},
  };
  printf("== 1. A private CA for client certificates (%s)\n", ca);
  for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
    int status = step("ca", steps[i]);
    if (status != 0) {
      mtk_cli_error("demo: 'mtlskit ca %s' failed; files are in %s",
                    steps[i][1], dir);
      return status;
    }
  }
  return MTK_EXIT_OK;
}

// wait_port reads the port mtlskit serve writes to |path| once listening.
static int wait_port(const char *path, char *out, size_t out_len) {
  for (int i = 0; i < 500; i++) {
    char *text = NULL;
    size_t len = 0;
    if (mtk_file_read(path, 64, &text, &len, NULL) == 0 && len > 1) {
      uint64_t port = 0;
      text[strcspn(text, "\n")] = '\0';
      int err = mtk_parse_uint(text, 65535, &port);
      free(text);
      if (err == 0 && port > 0) {
        snprintf(out, out_len, "%llu", (unsigned long long)port);
        return 0;
      }
    }
    struct timespec ts = {0, 20 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
  return MTK_ETIMEDOUT;
}

// measure_and_report keeps the probe's results as JSON, measures the
// handshake of a valid identity against the same endpoint for two seconds,
// and writes both into one HTML report.
static int measure_and_report(const char *dir, const char *fx,
                              const char *url) {
  char trust[PATH_MAX], cert[PATH_MAX], key[PATH_MAX], probe_json[PATH_MAX],
      load_json[PATH_MAX], hlog[PATH_MAX], html[PATH_MAX];
  snprintf(trust, sizeof(trust), "%s/trust/root.pem", fx);
  snprintf(cert, sizeof(cert), "%s/cases/ok-root-leaf/cert.pem", fx);
  snprintf(key, sizeof(key), "%s/cases/ok-root-leaf/key.pem", fx);
  snprintf(probe_json, sizeof(probe_json), "%s/probe.json", dir);
  snprintf(load_json, sizeof(load_json), "%s/load.json", dir);
  snprintf(hlog, sizeof(hlog), "%s/load.hlog", dir);
  snprintf(html, sizeof(html), "%s/report.html", dir);
  printf(
      "\n== 3. What does the handshake cost, and the report\n"
      "The probe's results kept as JSON, two seconds of new mTLS connections "
      "at\n50 per second with a valid identity, and one HTML page with "
      "both.\n");
  const char *probe[] = {"",           "--fixtures", fx,          "--profile",
                         "alb-verify", "--name",     "local-alb", "--cacert",
                         trust,        "--json",     url,         NULL};
  int status = step_to("probe", probe, probe_json);
  if (status != MTK_EXIT_OK) return status;
  const char *load[] = {"",
                        "--cert",
                        cert,
                        "--key",
                        key,
                        "--cacert",
                        trust,
                        "--rate",
                        "50",
                        "--duration",
                        "2s",
                        "--interval",
                        "250ms",
                        "--hdr-log",
                        hlog,
                        "--slo",
                        "handshake.p99<=5s,errors<=10%",
                        "--quiet",
                        "--json",
                        url,
                        NULL};
  if ((status = step_to("loadgen", load, load_json)) != MTK_EXIT_OK) {
    return status;
  }
  const char *report[] = {"",   "html", probe_json, load_json,      hlog,
                          "-o", html,   "--title",  "mtlskit demo", NULL};
  if ((status = step("report", report)) != MTK_EXIT_OK) return status;
  printf("\nThe report: %s (open it in a browser)\n", html);
  return MTK_EXIT_OK;
}

static int conformance_check(const char *dir) {
  // |dir| is a short mkdtemp path, so these cannot overflow.
  char fx[512], cert[PATH_MAX], key[PATH_MAX], trust[PATH_MAX], crl[PATH_MAX],
      port_file[PATH_MAX];
  snprintf(fx, sizeof(fx), "%s/fixtures", dir);
  snprintf(cert, sizeof(cert), "%s/server/server.cert.pem", fx);
  snprintf(key, sizeof(key), "%s/server/server.key.pem", fx);
  snprintf(trust, sizeof(trust), "%s/trust/root.pem", fx);
  snprintf(crl, sizeof(crl), "%s/crl/default.pem", fx);
  snprintf(port_file, sizeof(port_file), "%s/serve.port", dir);
  printf(
      "\n== 2. Does an mTLS endpoint let in exactly the right clients?\n"
      "Good and deliberately broken client identities, a local endpoint "
      "that\nbehaves like AWS ALB in verify mode, and the probe checking "
      "each identity\nagainst what ALB is documented to do.\n");
  const char *fixtures[] = {"", fx, NULL};
  int status = step("fixtures", fixtures);
  if (status != 0) {
    return status;
  }
  const char *serve[] = {"",
                         "--profile",
                         "alb-verify",
                         "--cert",
                         cert,
                         "--key",
                         key,
                         "--truststore",
                         trust,
                         "--crl",
                         crl,
                         "--listen",
                         "127.0.0.1:0",
                         "--ready-file",
                         port_file,
                         "--duration",
                         "5m",
                         "--quiet",
                         NULL};
  printf(
      "\n$ mtlskit serve --profile alb-verify --truststore %s --crl %s "
      "... &\n",
      trust, crl);
  pid_t pid;
  if (exec_spawn("serve", serve, &pid) != 0) {
    return MTK_EXIT_RUNTIME;
  }
  char port[24];
  if (wait_port(port_file, port, sizeof(port)) != 0) {
    exec_reap(pid);
    mtk_cli_error("demo: the local endpoint did not start");
    return MTK_EXIT_RUNTIME;
  }
  char url[64];
  snprintf(url, sizeof(url), "https://127.0.0.1:%s/", port);
  const char *probe[] = {"",           "--fixtures", fx,          "--profile",
                         "alb-verify", "--name",     "local-alb", "--cacert",
                         trust,        url,          NULL};
  status = step("probe", probe);
  if (status == MTK_EXIT_OK) {
    status = measure_and_report(dir, fx, url);
  }
  exec_reap(pid);
  return status;
}

void demo_usage(FILE *out) {
  fputs(
      "usage: mtlskit demo [--help]\n"
      "\n"
      "Show what mtlskit is for, in a new temporary directory\n"
      "($TMPDIR/mtlskit-demo.XXXXXX, /tmp without TMPDIR; kept afterwards),\n"
      "printing each step as the command that runs it:\n"
      "  1. a private CA kept the way the openssl ca recipe keeps one: init,\n"
      "     an internal and an external client certificate (with a .pfx),\n"
      "     revoke, CRL, re-issue, the trust-store bundle, the list;\n"
      "  2. a conformance check: a fixture set of good and broken client\n"
      "     identities, a local endpoint on 127.0.0.1 that behaves like AWS "
      "ALB\n"
      "     in verify mode (mtlskit serve), and mtlskit probe checking every\n"
      "     identity against what ALB documents;\n"
      "  3. two seconds of load against the same endpoint (mtlskit loadgen)\n"
      "     and an HTML report of the probe and the load\n"
      "     (mtlskit report html), whose path it prints.\n"
      "It needs no network and nothing but mtlskit itself.\n"
      "\n"
      "  -h, --help   this text\n"
      "\n"
      "Exit status: 0 every step succeeded and every probe case met its\n"
      "expectation; else the status of the step that failed (1 a probe case\n"
      "not met, 3 a runtime error).\n",
      out);
}

int demo_main(int argc, char **argv) {
  if (argc == 2 &&
      (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
    demo_usage(stdout);
    return MTK_EXIT_OK;
  }
  if (argc > 1) {
    mtk_cli_init("mtlskit demo");
    return mtk_cli_usage_error(
        argv[1][0] == '-' ? "unknown option '%s'" : "unexpected argument '%s'",
        argv[1]);
  }
  return demo_run();
}

int demo_run(void) {
  // Short enough that every path the demo makes under it fits its buffers.
  char dir[256];
  const char *tmp = getenv("TMPDIR");
  if (tmp == NULL || tmp[0] == '\0') {
    tmp = "/tmp";
  }
  int n = snprintf(dir, sizeof(dir), "%s/mtlskit-demo.XXXXXX", tmp);
  if (n < 0 || (size_t)n >= sizeof(dir)) {
    mtk_cli_error("TMPDIR is longer than %zu bytes", sizeof(dir) - 21);
    return MTK_EXIT_RUNTIME;
  }
  if (mkdtemp(dir) == NULL) {
    mtk_cli_error("cannot create a temporary directory: %s",
                  mtk_strerror(mtk_errno_get()));
    return MTK_EXIT_RUNTIME;
  }
  int status = ca_walkthrough(dir);
  if (status == MTK_EXIT_OK) {
    status = conformance_check(dir);
  }
  printf("\nEverything the demo made is in %s\n", dir);
  return status;
}
