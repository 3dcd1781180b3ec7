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
#include <stdio.h>

#include "mtlskit/diag.h"
#include "plan.h"

#ifdef __cplusplus
extern "C" {
#endif

struct mtk_probe_connlog_entry {
  double time;  // seconds since the epoch (the line's timestamp)
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

// mtk_probe_connlog_expected writes into |out| the tls_verify_status
// values the case of |a| may be logged with ("Success" for a valid one,
// "Failed:ClientCertCrlHit" for a revoked one, several joined by "|" when
// the case has several defects) and returns true; it returns false, with
// |out| empty, when a defect's code is not settled or the profile refuses
// the case's key type.
bool mtk_probe_connlog_expected(const struct mtk_probe_attempt *a, char *out,
                                size_t out_len);

// mtk_probe_connlog_allows tells whether |stated| is one of the "|"-joined
// |expected| values.
bool mtk_probe_connlog_allows(const char *expected, const char *stated);

// How far a line's timestamp may lie outside its attempt's start and end:
// the clocks of the prober and the platform differ, and the platform stamps
// the connection when the handshake ends.
#define MTK_PROBE_CONNLOG_SLACK_S 5.0

// mtk_probe_connlog_find returns the line of |log| for an attempt on
// |listener_port| (0: any) between |t_from| and |t_to| (seconds since the
// epoch, widened by MTK_PROBE_CONNLOG_SLACK_S) that sent the certificate
// with |serial| (any case of hex, leading zeros or not), or, with no
// certificate (NULL or "-"), the line without one from |client_port|; the
// line closest to |t_from| when several match, NULL when none.
const struct mtk_probe_connlog_entry *mtk_probe_connlog_find(
    const struct mtk_probe_connlog *log, unsigned listener_port,
    const char *serial, unsigned client_port, double t_from, double t_to);

// mtk_probe_connlog_apply matches every attempt of |r| that ran to a line
// of |log| (same listener port; the case's leaf serial, or for a case
// without a certificate the attempt's client port) and fills its |logged|
// record: the stated status and, where every defect of the case has an
// ALB reason code, whether the stated one is among them. It returns the
// number of attempts matched.
size_t mtk_probe_connlog_apply(const struct mtk_probe_connlog *log,
                               struct mtk_probe_run *r);

// mtk_probe_connlog_print_stats prints one line on |out|: the lines and
// files read, the malformed lines, and |matched| of |ran| attempts matched.
void mtk_probe_connlog_print_stats(FILE *out,
                                   const struct mtk_probe_connlog *log,
                                   size_t matched, size_t ran);

#ifdef __cplusplus
}
#endif

#endif  // MTK_PROBE_CONNLOG_H
