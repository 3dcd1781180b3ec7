// mtlskit: the front-end. Like git, it runs each subcommand's own
// executable (mtlskit-ca, mtlskit-probe, ...), which keeps BoringSSL and
// libcurl's OpenSSL in separate processes: their symbols collide.
//
// Subcommand executables are looked up in $MTLSKIT_EXEC_PATH, then beside
// this executable (the build tree), then in ../libexec/mtlskit relative to
// it (an installed tree).
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mtlskit/cli.h"
#include "mtlskit/file.h"

struct subcommand {
  const char *name;
  const char *summary;
};

static const struct subcommand subcommands[] = {
    {"ca", "operate a private CA (openssl ca compatible directory)"},
    {"fixtures", "build a fixture PKI of good and broken client identities"},
    {"verify", "predict what a verifying endpoint does with a certificate"},
    {"lint", "check a trust-store bundle and CRLs before upload"},
    {"probe", "check an mTLS endpoint with every fixture"},
    {"serve", "run a local endpoint that behaves like a cloud platform"},
    {"loadgen", "measure mTLS handshake latency at a fixed rate"},
    {"report", "merge and render results (HdrHistogram logs, reports)"},
    {"demo", "create, use and show a CA in a temporary directory"},
};

static void usage(FILE *out) {
  fprintf(out,
          "usage: mtlskit [--help] [--version] COMMAND [ARGS...]\n"
          "\n"
          "Verify and load-test mutual-TLS endpoints.\n"
          "\n"
          "Commands:\n");
  for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++) {
    fprintf(out, "  %-10s %s\n", subcommands[i].name, subcommands[i].summary);
  }
  fprintf(out,
          "\n"
          "'mtlskit COMMAND --help' describes a command.\n"
          "Exit status: 0 ok, 1 checks failed, 2 usage, 3 runtime error, "
          "4 internal error.\n");
}

static const struct subcommand *find_subcommand(const char *name) {
  for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++) {
    if (strcmp(subcommands[i].name, name) == 0) {
      return &subcommands[i];
    }
  }
  return NULL;
}

// self_dir writes the directory holding this executable into |out|.
static int self_dir(char *out, size_t out_len) {
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  if (n <= 0) {
    return MTK_EIO;
  }
  exe[n] = '\0';
  char *slash = strrchr(exe, '/');
  if (slash == NULL) {
    return MTK_EIO;
  }
  *slash = '\0';
  if ((size_t)snprintf(out, out_len, "%s", exe) >= out_len) {
    return MTK_ERANGE;
  }
  return 0;
}

// find_executable writes the path of mtlskit-|name| into |out|.
static int find_executable(const char *name, char *out, size_t out_len) {
  char file[128];
  snprintf(file, sizeof(file), "mtlskit-%s", name);
  char dirs[3][PATH_MAX];
  size_t num_dirs = 0;
  const char *env = getenv("MTLSKIT_EXEC_PATH");
  if (env != NULL && env[0] != '\0') {
    snprintf(dirs[num_dirs++], PATH_MAX, "%s", env);
  }
  char self[PATH_MAX];
  if (self_dir(self, sizeof(self)) == 0) {
    snprintf(dirs[num_dirs++], PATH_MAX, "%s", self);
    snprintf(dirs[num_dirs++], PATH_MAX, "%.*s/../libexec/mtlskit",
             PATH_MAX - 32, self);
  }
  for (size_t i = 0; i < num_dirs; i++) {
    if (mtk_path_join(out, out_len, dirs[i], file) == 0 &&
        access(out, X_OK) == 0) {
      return 0;
    }
  }
  return MTK_ENOENT;
}

// run waits for mtlskit-|name| with |argv| (argv[0] is replaced) and
// returns its exit status.
static int run(const char *name, const char **argv) {
  char path[PATH_MAX];
  if (find_executable(name, path, sizeof(path)) != 0) {
    mtk_cli_error("mtlskit-%s is not installed", name);
    return MTK_EXIT_RUNTIME;
  }
  pid_t pid = fork();
  if (pid < 0) {
    mtk_cli_error("cannot start mtlskit-%s: %s", name,
                  mtk_strerror(mtk_errno_get()));
    return MTK_EXIT_RUNTIME;
  }
  if (pid == 0) {
    argv[0] = path;
    // execv's prototype predates const; it does not modify the strings.
    execv(path, (char *const *)argv);
    _exit(127);
  }
  int status;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      return MTK_EXIT_RUNTIME;
    }
  }
  if (WIFEXITED(status)) {
    return WEXITSTATUS(status);
  }
  mtk_cli_error("mtlskit-%s died with signal %d", name, WTERMSIG(status));
  return MTK_EXIT_INTERNAL;
}

// demo_step runs one subcommand for the demo, echoing it first.
static int demo_step(const char *name, const char **args) {
  printf("\n$ mtlskit %s", name);
  for (const char **a = args + 1; *a != NULL; a++) {
    printf(" %s", *a);
  }
  printf("\n");
  fflush(stdout);
  return run(name, args);
}

// run_demo shows the main job on a built-in default: a CA created, used and
// shown in a temporary directory.
static int run_demo(void) {
  char dir[] = "/tmp/mtlskit-demo.XXXXXX";
  if (mkdtemp(dir) == NULL) {
    mtk_cli_error("cannot create a temporary directory: %s",
                  mtk_strerror(mtk_errno_get()));
    return MTK_EXIT_RUNTIME;
  }
  char ca[PATH_MAX];
  char p12[PATH_MAX];
  char bundle[PATH_MAX];
  snprintf(ca, sizeof(ca), "%s/webservicename-ca", dir);
  snprintf(p12, sizeof(p12), "%s/internal.user.pfx", dir);
  snprintf(bundle, sizeof(bundle), "%s/truststore.pem", dir);
  if (setenv("MTLSKIT_DEMO_PASSWORD", "demo-password", 1) != 0) {
    return MTK_EXIT_RUNTIME;
  }
  const char *steps[][16] = {
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
  printf("mtlskit demo: a private CA for client certificates in %s\n", dir);
  for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
    int status = demo_step("ca", steps[i]);
    if (status != 0) {
      mtk_cli_error("demo step %zu failed; files are in %s", i + 1, dir);
      return status;
    }
  }
  printf("\nThe CA, the .pfx and the trust-store bundle are in %s\n", dir);
  return MTK_EXIT_OK;
}

int main(int argc, char **argv) {
  mtk_cli_init("mtlskit");
  if (argc < 2) {
    usage(stderr);
    return MTK_EXIT_USAGE;
  }
  if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
    usage(stdout);
    return MTK_EXIT_OK;
  }
  if (strcmp(argv[1], "--version") == 0) {
    mtk_cli_print_version(stdout, NULL);
    return MTK_EXIT_OK;
  }
  if (strcmp(argv[1], "help") == 0 && argc >= 3) {
    const char *help_argv[] = {argv[2], "--help", NULL};
    if (find_subcommand(argv[2]) == NULL) {
      return mtk_cli_usage_error("'%s' is not an mtlskit command", argv[2]);
    }
    return run(argv[2], help_argv);
  }
  if (argv[1][0] == '-') {
    return mtk_cli_usage_error("unknown option '%s'", argv[1]);
  }
  if (find_subcommand(argv[1]) == NULL) {
    return mtk_cli_usage_error("'%s' is not an mtlskit command", argv[1]);
  }
  if (strcmp(argv[1], "demo") == 0) {
    return run_demo();
  }
  return run(argv[1], (const char **)(argv + 1));
}
