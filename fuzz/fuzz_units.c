// Fuzz target: what users type as numbers (durations, counts, sizes,
// times) and loadgen's --slo expressions.
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mtlskit/units.h"
#include "slo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *s = malloc(size + 1);
  if (s == NULL) {
    return 0;
  }
  memcpy(s, data, size);
  s[size] = '\0';
  uint64_t u;
  time_t t;
  (void)mtk_parse_uint(s, UINT64_MAX, &u);
  (void)mtk_parse_duration_ns(s, &u);
  (void)mtk_parse_count(s, &u);
  (void)mtk_parse_bytes(s, &u);
  (void)mtk_parse_time(s, 1764000000, &t);
  struct mtk_loadgen_slo slo;
  (void)mtk_loadgen_slo_parse(s, &slo, NULL);
  free(s);
  return 0;
}
