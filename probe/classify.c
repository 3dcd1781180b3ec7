#include "classify.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

// OpenSSL's SSL library number and the reasons that matter here
// (include/openssl/sslerr.h): an alert received is reason 1000 + alert,
// SSL_R_UNEXPECTED_EOF_WHILE_READING is the peer closing without
// close_notify.
#define OSSL_LIB_SSL 20
#define OSSL_R_ALERT_BASE 1000
#define OSSL_R_UNEXPECTED_EOF 294

// The handshake message types the trace looks for (RFC 8446 §4).
#define HS_CERTIFICATE_REQUEST 13
#define HS_FINISHED 20

void mtk_probe_tls_trace_init(struct mtk_probe_tls_trace *t) {
  memset(t, 0, sizeof(*t));
  t->alert = -1;
}

// record_type tracks the content type of the record a chunk belongs to:
// a 5-byte record header, or for TLS 1.3 the 1-byte inner content type of
// a protected record. It returns true if |data| was one of those.
static bool record_type(int *type, const unsigned char *data, size_t len) {
  if (len == 5 && data[0] >= 20 && data[0] <= 24 && data[1] == 3) {
    *type = data[0];  // record header: type, version (3, x), length
    return true;
  }
  if (len == 1 && *type == MTK_TLS_CT_APPLICATION_DATA) {
    *type = data[0];
    return true;
  }
  return false;
}

void mtk_probe_tls_trace_out(struct mtk_probe_tls_trace *t,
                             const unsigned char *data, size_t len) {
  if (len > 0) {
    t->sent = true;
  }
  if (record_type(&t->out_type, data, len)) {
    return;
  }
  if (t->out_type == MTK_TLS_CT_HANDSHAKE && len >= 4 &&
      data[0] == HS_FINISHED) {
    t->finished_out = true;
  }
}

void mtk_probe_tls_trace_in(struct mtk_probe_tls_trace *t,
                            const unsigned char *data, size_t len) {
  if (record_type(&t->content_type, data, len)) {
    return;
  }
  if (t->content_type == MTK_TLS_CT_ALERT && len == 2) {
    // Keep the first alert that says why; a close_notify that follows
    // a fatal alert must not hide it.
    if (t->alert <= 0) {
      t->alert = data[1];
      t->alert_level = data[0];
    }
    return;
  }
  if (t->content_type == MTK_TLS_CT_HANDSHAKE && len >= 4) {
    if (data[0] == HS_CERTIFICATE_REQUEST) {
      t->cert_requested = true;
    } else if (data[0] == HS_FINISHED) {
      t->finished_in = true;
    }
  }
}

bool mtk_probe_tls_trace_done(const struct mtk_probe_tls_trace *t) {
  return t->finished_in && t->finished_out;
}

void mtk_probe_facts_init(struct mtk_probe_facts *f) {
  memset(f, 0, sizeof(*f));
  f->alert = -1;
}

unsigned long mtk_probe_ssl_error_from_text(const char *text) {
  const char *p = text;
  while (p != NULL && (p = strstr(p, "error:")) != NULL) {
    p += 6;
    unsigned long code = 0;
    size_t n = 0;
    while (n < 8) {
      char c = p[n];
      int v;
      if (c >= '0' && c <= '9') {
        v = c - '0';
      } else if (c >= 'a' && c <= 'f') {
        v = c - 'a' + 10;
      } else if (c >= 'A' && c <= 'F') {
        v = c - 'A' + 10;
      } else {
        break;
      }
      code = code * 16 + (unsigned long)v;
      n++;
    }
    if (n == 8 && p[8] == ':') {
      return code;
    }
  }
  return 0;
}

// ssl_reason returns the SSL-library reason in a packed OpenSSL error code,
// in the OpenSSL 3 layout (lib in bits 23..30) or the 1.1 one (lib in bits
// 24..31, reason in the low 12 bits), or -1 for another library.
static long ssl_reason(unsigned long e) {
  if (((e >> 23) & 0xFF) == OSSL_LIB_SSL && (e & 0x80000000UL) == 0) {
    return (long)(e & 0x7FFFFF);
  }
  if (((e >> 24) & 0xFF) == OSSL_LIB_SSL) {
    return (long)(e & 0xFFF);
  }
  return -1;
}

static bool is_reset_errno(long e) {
  return e == ECONNRESET || e == EPIPE || e == ECONNABORTED;
}

static bool is_client_error(int code) {
  switch (code) {
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_FAILED_INIT:
    case CURLE_URL_MALFORMAT:
    case CURLE_NOT_BUILT_IN:
    case CURLE_OUT_OF_MEMORY:
    case CURLE_BAD_FUNCTION_ARGUMENT:
    case CURLE_UNKNOWN_OPTION:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ENGINE_INITFAILED:
      return true;
    default:
      return false;
  }
}

static enum mtk_outcome_kind classify_kind(const struct mtk_probe_facts *f,
                                           int *out_alert) {
  int code = f->curl_code;
  *out_alert = 0;
  if (code == CURLE_OK) {
    return f->http_status > 0 ? MTK_OUTCOME_HTTP : MTK_OUTCOME_PROTOCOL_ERROR;
  }
  if (f->deadline) {
    // The run's deadline, not the server, ended the attempt.
    return MTK_OUTCOME_TIMEOUT;
  }
  if (f->http_status > 0) {
    // A status line arrived and the response then failed to complete: not
    // an HTTP answer, unless it was the probe that stopped reading a body
    // longer than it keeps.
    return f->body_capped && code == CURLE_WRITE_ERROR
               ? MTK_OUTCOME_HTTP
               : MTK_OUTCOME_HTTP_BROKEN;
  }
  if (code == CURLE_OPERATION_TIMEDOUT) {
    return MTK_OUTCOME_TIMEOUT;
  }
  if (code == CURLE_COULDNT_RESOLVE_HOST ||
      code == CURLE_COULDNT_RESOLVE_PROXY) {
    return MTK_OUTCOME_DNS_FAILED;
  }
  if (code == CURLE_COULDNT_CONNECT) {
    // A peer that accepts and resets at once is seen by curl while it
    // still checks the connect (SO_ERROR): that is a reset, not a port
    // nobody listens on (ECONNREFUSED).
    return is_reset_errno(f->os_errno) ? MTK_OUTCOME_RESET
                                       : MTK_OUTCOME_CONNECT_FAILED;
  }
  if (is_client_error(code)) {
    return MTK_OUTCOME_CLIENT_ERROR;
  }
  // The alert record itself is the best fact: it is there whether curl
  // ends with 35 (TLS 1.2), 56 (TLS 1.3), 60/98 (special cases of 35) or
  // even a reset that followed the alert.
  long reason = f->ssl_error != 0 ? ssl_reason(f->ssl_error) : -1;
  int alert = f->alert;
  if (alert <= 0 && reason > OSSL_R_ALERT_BASE &&
      reason < OSSL_R_ALERT_BASE + 256) {
    alert = (int)(reason - OSSL_R_ALERT_BASE);
  }
  if (alert <= 0 && code == CURLE_SSL_CLIENTCERT) {
    // curl returns 98 only for SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED.
    alert = 116;
  }
  if (alert > 0) {
    *out_alert = alert;
    return MTK_OUTCOME_TLS_ALERT;
  }
  if (code == CURLE_PEER_FAILED_VERIFICATION) {
    return MTK_OUTCOME_SERVER_CERT_REJECTED;
  }
  if (is_reset_errno(f->os_errno)) {
    return MTK_OUTCOME_RESET;
  }
  switch (code) {
    case CURLE_GOT_NOTHING:
      return MTK_OUTCOME_CLOSED;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
      // No errno and no alert: EOF, with close_notify (alert 0) or
      // without (SSL_R_UNEXPECTED_EOF_WHILE_READING, or no SSL error at
      // all). Any other SSL reason is bytes that are not a TLS peer
      // refusing us (e.g. "wrong version number" from a plain HTTP port).
      if (f->alert == 0 || reason <= 0 || reason == OSSL_R_UNEXPECTED_EOF) {
        return MTK_OUTCOME_CLOSED;
      }
      return MTK_OUTCOME_PROTOCOL_ERROR;
    default:
      return MTK_OUTCOME_PROTOCOL_ERROR;
  }
}

// implies_connected reports whether curl only returns |code| once TCP is
// up (the TLS and transfer codes), whatever the connect timer says.
static bool implies_connected(int code) {
  switch (code) {
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CLIENTCERT:
    case CURLE_GOT_NOTHING:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_WEIRD_SERVER_REPLY:
      return true;
    default:
      return false;
  }
}

void mtk_probe_classify(const struct mtk_probe_facts *f,
                        struct mtk_outcome *out) {
  int alert = 0;
  bool connected = f->tcp_connected || implies_connected(f->curl_code);
  out->kind = classify_kind(f, &alert);
  bool http =
      out->kind == MTK_OUTCOME_HTTP || out->kind == MTK_OUTCOME_HTTP_BROKEN;
  out->http_status = http ? (int)f->http_status : 0;
  out->alert = alert;
  if (http) {
    out->stage = MTK_STAGE_HTTP;
  } else if (out->kind == MTK_OUTCOME_DNS_FAILED) {
    out->stage = MTK_STAGE_DNS;
  } else if (out->kind == MTK_OUTCOME_CLIENT_ERROR && !connected) {
    out->stage = MTK_STAGE_NONE;
  } else if (!connected) {
    out->stage = MTK_STAGE_TCP;
  } else if (f->http_status > 0) {
    out->stage = MTK_STAGE_HTTP;  // e.g. the deadline during the body
  } else if (!f->tls_done) {
    out->stage = MTK_STAGE_HANDSHAKE;
  } else {
    out->stage = MTK_STAGE_FIRST_READ;
  }
}

int mtk_probe_facts_format(char *out, size_t out_len,
                           const struct mtk_probe_facts *f) {
  char alert[32] = "";
  char ssl[32] = "";
  if (f->alert >= 0) {
    snprintf(alert, sizeof(alert), ", alert %d", f->alert);
  }
  if (f->ssl_error != 0) {
    snprintf(ssl, sizeof(ssl), ", ssl %08lX", f->ssl_error);
  }
  int n = snprintf(out, out_len, "curl %d, errno %ld%s%s, %s%s%s", f->curl_code,
                   f->os_errno, alert, ssl,
                   f->tls_done        ? "tls done"
                   : f->tcp_connected ? "tcp done"
                                      : "not connected",
                   f->deadline ? ", deadline" : "",
                   f->body_capped ? ", body capped" : "");
  if (n < 0 || (size_t)n >= out_len) {
    return MTK_ERANGE;
  }
  return 0;
}
