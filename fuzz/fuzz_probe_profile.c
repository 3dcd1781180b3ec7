// Fuzz target: a profile file (`mtlskit probe --profile FILE.json`, and
// the installed ones), every cell's expectation then read as a target
// pinned to TLS 1.2, 1.3 or neither reads it, and the profile printed as
// `probe --list-profiles` does (OpenSSL side: its own executable).
#include <stdint.h>
#include <stdio.h>

#include "expect.h"
#include "fuzz_tmpfile.h"
#include "mtlskit/diag.h"
#include "profile.h"
#include "profile_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static FILE *null_out;
  if (null_out == NULL && (null_out = fopen("/dev/null", "w")) == NULL) {
    return 0;
  }
  const char *path = mtk_fuzz_write("profile.json", data, size);
  if (path == NULL) {
    return 0;
  }
  struct mtk_diag diag;
  mtk_diag_init(&diag);
  struct mtk_probe_profile *p = NULL;
  int err = mtk_probe_profile_file_load(path, "user", &p, &diag);
  mtk_fuzz_verdict(err, diag.msg);
  if (err != 0) {
    return 0;
  }
  static const int tls[] = {0, 12, 13};
  for (size_t i = 0; i < p->num_cells; i++) {
    for (size_t v = 0; v < sizeof(tls) / sizeof(tls[0]); v++) {
      struct mtk_probe_expect e;
      char text[512];
      if (mtk_probe_cell_expect(&p->cells[i], tls[v], &e) == 0) {
        (void)mtk_probe_expect_format(text, sizeof(text), &e);
      }
    }
  }
  (void)mtk_probe_profile_key_type_cell(p, "ed25519");
  mtk_probe_profile_write_table(null_out, p);
  mtk_probe_profile_file_free(p);
  return 0;
}
