// mtlskit serve's platform decisions and ALB header formats (the cases
// that need no certificate chain; chains are exercised end to end by
// tests/integration/serve_*.sh with a real fixture set).
#include <openssl/x509.h>
#include <string.h>

#include "check_main.h"
#include "mtlskit/serve.h"

START_TEST(test_serve_profile_names) {
  for (int i = 0; i < MTK_SERVE_PROFILE_COUNT; i++) {
    enum mtk_serve_profile p;
    ck_assert_int_eq(mtk_serve_profile_from_name(
                         mtk_serve_profile_name((enum mtk_serve_profile)i), &p),
                     0);
    ck_assert_int_eq(p, i);
  }
  enum mtk_serve_profile p = MTK_SERVE_PROFILE_ALB_VERIFY;
  ck_assert_int_eq(mtk_serve_profile_from_name("ibm-cis", &p), 0);
  ck_assert_int_eq(p, MTK_SERVE_PROFILE_CLOUDFLARE);
  ck_assert_int_eq(mtk_serve_profile_from_name("nginx", &p), MTK_EPARSE);
  ck_assert_ptr_null(mtk_serve_profile_name(MTK_SERVE_PROFILE_COUNT));
  ck_assert_str_eq(mtk_serve_action_name(MTK_SERVE_REFUSE_TLS), "refuse-tls");
}
END_TEST

START_TEST(test_serve_alb_codes) {
  // docs/platforms.md §1.4 reason codes.
  ck_assert_str_eq(mtk_serve_alb_code(MTK_VERIFY_EXPIRED), "ClientCertExpired");
  ck_assert_str_eq(mtk_serve_alb_code(MTK_VERIFY_NOT_YET_VALID),
                   "ClientCertNotYetValid");
  ck_assert_str_eq(mtk_serve_alb_code(MTK_VERIFY_REVOKED), "ClientCertCrlHit");
  ck_assert_str_eq(mtk_serve_alb_code(MTK_VERIFY_UNKNOWN_ISSUER),
                   "ClientCertUntrusted");
  ck_assert_str_eq(mtk_serve_alb_code(MTK_VERIFY_SELF_SIGNED),
                   "ClientCertUntrusted");
  ck_assert_str_eq(mtk_serve_alb_code(MTK_VERIFY_BAD_EKU),
                   "ClientCertPurposeInvalid");
  ck_assert_str_eq(mtk_serve_alb_code(MTK_VERIFY_DEPTH_EXCEEDED),
                   "ClientCertMaxChainDepthExceeded");
  ck_assert_str_eq(mtk_serve_alb_code(MTK_VERIFY_UNSUPPORTED_KEY_TYPE),
                   "ClientCertTypeUnsupported");
  ck_assert_str_eq(mtk_serve_alb_code(MTK_VERIFY_CRL_EXPIRED),
                   "ClientCertCrlProcessingError");
  ck_assert_str_eq(mtk_serve_alb_code(MTK_VERIFY_BAD_SIGNATURE),
                   "ClientCertInvalid");
  ck_assert_str_eq(mtk_serve_alb_code(MTK_VERIFY_NO_CERTIFICATE),
                   "UnmappedConnectionError");
}
END_TEST

static void decide(enum mtk_serve_profile profile, bool refuse_tls, X509 *leaf,
                   size_t bytes, struct mtk_serve_decision *d) {
  struct mtk_serve_policy policy = {.profile = profile,
                                    .apigw_refuse_tls = refuse_tls};
  policy.trusted = sk_X509_new_null();
  policy.crls = sk_X509_CRL_new_null();
  ck_assert_int_eq(mtk_serve_decide(&policy, leaf, NULL, bytes, d, NULL), 0);
  sk_X509_free(policy.trusted);
  sk_X509_CRL_free(policy.crls);
}

START_TEST(test_serve_decide_without_certificate) {
  struct mtk_serve_decision d;
  decide(MTK_SERVE_PROFILE_ALB_VERIFY, false, NULL, 0, &d);
  ck_assert_int_eq(d.action, MTK_SERVE_REFUSE_TLS);
  ck_assert_str_eq(d.status, "Failed:UnmappedConnectionError");
  decide(MTK_SERVE_PROFILE_ALB_PASSTHROUGH, false, NULL, 0, &d);
  ck_assert_int_eq(d.action, MTK_SERVE_FORWARD);
  ck_assert(!d.verified);
  decide(MTK_SERVE_PROFILE_APIGW, false, NULL, 0, &d);
  ck_assert_int_eq(d.action, MTK_SERVE_FORBID);
  decide(MTK_SERVE_PROFILE_APIGW, true, NULL, 0, &d);
  ck_assert_int_eq(d.action, MTK_SERVE_REFUSE_TLS);
  decide(MTK_SERVE_PROFILE_CLOUDFLARE, false, NULL, 0, &d);
  ck_assert_int_eq(d.action, MTK_SERVE_FORBID);
  ck_assert_str_eq(d.status, "NONE");
}
END_TEST

START_TEST(test_serve_decide_oversized) {
  // Over ALB's 64 K TLS message quota: refused before any verification,
  // in verify and passthrough mode alike; the other platforms verify.
  X509 *leaf = X509_new();
  struct mtk_serve_decision d;
  decide(MTK_SERVE_PROFILE_ALB_VERIFY, false, leaf,
         MTK_SERVE_ALB_MAX_CERT_BYTES + 1, &d);
  ck_assert_int_eq(d.action, MTK_SERVE_REFUSE_TLS);
  ck_assert_str_eq(d.status, "Failed:ClientCertMaxSizeExceeded");
  ck_assert(!d.verified);
  decide(MTK_SERVE_PROFILE_ALB_PASSTHROUGH, false, leaf,
         MTK_SERVE_ALB_MAX_CERT_BYTES + 1, &d);
  ck_assert_int_eq(d.action, MTK_SERVE_REFUSE_TLS);
  decide(MTK_SERVE_PROFILE_ALB_PASSTHROUGH, false, leaf,
         MTK_SERVE_ALB_MAX_CERT_BYTES, &d);
  ck_assert_int_eq(d.action, MTK_SERVE_FORWARD);
  X509_free(leaf);
}
END_TEST

START_TEST(test_serve_url_encode) {
  char *out = NULL;
  const char pem[] = "-----BEGIN CERTIFICATE-----\nMIIB+a/b==\n";
  ck_assert_int_eq(mtk_alb_url_encode(pem, strlen(pem), &out), 0);
  // §1.3: "+=/" stay, space and newline are encoded.
  ck_assert_str_eq(out, "-----BEGIN%20CERTIFICATE-----%0AMIIB+a/b==%0A");
  free(out);
  const char odd[] = {'%', '?', '&', ' ', (char)0xc3, '\0', '~', '_', '.'};
  ck_assert_int_eq(mtk_alb_url_encode(odd, sizeof(odd), &out), 0);
  ck_assert_str_eq(out, "%25%3F%26%20%C3%00~_.");
  free(out);
}
END_TEST

START_TEST(test_serve_name_rfc2253) {
  X509_NAME *name = X509_NAME_new();
  ck_assert(X509_NAME_add_entry_by_txt(name, "C", MBSTRING_ASC,
                                       (const unsigned char *)"US", -1, -1, 0));
  ck_assert(X509_NAME_add_entry_by_txt(
      name, "O", MBSTRING_ASC, (const unsigned char *)"mTLS, Inc", -1, -1, 0));
  ck_assert(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                       (const unsigned char *)"client_.com", -1,
                                       -1, 0));
  char *out = NULL;
  ck_assert_int_eq(mtk_alb_name_rfc2253(name, &out), 0);
  // Most specific first, the comma escaped (RFC 2253 §2.4).
  ck_assert_str_eq(out, "CN=client_.com,O=mTLS\\, Inc,C=US");
  free(out);
  X509_NAME_free(name);
}
END_TEST

static Suite *serve_suite(void) {
  Suite *s = suite_create("serve");
  TCase *tc = tcase_create("policy");
  tcase_add_test(tc, test_serve_profile_names);
  tcase_add_test(tc, test_serve_alb_codes);
  tcase_add_test(tc, test_serve_decide_without_certificate);
  tcase_add_test(tc, test_serve_decide_oversized);
  tcase_add_test(tc, test_serve_url_encode);
  tcase_add_test(tc, test_serve_name_rfc2253);
  suite_add_tcase(s, tc);
  return s;
}

MTK_CHECK_MAIN(serve_suite)
