// Fuzz target: the request head `mtlskit serve` reads from the network.
#include <stdint.h>

#include "http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct mtk_serve_http_limits limits;
  mtk_serve_http_limits_alb(&limits);
  struct mtk_serve_http_request req;
  int status = 0;
  (void)mtk_serve_http_parse((const char *)data, size, &limits, &req, &status);
  return 0;
}
