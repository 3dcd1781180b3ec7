// Fuzz target: a connection-log file as `mtlskit probe --connection-log`
// reads it (ALB's lines or mtlskit serve's, plain or gzip), then the lookups
// an attempt makes in it (by serial, by client port, over a time window).
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "connlog.h"
#include "fuzz_tmpfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *path = mtk_fuzz_write("conn.log", data, size);
  if (path == NULL) {
    return 0;
  }
  struct mtk_probe_connlog log = {NULL, 0, 0, 0};
  struct mtk_diag diag;
  mtk_diag_init(&diag);
  if (mtk_probe_connlog_load(&log, path, &diag) == 0) {
    for (size_t i = 0; i < log.num_entries; i++) {
      const struct mtk_probe_connlog_entry *e = &log.entries[i];
      const struct mtk_probe_connlog_entry *hit =
          mtk_probe_connlog_find(&log, e->listener_port, e->serial,
                                 e->client_port, e->time, e->time + 1);
      bool findable = strcmp(e->serial, "-") != 0 || e->client_port != 0;
      if (hit == NULL && findable) {
        abort();  // every findable line finds itself (or an equal one)
      }
      if (hit == NULL) {
        continue;
      }
      (void)mtk_probe_connlog_allows("Success|Failed:ClientCertExpired",
                                     hit->status);
    }
  }
  mtk_probe_connlog_cleanup(&log);
  return 0;
}
