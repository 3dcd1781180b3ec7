// `--platform go`: what a Go 1.19.8 crypto/tls server with
// tls.RequireAndVerifyClientCert does with a client certificate
// (src/crypto/tls/handshake_server.go, processCertsFromClient): parse every
// certificate the client sends (x509.ParseCertificate), verify the first
// with x509.VerifyOptions{Roots: ClientCAs, Intermediates: the others,
// KeyUsages: [ClientAuth]} (src/crypto/x509/verify.go, Verify and
// buildChains, followed here function by function), then require an RSA,
// ECDSA or Ed25519 key. No CRL, no depth limit, no key size rule.
#include "verify_go.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "verify_internal.h"

// maxChainSignatureChecks (verify.go).
#define GO_MAX_SIGNATURE_CHECKS 100
// The longest chain kept; buildChains cannot go deeper than its signature
// budget allows.
#define GO_MAX_CHAIN (GO_MAX_SIGNATURE_CHECKS + 2)
// maxHandshake (crypto/tls common.go).
#define GO_MAX_HANDSHAKE 65536

enum go_cert_type { GO_LEAF, GO_INTERMEDIATE, GO_ROOT };

// A CertPool (cert_pool.go): certificates in the order added, duplicates
// (same DER) dropped.
struct go_pool {
  struct go_cert *certs;
  size_t num;
};

// An error as Verify returns it: the reason, Go's text and the
// certificate (chain position) it is about.
struct go_error {
  bool set;
  enum mtk_verify_reason reason;
  int depth;
  const char *rule;
  char text[256];
};

struct go_verify {
  struct go_pool roots, intermediates;
  time_t now;
  int sig_checks;
  const struct go_cert **chain;  // the first chain that passes the EKU check
  size_t chain_len;
  size_t chains;         // chains built
  size_t good;           // chains that pass checkChainForKeyUsage
  struct go_error last;  // for the path of a refusal
  const struct go_cert *fail_chain[GO_MAX_CHAIN];
  size_t fail_len;
};

#define SRC_VERIFY "Go " VERIFY_GO_VERSION " src/crypto/x509/verify.go"

static void go_error(struct go_error *e, enum mtk_verify_reason reason,
                     int depth, const char *rule, const char *fmt,
                     const char *arg) {
  e->set = true;
  e->reason = reason;
  e->depth = depth;
  e->rule = rule;
  snprintf(e->text, sizeof(e->text), fmt, arg);
}

static bool same_bytes(const uint8_t *a, size_t a_len, const uint8_t *b,
                       size_t b_len) {
  return a_len == b_len && (a_len == 0 || memcmp(a, b, a_len) == 0);
}

static bool same_octets(const ASN1_OCTET_STRING *a,
                        const ASN1_OCTET_STRING *b) {
  size_t a_len = a != NULL ? (size_t)a->length : 0;
  size_t b_len = b != NULL ? (size_t)b->length : 0;
  return same_bytes(a_len > 0 ? a->data : NULL, a_len,
                    b_len > 0 ? b->data : NULL, b_len);
}

// pool_add: CertPool.AddCert, which ignores a certificate already in.
static bool pool_add(struct go_pool *pool, struct go_cert *cert) {
  for (size_t i = 0; i < pool->num; i++) {
    if (same_bytes(pool->certs[i].raw, pool->certs[i].raw_len, cert->raw,
                   cert->raw_len)) {
      go_cert_cleanup(cert);
      return false;
    }
  }
  pool->certs[pool->num++] = *cert;
  return true;
}

static void pool_free(struct go_pool *pool) {
  for (size_t i = 0; i < pool->num; i++) {
    go_cert_cleanup(&pool->certs[i]);
  }
  free(pool->certs);
}

// find_parents: CertPool.findPotentialParents. Candidates named as |cert|'s
// issuer, those whose subjectKeyIdentifier matches its
// authorityKeyIdentifier first, then those where only one of the two is
// present, then mismatches.
static size_t find_parents(const struct go_pool *pool,
                           const struct go_cert *cert,
                           const struct go_cert **out) {
  size_t n = 0;
  for (int rank = 0; rank < 3; rank++) {
    for (size_t i = 0; i < pool->num; i++) {
      const struct go_cert *c = &pool->certs[i];
      if (!same_bytes(c->subject, c->subject_len, cert->issuer,
                      cert->issuer_len)) {
        continue;
      }
      bool has_ski = c->skid != NULL && c->skid->length > 0;
      bool has_aki = cert->akid != NULL && cert->akid->length > 0;
      int r = same_octets(c->skid, cert->akid) ? 0 : has_ski != has_aki ? 1 : 2;
      if (r == rank) {
        out[n++] = c;
      }
    }
  }
  return n;
}

// already_in_chain: alreadyInChain (verify.go): same subject, same public
// key and the same SAN extension (or none on both).
static bool already_in_chain(const struct go_cert *cand,
                             const struct go_cert *const *chain, size_t len) {
  for (size_t i = 0; i < len; i++) {
    const struct go_cert *c = chain[i];
    if (!same_bytes(cand->subject, cand->subject_len, c->subject,
                    c->subject_len) ||
        cand->key == NULL || c->key == NULL ||
        EVP_PKEY_cmp(cand->key, c->key) != 1) {
      continue;
    }
    if (cand->san_value == NULL || c->san_value == NULL) {
      if (cand->san_value == NULL && c->san_value == NULL) {
        return true;
      }
      continue;
    }
    if (ASN1_OCTET_STRING_cmp(cand->san_value, c->san_value) == 0) {
      return true;
    }
  }
  return false;
}

// check_signature_from: Certificate.CheckSignatureFrom and checkSignature
// (x509.go). NULL when |parent| signed |c|, else Go's error text; |reason|
// says which kind.
static const char *check_signature_from(const struct go_cert *c,
                                        const struct go_cert *parent,
                                        enum mtk_verify_reason *reason) {
  *reason = MTK_VERIFY_INVALID_CA;
  if ((parent->version == 3 && !parent->bc_valid) ||
      (parent->bc_valid && !parent->is_ca)) {
    return "x509: invalid signature: parent certificate cannot sign this "
           "kind of certificate";
  }
  if (parent->key_usage != 0 && !(parent->key_usage & (1u << 5))) {
    return "x509: invalid signature: parent certificate cannot sign this "
           "kind of certificate (keyUsage without keyCertSign)";
  }
  *reason = MTK_VERIFY_BAD_SIGNATURE;
  if (parent->key_alg == GO_KEY_UNKNOWN) {
    return "x509: cannot verify signature: algorithm unimplemented";
  }
  if (c->sig_class == GO_SIG_INSECURE) {
    *reason = MTK_VERIFY_WEAK_SIGNATURE;
    return "x509: cannot verify signature: insecure algorithm (SHA-1 or "
           "MD5)";
  }
  if (c->sig_class == GO_SIG_UNSUPPORTED || c->sig_key_alg == GO_KEY_DSA ||
      parent->key_alg == GO_KEY_DSA) {
    return "x509: cannot verify signature: algorithm unimplemented";
  }
  if (c->sig_key_alg != parent->key_alg) {
    return "x509: signature algorithm does not match the issuer's key";
  }
  bool ok = X509_verify(c->x509, parent->key) == 1;
  ERR_clear_error();
  return ok ? NULL : "crypto/rsa or crypto/ecdsa: verification error";
}

// is_valid: Certificate.isValid (verify.go) for |c| about to be appended
// to |chain| (|len| certificates) as |type|.
static bool is_valid(const struct go_verify *v, const struct go_cert *c,
                     enum go_cert_type type, const struct go_cert *const *chain,
                     size_t len, struct go_error *err) {
  int depth = (int)len;  // the chain position |c| would take
  if (c->unhandled_critical) {
    go_error(err, MTK_VERIFY_UNHANDLED_CRITICAL_EXTENSION, depth,
             SRC_VERIFY " (isValid); parser.go (processExtensions)",
             "x509: unhandled critical extension (%s)", c->unhandled_oid);
    return false;
  }
  if (v->now < c->not_before) {
    go_error(err, MTK_VERIFY_NOT_YET_VALID, depth, SRC_VERIFY " (isValid)",
             "%s",
             "x509: certificate has expired or is not yet valid: "
             "current time is before notBefore");
    return false;
  }
  if (v->now > c->not_after) {
    go_error(err, MTK_VERIFY_EXPIRED, depth, SRC_VERIFY " (isValid)", "%s",
             "x509: certificate has expired or is not yet valid: current "
             "time is after notAfter");
    return false;
  }
  if (type != GO_LEAF && c->nc != NULL) {
    int count = 0;
    const struct go_cert *named[2] = {chain[0], c};
    for (int i = 0; i < 2; i++) {
      char why[160];
      if (named[i]->san != NULL &&
          !go_check_name_constraints(c, named[i], &count, why, sizeof(why))) {
        go_error(err, MTK_VERIFY_NAME_CONSTRAINTS, i == 0 ? 0 : depth,
                 SRC_VERIFY " (isValid, checkNameConstraints)",
                 "x509: a root or intermediate certificate is not authorized "
                 "for this name: %.160s",
                 why);
        return false;
      }
    }
  }
  if (type == GO_INTERMEDIATE && (!c->bc_valid || !c->is_ca)) {
    go_error(err, MTK_VERIFY_INVALID_CA, depth, SRC_VERIFY " (isValid)", "%s",
             "x509: certificate is not authorized to sign other "
             "certificates (no basicConstraints cA)");
    return false;
  }
  if (c->bc_valid && c->max_path_len >= 0 && (long)len - 1 > c->max_path_len) {
    go_error(err, MTK_VERIFY_PATHLEN_EXCEEDED, depth, SRC_VERIFY " (isValid)",
             "%s", "x509: too many intermediates for path length constraint");
    return false;
  }
  return true;
}

// eku_ok: checkChainForKeyUsage (verify.go) for KeyUsages [ClientAuth]:
// every certificate that lists usages lists clientAuth or any.
static bool eku_ok(const struct go_cert *const *chain, size_t len) {
  for (size_t i = 0; i < len; i++) {
    if (chain[i]->has_eku && !chain[i]->eku_any && !chain[i]->eku_client) {
      return false;
    }
  }
  return true;
}

// found_chain records a chain buildChains returns, keeping the first one
// the EKU check passes (Caddy's verifiedChains[0]).
static void found_chain(struct go_verify *v, const struct go_cert *const *chain,
                        size_t len) {
  v->chains++;
  if (!eku_ok(chain, len)) {
    return;
  }
  if (v->good++ == 0) {
    v->chain = malloc(len * sizeof(*v->chain));
    if (v->chain != NULL) {
      memcpy(v->chain, chain, len * sizeof(*chain));
      v->chain_len = len;
    }
  }
}

// remember_failure keeps the chain an error was found on (for --explain).
static void remember_failure(struct go_verify *v,
                             const struct go_cert *const *chain, size_t len) {
  v->fail_len = len;
  memcpy(v->fail_chain, chain, len * sizeof(*chain));
}

static size_t build_chains(struct go_verify *v, const struct go_cert **chain,
                           size_t len, struct go_error *err);

// consider: considerCandidate in buildChains (verify.go). Returns the
// chains found through |cand|.
static size_t consider(struct go_verify *v, enum go_cert_type type,
                       const struct go_cert *cand, const struct go_cert **chain,
                       size_t len, struct go_error *err,
                       struct go_error *hint) {
  if (already_in_chain(cand, chain, len)) {
    return 0;
  }
  if (++v->sig_checks > GO_MAX_SIGNATURE_CHECKS || len + 1 >= GO_MAX_CHAIN) {
    go_error(err, MTK_VERIFY_OTHER, (int)len - 1, SRC_VERIFY " (buildChains)",
             "%s",
             "x509: signature check attempts limit reached while "
             "verifying certificate chain");
    remember_failure(v, chain, len);
    return 0;
  }
  enum mtk_verify_reason reason;
  const char *sig = check_signature_from(chain[len - 1], cand, &reason);
  if (sig != NULL) {
    if (!hint->set) {
      go_error(hint, reason,
               reason == MTK_VERIFY_INVALID_CA ? (int)len : (int)len - 1,
               "Go " VERIFY_GO_VERSION
               " src/crypto/x509/x509.go (CheckSignatureFrom, "
               "checkSignature)",
               "%s", sig);
    }
    return 0;
  }
  memset(err, 0, sizeof(*err));
  if (!is_valid(v, cand, type, chain, len, err)) {
    chain[len] = cand;
    remember_failure(v, chain, len + 1);
    return 0;
  }
  chain[len] = cand;
  if (type == GO_ROOT) {
    found_chain(v, chain, len + 1);
    return 1;
  }
  return build_chains(v, chain, len + 1, err);
}

// build_chains: Certificate.buildChains (verify.go), the error it returns
// in |err| (the last candidate's, or UnknownAuthorityError).
static size_t build_chains(struct go_verify *v, const struct go_cert **chain,
                           size_t len, struct go_error *err) {
  struct go_error hint = {0};
  size_t found = 0;
  const struct go_cert *c = chain[len - 1];
  const struct go_cert **cands =
      malloc((v->roots.num + v->intermediates.num + 1) * sizeof(*cands));
  if (cands == NULL) {
    go_error(err, MTK_VERIFY_OTHER, -1, SRC_VERIFY, "%s", "out of memory");
    return 0;
  }
  memset(err, 0, sizeof(*err));
  size_t n = find_parents(&v->roots, c, cands);
  for (size_t i = 0; i < n; i++) {
    found += consider(v, GO_ROOT, cands[i], chain, len, err, &hint);
  }
  n = find_parents(&v->intermediates, c, cands);
  for (size_t i = 0; i < n; i++) {
    found += consider(v, GO_INTERMEDIATE, cands[i], chain, len, err, &hint);
  }
  free(cands);
  if (found > 0) {
    memset(err, 0, sizeof(*err));
  } else if (!err->set) {
    if (hint.set) {
      *err = hint;
      char text[sizeof(err->text)];
      snprintf(
          text, sizeof(text),
          "x509: certificate signed by unknown authority (possibly "
          "because of \"%.120s\" while trying to verify candidate authority "
          "certificate)",
          hint.text);
      snprintf(err->text, sizeof(err->text), "%s", text);
    } else {
      go_error(err, MTK_VERIFY_UNKNOWN_ISSUER, (int)len - 1,
               SRC_VERIFY " (buildChains)", "%s",
               "x509: certificate signed by unknown authority");
    }
    remember_failure(v, chain, len);
  }
  return found;
}

// parse_error: a certificate the client sends that Go cannot parse fails
// the handshake (processCertsFromClient).
static void parse_error(struct go_error *err, int depth, const char *why) {
  go_error(err, MTK_VERIFY_MALFORMED, depth,
           "Go " VERIFY_GO_VERSION
           " src/crypto/tls/handshake_server.go (processCertsFromClient); "
           "src/crypto/x509/parser.go",
           "tls: failed to parse client certificate: %.160s", why);
}

// load_pools parses the trust store (Caddy's ClientCAs) and the
// certificates the client sends after its leaf (the Intermediates pool).
// Go cannot parse a certificate: the client's makes the handshake fail
// (|err| set); a trusted one Caddy refuses at start, and
// it is left out here.
static bool load_pools(struct go_verify *v, STACK_OF(X509) * chain,
                       STACK_OF(X509) * trusted, struct go_error *err) {
  v->roots.certs = calloc(sk_X509_num(trusted) + 1, sizeof(struct go_cert));
  v->intermediates.certs =
      calloc(sk_X509_num(chain) + 1, sizeof(struct go_cert));
  if (v->roots.certs == NULL || v->intermediates.certs == NULL) {
    go_error(err, MTK_VERIFY_OTHER, -1, SRC_VERIFY, "%s", "out of memory");
    return false;
  }
  char why[160];
  for (size_t i = 0; i < sk_X509_num(chain); i++) {
    struct go_cert cert;
    if (!go_cert_parse(sk_X509_value(chain, i), &cert, why, sizeof(why))) {
      go_cert_cleanup(&cert);
      parse_error(err, -1, why);
      return false;
    }
    pool_add(&v->intermediates, &cert);
  }
  for (size_t i = 0; i < sk_X509_num(trusted); i++) {
    struct go_cert cert;
    if (!go_cert_parse(sk_X509_value(trusted, i), &cert, why, sizeof(why))) {
      go_cert_cleanup(&cert);
      continue;
    }
    pool_add(&v->roots, &cert);
  }
  return true;
}

// message_too_large: Go reads no handshake message longer than maxHandshake
// (common.go: 65536 bytes; conn.go, readHandshake): the client's
// Certificate message counts 3 length octets per certificate, under TLS
// 1.3 also 2 extension octets each and a 1-octet request context.
static bool message_too_large(X509 *leaf, STACK_OF(X509) * chain,
                              struct go_error *err) {
  size_t n = sk_X509_num(chain) + 1;
  size_t tls12 = 3;
  for (size_t i = 0; i < n; i++) {
    int len = i2d_X509(i == 0 ? leaf : sk_X509_value(chain, i - 1), NULL);
    tls12 += 3 + (len > 0 ? (size_t)len : 0);
  }
  size_t tls13 = tls12 + 1 + 2 * n;
  if (tls13 <= GO_MAX_HANDSHAKE) {
    return false;
  }
  char sizes[96];
  snprintf(sizes, sizeof(sizes), "%zu bytes under TLS 1.3, %zu under 1.2",
           tls13, tls12);
  go_error(err, MTK_VERIFY_OTHER, -1,
           "Go " VERIFY_GO_VERSION
           " src/crypto/tls/conn.go (readHandshake), common.go (maxHandshake)",
           "tls: handshake message of %s exceeds maximum of 65536 bytes",
           sizes);
  return true;
}

// tls_key_ok: processCertsFromClient accepts a leaf key of these types.
static bool tls_key_ok(const struct go_cert *leaf) {
  return leaf->key_alg == GO_KEY_RSA || leaf->key_alg == GO_KEY_ECDSA ||
         leaf->key_alg == GO_KEY_ED25519;
}

// go_verify_leaf: Certificate.Verify (verify.go) on |leaf|, then the key
// type check of processCertsFromClient.
static void go_verify_leaf(struct go_verify *v, const struct go_cert *leaf,
                           struct go_error *err) {
  const struct go_cert *chain[GO_MAX_CHAIN];
  chain[0] = leaf;
  v->fail_chain[0] = leaf;
  v->fail_len = 1;
  if (!is_valid(v, leaf, GO_LEAF, chain, 0, err)) {
    return;
  }
  bool in_roots = false;
  for (size_t i = 0; i < v->roots.num; i++) {
    in_roots |= same_bytes(v->roots.certs[i].raw, v->roots.certs[i].raw_len,
                           leaf->raw, leaf->raw_len);
  }
  if (in_roots) {
    found_chain(v, chain, 1);
  } else if (build_chains(v, chain, 1, err) == 0) {
    return;
  }
  if (v->good == 0) {
    go_error(err, MTK_VERIFY_BAD_EKU, 0,
             SRC_VERIFY " (Verify, checkChainForKeyUsage)", "%s",
             "x509: certificate specifies an incompatible key usage "
             "(no chain allows clientAuth)");
    return;
  }
  if (!tls_key_ok(leaf)) {
    go_error(err, MTK_VERIFY_UNSUPPORTED_KEY_TYPE, 0,
             "Go " VERIFY_GO_VERSION
             " src/crypto/tls/handshake_server.go (processCertsFromClient)",
             "%s",
             "tls: client certificate contains an unsupported public "
             "key type");
  }
}

// describe_chain fills |out|'s path from |chain|.
static void describe_chain(const struct go_cert *const *chain, size_t len,
                           struct mtk_verify_result *out) {
  STACK_OF(X509) *path = sk_X509_new_null();
  for (size_t i = 0; path != NULL && i < len; i++) {
    if (!sk_X509_push(path, chain[i]->x509)) {
      break;
    }
  }
  verify_describe_path(path, out);
  sk_X509_free(path);
}

int verify_go(const struct mtk_verify_config *config, X509 *leaf,
              STACK_OF(X509) * chain, STACK_OF(X509) * trusted,
              struct mtk_verify_result *out, struct mtk_diag *diag) {
  (void)diag;
  struct go_verify v = {0};
  v.now = config->at != 0 ? config->at : time(NULL);
  struct go_error err = {0};
  struct go_cert go_leaf;
  char why[160];
  memset(&go_leaf, 0, sizeof(go_leaf));
  if (message_too_large(leaf, chain, &err)) {
    // refused before any certificate is parsed
  } else if (!go_cert_parse(leaf, &go_leaf, why, sizeof(why))) {
    parse_error(&err, 0, why);
  } else if (load_pools(&v, chain, trusted, &err)) {
    go_verify_leaf(&v, &go_leaf, &err);
  }
  if (err.set) {
    verify_reject(out, err.reason, err.depth, "%s", err.text);
    out->rule = err.rule;
    describe_chain(v.fail_chain, v.fail_len, out);
  } else {
    describe_chain(v.chain, v.chain_len, out);
  }
  free(v.chain);
  go_cert_cleanup(&go_leaf);
  pool_free(&v.roots);
  pool_free(&v.intermediates);
  return 0;
}
