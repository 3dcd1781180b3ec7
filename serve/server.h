// The mtlskit serve event loop: a libuv listener, TLS through mtk::net,
// the platform decision through mtlskit/serve.h, and the built-in echo
// backend. Private to serve/.
#ifndef MTK_SERVE_SERVER_H
#define MTK_SERVE_SERVER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include "mtlskit/diag.h"
#include "mtlskit/serve.h"

#define MTK_SERVE_MAX_CRLS 32

struct mtk_serve_config {
  enum mtk_serve_profile profile;
  const char *cert_file;
  const char *key_file;
  const char *truststore;  // NULL allowed for alb-passthrough only
  const char *crl_files[MTK_SERVE_MAX_CRLS];
  size_t num_crls;
  bool allow_expired;
  bool advertise_ca_names;
  bool apigw_refuse_tls;
  struct sockaddr_storage listen;
  int tls_version;             // 0 (1.2 and 1.3), 12 or 13
  uint64_t max_connections;    // 0: no limit
  uint64_t duration_ms;        // 0: until a signal
  uint64_t timeout_ms;         // handshake, and each request after it
  uint64_t max_requests;       // per connection
  uint64_t blinding_ms;        // delay before a TLS refusal's close_notify
  const char *ready_file;      // NULL: none
  bool quiet;                  // no connection log lines on the output
  const char *connection_log;  // NULL, or a file the lines are appended to
};

// mtk_serve_run serves until |config|'s duration or connection count is
// reached or SIGINT/SIGTERM arrives. It prints the ready line and one
// connection-log line per connection on |log| (and, with
// |config|->connection_log, appended to that file, whatever --quiet says).
// It returns 0, or a negative code with |diag| when the server could not
// start or the connection log cannot be opened.
MTK_MUST_CHECK int mtk_serve_run(const struct mtk_serve_config *config,
                                 FILE *log, struct mtk_diag *diag);

#endif  // MTK_SERVE_SERVER_H
