#include "mtlskit/alb_headers.h"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mtlskit/units.h"

// bio_take copies the contents of memory BIO |bio| into a new heap string.
static int bio_take(BIO *bio, char **out) {
  char *data = NULL;
  long len = BIO_get_mem_data(bio, &data);
  if (len < 0) {
    return MTK_ECRYPTO;
  }
  char *s = malloc((size_t)len + 1);
  if (s == NULL) {
    return MTK_ENOMEM;
  }
  if (len > 0) {
    memcpy(s, data, (size_t)len);
  }
  s[len] = '\0';
  *out = s;
  return 0;
}

int mtk_alb_url_encode(const char *in, size_t len, char **out) {
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

int mtk_alb_name_rfc2253(const X509_NAME *name, char **out) {
  *out = NULL;
  BIO *bio = BIO_new(BIO_s_mem());
  if (bio == NULL) {
    return MTK_ENOMEM;
  }
  int err = X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253) < 0
                ? MTK_ECRYPTO
                : bio_take(bio, out);
  BIO_free(bio);
  ERR_clear_error();
  return err;
}

// serial_hex writes |cert|'s serial as upper-case hex, two digits per byte,
// without leading zero bytes ("00" for zero): the INTEGER's content octets
// as the certificate carries them, so a negative serial keeps its two's
// complement form (-1 is "FF"), as the fixture manifest records it.
static int serial_hex(X509 *cert, char **out) {
  const ASN1_INTEGER *serial = X509_get_serialNumber(cert);
  const unsigned char *data = ASN1_STRING_get0_data(serial);
  size_t len = (size_t)ASN1_STRING_length(serial);
  bool negative = ASN1_STRING_type(serial) == V_ASN1_NEG_INTEGER;
  while (len > 1 && data[0] == 0) {
    data++;
    len--;
  }
  // The library holds a negative serial as its magnitude: negate it back.
  unsigned char twos[64];
  if (negative && len > 0 && len < sizeof(twos)) {
    unsigned carry = 1;
    for (size_t i = len; i-- > 0;) {
      unsigned v = (unsigned)(unsigned char)~data[i] + carry;
      twos[i + 1] = (unsigned char)v;
      carry = v >> 8;
    }
    twos[0] = 0xff;  // sign octet, dropped below when redundant
    data = twos;
    len++;
    while (len > 1 && data[0] == 0xff && (data[1] & 0x80)) {
      data++;
      len--;
    }
  }
  char *s = malloc(2 * len + 3);
  if (s == NULL) {
    return MTK_ENOMEM;
  }
  size_t j = 0;
  for (size_t i = 0; i < len; i++) {
    j += (size_t)snprintf(s + j, 3, "%02X", data[i]);
  }
  if (len == 0) {
    j += (size_t)snprintf(s, 3, "00");
  }
  s[j] = '\0';
  *out = s;
  return 0;
}

// asn1_time_to_time_t converts |t| with ASN1_TIME_diff, which both
// libraries provide (OpenSSL's ASN1_TIME_to_tm is not in this BoringSSL).
static int asn1_time_to_time_t(const ASN1_TIME *t, time_t *out) {
  ASN1_TIME *epoch = ASN1_TIME_set(NULL, 0);
  int days = 0;
  int secs = 0;
  int ok = epoch != NULL && t != NULL && ASN1_TIME_diff(&days, &secs, epoch, t);
  ASN1_TIME_free(epoch);
  if (!ok) {
    ERR_clear_error();
    return MTK_ECRYPTO;
  }
  *out = (time_t)days * 86400 + secs;
  return 0;
}

static int validity(X509 *cert, char **out) {
  time_t nb, na;
  char snb[32], sna[32];
  int err = asn1_time_to_time_t(X509_get0_notBefore(cert), &nb);
  if (err == 0) {
    err = asn1_time_to_time_t(X509_get0_notAfter(cert), &na);
  }
  if (err == 0) {
    err = mtk_format_time(snb, sizeof(snb), nb);
  }
  if (err == 0) {
    err = mtk_format_time(sna, sizeof(sna), na);
  }
  if (err != 0) {
    return err;
  }
  size_t len = strlen(snb) + strlen(sna) + 21;
  char *s = malloc(len);
  if (s == NULL) {
    return MTK_ENOMEM;
  }
  snprintf(s, len, "NotBefore=%s;NotAfter=%s", snb, sna);
  *out = s;
  return 0;
}

// pem_url_encoded writes the URL-encoded PEM of |cert|.
static int pem_url_encoded(X509 *cert, char **out) {
  *out = NULL;
  BIO *bio = BIO_new(BIO_s_mem());
  char *pem = NULL;
  if (bio == NULL) {
    return MTK_ENOMEM;
  }
  int err = PEM_write_bio_X509(bio, cert) ? bio_take(bio, &pem) : MTK_ECRYPTO;
  if (err == 0) {
    err = mtk_alb_url_encode(pem, strlen(pem), out);
  }
  free(pem);
  BIO_free(bio);
  ERR_clear_error();
  return err;
}

int mtk_alb_headers_make(X509 *leaf, struct mtk_alb_headers *out) {
  memset(out, 0, sizeof(*out));
  int err = serial_hex(leaf, &out->serial);
  if (err == 0) {
    err = mtk_alb_name_rfc2253(X509_get_issuer_name(leaf), &out->issuer);
  }
  if (err == 0) {
    err = mtk_alb_name_rfc2253(X509_get_subject_name(leaf), &out->subject);
  }
  if (err == 0) {
    err = validity(leaf, &out->validity);
  }
  if (err == 0) {
    err = pem_url_encoded(leaf, &out->leaf);
  }
  return err;
}

void mtk_alb_headers_cleanup(struct mtk_alb_headers *h) {
  free(h->serial);
  free(h->issuer);
  free(h->subject);
  free(h->validity);
  free(h->leaf);
  memset(h, 0, sizeof(*h));
}

int mtk_alb_chain_header(X509 *leaf, const STACK_OF(X509) * chain, char **out) {
  *out = NULL;
  int num = chain != NULL ? (int)sk_X509_num(chain) : 0;
  char *acc = NULL;
  size_t acc_len = 0;
  int err = 0;
  for (int i = -1; err == 0 && i < num; i++) {
    X509 *cert = i < 0 ? leaf : sk_X509_value(chain, i);
    char *part = NULL;
    err = pem_url_encoded(cert, &part);
    size_t len = part != NULL ? strlen(part) : 0;
    char *grown = err == 0 ? realloc(acc, acc_len + len + 1) : NULL;
    if (err == 0 && grown == NULL) {
      err = MTK_ENOMEM;
    }
    if (err == 0) {
      memcpy(grown + acc_len, part, len + 1);
      acc = grown;
      acc_len += len;
    }
    free(part);
  }
  if (err != 0) {
    free(acc);
    return err;
  }
  *out = acc;
  return 0;
}
