// Key races: one RSA key that several threads generate at once.
//
// An RSA key's time is dominated by the search for its two primes, and
// how long a search takes is random, so a machine with idle cores gets a
// key sooner when several threads search: each racer looks for primes of
// the key's size (mtk_rsa_prime_find, mtlskit/rsa_prime.h, from its own
// random start) and hands each prime it finds to the race; the first two
// primes found, by whichever racers, make the key (mtk_rsa_key_from_primes;
// a pair FIPS 186-5 refuses, too close together, keeps the first and waits
// for another). One racer alone makes the key as a serial generator does;
// two make it in about half the time, and no search is wasted but the
// candidates in hand when the key is made. The first racer to make the
// key, or to fail, decides the race; the others stop at their next
// candidate and free what they had made.
//
// A race is shared by the threads that run it: mtk_key_race_run,
// mtk_key_race_over, mtk_key_race_cancel and mtk_key_race_num_abandoned
// may be called from any thread at any time between init and cleanup.
#ifndef MTK_HEADER_KEY_RACE_H
#define MTK_HEADER_KEY_RACE_H

#include <openssl/base.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "mtlskit/diag.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MTK_KEY_RACE_MAX_BITS 16384

struct mtk_key_race {
  pthread_mutex_t lock;  // guards the fields below |over|
  atomic_bool over;      // decided: the racers poll it between candidates
  unsigned bits;
  BIGNUM *prime;  // a prime found, waiting for a second one
  EVP_PKEY *key;  // the key, until taken
  int err;        // or the first failed racer's error
  struct mtk_diag diag;
  size_t num_abandoned;  // racers that stopped before finishing
};

// mtk_key_race_init prepares |race| for an RSA key of |bits| bits: a
// multiple of 128 from 512 to MTK_KEY_RACE_MAX_BITS (larger keys take many
// minutes). It returns 0, MTK_EINVAL for another size, or MTK_ENOMEM; on
// failure there is nothing to clean up.
MTK_MUST_CHECK int mtk_key_race_init(struct mtk_key_race *race, unsigned bits);

// mtk_key_race_run runs one racer on the calling thread and returns once
// the race is decided. It returns true when this racer decided it (it made
// the key from its prime and one found before, or it failed) and false
// when another racer or mtk_key_race_cancel did; a racer started on a
// decided race gives up before its first candidate.
bool mtk_key_race_run(struct mtk_key_race *race);

// mtk_key_race_over reports whether |race| is decided.
bool mtk_key_race_over(struct mtk_key_race *race);

// mtk_key_race_cancel decides |race| with MTK_ECANCELED unless it is
// decided already; running racers abandon their search.
void mtk_key_race_cancel(struct mtk_key_race *race);

// mtk_key_race_num_abandoned returns how many racers of |race| stopped
// searching because the race was decided.
size_t mtk_key_race_num_abandoned(struct mtk_key_race *race);

// mtk_key_race_take moves the key of a decided |race| to *out_key, which
// the caller frees with EVP_PKEY_free. It returns 0; the deciding racer's
// error (with its reason in |diag|, which may be NULL) or MTK_ECANCELED,
// leaving *out_key NULL; MTK_EINVAL when the race is not decided yet;
// MTK_ENOTFOUND when the key was taken already.
MTK_MUST_CHECK int mtk_key_race_take(struct mtk_key_race *race,
                                     EVP_PKEY **out_key, struct mtk_diag *diag);

// mtk_key_race_cleanup frees |race|, a key not taken and a prime unused.
// No racer may be running.
void mtk_key_race_cleanup(struct mtk_key_race *race);

#ifdef __cplusplus
}
#endif

#endif  // MTK_HEADER_KEY_RACE_H
