// Fuzz target: a fixture set's manifest.json as `mtlskit probe` reads it
// (OpenSSL side of the project: its own executable). The case files the
// seed manifest names exist in the fuzzer's directory, so that the loader
// gets past its path checks; one of them is a symlink leading outside.
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include "fuzz_tmpfile.h"
#include "manifest.h"
#include "mtlskit/diag.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const case_files[] = {
    "cases/ok-root-leaf/cert.pem",       "cases/ok-root-leaf/key.pem",
    "cases/ok-int-chain/cert.pem",       "cases/ok-int-chain/key.pem",
    "cases/expired-1s/cert.pem",         "cases/expired-1s/key.pem",
    "cases/revoked-superseded/cert.pem", "cases/revoked-superseded/key.pem",
    "cases/crl-expired/cert.pem",        "cases/crl-expired/key.pem",
};

static void make_case_files(void) {
  static bool done;
  if (done) {
    return;
  }
  done = true;
  for (size_t i = 0; i < sizeof(case_files) / sizeof(case_files[0]); i++) {
    (void)mtk_fuzz_write(case_files[i], (const uint8_t *)"x\n", 2);
  }
  char link[256];
  snprintf(link, sizeof(link), "%s/cases/outside", mtk_fuzz_dir());
  (void)symlink("/etc", link);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  make_case_files();
  if (mtk_fuzz_write("manifest.json", data, size) == NULL) {
    return 0;
  }
  struct mtk_diag diag;
  mtk_diag_init(&diag);
  struct mtk_probe_manifest m;
  mtk_probe_manifest_init(&m);
  int err = mtk_probe_manifest_load(mtk_fuzz_dir(), &m, &diag);
  mtk_fuzz_verdict(err, diag.msg);
  if (err == 0) {
    (void)mtk_probe_manifest_find(&m, "ok-root-leaf");
    (void)mtk_probe_manifest_has_trust(&m, "default");
  }
  mtk_probe_manifest_cleanup(&m);
  return 0;
}
