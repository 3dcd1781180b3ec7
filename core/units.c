#include "mtlskit/units.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

// parse_decimal reads "DIGITS[.DIGITS]" at *s as a value scaled by 10^9 (so
// fractions survive exactly) and advances *s past it.
static int parse_decimal(const char **s, uint64_t *out_nano) {
  const char *p = *s;
  uint64_t whole = 0;
  bool any = false;
  while (isdigit((unsigned char)*p)) {
    unsigned d = (unsigned)(*p - '0');
    if (whole > (UINT64_MAX - d) / 10) {
      return MTK_ERANGE;
    }
    whole = whole * 10 + d;
    any = true;
    p++;
  }
  uint64_t frac = 0;
  uint64_t scale = 100000000;  // 10^8: the first fractional digit's weight
  if (*p == '.') {
    p++;
    bool frac_any = false;
    while (isdigit((unsigned char)*p)) {
      if (scale == 0) {
        return MTK_EPARSE;  // more precision than nanounits
      }
      frac += (uint64_t)(*p - '0') * scale;
      scale /= 10;
      frac_any = true;
      p++;
    }
    if (!frac_any) {
      return MTK_EPARSE;
    }
  }
  if (!any) {
    return MTK_EPARSE;
  }
  if (whole > UINT64_MAX / 1000000000u) {
    return MTK_ERANGE;
  }
  *out_nano = whole * 1000000000u + frac;
  *s = p;
  return 0;
}

struct unit {
  const char *suffix;
  uint64_t factor;  // never 0: the tables end at a NULL suffix
};

// scale_by_suffix parses a decimal and the suffix that must follow it, from
// |units| (terminated by a NULL suffix), and returns value * factor, which
// must be whole.
static int scale_by_suffix(const char *s, const struct unit *units,
                           uint64_t *out) {
  if (s == NULL) {
    return MTK_EPARSE;
  }
  uint64_t nano;
  const char *p = s;
  int err = parse_decimal(&p, &nano);
  if (err != 0) {
    return err;
  }
  for (const struct unit *u = units; u->suffix != NULL; u++) {
    if (strcmp(p, u->suffix) != 0) {
      continue;
    }
    // value * factor = nano * factor / 1e9; split to avoid overflow.
    uint64_t whole = nano / 1000000000u;
    uint64_t frac = nano % 1000000000u;
    if (whole > UINT64_MAX / u->factor) {
      return MTK_ERANGE;
    }
    uint64_t frac_scaled;
    if (u->factor >= 1000000000u) {
      frac_scaled = frac * (u->factor / 1000000000u);
    } else {
      uint64_t div = 1000000000u / u->factor;
      if (frac % div != 0) {
        return MTK_EPARSE;  // not a whole number of the base unit
      }
      frac_scaled = frac / div;
    }
    uint64_t v = whole * u->factor;
    if (v > UINT64_MAX - frac_scaled) {
      return MTK_ERANGE;
    }
    *out = v + frac_scaled;
    return 0;
  }
  return MTK_EPARSE;
}

int mtk_parse_uint(const char *s, uint64_t max, uint64_t *out) {
  if (s == NULL || !isdigit((unsigned char)s[0])) {
    return MTK_EPARSE;
  }
  uint64_t v = 0;
  for (const char *p = s; *p != '\0'; p++) {
    if (!isdigit((unsigned char)*p)) {
      return MTK_EPARSE;
    }
    unsigned d = (unsigned)(*p - '0');
    if (v > (UINT64_MAX - d) / 10) {
      return MTK_ERANGE;
    }
    v = v * 10 + d;
  }
  if (v > max) {
    return MTK_ERANGE;
  }
  *out = v;
  return 0;
}

int mtk_parse_duration_ns(const char *s, uint64_t *out_ns) {
  static const struct unit units[] = {
      {"ns", 1},
      {"us", 1000},
      {"ms", 1000000},
      {"s", 1000000000ull},
      {"m", 60ull * 1000000000ull},
      {"h", 3600ull * 1000000000ull},
      {"d", 86400ull * 1000000000ull},
      {NULL, 0},
  };
  return scale_by_suffix(s, units, out_ns);
}

int mtk_parse_count(const char *s, uint64_t *out) {
  static const struct unit units[] = {
      {"", 1}, {"k", 1000}, {"M", 1000000}, {"G", 1000000000ull}, {NULL, 0},
  };
  return scale_by_suffix(s, units, out);
}

int mtk_parse_bytes(const char *s, uint64_t *out) {
  static const struct unit units[] = {
      {"", 1},
      {"B", 1},
      {"k", 1000},
      {"K", 1000},
      {"KB", 1000},
      {"KiB", 1024},
      {"M", 1000000},
      {"MB", 1000000},
      {"MiB", 1024 * 1024},
      {"G", 1000000000ull},
      {"GB", 1000000000ull},
      {"GiB", 1024ull * 1024 * 1024},
      {NULL, 0},
  };
  return scale_by_suffix(s, units, out);
}

// days_from_civil converts a proleptic Gregorian date to days since
// 1970-01-01 (Howard Hinnant's algorithm), so no timezone state is touched.
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = (unsigned)(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3u : 9u)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (int64_t)doe - 719468;
}

static bool is_leap(int y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

// digits reads exactly |n| decimal digits at *s into *out and advances *s.
static bool digits(const char **s, int n, int *out) {
  int v = 0;
  for (int i = 0; i < n; i++) {
    char c = (*s)[i];
    if (c < '0' || c > '9') {
      return false;
    }
    v = v * 10 + (c - '0');
  }
  *s += n;
  *out = v;
  return true;
}

// parse_rfc3339 reads an RFC 3339 date-time (section 5.6):
// YYYY-MM-DD, then T, t or a space (the section's NOTE), HH:MM:SS, an
// optional fraction that is dropped (certificate times have whole seconds,
// so the time is floored, as x509-limbo's validity cases expect), and Z, z
// or a +HH:MM / -HH:MM offset. A leap second (:60) is the next second.
static int parse_rfc3339(const char *s, time_t *out) {
  int y, mo, d, h, mi, sec, off_h = 0, off_m = 0;
  if (!digits(&s, 4, &y) || *s++ != '-' || !digits(&s, 2, &mo) || *s++ != '-' ||
      !digits(&s, 2, &d)) {
    return MTK_EPARSE;
  }
  if (*s != 'T' && *s != 't' && *s != ' ') {
    return MTK_EPARSE;
  }
  s++;
  if (!digits(&s, 2, &h) || *s++ != ':' || !digits(&s, 2, &mi) || *s++ != ':' ||
      !digits(&s, 2, &sec)) {
    return MTK_EPARSE;
  }
  if (*s == '.') {
    s++;
    if (*s < '0' || *s > '9') {
      return MTK_EPARSE;
    }
    while (*s >= '0' && *s <= '9') {
      s++;
    }
  }
  int sign = 0;
  if (*s == 'Z' || *s == 'z') {
    s++;
  } else if (*s == '+' || *s == '-') {
    sign = *s++ == '+' ? 1 : -1;
    if (!digits(&s, 2, &off_h) || *s++ != ':' || !digits(&s, 2, &off_m) ||
        off_h > 23 || off_m > 59) {
      return MTK_EPARSE;
    }
  } else {
    return MTK_EPARSE;
  }
  if (*s != '\0') {
    return MTK_EPARSE;
  }
  static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 60) {
    return MTK_EPARSE;
  }
  int dim = mdays[mo - 1] + (mo == 2 && is_leap(y) ? 1 : 0);
  if (d > dim) {
    return MTK_EPARSE;
  }
  int64_t days = days_from_civil(y, (unsigned)mo, (unsigned)d);
  int64_t offset = sign * (off_h * 3600 + off_m * 60);
  *out = (time_t)(days * 86400 + h * 3600 + mi * 60 + sec - offset);
  return 0;
}

int mtk_parse_time(const char *s, time_t now, time_t *out) {
  if (s == NULL) {
    return MTK_EPARSE;
  }
  if (s[0] == '@') {
    uint64_t v;
    int err = mtk_parse_uint(s + 1, (uint64_t)INT64_MAX, &v);
    if (err != 0) {
      return err;
    }
    *out = (time_t)v;
    return 0;
  }
  if (strncmp(s, "now", 3) == 0) {
    if (s[3] == '\0') {
      *out = now;
      return 0;
    }
    if (s[3] != '+' && s[3] != '-') {
      return MTK_EPARSE;
    }
    uint64_t ns;
    int err = mtk_parse_duration_ns(s + 4, &ns);
    if (err != 0) {
      return err;
    }
    if (ns % 1000000000u != 0) {
      return MTK_EPARSE;  // certificate times have whole seconds
    }
    uint64_t secs = ns / 1000000000u;
    if (secs > (uint64_t)INT32_MAX * 16) {
      return MTK_ERANGE;
    }
    *out = s[3] == '+' ? now + (time_t)secs : now - (time_t)secs;
    return 0;
  }
  return parse_rfc3339(s, out);
}

int mtk_format_time(char *out, size_t out_len, time_t t) {
  struct tm tm;
  if (gmtime_r(&t, &tm) == NULL || tm.tm_year + 1900 > 9999 ||
      tm.tm_year + 1900 < 0) {
    return MTK_ERANGE;
  }
  if (strftime(out, out_len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
    return MTK_ERANGE;
  }
  return 0;
}
