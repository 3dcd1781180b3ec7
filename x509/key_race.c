#include "mtlskit/key_race.h"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <string.h>

#include "mtlskit/x509_key.h"
#include "x509_internal.h"

int mtk_key_race_init(struct mtk_key_race *race, unsigned bits) {
  memset(race, 0, sizeof(*race));
  if (bits > MTK_KEY_RACE_MAX_BITS) {
    return MTK_EINVAL;
  }
  if (pthread_mutex_init(&race->lock, NULL) != 0) {
    return MTK_ENOMEM;
  }
  atomic_init(&race->over, false);
  race->bits = bits;
  mtk_diag_init(&race->diag);
  return 0;
}

// keep_going is the racers' progress callback. BoringSSL calls it after
// each prime candidate and each primality round, and gives up the whole
// generation when it returns 0 (rsa_impl.c retries only its own
// too-many-iterations failures; a callback's 0 is final).
static int keep_going(int event, int n, BN_GENCB *cb) {
  (void)event;
  (void)n;
  struct mtk_key_race *race = cb->arg;
  return atomic_load_explicit(&race->over, memory_order_relaxed) ? 0 : 1;
}

bool mtk_key_race_run(struct mtk_key_race *race) {
  BN_GENCB cb;
  BN_GENCB_set(&cb, keep_going, race);
  EVP_PKEY *key = mtk_rsa_generate(race->bits, &cb);
  int err = key != NULL ? 0 : MTK_ECRYPTO;
  pthread_mutex_lock(&race->lock);
  bool decided = !atomic_load(&race->over);
  if (decided) {
    race->key = key;
    race->err = err;
    if (err != 0) {
      mtk_crypto_diag(&race->diag, err, "RSA key generation failed");
    }
    key = NULL;
    atomic_store(&race->over, true);
  } else if (err != 0) {
    race->num_abandoned++;  // stopped by keep_going (or failed too late)
  }
  pthread_mutex_unlock(&race->lock);
  EVP_PKEY_free(key);  // a loser that finished its key all the same
  ERR_clear_error();
  return decided;
}

bool mtk_key_race_over(struct mtk_key_race *race) {
  return atomic_load(&race->over);
}

void mtk_key_race_cancel(struct mtk_key_race *race) {
  pthread_mutex_lock(&race->lock);
  if (!atomic_load(&race->over)) {
    race->err = MTK_ECANCELED;
    mtk_diag_set(&race->diag, MTK_ECANCELED, "key generation canceled");
    atomic_store(&race->over, true);
  }
  pthread_mutex_unlock(&race->lock);
}

size_t mtk_key_race_num_abandoned(struct mtk_key_race *race) {
  pthread_mutex_lock(&race->lock);
  size_t n = race->num_abandoned;
  pthread_mutex_unlock(&race->lock);
  return n;
}

int mtk_key_race_take(struct mtk_key_race *race, EVP_PKEY **out_key,
                      struct mtk_diag *diag) {
  *out_key = NULL;
  pthread_mutex_lock(&race->lock);
  int err = 0;
  if (!atomic_load(&race->over)) {
    err = mtk_diag_set(diag, MTK_EINVAL, "the key race is not decided yet");
  } else if (race->err != 0) {
    err = race->err;
    if (diag != NULL) {
      *diag = race->diag;
    }
  } else if (race->key == NULL) {
    err = mtk_diag_set(diag, MTK_ENOTFOUND, "the raced key was taken");
  } else {
    *out_key = race->key;
    race->key = NULL;
  }
  pthread_mutex_unlock(&race->lock);
  return err;
}

void mtk_key_race_cleanup(struct mtk_key_race *race) {
  EVP_PKEY_free(race->key);
  pthread_mutex_destroy(&race->lock);
  memset(race, 0, sizeof(*race));
}
