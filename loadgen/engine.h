// The load generator's engine: worker threads, each with its own libuv
// loop, that open mTLS connections on an open-loop schedule (--rate) or
// keep a fixed number in flight (--concurrency), and hand their
// measurements to the main thread once per reporting interval.
#ifndef MTK_LOADGEN_ENGINE_H
#define MTK_LOADGEN_ENGINE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "mtlskit/net.h"
#include "results.h"

#define MTK_LOADGEN_MAX_SOURCES 64

struct mtk_loadgen_config {
  // target
  char host[256];
  char port[8];
  char path[1024];
  char host_header[300];
  struct sockaddr_storage dst;
  const char *sni;          // server name sent, NULL for none
  const char *verify_host;  // name the server certificate must match
  // TLS
  struct mtk_net_tls_options tls;
  // load model
  double rate;           // connections per second; 0 = closed loop
  uint64_t concurrency;  // closed loop: connections kept in flight
  uint64_t duration_ns;  // 0 = no time bound
  uint64_t warmup_ns;
  uint64_t max_connections;  // 0 = unbounded
  uint64_t max_requests;     // 0 = unbounded
  uint64_t keepalive;        // requests per connection, 0 = handshake only
  uint64_t hold_ns;          // keep a finished connection idle this long
  uint64_t timeout_ms;       // per connection and per request
  uint64_t max_inflight;
  enum mtk_net_close close_mode;
  struct sockaddr_storage sources[MTK_LOADGEN_MAX_SOURCES];
  size_t num_sources;
  unsigned threads;
  uint64_t interval_ns;  // reporting and --hdr-log interval
};

struct mtk_loadgen_run {
  const struct mtk_loadgen_config *cfg;
  struct mtk_net_tls *tls;
  uint64_t t0;  // uv_hrtime() at the start
  _Atomic uint64_t conns_started;
  _Atomic uint64_t requests_issued;
  _Atomic uint64_t inflight;
  _Atomic uint64_t started_in_window;
  _Atomic uint64_t last_start_ns;  // since t0
  _Atomic int stop;
  _Atomic unsigned workers_done;
  pthread_mutex_t mu;
  struct mtk_loadgen_results pending;  // guarded by |mu|
  char *request;                       // keep-alive request
  size_t request_len;
  char *request_last;  // the last request of a connection
  size_t request_last_len;
  struct mtk_loadgen_worker *workers;
  int first_error;  // a worker's setup failure, guarded by |mu|
};

// mtk_loadgen_run_start sets up |run| for |cfg| and |tls| (both borrowed for
// the run's life) and starts the worker threads. It returns 0 or a negative
// MTK_E* code with |diag| set.
MTK_MUST_CHECK int mtk_loadgen_run_start(struct mtk_loadgen_run *run,
                                         const struct mtk_loadgen_config *cfg,
                                         struct mtk_net_tls *tls,
                                         struct mtk_diag *diag);

// mtk_loadgen_run_take moves the measurements handed in since the last call
// into |into| (which it merges into, not replaces).
void mtk_loadgen_run_take(struct mtk_loadgen_run *run,
                          struct mtk_loadgen_results *into);

// mtk_loadgen_run_finished reports whether every worker has stopped.
bool mtk_loadgen_run_finished(struct mtk_loadgen_run *run);

// mtk_loadgen_run_join waits for the workers and frees the run's resources (not
// the pending measurements: take them first, or after, then
// mtk_loadgen_run_cleanup).
void mtk_loadgen_run_join(struct mtk_loadgen_run *run);

// mtk_loadgen_run_max_lag_ns returns how far behind its intended start time the
// latest connection started (open loop: the generator falling behind its
// schedule; closed loop: 0). Call it after mtk_loadgen_run_join.
uint64_t mtk_loadgen_run_max_lag_ns(const struct mtk_loadgen_run *run);

// mtk_loadgen_run_cleanup frees what mtk_loadgen_run_start allocated.
void mtk_loadgen_run_cleanup(struct mtk_loadgen_run *run);

#endif  // MTK_LOADGEN_ENGINE_H
