// Lint rules whose inputs openssl cannot easily make: a CRL without
// nextUpdate, more than 500,000 revocation entries, a CRL file over 50 MB.
// The CRLs are built with the X.509 toolkit's CRL builder.
#include <openssl/mem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "mtlskit/file.h"
#include "mtlskit/lint.h"
#include "mtlskit/pem.h"
#include "mtlskit/x509_cert.h"
#include "mtlskit/x509_crl.h"

static char dir[64];
static char bundle_path[128];
static X509 *ca_cert;
static EVP_PKEY *ca_key;

static void write_file(const char *path, const void *data, size_t len) {
  unlink(path);
  ck_assert_int_eq(mtk_file_create(path, data, len, 0644, false, NULL), 0);
}

// setup makes a P-256 root CA and writes it as the bundle.
static void setup(void) {
  snprintf(dir, sizeof(dir), "/tmp/mtk-test-lint.XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(dir));
  ck_assert_int_eq(mtk_key_generate(MTK_KEY_P256, &ca_key, NULL), 0);
  struct mtk_dn subject;
  mtk_dn_init(&subject);
  ck_assert_int_eq(mtk_dn_parse("/CN=lint test root", &subject, NULL), 0);
  struct mtk_cert_spec spec;
  mtk_cert_spec_init(&spec, MTK_PROFILE_CA, ca_key);
  spec.subject = &subject;
  spec.public_key = ca_key;
  spec.signing_key = ca_key;
  spec.not_before = time(NULL) - 3600;
  spec.not_after = time(NULL) + 365 * 86400;
  uint8_t *der = NULL;
  size_t der_len = 0;
  ck_assert_int_eq(mtk_cert_build(&spec, &der, &der_len, NULL), 0);
  ck_assert_int_eq(mtk_cert_parse(der, der_len, &ca_cert), 0);
  char *pem = NULL;
  size_t pem_len = 0;
  ck_assert_int_eq(mtk_pem_encode("CERTIFICATE", der, der_len, &pem, &pem_len),
                   0);
  snprintf(bundle_path, sizeof(bundle_path), "%s/bundle.pem", dir);
  write_file(bundle_path, pem, pem_len);
  free(pem);
  OPENSSL_free(der);
  mtk_dn_cleanup(&subject);
}

static void teardown(void) {
  X509_free(ca_cert);
  EVP_PKEY_free(ca_key);
  char cmd[128];
  snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
  ck_assert_int_eq(system(cmd), 0);
}

// write_crl writes a CRL with |num_entries| revocations to |name| (PEM) and
// returns its path (static buffer).
static const char *write_crl(const char *name, size_t num_entries,
                             bool omit_next_update) {
  static char path[160];
  struct mtk_crl_entry *entries = calloc(num_entries + 1, sizeof(*entries));
  ck_assert_ptr_nonnull(entries);
  for (size_t i = 0; i < num_entries; i++) {
    entries[i].serial_len = 4;
    entries[i].serial[0] = (uint8_t)(0x10 + (i >> 24));
    entries[i].serial[1] = (uint8_t)(i >> 16);
    entries[i].serial[2] = (uint8_t)(i >> 8);
    entries[i].serial[3] = (uint8_t)i;
    entries[i].revoked_at = time(NULL) - 60;
    entries[i].reason = MTK_REASON_NONE;
  }
  struct mtk_crl_spec spec;
  mtk_crl_spec_init(&spec);
  spec.issuer = ca_cert;
  spec.signing_key = ca_key;
  spec.this_update = time(NULL) - 60;
  spec.next_update = time(NULL) + 20 * 86400;
  spec.omit_next_update = omit_next_update;
  spec.crl_number[0] = 1;
  spec.crl_number_len = 1;
  spec.entries = entries;
  spec.num_entries = num_entries;
  uint8_t *der = NULL;
  size_t der_len = 0;
  ck_assert_int_eq(mtk_crl_build(&spec, &der, &der_len, NULL), 0);
  char *pem = NULL;
  size_t pem_len = 0;
  ck_assert_int_eq(mtk_pem_encode("X509 CRL", der, der_len, &pem, &pem_len), 0);
  snprintf(path, sizeof(path), "%s/%s", dir, name);
  write_file(path, pem, pem_len);
  free(pem);
  OPENSSL_free(der);
  free(entries);
  return path;
}

// count_rule counts findings of |rule| with |severity| after linting.
static size_t lint_count(enum mtk_platform platform, const char *const *crls,
                         size_t num_crls, const char *rule,
                         enum mtk_lint_severity severity) {
  struct mtk_lint_config config = {platform, 0};
  struct mtk_lint_report report = {0};
  ck_assert_int_eq(
      mtk_lint_truststore(&config, bundle_path, crls, num_crls, &report, NULL),
      0);
  size_t n = 0;
  for (size_t i = 0; i < report.num_findings; i++) {
    n += strcmp(report.findings[i].rule, rule) == 0 &&
         report.findings[i].severity == severity;
  }
  mtk_lint_report_cleanup(&report);
  return n;
}

START_TEST(test_lint_crl_without_next_update_warns) {
  const char *with[1] = {write_crl("with.pem", 1, false)};
  ck_assert_uint_eq(lint_count(MTK_PLATFORM_NGINX, with, 1,
                               "crl-no-next-update", MTK_LINT_WARNING),
                    0);
  const char *without[1] = {write_crl("without.pem", 1, true)};
  ck_assert_uint_eq(lint_count(MTK_PLATFORM_NGINX, without, 1,
                               "crl-no-next-update", MTK_LINT_WARNING),
                    1);
}
END_TEST

START_TEST(test_lint_alb_revocation_entries_are_summed) {
  // ALB's quota is per trust store: 250,000 + 250,000 is at the limit,
  // 250,000 + 250,001 is over it.
  char a[160], b[160];
  snprintf(a, sizeof(a), "%s", write_crl("a.pem", 250000, false));
  snprintf(b, sizeof(b), "%s", write_crl("b.pem", 250000, false));
  const char *at_limit[2] = {a, b};
  ck_assert_uint_eq(lint_count(MTK_PLATFORM_ALB, at_limit, 2, "alb.crl-entries",
                               MTK_LINT_ERROR),
                    0);
  snprintf(b, sizeof(b), "%s", write_crl("b.pem", 250001, false));
  const char *over[2] = {a, b};
  ck_assert_uint_eq(
      lint_count(MTK_PLATFORM_ALB, over, 2, "alb.crl-entries", MTK_LINT_ERROR),
      1);
  // Other platforms have no such quota.
  ck_assert_uint_eq(lint_count(MTK_PLATFORM_NGINX, over, 2, "alb.crl-entries",
                               MTK_LINT_ERROR),
                    0);
}
END_TEST

START_TEST(test_lint_alb_crl_file_size) {
  const char *small = write_crl("small.pem", 1, false);
  char path[160];
  snprintf(path, sizeof(path), "%s", small);
  const char *crls[1] = {path};
  ck_assert_uint_eq(
      lint_count(MTK_PLATFORM_ALB, crls, 1, "alb.crl-size", MTK_LINT_ERROR), 0);
  // Pad the same CRL past 50 MB with text after the PEM block, which PEM
  // readers skip: the quota is on the uploaded file's size.
  FILE *f = fopen(path, "a");
  ck_assert_ptr_nonnull(f);
  static char line[1024];
  memset(line, '#', sizeof(line) - 1);
  line[sizeof(line) - 1] = '\n';
  for (size_t written = 0; written <= 50u * 1024 * 1024;
       written += sizeof(line)) {
    ck_assert_uint_eq(fwrite(line, 1, sizeof(line), f), sizeof(line));
  }
  ck_assert_int_eq(fclose(f), 0);
  ck_assert_uint_eq(
      lint_count(MTK_PLATFORM_ALB, crls, 1, "alb.crl-size", MTK_LINT_ERROR), 1);
}
END_TEST

static Suite *lint_suite(void) {
  Suite *s = suite_create("lint");
  TCase *tc = tcase_create("crl");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_lint_crl_without_next_update_warns);
  tcase_add_test(tc, test_lint_alb_revocation_entries_are_summed);
  tcase_add_test(tc, test_lint_alb_crl_file_size);
  suite_add_tcase(s, tc);
  return s;
}

MTK_CHECK_MAIN(lint_suite)
