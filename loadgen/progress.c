// Progress line of mtlskit loadgen (see progress.h).
#include "progress.h"

#include "mtlskit/hist_report.h"

void mtk_loadgen_progress_print(FILE *out, struct mtk_loadgen_run *run,
                                const struct mtk_loadgen_results *all,
                                const struct mtk_loadgen_results *interval,
                                double interval_s, double elapsed_s,
                                bool warming_up) {
  char p50[32] = "-", p99[32] = "-";
  const struct mtk_hist *h = &all->phase[MTK_LOADGEN_HANDSHAKE];
  if (h->total_count > 0) {
    mtk_hist_report_format_ns(p50, sizeof(p50),
                              (double)mtk_hist_value_at_percentile(h, 50));
    mtk_hist_report_format_ns(p99, sizeof(p99),
                              (double)mtk_hist_value_at_percentile(h, 99));
  }
  uint64_t conns = interval->counts.connections + interval->counts.warmup;
  fprintf(out,
          "\r%7.1fs  %9.1f conn/s%s  handshake p50 %-9s p99 %-9s "
          "errors %-8llu in flight %-6llu",
          elapsed_s, interval_s > 0 ? (double)conns / interval_s : 0.0,
          warming_up ? " (warming up)" : "", p50, p99,
          (unsigned long long)mtk_loadgen_results_errors(all),
          (unsigned long long)atomic_load(&run->inflight));
  fflush(out);
}

void mtk_loadgen_progress_end(FILE *out) { fputc('\n', out); }
