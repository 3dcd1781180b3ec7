// mtlskit: the front-end. Like git, it runs each subcommand's own
// executable (mtlskit-ca, mtlskit-probe, ...), which keeps BoringSSL and
// libcurl's OpenSSL in separate processes: their symbols collide.
//
// Subcommand executables are looked up in $MTLSKIT_EXEC_PATH, then beside
// this executable (the build tree), then in ../libexec/mtlskit relative to
// it (an installed tree).
#include <stdio.h>
#include <string.h>

#include "demo.h"
#include "exec.h"
#include "mtlskit/cli.h"

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
    {"demo", "show a CA and a conformance check in a temporary directory"},
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
    if (strcmp(argv[2], "demo") == 0) {
      demo_usage(stdout);
      return MTK_EXIT_OK;
    }
    return exec_replace(argv[2], help_argv);
  }
  if (argv[1][0] == '-') {
    return mtk_cli_usage_error("unknown option '%s'", argv[1]);
  }
  if (find_subcommand(argv[1]) == NULL) {
    return mtk_cli_usage_error("'%s' is not an mtlskit command", argv[1]);
  }
  if (strcmp(argv[1], "demo") == 0) {
    return demo_main(argc - 1, argv + 1);
  }
  return exec_replace(argv[1], (const char **)(argv + 1));
}
