// mtlskit report: work on the results of other mtlskit commands. A table
// maps each subcommand to its entry point, so adding one is one line here
// and one file.
#include <stdio.h>
#include <string.h>

#include "mtlskit/cli.h"
#include "report.h"

struct report_cmd {
  const char *name;
  const char *summary;
  int (*run)(int argc, char **argv);
  void (*usage)(FILE *f);
};

static const struct report_cmd commands[] = {
    {"merge", "combine HdrHistogram logs of many workers exactly",
     report_merge_main, report_merge_usage},
    {"html", "one self-contained HTML page with charts", report_html_main,
     report_html_usage},
    {"md", "results as GitHub-flavoured Markdown", report_md_main,
     report_md_usage},
    {"diff", "compare two runs; exit 1 on a regression", report_diff_main,
     report_diff_usage},
};

static void usage(FILE *f) {
  fprintf(f, "usage: mtlskit report COMMAND [ARGS]\n\ncommands:\n");
  for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
    fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
  }
  fprintf(f,
          "\nRun 'mtlskit report COMMAND --help' for a command's options.\n"
          "Exit status: 0 success, 1 checks failed, 2 usage error, 3 runtime "
          "error, 4 internal error.\n");
}

int main(int argc, char **argv) {
  mtk_cli_init("mtlskit report");
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
  for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
    if (strcmp(argv[1], commands[i].name) == 0) {
      return commands[i].run(argc - 1, argv + 1);
    }
  }
  return mtk_cli_usage_error("'%s' is not a report command", argv[1]);
}
