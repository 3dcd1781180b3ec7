// Fuzz target: index.txt as `mtlskit ca` reads it (and renders it again).
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_tmpfile.h"
#include "mtlskit/cadb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *path = mtk_fuzz_write("index.txt", data, size);
  struct mtk_cadb_index index;
  if (path == NULL) {
    return 0;
  }
  if (mtk_cadb_index_load(path, &index, NULL) != 0) {
    mtk_cadb_index_cleanup(&index);  // also after a failure
    return 0;
  }
  char *text = NULL;
  size_t len = 0;
  if (mtk_cadb_index_render(&index, &text, &len) == 0) {
    free(text);
  }
  if (index.num_entries > 0) {
    (void)mtk_cadb_index_find(&index, index.entries[0].serial);
  }
  mtk_cadb_index_cleanup(&index);
  return 0;
}
