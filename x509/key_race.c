#include "mtlskit/key_race.h"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <string.h>

#include "mtlskit/rsa_prime.h"
#include "mtlskit/x509_key.h"

int mtk_key_race_init(struct mtk_key_race *race, unsigned bits) {
  memset(race, 0, sizeof(*race));
  if (bits % 128 != 0 || bits > MTK_KEY_RACE_MAX_BITS ||
      !mtk_rsa_prime_size_ok(bits / 2)) {
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

// decide ends |race| with |key| (taken) or |err| unless it is over, and
// reports whether it did. Called with the race locked.
static bool decide(struct mtk_key_race *race, EVP_PKEY **key, int err) {
  if (atomic_load(&race->over)) {
    return false;
  }
  race->key = *key;
  *key = NULL;
  race->err = err;
  if (err == MTK_ECRYPTO) {
    mtk_crypto_diag(&race->diag, err, "RSA key generation failed");
  } else if (err != 0) {
    mtk_diag_set(&race->diag, err, "RSA key generation failed: %s",
                 mtk_strerror(err));
  }
  atomic_store(&race->over, true);
  return true;
}

// pair_up hands the racer's |*found| prime to |race|: the first prime
// waits in the race; a second one is paired with it into a key. It
// returns 0 when the racer goes on searching, 1 when the race is over
// (*decided: by this racer), with |*found| taken either way.
static int pair_up(struct mtk_key_race *race, BIGNUM **found, bool *decided) {
  pthread_mutex_lock(&race->lock);
  if (atomic_load(&race->over)) {
    pthread_mutex_unlock(&race->lock);
    BN_free(*found);
    *found = NULL;
    return 1;
  }
  if (race->prime == NULL) {
    race->prime = *found;
    *found = NULL;
    pthread_mutex_unlock(&race->lock);
    return 0;
  }
  BIGNUM *first = race->prime;
  race->prime = NULL;
  pthread_mutex_unlock(&race->lock);

  EVP_PKEY *key = NULL;
  int err = mtk_rsa_key_from_primes(first, *found, &key);
  BN_free(*found);
  *found = NULL;
  pthread_mutex_lock(&race->lock);
  if (err == MTK_ERANGE) {  // a pair FIPS 186-5 refuses: keep the first
    if (race->prime == NULL) {
      race->prime = first;
      first = NULL;
    }
    pthread_mutex_unlock(&race->lock);
    BN_free(first);
    return 0;
  }
  *decided = decide(race, &key, err);
  pthread_mutex_unlock(&race->lock);
  EVP_PKEY_free(key);  // the race was canceled meanwhile
  BN_free(first);
  return 1;
}

bool mtk_key_race_run(struct mtk_key_race *race) {
  BN_CTX *ctx = BN_CTX_new();
  BIGNUM *found = BN_new();
  bool decided = false;
  for (;;) {
    int err = ctx != NULL && found != NULL
                  ? mtk_rsa_prime_find(found, race->bits / 2, &race->over, ctx)
                  : MTK_ENOMEM;
    if (err == 0) {
      if (pair_up(race, &found, &decided) != 0) {
        break;
      }
      found = BN_new();
      continue;
    }
    pthread_mutex_lock(&race->lock);
    if (err == MTK_ECANCELED || atomic_load(&race->over)) {
      race->num_abandoned++;
    } else {
      EVP_PKEY *none = NULL;
      decided = decide(race, &none, err);
    }
    pthread_mutex_unlock(&race->lock);
    break;
  }
  BN_free(found);
  BN_CTX_free(ctx);
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
  BN_free(race->prime);
  pthread_mutex_destroy(&race->lock);
  memset(race, 0, sizeof(*race));
}
