// The outcome of one connection attempt, shared by the probe (libcurl) and
// the load generator (BoringSSL), so both classify the same server
// behaviour the same way.
//
// An outcome is what the client observed, built from facts (an HTTP status,
// an alert number, an errno), never from error text: `http 200`,
// `tls-alert certificate_required (116)`, `reset`, `closed`, `timeout`,
// `connect-failed`, `dns-failed`, `server-cert-rejected`, plus
// `client-error` (a local problem such as an unreadable key) and
// `protocol-error` (bytes that are neither TLS nor HTTP), and
// `http-broken`: a response that began (a status line arrived) but did not
// complete (headers without end, a body cut short) — not a valid HTTP
// answer, so it never counts as one. The stage says
// where it happened. Under TLS 1.3 a refused client certificate shows up
// at the first read; the kind is the same as under TLS 1.2, only the stage
// differs.
#ifndef MTK_HEADER_OUTCOME_H
#define MTK_HEADER_OUTCOME_H

#include <stdbool.h>
#include <stddef.h>

#include "mtlskit/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MTK_OUTCOME_KIND_MAP(XX)                   \
  XX(NONE, "none")                                 \
  XX(HTTP, "http")                                 \
  XX(TLS_ALERT, "tls-alert")                       \
  XX(RESET, "reset")                               \
  XX(CLOSED, "closed")                             \
  XX(TIMEOUT, "timeout")                           \
  XX(CONNECT_FAILED, "connect-failed")             \
  XX(DNS_FAILED, "dns-failed")                     \
  XX(SERVER_CERT_REJECTED, "server-cert-rejected") \
  XX(CLIENT_ERROR, "client-error")                 \
  XX(PROTOCOL_ERROR, "protocol-error")             \
  XX(HTTP_BROKEN, "http-broken")

enum mtk_outcome_kind {
#define MTK_OUTCOME_KIND_ENUM(name, str) MTK_OUTCOME_##name,
  MTK_OUTCOME_KIND_MAP(MTK_OUTCOME_KIND_ENUM)
#undef MTK_OUTCOME_KIND_ENUM
      MTK_OUTCOME_KIND_COUNT
};

#define MTK_STAGE_MAP(XX)      \
  XX(NONE, "none")             \
  XX(DNS, "dns")               \
  XX(TCP, "tcp")               \
  XX(HANDSHAKE, "handshake")   \
  XX(FIRST_READ, "first-read") \
  XX(HTTP, "http")

enum mtk_stage {
#define MTK_STAGE_ENUM(name, str) MTK_STAGE_##name,
  MTK_STAGE_MAP(MTK_STAGE_ENUM)
#undef MTK_STAGE_ENUM
      MTK_STAGE_COUNT
};

struct mtk_outcome {
  enum mtk_outcome_kind kind;
  enum mtk_stage stage;
  int http_status;  // for MTK_OUTCOME_HTTP and HTTP_BROKEN, else 0
  int alert;        // TLS alert description (RFC 8446 §6) for TLS_ALERT
};

// mtk_outcome_kind_name returns the stable lower-case name of |kind|
// ("tls-alert"), used in JSON, JUnit and profiles. The string is static.
const char *mtk_outcome_kind_name(enum mtk_outcome_kind kind);

// mtk_outcome_kind_from_name looks |name| up. It returns 0 and sets
// *out_kind, or MTK_EPARSE.
MTK_MUST_CHECK int mtk_outcome_kind_from_name(const char *name,
                                              enum mtk_outcome_kind *out_kind);

// mtk_stage_name returns the stable name of |stage| ("first-read").
const char *mtk_stage_name(enum mtk_stage stage);

// mtk_tls_alert_name returns the RFC 8446 name of alert |alert|
// ("certificate_required"), or NULL for a number without a name.
const char *mtk_tls_alert_name(int alert);

// mtk_tls_alert_from_name looks up an alert by RFC name or by number
// ("116"). It returns 0 and sets *out_alert, or MTK_EPARSE.
MTK_MUST_CHECK int mtk_tls_alert_from_name(const char *name, int *out_alert);

// mtk_outcome_format writes |o| as text ("http 403",
// "tls-alert certificate_required (116)", "reset", "http-broken 200") into
// |out|. It returns 0, or MTK_ERANGE if |out_len| is too small (the text is
// then truncated).
MTK_MUST_CHECK int mtk_outcome_format(char *out, size_t out_len,
                                      const struct mtk_outcome *o);

// mtk_outcome_is_refusal reports whether |o| is the client being turned
// away before any HTTP response: a TLS alert, a reset or a close.
bool mtk_outcome_is_refusal(const struct mtk_outcome *o);

#ifdef __cplusplus
}
#endif

#endif  // MTK_HEADER_OUTCOME_H
