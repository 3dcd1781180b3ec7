// The command line of `mtlskit loadgen`: the option table, --help, and the
// parsing and checks that turn argv into a run's configuration before any
// work starts (docs/loadgen.md).
#ifndef MTK_LOADGEN_OPTIONS_H
#define MTK_LOADGEN_OPTIONS_H

#include <stdbool.h>

#include "engine.h"
#include "identities.h"
#include "slo.h"

struct lg_options {
  struct lg_config cfg;
  struct lg_identities ids;
  const char *identities_dir;  // --identities DIR, or NULL
  const char *hdr_log;         // --hdr-log FILE, or NULL
  const char *slo_spec;        // --slo SPEC as given, or NULL
  struct lg_slo slo;           // --slo parsed
  bool json;
  bool quiet;
  bool rate_set, concurrency_set;
};

// lg_options_parse parses |argc|/|argv| into |o|, which must be
// zero-filled, checks the combination and fills in the defaults; it also
// reads the --identities directory. It returns 0, -1 after printing --help
// or --version (a clean exit), or the exit status to end with after
// printing a diagnostic. Release |o| with lg_options_cleanup in every case.
MTK_MUST_CHECK int lg_options_parse(int argc, char **argv,
                                    struct lg_options *o);

// lg_options_cleanup frees what |o| owns (its identities).
void lg_options_cleanup(struct lg_options *o);

#endif  // MTK_LOADGEN_OPTIONS_H
