// Verdicts of server certificate chains already verified, so that a load
// generator opening thousands of connections to one endpoint verifies the
// chain that endpoint presents once, not on every handshake. Private to
// mtk_net (net.c installs it as the client's certificate verifier).
//
// It is BoringSSL's custom verifier (SSL_CTX_set_custom_verify): clients
// run on TLS_with_buffers_method, where the server's certificates stay DER
// and are parsed into X509 objects only when a chain is verified in full,
// never on a cache hit.
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
  X509_STORE *store;  // the trust anchors
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
// |verify_each|. It returns 0, a negative MTK_E* code when the file cannot
// be read, or MTK_ECRYPTO when it holds no usable certificate (BoringSSL's
// reason left queued).
int mtk_verify_cache_init(struct mtk_verify_cache *cache, const char *ca_file,
                          bool verify_each);

// mtk_verify_cache_cleanup frees what mtk_verify_cache_init set up.
void mtk_verify_cache_cleanup(struct mtk_verify_cache *cache);

// mtk_verify_cache_install makes |cache| the verifier of the servers that
// clients made from |ctx| connect to: a chain whose key is cached is
// accepted, any other is verified in full (X509_verify_cert against the
// trust anchors, as a TLS server's chain, for the host set with
// mtk_verify_cache_set_host) and cached when it passes; a rejected chain
// ends the handshake with the alert its error calls for. |cache| must
// outlive |ctx|. It returns 1, or 0 when out of memory.
int mtk_verify_cache_install(SSL_CTX *ctx, struct mtk_verify_cache *cache);

// mtk_verify_cache_set_host records on |ssl| the host name its server's
// leaf must match (the cache key includes it; NULL: none). It returns 1 or
// 0 when out of memory.
int mtk_verify_cache_set_host(SSL *ssl, const char *host);

#endif  // MTK_NET_VERIFY_CACHE_H
