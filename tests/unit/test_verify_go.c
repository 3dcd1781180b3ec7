// Go 1.19.8's name parsing and name-constraint matching as `verify
// --platform go` ports them (verify/verify_go_names.c), on the inputs
// where Go parts from RFC 5280 and from OpenSSL: leading-period DNS
// constraints, email constraints without '@' matching subdomains, quoted
// and escaped local parts, an empty constraint matching everything.
// Expected values follow Go's src/crypto/x509/verify.go at go1.19.8.
#include <openssl/x509v3.h>
#include <string.h>

#include "../../verify/verify_go.h"
#include "check_main.h"

START_TEST(test_go_domain_labels) {
  ck_assert(go_domain_labels("example.com", 11));
  ck_assert(go_domain_labels("*.example.com", 13));
  ck_assert(go_domain_labels("", 0));  // no labels: accepted by Go
  ck_assert(!go_domain_labels("example.com.", 12));  // absolute
  ck_assert(!go_domain_labels("a..b", 4));
  ck_assert(!go_domain_labels(".a", 2));
  ck_assert(!go_domain_labels("a b", 3));  // space is below 33
}
END_TEST

// mailbox parses |s| and checks the local part and domain it yields.
static bool mailbox(const char *s, const char *want_local,
                    const char *want_domain) {
  char local[64];
  const char *domain;
  size_t domain_len;
  if (!go_mailbox_parse(s, strlen(s), local, &domain, &domain_len)) {
    return false;
  }
  return strcmp(local, want_local) == 0 && domain_len == strlen(want_domain) &&
         memcmp(domain, want_domain, domain_len) == 0;
}

START_TEST(test_go_mailbox) {
  ck_assert(mailbox("user@example.com", "user", "example.com"));
  ck_assert(mailbox("\"a b\"@example.com", "a b", "example.com"));
  ck_assert(mailbox("a\\@b@example.com", "a@b", "example.com"));
  ck_assert(mailbox("user@", "user", ""));  // an empty domain parses
  char local[64];
  const char *domain;
  size_t n;
  ck_assert(!go_mailbox_parse("noat", 4, local, &domain, &n));
  ck_assert(!go_mailbox_parse(".user@x", 7, local, &domain, &n));
  ck_assert(!go_mailbox_parse("us..er@x", 8, local, &domain, &n));
  ck_assert(!go_mailbox_parse("user.@x", 7, local, &domain, &n));
  ck_assert(!go_mailbox_parse("\"open@x", 7, local, &domain, &n));
}
END_TEST

static GENERAL_NAME *name_of(int type, const char *value, size_t len) {
  GENERAL_NAME *gn = GENERAL_NAME_new();
  ASN1_STRING *s = ASN1_STRING_type_new(type == GEN_IPADD ? V_ASN1_OCTET_STRING
                                                          : V_ASN1_IA5STRING);
  ck_assert_ptr_nonnull(gn);
  ck_assert_ptr_nonnull(s);
  ck_assert(ASN1_STRING_set(s, value, (int)len));
  GENERAL_NAME_set0_value(gn, type, s);
  return gn;
}

// allowed reports whether a CA constraining |type| names to |constraint|
// (permitted, or excluded) lets a leaf with the SAN |name| through.
static bool allowed(int type, const char *constraint, size_t c_len,
                    bool excluded, const char *name, size_t n_len) {
  GENERAL_SUBTREE *subtree = GENERAL_SUBTREE_new();
  ck_assert_ptr_nonnull(subtree);
  GENERAL_NAME_free(subtree->base);
  subtree->base = name_of(type, constraint, c_len);
  NAME_CONSTRAINTS *nc = NAME_CONSTRAINTS_new();
  ck_assert_ptr_nonnull(nc);
  STACK_OF(GENERAL_SUBTREE) *trees = sk_GENERAL_SUBTREE_new_null();
  ck_assert(sk_GENERAL_SUBTREE_push(trees, subtree));
  if (excluded) {
    nc->excludedSubtrees = trees;
  } else {
    nc->permittedSubtrees = trees;
  }
  GENERAL_NAMES *san = sk_GENERAL_NAME_new_null();
  ck_assert(sk_GENERAL_NAME_push(san, name_of(type, name, n_len)));
  struct go_cert ca = {.nc = nc};
  struct go_cert leaf = {.san = san};
  char why[200];
  int count = 0;
  bool ok = go_check_name_constraints(&ca, &leaf, &count, why, sizeof(why));
  NAME_CONSTRAINTS_free(nc);
  GENERAL_NAMES_free(san);
  return ok;
}

static bool dns(const char *constraint, const char *name) {
  return allowed(GEN_DNS, constraint, strlen(constraint), false, name,
                 strlen(name));
}

static bool email(const char *constraint, const char *name) {
  return allowed(GEN_EMAIL, constraint, strlen(constraint), false, name,
                 strlen(name));
}

START_TEST(test_go_dns_constraints) {
  ck_assert(dns("example.com", "example.com"));
  ck_assert(dns("example.com", "a.b.EXAMPLE.com"));
  ck_assert(!dns("example.com", "badexample.com"));
  ck_assert(!dns("example.com", "example.net"));
  // A leading period: at least one label more (Go's extension to RFC 5280).
  ck_assert(!dns(".example.com", "example.com"));
  ck_assert(dns(".example.com", "a.example.com"));
  // The empty constraint matches every name: permitted lets all through,
  // excluded none.
  ck_assert(dns("", "anything.example"));
  ck_assert(!allowed(GEN_DNS, "", 0, true, "anything.example", 16));
  // A SAN Go cannot split into labels is refused under any constraint.
  ck_assert(!dns("example.com", "a..example.com"));
}
END_TEST

START_TEST(test_go_email_constraints) {
  // Without '@' the constraint is a domain, subdomains included (RFC 5280
  // would hold only the host itself).
  ck_assert(email("example.com", "u@example.com"));
  ck_assert(email("example.com", "u@sub.example.com"));
  ck_assert(!email(".example.com", "u@example.com"));
  // With '@', one mailbox: local part exact, domain case-insensitive.
  ck_assert(email("u@example.com", "u@EXAMPLE.com"));
  ck_assert(!email("u@example.com", "U@example.com"));
  ck_assert(!email("example.com", "not a mailbox"));
}
END_TEST

START_TEST(test_go_ip_constraints) {
  static const char ten[8] = {10, 0, 0, 0, (char)255, 0, 0, 0};
  static const char inside[4] = {10, 1, 2, 3};
  static const char outside[4] = {11, 1, 2, 3};
  static const char v6[16] = {0x20, 0x01, 0x0d, (char)0xb8};
  ck_assert(allowed(GEN_IPADD, ten, 8, false, inside, 4));
  ck_assert(!allowed(GEN_IPADD, ten, 8, false, outside, 4));
  ck_assert(!allowed(GEN_IPADD, ten, 8, false, v6, 16));
  ck_assert(!allowed(GEN_IPADD, ten, 8, true, inside, 4));
  ck_assert(allowed(GEN_IPADD, ten, 8, true, v6, 16));
}
END_TEST

static Suite *go_suite(void) {
  Suite *s = suite_create("verify_go");
  TCase *tc = tcase_create("names");
  tcase_add_test(tc, test_go_domain_labels);
  tcase_add_test(tc, test_go_mailbox);
  tcase_add_test(tc, test_go_dns_constraints);
  tcase_add_test(tc, test_go_email_constraints);
  tcase_add_test(tc, test_go_ip_constraints);
  suite_add_tcase(s, tc);
  return s;
}

MTK_CHECK_MAIN(go_suite)
