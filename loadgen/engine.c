// Worker threads of the load generator (see engine.h).
#include "engine.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "http.h"
#include "mtlskit/version.h"

struct mtk_loadgen_worker {
  uv_loop_t loop;
  uv_timer_t tick;
  // Open loop: a timerfd armed at the next intended start, because libuv's
  // timers have millisecond resolution and the schedule must not add up to
  // a millisecond of the generator's own lateness to every connection.
  uv_poll_t arrival;
  int arrival_fd;
  int open_handles;
  pthread_t thread;
  struct mtk_loadgen_run *run;
  unsigned index;
  bool thread_started;
  bool loop_ready;
  struct mtk_loadgen_results local;
  uint64_t next_flush_ns;   // since t0
  double next_intended_ns;  // open loop: next arrival, since t0
  double interarrival_ns;
  uint64_t concurrency;  // closed loop share
  uint64_t max_inflight;
  uint64_t inflight;
  uint64_t rr;             // round-robin counter (identities, sources)
  uint64_t max_lag_ns;     // latest start behind its intended time
  SSL_SESSION **sessions;  // one resumable session per identity
  size_t num_sessions;
  bool scheduling_done;
  bool closing;
  // Closed loop against a port that refuses connections: the next start
  // waits |backoff_ns| (doubling from 1 ms to 1 s, reset by a connection
  // that got through) instead of reconnecting at once.
  uint64_t backoff_ns;
  uint64_t backoff_until_ns;  // since t0
};

// After --duration, connections still in flight get at most this long to
// finish (or their --timeout, if shorter); then they end as timeouts.
#define DRAIN_NS (2000000000ull)
#define BACKOFF_MIN_NS (1000000ull)
#define BACKOFF_MAX_NS (1000000000ull)

struct mtk_loadgen_conn {
  struct mtk_net_conn net;  // embeds the uv handles: freed in on_close
  struct mtk_loadgen_worker *w;
  uint64_t t_intended;  // uv_hrtime scale
  uint64_t t_request;
  uint64_t ttfb_ns;
  uint64_t handshake_ns;
  uint64_t requests_done;
  struct mtk_loadgen_http http;
  bool measure;       // false during warm-up
  bool request_open;  // a request is written and its outcome not counted
  bool first_byte;
  bool handshake_recorded;
  bool holding;  // done, kept idle for --hold
  bool last_request;
};

static void worker_maybe_finish(struct mtk_loadgen_worker *w);
static void schedule(struct mtk_loadgen_worker *w);

static uint64_t since_t0(const struct mtk_loadgen_run *run) {
  return uv_hrtime() - run->t0;
}

// conn_timeout_ms is the deadline to give a connection (or a request) at
// |now|: --timeout, cut so that nothing outlives --duration plus DRAIN_NS.
static uint64_t conn_timeout_ms(const struct mtk_loadgen_run *run,
                                uint64_t now) {
  const struct mtk_loadgen_config *cfg = run->cfg;
  uint64_t ms = cfg->timeout_ms;
  if (cfg->duration_ns == 0) {
    return ms;
  }
  uint64_t end = cfg->duration_ns + DRAIN_NS;
  uint64_t left = end > now ? (end - now + 999999) / 1000000 : 1;
  return ms == 0 || left < ms ? left : ms;
}

static void record(struct mtk_loadgen_conn *c, enum mtk_loadgen_phase phase,
                   uint64_t ns) {
  if (c->measure) {
    mtk_hist_record_clamped(&c->w->local.phase[phase], (int64_t)ns);
  }
}

static void count(struct mtk_loadgen_conn *c, const struct mtk_outcome *o) {
  if (c->measure) {
    mtk_loadgen_results_count_outcome(&c->w->local, o);
  }
}

static void record_handshake(struct mtk_loadgen_conn *c) {
  if (c->handshake_recorded || !c->measure) {
    return;
  }
  c->handshake_recorded = true;
  record(c, MTK_LOADGEN_HANDSHAKE, c->handshake_ns);
  c->w->local.counts.handshakes++;
  if (mtk_net_conn_is_resumed(&c->net)) {
    c->w->local.counts.resumed++;
  }
}

static void finish_conn(struct mtk_loadgen_conn *c) {
  record(c, MTK_LOADGEN_TOTAL, uv_hrtime() - c->t_intended);
  const struct mtk_loadgen_config *cfg = c->w->run->cfg;
  if (cfg->hold_ns > 0) {
    c->holding = true;
    mtk_net_conn_set_timeout(&c->net, (cfg->hold_ns + 999999) / 1000000);
  } else {
    mtk_net_conn_close(&c->net);
  }
}

static void send_request(struct mtk_loadgen_conn *c) {
  struct mtk_loadgen_run *run = c->w->run;
  const struct mtk_loadgen_config *cfg = run->cfg;
  if (atomic_load(&run->stop) ||
      (cfg->max_requests > 0 &&
       atomic_fetch_add(&run->requests_issued, 1) >= cfg->max_requests)) {
    if (c->requests_done > 0) {
      finish_conn(c);
    } else {
      mtk_net_conn_close(&c->net);  // nothing to measure
    }
    return;
  }
  c->last_request = c->requests_done + 1 >= cfg->keepalive;
  const char *req = c->last_request ? run->request_last : run->request;
  size_t len = c->last_request ? run->request_last_len : run->request_len;
  mtk_loadgen_http_init(&c->http);
  c->first_byte = false;
  c->request_open = true;
  c->t_request = uv_hrtime();
  mtk_net_conn_set_timeout(&c->net, conn_timeout_ms(run, since_t0(run)));
  int err = mtk_net_conn_write(&c->net, (const uint8_t *)req, len);
  if (err != 0) {
    struct mtk_outcome o = {.kind = MTK_OUTCOME_CLIENT_ERROR,
                            .stage = MTK_STAGE_HTTP};
    c->request_open = false;
    count(c, &o);
    mtk_net_conn_close(&c->net);
  }
}

static void on_connected(struct mtk_net_conn *n) {
  struct mtk_loadgen_conn *c = n->data;
  record(c, MTK_LOADGEN_CONNECT, n->t_connected - c->t_intended);
}

static void on_handshake(struct mtk_net_conn *n) {
  struct mtk_loadgen_conn *c = n->data;
  c->handshake_ns = n->t_handshake - n->t_connected;
  if (c->w->run->cfg->keepalive == 0) {
    // Handshake-only mode: the handshake is the whole job.
    struct mtk_outcome o = {.kind = MTK_OUTCOME_NONE,
                            .stage = MTK_STAGE_HANDSHAKE};
    record_handshake(c);
    count(c, &o);
    finish_conn(c);
    return;
  }
  send_request(c);
}

static void response_done(struct mtk_loadgen_conn *c) {
  struct mtk_outcome o = {.kind = MTK_OUTCOME_HTTP,
                          .stage = MTK_STAGE_HTTP,
                          .http_status = c->http.status};
  c->request_open = false;
  c->requests_done++;
  // Under TLS 1.3 the server may refuse the client certificate after the
  // client finished its handshake: a handshake is counted once the server
  // answered.
  record_handshake(c);
  record(c, MTK_LOADGEN_TTFB, c->ttfb_ns);
  count(c, &o);
  if (c->last_request || c->http.close) {
    finish_conn(c);
  } else {
    send_request(c);
  }
}

static void on_read(struct mtk_net_conn *n, const uint8_t *data, size_t len) {
  struct mtk_loadgen_conn *c = n->data;
  if (!c->request_open) {
    return;  // bytes after the response, or while holding
  }
  if (!c->first_byte) {
    c->first_byte = true;
    c->ttfb_ns = uv_hrtime() - c->t_request;
  }
  size_t used;
  int r = mtk_loadgen_http_feed(&c->http, data, len, &used);
  if (r < 0) {
    struct mtk_outcome o = {.kind = MTK_OUTCOME_PROTOCOL_ERROR,
                            .stage = MTK_STAGE_HTTP};
    c->request_open = false;
    count(c, &o);
    mtk_net_conn_close(&c->net);
  } else if (r == 1) {
    response_done(c);
  }
}

static void on_end(struct mtk_net_conn *n, const struct mtk_outcome *o) {
  struct mtk_loadgen_conn *c = n->data;
  if (c->holding) {
    return;  // already counted; the hold ended or the server closed
  }
  if (c->request_open && o->kind == MTK_OUTCOME_CLOSED &&
      c->http.status >= 200 && mtk_loadgen_http_eof(&c->http)) {
    response_done(c);  // a body delimited by the end of the connection
    return;
  }
  struct mtk_loadgen_worker *w = c->w;
  if (o->kind == MTK_OUTCOME_CONNECT_FAILED) {
    w->backoff_ns = w->backoff_ns == 0                    ? BACKOFF_MIN_NS
                    : w->backoff_ns >= BACKOFF_MAX_NS / 2 ? BACKOFF_MAX_NS
                                                          : 2 * w->backoff_ns;
    w->backoff_until_ns = since_t0(w->run) + w->backoff_ns;
  } else {
    w->backoff_ns = 0;
  }
  if (c->request_open || c->requests_done == 0) {
    struct mtk_outcome copy = *o;
    if (c->request_open && c->first_byte &&
        copy.stage == MTK_STAGE_FIRST_READ) {
      copy.stage = MTK_STAGE_HTTP;
    }
    count(c, &copy);
    c->request_open = false;
  }
}

static void on_close(struct mtk_net_conn *n) {
  struct mtk_loadgen_conn *c = n->data;
  struct mtk_loadgen_worker *w = c->w;
  if (c->measure) {
    w->local.counts.connections++;
  } else {
    w->local.counts.warmup++;
  }
  free(c);
  w->inflight--;
  atomic_fetch_sub(&w->run->inflight, 1);
  if (w->run->cfg->rate <= 0) {
    schedule(w);  // closed loop: replace it at once
  }
  worker_maybe_finish(w);
}

static const struct mtk_net_conn_cbs conn_cbs = {
    .connected = on_connected,
    .handshake = on_handshake,
    .read = on_read,
    .end = on_end,
    .close = on_close,
};

// start_conn opens one connection meant to start at |intended| (since t0).
static void start_conn(struct mtk_loadgen_worker *w, uint64_t intended) {
  struct mtk_loadgen_run *run = w->run;
  const struct mtk_loadgen_config *cfg = run->cfg;
  size_t nthreads = cfg->threads;
  uint64_t slot = w->index + w->rr++ * nthreads;
  size_t identity = (size_t)(slot % w->num_sessions);
  struct mtk_loadgen_conn *c = calloc(1, sizeof(*c));
  struct mtk_outcome o = {.kind = MTK_OUTCOME_CLIENT_ERROR,
                          .stage = MTK_STAGE_NONE};
  uint64_t now = since_t0(run);
  bool measure = intended >= cfg->warmup_ns;
  if (measure && now >= cfg->warmup_ns &&
      (cfg->duration_ns == 0 || now < cfg->duration_ns)) {
    atomic_fetch_add(&run->started_in_window, 1);
  }
  atomic_store(&run->last_start_ns, now);
  if (now > intended && now - intended > w->max_lag_ns) {
    w->max_lag_ns = now - intended;
  }
  if (c == NULL) {
    if (measure) mtk_loadgen_results_count_outcome(&w->local, &o);
    return;
  }
  c->w = w;
  c->measure = measure;
  c->t_intended = run->t0 + intended;
  SSL *ssl = NULL;
  SSL_SESSION *session =
      cfg->tls.resume != MTK_NET_RESUME_OFF ? w->sessions[identity] : NULL;
  int err = mtk_net_tls_new_ssl(run->tls, identity, cfg->sni, cfg->verify_host,
                                session, &ssl);
  if (err == 0) {
    c->net.data = c;
    c->net.close_mode = (uint8_t)cfg->close_mode;
    c->net.session_slot =
        cfg->tls.resume != MTK_NET_RESUME_OFF ? &w->sessions[identity] : NULL;
    const struct sockaddr *src =
        cfg->num_sources > 0
            ? (const struct sockaddr *)&cfg->sources[slot % cfg->num_sources]
            : NULL;
    err = mtk_net_conn_connect(&c->net, &w->loop, ssl,
                               (const struct sockaddr *)&cfg->dst, src,
                               conn_timeout_ms(run, now), &conn_cbs);
  }
  if (err != 0) {
    // Nothing started: out of descriptors or source ports, for instance.
    o.stage = MTK_STAGE_TCP;
    if (err == -EADDRNOTAVAIL || err == -EADDRINUSE) {
      o.kind = MTK_OUTCOME_CONNECT_FAILED;
    }
    if (measure) {
      mtk_loadgen_results_count_outcome(&w->local, &o);
      w->local.counts.connections++;
    } else {
      w->local.counts.warmup++;
    }
    free(c);
    return;
  }
  w->inflight++;
  atomic_fetch_add(&run->inflight, 1);
}

// take_budget claims one connection from the run's budget.
static bool take_budget(struct mtk_loadgen_worker *w) {
  const struct mtk_loadgen_config *cfg = w->run->cfg;
  if (atomic_load(&w->run->stop)) {
    return false;
  }
  if (cfg->max_connections > 0 &&
      atomic_fetch_add(&w->run->conns_started, 1) >= cfg->max_connections) {
    return false;
  }
  return true;
}

static void schedule(struct mtk_loadgen_worker *w) {
  if (w->scheduling_done) {
    return;
  }
  struct mtk_loadgen_run *run = w->run;
  const struct mtk_loadgen_config *cfg = run->cfg;
  uint64_t now = since_t0(run);
  if (atomic_load(&run->stop) ||
      (cfg->rate <= 0 && cfg->duration_ns > 0 && now >= cfg->duration_ns)) {
    w->scheduling_done = true;
    return;
  }
  if (cfg->rate > 0 && cfg->duration_ns > 0 &&
      w->next_intended_ns >= (double)cfg->duration_ns) {
    // No arrival left inside --duration: the run still lasts until its end.
    w->scheduling_done = now >= cfg->duration_ns;
    return;
  }
  if (cfg->rate > 0) {
    // Every arrival due before the end of --duration starts, however late:
    // the schedule, not the generator's punctuality, decides the count.
    // Open loop: every arrival due by now starts, late ones keep their
    // intended start time, so waiting counts in the latency.
    while (w->next_intended_ns <= (double)now &&
           w->inflight < w->max_inflight) {
      if (cfg->duration_ns > 0 &&
          w->next_intended_ns >= (double)cfg->duration_ns) {
        w->scheduling_done = true;
        return;
      }
      if (!take_budget(w)) {
        w->scheduling_done = true;
        return;
      }
      start_conn(w, (uint64_t)w->next_intended_ns);
      w->next_intended_ns += w->interarrival_ns;
    }
  } else {
    while (w->inflight < w->concurrency) {
      if (w->backoff_ns > 0 && now < w->backoff_until_ns) {
        return;  // the tick tries again
      }
      if (!take_budget(w)) {
        w->scheduling_done = true;
        return;
      }
      start_conn(w, since_t0(run));
    }
  }
}

static void arm_arrival(struct mtk_loadgen_worker *w) {
  if (w->arrival_fd < 0 || w->scheduling_done ||
      w->inflight >= w->max_inflight) {
    return;  // the 1 ms tick picks the schedule up again
  }
  uint64_t at = w->run->t0 + (uint64_t)w->next_intended_ns;
  struct itimerspec its = {.it_value = {.tv_sec = (time_t)(at / 1000000000u),
                                        .tv_nsec = (long)(at % 1000000000u)}};
  timerfd_settime(w->arrival_fd, TFD_TIMER_ABSTIME, &its, NULL);
}

static void on_arrival(uv_poll_t *p, int status, int events) {
  (void)status;
  (void)events;
  struct mtk_loadgen_worker *w = p->data;
  uint64_t expirations;
  if (read(w->arrival_fd, &expirations, sizeof(expirations)) < 0) {
    // Nothing to read: a spurious wake-up; the schedule decides anyway.
  }
  schedule(w);
  arm_arrival(w);
  worker_maybe_finish(w);
}

static void flush(struct mtk_loadgen_worker *w) {
  pthread_mutex_lock(&w->run->mu);
  mtk_loadgen_results_merge(&w->run->pending, &w->local);
  pthread_mutex_unlock(&w->run->mu);
  mtk_loadgen_results_reset(&w->local);
}

static void on_worker_handle_closed(uv_handle_t *h) {
  struct mtk_loadgen_worker *w = h->data;
  if (--w->open_handles == 0 && w->arrival_fd >= 0) {
    close(w->arrival_fd);
    w->arrival_fd = -1;
  }
}

static void worker_maybe_finish(struct mtk_loadgen_worker *w) {
  if (w->scheduling_done && w->inflight == 0 && !w->closing) {
    w->closing = true;
    uv_close((uv_handle_t *)&w->tick, on_worker_handle_closed);
    if (w->arrival_fd >= 0) {
      uv_close((uv_handle_t *)&w->arrival, on_worker_handle_closed);
    }
  }
}

static void on_tick(uv_timer_t *t) {
  struct mtk_loadgen_worker *w = t->data;
  schedule(w);
  arm_arrival(w);
  uint64_t now = since_t0(w->run);
  if (now >= w->next_flush_ns) {
    flush(w);
    w->next_flush_ns += w->run->cfg->interval_ns;
  }
  worker_maybe_finish(w);
}

static void *worker_main(void *arg) {
  struct mtk_loadgen_worker *w = arg;
  uv_timer_start(&w->tick, on_tick, 0, 1);
  if (w->arrival_fd >= 0) {
    uv_poll_start(&w->arrival, UV_READABLE, on_arrival);
    arm_arrival(w);
  }
  uv_run(&w->loop, UV_RUN_DEFAULT);
  flush(w);
  for (size_t i = 0; i < w->num_sessions; i++) {
    SSL_SESSION_free(w->sessions[i]);
    w->sessions[i] = NULL;
  }
  atomic_fetch_add(&w->run->workers_done, 1);
  return NULL;
}

static char *format_request(const struct mtk_loadgen_config *cfg,
                            const char *conn, size_t *out_len) {
  const char *fmt =
      "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: mtlskit-loadgen/%s\r\n"
      "Accept: */*\r\nConnection: %s\r\n\r\n";
  int n = snprintf(NULL, 0, fmt, cfg->path, cfg->host_header,
                   MTK_VERSION_STRING, conn);
  char *buf = n < 0 ? NULL : malloc((size_t)n + 1);
  if (buf == NULL) {
    return NULL;
  }
  snprintf(buf, (size_t)n + 1, fmt, cfg->path, cfg->host_header,
           MTK_VERSION_STRING, conn);
  *out_len = (size_t)n;
  return buf;
}

static int build_requests(struct mtk_loadgen_run *run) {
  run->request = format_request(run->cfg, "keep-alive", &run->request_len);
  run->request_last = format_request(run->cfg, "close", &run->request_last_len);
  return run->request == NULL || run->request_last == NULL ? MTK_ENOMEM : 0;
}

int mtk_loadgen_run_start(struct mtk_loadgen_run *run,
                          const struct mtk_loadgen_config *cfg,
                          struct mtk_net_tls *tls, struct mtk_diag *diag) {
  memset(run, 0, sizeof(*run));
  run->cfg = cfg;
  run->tls = tls;
  pthread_mutex_init(&run->mu, NULL);
  int err = mtk_loadgen_results_init(&run->pending);
  if (err == 0) err = build_requests(run);
  if (err == 0) {
    run->workers = calloc(cfg->threads, sizeof(struct mtk_loadgen_worker));
    if (run->workers == NULL) err = MTK_ENOMEM;
  }
  if (err != 0) {
    return mtk_diag_set(diag, err, "cannot set up the run: %s",
                        mtk_strerror(err));
  }
  size_t num_identities = mtk_net_tls_num_identities(tls);
  for (unsigned i = 0; i < cfg->threads; i++) {
    struct mtk_loadgen_worker *w = &run->workers[i];
    w->run = run;
    w->index = i;
    w->num_sessions = num_identities;
    w->sessions = calloc(num_identities, sizeof(SSL_SESSION *));
    err =
        w->sessions == NULL ? MTK_ENOMEM : mtk_loadgen_results_init(&w->local);
    if (err == 0) err = uv_loop_init(&w->loop);
    if (err != 0) {
      return mtk_diag_set(diag, err, "cannot set up worker %u", i);
    }
    uv_timer_init(&w->loop, &w->tick);
    w->loop_ready = true;
    w->tick.data = w;
    w->open_handles = 1;
    w->arrival_fd = -1;
    if (cfg->rate > 0) {
      w->arrival_fd =
          timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
      if (w->arrival_fd < 0 ||
          uv_poll_init(&w->loop, &w->arrival, w->arrival_fd) != 0) {
        return mtk_diag_set(diag, mtk_errno_get(),
                            "cannot set up worker %u's timer", i);
      }
      w->arrival.data = w;
      w->open_handles = 2;
    }
    w->next_flush_ns = cfg->interval_ns;
    if (cfg->rate > 0) {
      w->interarrival_ns = 1e9 * cfg->threads / cfg->rate;
      w->next_intended_ns = 1e9 * i / cfg->rate;
    }
    w->concurrency = cfg->concurrency / cfg->threads +
                     (i < cfg->concurrency % cfg->threads ? 1 : 0);
    w->max_inflight = cfg->max_inflight / cfg->threads +
                      (i < cfg->max_inflight % cfg->threads ? 1 : 0);
    if (w->max_inflight == 0) w->max_inflight = 1;
  }
  run->t0 = uv_hrtime();
  for (unsigned i = 0; i < cfg->threads; i++) {
    struct mtk_loadgen_worker *w = &run->workers[i];
    err = pthread_create(&w->thread, NULL, worker_main, w);
    if (err != 0) {
      atomic_store(&run->stop, 1);
      return mtk_diag_set(diag, -err, "cannot start worker thread %u", i);
    }
    w->thread_started = true;
  }
  return 0;
}

void mtk_loadgen_run_take(struct mtk_loadgen_run *run,
                          struct mtk_loadgen_results *into) {
  pthread_mutex_lock(&run->mu);
  mtk_loadgen_results_merge(into, &run->pending);
  mtk_loadgen_results_reset(&run->pending);
  pthread_mutex_unlock(&run->mu);
}

bool mtk_loadgen_run_finished(struct mtk_loadgen_run *run) {
  return atomic_load(&run->workers_done) == run->cfg->threads;
}

void mtk_loadgen_run_join(struct mtk_loadgen_run *run) {
  if (run->workers == NULL) {
    return;
  }
  for (unsigned i = 0; i < run->cfg->threads; i++) {
    struct mtk_loadgen_worker *w = &run->workers[i];
    if (w->thread_started) {
      pthread_join(w->thread, NULL);
      w->thread_started = false;
    }
  }
}

uint64_t mtk_loadgen_run_max_lag_ns(const struct mtk_loadgen_run *run) {
  uint64_t lag = 0;
  for (unsigned i = 0; run->workers != NULL && i < run->cfg->threads; i++) {
    if (run->workers[i].max_lag_ns > lag) lag = run->workers[i].max_lag_ns;
  }
  return lag;
}

void mtk_loadgen_run_cleanup(struct mtk_loadgen_run *run) {
  mtk_loadgen_run_join(run);
  if (run->workers != NULL) {
    for (unsigned i = 0; i < run->cfg->threads; i++) {
      struct mtk_loadgen_worker *w = &run->workers[i];
      if (w->loop_ready) {
        if (!w->closing) {  // the thread never ran: close its handles here
          uv_close((uv_handle_t *)&w->tick, on_worker_handle_closed);
          if (w->open_handles == 2) {
            uv_close((uv_handle_t *)&w->arrival, on_worker_handle_closed);
          }
          uv_run(&w->loop, UV_RUN_DEFAULT);
        }
        uv_loop_close(&w->loop);
      }
      mtk_loadgen_results_cleanup(&w->local);
      free(w->sessions);
    }
    free(run->workers);
  }
  mtk_loadgen_results_cleanup(&run->pending);
  free(run->request);
  free(run->request_last);
  pthread_mutex_destroy(&run->mu);
  run->workers = NULL;
}
