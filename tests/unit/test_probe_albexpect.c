#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "albexpect.h"
#include "check_main.h"
#include "mtlskit/alb_headers.h"
#include "test_probe_certs.h"

static X509 *parse_pem(const char *pem) {
  BIO *b = BIO_new_mem_buf(pem, -1);
  ck_assert_ptr_nonnull(b);
  X509 *x = PEM_read_bio_X509(b, NULL, NULL, NULL);
  BIO_free(b);
  ck_assert_ptr_nonnull(x);
  return x;
}

// pem_encoded: what ALB's encoding of |pem| must be, written the other way
// round: a PEM holds only base64 ('+', '/', '=' stay), dashes, letters, a
// space in each armour line and newlines, so only ' ' and '\n' change.
static char *pem_encoded(const char *pem) {
  char *out = malloc(3 * strlen(pem) + 1);
  size_t k = 0;
  ck_assert_ptr_nonnull(out);
  for (const char *p = pem; *p != '\0'; p++) {
    if (*p == ' ') {
      memcpy(out + k, "%20", 3);
      k += 3;
    } else if (*p == '\n') {
      memcpy(out + k, "%0A", 3);
      k += 3;
    } else {
      out[k++] = *p;
    }
  }
  out[k] = '\0';
  return out;
}

START_TEST(test_url_encode) {
  char *out = NULL;
  const char safe[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+=/";
  ck_assert_int_eq(mtk_alb_url_encode(safe, strlen(safe), &out), 0);
  ck_assert_str_eq(out, safe);
  free(out);
  const char mixed[] = "a b\nc%d:e?f&g#h\"i\x7f\xff,;@!*'()[]";
  ck_assert_int_eq(mtk_alb_url_encode(mixed, strlen(mixed), &out), 0);
  ck_assert_str_eq(out,
                   "a%20b%0Ac%25d%3Ae%3Ff%26g%23h%22i%7F%FF%2C%3B%40%21%2A%27"
                   "%28%29%5B%5D");
  free(out);
  // The length, not a NUL, ends the input; NUL is encoded.
  ck_assert_int_eq(mtk_alb_url_encode("a\0b", 3, &out), 0);
  ck_assert_str_eq(out, "a%00b");
  free(out);
  ck_assert_int_eq(mtk_alb_url_encode("", 0, &out), 0);
  ck_assert_str_eq(out, "");
  free(out);
  // Every byte: kept exactly when it is in the safe set.
  for (int c = 0; c < 256; c++) {
    char in = (char)c;
    ck_assert_int_eq(mtk_alb_url_encode(&in, 1, &out), 0);
    bool keep = c != 0 && strchr(safe, c) != NULL;
    if (keep) {
      ck_assert_uint_eq(strlen(out), 1);
      ck_assert_int_eq(out[0], c);
    } else {
      char want[4];
      snprintf(want, sizeof(want), "%%%02X", c);
      ck_assert_str_eq(out, want);
    }
    free(out);
  }
}
END_TEST

static void add_entry(X509_NAME *n, const char *field, const char *value) {
  ck_assert_int_eq(
      X509_NAME_add_entry_by_txt(n, field, MBSTRING_UTF8,
                                 (const unsigned char *)value, -1, -1, 0),
      1);
}

// signed_cert makes a P-256 certificate for "CN=t", issued by "O=x,
// CN=issuer" (signed with its own key: only the fields matter), with
// |serial| and the validity |nb| to |na| (ASN1_TIME strings).
static X509 *signed_cert(ASN1_INTEGER *serial, const char *nb, const char *na) {
  X509 *x = X509_new();
  X509_NAME *n = X509_NAME_new();
  X509_NAME *issuer = X509_NAME_new();
  ASN1_TIME *t = ASN1_TIME_new();
  EVP_PKEY *k = EVP_EC_gen("P-256");
  ck_assert_ptr_nonnull(x);
  ck_assert_ptr_nonnull(n);
  ck_assert_ptr_nonnull(issuer);
  ck_assert_ptr_nonnull(t);
  ck_assert_ptr_nonnull(k);
  add_entry(n, "CN", "t");
  add_entry(issuer, "O", "x");
  add_entry(issuer, "CN", "issuer");
  ck_assert_int_eq(X509_set_version(x, 2), 1);
  ck_assert_int_eq(X509_set_serialNumber(x, serial), 1);
  ck_assert_int_eq(X509_set_subject_name(x, n), 1);
  ck_assert_int_eq(X509_set_issuer_name(x, issuer), 1);
  ck_assert_int_eq(ASN1_TIME_set_string(t, nb), 1);
  ck_assert_int_eq(X509_set1_notBefore(x, t), 1);
  ck_assert_int_eq(ASN1_TIME_set_string(t, na), 1);
  ck_assert_int_eq(X509_set1_notAfter(x, t), 1);
  ck_assert_int_eq(X509_set_pubkey(x, k), 1);
  ck_assert_int_gt(X509_sign(x, k, EVP_sha256()), 0);
  EVP_PKEY_free(k);
  ASN1_TIME_free(t);
  X509_NAME_free(n);
  X509_NAME_free(issuer);
  return x;
}

// expected_serial returns what the probe expects as the serial header of
// a certificate whose serial INTEGER holds the |len| content bytes.
static char *expected_serial(const char *bytes, int len) {
  struct mtk_probe_alb_expected e;
  memset(&e, 0, sizeof(e));
  ASN1_INTEGER *ai = ASN1_INTEGER_new();
  ck_assert_ptr_nonnull(ai);
  ck_assert_int_eq(ASN1_STRING_set(ai, bytes, len), 1);
  X509 *x = signed_cert(ai, "260101000000Z", "270101000000Z");
  ASN1_INTEGER_free(ai);
  ck_assert_int_eq(mtk_probe_alb_expected_make(x, NULL, &e, NULL), 0);
  char *serial = strdup(e.serial);
  mtk_probe_alb_expected_cleanup(&e);
  X509_free(x);
  return serial;
}

START_TEST(test_serial) {
  // §1.3's example: upper-case hex, two digits per byte, the leading zero
  // nibble of the first byte kept.
  char *s = expected_serial("\x03\xa5\xb1", 3);
  ck_assert_str_eq(s, "03A5B1");
  free(s);
  // A high first byte (DER adds a 00 sign byte, ALB shows none).
  s = expected_serial("\x80\x0f", 2);
  ck_assert_str_eq(s, "800F");
  free(s);
  // Leading zero bytes in the stored content (OpenSSL's own parser never
  // leaves any, a hand-made INTEGER can) are no part of the number.
  s = expected_serial("\x00\x00\x0a", 3);
  ck_assert_str_eq(s, "0A");
  free(s);
  s = expected_serial("\x00", 1);
  ck_assert_str_eq(s, "00");
  free(s);
  // 20 bytes, as `openssl x509 -serial` prints them.
  s = expected_serial(
      "\x1b\x6f\xa2\xbd\xcf\x74\xaf\x3b\x99\x34\x25\x05\xed"
      "\xbd\x3a\xfa\xfd\x3f\x03\x10",
      20);
  ck_assert_str_eq(s, "1B6FA2BDCF74AF3B99342505EDBD3AFAFD3F0310");
  free(s);
}
END_TEST

START_TEST(test_name_rfc2253) {
  char *out = NULL;
  X509_NAME *n = X509_NAME_new();
  ck_assert_ptr_nonnull(n);
  // §1.3's subject example, built in certificate order (C first): RFC 2253
  // prints the most specific RDN first.
  add_entry(n, "C", "US");
  add_entry(n, "ST", "Washington");
  add_entry(n, "O", "mTLS");
  add_entry(n, "OU", "client-3");
  add_entry(n, "CN", "client_.com");
  ck_assert_int_eq(mtk_alb_name_rfc2253(n, &out), 0);
  ck_assert_str_eq(out, "CN=client_.com,OU=client-3,O=mTLS,ST=Washington,C=US");
  free(out);
  X509_NAME_free(n);
  // Special characters are escaped, non-ASCII bytes as \XX, as
  // `openssl x509 -nameopt RFC2253` prints them.
  n = X509_NAME_new();
  add_entry(n, "O", "a,b+c;d\"e<f>g\\h");
  add_entry(n, "CN", " lead#");
  add_entry(n, "L", "Z\xc3\xbcrich");
  ck_assert_int_eq(mtk_alb_name_rfc2253(n, &out), 0);
  ck_assert_str_eq(
      out, "L=Z\\C3\\BCrich,CN=\\ lead#,O=a\\,b\\+c\\;d\\\"e\\<f\\>g\\\\h");
  free(out);
  X509_NAME_free(n);
  n = X509_NAME_new();
  ck_assert_int_eq(mtk_alb_name_rfc2253(n, &out), 0);
  ck_assert_str_eq(out, "");
  free(out);
  X509_NAME_free(n);
}
END_TEST

START_TEST(test_validity) {
  struct mtk_probe_alb_expected e;
  memset(&e, 0, sizeof(e));
  ASN1_INTEGER *one = ASN1_INTEGER_new();
  ck_assert_int_eq(ASN1_INTEGER_set(one, 1), 1);
  // §1.3's example; UTCTime before 2050, GeneralizedTime from 2050.
  X509 *x = signed_cert(one, "230921015017Z", "20510101000000Z");
  ck_assert_int_eq(mtk_probe_alb_expected_make(x, NULL, &e, NULL), 0);
  ck_assert_str_eq(
      e.validity,
      "NotBefore=2023-09-21T01:50:17Z;NotAfter=2051-01-01T00:00:00Z");
  mtk_probe_alb_expected_cleanup(&e);
  X509_free(x);
  x = signed_cert(one, "230921015017Z", "240920015017Z");
  ck_assert_int_eq(mtk_probe_alb_expected_make(x, NULL, &e, NULL), 0);
  ck_assert_str_eq(
      e.validity,
      "NotBefore=2023-09-21T01:50:17Z;NotAfter=2024-09-20T01:50:17Z");
  // Issuer and subject each from their own name.
  ck_assert_str_eq(e.issuer, "CN=issuer,O=x");
  ck_assert_str_eq(e.subject, "CN=t");
  mtk_probe_alb_expected_cleanup(&e);
  X509_free(x);
  ASN1_INTEGER_free(one);
}
END_TEST

START_TEST(test_expected_make) {
  struct mtk_probe_alb_expected e;
  struct mtk_diag d;
  memset(&e, 0, sizeof(e));
  mtk_diag_init(&d);
  X509 *leaf = parse_pem(leaf_pem);
  X509 *other = parse_pem(other_pem);
  STACK_OF(X509) *chain = sk_X509_new_null();
  ck_assert_ptr_nonnull(chain);
  ck_assert_int_eq(sk_X509_push(chain, other), 1);
  char *want_leaf = pem_encoded(leaf_pem);
  char *want_other = pem_encoded(other_pem);
  char *want_chain = malloc(strlen(want_leaf) + strlen(want_other) + 1);
  ck_assert_ptr_nonnull(want_chain);
  strcpy(want_chain, want_leaf);
  strcat(want_chain, want_other);

  // The values `openssl x509 -serial -dates -nameopt RFC2253` gives.
  ck_assert_int_eq(mtk_probe_alb_expected_make(leaf, chain, &e, &d), 0);
  ck_assert_str_eq(e.serial, "1B6FA2BDCF74AF3B99342505EDBD3AFAFD3F0310");
  ck_assert_str_eq(e.issuer, "CN=leaf");
  ck_assert_str_eq(e.subject, "CN=leaf");
  ck_assert_str_eq(
      e.validity,
      "NotBefore=2026-11-23T17:39:02Z;NotAfter=2036-11-20T17:39:02Z");
  ck_assert_str_eq(e.leaf, want_leaf);
  // '=' stays as it is (§1.3's rule, not its example's %3D).
  ck_assert_ptr_nonnull(
      strstr(e.leaf, "Wrw==%0A-----END%20CERTIFICATE-----%0A"));
  ck_assert_ptr_null(strstr(e.leaf, "%3D"));
  // Leaf first, then what the client sends after it.
  ck_assert_str_eq(e.chain, want_chain);
  mtk_probe_alb_expected_cleanup(&e);
  ck_assert_ptr_null(e.serial);
  ck_assert_ptr_null(e.chain);

  // No chain certificates: the chain header is the leaf alone.
  ck_assert_int_eq(mtk_probe_alb_expected_make(leaf, NULL, &e, &d), 0);
  ck_assert_str_eq(e.chain, want_leaf);
  mtk_probe_alb_expected_cleanup(&e);

  // A certificate that cannot be described (no validity, no signature):
  // an error, and nothing left allocated.
  X509 *bare = X509_new();
  ck_assert_ptr_nonnull(bare);
  ck_assert_int_eq(mtk_probe_alb_expected_make(bare, NULL, &e, &d),
                   MTK_ECRYPTO);
  ck_assert_str_eq(d.msg,
                   "ALB headers: cannot compute the expected values: "
                   "cryptographic operation failed");
  ck_assert_ptr_null(e.serial);
  ck_assert_ptr_null(e.issuer);
  ck_assert_ptr_null(e.chain);
  X509_free(bare);

  free(want_leaf);
  free(want_other);
  free(want_chain);
  sk_X509_pop_free(chain, X509_free);
  X509_free(leaf);
}
END_TEST

static Suite *make_suite(void) {
  Suite *s = suite_create("probe_albexpect");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, test_url_encode);
  tcase_add_test(tc, test_serial);
  tcase_add_test(tc, test_name_rfc2253);
  tcase_add_test(tc, test_validity);
  tcase_add_test(tc, test_expected_make);
  suite_add_tcase(s, tc);
  return s;
}

MTK_CHECK_MAIN(make_suite)
