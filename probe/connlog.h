// Connection logs: the lines an AWS Application Load Balancer (or mtlskit
// serve) writes per connection, in the documented field order
// (docs/platforms.md §1.4): time, client IP, client port, listener port,
// TLS protocol, cipher, handshake latency, leaf subject (quoted), leaf
// validity, leaf serial, tls_verify_status, connection trace id; fields
// added after those are ignored. `probe --connection-log` matches them to
// its attempts, so a refusal shows the reason the platform stated.
#ifndef MTK_PROBE_CONNLOG_H
#define MTK_PROBE_CONNLOG_H

#include <stdbool.h>
#include <stddef.h>

#include "mtlskit/diag.h"
#include "plan.h"

#ifdef __cplusplus
extern "C" {
#endif

struct mtk_probe_connlog_entry {
  char client_ip[64];
  unsigned client_port;
  unsigned listener_port;
  char serial[64];  // upper-case hex without leading zeros, "-" if none
  char status[96];  // tls_verify_status: "Success", "Failed:ClientCertExpired"
};

struct mtk_probe_connlog {
  struct mtk_probe_connlog_entry *entries;
  size_t num_entries;
  size_t malformed;  // lines that are not connection-log lines
  size_t files;
};

// mtk_probe_connlog_parse_line parses one log line into |out|. It returns
// false for a line that is not a connection-log line (too few fields, a
// port that is not a number, an unterminated subject, a status that is
// neither Success nor Failed:CODE).
bool mtk_probe_connlog_parse_line(const char *line,
                                  struct mtk_probe_connlog_entry *out);

// mtk_probe_connlog_load adds the lines of |path| to |log|: a file, plain
// or gzip (as ALB delivers them to S3), or a directory whose files are
// read in name order. Malformed lines are counted, never fatal. It fails
// only when |path| cannot be read (|diag| names it).
MTK_MUST_CHECK int mtk_probe_connlog_load(struct mtk_probe_connlog *log,
                                          const char *path,
                                          struct mtk_diag *diag);

// mtk_probe_connlog_cleanup frees |log|'s entries and zeroes it.
void mtk_probe_connlog_cleanup(struct mtk_probe_connlog *log);

// mtk_probe_connlog_apply matches every attempt of |r| that ran to a line
// of |log| (same listener port; the case's leaf serial, or for a case
// without a certificate the attempt's client port) and fills its |logged|
// record: the stated status and, where every defect of the case has an
// ALB reason code, whether the stated one is among them. It returns the
// number of attempts matched.
size_t mtk_probe_connlog_apply(const struct mtk_probe_connlog *log,
                               struct mtk_probe_run *r);

#ifdef __cplusplus
}
#endif

#endif  // MTK_PROBE_CONNLOG_H
