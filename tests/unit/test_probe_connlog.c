// Connection-log lines in ALB's documented format (fields in the order of
// the "Connection log entries" table of AWS's connection-log page), as
// mtlskit serve writes them (ALB's fields, then its own), and lines that
// are not connection-log lines; then how attempts find their line.
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "connlog.h"

// A successful and a refused connection as ALB logs them.
static const char alb_success[] =
    "2023-10-04T17:10:12.512785Z 203.0.113.1 36280 443 TLSv1.2 "
    "ECDHE-RSA-AES128-GCM-SHA256 4.036 "
    "\"CN=client.example.com,O=Example,L=Seattle,ST=Washington,C=US\" "
    "NotBefore=2023-09-21T22:43:21Z;NotAfter=2026-06-17T22:43:21Z "
    "0FEF257C2E5C61CB1 Success TID_d1a3c44dc1a2744ab2b1f1b0b8efaf7c\n";
static const char alb_failed[] =
    "2023-10-04T17:08:38.513456Z 203.0.113.1 36282 443 TLSv1.3 "
    "TLS_AES_128_GCM_SHA256 - \"CN=client.example.com,O=Example\" "
    "NotBefore=2023-09-21T22:43:21Z;NotAfter=2026-06-17T22:43:21Z "
    "fef257c2e5c61cb2 Failed:ClientCertUntrusted TID_00aa\n";
// mtlskit serve: ALB's twelve fields, then its own; no certificate.
static const char serve_nocert[] =
    "2026-12-04T03:27:02.000100Z 127.0.0.1 46220 32853 TLSv1.3 "
    "TLS_AES_256_GCM_SHA384 - \"-\" - - Failed:UnmappedConnectionError "
    "TID_0000000000000007 action=refuse-tls http=- requests=0 end=refused\n";

START_TEST(parses_documented_lines) {
  struct mtk_probe_connlog_entry e;
  ck_assert(mtk_probe_connlog_parse_line(alb_success, &e));
  ck_assert_str_eq(e.client_ip, "203.0.113.1");
  ck_assert_uint_eq(e.client_port, 36280);
  ck_assert_uint_eq(e.listener_port, 443);
  ck_assert_str_eq(e.serial, "FEF257C2E5C61CB1");  // leading zero dropped
  ck_assert_str_eq(e.status, "Success");
  ck_assert(fabs(e.time - 1696439412.512785) < 1e-5);
  ck_assert(mtk_probe_connlog_parse_line(alb_failed, &e));
  ck_assert_str_eq(e.serial, "FEF257C2E5C61CB2");  // upper case
  ck_assert_str_eq(e.status, "Failed:ClientCertUntrusted");
  ck_assert(mtk_probe_connlog_parse_line(serve_nocert, &e));
  ck_assert_str_eq(e.serial, "-");
  ck_assert_str_eq(e.status, "Failed:UnmappedConnectionError");
}
END_TEST

START_TEST(refuses_other_lines) {
  static const char *const bad[] = {
      "",
      "garbage",
      // eleven fields
      "2023-10-04T17:10:12Z 203.0.113.1 36280 443 TLSv1.2 X 4.036 \"CN=a\" "
      "V 01 Success",
      // a port that is not a number
      "2023-10-04T17:10:12Z 203.0.113.1 port 443 TLSv1.2 X 4.036 \"CN=a\" V "
      "01 Success TID_1",
      // a port out of range
      "2023-10-04T17:10:12Z 203.0.113.1 70000 443 TLSv1.2 X 4.036 \"CN=a\" V "
      "01 Success TID_1",
      // a status that is neither Success nor Failed:CODE
      "2023-10-04T17:10:12Z 203.0.113.1 1 443 TLSv1.2 X 4.036 \"CN=a\" V 01 "
      "Maybe TID_1",
      // a subject whose quote is not closed
      "2023-10-04T17:10:12Z 203.0.113.1 1 443 TLSv1.2 X 4.036 \"CN=a V 01 "
      "Success TID_1",
      // a timestamp that is not one
      "yesterday 203.0.113.1 1 443 TLSv1.2 X 4.036 \"CN=a\" V 01 Success "
      "TID_1",
      // an access-log line (another ALB log)
      "https 2023-10-04T17:10:12.512785Z app/my-lb/50dc6c495c0c9188 "
      "192.168.131.39:2817 10.0.0.1:80 0.000 0.001 0.000 200 200 34 366 "
      "\"GET https://www.example.com:443/ HTTP/1.1\"",
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    struct mtk_probe_connlog_entry e;
    ck_assert_msg(!mtk_probe_connlog_parse_line(bad[i], &e), "line %zu", i);
  }
}
END_TEST

static void add(struct mtk_probe_connlog *log, const char *line) {
  struct mtk_probe_connlog_entry e;
  ck_assert(mtk_probe_connlog_parse_line(line, &e));
  log->entries = realloc(log->entries, (log->num_entries + 1) * sizeof(e));
  log->entries[log->num_entries++] = e;
}

START_TEST(finds_lines_by_serial_port_and_time) {
  struct mtk_probe_connlog log = {NULL, 0, 0, 0};
  add(&log, alb_success);
  add(&log, alb_failed);
  add(&log,
      "2023-10-04T17:20:00Z 203.0.113.9 40000 443 TLSv1.3 X - \"-\" - - "
      "Failed:UnmappedConnectionError TID_2\n");
  double t = 1696439412.0;  // 17:10:12
  // By serial, whatever its case or leading zeros.
  const struct mtk_probe_connlog_entry *e =
      mtk_probe_connlog_find(&log, 443, "00fef257c2e5c61cb1", 0, t, t + 1);
  ck_assert_ptr_nonnull(e);
  ck_assert_str_eq(e->status, "Success");
  // Another listener port, or a time far from the line's: no match.
  ck_assert_ptr_null(
      mtk_probe_connlog_find(&log, 8443, "FEF257C2E5C61CB1", 0, t, t + 1));
  ck_assert_ptr_null(mtk_probe_connlog_find(&log, 443, "FEF257C2E5C61CB1", 0,
                                            t + 3600, t + 3601));
  // Within the slack before the attempt's start, and just outside it.
  double line = 1696439318.513456;  // alb_failed: 17:08:38.513456
  double in = line + MTK_PROBE_CONNLOG_SLACK_S - 0.5;
  double out = line + MTK_PROBE_CONNLOG_SLACK_S + 0.5;
  ck_assert_ptr_nonnull(
      mtk_probe_connlog_find(&log, 443, "FEF257C2E5C61CB2", 0, in, in + 1));
  ck_assert_ptr_null(
      mtk_probe_connlog_find(&log, 443, "FEF257C2E5C61CB2", 0, out, out + 1));
  // No certificate: by the client's port, among the lines without one.
  ck_assert_ptr_null(mtk_probe_connlog_find(&log, 443, NULL, 36280, t, t + 1));
  t = 1696440000.0;  // 17:20:00
  e = mtk_probe_connlog_find(&log, 0, "-", 40000, t, t + 1);
  ck_assert_ptr_nonnull(e);
  ck_assert_str_eq(e->status, "Failed:UnmappedConnectionError");
  free(log.entries);
}
END_TEST

START_TEST(allows_any_of_the_expected) {
  ck_assert(mtk_probe_connlog_allows("Success", "Success"));
  ck_assert(mtk_probe_connlog_allows(
      "Failed:ClientCertExpired|Failed:ClientCertCrlHit",
      "Failed:ClientCertCrlHit"));
  ck_assert(!mtk_probe_connlog_allows(
      "Failed:ClientCertExpired|Failed:ClientCertCrlHit",
      "Failed:ClientCertUntrusted"));
  ck_assert(!mtk_probe_connlog_allows("Failed:ClientCertExpired",
                                      "Failed:ClientCert"));
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("probe_connlog");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, parses_documented_lines);
  tcase_add_test(tc, refuses_other_lines);
  tcase_add_test(tc, finds_lines_by_serial_port_and_time);
  tcase_add_test(tc, allows_any_of_the_expected);
  suite_add_tcase(s, tc);
  return s;
}

MTK_CHECK_MAIN(suite)
