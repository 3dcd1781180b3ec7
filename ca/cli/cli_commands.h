// The subcommands of `mtlskit ca`, one cmd_*.c each, as main.c's table
// lists them. Private to mtlskit-ca.
//
// For each subcommand X: cmd_X_usage is its --help text (what docs/ca.md
// says of it). cmd_X_args_error, where X takes more than DIR, returns what
// is wrong with its arguments (a usage error) or NULL. cmd_X_run gets the
// options main parsed, validates them into X's config before any work,
// then works; it returns 0, or an MTK_E* code with the detail in |diag|.
#ifndef MTK_CA_CLI_COMMANDS_H
#define MTK_CA_CLI_COMMANDS_H

#include "cli_common.h"

extern const char cmd_init_usage[];
MTK_MUST_CHECK int cmd_init_run(const struct cli_opts *o,
                                struct mtk_diag *diag);

extern const char cmd_issue_usage[];
const char *cmd_issue_args_error(const struct cli_opts *o);
MTK_MUST_CHECK int cmd_issue_run(const struct cli_opts *o,
                                 struct mtk_diag *diag);

extern const char cmd_sign_usage[];
const char *cmd_sign_args_error(const struct cli_opts *o);
MTK_MUST_CHECK int cmd_sign_run(const struct cli_opts *o,
                                struct mtk_diag *diag);

extern const char cmd_revoke_usage[];
const char *cmd_revoke_args_error(const struct cli_opts *o);
MTK_MUST_CHECK int cmd_revoke_run(const struct cli_opts *o,
                                  struct mtk_diag *diag);

extern const char cmd_crl_usage[];
MTK_MUST_CHECK int cmd_crl_run(const struct cli_opts *o, struct mtk_diag *diag);

extern const char cmd_list_usage[];
MTK_MUST_CHECK int cmd_list_run(const struct cli_opts *o,
                                struct mtk_diag *diag);

extern const char cmd_check_usage[];
// cmd_check_run returns MTK_EXIT_CHECKS (positive) when it found problems.
MTK_MUST_CHECK int cmd_check_run(const struct cli_opts *o,
                                 struct mtk_diag *diag);

extern const char cmd_export_usage[];
const char *cmd_export_args_error(const struct cli_opts *o);
MTK_MUST_CHECK int cmd_export_run(const struct cli_opts *o,
                                  struct mtk_diag *diag);

extern const char cmd_show_usage[];
const char *cmd_show_args_error(const struct cli_opts *o);
MTK_MUST_CHECK int cmd_show_run(const struct cli_opts *o,
                                struct mtk_diag *diag);

extern const char cmd_expiring_usage[];
// cmd_expiring_run returns MTK_EXIT_CHECKS (positive) when something is due.
MTK_MUST_CHECK int cmd_expiring_run(const struct cli_opts *o,
                                    struct mtk_diag *diag);

extern const char cmd_renew_usage[];
const char *cmd_renew_args_error(const struct cli_opts *o);
MTK_MUST_CHECK int cmd_renew_run(const struct cli_opts *o,
                                 struct mtk_diag *diag);

#endif  // MTK_CA_CLI_COMMANDS_H
