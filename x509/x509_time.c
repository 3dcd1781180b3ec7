#include "mtlskit/x509_time.h"

#include <openssl/bytestring.h>
#include <stdio.h>
#include <string.h>

static int is_utc(time_t t, enum mtk_time_encoding enc, int year) {
  (void)t;
  switch (enc) {
    case MTK_TIME_UTC:
      return 1;
    case MTK_TIME_GENERALIZED:
      return 0;
    case MTK_TIME_AUTO:
      break;
  }
  return year >= 1950 && year <= 2049;
}

int mtk_time_format(char *out, size_t out_len, time_t t,
                    enum mtk_time_encoding enc) {
  struct tm tm;
  if (gmtime_r(&t, &tm) == NULL) {
    return MTK_ERANGE;
  }
  long year = (long)tm.tm_year + 1900;
  if (year < 0 || year > 9999 || out_len < 16) {
    return MTK_ERANGE;
  }
  int n;
  if (is_utc(t, enc, (int)year)) {
    n = snprintf(out, out_len, "%02ld%02d%02d%02d%02d%02dZ", year % 100,
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  } else {
    n = snprintf(out, out_len, "%04ld%02d%02d%02d%02d%02dZ", year,
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  }
  return n > 0 && (size_t)n < out_len ? 0 : MTK_ERANGE;
}

int mtk_time_marshal(CBB *cbb, time_t t, enum mtk_time_encoding enc) {
  char buf[24];
  int err = mtk_time_format(buf, sizeof(buf), t, enc);
  if (err != 0) {
    return err;
  }
  size_t len = strlen(buf);
  CBB child;
  if (!CBB_add_asn1(cbb, &child,
                    len == 13 ? CBS_ASN1_UTCTIME : CBS_ASN1_GENERALIZEDTIME) ||
      !CBB_add_bytes(&child, (const uint8_t *)buf, len) || !CBB_flush(cbb)) {
    return MTK_ENOMEM;
  }
  return 0;
}

static int digits(const char *s, size_t n, int *out) {
  int v = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9') {
      return 0;
    }
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return 1;
}

int mtk_time_parse(const char *s, size_t len, time_t *out) {
  int year, mon, day, hour, min, sec;
  const char *p;
  if (len == 13) {
    if (!digits(s, 2, &year)) {
      return MTK_EPARSE;
    }
    year += year >= 50 ? 1900 : 2000;
    p = s + 2;
  } else if (len == 15) {
    if (!digits(s, 4, &year)) {
      return MTK_EPARSE;
    }
    p = s + 4;
  } else {
    return MTK_EPARSE;
  }
  if (!digits(p, 2, &mon) || !digits(p + 2, 2, &day) ||
      !digits(p + 4, 2, &hour) || !digits(p + 6, 2, &min) ||
      !digits(p + 8, 2, &sec) || p[10] != 'Z' || mon < 1 || mon > 12 ||
      day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60) {
    return MTK_EPARSE;
  }
  struct tm tm;
  memset(&tm, 0, sizeof(tm));
  tm.tm_year = year - 1900;
  tm.tm_mon = mon - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = min;
  tm.tm_sec = sec;
  *out = timegm(&tm);
  return 0;
}

int mtk_time_unmarshal(CBS *cbs, time_t *out) {
  CBS t;
  unsigned tag;
  if (!CBS_get_any_asn1(cbs, &t, &tag) ||
      (tag != CBS_ASN1_UTCTIME && tag != CBS_ASN1_GENERALIZEDTIME)) {
    return MTK_EPARSE;
  }
  if ((tag == CBS_ASN1_UTCTIME) != (CBS_len(&t) == 13)) {
    return MTK_EPARSE;
  }
  return mtk_time_parse((const char *)CBS_data(&t), CBS_len(&t), out);
}
