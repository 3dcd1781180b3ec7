#include <string.h>

#include "check_main.h"
#include "profile.h"

// Every cell of every profile parses under each TLS setting, names a
// basis and a source in docs/platforms.md, and no defect appears twice.
START_TEST(test_profile_tables_are_well_formed) {
  const struct mtk_probe_profile *p;
  size_t n = 0;
  for (size_t i = 0; (p = mtk_probe_profile_at(i)) != NULL; i++, n++) {
    ck_assert_ptr_eq(mtk_probe_profile_find(p->name), p);
    ck_assert(p->from_verdict || p->num_cells > 0);
    for (size_t k = 0; k < p->num_cells; k++) {
      const struct mtk_probe_cell *c = &p->cells[k];
      struct mtk_probe_expect e;
      ck_assert_msg(mtk_probe_cell_expect(c, 0, &e) == 0, "%s/%s", p->name,
                    mtk_defect_name(c->defect));
      ck_assert_int_eq(mtk_probe_cell_expect(c, 12, &e), 0);
      ck_assert_int_eq(mtk_probe_cell_expect(c, 13, &e), 0);
      ck_assert(strcmp(c->basis, "D") == 0 || strcmp(c->basis, "I") == 0 ||
                strcmp(c->basis, "D/I") == 0);
      ck_assert_msg(strstr(c->source, "docs/platforms.md §") != NULL,
                    "%s/%s: %s", p->name, mtk_defect_name(c->defect),
                    c->source);
      for (size_t j = 0; j < k; j++) {
        ck_assert_msg(p->cells[j].defect != c->defect, "%s: %s twice", p->name,
                      mtk_defect_name(c->defect));
      }
    }
  }
  ck_assert_uint_eq(n, 11);
}
END_TEST

static bool allows(const char *profile, enum mtk_defect d, int tls,
                   struct mtk_outcome o) {
  const struct mtk_probe_profile *p = mtk_probe_profile_find(profile);
  ck_assert_ptr_nonnull(p);
  const struct mtk_probe_cell *c = mtk_probe_profile_cell(p, d);
  ck_assert_ptr_nonnull(c);
  struct mtk_probe_expect e;
  ck_assert_int_eq(mtk_probe_cell_expect(c, tls, &e), 0);
  return mtk_probe_expect_matches(&e, &o);
}

// Spot checks against docs/platforms.md §7 and §4-§6.
START_TEST(test_profile_cells_follow_the_document) {
  struct mtk_outcome h200 = {MTK_OUTCOME_HTTP, MTK_STAGE_HTTP, 200, 0};
  struct mtk_outcome h400 = {MTK_OUTCOME_HTTP, MTK_STAGE_HTTP, 400, 0};
  struct mtk_outcome h403 = {MTK_OUTCOME_HTTP, MTK_STAGE_HTTP, 403, 0};
  struct mtk_outcome a40 = {MTK_OUTCOME_TLS_ALERT, MTK_STAGE_HANDSHAKE, 0, 40};
  struct mtk_outcome a116 = {MTK_OUTCOME_TLS_ALERT, MTK_STAGE_FIRST_READ, 0,
                             116};
  struct mtk_outcome a42 = {MTK_OUTCOME_TLS_ALERT, MTK_STAGE_FIRST_READ, 0, 42};
  struct mtk_outcome a45 = {MTK_OUTCOME_TLS_ALERT, MTK_STAGE_FIRST_READ, 0, 45};
  struct mtk_outcome closed = {MTK_OUTCOME_CLOSED, MTK_STAGE_FIRST_READ, 0, 0};
  struct mtk_outcome reset = {MTK_OUTCOME_RESET, MTK_STAGE_HANDSHAKE, 0, 0};

  ck_assert(allows("nginx", MTK_DEFECT_REVOKED, 0, h400));
  ck_assert(!allows("nginx", MTK_DEFECT_REVOKED, 0, h200));
  ck_assert(allows("nginx-optional", MTK_DEFECT_NO_CERTIFICATE, 0, h403));
  ck_assert(allows("nginx-optional", MTK_DEFECT_EXPIRED, 0, h400));
  // no certificate: 116 under TLS 1.3, 40 under 1.2, either if unpinned.
  ck_assert(allows("haproxy", MTK_DEFECT_NO_CERTIFICATE, 13, a116));
  ck_assert(!allows("haproxy", MTK_DEFECT_NO_CERTIFICATE, 13, a40));
  ck_assert(allows("haproxy", MTK_DEFECT_NO_CERTIFICATE, 12, a40));
  ck_assert(!allows("haproxy", MTK_DEFECT_NO_CERTIFICATE, 12, a116));
  ck_assert(allows("haproxy", MTK_DEFECT_NO_CERTIFICATE, 0, a40));
  ck_assert(allows("haproxy", MTK_DEFECT_NO_CERTIFICATE, 0, a116));
  // Under TLS 1.3 a reset may replace the alert (§6.4), not under 1.2.
  ck_assert(allows("haproxy", MTK_DEFECT_EXPIRED, 13, reset));
  ck_assert(!allows("haproxy", MTK_DEFECT_EXPIRED, 12, reset));
  ck_assert(allows("haproxy", MTK_DEFECT_EXPIRED, 12, a45));
  ck_assert(!allows("haproxy", MTK_DEFECT_EXPIRED, 13, closed));
  ck_assert(allows("node", MTK_DEFECT_NO_CERTIFICATE, 13, reset));
  ck_assert(!allows("node", MTK_DEFECT_NO_CERTIFICATE, 12, reset));
  // OpenSSL sends 42 for not-yet-valid (BoringSSL would send 45).
  ck_assert(allows("apache", MTK_DEFECT_NOT_YET_VALID, 0, a42));
  ck_assert(!allows("apache", MTK_DEFECT_NOT_YET_VALID, 0, a45));
  ck_assert(allows("node", MTK_DEFECT_EXPIRED, 0, closed));
  ck_assert(allows("node", MTK_DEFECT_EXPIRED, 0, reset));
  ck_assert(!allows("node", MTK_DEFECT_EXPIRED, 0, a45));
  ck_assert(allows("alb-verify", MTK_DEFECT_EXPIRED, 0, closed));
  ck_assert(allows("alb-verify", MTK_DEFECT_EXPIRED, 0, a45));
  ck_assert(!allows("alb-verify", MTK_DEFECT_EXPIRED, 0, h200));
  ck_assert(allows("alb-verify-allow-expired", MTK_DEFECT_EXPIRED, 0, h200));
  ck_assert(allows("apigw", MTK_DEFECT_UNKNOWN_CA, 0, h403));
  ck_assert(allows("apigw", MTK_DEFECT_UNKNOWN_CA, 0, reset));
  ck_assert(allows("apigw", MTK_DEFECT_REVOKED, 0, h200));
  ck_assert(allows("cloudflare", MTK_DEFECT_NO_CERTIFICATE, 0, h403));
  ck_assert(!allows("cloudflare", MTK_DEFECT_NO_CERTIFICATE, 0, a116));
  ck_assert(allows("alb-passthrough", MTK_DEFECT_EXPIRED, 0, h403));
  ck_assert(!allows("alb-passthrough", MTK_DEFECT_EXPIRED, 0, reset));
}
END_TEST

START_TEST(test_profile_lookup) {
  ck_assert_ptr_eq(mtk_probe_profile_find("ibm-cis"),
                   mtk_probe_profile_find("cloudflare"));
  ck_assert_ptr_null(mtk_probe_profile_find("envoy"));
  ck_assert_ptr_null(mtk_probe_profile_at(11));
  const struct mtk_probe_profile *strict = mtk_probe_profile_find("strict");
  ck_assert(strict->from_verdict);
  ck_assert_ptr_null(mtk_probe_profile_cell(strict, MTK_DEFECT_EXPIRED));
  // Unspecified cells exist: Cloudflare's EKU behaviour is unknown (§7).
  ck_assert_ptr_null(mtk_probe_profile_cell(
      mtk_probe_profile_find("cloudflare"), MTK_DEFECT_EKU_SERVER_ONLY));
}
END_TEST

static Suite *make_suite(void) {
  Suite *s = suite_create("probe_profile");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, test_profile_tables_are_well_formed);
  tcase_add_test(tc, test_profile_cells_follow_the_document);
  tcase_add_test(tc, test_profile_lookup);
  suite_add_tcase(s, tc);
  return s;
}

MTK_CHECK_MAIN(make_suite)
