#include "mtlskit/rsa_prime.h"

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mtlskit/error.h"

// The sieve strikes out multiples of the odd primes below SIEVE_BOUND
// (there are NUM_SMALL_PRIMES of them), WINDOW odd numbers at a time, and
// a search looks at MAX_WINDOWS windows at most. The mean gap between
// primes of 2,048 bits is about 1,420, so a window of 4,096 odd numbers
// (8,192 integers) rarely holds none, and 2^18 odd numbers never do in
// practice; a search that still finds nothing starts again elsewhere.
#define SIEVE_BOUND 65536u
#define NUM_SMALL_PRIMES 6541
#define WINDOW 4096u
#define MAX_WINDOWS 64
#define MIN_PRIME_BITS 256u
#define MAX_PRIME_BYTES 1024u

// The sieve's moduli: the small primes, then the public exponent, for
// which it strikes out the numbers that are 1 (p - 1 would share the
// factor e) rather than 0.
#define NUM_MODULI (NUM_SMALL_PRIMES + 1)
#define E_MODULUS NUM_SMALL_PRIMES

static uint32_t moduli[NUM_MODULI];
static pthread_once_t moduli_once = PTHREAD_ONCE_INIT;

// find_moduli fills moduli: the small primes by the sieve of
// Eratosthenes, then the public exponent.
static void find_moduli(void) {
  static bool composite[SIEVE_BOUND];
  size_t n = 0;
  for (uint32_t i = 3; i < SIEVE_BOUND && n < NUM_SMALL_PRIMES; i += 2) {
    if (composite[i]) {
      continue;
    }
    moduli[n++] = i;
    for (uint64_t j = (uint64_t)i * i; j < SIEVE_BOUND; j += 2 * i) {
      composite[j] = true;
    }
  }
  moduli[E_MODULUS] = MTK_RSA_PUBLIC_EXPONENT;
}

bool mtk_rsa_prime_size_ok(unsigned bits) {
  return bits >= MIN_PRIME_BITS && bits % 64 == 0 &&
         bits / 8 <= MAX_PRIME_BYTES;
}

// residue returns the big-endian number of |len| bytes at |be| (a multiple
// of 4) modulo |m|, which is below 2^32.
static uint32_t residue(const uint8_t *be, size_t len, uint32_t m) {
  uint64_t r = 0;
  for (size_t i = 0; i < len; i += 4) {
    uint32_t word = (uint32_t)be[i] << 24 | (uint32_t)be[i + 1] << 16 |
                    (uint32_t)be[i + 2] << 8 | be[i + 3];
    r = (r << 32 | word) % m;
  }
  return (uint32_t)r;
}

// first_offset returns the least k >= 0 with r + 2k == target (mod m), for
// an odd m: k = (target - r) / 2 mod m.
static uint32_t first_offset(uint32_t r, uint32_t target, uint32_t m) {
  uint64_t half = (m + 1) / 2;  // the inverse of 2 modulo m
  return (uint32_t)((uint64_t)((target + m - r) % m) * half % m);
}

// A search's sieve: the residues of the window's first number, |base|, and
// which of the window's odd numbers base + 2k are struck out.
struct sieve {
  uint32_t residues[NUM_MODULI];  // base modulo each of moduli
  bool struck[WINDOW];
};

// sieve_init computes the residues of the odd |start| of |bits| bits.
static int sieve_init(struct sieve *s, const BIGNUM *start, unsigned bits) {
  uint8_t be[MAX_PRIME_BYTES];
  size_t len = bits / 8;
  if (!BN_bn2bin_padded(be, len, start)) {
    return MTK_EINVAL;
  }
  for (size_t i = 0; i < NUM_MODULI; i++) {
    s->residues[i] = residue(be, len, moduli[i]);
  }
  return 0;
}

// sieve_window strikes out the window's numbers with a small prime factor
// and those that are 1 modulo the public exponent.
static void sieve_window(struct sieve *s) {
  memset(s->struck, 0, sizeof(s->struck));
  for (size_t i = 0; i < NUM_MODULI; i++) {
    uint32_t m = moduli[i];
    uint32_t target = i == E_MODULUS ? 1 : 0;
    for (uint32_t k = first_offset(s->residues[i], target, m); k < WINDOW;
         k += m) {
      s->struck[k] = true;
    }
  }
}

// sieve_advance moves the residues to the next window's first number.
static void sieve_advance(struct sieve *s) {
  for (size_t i = 0; i < NUM_MODULI; i++) {
    s->residues[i] = (s->residues[i] + 2 * WINDOW) % moduli[i];
  }
}

int mtk_rsa_prime_test(const BIGNUM *candidate, BN_CTX *ctx, bool *out_prime) {
  *out_prime = false;
  if (!BN_is_odd(candidate) || BN_cmp_word(candidate, 3) <= 0) {
    return MTK_EINVAL;
  }
  BN_CTX_start(ctx);
  BIGNUM *base = BN_CTX_get(ctx);
  BIGNUM *exponent = BN_CTX_get(ctx);
  BIGNUM *power = BN_CTX_get(ctx);
  BN_MONT_CTX *mont = NULL;
  int err = MTK_ENOMEM;
  if (power == NULL || !BN_set_word(base, 2) ||
      !BN_sub(exponent, candidate, BN_value_one())) {
    goto out;
  }
  err = MTK_ECRYPTO;
  mont = BN_MONT_CTX_new_for_modulus(candidate, ctx);
  if (mont == NULL ||
      !BN_mod_exp_mont(power, base, exponent, candidate, ctx, mont)) {
    goto out;
  }
  enum bn_primality_result_t verdict = bn_composite;
  if (BN_is_one(power) &&
      !BN_enhanced_miller_rabin_primality_test(
          &verdict, candidate, BN_prime_checks_for_generation, ctx, NULL)) {
    goto out;
  }
  *out_prime = verdict == bn_probably_prime;
  err = 0;
out:
  BN_MONT_CTX_free(mont);
  BN_CTX_end(ctx);
  return err;
}

// test_window runs mtk_rsa_prime_test on the window's numbers not struck
// out, in order, and sets |out| to the first prime. It returns 0 (found),
// MTK_ENOTFOUND (none in the window, or the window reaches 2^bits),
// MTK_ECANCELED or an error.
static int test_window(const struct sieve *s, const BIGNUM *base, unsigned bits,
                       BIGNUM *out, const atomic_bool *stop, BN_CTX *ctx) {
  for (uint32_t k = 0; k < WINDOW; k++) {
    if (s->struck[k]) {
      continue;
    }
    if (stop != NULL && atomic_load_explicit(stop, memory_order_relaxed)) {
      return MTK_ECANCELED;
    }
    if (!BN_copy(out, base) || !BN_add_word(out, 2 * (BN_ULONG)k)) {
      return MTK_ENOMEM;
    }
    if (BN_num_bits(out) != bits) {
      return MTK_ENOTFOUND;
    }
    bool prime;
    int err = mtk_rsa_prime_test(out, ctx, &prime);
    if (err != 0 || prime) {
      return err;
    }
  }
  return MTK_ENOTFOUND;
}

int mtk_rsa_prime_search(BIGNUM *out, const BIGNUM *start, unsigned bits,
                         const atomic_bool *stop, BN_CTX *ctx) {
  if (!mtk_rsa_prime_size_ok(bits) || !BN_is_odd(start) ||
      BN_num_bits(start) != bits) {
    return MTK_EINVAL;
  }
  pthread_once(&moduli_once, find_moduli);
  struct sieve *s = malloc(sizeof(*s));
  BIGNUM *base = BN_dup(start);
  int err = MTK_ENOMEM;
  if (s != NULL && base != NULL) {
    err = sieve_init(s, start, bits);
  }
  for (int w = 0; err == 0; w++) {
    if (w == MAX_WINDOWS) {
      err = MTK_ENOTFOUND;
      break;
    }
    sieve_window(s);
    err = test_window(s, base, bits, out, stop, ctx);
    if (err != MTK_ENOTFOUND) {
      break;  // found, stopped or failed
    }
    err = BN_add_word(base, 2 * WINDOW) ? 0 : MTK_ENOMEM;
    if (err == 0 && BN_num_bits(base) != bits) {
      err = MTK_ENOTFOUND;
    }
    sieve_advance(s);
  }
  BN_free(base);
  free(s);
  return err;
}

int mtk_rsa_prime_find(BIGNUM *out, unsigned bits, const atomic_bool *stop,
                       BN_CTX *ctx) {
  if (!mtk_rsa_prime_size_ok(bits)) {
    return MTK_EINVAL;
  }
  BIGNUM *start = BN_new();
  int err = start != NULL ? MTK_ENOTFOUND : MTK_ENOMEM;
  while (err == MTK_ENOTFOUND) {
    if (!BN_rand(start, (int)bits, BN_RAND_TOP_TWO, BN_RAND_BOTTOM_ODD)) {
      err = MTK_ECRYPTO;
      break;
    }
    err = mtk_rsa_prime_search(out, start, bits, stop, ctx);
  }
  BN_free(start);
  return err;
}

// crt_key holds the numbers of a private key while they are computed.
struct crt_key {
  BIGNUM *n, *e, *d, *p, *q, *dmp1, *dmq1, *iqmp;
};

static void crt_key_free(struct crt_key *k) {
  BN_free(k->n);
  BN_free(k->e);
  BN_free(k->d);
  BN_free(k->p);
  BN_free(k->q);
  BN_free(k->dmp1);
  BN_free(k->dmq1);
  BN_free(k->iqmp);
}

// crt_key_compute fills |k| from its primes |p| > |q| and the public
// exponent, with the FIPS 186-5 A.1.3 checks on the pair and on d.
static int crt_key_compute(struct crt_key *k, BN_CTX *ctx) {
  unsigned half = BN_num_bits(k->p);
  BIGNUM *p1 = BN_CTX_get(ctx);
  BIGNUM *q1 = BN_CTX_get(ctx);
  BIGNUM *gcd = BN_CTX_get(ctx);
  BIGNUM *lcm = BN_CTX_get(ctx);
  BIGNUM *diff = BN_CTX_get(ctx);
  BIGNUM *bound = BN_CTX_get(ctx);  // zero, as BN_CTX_get returns it
  if (bound == NULL || !BN_sub(p1, k->p, BN_value_one()) ||
      !BN_sub(q1, k->q, BN_value_one()) || !BN_gcd(gcd, p1, q1, ctx) ||
      !BN_mul(lcm, p1, q1, ctx) || !BN_div(lcm, NULL, lcm, gcd, ctx) ||
      !BN_sub(diff, k->p, k->q) || !BN_set_bit(bound, (int)(half - 100))) {
    return MTK_ENOMEM;
  }
  if (BN_cmp(diff, bound) <= 0) {
    return MTK_ERANGE;  // |p - q| must exceed 2^(nlen/2 - 100)
  }
  if (BN_mod_inverse(k->d, k->e, lcm, ctx) == NULL) {
    return MTK_ECRYPTO;  // e shares a factor with p - 1 or q - 1
  }
  if (BN_num_bits(k->d) <= half) {
    return MTK_ERANGE;  // d must exceed 2^(nlen/2)
  }
  if (!BN_mul(k->n, k->p, k->q, ctx) || !BN_mod(k->dmp1, k->d, p1, ctx) ||
      !BN_mod(k->dmq1, k->d, q1, ctx) ||
      BN_mod_inverse(k->iqmp, k->q, k->p, ctx) == NULL) {
    return MTK_ECRYPTO;
  }
  return 0;
}

int mtk_rsa_key_from_primes(const BIGNUM *p, const BIGNUM *q, EVP_PKEY **out) {
  *out = NULL;
  if (BN_cmp(p, q) < 0) {
    const BIGNUM *t = p;
    p = q;
    q = t;
  }
  if (BN_num_bits(p) != BN_num_bits(q) ||
      !mtk_rsa_prime_size_ok(BN_num_bits(p))) {
    return MTK_EINVAL;
  }
  struct crt_key k = {BN_new(),  BN_new(), BN_new(), BN_dup(p),
                      BN_dup(q), BN_new(), BN_new(), BN_new()};
  BN_CTX *ctx = BN_CTX_new();
  RSA *rsa = NULL;
  int err = MTK_ENOMEM;
  if (ctx == NULL || k.n == NULL || k.e == NULL || k.d == NULL || k.p == NULL ||
      k.q == NULL || k.dmp1 == NULL || k.dmq1 == NULL || k.iqmp == NULL ||
      !BN_set_word(k.e, MTK_RSA_PUBLIC_EXPONENT)) {
    goto out;
  }
  BN_CTX_start(ctx);
  err = crt_key_compute(&k, ctx);
  BN_CTX_end(ctx);
  if (err != 0) {
    goto out;
  }
  err = MTK_ENOMEM;
  rsa = RSA_new();
  if (rsa == NULL || !RSA_set0_key(rsa, k.n, k.e, k.d)) {
    goto out;
  }
  k.n = k.e = k.d = NULL;
  if (!RSA_set0_factors(rsa, k.p, k.q)) {
    goto out;
  }
  k.p = k.q = NULL;
  if (!RSA_set0_crt_params(rsa, k.dmp1, k.dmq1, k.iqmp)) {
    goto out;
  }
  k.dmp1 = k.dmq1 = k.iqmp = NULL;
  err = MTK_ECRYPTO;
  if (RSA_check_key(rsa) != 1) {
    goto out;
  }
  err = MTK_ENOMEM;
  EVP_PKEY *pkey = EVP_PKEY_new();
  if (pkey == NULL || !EVP_PKEY_assign_RSA(pkey, rsa)) {
    EVP_PKEY_free(pkey);
    goto out;
  }
  rsa = NULL;
  *out = pkey;
  err = 0;
out:
  RSA_free(rsa);
  crt_key_free(&k);
  BN_CTX_free(ctx);
  return err;
}
