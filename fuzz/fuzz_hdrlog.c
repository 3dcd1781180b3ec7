// Fuzz target: an HdrHistogram interval log as `mtlskit report merge`
// reads it, each interval merged into one histogram as merge does.
#include <stdint.h>
#include <stdio.h>

#include "mtlskit/hdrlog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  FILE *f = fmemopen((void *)data, size, "r");
  if (f == NULL) {
    return 0;
  }
  struct mtk_hdrlog_reader r;
  struct mtk_hdrlog_entry e;
  struct mtk_hist merged;
  int have = 0;
  mtk_hdrlog_reader_init(&r, f);
  for (int i = 0; i < 64 && mtk_hdrlog_read_next(&r, &e, NULL) == 1; i++) {
    // Merging into a dense histogram of the widest layouts (48 MB) would
    // make each input slow to run; report merge's own cost there is what
    // bench/report_merge.sh measures.
    if (!have && e.counts.layout.num_counts <= (1u << 20) &&
        mtk_hist_init_like(&merged, &e.counts.layout) == 0) {
      have = 1;
    }
    if (have) {
      (void)mtk_hdrlog_counts_merge(&merged, &e.counts, NULL);
    }
    mtk_hdrlog_entry_cleanup(&e);
  }
  if (have) {
    (void)mtk_hist_value_at_percentile(&merged, 99.0);
    mtk_hist_cleanup(&merged);
  }
  mtk_hdrlog_reader_cleanup(&r);
  fclose(f);
  return 0;
}
