#include "mtlskit/pem.h"

#include <openssl/base64.h>
#include <openssl/bio.h>
#include <openssl/bytestring.h>
#include <openssl/cipher.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/mem.h>
#include <openssl/pem.h>
#include <openssl/pkcs8.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mtlskit/file.h"
#include "mtlskit/x509_key.h"

int mtk_pem_encode(const char *label, const uint8_t *der, size_t der_len,
                   char **out, size_t *out_len) {
  size_t lines = (der_len + 47) / 48;
  size_t cap = 2 * strlen(label) + 64 + lines * 66 + 1;
  char *buf = malloc(cap);
  if (buf == NULL) {
    return MTK_ENOMEM;
  }
  size_t n = (size_t)snprintf(buf, cap, "-----BEGIN %s-----\n", label);
  for (size_t off = 0; off < der_len; off += 48) {
    size_t chunk = der_len - off < 48 ? der_len - off : 48;
    n += EVP_EncodeBlock((uint8_t *)buf + n, der + off, chunk);
    buf[n++] = '\n';
  }
  n += (size_t)snprintf(buf + n, cap - n, "-----END %s-----\n", label);
  *out = buf;
  *out_len = n;
  return 0;
}

int mtk_pem_cert_encode(X509 *cert, char **out, size_t *out_len) {
  uint8_t *der = NULL;
  int len = i2d_X509(cert, &der);
  if (len <= 0) {
    ERR_clear_error();
    return MTK_ENOMEM;
  }
  int err = mtk_pem_encode("CERTIFICATE", der, (size_t)len, out, out_len);
  OPENSSL_free(der);
  return err;
}

int mtk_pem_key_encode(const EVP_PKEY *key, const struct mtk_secret *password,
                       char **out, size_t *out_len, struct mtk_diag *diag) {
  CBB cbb;
  uint8_t *der = NULL;
  size_t der_len = 0;
  int ok;
  if (!CBB_init(&cbb, 2048)) {
    return MTK_ENOMEM;
  }
  if (password != NULL && password->len >= PEM_BUFSIZE) {
    CBB_cleanup(&cbb);
    return mtk_diag_set(diag, MTK_EUSAGE,
                        "a key passphrase may be at most %d bytes (PEM "
                        "readers, openssl's too, take no more)",
                        PEM_BUFSIZE - 1);
  }
  if (password != NULL) {
    ok = PKCS8_marshal_encrypted_private_key(&cbb, -1, EVP_aes_256_cbc(),
                                             password->data, password->len,
                                             NULL, 0, 2048, key);
  } else {
    ok = EVP_marshal_private_key(&cbb, key);
  }
  if (!ok || !CBB_finish(&cbb, &der, &der_len)) {
    CBB_cleanup(&cbb);
    return mtk_crypto_diag(diag, MTK_ECRYPTO, "cannot encode the key");
  }
  int err =
      mtk_pem_encode(password != NULL ? "ENCRYPTED PRIVATE KEY" : "PRIVATE KEY",
                     der, der_len, out, out_len);
  OPENSSL_cleanse(der, der_len);
  OPENSSL_free(der);
  return err;
}

struct pw_state {
  const struct mtk_secret *password;
  int asked;
};

static int pw_cb(char *buf, int size, int rwflag, void *u) {
  (void)rwflag;
  struct pw_state *st = u;
  st->asked = 1;
  if (st->password == NULL || st->password->data == NULL ||
      st->password->len >= (size_t)size) {
    return -1;
  }
  memcpy(buf, st->password->data, st->password->len);
  return (int)st->password->len;
}

int mtk_pem_read_key(const char *path, const struct mtk_secret *password,
                     EVP_PKEY **out, struct mtk_diag *diag) {
  char *data = NULL;
  size_t len = 0;
  if (password != NULL && password->len >= PEM_BUFSIZE) {
    // PEM's password callbacks (BoringSSL's and openssl's) hold at most
    // PEM_BUFSIZE - 1 bytes: say so rather than "wrong passphrase".
    return mtk_diag_set(diag, MTK_EUSAGE,
                        "a key passphrase may be at most %d bytes",
                        PEM_BUFSIZE - 1);
  }
  int err = mtk_file_read(path, 1u << 20, &data, &len, diag);
  if (err != 0) {
    return err;
  }
  BIO *bio = BIO_new_mem_buf(data, (int)len);
  struct pw_state st = {password, 0};
  EVP_PKEY *key =
      bio != NULL ? PEM_read_bio_PrivateKey(bio, NULL, pw_cb, &st) : NULL;
  BIO_free(bio);
  OPENSSL_cleanse(data, len);
  free(data);
  if (key != NULL) {
    ERR_clear_error();
    *out = key;
    return 0;
  }
  ERR_clear_error();
  if (st.asked && password == NULL) {
    return mtk_diag_set(diag, MTK_EBADPASS,
                        "%s is encrypted and no passphrase was given", path);
  }
  if (st.asked) {
    return mtk_diag_set(diag, MTK_EBADPASS, "wrong passphrase for %s", path);
  }
  return mtk_diag_set(diag, MTK_EPARSE, "%s holds no readable private key",
                      path);
}

int mtk_pem_read_certs(const char *path, STACK_OF(X509) * *out,
                       struct mtk_diag *diag) {
  char *data = NULL;
  size_t len = 0;
  int err = mtk_file_read(path, MTK_PEM_MAX_FILE, &data, &len, diag);
  if (err != 0) {
    return err;
  }
  STACK_OF(X509) *certs = sk_X509_new_null();
  BIO *bio = BIO_new_mem_buf(data, (int)len);
  if (certs == NULL || bio == NULL) {
    err = MTK_ENOMEM;
    goto out;
  }
  for (;;) {
    X509 *x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
    if (x == NULL) {
      uint32_t e = ERR_peek_last_error();
      if (ERR_GET_LIB(e) == ERR_LIB_PEM &&
          ERR_GET_REASON(e) == PEM_R_NO_START_LINE) {
        break;
      }
      err = mtk_crypto_diag(diag, MTK_EPARSE, path);
      goto out;
    }
    if (!sk_X509_push(certs, x)) {
      X509_free(x);
      err = MTK_ENOMEM;
      goto out;
    }
  }
  ERR_clear_error();
  if (sk_X509_num(certs) == 0) {
    err = mtk_diag_set(diag, MTK_EPARSE, "%s holds no certificate", path);
    goto out;
  }
  *out = certs;
  certs = NULL;
out:
  sk_X509_pop_free(certs, X509_free);
  BIO_free(bio);
  free(data);
  return err;
}

int mtk_pem_read_cert(const char *path, X509 **out, struct mtk_diag *diag) {
  STACK_OF(X509) *certs = NULL;
  int err = mtk_pem_read_certs(path, &certs, diag);
  if (err != 0) {
    return err;
  }
  *out = sk_X509_shift(certs);
  sk_X509_pop_free(certs, X509_free);
  return 0;
}
