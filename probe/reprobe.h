// The read-before-write re-probe: a small OpenSSL client of the probe's own
// that connects to where an attempt connected, completes the TLS handshake
// with the case's identity, sends nothing, and reads what the server says
// first. Under TLS 1.3 a server refuses a client certificate only after
// the client's handshake is done, so libcurl has usually written its
// request by then; a server that closes on those unread bytes resets the
// connection, and when the reset beats the alert (libcurl's write fails
// first) the alert is lost and the attempt reads as a plain reset. With
// nothing written there is nothing unread on the server, and the alert
// arrives ahead of any close.
//
// Debian's OpenSSL 3 (the one libcurl links), never BoringSSL. libcurl's
// connect-only mode was not used: its connection cache closes an idle
// connection that has data waiting, which is exactly this one.
#ifndef MTK_PROBE_REPROBE_H
#define MTK_PROBE_REPROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "classify.h"
#include "identity.h"
#include "mtlskit/diag.h"
#include "mtlskit/outcome.h"

#ifdef __cplusplus
extern "C" {
#endif

struct mtk_probe_reprobe {
  // What to do, set by the caller.
  const char *ip;  // numeric address the first attempt connected to
  unsigned port;
  const char *host;  // SNI and the name the server certificate must
                     // carry (an IP literal: no SNI, IP check)
  const struct mtk_probe_identity *id;  // NULL: send no certificate
  const char *cacert;                   // NULL: the default trust store
  bool insecure;                        // do not verify the server
  int tls;                              // 0 (1.2 or 1.3), 12 or 13
  uint64_t wait_ms;                     // the whole re-probe, connect included
  // What happened, set by mtk_probe_reprobe_run: the facts as libcurl's
  // would read for the same event (curl_code is the CURLcode libcurl
  // returns for it: 7, 35, 56, 60, 28), classified the same way.
  struct mtk_probe_facts facts;
  struct mtk_outcome outcome;
  int64_t total_us;
  char detail[256];
};

// mtk_probe_reprobe_run runs the |n| re-probes of |v|, at most |parallel|
// at a time, each bounded by its wait_ms and all by the absolute
// CLOCK_MONOTONIC time |deadline_us| (a re-probe it cuts has
// facts.deadline set). It returns 0, or MTK_ENOMEM / MTK_EINTERNAL with
// the detail in |diag|; a re-probe that fails on the network is an
// outcome, not an error.
MTK_MUST_CHECK int mtk_probe_reprobe_run(struct mtk_probe_reprobe *v, size_t n,
                                         size_t parallel, int64_t deadline_us,
                                         struct mtk_diag *diag);

// mtk_probe_now_us returns CLOCK_MONOTONIC in microseconds.
int64_t mtk_probe_now_us(void);

#ifdef __cplusplus
}
#endif

#endif  // MTK_PROBE_REPROBE_H
