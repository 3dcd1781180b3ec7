#include "mtlskit/identity.h"

#include <openssl/bytestring.h>
#include <openssl/err.h>
#include <openssl/mem.h>
#include <openssl/pkcs8.h>
#include <stdlib.h>
#include <string.h>

#include "mtlskit/file.h"
#include "mtlskit/pem.h"
#include "mtlskit/x509_key.h"

void mtk_identity_init(struct mtk_identity *id) { memset(id, 0, sizeof(*id)); }

void mtk_identity_cleanup(struct mtk_identity *id) {
  X509_free(id->leaf);
  sk_X509_pop_free(id->chain, X509_free);
  EVP_PKEY_free(id->key);
  mtk_identity_init(id);
}

static int check_match(struct mtk_identity *id, const char *what,
                       struct mtk_diag *diag) {
  if (!X509_check_private_key(id->leaf, id->key)) {
    ERR_clear_error();
    return mtk_diag_set(diag, MTK_ECRYPTO,
                        "%s: the key does not match the certificate", what);
  }
  return 0;
}

int mtk_identity_load_pem(struct mtk_identity *id, const char *cert_path,
                          const char *key_path, const char *chain_path,
                          const struct mtk_secret *key_password,
                          struct mtk_diag *diag) {
  mtk_identity_init(id);
  STACK_OF(X509) *more = NULL;
  int err = mtk_pem_read_certs(cert_path, &id->chain, diag);
  if (err != 0) {
    goto out;
  }
  id->leaf = sk_X509_shift(id->chain);
  if (chain_path != NULL) {
    if ((err = mtk_pem_read_certs(chain_path, &more, diag)) != 0) {
      goto out;
    }
    while (sk_X509_num(more) > 0) {
      X509 *x = sk_X509_shift(more);
      if (!sk_X509_push(id->chain, x)) {
        X509_free(x);
        err = MTK_ENOMEM;
        goto out;
      }
    }
  }
  if ((err = mtk_pem_read_key(key_path, key_password, &id->key, diag)) != 0) {
    goto out;
  }
  err = check_match(id, key_path, diag);
out:
  sk_X509_pop_free(more, X509_free);
  if (err != 0) {
    mtk_identity_cleanup(id);
  }
  return err;
}

int mtk_identity_load_p12(struct mtk_identity *id, const char *path,
                          const struct mtk_secret *password,
                          struct mtk_diag *diag) {
  mtk_identity_init(id);
  char *data = NULL;
  size_t len = 0;
  int err = mtk_file_read(path, 16u << 20, &data, &len, diag);
  if (err != 0) {
    return err;
  }
  CBS cbs;
  CBS_init(&cbs, (const uint8_t *)data, len);
  id->chain = sk_X509_new_null();
  if (id->chain == NULL) {
    err = MTK_ENOMEM;
    goto out;
  }
  if (!PKCS12_get_key_and_certs(&id->key, id->chain, &cbs,
                                password != NULL ? password->data : "")) {
    uint32_t e = ERR_peek_last_error();
    if (ERR_GET_LIB(e) == ERR_LIB_PKCS8 &&
        ERR_GET_REASON(e) == PKCS8_R_INCORRECT_PASSWORD) {
      ERR_clear_error();
      err = mtk_diag_set(diag, MTK_EBADPASS, "wrong password for %s", path);
    } else {
      err = mtk_crypto_diag(diag, MTK_EPARSE, path);
    }
    goto out;
  }
  // The leaf is the certificate that matches the key; the rest is chain.
  for (size_t i = 0; i < sk_X509_num(id->chain); i++) {
    X509 *x = sk_X509_value(id->chain, i);
    if (id->key != NULL && X509_check_private_key(x, id->key)) {
      id->leaf = sk_X509_delete(id->chain, i);
      break;
    }
  }
  ERR_clear_error();
  if (id->key == NULL || id->leaf == NULL) {
    err = mtk_diag_set(diag, MTK_EPARSE,
                       "%s holds no private key with its certificate", path);
  }
out:
  OPENSSL_cleanse(data, len);
  free(data);
  if (err != 0) {
    mtk_identity_cleanup(id);
  }
  return err;
}
