// Command-line plumbing shared by every mtlskit executable.
//
// Executables print diagnostics through this module only: one line each on
// stderr, prefixed with the command name ("mtlskit ca: error: ..."). Data
// goes to stdout. Libraries never call these functions.
#ifndef MTK_HEADER_CLI_H
#define MTK_HEADER_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "mtlskit/diag.h"
#include "mtlskit/error.h"

#ifdef __cplusplus
extern "C" {
#endif

// mtk_cli_init records |name| ("mtlskit ca") as the prefix of every
// diagnostic. |name| is borrowed and must outlive the process's use of it.
void mtk_cli_init(const char *name);

// mtk_cli_name returns the name given to mtk_cli_init, or "mtlskit".
const char *mtk_cli_name(void);

// mtk_cli_set_quiet suppresses warnings and notes (errors still print).
void mtk_cli_set_quiet(bool quiet);

// mtk_cli_error prints "NAME: error: MESSAGE" on stderr.
void mtk_cli_error(const char *fmt, ...) MTK_PRINTF(1, 2);

// mtk_cli_warn prints "NAME: warning: MESSAGE" on stderr unless quiet.
void mtk_cli_warn(const char *fmt, ...) MTK_PRINTF(1, 2);

// mtk_cli_note prints "NAME: MESSAGE" on stderr unless quiet.
void mtk_cli_note(const char *fmt, ...) MTK_PRINTF(1, 2);

// mtk_cli_fail prints the error line for |err| (the detail in |diag| when it
// has one, else mtk_strerror) and returns mtk_exit_status(|err|), so a main
// can end with `return mtk_cli_fail(err, &diag);`. |diag| may be NULL.
int mtk_cli_fail(int err, const struct mtk_diag *diag);

// mtk_cli_fail_input prints the error line for |err| like mtk_cli_fail,
// for commands whose input files are what they check (verify, lint): an
// unreadable or malformed file is then a runtime error, so it returns
// MTK_EXIT_INTERNAL for MTK_ENOMEM and MTK_EXIT_RUNTIME otherwise.
int mtk_cli_fail_input(int err, const struct mtk_diag *diag);

// mtk_cli_usage_error prints "NAME: error: MESSAGE" followed by
// "try 'NAME --help'" and returns MTK_EXIT_USAGE.
int mtk_cli_usage_error(const char *fmt, ...) MTK_PRINTF(1, 2);

// mtk_cli_option_error prints the usage error for the option getopt_long
// just refused, naming it from |argv|: |opt| is what getopt_long returned,
// ':' for a missing value ("option '--now' needs a value"), '?' for an
// unknown option ("unknown option '-Z'") or a value given to an option
// that takes none. It returns MTK_EXIT_USAGE. Callers set `opterr = 0` and
// start their short-option string with ':' so that getopt_long tells the
// two apart and prints nothing itself.
int mtk_cli_option_error(int opt, char *const *argv);

// mtk_cli_print_version prints "NAME VERSION" and the versions of the
// libraries this executable links, one per line, on |out|. |libs| is a
// NULL-terminated list of "name version" strings and may be NULL.
void mtk_cli_print_version(FILE *out, const char *const *libs);

#ifdef __cplusplus
}
#endif

#endif  // MTK_HEADER_CLI_H
