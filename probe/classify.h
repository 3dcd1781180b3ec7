// Outcome classification: from what libcurl and the TLS record trace tell
// us about one attempt (the facts) to one struct mtk_outcome.
//
// Only facts are used: the CURLcode, CURLINFO_OS_ERRNO, the HTTP status,
// whether TCP and TLS completed (CURLINFO_*_TIME_T), the alert record the
// server sent (seen in CURLINFO_SSL_DATA_IN debug data) and the OpenSSL
// packed error code. English error text is never parsed, so the result
// does not change with curl's or OpenSSL's wording, and the same server
// behaviour gives the same kind under TLS 1.2 (refused in SSL_connect,
// curl 35/60/98) and TLS 1.3 (refused at the first SSL_read, curl 56):
// docs/platforms.md §6.1, §6.2.
#ifndef MTK_PROBE_CLASSIFY_H
#define MTK_PROBE_CLASSIFY_H

#include <stdbool.h>
#include <stddef.h>

#include "mtlskit/outcome.h"

#ifdef __cplusplus
extern "C" {
#endif

// The TLS record content types of RFC 8446 §5.1 that the trace tracks.
#define MTK_TLS_CT_ALERT 21
#define MTK_TLS_CT_HANDSHAKE 22
#define MTK_TLS_CT_APPLICATION_DATA 23

// What OpenSSL's message callback passed up, one chunk at a time, through
// curl's CURLINFO_SSL_DATA_IN debug data: a 5-byte record header, for TLS
// 1.3 a 1-byte inner content type, then the message itself (an alert is 2
// bytes: level, description).
struct mtk_probe_tls_trace {
  int content_type;     // content type of the record being read, 0 unknown
  int out_type;         // the same for the record being written
  int alert;            // first alert other than close_notify, else 0
                        // (close_notify) or -1 (no alert received)
  int alert_level;      // 1 warning, 2 fatal, 0 none
  bool cert_requested;  // the server sent a CertificateRequest
  bool sent;            // we sent TLS bytes (so TCP was connected)
  bool finished_in;     // the server's Finished arrived
  bool finished_out;    // we sent our Finished
};

// mtk_probe_tls_trace_done reports whether both Finished messages went by:
// the handshake is complete from the client's side (under TLS 1.3 the
// client's Finished is the last message; under 1.2 the server's). libcurl
// does not always say so itself: over HTTP/2 a connection that fails while
// curl writes its preface has no CURLINFO_APPCONNECT_TIME_T.
bool mtk_probe_tls_trace_done(const struct mtk_probe_tls_trace *t);

// mtk_probe_tls_trace_init sets |t| to "nothing seen".
void mtk_probe_tls_trace_init(struct mtk_probe_tls_trace *t);

// mtk_probe_tls_trace_in feeds one CURLINFO_SSL_DATA_IN chunk of |len|
// bytes into |t|. Chunks that are not understood are ignored.
void mtk_probe_tls_trace_in(struct mtk_probe_tls_trace *t,
                            const unsigned char *data, size_t len);

// mtk_probe_tls_trace_out feeds one CURLINFO_SSL_DATA_OUT chunk (the
// same layout, what we sent).
void mtk_probe_tls_trace_out(struct mtk_probe_tls_trace *t,
                             const unsigned char *data, size_t len);

// The facts about one finished attempt.
struct mtk_probe_facts {
  int curl_code;            // CURLcode of the transfer
  long os_errno;            // CURLINFO_OS_ERRNO, 0 if none
  long http_status;         // CURLINFO_RESPONSE_CODE, 0 if no response
  int http_version;         // of the response: 10, 11, 20, 30; 0 if none
  bool tcp_connected;       // CURLINFO_CONNECT_TIME_T > 0
  bool tls_done;            // CURLINFO_APPCONNECT_TIME_T > 0
  int alert;                // from the trace: -1 none, 0 close_notify, else #
  unsigned long ssl_error;  // OpenSSL packed error code, 0 if none
  bool deadline;            // the overall --deadline cut the attempt short
  bool body_capped;         // the probe stopped reading a long body itself
};

// mtk_probe_facts_init sets |f| to "nothing happened yet".
void mtk_probe_facts_init(struct mtk_probe_facts *f);

// mtk_probe_ssl_error_from_text extracts the packed OpenSSL error code
// from the "error:0A000418:" token curl writes into CURLOPT_ERRORBUFFER
// (the code, not the words after it). It returns 0 if |text| has none.
unsigned long mtk_probe_ssl_error_from_text(const char *text);

// mtk_probe_classify turns |f| into |out| (kind, stage, HTTP status,
// alert). Every CURLcode gets a kind; codes without a better home become
// MTK_OUTCOME_PROTOCOL_ERROR. A response whose status line arrived but
// which then failed (curl 27 endless header line, 56 headers too large,
// 18 or 28 body cut short, 23 headers over the probe's own limit) is
// MTK_OUTCOME_HTTP_BROKEN, never HTTP; the one exception is a body the
// probe stopped reading itself (|f|->body_capped with curl 23): the
// response is judged by its status.
void mtk_probe_classify(const struct mtk_probe_facts *f,
                        struct mtk_outcome *out);

// mtk_probe_facts_format writes the facts as one short line ("curl 56,
// errno 104, alert 45, tls done") into |out|, for the report's "why"
// column. It returns 0, or MTK_ERANGE if |out_len| is too small.
MTK_MUST_CHECK int mtk_probe_facts_format(char *out, size_t out_len,
                                          const struct mtk_probe_facts *f);

#ifdef __cplusplus
}
#endif

#endif  // MTK_PROBE_CLASSIFY_H
