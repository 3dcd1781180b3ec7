#include "albexpect.h"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int mtk_probe_url_encode(const char *in, size_t len, char **out) {
  static const char hex[] = "0123456789ABCDEF";
  char *s = malloc(3 * len + 1);
  *out = NULL;
  if (s == NULL) {
    return MTK_ENOMEM;
  }
  size_t j = 0;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)in[i];
    bool keep = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                (c >= '0' && c <= '9') ||
                (c != '\0' && strchr("-._~+=/", c) != NULL);
    if (keep) {
      s[j++] = (char)c;
    } else {
      s[j++] = '%';
      s[j++] = hex[c >> 4];
      s[j++] = hex[c & 15];
    }
  }
  s[j] = '\0';
  *out = s;
  return 0;
}

int mtk_probe_alb_serial_hex(const X509 *cert, char *out, size_t out_len) {
  static const char hex[] = "0123456789ABCDEF";
  const ASN1_INTEGER *serial = X509_get0_serialNumber(cert);
  const unsigned char *p = ASN1_STRING_get0_data(serial);
  int n = ASN1_STRING_length(serial);
  size_t len = n > 0 ? (size_t)n : 0;
  bool negative = ASN1_STRING_type(serial) == V_ASN1_NEG_INTEGER;
  // OpenSSL keeps the magnitude without DER's sign byte; skip any other
  // leading zero bytes too, as ALB's "03A5B1" shows.
  while (len > 0 && p[0] == 0) {
    p++;
    len--;
  }
  size_t need = (len > 0 ? 2 * len : 2) + (negative ? 1 : 0) + 1;
  if (out_len < need) {
    return MTK_ERANGE;
  }
  size_t k = 0;
  if (negative && len > 0) {
    out[k++] = '-';
  }
  if (len == 0) {
    out[k++] = '0';
    out[k++] = '0';
  }
  for (size_t i = 0; i < len; i++) {
    out[k++] = hex[p[i] >> 4];
    out[k++] = hex[p[i] & 15];
  }
  out[k] = '\0';
  return 0;
}

// bio_string copies what a memory BIO holds into a new string.
static int bio_string(BIO *bio, char **out) {
  char *data = NULL;
  long n = BIO_get_mem_data(bio, &data);
  if (n < 0) {
    return MTK_ECRYPTO;
  }
  char *s = malloc((size_t)n + 1);
  if (s == NULL) {
    return MTK_ENOMEM;
  }
  if (n > 0) {
    memcpy(s, data, (size_t)n);
  }
  s[n] = '\0';
  *out = s;
  return 0;
}

int mtk_probe_alb_name_rfc2253(const X509_NAME *name, char **out) {
  int err = MTK_ENOMEM;
  BIO *bio = BIO_new(BIO_s_mem());
  *out = NULL;
  if (bio == NULL) {
    goto out;
  }
  if (X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253) < 0) {
    err = MTK_ECRYPTO;
    goto out;
  }
  err = bio_string(bio, out);
out:
  BIO_free(bio);
  ERR_clear_error();
  return err;
}

static int format_time(const ASN1_TIME *t, char *out, size_t out_len) {
  struct tm tm;
  memset(&tm, 0, sizeof(tm));
  if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1) {
    ERR_clear_error();
    return MTK_EPARSE;
  }
  if (strftime(out, out_len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
    return MTK_ERANGE;
  }
  return 0;
}

int mtk_probe_alb_validity(const X509 *cert, char *out, size_t out_len) {
  char nb[32];
  char na[32];
  int err;
  if ((err = format_time(X509_get0_notBefore(cert), nb, sizeof(nb))) != 0 ||
      (err = format_time(X509_get0_notAfter(cert), na, sizeof(na))) != 0) {
    return err;
  }
  int n = snprintf(out, out_len, "NotBefore=%s;NotAfter=%s", nb, na);
  return n >= 0 && (size_t)n < out_len ? 0 : MTK_ERANGE;
}

int mtk_probe_alb_pem_url_encoded(X509 *cert, char **out) {
  int err = MTK_ENOMEM;
  char *pem = NULL;
  BIO *bio = BIO_new(BIO_s_mem());
  *out = NULL;
  if (bio == NULL) {
    goto out;
  }
  if (PEM_write_bio_X509(bio, cert) != 1) {
    err = MTK_ECRYPTO;
    goto out;
  }
  if ((err = bio_string(bio, &pem)) != 0) {
    goto out;
  }
  err = mtk_probe_url_encode(pem, strlen(pem), out);
out:
  free(pem);
  BIO_free(bio);
  ERR_clear_error();
  return err;
}

// chain_url_encoded concatenates the URL-encoded PEM of |leaf| and of each
// certificate of |chain|, in the order the client sends them.
static int chain_url_encoded(X509 *leaf, const STACK_OF(X509) *chain,
                             char **out) {
  int err = 0;
  int n = chain != NULL ? sk_X509_num(chain) : 0;
  char *acc = NULL;
  size_t acc_len = 0;
  *out = NULL;
  for (int i = -1; i < n; i++) {
    char *part = NULL;
    X509 *cert = i < 0 ? leaf : sk_X509_value(chain, i);
    if ((err = mtk_probe_alb_pem_url_encoded(cert, &part)) != 0) {
      goto out;
    }
    size_t len = strlen(part);
    char *grown = realloc(acc, acc_len + len + 1);
    if (grown == NULL) {
      free(part);
      err = MTK_ENOMEM;
      goto out;
    }
    acc = grown;
    memcpy(acc + acc_len, part, len + 1);
    acc_len += len;
    free(part);
  }
  *out = acc;
  acc = NULL;
out:
  free(acc);
  return err;
}

int mtk_probe_alb_expected_make(X509 *leaf, const STACK_OF(X509) *chain,
                                struct mtk_probe_alb_expected *out,
                                struct mtk_diag *diag) {
  char serial[2 * 64 + 3];
  char validity[96];
  int err;
  const char *what = "serial number";
  if ((err = mtk_probe_alb_serial_hex(leaf, serial, sizeof(serial))) != 0) {
    goto out;
  }
  if ((out->serial = strdup(serial)) == NULL) {
    err = MTK_ENOMEM;
    goto out;
  }
  what = "issuer name";
  if ((err = mtk_probe_alb_name_rfc2253(X509_get_issuer_name(leaf),
                                        &out->issuer)) != 0) {
    goto out;
  }
  what = "subject name";
  if ((err = mtk_probe_alb_name_rfc2253(X509_get_subject_name(leaf),
                                        &out->subject)) != 0) {
    goto out;
  }
  what = "validity";
  if ((err = mtk_probe_alb_validity(leaf, validity, sizeof(validity))) != 0) {
    goto out;
  }
  if ((out->validity = strdup(validity)) == NULL) {
    err = MTK_ENOMEM;
    goto out;
  }
  what = "leaf PEM";
  if ((err = mtk_probe_alb_pem_url_encoded(leaf, &out->leaf)) != 0) {
    goto out;
  }
  what = "chain PEM";
  err = chain_url_encoded(leaf, chain, &out->chain);
out:
  if (err != 0) {
    mtk_probe_alb_expected_cleanup(out);
    return mtk_diag_set(diag, err, "ALB headers: cannot compute the %s: %s",
                        what, mtk_strerror(err));
  }
  return 0;
}
