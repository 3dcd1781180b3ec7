#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "albexpect.h"
#include "check_main.h"
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
  ck_assert_int_eq(mtk_probe_url_encode(safe, strlen(safe), &out), 0);
  ck_assert_str_eq(out, safe);
  free(out);
  const char mixed[] = "a b\nc%d:e?f&g#h\"i\x7f\xff,;@!*'()[]";
  ck_assert_int_eq(mtk_probe_url_encode(mixed, strlen(mixed), &out), 0);
  ck_assert_str_eq(out,
                   "a%20b%0Ac%25d%3Ae%3Ff%26g%23h%22i%7F%FF%2C%3B%40%21%2A%27"
                   "%28%29%5B%5D");
  free(out);
  // The length, not a NUL, ends the input; NUL is encoded.
  ck_assert_int_eq(mtk_probe_url_encode("a\0b", 3, &out), 0);
  ck_assert_str_eq(out, "a%00b");
  free(out);
  ck_assert_int_eq(mtk_probe_url_encode("", 0, &out), 0);
  ck_assert_str_eq(out, "");
  free(out);
  // Every byte: kept exactly when it is in the safe set.
  for (int c = 0; c < 256; c++) {
    char in = (char)c;
    ck_assert_int_eq(mtk_probe_url_encode(&in, 1, &out), 0);
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

static X509 *with_serial(const unsigned char *bytes, int len, bool negative) {
  X509 *x = X509_new();
  BIGNUM *bn = BN_bin2bn(bytes, len, NULL);
  ck_assert_ptr_nonnull(x);
  ck_assert_ptr_nonnull(bn);
  BN_set_negative(bn, negative ? 1 : 0);
  ASN1_INTEGER *ai = BN_to_ASN1_INTEGER(bn, NULL);
  ck_assert_ptr_nonnull(ai);
  ck_assert_int_eq(X509_set_serialNumber(x, ai), 1);
  ASN1_INTEGER_free(ai);
  BN_free(bn);
  return x;
}

START_TEST(test_serial) {
  char out[64];
  // §1.3's example: upper-case hex, two digits per byte, the leading zero
  // nibble of the first byte kept.
  const unsigned char a[] = {0x03, 0xA5, 0xB1};
  X509 *x = with_serial(a, 3, false);
  ck_assert_int_eq(mtk_probe_alb_serial_hex(x, out, sizeof(out)), 0);
  ck_assert_str_eq(out, "03A5B1");
  // Needs exactly 7 bytes.
  ck_assert_int_eq(mtk_probe_alb_serial_hex(x, out, 7), 0);
  ck_assert_int_eq(mtk_probe_alb_serial_hex(x, out, 6), MTK_ERANGE);
  X509_free(x);
  // High bit set: DER adds a 00 sign byte, ALB shows none.
  const unsigned char b[] = {0x80, 0x0F};
  x = with_serial(b, 2, false);
  ck_assert_int_eq(mtk_probe_alb_serial_hex(x, out, sizeof(out)), 0);
  ck_assert_str_eq(out, "800F");
  X509_free(x);
  // Leading zero bytes in the stored content (OpenSSL's own parser never
  // leaves any, a hand-made INTEGER can) are no part of the number.
  x = X509_new();
  ASN1_INTEGER *padded = ASN1_INTEGER_new();
  ck_assert_ptr_nonnull(x);
  ck_assert_ptr_nonnull(padded);
  ck_assert_int_eq(ASN1_STRING_set(padded, "\x00\x00\x0A", 3), 1);
  ck_assert_int_eq(X509_set_serialNumber(x, padded), 1);
  ASN1_INTEGER_free(padded);
  ck_assert_int_eq(ASN1_STRING_length(X509_get0_serialNumber(x)), 3);
  ck_assert_int_eq(mtk_probe_alb_serial_hex(x, out, sizeof(out)), 0);
  ck_assert_str_eq(out, "0A");
  X509_free(x);
  const unsigned char zero[] = {0x00};
  x = with_serial(zero, 1, false);
  ck_assert_int_eq(mtk_probe_alb_serial_hex(x, out, sizeof(out)), 0);
  ck_assert_str_eq(out, "00");
  X509_free(x);
  const unsigned char neg[] = {0x05};
  x = with_serial(neg, 1, true);
  ck_assert_int_eq(mtk_probe_alb_serial_hex(x, out, sizeof(out)), 0);
  ck_assert_str_eq(out, "-05");
  X509_free(x);
  // A parsed certificate: 20 bytes, as `openssl x509 -serial` prints it.
  x = parse_pem(leaf_pem);
  ck_assert_int_eq(mtk_probe_alb_serial_hex(x, out, sizeof(out)), 0);
  ck_assert_str_eq(out, "1B6FA2BDCF74AF3B99342505EDBD3AFAFD3F0310");
  X509_free(x);
}
END_TEST

static void add_entry(X509_NAME *n, const char *field, const char *value) {
  ck_assert_int_eq(
      X509_NAME_add_entry_by_txt(n, field, MBSTRING_UTF8,
                                 (const unsigned char *)value, -1, -1, 0),
      1);
}

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
  ck_assert_int_eq(mtk_probe_alb_name_rfc2253(n, &out), 0);
  ck_assert_str_eq(out, "CN=client_.com,OU=client-3,O=mTLS,ST=Washington,C=US");
  free(out);
  X509_NAME_free(n);
  // Special characters are escaped, non-ASCII bytes as \XX (ESC_MSB), an
  // unnamed attribute as its OID with the #-hex DER of the value.
  n = X509_NAME_new();
  add_entry(n, "O", "a,b+c;d\"e<f>g\\h");
  add_entry(n, "CN", " lead#");
  add_entry(n, "L", "Z\xc3\xbcrich");
  ck_assert_int_eq(mtk_probe_alb_name_rfc2253(n, &out), 0);
  ck_assert_str_eq(out,
                   "L=Z\\C3\\BCrich,CN=\\ lead#,O=a\\,b\\+c\\;d\\\"e\\<f\\>g\\\\h");
  free(out);
  X509_NAME_free(n);
  n = X509_NAME_new();
  ck_assert_int_eq(mtk_probe_alb_name_rfc2253(n, &out), 0);
  ck_assert_str_eq(out, "");
  free(out);
  X509_NAME_free(n);
  X509 *x = parse_pem(leaf_pem);
  ck_assert_int_eq(mtk_probe_alb_name_rfc2253(X509_get_subject_name(x), &out),
                   0);
  ck_assert_str_eq(out, "CN=leaf");
  free(out);
  X509_free(x);
}
END_TEST

START_TEST(test_validity) {
  char out[96];
  X509 *x = X509_new();
  ck_assert_ptr_nonnull(x);
  // §1.3's example; UTCTime before 2050, GeneralizedTime from 2050.
  ASN1_TIME *nb = ASN1_TIME_new();
  ASN1_TIME *na = ASN1_TIME_new();
  ck_assert_int_eq(ASN1_TIME_set_string(nb, "230921015017Z"), 1);
  ck_assert_int_eq(ASN1_TIME_set_string(na, "240920015017Z"), 1);
  ck_assert_int_eq(X509_set1_notBefore(x, nb), 1);
  ck_assert_int_eq(X509_set1_notAfter(x, na), 1);
  ck_assert_int_eq(mtk_probe_alb_validity(x, out, sizeof(out)), 0);
  ck_assert_str_eq(out,
                   "NotBefore=2023-09-21T01:50:17Z;NotAfter=2024-09-20T01:50:17Z");
  ck_assert_int_eq(ASN1_TIME_set_string(na, "20510101000000Z"), 1);
  ck_assert_int_eq(X509_set1_notAfter(x, na), 1);
  ck_assert_int_eq(mtk_probe_alb_validity(x, out, sizeof(out)), 0);
  ck_assert_str_eq(out,
                   "NotBefore=2023-09-21T01:50:17Z;NotAfter=2051-01-01T00:00:00Z");
  ck_assert_int_eq(mtk_probe_alb_validity(x, out, 61), 0);
  ck_assert_int_eq(mtk_probe_alb_validity(x, out, 60), MTK_ERANGE);
  ASN1_TIME_free(nb);
  ASN1_TIME_free(na);
  X509_free(x);
  x = parse_pem(leaf_pem);
  ck_assert_int_eq(mtk_probe_alb_validity(x, out, sizeof(out)), 0);
  ck_assert_str_eq(out,
                   "NotBefore=2026-11-23T17:39:02Z;NotAfter=2036-11-20T17:39:02Z");
  X509_free(x);
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

  ck_assert_int_eq(mtk_probe_alb_expected_make(leaf, chain, &e, &d), 0);
  ck_assert_str_eq(e.serial, "1B6FA2BDCF74AF3B99342505EDBD3AFAFD3F0310");
  ck_assert_str_eq(e.issuer, "CN=leaf");
  ck_assert_str_eq(e.subject, "CN=leaf");
  ck_assert_str_eq(e.validity,
                   "NotBefore=2026-11-23T17:39:02Z;NotAfter=2036-11-20T17:39:02Z");
  ck_assert_str_eq(e.leaf, want_leaf);
  // '=' stays as it is (§1.3's rule, not its example's %3D).
  ck_assert_ptr_nonnull(strstr(e.leaf, "Wrw==%0A-----END%20CERTIFICATE-----%0A"));
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

  // A certificate without validity cannot be described: an error that
  // says which value, and nothing left allocated.
  X509 *bare = X509_new();
  ck_assert_ptr_nonnull(bare);
  ck_assert_int_eq(mtk_probe_alb_expected_make(bare, NULL, &e, &d),
                   MTK_EPARSE);
  ck_assert_str_eq(d.msg, "ALB headers: cannot compute the validity: "
                          "malformed input");
  ck_assert_ptr_null(e.serial);
  ck_assert_ptr_null(e.issuer);
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
