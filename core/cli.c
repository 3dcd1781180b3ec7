#include "mtlskit/cli.h"

#include <getopt.h>
#include <stdarg.h>
#include <string.h>

#include "mtlskit/version.h"

static const char *cli_name = "mtlskit";
static bool cli_quiet;

void mtk_cli_init(const char *name) { cli_name = name; }

const char *mtk_cli_name(void) { return cli_name; }

void mtk_cli_set_quiet(bool quiet) { cli_quiet = quiet; }

static void vprint(const char *level, const char *fmt, va_list ap) {
  fputs(cli_name, stderr);
  fputs(": ", stderr);
  if (level != NULL) {
    fputs(level, stderr);
    fputs(": ", stderr);
  }
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
}

void mtk_cli_error(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vprint("error", fmt, ap);
  va_end(ap);
}

void mtk_cli_warn(const char *fmt, ...) {
  if (cli_quiet) {
    return;
  }
  va_list ap;
  va_start(ap, fmt);
  vprint("warning", fmt, ap);
  va_end(ap);
}

void mtk_cli_note(const char *fmt, ...) {
  if (cli_quiet) {
    return;
  }
  va_list ap;
  va_start(ap, fmt);
  vprint(NULL, fmt, ap);
  va_end(ap);
}

int mtk_cli_fail(int err, const struct mtk_diag *diag) {
  mtk_cli_error("%s", mtk_diag_message(diag, err));
  return mtk_exit_status(err);
}

int mtk_cli_fail_input(int err, const struct mtk_diag *diag) {
  mtk_cli_error("%s", mtk_diag_message(diag, err));
  return err == MTK_ENOMEM ? MTK_EXIT_INTERNAL : MTK_EXIT_RUNTIME;
}

int mtk_cli_usage_error(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vprint("error", fmt, ap);
  va_end(ap);
  fprintf(stderr, "try '%s --help'\n", cli_name);
  return MTK_EXIT_USAGE;
}

int mtk_cli_option_error(int opt, char *const *argv) {
  // getopt_long leaves optind past the refused argument (for a short one,
  // past its cluster: "-kZ"), and optopt holds the refused short option,
  // or the value of a long one given a value it takes none of.
  const char *arg = optind > 0 ? argv[optind - 1] : NULL;
  bool is_long = arg != NULL && strncmp(arg, "--", 2) == 0;
  int len = is_long ? (int)strcspn(arg, "=") : 0;
  if (opt == ':') {
    return is_long
               ? mtk_cli_usage_error("option '%.*s' needs a value", len, arg)
               : mtk_cli_usage_error("option '-%c' needs a value", optopt);
  }
  if (!is_long) {
    return mtk_cli_usage_error("unknown option '-%c'", optopt);
  }
  if (optopt != 0 && arg[len] == '=') {
    return mtk_cli_usage_error("option '%.*s' takes no value", len, arg);
  }
  return mtk_cli_usage_error("unknown option '%.*s'", len, arg);
}

void mtk_cli_print_version(FILE *out, const char *const *libs) {
  fprintf(out, "%s %s\n", cli_name, MTK_VERSION_STRING);
  for (; libs != NULL && *libs != NULL; libs++) {
    fprintf(out, "  %s\n", *libs);
  }
}
