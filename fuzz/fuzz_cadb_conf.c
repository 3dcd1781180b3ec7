// Fuzz target: openssl.cnf as `mtlskit ca` reads it.
#include <stdint.h>

#include "fuzz_tmpfile.h"
#include "mtlskit/cadb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (mtk_fuzz_write("openssl.cnf", data, size) == NULL) {
    return 0;
  }
  struct mtk_cadb_conf conf;
  (void)mtk_cadb_conf_load(mtk_fuzz_dir(), &conf, NULL);
  return 0;
}
