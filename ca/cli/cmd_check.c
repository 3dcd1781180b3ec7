// mtlskit ca check: is the CA directory consistent (index and files), and
// --repair: finish the recovery from a killed command.
#include <stdio.h>

#include "cli_commands.h"
#include "cli_common.h"
#include "mtlskit/cli.h"

const char cmd_check_usage[] =
    "usage: mtlskit ca check DIR [--repair]\n"
    "\n"
    "Compare the CA's index.txt with its files, whether mtlskit or `openssl\n"
    "ca` wrote them: each serial once, each newcerts/SERIAL.pem present,\n"
    "with its serial and subject and signed by the CA's key, no signed\n"
    "certificate the index does not record, no command killed half-way.\n"
    "Prints one line per problem, then a verdict.\n"
    "\n"
    "  --repair              first undo what a killed command left (the\n"
    "                        certificates it had not recorded, their keys,\n"
    "                        CSRs and .pfx), as the next issuing command\n"
    "                        would\n"
    "\n"
    "Exit status: 0 consistent, 1 problems found, 3 the directory cannot be\n"
    "read.\n";

static void print_problem(void *arg, const char *problem) {
  (void)arg;
  printf("problem: %s\n", problem);
}

int cmd_check_run(const struct cli_opts *o, struct mtk_diag *diag) {
  bool repair = o->v[OPT_REPAIR] != NULL;
  struct cli_ca ca = {0};
  // Under the lock, so that a command still running is waited for rather
  // than reported as killed.
  int err = cli_ca_open(
      &ca, o->pos[0], MTK_CA_OPEN_LOCK | (repair ? 0u : MTK_CA_OPEN_NO_RECOVER),
      diag);
  if (err != 0) {
    cli_ca_close(&ca);
    return err;
  }
  if (repair) {
    printf("repaired: %zu unrecorded certificate(s), %zu file(s) removed\n",
           ca.ca.recovered_uncommitted, ca.ca.recovered_removed);
  }
  size_t problems = mtk_ca_check(&ca.ca, print_problem, NULL);
  size_t valid = 0, revoked = 0, expired = 0;
  for (size_t i = 0; i < ca.ca.index.num_entries; i++) {
    char s = ca.ca.index.entries[i].status;
    valid += s == 'V';
    revoked += s == 'R';
    expired += s == 'E';
  }
  if (problems == 0) {
    printf(
        "consistent: %zu certificates (%zu valid, %zu revoked, %zu "
        "expired)\n",
        ca.ca.index.num_entries, valid, revoked, expired);
  } else {
    printf("inconsistent: %zu problem(s)\n", problems);
  }
  cli_ca_close(&ca);
  return problems == 0 ? 0 : MTK_EXIT_CHECKS;
}
