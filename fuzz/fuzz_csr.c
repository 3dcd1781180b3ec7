// Fuzz target: a certificate signing request (PEM or DER) as `ca sign`
// reads it.
#include <stdint.h>

#include "mtlskit/x509_csr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct mtk_csr csr;
  (void)mtk_csr_parse(data, size, &csr, NULL);
  mtk_csr_cleanup(&csr);
  return 0;
}
