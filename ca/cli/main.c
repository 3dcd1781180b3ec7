// mtlskit-ca: `mtlskit ca`, a private CA compatible with `openssl ca`.
//
// main finds the subcommand in a static table, parses its options into a
// struct cli_opts and checks its arguments; the subcommand (cmd_*.c)
// validates the options into its own config (subjects, SANs, times, key
// types) and only then locks the CA directory and works, so bad input never
// touches the disk.
#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

#include "cli_batch.h"
#include "cli_commands.h"
#include "mtlskit/cli.h"

static const char usage_main[] =
    "usage: mtlskit ca COMMAND [OPTIONS]\n"
    "\n"
    "Operate a private CA in a directory `openssl ca -config DIR/openssl.cnf`\n"
    "also understands (index.txt, serial, crlnumber, certs/ crl/ newcerts/\n"
    "private/ csr/).\n"
    "\n"
    "Commands:\n"
    "  init DIR          create a root CA (and --intermediate)\n"
    "  issue DIR NAME    issue a key and certificate (or --batch FILE)\n"
    "  sign DIR --csr F  sign a certificate request\n"
    "  revoke DIR NAME   revoke by name (or --serial HEX)\n"
    "  crl DIR           write a new CRL\n"
    "  list DIR          show the database (--json)\n"
    "  check DIR         compare the index with the files (--repair)\n"
    "  export DIR        --truststore FILE, or NAME --p12 FILE\n"
    "  show DIR NAME     one certificate, its state and chain (--json)\n"
    "  expiring DIR      what expires --within 30d (exit 1 if any)\n"
    "  renew DIR NAME    the same identity again as NAME-v2\n"
    "\n"
    "'mtlskit ca COMMAND --help' describes a command; docs/ca.md has it all.\n"
    "Exit status: 0 ok, 2 usage or bad input (options, batch files, CSRs,\n"
    "passwords), 3 runtime error (a missing or damaged CA directory, "
    "whichever\n"
    "file is damaged; wrong passphrase; unwritable path), 4 internal.\n";

// A subcommand: the options it accepts besides --help, and its
// positional arguments (args_error NULL: DIR alone).
struct command {
  const char *name;
  const char *usage;
  uint64_t options;
  const char *(*args_error)(const struct cli_opts *o);
  int (*run)(const struct cli_opts *o, struct mtk_diag *diag);
};

static const struct command commands[] = {
    {"init", cmd_init_usage,
     OPT_BIT(OPT_SUBJECT) | OPT_BIT(OPT_DAYS) | OPT_BIT(OPT_KEY_TYPE) |
         OPT_BIT(OPT_INTERMEDIATE) | OPT_BIT(OPT_INTERMEDIATE_SUBJECT) |
         OPT_BIT(OPT_KEY_PASSWORD) | OPT_BIT(OPT_DIGEST) |
         OPT_BIT(OPT_ALLOW_EMPTY_PASSWORD) | OPT_BIT(OPT_QUIET),
     NULL, cmd_init_run},
    {"issue", cmd_issue_usage,
     ISSUE_ITEM_OPTS | OPT_BIT(OPT_BATCH) | OPT_BIT(OPT_P12_PASSWORD) |
         OPT_BIT(OPT_CA_PASSWORD) | OPT_BIT(OPT_ALLOW_EMPTY_PASSWORD) |
         OPT_BIT(OPT_QUIET),
     cmd_issue_args_error, cmd_issue_run},
    {"sign", cmd_sign_usage,
     OPT_BIT(OPT_CSR) | OPT_BIT(OPT_SUBJECT) | OPT_BIT(OPT_SAN) |
         OPT_BIT(OPT_PROFILE) | OPT_BIT(OPT_DAYS) | OPT_BIT(OPT_NOT_BEFORE) |
         OPT_BIT(OPT_NOT_AFTER) | OPT_BIT(OPT_DIGEST) | OPT_BIT(OPT_OUTPUT) |
         OPT_BIT(OPT_CA_PASSWORD) | OPT_BIT(OPT_DROP_UNKNOWN_CRITICAL) |
         OPT_BIT(OPT_QUIET),
     cmd_sign_args_error, cmd_sign_run},
    {"revoke", cmd_revoke_usage,
     OPT_BIT(OPT_SERIAL) | OPT_BIT(OPT_REASON) | OPT_BIT(OPT_QUIET),
     cmd_revoke_args_error, cmd_revoke_run},
    {"crl", cmd_crl_usage,
     OPT_BIT(OPT_DAYS) | OPT_BIT(OPT_OUTPUT) | OPT_BIT(OPT_CA_PASSWORD) |
         OPT_BIT(OPT_QUIET),
     NULL, cmd_crl_run},
    {"list", cmd_list_usage, OPT_BIT(OPT_JSON), NULL, cmd_list_run},
    {"check", cmd_check_usage, OPT_BIT(OPT_REPAIR), NULL, cmd_check_run},
    {"export", cmd_export_usage,
     OPT_BIT(OPT_TRUSTSTORE) | OPT_BIT(OPT_P12) | OPT_BIT(OPT_P12_PASSWORD) |
         OPT_BIT(OPT_P12_PROFILE) | OPT_BIT(OPT_ALLOW_EMPTY_PASSWORD) |
         OPT_BIT(OPT_ALLOW_REVOKED) | OPT_BIT(OPT_QUIET),
     cmd_export_args_error, cmd_export_run},
    {"show", cmd_show_usage, OPT_BIT(OPT_SERIAL) | OPT_BIT(OPT_JSON),
     cmd_show_args_error, cmd_show_run},
    {"expiring", cmd_expiring_usage, OPT_BIT(OPT_WITHIN) | OPT_BIT(OPT_JSON),
     NULL, cmd_expiring_run},
    {"renew", cmd_renew_usage,
     OPT_BIT(OPT_NEW_KEY) | OPT_BIT(OPT_KEY_TYPE) | OPT_BIT(OPT_DAYS) |
         OPT_BIT(OPT_REVOKE_OLD) | OPT_BIT(OPT_REASON) |
         OPT_BIT(OPT_CA_PASSWORD) | OPT_BIT(OPT_QUIET),
     cmd_renew_args_error, cmd_renew_run},
};

static int run_command(const struct command *cmd, int argc, char **argv) {
  struct cli_opts o = {0};
  struct mtk_diag diag;
  mtk_diag_init(&diag);
  if (cli_parse_opts(argc, argv, cmd->options | OPT_BIT(OPT_HELP), &o, NULL,
                     &diag) != 0) {
    return mtk_cli_usage_error("%s", diag.msg);
  }
  if (o.v[OPT_HELP] != NULL) {
    fputs(cmd->usage, stdout);
    return 0;
  }
  mtk_cli_set_quiet(o.v[OPT_QUIET] != NULL);
  if (cmd->args_error != NULL) {
    const char *bad = cmd->args_error(&o);
    if (bad != NULL) {
      return mtk_cli_usage_error("%s", bad);
    }
  } else if (o.num_pos != 1) {
    return mtk_cli_usage_error("%s takes one directory", cmd->name);
  }
  int err = cmd->run(&o, &diag);
  if (err > 0) {
    return err;  // an exit status of its own (check: problems found)
  }
  return err != 0 ? mtk_cli_fail(err, &diag) : 0;
}

int main(int argc, char **argv) {
  mtk_cli_init("mtlskit ca");
  if (argc < 2) {
    fputs(usage_main, stderr);
    return MTK_EXIT_USAGE;
  }
  const char *name = argv[1];
  if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 ||
      strcmp(name, "help") == 0) {
    fputs(usage_main, stdout);
    return 0;
  }
  if (strcmp(name, "--version") == 0) {
    const char *libs[] = {"BoringSSL (" OPENSSL_VERSION_TEXT ")", NULL};
    mtk_cli_print_version(stdout, libs);
    return 0;
  }
  for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
    if (strcmp(name, commands[i].name) == 0) {
      static char cli_name[64];
      snprintf(cli_name, sizeof(cli_name), "mtlskit ca %s", commands[i].name);
      mtk_cli_init(cli_name);
      return run_command(&commands[i], argc - 2, argv + 2);
    }
  }
  return mtk_cli_usage_error(
      "'%s' is not a ca command (init, issue, sign, revoke, crl, list, "
      "check, export, show, expiring, renew)",
      name);
}
