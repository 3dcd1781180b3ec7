// Fuzz target: the JSON configuration file of `mtlskit probe --config`
// (OpenSSL side of the project: its own executable), each target then
// validated as the probe does before connecting. Profiles are the
// installed ones (build/share/mtlskit/profiles) or a file named relative
// to the configuration.
#include <stdint.h>

#include "config.h"
#include "fuzz_tmpfile.h"
#include "mtlskit/diag.h"
#include "profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t num_profiles(void) {
  size_t n = 0;
  while (mtk_probe_profile_at(n) != NULL) {
    n++;
  }
  return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static size_t installed;
  if (installed == 0) {
    installed = num_profiles();
  }
  const char *path = mtk_fuzz_write("probe.json", data, size);
  if (path == NULL) {
    return 0;
  }
  struct mtk_diag diag;
  mtk_diag_init(&diag);
  struct mtk_probe_config c;
  mtk_probe_config_init(&c);
  int err = mtk_probe_config_load_file(&c, path, &diag);
  for (size_t i = 0; err == 0 && i < c.num_targets; i++) {
    (void)mtk_probe_target_validate(&c.targets[i], &diag);
  }
  mtk_fuzz_verdict(err, diag.msg);
  mtk_probe_config_cleanup(&c);
  // User profile files the configuration named stay loaded for the run;
  // drop them so that inputs do not pile them up.
  if (num_profiles() > installed) {
    mtk_probe_profiles_cleanup();
  }
  return 0;
}
