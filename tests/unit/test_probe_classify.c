#include <curl/curl.h>
#include <errno.h>
#include <string.h>

#include "check_main.h"
#include "classify.h"

// One row: the facts libcurl gives, and the outcome they must classify to.
struct row {
  const char *what;
  int curl_code;
  long os_errno;
  long http_status;
  bool tcp;
  bool tls;
  int alert;
  unsigned long ssl_error;
  bool deadline;
  enum mtk_outcome_kind kind;
  enum mtk_stage stage;
  int want_alert;
  int want_status;
};

static const struct row rows[] = {
    // HTTP answers, whatever came after the headers.
    {"200", CURLE_OK, 0, 200, true, true, -1, 0, false, MTK_OUTCOME_HTTP,
     MTK_STAGE_HTTP, 0, 200},
    {"nginx 400 then close_notify", CURLE_OK, 0, 400, true, true, 0, 0, false,
     MTK_OUTCOME_HTTP, MTK_STAGE_HTTP, 0, 400},
    // A status line and then no complete response: broken, not an answer.
    {"403 then partial body", CURLE_PARTIAL_FILE, 0, 403, true, true, -1, 0,
     false, MTK_OUTCOME_HTTP_BROKEN, MTK_STAGE_HTTP, 0, 403},
    {"200 then an endless header line", CURLE_OUT_OF_MEMORY, 0, 200, true, true,
     -1, 0, false, MTK_OUTCOME_HTTP_BROKEN, MTK_STAGE_HTTP, 0, 200},
    {"200 then too-large headers", CURLE_RECV_ERROR, 0, 200, true, true, -1, 0,
     false, MTK_OUTCOME_HTTP_BROKEN, MTK_STAGE_HTTP, 0, 200},
    {"200 then the body cut by --timeout", CURLE_OPERATION_TIMEDOUT, 0, 200,
     true, true, -1, 0, false, MTK_OUTCOME_HTTP_BROKEN, MTK_STAGE_HTTP, 0, 200},
    {"200 then headers over the probe's limit", CURLE_WRITE_ERROR, 0, 200, true,
     true, -1, 0, false, MTK_OUTCOME_HTTP_BROKEN, MTK_STAGE_HTTP, 0, 200},
    {"200 then a reset in the body", CURLE_RECV_ERROR, ECONNRESET, 200, true,
     true, -1, 0, false, MTK_OUTCOME_HTTP_BROKEN, MTK_STAGE_HTTP, 0, 200},
    {"deadline in the body", CURLE_OPERATION_TIMEDOUT, 0, 200, true, true, -1,
     0, true, MTK_OUTCOME_TIMEOUT, MTK_STAGE_HTTP, 0, 0},
    {"OK without a status", CURLE_OK, 0, 0, true, true, -1, 0, false,
     MTK_OUTCOME_PROTOCOL_ERROR, MTK_STAGE_FIRST_READ, 0, 0},
    // The same refusal under TLS 1.2 (during connect) and 1.3 (first read).
    {"1.2 alert 45 in SSL_connect", CURLE_SSL_CONNECT_ERROR, 0, 0, true, false,
     45, 0x0A000415UL, false, MTK_OUTCOME_TLS_ALERT, MTK_STAGE_HANDSHAKE, 45,
     0},
    {"1.2 alert 45 reported as 60", CURLE_PEER_FAILED_VERIFICATION, 0, 0, true,
     false, 45, 0, false, MTK_OUTCOME_TLS_ALERT, MTK_STAGE_HANDSHAKE, 45, 0},
    {"1.3 alert 45 in SSL_read", CURLE_RECV_ERROR, 0, 0, true, true, 45,
     0x0A000415UL, false, MTK_OUTCOME_TLS_ALERT, MTK_STAGE_FIRST_READ, 45, 0},
    {"1.3 alert then reset", CURLE_RECV_ERROR, ECONNRESET, 0, true, true, 48, 0,
     false, MTK_OUTCOME_TLS_ALERT, MTK_STAGE_FIRST_READ, 48, 0},
    {"98 without a trace", CURLE_SSL_CLIENTCERT, 0, 0, true, false, -1, 0,
     false, MTK_OUTCOME_TLS_ALERT, MTK_STAGE_HANDSHAKE, 116, 0},
    {"alert from the OpenSSL 3 code only", CURLE_SSL_CONNECT_ERROR, 0, 0, true,
     false, -1, 0x0A000414UL, false, MTK_OUTCOME_TLS_ALERT, MTK_STAGE_HANDSHAKE,
     44, 0},
    {"alert from the OpenSSL 1.1 code only", CURLE_RECV_ERROR, 0, 0, true, true,
     -1, 0x14094418UL, false, MTK_OUTCOME_TLS_ALERT, MTK_STAGE_FIRST_READ, 48,
     0},
    // Every code libcurl uses for a reset is a reset.
    {"reset in SSL_connect", CURLE_SSL_CONNECT_ERROR, ECONNRESET, 0, true,
     false, -1, 0, false, MTK_OUTCOME_RESET, MTK_STAGE_HANDSHAKE, 0, 0},
    {"reset in SSL_read", CURLE_RECV_ERROR, ECONNRESET, 0, true, true, -1, 0,
     false, MTK_OUTCOME_RESET, MTK_STAGE_FIRST_READ, 0, 0},
    {"reset in SSL_write", CURLE_SEND_ERROR, EPIPE, 0, true, true, -1, 0, false,
     MTK_OUTCOME_RESET, MTK_STAGE_FIRST_READ, 0, 0},
    {"reset read as empty reply", CURLE_GOT_NOTHING, ECONNRESET, 0, true, true,
     -1, 0, false, MTK_OUTCOME_RESET, MTK_STAGE_FIRST_READ, 0, 0},
    {"reset during connect check", CURLE_COULDNT_CONNECT, ECONNRESET, 0, false,
     false, -1, 0, false, MTK_OUTCOME_RESET, MTK_STAGE_TCP, 0, 0},
    {"aborted", CURLE_RECV_ERROR, ECONNABORTED, 0, true, true, -1, 0, false,
     MTK_OUTCOME_RESET, MTK_STAGE_FIRST_READ, 0, 0},
    // And every close is a close.
    {"EOF in SSL_connect", CURLE_SSL_CONNECT_ERROR, 0, 0, false, false, -1, 0,
     false, MTK_OUTCOME_CLOSED, MTK_STAGE_HANDSHAKE, 0, 0},
    {"unexpected EOF in SSL_read", CURLE_RECV_ERROR, 0, 0, true, true, -1,
     0x0A000126UL, false, MTK_OUTCOME_CLOSED, MTK_STAGE_FIRST_READ, 0, 0},
    {"empty reply", CURLE_GOT_NOTHING, 0, 0, true, true, -1, 0, false,
     MTK_OUTCOME_CLOSED, MTK_STAGE_FIRST_READ, 0, 0},
    {"close_notify in SSL_connect", CURLE_SSL_CONNECT_ERROR, 0, 0, true, false,
     0, 0, false, MTK_OUTCOME_CLOSED, MTK_STAGE_HANDSHAKE, 0, 0},
    {"close_notify then send fails", CURLE_SEND_ERROR, 0, 0, true, true, 0, 0,
     false, MTK_OUTCOME_CLOSED, MTK_STAGE_FIRST_READ, 0, 0},
    // Not a refusal.
    {"plain HTTP port", CURLE_SSL_CONNECT_ERROR, 0, 0, true, false, -1,
     0x0A00010BUL, false, MTK_OUTCOME_PROTOCOL_ERROR, MTK_STAGE_HANDSHAKE, 0,
     0},
    {"server cert not trusted", CURLE_PEER_FAILED_VERIFICATION, 0, 0, true,
     false, -1, 0x0A000086UL, false, MTK_OUTCOME_SERVER_CERT_REJECTED,
     MTK_STAGE_HANDSHAKE, 0, 0},
    {"timeout in the handshake", CURLE_OPERATION_TIMEDOUT, 0, 0, true, false,
     -1, 0, false, MTK_OUTCOME_TIMEOUT, MTK_STAGE_HANDSHAKE, 0, 0},
    {"timeout connecting", CURLE_OPERATION_TIMEDOUT, 0, 0, false, false, -1, 0,
     false, MTK_OUTCOME_TIMEOUT, MTK_STAGE_TCP, 0, 0},
    {"deadline", CURLE_OPERATION_TIMEDOUT, 0, 0, true, true, -1, 0, true,
     MTK_OUTCOME_TIMEOUT, MTK_STAGE_FIRST_READ, 0, 0},
    {"deadline wins over a late alert", CURLE_RECV_ERROR, 0, 0, true, true, 45,
     0, true, MTK_OUTCOME_TIMEOUT, MTK_STAGE_FIRST_READ, 0, 0},
    {"refused", CURLE_COULDNT_CONNECT, ECONNREFUSED, 0, false, false, -1, 0,
     false, MTK_OUTCOME_CONNECT_FAILED, MTK_STAGE_TCP, 0, 0},
    {"dns", CURLE_COULDNT_RESOLVE_HOST, 0, 0, false, false, -1, 0, false,
     MTK_OUTCOME_DNS_FAILED, MTK_STAGE_DNS, 0, 0},
    {"bad key file", CURLE_SSL_CERTPROBLEM, 0, 0, true, false, -1, 0, false,
     MTK_OUTCOME_CLIENT_ERROR, MTK_STAGE_HANDSHAKE, 0, 0},
    {"bad CA file", CURLE_SSL_CACERT_BADFILE, 0, 0, false, false, -1, 0, false,
     MTK_OUTCOME_CLIENT_ERROR, MTK_STAGE_NONE, 0, 0},
    {"HTTP/2 framing", CURLE_HTTP2, 0, 0, true, true, -1, 0, false,
     MTK_OUTCOME_PROTOCOL_ERROR, MTK_STAGE_FIRST_READ, 0, 0},
};

START_TEST(test_classify_table) {
  const struct row *r = &rows[_i];
  struct mtk_probe_facts f;
  struct mtk_outcome o;
  mtk_probe_facts_init(&f);
  f.curl_code = r->curl_code;
  f.os_errno = r->os_errno;
  f.http_status = r->http_status;
  f.tcp_connected = r->tcp;
  f.tls_done = r->tls;
  f.alert = r->alert;
  f.ssl_error = r->ssl_error;
  f.deadline = r->deadline;
  mtk_probe_classify(&f, &o);
  ck_assert_msg(o.kind == r->kind, "%s: kind %s, want %s", r->what,
                mtk_outcome_kind_name(o.kind), mtk_outcome_kind_name(r->kind));
  ck_assert_msg(o.stage == r->stage, "%s: stage %s, want %s", r->what,
                mtk_stage_name(o.stage), mtk_stage_name(r->stage));
  ck_assert_msg(o.alert == r->want_alert, "%s: alert %d", r->what, o.alert);
  ck_assert_msg(o.http_status == r->want_status, "%s: status %d", r->what,
                o.http_status);
}
END_TEST

// A body the probe stopped reading itself (over its limit) leaves the
// response judged by its status; the same curl code without that fact is
// a broken response.
START_TEST(test_classify_body_capped) {
  struct mtk_probe_facts f;
  struct mtk_outcome o;
  mtk_probe_facts_init(&f);
  f.curl_code = CURLE_WRITE_ERROR;
  f.http_status = 200;
  f.tcp_connected = f.tls_done = true;
  f.body_capped = true;
  mtk_probe_classify(&f, &o);
  ck_assert_int_eq(o.kind, MTK_OUTCOME_HTTP);
  ck_assert_int_eq(o.http_status, 200);
  f.body_capped = false;
  mtk_probe_classify(&f, &o);
  ck_assert_int_eq(o.kind, MTK_OUTCOME_HTTP_BROKEN);
  ck_assert_int_eq(o.http_status, 200);
  // Capped, but the transfer failed for another reason: still broken.
  f.body_capped = true;
  f.curl_code = CURLE_PARTIAL_FILE;
  mtk_probe_classify(&f, &o);
  ck_assert_int_eq(o.kind, MTK_OUTCOME_HTTP_BROKEN);
  char line[160];
  ck_assert_int_eq(mtk_probe_facts_format(line, sizeof(line), &f), 0);
  ck_assert_str_eq(line, "curl 18, errno 0, tls done, body capped");
}
END_TEST

// The same server behaviour under both versions gives the same outcome.
START_TEST(test_classify_versions_agree) {
  static const int alerts[] = {40, 42, 43, 44, 45, 48, 116};
  for (size_t i = 0; i < sizeof(alerts) / sizeof(alerts[0]); i++) {
    struct mtk_probe_facts f12, f13;
    struct mtk_outcome o12, o13;
    mtk_probe_facts_init(&f12);
    mtk_probe_facts_init(&f13);
    f12.curl_code = alerts[i] == 45    ? CURLE_PEER_FAILED_VERIFICATION
                    : alerts[i] == 116 ? CURLE_SSL_CLIENTCERT
                                       : CURLE_SSL_CONNECT_ERROR;
    f12.tcp_connected = true;
    f12.alert = alerts[i];
    f13.curl_code = CURLE_RECV_ERROR;
    f13.tcp_connected = f13.tls_done = true;
    f13.alert = alerts[i];
    mtk_probe_classify(&f12, &o12);
    mtk_probe_classify(&f13, &o13);
    ck_assert_int_eq(o12.kind, MTK_OUTCOME_TLS_ALERT);
    ck_assert_int_eq(o12.kind, o13.kind);
    ck_assert_int_eq(o12.alert, o13.alert);
    ck_assert_int_eq(o12.stage, MTK_STAGE_HANDSHAKE);
    ck_assert_int_eq(o13.stage, MTK_STAGE_FIRST_READ);
  }
}
END_TEST

static void feed(struct mtk_probe_tls_trace *t, const unsigned char *b,
                 size_t n) {
  mtk_probe_tls_trace_in(t, b, n);
}

START_TEST(test_trace_tls12_alert) {
  struct mtk_probe_tls_trace t;
  mtk_probe_tls_trace_init(&t);
  ck_assert_int_eq(t.alert, -1);
  const unsigned char hs_hdr[] = {22, 3, 3, 0, 40};
  const unsigned char cert_req[] = {13, 0, 0, 36, 1, 2, 3, 4};
  const unsigned char hdr[] = {21, 3, 3, 0, 2};
  const unsigned char alert[] = {2, 45};
  feed(&t, hs_hdr, sizeof(hs_hdr));
  feed(&t, cert_req, sizeof(cert_req));
  ck_assert(t.cert_requested);
  feed(&t, hdr, sizeof(hdr));
  feed(&t, alert, sizeof(alert));
  ck_assert_int_eq(t.alert, 45);
  ck_assert_int_eq(t.alert_level, 2);
}
END_TEST

START_TEST(test_trace_tls13_alert_after_close_notify_rules) {
  struct mtk_probe_tls_trace t;
  mtk_probe_tls_trace_init(&t);
  const unsigned char hdr[] = {23, 3, 3, 0, 19};
  const unsigned char inner_alert[] = {21};
  const unsigned char required[] = {2, 116};
  const unsigned char notify[] = {1, 0};
  // A close_notify first, then the fatal alert: the fatal one is kept.
  feed(&t, hdr, sizeof(hdr));
  feed(&t, inner_alert, sizeof(inner_alert));
  feed(&t, notify, sizeof(notify));
  ck_assert_int_eq(t.alert, 0);
  feed(&t, hdr, sizeof(hdr));
  feed(&t, inner_alert, sizeof(inner_alert));
  feed(&t, required, sizeof(required));
  ck_assert_int_eq(t.alert, 116);
  // A close_notify after it does not hide it.
  feed(&t, hdr, sizeof(hdr));
  feed(&t, inner_alert, sizeof(inner_alert));
  feed(&t, notify, sizeof(notify));
  ck_assert_int_eq(t.alert, 116);
  ck_assert(!t.cert_requested);
}
END_TEST

START_TEST(test_trace_ignores_other_records) {
  struct mtk_probe_tls_trace t;
  mtk_probe_tls_trace_init(&t);
  const unsigned char app_hdr[] = {23, 3, 3, 0, 40};
  const unsigned char inner_app[] = {23};
  const unsigned char two[] = {2, 45};  // application bytes, not an alert
  const unsigned char hs_hdr[] = {22, 3, 3, 0, 2};
  feed(&t, app_hdr, sizeof(app_hdr));
  feed(&t, inner_app, sizeof(inner_app));
  feed(&t, two, sizeof(two));
  feed(&t, hs_hdr, sizeof(hs_hdr));
  feed(&t, two, sizeof(two));
  ck_assert_int_eq(t.alert, -1);
  mtk_probe_tls_trace_out(&t, two, 0);
  ck_assert(!t.sent);
  mtk_probe_tls_trace_out(&t, hs_hdr, 5);
  ck_assert(t.sent);
}
END_TEST

// Both Finished messages seen: the handshake is done whatever curl says
// (over HTTP/2 a failure while writing the preface leaves curl's
// APPCONNECT time at 0).
START_TEST(test_trace_finished) {
  struct mtk_probe_tls_trace t;
  mtk_probe_tls_trace_init(&t);
  const unsigned char hdr[] = {23, 3, 3, 0, 53};
  const unsigned char inner_hs[] = {22};
  const unsigned char finished[] = {20, 0, 0, 32, 1, 2, 3};
  const unsigned char cert[] = {11, 0, 1, 0, 0};
  mtk_probe_tls_trace_in(&t, hdr, sizeof(hdr));
  mtk_probe_tls_trace_in(&t, inner_hs, sizeof(inner_hs));
  mtk_probe_tls_trace_in(&t, finished, sizeof(finished));
  ck_assert(t.finished_in && !mtk_probe_tls_trace_done(&t));
  mtk_probe_tls_trace_out(&t, hdr, sizeof(hdr));
  mtk_probe_tls_trace_out(&t, inner_hs, sizeof(inner_hs));
  mtk_probe_tls_trace_out(&t, cert, sizeof(cert));
  ck_assert(!mtk_probe_tls_trace_done(&t));
  mtk_probe_tls_trace_out(&t, hdr, sizeof(hdr));
  mtk_probe_tls_trace_out(&t, inner_hs, sizeof(inner_hs));
  mtk_probe_tls_trace_out(&t, finished, sizeof(finished));
  ck_assert(mtk_probe_tls_trace_done(&t));
}
END_TEST

START_TEST(test_ssl_error_from_text) {
  ck_assert_uint_eq(mtk_probe_ssl_error_from_text(
                        "OpenSSL/3.0.22: error:0A000418:SSL routines::tlsv1 "
                        "alert unknown ca"),
                    0x0A000418UL);
  ck_assert_uint_eq(mtk_probe_ssl_error_from_text(
                        "error:1409445C:SSL routines:ssl3_read_bytes:x"),
                    0x1409445CUL);
  ck_assert_uint_eq(mtk_probe_ssl_error_from_text("Recv failure: error"), 0);
  ck_assert_uint_eq(mtk_probe_ssl_error_from_text("error:0A0004:short"), 0);
  ck_assert_uint_eq(mtk_probe_ssl_error_from_text(""), 0);
}
END_TEST

START_TEST(test_facts_format) {
  struct mtk_probe_facts f;
  char buf[128];
  mtk_probe_facts_init(&f);
  f.curl_code = 56;
  f.os_errno = 104;
  f.alert = 45;
  f.tls_done = f.tcp_connected = true;
  ck_assert_int_eq(mtk_probe_facts_format(buf, sizeof(buf), &f), 0);
  ck_assert_str_eq(buf, "curl 56, errno 104, alert 45, tls done");
  ck_assert_int_eq(mtk_probe_facts_format(buf, 8, &f), MTK_ERANGE);
}
END_TEST

static Suite *make_suite(void) {
  Suite *s = suite_create("probe_classify");
  TCase *tc = tcase_create("core");
  tcase_add_loop_test(tc, test_classify_table, 0,
                      (int)(sizeof(rows) / sizeof(rows[0])));
  tcase_add_test(tc, test_classify_body_capped);
  tcase_add_test(tc, test_classify_versions_agree);
  tcase_add_test(tc, test_trace_tls12_alert);
  tcase_add_test(tc, test_trace_tls13_alert_after_close_notify_rules);
  tcase_add_test(tc, test_trace_ignores_other_records);
  tcase_add_test(tc, test_trace_finished);
  tcase_add_test(tc, test_ssl_error_from_text);
  tcase_add_test(tc, test_facts_format);
  suite_add_tcase(s, tc);
  return s;
}

MTK_CHECK_MAIN(make_suite)
