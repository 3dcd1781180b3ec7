// RSA primes found by a sieved incremental search, and RSA keys made from
// them: the key generator of the fixture set (mtlskit/key_race.h).
//
// Debian's BoringSSL has no assembly, so its RSA_generate_key_ex spends
// most of a key on Miller-Rabin rounds over candidates that turn out to be
// composite: it draws each candidate afresh, trial-divides it by the first
// 1,024 primes (in constant time) and runs a constant-time Miller-Rabin
// round on every survivor, and further rounds on the prime. The
// search here starts from one random odd number of the prime's size (top
// two bits set, as BoringSSL draws them) and walks up the odd numbers,
// striking out in a sieve every number with a prime factor below 65,536
// and every number that is 1 modulo 65537 (whose p - 1 would share a
// factor with the public exponent): about a fifth fewer survivors, for
// almost nothing per candidate. Each survivor gets a base-2 Fermat test,
// which can only reject composites, and a survivor of that gets BoringSSL's
// BN_enhanced_miller_rabin_primality_test (FIPS 186-5 B.3.2) with
// BN_prime_checks_for_generation rounds: 4 for primes of 1,345 bits and
// more, 5 down to 476 bits, the FIPS 186-5 table BoringSSL uses for its
// own keys. BoringSSL decides every prime.
//
// The search from a random start is how OpenSSL made RSA primes up to 1.1.1
// (crypto/bn/bn_prime.c, probable_prime); it picks a prime with a
// probability that grows with the gap below it, where FIPS 186-5 A.1.3
// draws every candidate afresh, and its tests are not constant-time. It is
// fit for test keys made on the machine that uses them, which is all the
// fixture set makes; keys of a CA (mtk_key_generate) keep BoringSSL's own
// generator.
#ifndef MTK_HEADER_RSA_PRIME_H
#define MTK_HEADER_RSA_PRIME_H

#include <openssl/base.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "mtlskit/error.h"

#ifdef __cplusplus
extern "C" {
#endif

// The public exponent of every key made here.
#define MTK_RSA_PUBLIC_EXPONENT 65537

// mtk_rsa_prime_size_ok reports whether primes of |bits| bits can be
// searched: a multiple of 64 from 256 up (RSA keys of 512 bits and more,
// in steps of 128).
bool mtk_rsa_prime_size_ok(unsigned bits);

// mtk_rsa_prime_search sets |out| to the first number from |start| up
// (|start| itself included; it must be odd and have |bits| bits) that is
// not 1 modulo MTK_RSA_PUBLIC_EXPONENT and passes mtk_rsa_prime_test, and
// polls |stop| (may be NULL) between candidates. It returns 0;
// MTK_ENOTFOUND when the numbers it looks at (the first 2^18 odd ones)
// hold no such prime or reach 2^bits; MTK_ECANCELED once *stop is true;
// MTK_EINVAL for a bad |start| or size; MTK_ECRYPTO or MTK_ENOMEM.
MTK_MUST_CHECK int mtk_rsa_prime_search(BIGNUM *out, const BIGNUM *start,
                                        unsigned bits, const atomic_bool *stop,
                                        BN_CTX *ctx);

// mtk_rsa_prime_find sets |out| to a prime of |bits| bits whose top two
// bits are set, searching (mtk_rsa_prime_search) from a random start and
// drawing a new start when a search finds nothing. It returns what
// mtk_rsa_prime_search returns, never MTK_ENOTFOUND.
MTK_MUST_CHECK int mtk_rsa_prime_find(BIGNUM *out, unsigned bits,
                                      const atomic_bool *stop, BN_CTX *ctx);

// mtk_rsa_prime_test sets *out_prime to whether the odd |candidate| is a
// probable prime: false when 2^(candidate-1) mod candidate is not 1 (then
// it is certainly composite), else the verdict of BoringSSL's
// BN_enhanced_miller_rabin_primality_test with
// BN_prime_checks_for_generation rounds. It returns 0, MTK_ECRYPTO or
// MTK_ENOMEM.
MTK_MUST_CHECK int mtk_rsa_prime_test(const BIGNUM *candidate, BN_CTX *ctx,
                                      bool *out_prime);

// mtk_rsa_key_from_primes makes the RSA key of the primes |p| and |q| (of
// equal size, either order; neither is taken) with public exponent
// MTK_RSA_PUBLIC_EXPONENT: d = e^-1 mod lcm(p - 1, q - 1) and the CRT
// values, checked by RSA_check_key. *out gets the key (free with
// EVP_PKEY_free). It returns 0; MTK_ERANGE when the pair may not form a
// key by FIPS 186-5 A.1.3 (|p - q| at most 2^(bits/2 - 100), or d at most
// 2^(bits/2)), when the caller should replace one prime; MTK_ECRYPTO or
// MTK_ENOMEM.
MTK_MUST_CHECK int mtk_rsa_key_from_primes(const BIGNUM *p, const BIGNUM *q,
                                           EVP_PKEY **out);

#ifdef __cplusplus
}
#endif

#endif  // MTK_HEADER_RSA_PRIME_H
