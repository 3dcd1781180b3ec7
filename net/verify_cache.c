// Verdicts of server certificate chains already verified (see
// verify_cache.h).
#include "verify_cache.h"

#include <arpa/inet.h>
#include <limits.h>
#include <netinet/in.h>
#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/mem.h>
#include <openssl/pem.h>
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
static int cache_index = -1;
static pthread_once_t index_once = PTHREAD_ONCE_INIT;

static void free_host(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int index,
                      long argl, void *argp) {
  (void)parent, (void)ad, (void)index, (void)argl, (void)argp;
  free(ptr);
}

static void make_indexes(void) {
  host_index = SSL_get_ex_new_index(0, NULL, NULL, NULL, free_host);
  cache_index = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, NULL);
}

int mtk_verify_cache_set_host(SSL *ssl, const char *host) {
  pthread_once(&index_once, make_indexes);
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

// load_anchors adds the certificates and CRLs of the PEM text |data| to
// |store|, as X509_STORE_load_locations does with a file, so that the
// anchors loaded are the very bytes the trust identity hashes. It returns
// false, BoringSSL's reason queued, when one cannot be added or there are
// none.
static bool load_anchors(X509_STORE *store, const char *data, size_t len) {
  BIO *bio = BIO_new_mem_buf(data, (int)len);  // len <= MAX_CA_FILE
  STACK_OF(X509_INFO) *infos =
      bio != NULL ? PEM_X509_INFO_read_bio(bio, NULL, NULL, NULL) : NULL;
  BIO_free(bio);
  if (infos == NULL) {
    return false;
  }
  size_t count = 0;
  bool ok = true;
  for (size_t i = 0; ok && i < sk_X509_INFO_num(infos); i++) {
    const X509_INFO *info = sk_X509_INFO_value(infos, i);
    if (info->x509 != NULL) {
      ok = X509_STORE_add_cert(store, info->x509);
      count++;
    }
    if (ok && info->crl != NULL) {
      ok = X509_STORE_add_crl(store, info->crl);
      count++;
    }
  }
  sk_X509_INFO_pop_free(infos, X509_INFO_free);
  if (ok && count == 0) {
    OPENSSL_PUT_ERROR(X509, X509_R_NO_CERTIFICATE_OR_CRL_FOUND);
    ok = false;
  }
  return ok;
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
  cache->store = X509_STORE_new();
  bool loaded = cache->store != NULL && load_anchors(cache->store, data, len);
  free(data);
  if (!loaded) {
    X509_STORE_free(cache->store);
    cache->store = NULL;
    return MTK_ECRYPTO;
  }
  pthread_mutex_init(&cache->mu, NULL);
  cache->enabled = !verify_each;
  pthread_once(&index_once, make_indexes);
  return 0;
}

void mtk_verify_cache_cleanup(struct mtk_verify_cache *cache) {
  X509_STORE_free(cache->store);
  cache->store = NULL;
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

static bool is_ip_address(const char *s) {
  unsigned char buf[sizeof(struct in6_addr)];
  return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

// verify_full verifies the chain |ssl|'s server sent as BoringSSL's own
// verifier does: the first certificate is the leaf, the others are
// untrusted intermediates, the purpose and trust are a TLS server's, and
// the leaf must match the host recorded on |ssl|. On success it stores in
// *|expires| when the verified chain lapses; on failure, the alert to send
// in *|out_alert|.
static bool verify_full(struct mtk_verify_cache *cache, SSL *ssl, time_t now,
                        time_t *expires, uint8_t *out_alert) {
  const STACK_OF(CRYPTO_BUFFER) *certs = SSL_get0_peer_certificates(ssl);
  const char *host = SSL_get_ex_data(ssl, host_index);
  X509 *leaf = NULL;
  STACK_OF(X509) *rest = sk_X509_new_null();
  X509_STORE_CTX *ctx = X509_STORE_CTX_new();
  bool ok = false;
  *out_alert = SSL_AD_INTERNAL_ERROR;
  if (certs == NULL || sk_CRYPTO_BUFFER_num(certs) == 0 || rest == NULL ||
      ctx == NULL) {
    goto out;
  }
  for (size_t i = 0; i < sk_CRYPTO_BUFFER_num(certs); i++) {
    X509 *x = X509_parse_from_buffer(sk_CRYPTO_BUFFER_value(certs, i));
    if (x == NULL) {
      *out_alert = SSL_AD_BAD_CERTIFICATE;
      goto out;
    }
    if (i == 0) {
      leaf = x;
    } else if (!sk_X509_push(rest, x)) {
      X509_free(x);
      goto out;
    }
  }
  if (!X509_STORE_CTX_init(ctx, cache->store, leaf, rest) ||
      !X509_STORE_CTX_set_default(ctx, "ssl_server")) {
    goto out;
  }
  X509_VERIFY_PARAM *param = X509_STORE_CTX_get0_param(ctx);
  if (host != NULL &&
      !(is_ip_address(host)
            ? X509_VERIFY_PARAM_set1_ip_asc(param, host)
            : X509_VERIFY_PARAM_set1_host(param, host, strlen(host)))) {
    goto out;
  }
  if (X509_verify_cert(ctx) != 1) {
    *out_alert =
        (uint8_t)SSL_alert_from_verify_result(X509_STORE_CTX_get_error(ctx));
    goto out;
  }
  *expires = chain_expiry(X509_STORE_CTX_get0_chain(ctx), now);
  ok = true;
out:
  X509_STORE_CTX_free(ctx);
  X509_free(leaf);
  sk_X509_pop_free(rest, X509_free);
  ERR_clear_error();
  return ok;
}

static enum ssl_verify_result_t verify(SSL *ssl, uint8_t *out_alert) {
  struct mtk_verify_cache *cache =
      SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), cache_index);
  if (cache == NULL) {
    *out_alert = SSL_AD_INTERNAL_ERROR;
    return ssl_verify_invalid;
  }
  uint8_t key[SHA256_DIGEST_LENGTH];
  time_t now = time(NULL);
  bool keyed = cache->enabled && chain_key(cache, ssl, key);
  if (keyed && lookup(cache, key, now)) {
    atomic_fetch_add_explicit(&cache->cache_hits, 1, memory_order_relaxed);
    return ssl_verify_ok;
  }
  atomic_fetch_add_explicit(&cache->verified, 1, memory_order_relaxed);
  time_t expires = now;
  if (!verify_full(cache, ssl, now, &expires, out_alert)) {
    atomic_fetch_add_explicit(&cache->failed, 1, memory_order_relaxed);
    return ssl_verify_invalid;
  }
  if (keyed) {
    insert(cache, key, expires);
  }
  return ssl_verify_ok;
}

int mtk_verify_cache_install(SSL_CTX *ctx, struct mtk_verify_cache *cache) {
  pthread_once(&index_once, make_indexes);
  if (!SSL_CTX_set_ex_data(ctx, cache_index, cache)) {
    return 0;
  }
  SSL_CTX_set_custom_verify(ctx, SSL_VERIFY_PEER, verify);
  return 1;
}
