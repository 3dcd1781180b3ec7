#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "mtlskit/error.h"
#include "profile.h"
#include "profile_file.h"

// Every cell of every profile parses under each TLS setting, names a
// basis and a source in docs/platforms.md, and no defect appears twice.
START_TEST(test_profile_tables_are_well_formed) {
  const struct mtk_probe_profile *p;
  size_t n = 0;
  for (size_t i = 0; (p = mtk_probe_profile_at(i)) != NULL; i++, n++) {
    ck_assert_ptr_eq(mtk_probe_profile_find(p->name), p);
    ck_assert_str_eq(p->origin, "installed");
    ck_assert(p->from_verdict || p->num_cells > 0);
    for (size_t k = 0; k < p->num_cells; k++) {
      const struct mtk_probe_cell *c = &p->cells[k];
      struct mtk_probe_expect e;
      ck_assert_msg(mtk_probe_cell_expect(c, 0, &e) == 0, "%s/%s", p->name,
                    mtk_defect_name(c->defect));
      ck_assert_int_eq(mtk_probe_cell_expect(c, 12, &e), 0);
      ck_assert_int_eq(mtk_probe_cell_expect(c, 13, &e), 0);
      ck_assert(strcmp(c->basis, "D") == 0 || strcmp(c->basis, "I") == 0 ||
                strcmp(c->basis, "D/I") == 0 || strcmp(c->basis, "O") == 0);
      ck_assert_msg(strstr(c->source, "docs/platforms.md §") != NULL,
                    "%s/%s: %s", p->name, mtk_defect_name(c->defect),
                    c->source);
      for (size_t j = 0; j < k; j++) {
        ck_assert_msg(p->cells[j].defect != c->defect, "%s: %s twice", p->name,
                      mtk_defect_name(c->defect));
      }
    }
  }
  ck_assert_uint_eq(n, 14);
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
  ck_assert_ptr_eq(mtk_probe_profile_find("caddy"),
                   mtk_probe_profile_find("go"));
  ck_assert_ptr_nonnull(mtk_probe_profile_find("cloudfront"));
  ck_assert_ptr_null(mtk_probe_profile_find("envoy"));
  ck_assert_ptr_null(mtk_probe_profile_at(14));
  ck_assert_str_eq(mtk_probe_profile_find("stunnel")->library, "openssl");
  const struct mtk_probe_profile *strict = mtk_probe_profile_find("strict");
  ck_assert(strict->from_verdict);
  ck_assert_ptr_null(mtk_probe_profile_cell(strict, MTK_DEFECT_EXPIRED));
  // Unspecified cells exist: Cloudflare's EKU behaviour is unknown (§7).
  ck_assert_ptr_null(mtk_probe_profile_cell(
      mtk_probe_profile_find("cloudflare"), MTK_DEFECT_EKU_SERVER_ONLY));
}
END_TEST

// read_text returns the whole of |path| (relative to the source tree).
static char *read_text(const char *rel) {
  char path[4096];
  snprintf(path, sizeof(path), "%s/%s", MTK_SOURCE_DIR, rel);
  FILE *f = fopen(path, "r");
  ck_assert_msg(f != NULL, "%s", path);
  char *buf = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&buf, &len);
  int c;
  while ((c = fgetc(f)) != EOF) {
    fputc(c, m);
  }
  fclose(f);
  fclose(m);
  return buf;
}

// The profiles moved from compiled tables to data with every field of
// every cell unchanged: tests/data/profiles-before.tsv is the tables'
// mtk_probe_profile_write_table output, taken once from the C tables.
START_TEST(test_profiles_match_the_compiled_tables) {
  char *before = read_text("tests/data/profiles-before.tsv");
  char *after = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&after, &len);
  size_t num = 0;
  for (char *line = before; line != NULL && *line != '\0';) {
    char *nl = strchr(line, '\n');
    char *tab = strchr(line, '\t');
    if (tab != NULL && strncmp(tab, "\tprofile\t", 9) == 0) {
      char name[64];
      snprintf(name, sizeof(name), "%.*s", (int)(tab - line), line);
      const struct mtk_probe_profile *p = mtk_probe_profile_find(name);
      ck_assert_msg(p != NULL, "profile %s is gone", name);
      mtk_probe_profile_write_table(m, p);
      num++;
    }
    line = nl != NULL ? nl + 1 : NULL;
  }
  fclose(m);
  ck_assert_uint_eq(num, 11);
  // Name the first line that differs (the whole table is too long for a
  // message).
  size_t at = 0;
  while (before[at] != '\0' && before[at] == after[at]) {
    at++;
  }
  size_t bol = at;
  while (bol > 0 && before[bol - 1] != '\n') {
    bol--;
  }
  ck_assert_msg(before[at] == after[at], "was: %.200s\nnow: %.200s",
                before + bol, after + bol);
  free(after);
  free(before);
}
END_TEST

// has_section reports whether docs/platforms.md has the heading "§N".
static bool has_section(const char *doc, const char *sec, size_t sec_len) {
  for (const char *s = doc; (s = strstr(s, "\n#")) != NULL; s++) {
    const char *h = s + 1 + strspn(s + 1, "#");
    if (*h == ' ' && strncmp(h + 1, sec, sec_len) == 0 &&
        (h[1 + sec_len] == ' ' || h[1 + sec_len] == '\n')) {
      return true;
    }
  }
  return false;
}

// check_source asserts that |src| cites docs/platforms.md and that every
// "§N" or "§N.M" in it is a heading there.
static void check_source(const char *doc, const char *who, const char *src) {
  ck_assert_msg(strstr(src, "docs/platforms.md §") != NULL, "%s: %s", who, src);
  for (const char *s = src; (s = strstr(s, "§")) != NULL;) {
    const char *num = s + strlen("§");
    size_t len = strspn(num, "0123456789.");
    while (len > 0 && num[len - 1] == '.') {
      len--;
    }
    ck_assert_msg(len > 0, "%s: a bare § in %s", who, src);
    char sec[16];
    snprintf(sec, sizeof(sec), "§%.*s", (int)len, num);
    ck_assert_msg(has_section(doc, sec, strlen(sec)),
                  "%s: %s is no section of docs/platforms.md (%s)", who, sec,
                  src);
    s = num + len;
  }
}

// Every cell of every installed profile cites a section docs/platforms.md
// has.
START_TEST(test_profile_sources_resolve) {
  char *doc = read_text("docs/platforms.md");
  const struct mtk_probe_profile *p;
  size_t cells = 0;
  for (size_t i = 0; (p = mtk_probe_profile_at(i)) != NULL; i++) {
    for (size_t k = 0; k < p->num_cells; k++, cells++) {
      char who[128];
      snprintf(who, sizeof(who), "%s/%s", p->name,
               mtk_defect_name(p->cells[k].defect));
      check_source(doc, who, p->cells[k].source);
    }
    if (p->key_type_cell != NULL) {
      check_source(doc, p->name, p->key_type_cell->source);
    }
  }
  ck_assert_uint_gt(cells, 100);
  free(doc);
}
END_TEST

// load_text writes |text| to a temporary profile file and loads it.
static int load_text(const char *text, char *msg, size_t msg_len,
                     const struct mtk_probe_profile **out) {
  char path[] = "/tmp/mtk-profile-XXXXXX.json";
  int fd = mkstemps(path, 5);
  ck_assert_int_ge(fd, 0);
  ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
  close(fd);
  struct mtk_diag diag;
  mtk_diag_init(&diag);
  int err = mtk_probe_profile_open(path, out, &diag);
  // The message names the file: put a fixed name in its place.
  const char *m = mtk_diag_message(&diag, err);
  const char *at = strstr(m, path);
  snprintf(msg, msg_len, "%s",
           err == 0     ? ""
           : at != NULL ? at + strlen(path)
                        : m);
  unlink(path);
  return err;
}

#define GOOD_HEAD                                         \
  "{\n  \"mtlskit_profile\": 1,\n  \"name\": \"mine\",\n" \
  "  \"summary\": \"my endpoint\",\n  \"assumes\": \"its config\",\n"

// A user's file loads; a broken one is refused with its line and field.
START_TEST(test_profile_file_errors) {
  const struct mtk_probe_profile *p;
  char msg[512];
  ck_assert_int_eq(
      load_text(GOOD_HEAD "  \"cells\": {\n"
                          "    \"expired\": {\"expect\": \"http 403\", "
                          "\"basis\": \"O\",\n"
                          "      \"source\": \"docs/platforms.md §4\"}\n"
                          "  }\n}\n",
                msg, sizeof(msg), &p),
      0);
  ck_assert_str_eq(p->origin, "user");
  ck_assert_str_eq(p->name, "mine");
  ck_assert_ptr_nonnull(mtk_probe_profile_cell(p, MTK_DEFECT_EXPIRED));
  // Found by path only: an installed name stays the installed profile.
  ck_assert_ptr_null(mtk_probe_profile_find("mine"));

  static const struct {
    const char *text;
    const char *msg;
  } bad[] = {
      {GOOD_HEAD "  \"cells\": {\n    \"expired\": {\"expect\": \"http 4x3\",\n"
                 "      \"basis\": \"D\", \"source\": \"s\"}\n  }\n}\n",
       ":7: cells.expired.expect: bad expectation"},
      {GOOD_HEAD "  \"cells\": {\n    \"expird\": {\"expect\": \"http 403\",\n"
                 "      \"basis\": \"D\", \"source\": \"s\"}\n  }\n}\n",
       ":7: cells.expird: unknown defect"},
      {GOOD_HEAD "  \"cells\": {\n    \"expired\": {\"expect\": \"http 403\",\n"
                 "      \"basis\": \"maybe\", \"source\": \"s\"}\n  }\n}\n",
       ":8: cells.expired.basis: want D, I, D/I or O"},
      {GOOD_HEAD "  \"cells\": {\n    \"expired\": {\"expect\": \"http 403\",\n"
                 "      \"basis\": \"D\"}\n  }\n}\n",
       ":7: cells.expired.source: missing"},
      {GOOD_HEAD "  \"cells\": {},\n  \"colour\": 1\n}\n",
       ":7: colour: unknown field"},
      {"{\n  \"mtlskit_profile\": 2\n}\n",
       ":2: mtlskit_profile: unsupported schema version"},
      {GOOD_HEAD "  \"cells\": {\n    \"expired\": {\"expect\": \"http 403\"\n"
                 "  }\n}\n",
       ":10: '}' expected"},
      {GOOD_HEAD "  \"cells\": {\"none\": {\"expect\": \"http 2xx\", "
                 "\"basis\": \"D\", \"source\": \"s\"},\n"
                 "    \"none\": {}}\n}\n",
       ":7: duplicate object key"},
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    ck_assert_int_ne(load_text(bad[i].text, msg, sizeof(msg), &p), 0);
    ck_assert_msg(strncmp(msg, bad[i].msg, strlen(bad[i].msg)) == 0,
                  "case %zu: got '%s', want '%s...'", i, msg, bad[i].msg);
  }
  mtk_probe_profiles_cleanup();
}
END_TEST

static Suite *make_suite(void) {
  Suite *s = suite_create("probe_profile");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, test_profile_tables_are_well_formed);
  tcase_add_test(tc, test_profile_cells_follow_the_document);
  tcase_add_test(tc, test_profile_lookup);
  tcase_add_test(tc, test_profiles_match_the_compiled_tables);
  tcase_add_test(tc, test_profile_sources_resolve);
  tcase_add_test(tc, test_profile_file_errors);
  suite_add_tcase(s, tc);
  return s;
}

MTK_CHECK_MAIN(make_suite)
