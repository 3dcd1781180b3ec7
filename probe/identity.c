#include "identity.h"

#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct mtk_probe_identity {
  X509 *leaf;
  STACK_OF(X509) * chain;
  EVP_PKEY *key;
};

void mtk_probe_identity_free(struct mtk_probe_identity *id) {
  if (id == NULL) {
    return;
  }
  X509_free(id->leaf);
  sk_X509_pop_free(id->chain, X509_free);
  EVP_PKEY_free(id->key);
  free(id);
}

// ossl_fail copies the first OpenSSL error into |diag|, clears the queue
// and returns |err|.
static int ossl_fail(struct mtk_diag *diag, int err, const char *what,
                     const char *path) {
  char reason[256] = "unknown OpenSSL error";
  unsigned long e = ERR_peek_error();
  if (e != 0) {
    ERR_error_string_n(e, reason, sizeof(reason));
  }
  ERR_clear_error();
  return mtk_diag_set(diag, err, "%s: %s: %s", path, what, reason);
}

// read_key reads the PEM private key in |f|, in any PEM form (PKCS#8 or
// the key type's own). The type of |leaf|'s public key is tried first:
// naming it lets OpenSSL 3 set up only that type's decoders, about 4x
// faster than PEM_read_PrivateKey trying every one (0.09 vs 0.32 ms a key
// on the bench machine), which counts with one key per case. A key of
// another type falls back to the generic reader, so the caller's
// X509_check_private_key still reports the mismatch.
static EVP_PKEY *read_key(FILE *f, X509 *leaf) {
  EVP_PKEY *key = NULL;
  const char *type = EVP_PKEY_get0_type_name(X509_get0_pubkey(leaf));
  BIO *bio = BIO_new_fp(f, BIO_NOCLOSE);
  OSSL_DECODER_CTX *dctx =
      type == NULL || bio == NULL
          ? NULL
          : OSSL_DECODER_CTX_new_for_pkey(&key, "PEM", NULL, type,
                                          EVP_PKEY_KEYPAIR, NULL, NULL);
  if (dctx != NULL && OSSL_DECODER_from_bio(dctx, bio) != 1) {
    EVP_PKEY_free(key);
    key = NULL;
  }
  OSSL_DECODER_CTX_free(dctx);
  BIO_free(bio);
  if (key == NULL) {
    ERR_clear_error();
    rewind(f);
    key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
  }
  return key;
}

int mtk_probe_identity_load(const char *cert_path, const char *key_path,
                            struct mtk_probe_identity **out,
                            struct mtk_diag *diag) {
  int err = MTK_ENOMEM;
  FILE *f = NULL;
  X509 *x = NULL;
  struct mtk_probe_identity *id = calloc(1, sizeof(*id));
  if (id == NULL || (id->chain = sk_X509_new_null()) == NULL) {
    goto out;
  }
  if ((f = fopen(cert_path, "r")) == NULL) {
    err = mtk_errno_get();
    err = mtk_diag_set(diag, err, "%s: %s", cert_path, mtk_strerror(err));
    goto out;
  }
  if ((id->leaf = PEM_read_X509(f, NULL, NULL, NULL)) == NULL) {
    err = ossl_fail(diag, MTK_EPARSE, "no PEM certificate", cert_path);
    goto out;
  }
  while ((x = PEM_read_X509(f, NULL, NULL, NULL)) != NULL) {
    if (!sk_X509_push(id->chain, x)) {
      X509_free(x);
      goto out;
    }
  }
  // The loop ends at end of file, which OpenSSL reports as an error.
  ERR_clear_error();
  fclose(f);
  if ((f = fopen(key_path, "r")) == NULL) {
    err = mtk_errno_get();
    err = mtk_diag_set(diag, err, "%s: %s", key_path, mtk_strerror(err));
    goto out;
  }
  if ((id->key = read_key(f, id->leaf)) == NULL) {
    err = ossl_fail(diag, MTK_EPARSE, "no PEM private key", key_path);
    goto out;
  }
  if (X509_check_private_key(id->leaf, id->key) != 1) {
    err = ossl_fail(diag, MTK_EPARSE, "key does not match the certificate",
                    key_path);
    goto out;
  }
  *out = id;
  id = NULL;
  err = 0;
out:
  if (f != NULL) {
    fclose(f);
  }
  mtk_probe_identity_free(id);
  return err;
}

X509 *mtk_probe_identity_leaf(const struct mtk_probe_identity *id) {
  return id->leaf;
}

const STACK_OF(X509) *
    mtk_probe_identity_chain(const struct mtk_probe_identity *id) {
  return id->chain;
}

static int install(SSL_CTX *ctx, const struct mtk_probe_identity *id) {
  int ok = SSL_CTX_use_certificate(ctx, id->leaf) == 1 &&
           SSL_CTX_clear_chain_certs(ctx) == 1;
  for (int i = 0; ok && i < sk_X509_num(id->chain); i++) {
    ok = SSL_CTX_add1_chain_cert(ctx, sk_X509_value(id->chain, i)) == 1;
  }
  return ok && SSL_CTX_use_PrivateKey(ctx, id->key) == 1;
}

int mtk_probe_identity_apply(const struct mtk_probe_identity *id,
                             void *ssl_ctx) {
  SSL_CTX *ctx = ssl_ctx;
  // Send the fixture's certificates and nothing else. Without this, a file
  // holding only the leaf makes OpenSSL build the chain from the server-CA
  // bundle (--cacert) and send whatever it finds there, roots included: a
  // case's presented chain would then depend on --cacert (an
  // ok-int-trusted-intermediate could gain its intermediate) and ALB
  // passthrough's X-Amzn-Mtls-Clientcert would not be the fixture's chain.
  SSL_CTX_set_mode(ctx, SSL_MODE_NO_AUTO_CHAIN);
  if (install(ctx, id)) {
    return 0;
  }
  // The client's own security level (2 on Debian) refuses to present
  // RSA-1024 or SHA-1-signed certificates, but sending them is the point
  // of those fixtures: the server must be the one to refuse. Only such an
  // attempt is lowered to level 0.
  ERR_clear_error();
  SSL_CTX_set_security_level(ctx, 0);
  if (install(ctx, id)) {
    return 0;
  }
  ERR_clear_error();
  return MTK_ECRYPTO;
}

// append_subject adds |x|'s subject, RFC 2253, as one more line of |out|.
static void append_subject(X509 *x, char *out, size_t out_len) {
  size_t used = strlen(out);
  BIO *b = BIO_new(BIO_s_mem());
  char *text = NULL;
  long len = 0;
  if (b != NULL && X509_NAME_print_ex(b, X509_get_subject_name(x), 0,
                                      XN_FLAG_RFC2253) >= 0) {
    len = BIO_get_mem_data(b, &text);
  }
  if (text != NULL && len >= 0 && used + 1 < out_len) {
    snprintf(out + used, out_len - used, "%s%.*s", used > 0 ? "\n" : "",
             (int)len, text);
  }
  BIO_free(b);
}

void mtk_probe_identity_describe(const struct mtk_probe_identity *id, char *out,
                                 size_t out_len, size_t *out_count) {
  if (out_len > 0) {
    out[0] = '\0';
  }
  append_subject(id->leaf, out, out_len);
  int n = sk_X509_num(id->chain);
  for (int i = 0; i < n; i++) {
    append_subject(sk_X509_value(id->chain, i), out, out_len);
  }
  *out_count = 1 + (size_t)(n > 0 ? n : 0);
}
