// Verdicts of server certificate chains already verified (see
// verify_cache.h).
#include "verify_cache.h"

#include <limits.h>
#include <openssl/asn1.h>
#include <openssl/mem.h>
#include <openssl/pool.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>

#include "mtlskit/diag.h"
#include "mtlskit/error.h"
#include "mtlskit/file.h"

// Trust anchor files larger than this are refused (a full system bundle is
// about 200 KB).
enum { MAX_CA_FILE = 64 << 20 };

static int host_index = -1;
static pthread_once_t host_index_once = PTHREAD_ONCE_INIT;

static void free_host(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int index,
                      long argl, void *argp) {
  (void)parent, (void)ad, (void)index, (void)argl, (void)argp;
  free(ptr);
}

static void make_host_index(void) {
  host_index = SSL_get_ex_new_index(0, NULL, NULL, NULL, free_host);
}

int mtk_verify_cache_set_host(SSL *ssl, const char *host) {
  pthread_once(&host_index_once, make_host_index);
  if (host == NULL) {
    return 1;
  }
  char *copy = strdup(host);
  if (copy == NULL || !SSL_set_ex_data(ssl, host_index, copy)) {
    free(copy);
    return 0;
  }
  return 1;
}

int mtk_verify_cache_init(struct mtk_verify_cache *cache, const char *ca_file,
                          bool verify_each) {
  memset(cache, 0, sizeof(*cache));
  char *data = NULL;
  size_t len = 0;
  int err = mtk_file_read(ca_file, MAX_CA_FILE, &data, &len, NULL);
  if (err != 0) {
    return err;
  }
  SHA256((const uint8_t *)data, len, cache->trust_id);
  free(data);
  pthread_mutex_init(&cache->mu, NULL);
  cache->enabled = !verify_each;
  pthread_once(&host_index_once, make_host_index);
  return 0;
}

void mtk_verify_cache_cleanup(struct mtk_verify_cache *cache) {
  pthread_mutex_destroy(&cache->mu);
}

static void put_len(SHA256_CTX *sha, size_t len) {
  uint8_t be[4] = {(uint8_t)(len >> 24), (uint8_t)(len >> 16),
                   (uint8_t)(len >> 8), (uint8_t)len};
  SHA256_Update(sha, be, sizeof(be));
}

// chain_key computes the cache key of the chain |ssl|'s server sent; it
// returns false when the chain is not available as DER.
static bool chain_key(const struct mtk_verify_cache *cache, SSL *ssl,
                      uint8_t out[SHA256_DIGEST_LENGTH]) {
  const STACK_OF(CRYPTO_BUFFER) *certs = SSL_get0_peer_certificates(ssl);
  if (certs == NULL || sk_CRYPTO_BUFFER_num(certs) == 0) {
    return false;
  }
  const char *host = SSL_get_ex_data(ssl, host_index);
  SHA256_CTX sha;
  SHA256_Init(&sha);
  SHA256_Update(&sha, cache->trust_id, sizeof(cache->trust_id));
  // Lengths before contents, so that no two inputs hash the same bytes.
  size_t host_len = host != NULL ? strlen(host) : 0;
  put_len(&sha, host_len);
  SHA256_Update(&sha, host != NULL ? host : "", host_len);
  for (size_t i = 0; i < sk_CRYPTO_BUFFER_num(certs); i++) {
    const CRYPTO_BUFFER *der = sk_CRYPTO_BUFFER_value(certs, i);
    put_len(&sha, CRYPTO_BUFFER_len(der));
    SHA256_Update(&sha, CRYPTO_BUFFER_data(der), CRYPTO_BUFFER_len(der));
  }
  SHA256_Final(out, &sha);
  return true;
}

static bool lookup(struct mtk_verify_cache *cache,
                   const uint8_t key[SHA256_DIGEST_LENGTH], time_t now) {
  bool hit = false;
  pthread_mutex_lock(&cache->mu);
  for (size_t i = 0; i < MTK_VERIFY_CACHE_SLOTS && !hit; i++) {
    const struct mtk_verify_cache_entry *e = &cache->slots[i];
    hit = e->expires > now &&
          CRYPTO_memcmp(e->key, key, SHA256_DIGEST_LENGTH) == 0;
  }
  pthread_mutex_unlock(&cache->mu);
  return hit;
}

// chain_expiry returns when the first certificate of the verified |chain|
// expires, or |now| when that cannot be computed (the entry then never
// matches).
static time_t chain_expiry(STACK_OF(X509) * chain, time_t now) {
  ASN1_TIME *now_asn1 = ASN1_TIME_set(NULL, now);
  time_t expiry = now;
  if (now_asn1 == NULL || chain == NULL) {
    goto out;
  }
  long long earliest = LLONG_MAX;
  for (size_t i = 0; i < sk_X509_num(chain); i++) {
    int days = 0, secs = 0;
    if (!ASN1_TIME_diff(&days, &secs, now_asn1,
                        X509_get0_notAfter(sk_X509_value(chain, i)))) {
      goto out;
    }
    long long left = (long long)days * 86400 + secs;
    earliest = left < earliest ? left : earliest;
  }
  if (earliest > 0) {
    expiry = now + (time_t)earliest;
  }
out:
  ASN1_TIME_free(now_asn1);
  return expiry;
}

static void insert(struct mtk_verify_cache *cache,
                   const uint8_t key[SHA256_DIGEST_LENGTH], time_t expires) {
  pthread_mutex_lock(&cache->mu);
  struct mtk_verify_cache_entry *e = &cache->slots[cache->next];
  cache->next = (cache->next + 1) % MTK_VERIFY_CACHE_SLOTS;
  memcpy(e->key, key, SHA256_DIGEST_LENGTH);
  e->expires = expires;
  pthread_mutex_unlock(&cache->mu);
}

int mtk_verify_cache_verify(X509_STORE_CTX *store_ctx, void *arg) {
  struct mtk_verify_cache *cache = arg;
  SSL *ssl = X509_STORE_CTX_get_ex_data(store_ctx,
                                        SSL_get_ex_data_X509_STORE_CTX_idx());
  uint8_t key[SHA256_DIGEST_LENGTH];
  time_t now = time(NULL);
  bool keyed = cache->enabled && ssl != NULL && chain_key(cache, ssl, key);
  if (keyed && lookup(cache, key, now)) {
    atomic_fetch_add_explicit(&cache->cache_hits, 1, memory_order_relaxed);
    return 1;
  }
  atomic_fetch_add_explicit(&cache->verified, 1, memory_order_relaxed);
  if (X509_verify_cert(store_ctx) != 1) {
    atomic_fetch_add_explicit(&cache->failed, 1, memory_order_relaxed);
    return 0;
  }
  if (keyed) {
    insert(cache, key, chain_expiry(X509_STORE_CTX_get0_chain(store_ctx), now));
  }
  return 1;
}
