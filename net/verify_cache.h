// Verdicts of server certificate chains already verified, so that a load
// generator opening thousands of connections to one endpoint verifies the
// chain that endpoint presents once, not on every handshake. Private to
// mtk_net (net.c installs it as the client's certificate verifier).
//
// An entry's key is SHA-256 over the trust anchors' identity, the host name
// the leaf must match and every DER certificate the server sent, in order;
// its verdict is always "verified" (failures are never stored) and lapses
// when the earliest notAfter of the verified chain passes. The
// CertificateVerify signature is not part of it: BoringSSL checks it on
// every handshake after the chain is accepted.
#ifndef MTK_NET_VERIFY_CACHE_H
#define MTK_NET_VERIFY_CACHE_H

#include <openssl/base.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

enum { MTK_VERIFY_CACHE_SLOTS = 64 };

struct mtk_verify_cache_entry {
  uint8_t key[SHA256_DIGEST_LENGTH];
  time_t expires;  // 0: the slot is empty
};

struct mtk_verify_cache {
  pthread_mutex_t mu;
  uint8_t trust_id[SHA256_DIGEST_LENGTH];
  bool enabled;  // false: every chain is verified (--verify-each)
  size_t next;   // the slot the next insertion replaces, guarded by |mu|
  struct mtk_verify_cache_entry slots[MTK_VERIFY_CACHE_SLOTS];
  _Atomic uint64_t verified;    // full chain verifications run
  _Atomic uint64_t cache_hits;  // chains accepted from the cache
  _Atomic uint64_t failed;      // full verifications that failed
};

// mtk_verify_cache_init sets up |cache| for the trust anchors read from
// |ca_file| (their bytes are the trust identity), with the cache on unless
// |verify_each|. It returns 0 or a negative MTK_E* code (the file cannot be
// read).
int mtk_verify_cache_init(struct mtk_verify_cache *cache, const char *ca_file,
                          bool verify_each);

// mtk_verify_cache_cleanup frees what mtk_verify_cache_init set up.
void mtk_verify_cache_cleanup(struct mtk_verify_cache *cache);

// mtk_verify_cache_verify is the certificate verifier BoringSSL calls (see
// SSL_CTX_set_cert_verify_callback) with |cache| as |arg|: it accepts a
// chain whose key is cached and otherwise runs X509_verify_cert, caching a
// success. It returns 1 (accepted) or 0 (rejected, the reason left in
// |store_ctx|).
int mtk_verify_cache_verify(X509_STORE_CTX *store_ctx, void *arg);

// mtk_verify_cache_set_host records on |ssl| the host name its server's
// leaf must match (the cache key includes it; NULL: none). It returns 1 or
// 0 when out of memory.
int mtk_verify_cache_set_host(SSL *ssl, const char *host);

#endif  // MTK_NET_VERIFY_CACHE_H
