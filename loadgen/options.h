// The command line of `mtlskit loadgen`: the option table, --help, and the
// parsing and checks that turn argv into a run's configuration before any
// work starts (docs/loadgen.md).
#ifndef MTK_LOADGEN_OPTIONS_H
#define MTK_LOADGEN_OPTIONS_H

#include <stdbool.h>

#include "engine.h"
#include "identities.h"
#include "slo.h"

struct mtk_loadgen_options {
  struct mtk_loadgen_config cfg;
  struct mtk_loadgen_identities ids;
  const char *identities_dir;  // --identities DIR, or NULL
  const char *hdr_log;         // --hdr-log FILE, or NULL
  const char *slo_spec;        // --slo SPEC as given, or NULL
  struct mtk_loadgen_slo slo;  // --slo parsed
  bool json;
  bool quiet;
  bool rate_set, concurrency_set;
};

// mtk_loadgen_options_parse parses |argc|/|argv| into |o|, which must be
// zero-filled, checks the combination and fills in the defaults; it also
// reads the --identities directory. It returns 0, -1 after printing --help
// or --version (a clean exit), or the exit status to end with after
// printing a diagnostic. Release |o| with mtk_loadgen_options_cleanup in every
// case.
MTK_MUST_CHECK int mtk_loadgen_options_parse(int argc, char **argv,
                                             struct mtk_loadgen_options *o);

// mtk_loadgen_options_cleanup frees what |o| owns (its identities).
void mtk_loadgen_options_cleanup(struct mtk_loadgen_options *o);

#endif  // MTK_LOADGEN_OPTIONS_H
