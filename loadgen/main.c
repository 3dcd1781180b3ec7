// mtlskit loadgen: measure mTLS handshakes under load (docs/loadgen.md).
// This file wires the modules: options.c parses the command line,
// identities.c loads the client identities, engine.c runs the load,
// progress.c shows it live and summary.c reports it.
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "engine.h"
#include "mtlskit/cli.h"
#include "mtlskit/hdrlog.h"
#include "mtlskit/json.h"
#include "mtlskit/outcome.h"
#include "mtlskit/units.h"
#include "options.h"
#include "progress.h"
#include "summary.h"
#include "timeline.h"

static volatile sig_atomic_t interrupted;
static void on_sigint(int sig) {
  (void)sig;
  interrupted = 1;
}

static int resolve(struct mtk_loadgen_config *cfg) {
  struct addrinfo hints = {.ai_socktype = SOCK_STREAM};
  struct addrinfo *res = NULL;
  int rc = getaddrinfo(cfg->host, cfg->port, &hints, &res);
  if (rc != 0) {
    mtk_cli_error("cannot resolve %s: %s", cfg->host, gai_strerror(rc));
    return MTK_EXIT_RUNTIME;
  }
  memcpy(&cfg->dst, res->ai_addr, res->ai_addrlen);
  freeaddrinfo(res);
  return 0;
}

// raise_nofile raises the soft open-file limit to what the run needs, as
// far as the hard limit allows, and lowers max-inflight when capped.
static void raise_nofile(struct mtk_loadgen_options *o) {
  struct mtk_loadgen_config *cfg = &o->cfg;
  uint64_t need = (o->rate_set ? cfg->max_inflight : cfg->concurrency) + 64;
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return;
  if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need) {
    rlim_t want = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= need
                      ? (rlim_t)need
                      : rl.rlim_max;
    rlim_t before = rl.rlim_cur;
    rl.rlim_cur = want;
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0) rl.rlim_cur = before;
  }
  if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need) {
    uint64_t cap = rl.rlim_cur > 96 ? (uint64_t)rl.rlim_cur - 64 : 32;
    mtk_cli_warn(
        "open-file limit capped at %llu (hard limit %llu): at most "
        "%llu connections in flight",
        (unsigned long long)rl.rlim_cur, (unsigned long long)rl.rlim_max,
        (unsigned long long)cap);
    if (cfg->max_inflight > cap) cfg->max_inflight = cap;
    if (cfg->concurrency > cap) cfg->concurrency = cap;
  }
}

// write_hdr_interval writes the interval of |r| from |start_ns| to |end_ns|
// (since the start of the run) to |hlog|, one line per phase. It returns 0
// or an exit status.
static int write_hdr_interval(FILE *hlog, const char *path, uint64_t start_ns,
                              uint64_t end_ns,
                              const struct mtk_loadgen_results *r) {
  int status = MTK_EXIT_OK;
  for (int i = 0; i < MTK_LOADGEN_NUM_PHASES; i++) {
    if (mtk_hdrlog_write_interval(
            hlog, mtk_loadgen_phase_name((enum mtk_loadgen_phase)i),
            (double)start_ns / 1e9, (double)(end_ns - start_ns) / 1e9,
            &r->phase[i]) != 0) {
      mtk_cli_error("--hdr-log %s: write failed", path);
      status = MTK_EXIT_RUNTIME;
    }
  }
  return status;
}

int main(int argc, char **argv) {
  mtk_cli_init("mtlskit loadgen");
  struct mtk_loadgen_options *o = calloc(1, sizeof(*o));
  struct mtk_net_tls *tls = NULL;
  struct mtk_loadgen_run run;
  bool run_started = false;
  struct mtk_loadgen_results all, interval;
  FILE *hlog = NULL;
  json_t *timeline = NULL;
  int status = MTK_EXIT_OK;
  memset(&run, 0, sizeof(run));
  memset(&all, 0, sizeof(all));
  memset(&interval, 0, sizeof(interval));
  if (o == NULL) {
    return mtk_cli_fail(MTK_ENOMEM, NULL);
  }
  int rc = mtk_loadgen_options_parse(argc, argv, o);
  if (rc != 0) {
    status = rc < 0 ? MTK_EXIT_OK : rc;
    goto out;
  }
  struct mtk_loadgen_config *cfg = &o->cfg;
  mtk_cli_set_quiet(o->quiet);
  if ((rc = resolve(cfg)) != 0) {
    status = rc;
    goto out;
  }
  raise_nofile(o);
  if ((rc = mtk_loadgen_identities_load_p12(&o->ids, &cfg->tls)) != 0) {
    status = rc;
    goto out;
  }
  struct mtk_diag diag;
  mtk_diag_init(&diag);
  int err = mtk_net_tls_new(&cfg->tls, &tls, &diag);
  if (err != 0) {
    status = mtk_cli_fail(err, &diag);
    goto out;
  }
  if (mtk_loadgen_results_init(&all) != 0 ||
      mtk_loadgen_results_init(&interval) != 0) {
    status = mtk_cli_fail(MTK_ENOMEM, NULL);
    goto out;
  }
  double wall_start = 0;
  {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    wall_start = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
  }
  if (o->hdr_log != NULL) {
    hlog = fopen(o->hdr_log, "w");
    if (hlog == NULL ||
        mtk_hdrlog_write_header(hlog, wall_start, wall_start) != 0) {
      mtk_cli_error("--hdr-log %s: %s", o->hdr_log,
                    mtk_strerror(mtk_errno_get()));
      status = MTK_EXIT_RUNTIME;
      goto out;
    }
  }
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = on_sigint;
  sa.sa_flags = SA_RESETHAND;
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);

  struct mtk_loadgen_summary sum;
  mtk_loadgen_summary_start(&sum);
  bool progress = !o->quiet && !o->json && isatty(STDERR_FILENO);
  err = mtk_loadgen_run_start(&run, cfg, tls, &diag);
  run_started = true;
  if (err != 0) {
    status = mtk_cli_fail(err, &diag);
    goto out;
  }
  if (o->json) timeline = json_array();
  uint64_t next = cfg->interval_ns;
  uint64_t last = 0;
  for (;;) {
    bool finished = mtk_loadgen_run_finished(&run);
    uint64_t now = uv_hrtime() - run.t0;
    if (interrupted) atomic_store(&run.stop, 1);
    if (now >= next + cfg->interval_ns / 20 || finished) {
      mtk_loadgen_run_take(&run, &interval);
      uint64_t end = finished ? now : next;
      if (hlog != NULL && (end > last || finished)) {
        rc = write_hdr_interval(hlog, o->hdr_log, last, end, &interval);
        if (rc != 0) status = rc;
      }
      if (timeline != NULL &&
          mtk_loadgen_timeline_add(timeline, &interval, (double)last / 1e9,
                                   (double)(end - last) / 1e9,
                                   last < cfg->warmup_ns) != 0) {
        status = mtk_cli_fail(MTK_ENOMEM, NULL);
      }
      mtk_loadgen_results_merge(&all, &interval);
      if (progress)
        mtk_loadgen_progress_print(stderr, &run, &all, &interval,
                                   (double)(end - last) / 1e9,
                                   (double)now / 1e9, now < cfg->warmup_ns);
      mtk_loadgen_results_reset(&interval);
      last = end;
      next += cfg->interval_ns;
      if (finished) break;
    }
    struct timespec pause = {0, 10 * 1000 * 1000};
    nanosleep(&pause, NULL);
  }
  mtk_loadgen_run_join(&run);
  if (progress) mtk_loadgen_progress_end(stderr);
  if (interrupted) mtk_cli_note("interrupted: results cover the run so far");
  mtk_loadgen_summary_finish(&sum, &run, cfg);

  char url[1400];
  snprintf(url, sizeof(url), "https://%s%s", cfg->host_header, cfg->path);
  json_t *root =
      o->json ? mtk_loadgen_summary_json(cfg, &all, &sum, url) : NULL;
  if (!o->json) mtk_loadgen_summary_print(stdout, cfg, &all, &sum, url);
  bool slo_ok;
  json_t *slo_arr = mtk_loadgen_summary_check_slo(
      &o->slo, &all, &sum, o->json ? NULL : stdout, &slo_ok);
  if (root != NULL) {
    json_object_set_new(root, "slo", slo_arr);
    char started[32];
    if (mtk_format_time(started, sizeof(started), (time_t)wall_start) == 0) {
      json_object_set_new(root, "started_at", json_string(started));
    }
    json_object_set_new(root, "timeline", timeline);
    timeline = NULL;
    int print_err = mtk_json_print(stdout, root);
    if (print_err != 0) status = mtk_cli_fail(print_err, NULL);
  } else {
    json_decref(slo_arr);
  }
  if (o->json && root == NULL) status = mtk_cli_fail(MTK_ENOMEM, NULL);
  if (all.counts.requests > 0 && all.counts.ok == 0 && !interrupted) {
    struct mtk_outcome top;
    uint64_t n = mtk_loadgen_results_top_outcome(&all, &top);
    mtk_cli_error(
        "nothing succeeded: all %llu attempts failed, most often %s "
        "at %s (%llu)",
        (unsigned long long)all.counts.requests,
        mtk_outcome_kind_name(top.kind), mtk_stage_name(top.stage),
        (unsigned long long)n);
    if (status == MTK_EXIT_OK) status = MTK_EXIT_RUNTIME;
  }
  if (!slo_ok) {
    mtk_cli_error("service-level objective violated");
    if (status == MTK_EXIT_OK) status = MTK_EXIT_CHECKS;
  }
  if (fflush(stdout) != 0) status = MTK_EXIT_RUNTIME;
out:
  if (run_started) mtk_loadgen_run_cleanup(&run);
  if (hlog != NULL && fclose(hlog) != 0 && status == MTK_EXIT_OK) {
    mtk_cli_error("--hdr-log: write failed");
    status = MTK_EXIT_RUNTIME;
  }
  json_decref(timeline);
  mtk_loadgen_results_cleanup(&all);
  mtk_loadgen_results_cleanup(&interval);
  mtk_net_tls_free(tls);
  if (o != NULL) {
    mtk_loadgen_options_cleanup(o);
    free(o);
  }
  return status;
}
