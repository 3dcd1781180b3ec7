// Summary of a mtlskit loadgen run (see summary.h).
#include "summary.h"

#include <sys/resource.h>
#include <unistd.h>

#include "mtlskit/hist_report.h"

static long rss_kb(void) {
  FILE *f = fopen("/proc/self/statm", "r");
  long pages = 0, resident = 0;
  if (f != NULL) {
    if (fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
    fclose(f);
  }
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

void mtk_loadgen_summary_start(struct mtk_loadgen_summary *s) {
  *s = (struct mtk_loadgen_summary){.rss_start_kb = rss_kb()};
}

void mtk_loadgen_summary_finish(struct mtk_loadgen_summary *s,
                                struct mtk_loadgen_run *run,
                                const struct mtk_loadgen_config *cfg) {
  s->max_lag_ns = mtk_loadgen_run_max_lag_ns(run);
  mtk_net_tls_verify_stats(run->tls, &s->verify);
  uint64_t elapsed = uv_hrtime() - run->t0;
  uint64_t window_end = cfg->duration_ns > 0 ? cfg->duration_ns
                                             : atomic_load(&run->last_start_ns);
  if (window_end > elapsed) window_end = elapsed;
  s->elapsed_s = (double)elapsed / 1e9;
  s->window_s = window_end > cfg->warmup_ns
                    ? (double)(window_end - cfg->warmup_ns) / 1e9
                    : 0;
  uint64_t started = atomic_load(&run->started_in_window);
  s->achieved_rate = s->window_s > 0 ? (double)started / s->window_s : 0;
  if (cfg->duration_ns == 0 && s->window_s > 0 && started > 1) {
    // Bounded by a count: the window ends at the last start, so n starts
    // span n - 1 gaps.
    s->achieved_rate = (double)(started - 1) / s->window_s;
  }
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  s->rss_peak_kb = ru.ru_maxrss;
}

static const char *resume_name(enum mtk_net_resume r) {
  return r == MTK_NET_RESUME_TICKETS ? "tickets"
         : r == MTK_NET_RESUME_IDS   ? "ids"
                                     : "off";
}

static const char *close_name(enum mtk_net_close c) {
  return c == MTK_NET_CLOSE_RST   ? "rst"
         : c == MTK_NET_CLOSE_FIN ? "fin"
                                  : "clean";
}

// How the server certificate was checked: "off" (--insecure), "each"
// (--verify-each) or "cached" (once per distinct chain).
static const char *verify_mode_name(const struct mtk_loadgen_config *cfg) {
  return cfg->tls.insecure ? "off" : cfg->tls.verify_each ? "each" : "cached";
}

void mtk_loadgen_summary_print(FILE *out, const struct mtk_loadgen_config *cfg,
                               const struct mtk_loadgen_results *r,
                               const struct mtk_loadgen_summary *s,
                               const char *url) {
  fprintf(out, "target       %s (%s%s)\n", url,
          cfg->tls.tls_version == 0    ? "TLS 1.2-1.3"
          : cfg->tls.tls_version == 12 ? "TLS 1.2"
                                       : "TLS 1.3",
          cfg->tls.num_identities + cfg->tls.num_mem_identities > 0
              ? ", client certificate"
              : ", no client certificate");
  if (cfg->rate > 0) {
    fprintf(
        out,
        "load         open loop, %.1f conn/s requested, %.1f/s achieved, %u "
        "thread%s\n",
        cfg->rate, s->achieved_rate, cfg->threads,
        cfg->threads == 1 ? "" : "s");
  } else {
    fprintf(
        out,
        "load         closed loop, concurrency %llu, %.1f conn/s achieved, %u "
        "thread%s\n",
        (unsigned long long)cfg->concurrency, s->achieved_rate, cfg->threads,
        cfg->threads == 1 ? "" : "s");
  }
  char lag[32];
  mtk_hist_report_format_ns(lag, sizeof(lag), (double)s->max_lag_ns);
  fprintf(out, "duration     %.3fs (%.3fs measured)%s%s\n", s->elapsed_s,
          s->window_s,
          cfg->rate > 0 ? ", latest start behind schedule by " : "",
          cfg->rate > 0 ? lag : "");
  fprintf(out,
          "connections  %llu (+%llu warm-up), handshakes %llu, resumed %llu "
          "(--resume %s)\n",
          (unsigned long long)r->counts.connections,
          (unsigned long long)r->counts.warmup,
          (unsigned long long)r->counts.handshakes,
          (unsigned long long)r->counts.resumed, resume_name(cfg->tls.resume));
  if (cfg->tls.insecure) {
    fprintf(out, "server cert  not verified (--insecure)\n");
  } else {
    fprintf(out,
            "server cert  %s: %llu chain%s verified, %llu from the cache, "
            "%llu rejected\n",
            verify_mode_name(cfg), (unsigned long long)s->verify.verified,
            s->verify.verified == 1 ? "" : "s",
            (unsigned long long)s->verify.cache_hits,
            (unsigned long long)s->verify.failed);
  }
  fputc('\n', out);
  mtk_hist_report_print_header(out, "phase");
  for (int i = 0; i < MTK_LOADGEN_NUM_PHASES; i++) {
    mtk_hist_report_print_row(
        out, mtk_loadgen_phase_name((enum mtk_loadgen_phase)i), &r->phase[i]);
  }
  fprintf(out, "\noutcomes (%llu)\n", (unsigned long long)r->counts.requests);
  mtk_loadgen_results_print_outcomes(r, out);
  uint64_t errors = mtk_loadgen_results_errors(r);
  fprintf(out, "errors       %llu (%.3f%%), refused %llu\n",
          (unsigned long long)errors,
          r->counts.requests
              ? 100.0 * (double)errors / (double)r->counts.requests
              : 0.0,
          (unsigned long long)mtk_loadgen_results_refused(r));
}

json_t *mtk_loadgen_summary_json(const struct mtk_loadgen_config *cfg,
                                 const struct mtk_loadgen_results *r,
                                 const struct mtk_loadgen_summary *s,
                                 const char *url) {
  json_t *phases = json_object();
  for (int i = 0; i < MTK_LOADGEN_NUM_PHASES; i++) {
    json_object_set_new(phases,
                        mtk_loadgen_phase_name((enum mtk_loadgen_phase)i),
                        mtk_hist_report_json(&r->phase[i]));
  }
  uint64_t errors = mtk_loadgen_results_errors(r);
  uint64_t timeouts = 0;
  for (int st = 0; st < MTK_STAGE_COUNT; st++) {
    timeouts += r->counts.kind_stage[MTK_OUTCOME_TIMEOUT][st];
  }
  json_t *root = json_pack(
      "{s:i, s:s, s:{s:s, s:s, s:i, s:s, s:f, s:I, s:I, s:i, s:s, s:b, s:I}, "
      "s:f, s:f, s:{s:f, s:f, s:I}, s:I, s:I, s:I, s:I, s:I, s:I, s:f, s:I, "
      "s:I, "
      "s:o, s:o, s:{s:i, s:i}}",
      "schema_version", MTK_LOADGEN_SCHEMA_VERSION, "target", url, "config",
      "mode", cfg->rate > 0 ? "open" : "closed", "tls",
      cfg->tls.tls_version == 12   ? "1.2"
      : cfg->tls.tls_version == 13 ? "1.3"
                                   : "any",
      "identities",
      (int)(cfg->tls.num_identities + cfg->tls.num_mem_identities), "resume",
      resume_name(cfg->tls.resume), "rate", cfg->rate, "concurrency",
      (json_int_t)cfg->concurrency, "keepalive", (json_int_t)cfg->keepalive,
      "threads", (int)cfg->threads, "close", close_name(cfg->close_mode),
      "close_rst", cfg->close_mode == MTK_NET_CLOSE_RST, "warmup_ns",
      (json_int_t)cfg->warmup_ns, "elapsed_s", s->elapsed_s, "measured_s",
      s->window_s, "rate", "requested", cfg->rate, "achieved", s->achieved_rate,
      "max_start_lag_ns", (json_int_t)s->max_lag_ns, "connections",
      (json_int_t)r->counts.connections, "warmup_connections",
      (json_int_t)r->counts.warmup, "requests", (json_int_t)r->counts.requests,
      "handshakes", (json_int_t)r->counts.handshakes, "resumed",
      (json_int_t)r->counts.resumed, "errors", (json_int_t)errors,
      "error_ratio",
      r->counts.requests ? (double)errors / (double)r->counts.requests : 0.0,
      "refused", (json_int_t)mtk_loadgen_results_refused(r), "timeouts",
      (json_int_t)timeouts, "outcomes", mtk_loadgen_results_outcomes_json(r),
      "phases", phases, "memory", "rss_start_kb", (int)s->rss_start_kb,
      "rss_peak_kb", (int)s->rss_peak_kb);
  json_object_set_new(
      root, "server_verification",
      json_pack("{s:s, s:I, s:I, s:I}", "mode", verify_mode_name(cfg),
                "verified", (json_int_t)s->verify.verified, "cache_hits",
                (json_int_t)s->verify.cache_hits, "failed",
                (json_int_t)s->verify.failed));
  return root;
}

json_t *mtk_loadgen_summary_check_slo(const struct mtk_loadgen_slo *slo,
                                      const struct mtk_loadgen_results *r,
                                      const struct mtk_loadgen_summary *s,
                                      FILE *table, bool *out_ok) {
  json_t *verdicts = json_array();
  bool all_ok = true;
  for (size_t i = 0; i < slo->num_clauses; i++) {
    const struct mtk_loadgen_slo_clause *c = &slo->clauses[i];
    double value = mtk_loadgen_slo_value(c, r, s->achieved_rate);
    bool ok = mtk_loadgen_slo_holds(c, value);
    all_ok = all_ok && ok;
    json_array_append_new(verdicts, json_pack("{s:s, s:f, s:b}", "slo", c->text,
                                              "value", value, "ok", ok));
    if (table != NULL) {
      char measured[48];
      mtk_loadgen_slo_format(c, value, measured, sizeof(measured));
      fprintf(table, "slo          %-30s %s (measured %s)\n", c->text,
              ok ? "ok" : "VIOLATED", measured);
    }
  }
  *out_ok = all_ok;
  return verdicts;
}
