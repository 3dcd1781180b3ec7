// Fuzz target: an HTTP response as `mtlskit loadgen` parses it, fed in the
// pieces the first byte of the input chooses (as reads would split it).
#include <stdint.h>

#include "http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0) {
    return 0;
  }
  size_t piece = (size_t)data[0] % 64 + 1;
  data++;
  size--;
  struct mtk_loadgen_http p;
  mtk_loadgen_http_init(&p);
  while (size > 0) {
    size_t n = size < piece ? size : piece;
    size_t used = 0;
    int r = mtk_loadgen_http_feed(&p, data, n, &used);
    if (r != 0 || used > n) {
      break;
    }
    data += n;
    size -= n;
  }
  (void)mtk_loadgen_http_eof(&p);
  return 0;
}
