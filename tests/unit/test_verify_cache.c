// Unit tests for the server-chain verdict cache (net/verify_cache.c) on its
// own: real TLS 1.3 handshakes between two BoringSSL endpoints joined by a
// BIO pair in memory, the client verifying through mtk_verify_cache_install,
// with certificates made here (a test CA, leaves it signs, a stranger).
#include <check.h>
#include <openssl/bio.h>
#include <openssl/ec_key.h>
#include <openssl/evp.h>
#include <openssl/nid.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "verify_cache.h"

// A key and the certificate for it.
struct ident {
  EVP_PKEY *key;
  X509 *cert;
};

static char dir[64];
static char ca_file[128], ca_file_copy[128];
static struct ident ca;

static EVP_PKEY *new_key(void) {
  EC_KEY *ec = EC_KEY_new_by_curve_name(NID_X9_62_prime256v1);
  ck_assert(ec != NULL && EC_KEY_generate_key(ec));
  EVP_PKEY *key = EVP_PKEY_new();
  ck_assert(key != NULL && EVP_PKEY_assign_EC_KEY(key, ec));
  return key;
}

// make_ident makes a key and a certificate for CN |cn| with the DNS names
// |sans| (comma-separated, may be NULL), valid until now + |valid_for|
// seconds, signed by |issuer| (NULL: self-signed, a CA).
static struct ident make_ident(const char *cn, const char *sans, long valid_for,
                               const struct ident *issuer) {
  static long serial = 1;
  struct ident id = {new_key(), X509_new()};
  X509 *x = id.cert;
  ck_assert(x != NULL && X509_set_version(x, 2));
  ck_assert(ASN1_INTEGER_set(X509_get_serialNumber(x), serial++));
  ck_assert(X509_gmtime_adj(X509_getm_notBefore(x), -3600) != NULL);
  ck_assert(X509_gmtime_adj(X509_getm_notAfter(x), valid_for) != NULL);
  X509_NAME *name = X509_get_subject_name(x);
  ck_assert(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                       (const uint8_t *)cn, -1, -1, 0));
  ck_assert(X509_set_issuer_name(
      x, issuer != NULL ? X509_get_subject_name(issuer->cert) : name));
  ck_assert(X509_set_pubkey(x, id.key));
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer != NULL ? issuer->cert : x, x, NULL, NULL, 0);
  X509_EXTENSION *bc = X509V3_EXT_nconf_nid(
      NULL, &ctx, NID_basic_constraints,
      issuer != NULL ? "critical,CA:FALSE" : "critical,CA:TRUE");
  ck_assert(bc != NULL && X509_add_ext(x, bc, -1));
  X509_EXTENSION_free(bc);
  if (sans != NULL) {
    X509_EXTENSION *san =
        X509V3_EXT_nconf_nid(NULL, &ctx, NID_subject_alt_name, sans);
    ck_assert(san != NULL && X509_add_ext(x, san, -1));
    X509_EXTENSION_free(san);
  }
  ck_assert(X509_sign(x, issuer != NULL ? issuer->key : id.key, EVP_sha256()));
  return id;
}

static void free_ident(struct ident *id) {
  EVP_PKEY_free(id->key);
  X509_free(id->cert);
  memset(id, 0, sizeof(*id));
}

static void write_pem(const char *path, X509 *cert, const char *extra) {
  FILE *f = fopen(path, "w");
  ck_assert(f != NULL && PEM_write_X509(f, cert));
  if (extra != NULL) {
    fputs(extra, f);
  }
  ck_assert_int_eq(fclose(f), 0);
}

static void setup(void) {
  snprintf(dir, sizeof(dir), "/tmp/mtk-verify-cache-test.XXXXXX");
  ck_assert(mkdtemp(dir) != NULL);
  snprintf(ca_file, sizeof(ca_file), "%s/ca.pem", dir);
  snprintf(ca_file_copy, sizeof(ca_file_copy), "%s/ca-copy.pem", dir);
  ca = make_ident("verify cache test CA", NULL, 86400, NULL);
  write_pem(ca_file, ca.cert, NULL);
  // The same anchor with a trailing comment: other bytes, so another
  // trust identity.
  write_pem(ca_file_copy, ca.cert, "# the same anchor\n");
}

static void teardown(void) {
  free_ident(&ca);
  unlink(ca_file);
  unlink(ca_file_copy);
  rmdir(dir);
}

// new_client makes a client context that verifies servers through |cache|
// (which holds the trust anchors), as net.c sets one up.
static SSL_CTX *new_client(struct mtk_verify_cache *cache) {
  SSL_CTX *ctx = SSL_CTX_new(TLS_with_buffers_method());
  ck_assert(ctx != NULL);
  ck_assert(SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION));
  ck_assert(mtk_verify_cache_install(ctx, cache));
  return ctx;
}

// new_server makes a server context presenting |id| (and, when |chain| is
// not NULL, that certificate after it) with the private key |key|.
static SSL_CTX *new_server(const struct ident *id, X509 *chain, EVP_PKEY *key) {
  SSL_CTX *ctx = SSL_CTX_new(TLS_method());
  ck_assert(ctx != NULL);
  ck_assert(SSL_CTX_use_certificate(ctx, id->cert));
  if (chain != NULL) {
    ck_assert(SSL_CTX_add1_chain_cert(ctx, chain));
  }
  ck_assert(SSL_CTX_use_PrivateKey(ctx, key));
  return ctx;
}

// handshake runs one TLS handshake between |client| (expecting the server
// name |host|, NULL: none) and |server| in memory; true when both sides
// complete it.
static bool handshake(SSL_CTX *client, SSL_CTX *server, const char *host) {
  SSL *c = SSL_new(client), *s = SSL_new(server);
  BIO *cb = NULL, *sb = NULL;
  ck_assert(c != NULL && s != NULL && BIO_new_bio_pair(&cb, 0, &sb, 0));
  SSL_set_bio(c, cb, cb);
  SSL_set_bio(s, sb, sb);
  SSL_set_connect_state(c);
  SSL_set_accept_state(s);
  ck_assert(mtk_verify_cache_set_host(c, host));
  if (host != NULL) {
    ck_assert(SSL_set_tlsext_host_name(c, host));
  }
  bool c_done = false, s_done = false, failed = false;
  for (int round = 0; round < 32 && !failed && !(c_done && s_done); round++) {
    if (!c_done) {
      int rc = SSL_do_handshake(c);
      int e = SSL_get_error(c, rc);
      c_done = rc == 1;
      failed = rc != 1 && e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE;
    }
    if (!s_done && !failed) {
      int rc = SSL_do_handshake(s);
      int e = SSL_get_error(s, rc);
      s_done = rc == 1;
      failed = rc != 1 && e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE;
    }
  }
  ERR_clear_error();
  SSL_free(c);
  SSL_free(s);
  return c_done && s_done && !failed;
}

// Counters of a cache, to compare after each handshake.
struct counts {
  uint64_t verified, hits, failed;
};

static struct counts counts_of(struct mtk_verify_cache *cache) {
  struct counts n = {atomic_load(&cache->verified),
                     atomic_load(&cache->cache_hits),
                     atomic_load(&cache->failed)};
  return n;
}

#define ASSERT_COUNTS(cache, v, h, f)                \
  do {                                               \
    struct counts got_ = counts_of(cache);           \
    ck_assert_uint_eq(got_.verified, (uint64_t)(v)); \
    ck_assert_uint_eq(got_.hits, (uint64_t)(h));     \
    ck_assert_uint_eq(got_.failed, (uint64_t)(f));   \
  } while (0)

START_TEST(test_success_cached_failure_not) {
  struct mtk_verify_cache cache;
  ck_assert_int_eq(mtk_verify_cache_init(&cache, ca_file, false), 0);
  SSL_CTX *client = new_client(&cache);
  struct ident leaf = make_ident("a", "DNS:a.test", 3600, &ca);
  struct ident stranger = make_ident("stranger", "DNS:a.test", 3600, NULL);
  SSL_CTX *good = new_server(&leaf, NULL, leaf.key);
  SSL_CTX *bad = new_server(&stranger, NULL, stranger.key);

  ck_assert(handshake(client, good, "a.test"));
  ASSERT_COUNTS(&cache, 1, 0, 0);
  ck_assert(handshake(client, good, "a.test"));
  ck_assert(handshake(client, good, "a.test"));
  ASSERT_COUNTS(&cache, 1, 2, 0);  // verified once, then from the cache

  // An untrusted chain fails every time: a failure is never remembered as
  // a success, and the trusted entry does not cover it.
  for (int i = 1; i <= 3; i++) {
    ck_assert(!handshake(client, bad, "a.test"));
    ASSERT_COUNTS(&cache, 1 + i, 2, i);
  }
  // The trusted chain is still served from the cache.
  ck_assert(handshake(client, good, "a.test"));
  ASSERT_COUNTS(&cache, 4, 3, 3);

  SSL_CTX_free(good);
  SSL_CTX_free(bad);
  SSL_CTX_free(client);
  free_ident(&leaf);
  free_ident(&stranger);
  mtk_verify_cache_cleanup(&cache);
}
END_TEST

START_TEST(test_failed_host_check_not_cached) {
  struct mtk_verify_cache cache;
  ck_assert_int_eq(mtk_verify_cache_init(&cache, ca_file, false), 0);
  SSL_CTX *client = new_client(&cache);
  struct ident leaf = make_ident("a", "DNS:a.test", 3600, &ca);
  SSL_CTX *server = new_server(&leaf, NULL, leaf.key);
  // A trusted chain for the wrong name fails, and keeps failing.
  ck_assert(!handshake(client, server, "b.test"));
  ck_assert(!handshake(client, server, "b.test"));
  ASSERT_COUNTS(&cache, 2, 0, 2);
  // The right name is verified in full: the failures left nothing.
  ck_assert(handshake(client, server, "a.test"));
  ASSERT_COUNTS(&cache, 3, 0, 2);
  SSL_CTX_free(server);
  SSL_CTX_free(client);
  free_ident(&leaf);
  mtk_verify_cache_cleanup(&cache);
}
END_TEST

START_TEST(test_key_covers_chain_host_trust) {
  struct mtk_verify_cache cache;
  ck_assert_int_eq(mtk_verify_cache_init(&cache, ca_file, false), 0);
  SSL_CTX *client = new_client(&cache);
  struct ident leaf = make_ident("ab", "DNS:a.test,DNS:b.test", 3600, &ca);
  struct ident leaf2 = make_ident("ab", "DNS:a.test,DNS:b.test", 3600, &ca);
  SSL_CTX *one = new_server(&leaf, NULL, leaf.key);
  SSL_CTX *two = new_server(&leaf2, NULL, leaf2.key);
  // The same leaf followed by the CA certificate: another chain.
  SSL_CTX *longer = new_server(&leaf, ca.cert, leaf.key);

  ck_assert(handshake(client, one, "a.test"));
  ASSERT_COUNTS(&cache, 1, 0, 0);
  ck_assert(handshake(client, two, "a.test"));  // another leaf
  ASSERT_COUNTS(&cache, 2, 0, 0);
  ck_assert(handshake(client, longer, "a.test"));  // another chain
  ASSERT_COUNTS(&cache, 3, 0, 0);
  ck_assert(handshake(client, one, "b.test"));  // another host name
  ASSERT_COUNTS(&cache, 4, 0, 0);
  ck_assert(handshake(client, one, NULL));  // no host name at all
  ASSERT_COUNTS(&cache, 5, 0, 0);
  // Each of them is now cached under its own key.
  ck_assert(handshake(client, one, "a.test"));
  ck_assert(handshake(client, two, "a.test"));
  ck_assert(handshake(client, longer, "a.test"));
  ck_assert(handshake(client, one, "b.test"));
  ck_assert(handshake(client, one, NULL));
  ASSERT_COUNTS(&cache, 5, 5, 0);

  // Other trust-anchor bytes: the entries made under |ca_file| do not
  // match, even when they are all there.
  struct mtk_verify_cache other;
  ck_assert_int_eq(mtk_verify_cache_init(&other, ca_file_copy, false), 0);
  memcpy(other.slots, cache.slots, sizeof(other.slots));
  SSL_CTX *other_client = new_client(&other);
  ck_assert(handshake(other_client, one, "a.test"));
  ASSERT_COUNTS(&other, 1, 0, 0);
  ck_assert(handshake(other_client, one, "a.test"));
  ASSERT_COUNTS(&other, 1, 1, 0);

  SSL_CTX_free(one);
  SSL_CTX_free(two);
  SSL_CTX_free(longer);
  SSL_CTX_free(client);
  SSL_CTX_free(other_client);
  free_ident(&leaf);
  free_ident(&leaf2);
  mtk_verify_cache_cleanup(&cache);
  mtk_verify_cache_cleanup(&other);
}
END_TEST

START_TEST(test_verify_each_caches_nothing) {
  struct mtk_verify_cache cache;
  ck_assert_int_eq(mtk_verify_cache_init(&cache, ca_file, true), 0);
  SSL_CTX *client = new_client(&cache);
  struct ident leaf = make_ident("a", "DNS:a.test", 3600, &ca);
  SSL_CTX *server = new_server(&leaf, NULL, leaf.key);
  for (int i = 1; i <= 3; i++) {
    ck_assert(handshake(client, server, "a.test"));
    ASSERT_COUNTS(&cache, i, 0, 0);
  }
  SSL_CTX_free(server);
  SSL_CTX_free(client);
  free_ident(&leaf);
  mtk_verify_cache_cleanup(&cache);
}
END_TEST

START_TEST(test_entry_lapses_with_the_chain) {
  struct mtk_verify_cache cache;
  ck_assert_int_eq(mtk_verify_cache_init(&cache, ca_file, false), 0);
  SSL_CTX *client = new_client(&cache);
  // Valid for two more seconds: the cached verdict must not outlive it.
  struct ident leaf = make_ident("a", "DNS:a.test", 2, &ca);
  SSL_CTX *server = new_server(&leaf, NULL, leaf.key);
  ck_assert(handshake(client, server, "a.test"));
  ck_assert(handshake(client, server, "a.test"));
  ASSERT_COUNTS(&cache, 1, 1, 0);
  sleep(4);
  ck_assert(!handshake(client, server, "a.test"));  // expired, verified
  ASSERT_COUNTS(&cache, 2, 1, 1);
  SSL_CTX_free(server);
  SSL_CTX_free(client);
  free_ident(&leaf);
  mtk_verify_cache_cleanup(&cache);
}
END_TEST

START_TEST(test_bounded_to_64_entries) {
  enum { N = MTK_VERIFY_CACHE_SLOTS + 1 };
  ck_assert_int_eq(MTK_VERIFY_CACHE_SLOTS, 64);
  struct mtk_verify_cache cache;
  ck_assert_int_eq(mtk_verify_cache_init(&cache, ca_file, false), 0);
  SSL_CTX *client = new_client(&cache);
  struct ident leaves[N];
  SSL_CTX *servers[N];
  for (int i = 0; i < N; i++) {
    leaves[i] = make_ident("a", "DNS:a.test", 3600, &ca);
    servers[i] = new_server(&leaves[i], NULL, leaves[i].key);
    ck_assert(handshake(client, servers[i], "a.test"));
  }
  ASSERT_COUNTS(&cache, N, 0, 0);
  // The 64 most recent chains are cached; the first made room for the
  // last.
  ck_assert(handshake(client, servers[N - 1], "a.test"));
  ck_assert(handshake(client, servers[1], "a.test"));
  ASSERT_COUNTS(&cache, N, 2, 0);
  ck_assert(handshake(client, servers[0], "a.test"));
  ASSERT_COUNTS(&cache, N + 1, 2, 0);
  for (int i = 0; i < N; i++) {
    SSL_CTX_free(servers[i]);
    free_ident(&leaves[i]);
  }
  SSL_CTX_free(client);
  mtk_verify_cache_cleanup(&cache);
}
END_TEST

// What each thread of test_threads does: handshakes alternating between a
// trusted and an untrusted server.
struct worker {
  SSL_CTX *client, *good, *bad;
  int ok, rejected;
};

static void *run_worker(void *arg) {
  struct worker *w = arg;
  for (int i = 0; i < 20; i++) {
    if (handshake(w->client, i % 4 == 3 ? w->bad : w->good, "a.test")) {
      w->ok++;
    } else {
      w->rejected++;
    }
  }
  return NULL;
}

START_TEST(test_threads) {
  struct mtk_verify_cache cache;
  ck_assert_int_eq(mtk_verify_cache_init(&cache, ca_file, false), 0);
  SSL_CTX *client = new_client(&cache);
  struct ident leaf = make_ident("a", "DNS:a.test", 3600, &ca);
  struct ident stranger = make_ident("stranger", "DNS:a.test", 3600, NULL);
  SSL_CTX *good = new_server(&leaf, NULL, leaf.key);
  SSL_CTX *bad = new_server(&stranger, NULL, stranger.key);
  enum { THREADS = 4 };
  struct worker w[THREADS];
  pthread_t tids[THREADS];
  for (int t = 0; t < THREADS; t++) {
    w[t] = (struct worker){client, good, bad, 0, 0};
    ck_assert_int_eq(pthread_create(&tids[t], NULL, run_worker, &w[t]), 0);
  }
  for (int t = 0; t < THREADS; t++) {
    ck_assert_int_eq(pthread_join(tids[t], NULL), 0);
    ck_assert_int_eq(w[t].ok, 15);
    ck_assert_int_eq(w[t].rejected, 5);
  }
  // Every untrusted handshake was verified and failed; every trusted one
  // was verified or a hit, and at most one per thread raced to verify.
  struct counts n = counts_of(&cache);
  ck_assert_uint_eq(n.failed, THREADS * 5);
  ck_assert_uint_eq(n.verified + n.hits, THREADS * 20);
  ck_assert_uint_ge(n.verified - n.failed, 1);
  ck_assert_uint_le(n.verified - n.failed, THREADS);
  SSL_CTX_free(good);
  SSL_CTX_free(bad);
  SSL_CTX_free(client);
  free_ident(&leaf);
  free_ident(&stranger);
  mtk_verify_cache_cleanup(&cache);
}
END_TEST

START_TEST(test_unreadable_trust_file) {
  struct mtk_verify_cache cache;
  char missing[160];
  snprintf(missing, sizeof(missing), "%s/missing.pem", dir);
  ck_assert_int_lt(mtk_verify_cache_init(&cache, missing, false), 0);
}
END_TEST

static Suite *verify_cache_suite(void) {
  Suite *s = suite_create("verify_cache");
  TCase *tc = tcase_create("core");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_success_cached_failure_not);
  tcase_add_test(tc, test_failed_host_check_not_cached);
  tcase_add_test(tc, test_key_covers_chain_host_trust);
  tcase_add_test(tc, test_verify_each_caches_nothing);
  tcase_add_test(tc, test_entry_lapses_with_the_chain);
  tcase_add_test(tc, test_bounded_to_64_entries);
  tcase_add_test(tc, test_threads);
  tcase_add_test(tc, test_unreadable_trust_file);
  suite_add_tcase(s, tc);
  return s;
}

MTK_CHECK_MAIN(verify_cache_suite)
