// Key races: one RSA key that several threads generate at once.
//
// The time RSA key generation takes is random (it is dominated by the
// search for two large primes: random candidates are drawn until two pass
// the primality tests), so a machine with idle cores gets a given key
// sooner by running the same generation on several threads and keeping
// the first key finished. Each racer calls BoringSSL's own
// RSA_generate_key_ex (its FIPS 186 prime search and the checks it runs on
// the result, public exponent 65537) with its own random draws; nothing in
// the key depends on the race. The first racer to finish decides the race,
// with its key or with its error; the others abandon their search at their
// next progress callback (BN_GENCB), which BoringSSL treats as fatal, and
// free what they had made.
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
  atomic_bool over;      // decided: the racers' callbacks poll it
  unsigned bits;
  EVP_PKEY *key;  // the winner's key, until taken
  int err;        // or the first finished racer's error
  struct mtk_diag diag;
  size_t num_abandoned;  // racers that stopped before finishing
};

// mtk_key_race_init prepares |race| for an RSA key of |bits| bits. Sizes
// above MTK_KEY_RACE_MAX_BITS are refused here (one such key takes many
// minutes); BoringSSL checks the others, so a size it refuses (below 256
// bits) decides the race with MTK_ECRYPTO. It returns 0, MTK_EINVAL or
// MTK_ENOMEM; on failure there is nothing to clean up.
MTK_MUST_CHECK int mtk_key_race_init(struct mtk_key_race *race, unsigned bits);

// mtk_key_race_run runs one racer on the calling thread and returns once
// this racer has finished or abandoned its search. It returns true when
// this racer decided the race (its key, or its error, is the result) and
// false when the race was already decided (by another racer or by
// mtk_key_race_cancel) before it finished; a racer started on a decided
// race gives up at its first progress callback.
bool mtk_key_race_run(struct mtk_key_race *race);

// mtk_key_race_over reports whether |race| is decided.
bool mtk_key_race_over(struct mtk_key_race *race);

// mtk_key_race_cancel decides |race| with MTK_ECANCELED unless it is
// decided already; running racers abandon their search.
void mtk_key_race_cancel(struct mtk_key_race *race);

// mtk_key_race_num_abandoned returns how many racers of |race| stopped at
// a progress callback because the race was decided.
size_t mtk_key_race_num_abandoned(struct mtk_key_race *race);

// mtk_key_race_take moves the key of a decided |race| to *out_key, which
// the caller frees with EVP_PKEY_free. It returns 0; the deciding racer's
// MTK_ECRYPTO (with BoringSSL's reason in |diag|, which may be NULL) or
// MTK_ECANCELED, leaving *out_key NULL; MTK_EINVAL when the race is not
// decided yet; MTK_ENOTFOUND when the key was taken already.
MTK_MUST_CHECK int mtk_key_race_take(struct mtk_key_race *race,
                                     EVP_PKEY **out_key, struct mtk_diag *diag);

// mtk_key_race_cleanup frees |race| and a key not taken. No racer may be
// running.
void mtk_key_race_cleanup(struct mtk_key_race *race);

#ifdef __cplusplus
}
#endif

#endif  // MTK_HEADER_KEY_RACE_H
