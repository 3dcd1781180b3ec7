#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <stdatomic.h>

#include "check_main.h"
#include "mtlskit/error.h"
#include "mtlskit/rsa_prime.h"

// is_prime is the oracle: BoringSSL's primality test with trial division.
static bool is_prime(const BIGNUM *n, BN_CTX *ctx) {
  int prime = 0;
  ck_assert(BN_primality_test(&prime, n, BN_prime_checks_for_generation, ctx, 1,
                              NULL));
  return prime != 0;
}

static bool one_mod_e(const BIGNUM *n) {
  return BN_mod_word(n, MTK_RSA_PUBLIC_EXPONENT) == 1;
}

// The search returns the first prime from its start (not 1 mod e): every
// odd number it passed is composite or 1 mod e. A sieve that struck out a
// prime (a wrong offset, a wrong residue) would return a later one.
START_TEST(test_search_finds_the_first_prime_from_the_start) {
  BN_CTX *ctx = BN_CTX_new();
  BIGNUM *start = BN_new(), *found = BN_new(), *n = BN_new();
  for (int round = 0; round < 40; round++) {
    ck_assert(BN_rand(start, 256, BN_RAND_TOP_TWO, BN_RAND_BOTTOM_ODD));
    ck_assert_int_eq(mtk_rsa_prime_search(found, start, 256, NULL, ctx), 0);
    ck_assert(is_prime(found, ctx));
    ck_assert(!one_mod_e(found));
    ck_assert_int_eq(BN_num_bits(found), 256);
    ck_assert_int_ge(BN_cmp(found, start), 0);
    for (ck_assert(BN_copy(n, start)); BN_cmp(n, found) < 0;
         ck_assert(BN_add_word(n, 2))) {
      ck_assert_msg(!is_prime(n, ctx) || one_mod_e(n),
                    "round %d: the search passed a prime", round);
    }
  }
  BN_free(start);
  BN_free(found);
  BN_free(n);
  BN_CTX_free(ctx);
}
END_TEST

// A start that is itself prime is the answer; a start whose only primes
// before 2^bits are absent makes the search give up rather than return a
// prime one bit longer.
START_TEST(test_search_bounds) {
  BN_CTX *ctx = BN_CTX_new();
  BIGNUM *start = BN_new(), *found = BN_new(), *n = BN_new();
  ck_assert(BN_rand(start, 512, BN_RAND_TOP_TWO, BN_RAND_BOTTOM_ODD));
  ck_assert_int_eq(mtk_rsa_prime_search(found, start, 512, NULL, ctx), 0);
  ck_assert_int_eq(mtk_rsa_prime_search(n, found, 512, NULL, ctx), 0);
  ck_assert_int_eq(BN_cmp(n, found), 0);

  // The largest prime below 2^256, then the odd numbers above it.
  BN_zero(start);
  ck_assert(BN_set_bit(start, 256));
  ck_assert(BN_sub_word(start, 1));
  while (!is_prime(start, ctx)) {
    ck_assert(BN_sub_word(start, 2));
  }
  ck_assert(BN_add_word(start, 2));
  ck_assert_int_eq(mtk_rsa_prime_search(found, start, 256, NULL, ctx),
                   MTK_ENOTFOUND);
  BN_free(start);
  BN_free(found);
  BN_free(n);
  BN_CTX_free(ctx);
}
END_TEST

// A prime that is 1 modulo e (p - 1 would share the factor e with the
// exponent) is passed over, even at the very start.
START_TEST(test_search_passes_over_primes_one_mod_e) {
  BN_CTX *ctx = BN_CTX_new();
  BIGNUM *start = BN_new(), *found = BN_new();
  do {  // start = 1 + 2e*j, a prime of 256 bits
    ck_assert(BN_rand(start, 256 - 18, BN_RAND_TOP_TWO, BN_RAND_BOTTOM_ANY));
    ck_assert(BN_mul_word(start, 2 * MTK_RSA_PUBLIC_EXPONENT));
    ck_assert(BN_add_word(start, 1));
  } while (BN_num_bits(start) != 256 || !is_prime(start, ctx));
  ck_assert(one_mod_e(start));
  ck_assert_int_eq(mtk_rsa_prime_search(found, start, 256, NULL, ctx), 0);
  ck_assert_int_gt(BN_cmp(found, start), 0);
  ck_assert(is_prime(found, ctx));
  ck_assert(!one_mod_e(found));
  BN_free(start);
  BN_free(found);
  BN_CTX_free(ctx);
}
END_TEST

START_TEST(test_search_refuses_bad_input) {
  BN_CTX *ctx = BN_CTX_new();
  BIGNUM *start = BN_new(), *found = BN_new();
  ck_assert(BN_rand(start, 256, BN_RAND_TOP_TWO, BN_RAND_BOTTOM_ODD));
  ck_assert_int_eq(mtk_rsa_prime_search(found, start, 320, NULL, ctx),
                   MTK_EINVAL);  // not 320 bits long
  ck_assert(BN_sub_word(start, 1));
  ck_assert_int_eq(mtk_rsa_prime_search(found, start, 256, NULL, ctx),
                   MTK_EINVAL);  // even
  ck_assert(!mtk_rsa_prime_size_ok(192));
  ck_assert(!mtk_rsa_prime_size_ok(288));
  ck_assert(mtk_rsa_prime_size_ok(2048));
  ck_assert_int_eq(mtk_rsa_prime_find(found, 200, NULL, ctx), MTK_EINVAL);
  BN_free(start);
  BN_free(found);
  BN_CTX_free(ctx);
}
END_TEST

START_TEST(test_stop_cancels_the_search) {
  BN_CTX *ctx = BN_CTX_new();
  BIGNUM *found = BN_new();
  atomic_bool stop;
  atomic_init(&stop, true);
  ck_assert_int_eq(mtk_rsa_prime_find(found, 2048, &stop, ctx), MTK_ECANCELED);
  BN_free(found);
  BN_CTX_free(ctx);
}
END_TEST

START_TEST(test_found_primes_have_their_top_two_bits) {
  BN_CTX *ctx = BN_CTX_new();
  BIGNUM *found = BN_new();
  for (int i = 0; i < 8; i++) {
    ck_assert_int_eq(mtk_rsa_prime_find(found, 512, NULL, ctx), 0);
    ck_assert_int_eq(BN_num_bits(found), 512);
    ck_assert(BN_is_bit_set(found, 511) && BN_is_bit_set(found, 510));
    ck_assert(is_prime(found, ctx));
    ck_assert(!one_mod_e(found));
  }
  BN_free(found);
  BN_CTX_free(ctx);
}
END_TEST

// A Carmichael number (6k + 1)(12k + 1)(18k + 1), its three factors prime
// and above the sieve's bound, passes the base-2 Fermat test like a prime;
// the Miller-Rabin test behind it must refuse it.
START_TEST(test_fermat_liars_are_refused) {
  BN_CTX *ctx = BN_CTX_new();
  BIGNUM *f[3], *n = BN_new(), *pow = BN_new(), *two = BN_new(),
                *exp = BN_new();
  for (int i = 0; i < 3; i++) {
    f[i] = BN_new();
  }
  for (BN_ULONG k = 1u << 20;; k++) {
    ck_assert(BN_set_word(f[0], 6 * k + 1) && BN_set_word(f[1], 12 * k + 1) &&
              BN_set_word(f[2], 18 * k + 1));
    if (is_prime(f[0], ctx) && is_prime(f[1], ctx) && is_prime(f[2], ctx)) {
      break;
    }
  }
  ck_assert(BN_mul(n, f[0], f[1], ctx) && BN_mul(n, n, f[2], ctx));
  ck_assert(BN_set_word(two, 2) && BN_sub(exp, n, BN_value_one()));
  ck_assert(BN_mod_exp(pow, two, exp, n, ctx));
  ck_assert(BN_is_one(pow));  // a Fermat liar
  bool prime = true;
  ck_assert_int_eq(mtk_rsa_prime_test(n, ctx, &prime), 0);
  ck_assert(!prime);
  ck_assert_int_eq(mtk_rsa_prime_test(f[2], ctx, &prime), 0);
  ck_assert(prime);
  ck_assert(BN_add_word(f[2], 2));  // even
  ck_assert_int_eq(mtk_rsa_prime_test(f[2], ctx, &prime), 0);
  ck_assert(!prime);
  ck_assert(BN_add_word(f[2], 1));
  ck_assert_int_eq(mtk_rsa_prime_test(f[2], ctx, &prime), MTK_EINVAL);
  for (int i = 0; i < 3; i++) {
    BN_free(f[i]);
  }
  BN_free(n);
  BN_free(pow);
  BN_free(two);
  BN_free(exp);
  BN_CTX_free(ctx);
}
END_TEST

START_TEST(test_key_from_two_primes) {
  BN_CTX *ctx = BN_CTX_new();
  BIGNUM *p = BN_new(), *q = BN_new();
  ck_assert_int_eq(mtk_rsa_prime_find(p, 512, NULL, ctx), 0);
  ck_assert_int_eq(mtk_rsa_prime_find(q, 512, NULL, ctx), 0);
  EVP_PKEY *key = NULL;
  ck_assert_int_eq(mtk_rsa_key_from_primes(q, p, &key), 0);
  const RSA *rsa = EVP_PKEY_get0_RSA(key);
  ck_assert_int_eq(RSA_check_key(rsa), 1);
  ck_assert_uint_eq(RSA_bits(rsa), 1024);
  ck_assert(BN_is_word(RSA_get0_e(rsa), MTK_RSA_PUBLIC_EXPONENT));
  // p > q, as BoringSSL orders them; d > 2^(nlen/2).
  ck_assert_int_gt(BN_cmp(RSA_get0_p(rsa), RSA_get0_q(rsa)), 0);
  ck_assert_int_gt(BN_num_bits(RSA_get0_d(rsa)), 512);
  // The key signs and verifies.
  uint8_t digest[32] = {1, 2, 3}, sig[128];
  unsigned sig_len = 0;
  ck_assert(
      RSA_sign(NID_sha256, digest, sizeof(digest), sig, &sig_len, (RSA *)rsa));
  ck_assert(
      RSA_verify(NID_sha256, digest, sizeof(digest), sig, sig_len, (RSA *)rsa));
  EVP_PKEY_free(key);
  BN_free(p);
  BN_free(q);
  BN_CTX_free(ctx);
}
END_TEST

// FIPS 186-5 A.1.3: primes closer than 2^(nlen/2 - 100) make no key; nor
// do primes of different sizes.
START_TEST(test_key_refuses_a_bad_pair) {
  BN_CTX *ctx = BN_CTX_new();
  BIGNUM *p = BN_new(), *q = BN_new(), *start = BN_new();
  ck_assert_int_eq(mtk_rsa_prime_find(p, 512, NULL, ctx), 0);
  ck_assert(BN_copy(start, p) && BN_add_word(start, 2));
  ck_assert_int_eq(mtk_rsa_prime_search(q, start, 512, NULL, ctx), 0);
  EVP_PKEY *key = NULL;
  ck_assert_int_eq(mtk_rsa_key_from_primes(p, q, &key), MTK_ERANGE);
  ck_assert_ptr_null(key);
  ck_assert_int_eq(mtk_rsa_key_from_primes(p, p, &key), MTK_ERANGE);
  ck_assert_int_eq(mtk_rsa_prime_find(q, 576, NULL, ctx), 0);
  ck_assert_int_eq(mtk_rsa_key_from_primes(p, q, &key), MTK_EINVAL);
  ck_assert_ptr_null(key);
  BN_free(p);
  BN_free(q);
  BN_free(start);
  BN_CTX_free(ctx);
}
END_TEST

static Suite *rsa_prime_suite(void) {
  Suite *s = suite_create("rsa_prime");
  TCase *tc = tcase_create("search");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_search_finds_the_first_prime_from_the_start);
  tcase_add_test(tc, test_search_bounds);
  tcase_add_test(tc, test_search_passes_over_primes_one_mod_e);
  tcase_add_test(tc, test_search_refuses_bad_input);
  tcase_add_test(tc, test_stop_cancels_the_search);
  tcase_add_test(tc, test_found_primes_have_their_top_two_bits);
  tcase_add_test(tc, test_fermat_liars_are_refused);
  tcase_add_test(tc, test_key_from_two_primes);
  tcase_add_test(tc, test_key_refuses_a_bad_pair);
  suite_add_tcase(s, tc);
  return s;
}

MTK_CHECK_MAIN(rsa_prime_suite)
