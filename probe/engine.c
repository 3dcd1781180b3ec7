#include "engine.h"

#include <curl/curl.h>
#include <curl/mprintf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "albexpect.h"
#include "classify.h"
#include "echo.h"
#include "identity.h"
#include "reprobe.h"

// What the probe reads of one response. The status decides a case, so a
// body is read up to BODY_MAX (an echo of ALB's 64 KiB of request headers
// fits many times over) and the transfer is then stopped: the response
// still counts by its status (facts.body_capped). Response headers over
// HEADERS_MAX (libcurl's own limits are 100 KiB a line and, since 7.83,
// 300 KiB in all) stop the transfer too, and the response is broken.
#define BODY_MAX (1024 * 1024)
// A refusal that took this long is reported as delayed.
#define DELAYED_REFUSAL_US 1000000
#define HEADERS_MAX (64 * 1024)

// The identities of the cases a run uses, parsed once, with the ALB
// header values each must produce when some target checks them.
struct identity_cache {
  const struct mtk_probe_case **cases;
  struct mtk_probe_identity **ids;
  struct mtk_probe_alb_expected *alb;
  size_t num;
};

static void identity_cache_free(struct identity_cache *c) {
  for (size_t i = 0; i < c->num; i++) {
    mtk_probe_identity_free(c->ids[i]);
    if (c->alb != NULL) {
      mtk_probe_alb_expected_cleanup(&c->alb[i]);
    }
  }
  free(c->cases);
  free(c->ids);
  free(c->alb);
}

static size_t identity_index(const struct identity_cache *c,
                             const struct mtk_probe_case *k) {
  for (size_t i = 0; i < c->num; i++) {
    if (c->cases[i] == k) {
      return i;
    }
  }
  return c->num;
}

static const struct mtk_probe_identity *identity_find(
    const struct identity_cache *c, const struct mtk_probe_case *k) {
  size_t i = identity_index(c, k);
  return i < c->num ? c->ids[i] : NULL;
}

// alb_expected_find returns what ALB must add for case |k|'s certificate,
// or NULL if the case sends none.
static const struct mtk_probe_alb_expected *alb_expected_find(
    const struct identity_cache *c, const struct mtk_probe_case *k) {
  size_t i = identity_index(c, k);
  return i < c->num && c->alb != NULL ? &c->alb[i] : NULL;
}

// identity_cache_load parses the identity of every case that runs and
// sends a certificate.
static int identity_cache_load(struct identity_cache *c,
                               const struct mtk_probe_run *r,
                               struct mtk_diag *diag) {
  bool any_alb = false;
  for (size_t i = 0; i < r->num_attempts; i++) {
    any_alb =
        any_alb || (r->attempts[i].run &&
                    r->attempts[i].target->alb_headers != MTK_PROBE_ALB_OFF);
  }
  c->cases = calloc(r->num_attempts + 1, sizeof(*c->cases));
  c->ids = calloc(r->num_attempts + 1, sizeof(*c->ids));
  if (c->cases == NULL || c->ids == NULL) {
    return MTK_ENOMEM;
  }
  if (any_alb &&
      (c->alb = calloc(r->num_attempts + 1, sizeof(*c->alb))) == NULL) {
    return MTK_ENOMEM;
  }
  for (size_t i = 0; i < r->num_attempts; i++) {
    const struct mtk_probe_case *k = r->attempts[i].kase;
    if (!r->attempts[i].run || k->cert == NULL || identity_find(c, k) != NULL) {
      continue;
    }
    int err = mtk_probe_identity_load(k->cert, k->key, &c->ids[c->num], diag);
    if (err == 0 && c->alb != NULL) {
      const struct mtk_probe_identity *id = c->ids[c->num];
      err = mtk_probe_alb_expected_make(mtk_probe_identity_leaf(id),
                                        mtk_probe_identity_chain(id),
                                        &c->alb[c->num], diag);
    }
    // Counted even on failure, so identity_cache_free frees what exists.
    c->cases[c->num++] = k;
    if (err != 0) {
      return mtk_diag_prefix(diag, err, "case %s", k->name);
    }
  }
  return 0;
}

static CURLcode on_ssl_ctx(CURL *easy, void *ssl_ctx, void *ud) {
  (void)easy;
  return mtk_probe_identity_apply(ud, ssl_ctx) == 0 ? CURLE_OK
                                                    : CURLE_SSL_CERTPROBLEM;
}

struct target_queue;

// Per in-flight attempt state; freed when the attempt ends.
struct slot {
  size_t index;                // in the engine's slot table
  struct target_queue *queue;  // of the attempt's target
  struct mtk_probe_attempt *attempt;
  CURL *easy;
  struct curl_slist *resolve;
  struct curl_slist *connect_to;
  struct curl_slist *headers;
  char *url;  // rewritten when --sni is set
  struct mtk_probe_tls_trace trace;
  int64_t t_start;      // now_us() when the attempt was handed to curl
  int64_t t_first_out;  // now_us() at the first TLS byte sent, 0: none
  char errbuf[CURL_ERROR_SIZE];
  // The response body, kept only for --alb-headers.
  char *body;
  size_t body_len;    // bytes received (kept or not)
  size_t body_cap;    // allocated for |body|
  bool body_over;     // longer than BODY_MAX: the probe stopped reading
  bool body_oom;      // out of memory while keeping it
  size_t header_len;  // response header bytes received
  bool headers_over;  // over HEADERS_MAX: the probe stopped reading
};

static int64_t now_us(void) { return mtk_probe_now_us(); }

// on_header counts the response header bytes (every line, including
// those of 1xx responses) and stops the transfer past HEADERS_MAX.
static size_t on_header(char *ptr, size_t size, size_t nmemb, void *ud) {
  struct slot *s = ud;
  size_t n = size * nmemb;
  (void)ptr;
  if (n > HEADERS_MAX - s->header_len) {
    s->headers_over = true;
    return 0;  // curl ends the transfer with CURLE_WRITE_ERROR
  }
  s->header_len += n;
  return n;
}

// on_body reads the body up to BODY_MAX, keeping it for the ALB header
// check when |keep|, and then stops the transfer.
static size_t on_body(struct slot *s, const char *ptr, size_t n, bool keep) {
  if (n > BODY_MAX - s->body_len) {
    s->body_over = true;
    return 0;  // CURLE_WRITE_ERROR, read as "the probe stopped here"
  }
  if (keep && !s->body_oom && s->body_len + n > s->body_cap) {
    size_t cap = s->body_cap > 0 ? s->body_cap : 16384;
    while (cap < s->body_len + n) {
      cap *= 2;
    }
    char *grown = realloc(s->body, cap);
    if (grown == NULL) {
      s->body_oom = true;
    } else {
      s->body = grown;
      s->body_cap = cap;
    }
  }
  if (keep && !s->body_oom) {
    memcpy(s->body + s->body_len, ptr, n);
  }
  s->body_len += n;
  return n;
}

static size_t discard_body(char *ptr, size_t size, size_t nmemb, void *ud) {
  return on_body(ud, ptr, size * nmemb, false);
}

// keep_body stores the body for the ALB header check.
static size_t keep_body(char *ptr, size_t size, size_t nmemb, void *ud) {
  return on_body(ud, ptr, size * nmemb, true);
}

// on_debug feeds the TLS records OpenSSL passed up (through curl's
// ossl_trace) into the trace; everything else curl says is ignored.
static int on_debug(CURL *easy, curl_infotype type, char *data, size_t size,
                    void *ud) {
  struct slot *s = ud;
  (void)easy;
  if (type == CURLINFO_SSL_DATA_IN) {
    mtk_probe_tls_trace_in(&s->trace, (const unsigned char *)data, size);
  } else if (type == CURLINFO_SSL_DATA_OUT) {
    // The ClientHello goes out the moment TCP is connected: its time is
    // the connect time when curl reports none (a failed handshake).
    if (s->t_first_out == 0 && size > 0) {
      s->t_first_out = now_us();
    }
    mtk_probe_tls_trace_out(&s->trace, (const unsigned char *)data, size);
  }
  return 0;
}

static void slot_free(struct slot *s) {
  if (s == NULL) {
    return;
  }
  if (s->easy != NULL) {
    curl_easy_cleanup(s->easy);
  }
  curl_slist_free_all(s->resolve);
  curl_slist_free_all(s->connect_to);
  curl_slist_free_all(s->headers);
  free(s->url);
  free(s->body);
  free(s);
}

static int slist_from(const struct mtk_probe_strv *sv,
                      struct curl_slist **out) {
  for (size_t i = 0; i < sv->num; i++) {
    struct curl_slist *n = curl_slist_append(*out, sv->v[i]);
    if (n == NULL) {
      return MTK_ENOMEM;
    }
    *out = n;
  }
  return 0;
}

// apply_sni rewrites the URL's host to |sni| (so curl sends it in SNI and
// Host) and adds a connect-to entry that still reaches the original host.
static int apply_sni(struct slot *s, const struct mtk_probe_target *t,
                     struct mtk_diag *diag) {
  CURLU *u = curl_url();
  char *host = NULL;
  char *port = NULL;
  int err = MTK_EPARSE;
  if (u == NULL) {
    return MTK_ENOMEM;
  }
  if (curl_url_set(u, CURLUPART_URL, t->url, 0) != CURLUE_OK ||
      curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
      curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK ||
      curl_url_set(u, CURLUPART_HOST, t->sni, 0) != CURLUE_OK ||
      curl_url_get(u, CURLUPART_URL, &s->url, 0) != CURLUE_OK) {
    err = mtk_diag_set(diag, MTK_EPARSE, "target %s: cannot apply --sni %s",
                       t->name, t->sni);
    goto out;
  }
  char entry[1024];
  snprintf(entry, sizeof(entry), "%s:%s:%s:%s", t->sni, port, host, port);
  struct curl_slist *n = curl_slist_append(s->connect_to, entry);
  if (n == NULL) {
    err = MTK_ENOMEM;
    goto out;
  }
  s->connect_to = n;
  err = 0;
out:
  curl_free(host);
  curl_free(port);
  curl_url_cleanup(u);
  return err;
}

#define SETOPT(opt, val)                                                 \
  do {                                                                   \
    if (curl_easy_setopt(s->easy, opt, val) != CURLE_OK) {               \
      err = mtk_diag_set(diag, MTK_EINTERNAL, "libcurl rejected " #opt); \
      goto out;                                                          \
    }                                                                    \
  } while (0)

static int slot_start(CURLM *multi, struct mtk_probe_attempt *a,
                      const struct mtk_probe_config *c,
                      const struct identity_cache *ids, struct slot **out,
                      struct mtk_diag *diag) {
  const struct mtk_probe_target *t = a->target;
  int err = MTK_ENOMEM;
  struct slot *s = calloc(1, sizeof(*s));
  if (s == NULL) {
    return MTK_ENOMEM;
  }
  s->attempt = a;
  mtk_probe_tls_trace_init(&s->trace);
  if ((s->easy = curl_easy_init()) == NULL) {
    goto out;
  }
  if ((err = slist_from(&t->resolve, &s->resolve)) != 0 ||
      (err = slist_from(&t->connect_to, &s->connect_to)) != 0 ||
      (err = slist_from(&t->headers, &s->headers)) != 0) {
    goto out;
  }
  // The forged X-Amzn-Mtls-* headers: a load balancer must not let them
  // reach the backend, so finding one in the echo fails the attempt.
  for (size_t i = 0; t->alb_headers != MTK_PROBE_ALB_OFF &&
                     mtk_probe_alb_forged_header(i) != NULL;
       i++) {
    struct curl_slist *n =
        curl_slist_append(s->headers, mtk_probe_alb_forged_header(i));
    if (n == NULL) {
      err = MTK_ENOMEM;
      goto out;
    }
    s->headers = n;
  }
  if (t->sni != NULL && (err = apply_sni(s, t, diag)) != 0) {
    goto out;
  }
  long timeout = (long)(t->timeout_ms != 0 ? t->timeout_ms : c->timeout_ms);
  SETOPT(CURLOPT_URL, s->url != NULL ? s->url : t->url);
  SETOPT(CURLOPT_PRIVATE, s);
  SETOPT(CURLOPT_NOSIGNAL, 1L);
  SETOPT(CURLOPT_PROTOCOLS_STR, "https");
  SETOPT(CURLOPT_TIMEOUT_MS, timeout);
  SETOPT(CURLOPT_CONNECTTIMEOUT_MS, timeout);
  // Every attempt is its own connection and its own TLS session: a reused
  // connection or resumed session would carry another case's identity.
  SETOPT(CURLOPT_FORBID_REUSE, 1L);
  SETOPT(CURLOPT_FRESH_CONNECT, 1L);
  SETOPT(CURLOPT_SSL_SESSIONID_CACHE, 0L);
  SETOPT(CURLOPT_ERRORBUFFER, s->errbuf);
  SETOPT(CURLOPT_WRITEFUNCTION,
         t->alb_headers != MTK_PROBE_ALB_OFF ? keep_body : discard_body);
  SETOPT(CURLOPT_WRITEDATA, s);
  SETOPT(CURLOPT_HEADERFUNCTION, on_header);
  SETOPT(CURLOPT_HEADERDATA, s);
  // The debug callback only receives TLS records with CURLOPT_VERBOSE.
  SETOPT(CURLOPT_VERBOSE, 1L);
  SETOPT(CURLOPT_DEBUGFUNCTION, on_debug);
  SETOPT(CURLOPT_DEBUGDATA, s);
  const struct mtk_probe_identity *id = identity_find(ids, a->kase);
  if (id != NULL) {
    SETOPT(CURLOPT_SSL_CTX_FUNCTION, on_ssl_ctx);
    SETOPT(CURLOPT_SSL_CTX_DATA, (void *)id);
  }
  if (t->insecure) {
    SETOPT(CURLOPT_SSL_VERIFYPEER, 0L);
    SETOPT(CURLOPT_SSL_VERIFYHOST, 0L);
  } else if (t->cacert != NULL) {
    SETOPT(CURLOPT_CAINFO, t->cacert);
  }
  // Trust comes from one bundle file (--cacert, or the system bundle), not
  // also a CA directory: libcurl caches a file's parsed X509_STORE in the
  // multi handle (CURLOPT_CA_CACHE_TIMEOUT) only when no CA path is set,
  // and otherwise re-reads and re-decodes the bundle for every attempt.
  SETOPT(CURLOPT_CAPATH, (char *)NULL);
  if (s->resolve != NULL) {
    SETOPT(CURLOPT_RESOLVE, s->resolve);
  }
  if (s->connect_to != NULL) {
    SETOPT(CURLOPT_CONNECT_TO, s->connect_to);
  }
  if (s->headers != NULL) {
    SETOPT(CURLOPT_HTTPHEADER, s->headers);
  }
  if (t->tls == 12) {
    SETOPT(CURLOPT_SSLVERSION,
           (long)(CURL_SSLVERSION_TLSv1_2 | CURL_SSLVERSION_MAX_TLSv1_2));
  } else if (t->tls == 13) {
    SETOPT(CURLOPT_SSLVERSION,
           (long)(CURL_SSLVERSION_TLSv1_3 | CURL_SSLVERSION_MAX_TLSv1_3));
  } else {
    SETOPT(CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
  }
  if (t->http == 11) {
    SETOPT(CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
  } else if (t->http == 2) {
    SETOPT(CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
  }
  if (t->method != NULL) {
    if (strcmp(t->method, "HEAD") == 0) {
      SETOPT(CURLOPT_NOBODY, 1L);
    } else {
      SETOPT(CURLOPT_CUSTOMREQUEST, t->method);
    }
  }
  s->t_start = now_us();
  if (curl_multi_add_handle(multi, s->easy) != CURLM_OK) {
    err = mtk_diag_set(diag, MTK_EINTERNAL, "curl_multi_add_handle failed");
    goto out;
  }
  *out = s;
  s = NULL;
  err = 0;
out:
  slot_free(s);
  return err;
}

// check_alb checks the echoed headers of an attempt that got an HTTP 2xx
// from a target with --alb-headers.
static int check_alb(struct slot *s, const struct identity_cache *ids) {
  struct mtk_probe_attempt *a = s->attempt;
  struct mtk_probe_echo echo;
  if (s->body_oom) {
    return MTK_ENOMEM;
  }
  if (s->body_over) {
    mtk_probe_alb_result_fail(&a->alb,
                              "response body over %d KiB: echoed headers not "
                              "read",
                              BODY_MAX / 1024);
    return 0;
  }
  mtk_probe_echo_init(&echo);
  int err =
      mtk_probe_echo_parse(s->body != NULL ? s->body : "", s->body_len, &echo);
  if (err != 0) {
    return err;
  }
  mtk_probe_alb_check(a->target->alb_headers, alb_expected_find(ids, a->kase),
                      &echo, &a->alb);
  mtk_probe_echo_cleanup(&echo);
  return 0;
}

// http_version_number maps CURLINFO_HTTP_VERSION to 10, 11, 20 or 30 (0:
// unknown), the form the facts keep.
static int http_version_number(long curl_version) {
  switch (curl_version) {
    case CURL_HTTP_VERSION_1_0:
      return 10;
    case CURL_HTTP_VERSION_1_1:
      return 11;
    case CURL_HTTP_VERSION_2_0:
      return 20;
    case CURL_HTTP_VERSION_3:
      return 30;
    default:
      return 0;
  }
}

// slot_finish records the facts of |s|'s attempt, checks its ALB headers
// and frees |s|. It returns 0, or MTK_ENOMEM.
static int slot_finish(CURLM *multi, struct slot *s, CURLcode code,
                       bool deadline, const struct identity_cache *ids) {
  struct mtk_probe_attempt *a = s->attempt;
  struct mtk_probe_facts *f = &a->facts;
  long l = 0;
  curl_off_t t_connect = 0, t_tls = 0, t_first = 0, t_total = 0;
  mtk_probe_facts_init(f);
  f->curl_code = (int)code;
  f->deadline = deadline;
  f->body_capped = s->body_over;
  if (curl_easy_getinfo(s->easy, CURLINFO_OS_ERRNO, &l) == CURLE_OK) {
    f->os_errno = l;
  }
  l = 0;
  if (curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &l) == CURLE_OK) {
    f->http_status = l;
  }
  l = 0;
  if (f->http_status != 0 &&
      curl_easy_getinfo(s->easy, CURLINFO_HTTP_VERSION, &l) == CURLE_OK) {
    f->http_version = http_version_number(l);
  }
  char *ip = NULL;
  l = 0;
  if (curl_easy_getinfo(s->easy, CURLINFO_PRIMARY_IP, &ip) == CURLE_OK &&
      ip != NULL &&
      curl_easy_getinfo(s->easy, CURLINFO_PRIMARY_PORT, &l) == CURLE_OK) {
    snprintf(a->ip, sizeof(a->ip), "%s", ip);
    a->port = (unsigned)l;
  }
  if (curl_easy_getinfo(s->easy, CURLINFO_LOCAL_PORT, &l) == CURLE_OK) {
    a->local_port = (unsigned)l;
  }
  curl_easy_getinfo(s->easy, CURLINFO_CONNECT_TIME_T, &t_connect);
  curl_easy_getinfo(s->easy, CURLINFO_APPCONNECT_TIME_T, &t_tls);
  curl_easy_getinfo(s->easy, CURLINFO_STARTTRANSFER_TIME_T, &t_first);
  curl_easy_getinfo(s->easy, CURLINFO_TOTAL_TIME_T, &t_total);
  f->tls_done = t_tls > 0 || mtk_probe_tls_trace_done(&s->trace);
  // curl 7.88 leaves CURLINFO_CONNECT_TIME_T at 0 when the TLS filter
  // fails, so TLS bytes in either direction also prove TCP was up.
  f->tcp_connected = t_connect > 0 || f->tls_done ||
                     s->trace.content_type != 0 || s->trace.sent;
  f->alert = s->trace.alert;
  // curl drains OpenSSL's error queue into the error buffer; the packed
  // code ("error:0A000418:") is the fact we keep, not the words.
  f->ssl_error = mtk_probe_ssl_error_from_text(s->errbuf);
  a->cert_requested = s->trace.cert_requested;
  // curl 7.88 leaves the connect time at 0 when the TLS handshake fails;
  // the first TLS byte sent marks the end of the TCP connect then.
  if (t_connect == 0 && f->tcp_connected && s->t_first_out > 0) {
    t_connect = (curl_off_t)(s->t_first_out - s->t_start);
  }
  a->connect_us = (int64_t)t_connect;
  a->tls_us = (int64_t)t_tls;
  a->first_byte_us = (int64_t)t_first;
  a->total_us = (int64_t)t_total;
  if (s->headers_over && code == CURLE_WRITE_ERROR) {
    snprintf(a->detail, sizeof(a->detail),
             "response headers over %d KiB: the probe stopped reading",
             HEADERS_MAX / 1024);
  } else if (s->body_over && code == CURLE_WRITE_ERROR) {
    snprintf(a->detail, sizeof(a->detail),
             "response body over %d KiB: the probe stopped reading",
             BODY_MAX / 1024);
  } else {
    snprintf(a->detail, sizeof(a->detail), "%s",
             deadline               ? "cut short by --deadline"
             : code == CURLE_OK     ? ""
             : s->errbuf[0] != '\0' ? s->errbuf
                                    : curl_easy_strerror(code));
  }
  mtk_probe_classify(f, &a->outcome);
  if (mtk_outcome_is_refusal(&a->outcome) && t_total >= DELAYED_REFUSAL_US) {
    // s2n-tls's blinding holds a refusal 10-30 s: say so, the curl text
    // after it stays.
    char head[64];
    int n =
        snprintf(head, sizeof(head), "refused after %.1f s (delayed refusal)%s",
                 (double)t_total / 1e6, a->detail[0] != '\0' ? "; " : "");
    size_t len = strlen(a->detail);
    if (n > 0 && (size_t)n < sizeof(head)) {
      // curl's text gives way when both do not fit.
      if (len + (size_t)n >= sizeof(a->detail)) {
        len = sizeof(a->detail) - (size_t)n - 1;
        a->detail[len] = '\0';
      }
      memmove(a->detail + n, a->detail, len + 1);
      memcpy(a->detail, head, (size_t)n);
    }
  }
  int err = 0;
  if (a->target->alb_headers != MTK_PROBE_ALB_OFF &&
      a->outcome.kind == MTK_OUTCOME_HTTP && a->outcome.http_status >= 200 &&
      a->outcome.http_status <= 299) {
    err = check_alb(s, ids);
  }
  curl_multi_remove_handle(multi, s->easy);
  slot_free(s);
  return err;
}

// needs_recovery: the expectation names an alert, and the attempt saw a
// reset or close after its handshake, where a lost alert looks just so.
static bool needs_recovery(const struct mtk_probe_attempt *a) {
  return a->run && a->alert_matters && !a->facts.deadline && a->ip[0] != '\0' &&
         a->outcome.stage == MTK_STAGE_FIRST_READ &&
         (a->outcome.kind == MTK_OUTCOME_RESET ||
          a->outcome.kind == MTK_OUTCOME_CLOSED);
}

// url_host returns the host of |t|'s URL, or its --sni, as curl sends it
// (IPv6 brackets removed); free with curl_free. NULL if it has none.
static char *url_host(const struct mtk_probe_target *t) {
  char *host = NULL;
  if (t->sni != NULL) {
    return curl_maprintf("%s", t->sni);
  }
  CURLU *u = curl_url();
  if (u != NULL && curl_url_set(u, CURLUPART_URL, t->url, 0) == CURLUE_OK &&
      curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK && host != NULL &&
      host[0] == '[') {
    size_t len = strlen(host);
    memmove(host, host + 1, len - 1);
    host[len >= 2 ? len - 2 : 0] = '\0';
  }
  curl_url_cleanup(u);
  return host;
}

// swap_recovery makes the re-probe's observation the attempt's, and keeps
// the first one in its place.
static void swap_recovery(struct mtk_probe_attempt *a) {
  struct mtk_probe_facts f = a->facts;
  struct mtk_outcome o = a->outcome;
  int64_t total = a->total_us;
  char detail[sizeof(a->detail)];
  memcpy(detail, a->detail, sizeof(detail));
  a->facts = a->recovery.facts;
  a->outcome = a->recovery.outcome;
  a->total_us = a->recovery.total_us;
  memcpy(a->detail, a->recovery.detail, sizeof(a->detail));
  a->recovery.facts = f;
  a->recovery.outcome = o;
  a->recovery.total_us = total;
  memcpy(a->recovery.detail, detail, sizeof(detail));
  a->recovery.used = true;
}

// recover_alerts re-probes, read before write, every attempt whose alert a
// reset or close may have hidden (probe/reprobe.h), and judges on the
// re-probe when it brought the alert.
static int recover_alerts(struct mtk_probe_run *r,
                          const struct mtk_probe_config *c,
                          const struct identity_cache *ids, int64_t deadline_us,
                          struct mtk_diag *diag) {
  size_t n = 0;
  int err = 0;
  for (size_t i = 0; i < r->num_attempts; i++) {
    n += needs_recovery(&r->attempts[i]);
  }
  if (n == 0) {
    return 0;
  }
  struct mtk_probe_reprobe *v = calloc(n, sizeof(*v));
  struct mtk_probe_attempt **who = calloc(n, sizeof(*who));
  char **hosts = calloc(c->num_targets + 1, sizeof(*hosts));
  if (v == NULL || who == NULL || hosts == NULL) {
    err = MTK_ENOMEM;
    goto out;
  }
  size_t k = 0;
  for (size_t i = 0; i < r->num_attempts; i++) {
    struct mtk_probe_attempt *a = &r->attempts[i];
    if (!needs_recovery(a)) {
      continue;
    }
    const struct mtk_probe_target *t = a->target;
    size_t ti = (size_t)(t - c->targets);
    if (hosts[ti] == NULL && (hosts[ti] = url_host(t)) == NULL) {
      err = MTK_ENOMEM;
      goto out;
    }
    uint64_t timeout = t->timeout_ms != 0 ? t->timeout_ms : c->timeout_ms;
    // The server refused after about what the first attempt took: give it
    // three times that (at least 2 s), within the attempt's timeout.
    uint64_t wait = (uint64_t)(a->total_us / 1000) * 3;
    wait = wait < 2000 ? 2000 : wait;
    v[k].ip = a->ip;
    v[k].port = a->port;
    v[k].host = hosts[ti];
    v[k].id = identity_find(ids, a->kase);
    v[k].cacert = t->insecure ? NULL : t->cacert;
    v[k].insecure = t->insecure;
    v[k].tls = t->tls;
    v[k].wait_ms = wait < timeout ? wait : timeout;
    who[k++] = a;
  }
  size_t parallel = c->parallel > 0 ? (size_t)c->parallel : 1;
  if ((err = mtk_probe_reprobe_run(v, n, parallel, deadline_us, diag)) != 0) {
    goto out;
  }
  for (k = 0; k < n; k++) {
    struct mtk_probe_attempt *a = who[k];
    a->recovery.tried = true;
    a->recovery.facts = v[k].facts;
    a->recovery.outcome = v[k].outcome;
    a->recovery.total_us = v[k].total_us;
    snprintf(a->recovery.detail, sizeof(a->recovery.detail), "%s", v[k].detail);
    if (v[k].outcome.kind == MTK_OUTCOME_TLS_ALERT) {
      swap_recovery(a);
    }
  }
out:
  for (size_t i = 0; hosts != NULL && i < c->num_targets; i++) {
    curl_free(hosts[i]);
  }
  free(hosts);
  free(who);
  free(v);
  return err;
}

// One target's attempts still to start, and how many are in flight.
struct target_queue {
  const struct mtk_probe_target *target;
  size_t *attempts;  // indices into the run's attempts, in plan order
  size_t num;
  size_t next;  // the first not yet started
  size_t in_flight;
};

static void queues_free(struct target_queue *q, size_t n) {
  for (size_t i = 0; q != NULL && i < n; i++) {
    free(q[i].attempts);
  }
  free(q);
}

// queues_build sorts the attempts that run into one queue per target.
static int queues_build(const struct mtk_probe_run *r,
                        const struct mtk_probe_config *c,
                        struct target_queue **out) {
  struct target_queue *q = calloc(c->num_targets + 1, sizeof(*q));
  if (q == NULL) {
    return MTK_ENOMEM;
  }
  for (size_t ti = 0; ti < c->num_targets; ti++) {
    q[ti].target = &c->targets[ti];
    q[ti].attempts = calloc(r->num_attempts + 1, sizeof(size_t));
    if (q[ti].attempts == NULL) {
      queues_free(q, c->num_targets);
      return MTK_ENOMEM;
    }
  }
  for (size_t i = 0; i < r->num_attempts; i++) {
    for (size_t ti = 0; ti < c->num_targets && r->attempts[i].run; ti++) {
      if (r->attempts[i].target == q[ti].target) {
        q[ti].attempts[q[ti].num++] = i;
        break;
      }
    }
  }
  *out = q;
  return 0;
}

// queues_pick returns the target whose next attempt starts now: of those
// with attempts left and room under |limit|, the one with the fewest in
// flight (the next in turn after *|turn| on a tie), so a target whose
// refusals take long (s2n-style blinding) holds no more slots than the
// others have and cannot starve them. It returns |n| if none can start.
static size_t queues_pick(const struct target_queue *q, size_t n, size_t limit,
                          size_t *turn) {
  size_t best = n;
  for (size_t k = 0; k < n; k++) {
    size_t i = (*turn + k) % n;
    if (q[i].next < q[i].num && q[i].in_flight < limit &&
        (best == n || q[i].in_flight < q[best].in_flight)) {
      best = i;
    }
  }
  if (best < n) {
    *turn = best + 1;
  }
  return best;
}

int mtk_probe_engine_run(struct mtk_probe_run *r,
                         const struct mtk_probe_config *c,
                         int64_t *out_elapsed_us, struct mtk_diag *diag) {
  int err = 0;
  int64_t start = now_us();
  struct timespec wall;
  clock_gettime(CLOCK_REALTIME, &wall);
  r->wall_start = (double)wall.tv_sec + (double)wall.tv_nsec / 1e9;
  int64_t deadline = start + (int64_t)c->deadline_ms * 1000;
  size_t active = 0;
  size_t cap = c->parallel > 0 ? (size_t)c->parallel : 1;
  size_t per_target =
      c->parallel_per_target > 0 ? (size_t)c->parallel_per_target : cap;
  size_t turn = 0;
  struct target_queue *queues = NULL;
  struct identity_cache ids = {NULL, NULL, NULL, 0};
  struct slot **slots = calloc(cap, sizeof(*slots));
  // Free slot indices, a stack, so starting and finishing are O(1).
  size_t *free_slots = calloc(cap, sizeof(*free_slots));
  size_t num_free = cap;
  CURLM *multi = curl_multi_init();
  if (slots == NULL || free_slots == NULL || multi == NULL) {
    err = MTK_ENOMEM;
    goto out;
  }
  for (size_t i = 0; i < cap; i++) {
    free_slots[i] = cap - 1 - i;
  }
  if ((err = queues_build(r, c, &queues)) != 0 ||
      (err = identity_cache_load(&ids, r, diag)) != 0) {
    goto out;
  }
  for (size_t i = 0; i < r->num_attempts; i++) {
    struct mtk_probe_attempt *a = &r->attempts[i];
    const struct mtk_probe_identity *id = identity_find(&ids, a->kase);
    a->chain_count = 0;
    a->chain_subjects[0] = '\0';
    if (id != NULL) {
      mtk_probe_identity_describe(id, a->chain_subjects,
                                  sizeof(a->chain_subjects), &a->chain_count);
    }
  }
  for (;;) {
    size_t qi;
    while (active < cap && now_us() < deadline &&
           (qi = queues_pick(queues, c->num_targets, per_target, &turn)) <
               c->num_targets) {
      struct target_queue *q = &queues[qi];
      struct mtk_probe_attempt *a = &r->attempts[q->attempts[q->next++]];
      size_t free_i = free_slots[--num_free];
      if ((err = slot_start(multi, a, c, &ids, &slots[free_i], diag)) != 0) {
        goto out;
      }
      slots[free_i]->index = free_i;
      slots[free_i]->queue = q;
      a->start_us = slots[free_i]->t_start - start;
      q->in_flight++;
      active++;
    }
    if (active == 0) {
      break;  // nothing left to start, or the deadline came
    }
    int running = 0;
    if (curl_multi_perform(multi, &running) != CURLM_OK) {
      err = mtk_diag_set(diag, MTK_EINTERNAL, "curl_multi_perform failed");
      goto out;
    }
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(multi, &left)) != NULL) {
      if (msg->msg != CURLMSG_DONE) {
        continue;
      }
      struct slot *s = NULL;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&s);
      CURLcode code = msg->data.result;
      slots[s->index] = NULL;
      free_slots[num_free++] = s->index;
      s->queue->in_flight--;
      active--;
      if ((err = slot_finish(multi, s, code, false, &ids)) != 0) {
        goto out;
      }
    }
    int64_t now = now_us();
    if (now >= deadline) {
      // The run's deadline: whatever is still in flight ends here.
      for (size_t i = 0; i < cap; i++) {
        if (slots[i] != NULL) {
          struct slot *s = slots[i];
          slots[i] = NULL;
          s->queue->in_flight--;
          active--;
          if ((err = slot_finish(multi, s, CURLE_OPERATION_TIMEDOUT, true,
                                 &ids)) != 0) {
            goto out;
          }
        }
      }
      break;
    }
    if (active > 0) {
      int64_t wait_ms = (deadline - now) / 1000 + 1;
      if (wait_ms > 250) {
        wait_ms = 250;
      }
      curl_multi_poll(multi, NULL, 0, (int)wait_ms, NULL);
    }
  }
  if ((err = recover_alerts(r, c, &ids, deadline, diag)) != 0) {
    goto out;
  }
  // Attempts never started because the deadline came first.
  for (size_t qi = 0; qi < c->num_targets; qi++) {
    struct target_queue *q = &queues[qi];
    for (; q->next < q->num; q->next++) {
      struct mtk_probe_attempt *a = &r->attempts[q->attempts[q->next]];
      mtk_probe_facts_init(&a->facts);
      a->facts.curl_code = CURLE_OPERATION_TIMEDOUT;
      a->facts.deadline = true;
      mtk_probe_classify(&a->facts, &a->outcome);
      snprintf(a->detail, sizeof(a->detail), "not started before --deadline");
    }
  }
out:
  if (slots != NULL) {
    for (size_t i = 0; i < cap; i++) {
      if (slots[i] != NULL) {
        curl_multi_remove_handle(multi, slots[i]->easy);
        slot_free(slots[i]);
      }
    }
  }
  free(slots);
  free(free_slots);
  queues_free(queues, c->num_targets);
  if (multi != NULL) {
    curl_multi_cleanup(multi);
  }
  identity_cache_free(&ids);
  *out_elapsed_us = now_us() - start;
  return err;
}
