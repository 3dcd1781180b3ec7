// HdrHistogram interval log writer and reader (format in hdrlog.h).
#include "mtlskit/hdrlog.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <zlib.h>

#define V2_ENCODING_COOKIE UINT32_C(0x1c849313)
#define V2_COMPRESSION_COOKIE UINT32_C(0x1c849314)
#define ENCODING_HEADER_SIZE 40
// A decoded histogram larger than this is refused rather than inflated.
#define MAX_DECODED_SIZE (64u << 20)

static void put_be32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}

static void put_be64(uint8_t *p, uint64_t v) {
  put_be32(p, (uint32_t)(v >> 32));
  put_be32(p + 4, (uint32_t)v);
}

static uint32_t get_be32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
         (uint32_t)p[3];
}

static uint64_t get_be64(const uint8_t *p) {
  return (uint64_t)get_be32(p) << 32 | get_be32(p + 4);
}

// ZigZag LEB128 as HdrHistogram's ZigZagEncoding: 7 bits per byte for the
// first eight bytes, all 8 bits of a ninth.
static size_t zigzag_put(uint8_t *p, int64_t value) {
  // The sign spread over all 64 bits, without shifting a negative value
  // (implementation-defined in C).
  uint64_t sign = value < 0 ? UINT64_MAX : 0;
  uint64_t v = ((uint64_t)value << 1) ^ sign;
  size_t n = 0;
  while (n < 8) {
    if (v < 0x80) {
      p[n++] = (uint8_t)v;
      return n;
    }
    p[n++] = (uint8_t)((v & 0x7f) | 0x80);
    v >>= 7;
  }
  p[n++] = (uint8_t)v;
  return n;
}

static int zigzag_get(const uint8_t *p, size_t len, size_t *pos, int64_t *out) {
  uint64_t v = 0;
  for (int i = 0; i < 9; i++) {
    if (*pos >= len) {
      return MTK_ECORRUPT;
    }
    uint8_t b = p[(*pos)++];
    if (i == 8) {
      v |= (uint64_t)b << 56;
      break;
    }
    v |= (uint64_t)(b & 0x7f) << (7 * i);
    if ((b & 0x80) == 0) {
      break;
    }
  }
  *out = (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
  return 0;
}

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static char *b64_encode(const uint8_t *in, size_t len, size_t *out_len) {
  size_t n = 4 * ((len + 2) / 3);
  char *out = malloc(n + 1);
  if (out == NULL) {
    return NULL;
  }
  size_t o = 0;
  for (size_t i = 0; i < len; i += 3) {
    uint32_t chunk = (uint32_t)in[i] << 16;
    if (i + 1 < len) chunk |= (uint32_t)in[i + 1] << 8;
    if (i + 2 < len) chunk |= in[i + 2];
    out[o++] = b64_alphabet[(chunk >> 18) & 63];
    out[o++] = b64_alphabet[(chunk >> 12) & 63];
    out[o++] = i + 1 < len ? b64_alphabet[(chunk >> 6) & 63] : '=';
    out[o++] = i + 2 < len ? b64_alphabet[chunk & 63] : '=';
  }
  out[o] = '\0';
  *out_len = o;
  return out;
}

static int b64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

static int b64_decode(const char *in, size_t len, uint8_t **out,
                      size_t *out_len) {
  if (len % 4 != 0 || len == 0) {
    return MTK_ECORRUPT;
  }
  uint8_t *buf = malloc(len / 4 * 3);
  if (buf == NULL) {
    return MTK_ENOMEM;
  }
  size_t o = 0;
  for (size_t i = 0; i < len; i += 4) {
    int v[4];
    int pad = 0;
    for (int k = 0; k < 4; k++) {
      if (in[i + k] == '=' && i + 4 == len && k >= 2) {
        v[k] = 0;
        pad++;
      } else if (pad > 0 || (v[k] = b64_value(in[i + k])) < 0) {
        free(buf);
        return MTK_ECORRUPT;
      }
    }
    uint32_t chunk = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 |
                     (uint32_t)v[2] << 6 | (uint32_t)v[3];
    buf[o++] = (uint8_t)(chunk >> 16);
    if (pad < 2) buf[o++] = (uint8_t)(chunk >> 8);
    if (pad < 1) buf[o++] = (uint8_t)chunk;
  }
  *out = buf;
  *out_len = o;
  return 0;
}

int mtk_hdrlog_encode(const struct mtk_hist *h, char **out, size_t *out_len) {
  int err = 0;
  uint8_t *enc = NULL;
  uint8_t *comp = NULL;
  *out = NULL;

  size_t limit = 0;  // one past the highest non-empty index
  for (size_t i = h->num_counts; i > 0; i--) {
    if (h->counts[i - 1] != 0) {
      limit = i;
      break;
    }
  }
  enc = malloc(ENCODING_HEADER_SIZE + limit * 9 + 9);
  if (enc == NULL) {
    err = MTK_ENOMEM;
    goto out;
  }
  size_t pos = ENCODING_HEADER_SIZE;
  for (size_t i = 0; i < limit;) {
    int64_t count = h->counts[i++];
    if (count == 0) {
      int64_t zeros = 1;
      while (i < limit && h->counts[i] == 0) {
        zeros++;
        i++;
      }
      pos += zigzag_put(enc + pos, zeros > 1 ? -zeros : 0);
    } else {
      pos += zigzag_put(enc + pos, count);
    }
  }
  double ratio = 1.0;
  uint64_t ratio_bits;
  memcpy(&ratio_bits, &ratio, sizeof(ratio_bits));
  put_be32(enc, V2_ENCODING_COOKIE);
  put_be32(enc + 4, (uint32_t)(pos - ENCODING_HEADER_SIZE));
  put_be32(enc + 8, 0);
  put_be32(enc + 12, (uint32_t)h->sigfigs);
  put_be64(enc + 16, (uint64_t)h->lowest);
  put_be64(enc + 24, (uint64_t)h->highest);
  put_be64(enc + 32, ratio_bits);

  uLongf comp_len = compressBound((uLong)pos);
  comp = malloc(8 + comp_len);
  if (comp == NULL) {
    err = MTK_ENOMEM;
    goto out;
  }
  if (compress2(comp + 8, &comp_len, enc, (uLong)pos, Z_DEFAULT_COMPRESSION) !=
      Z_OK) {
    err = MTK_EINTERNAL;
    goto out;
  }
  put_be32(comp, V2_COMPRESSION_COOKIE);
  put_be32(comp + 4, (uint32_t)comp_len);
  size_t n;
  *out = b64_encode(comp, 8 + comp_len, &n);
  if (*out == NULL) {
    err = MTK_ENOMEM;
    goto out;
  }
  if (out_len != NULL) {
    *out_len = n;
  }
out:
  free(comp);
  free(enc);
  return err;
}

static int inflate_all(const uint8_t *in, size_t in_len, uint8_t **out,
                       size_t *out_len, struct mtk_diag *diag) {
  z_stream zs;
  memset(&zs, 0, sizeof(zs));
  if (inflateInit(&zs) != Z_OK) {
    return mtk_diag_set(diag, MTK_ENOMEM, "zlib: cannot start inflate");
  }
  int err = 0;
  size_t cap = in_len * 4 + 256;
  uint8_t *buf = malloc(cap);
  if (buf == NULL) {
    err = MTK_ENOMEM;
    goto out;
  }
  zs.next_in = (Bytef *)(uintptr_t)in;
  zs.avail_in = (uInt)in_len;
  for (;;) {
    zs.next_out = buf + zs.total_out;
    zs.avail_out = (uInt)(cap - zs.total_out);
    int rc = inflate(&zs, Z_NO_FLUSH);
    if (rc == Z_STREAM_END) {
      break;
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      err = mtk_diag_set(diag, MTK_ECORRUPT, "zlib: %s",
                         zs.msg != NULL ? zs.msg : "inflate failed");
      goto out;
    }
    if (zs.avail_out != 0) {
      err = mtk_diag_set(diag, MTK_ECORRUPT, "zlib stream is truncated");
      goto out;
    }
    if (cap >= MAX_DECODED_SIZE) {
      err =
          mtk_diag_set(diag, MTK_ECORRUPT, "histogram inflates beyond %u bytes",
                       MAX_DECODED_SIZE);
      goto out;
    }
    cap *= 2;
    uint8_t *bigger = realloc(buf, cap);
    if (bigger == NULL) {
      err = MTK_ENOMEM;
      goto out;
    }
    buf = bigger;
  }
  *out = buf;
  *out_len = zs.total_out;
  buf = NULL;
out:
  free(buf);
  inflateEnd(&zs);
  return err;
}

void mtk_hdrlog_counts_cleanup(struct mtk_hdrlog_counts *c) {
  free(c->index);
  free(c->count);
  memset(c, 0, sizeof(*c));
}

// counts_add appends count |v| > 0 at |index| (above every earlier one) to
// |c| and to its totals. Returns 0, MTK_ENOMEM or MTK_ECORRUPT (overflow).
static int counts_add(struct mtk_hdrlog_counts *c, size_t index, int64_t v) {
  struct mtk_hist *h = &c->layout;
  if (h->total_count > INT64_MAX - v) {
    return MTK_ECORRUPT;
  }
  if ((c->len & (c->len - 1)) == 0) {  // 0, 1, 2, 4, ...: grow
    size_t cap = c->len == 0 ? 16 : 2 * c->len;
    size_t *ni = realloc(c->index, cap * sizeof(*ni));
    if (ni == NULL) return MTK_ENOMEM;
    c->index = ni;
    int64_t *nc = realloc(c->count, cap * sizeof(*nc));
    if (nc == NULL) return MTK_ENOMEM;
    c->count = nc;
  }
  c->index[c->len] = index;
  c->count[c->len] = v;
  c->len++;
  h->total_count += v;
  int64_t value = mtk_hist_value_at_index(h, index);
  if (value < h->min_value) h->min_value = value;
  if (value > h->max_value) h->max_value = value;
  return 0;
}

int mtk_hdrlog_decode_counts(const char *b64, size_t b64_len,
                             struct mtk_hdrlog_counts *out,
                             struct mtk_diag *diag) {
  int err;
  uint8_t *raw = NULL;
  uint8_t *enc = NULL;
  size_t raw_len = 0, enc_len = 0;
  memset(out, 0, sizeof(*out));

  err = b64_decode(b64, b64_len, &raw, &raw_len);
  if (err != 0) {
    mtk_diag_set(diag, err, "histogram is not valid base64");
    goto out;
  }
  if (raw_len < 8) {
    err = mtk_diag_set(diag, MTK_ECORRUPT, "histogram is too short");
    goto out;
  }
  uint32_t cookie = get_be32(raw);
  if ((cookie & ~UINT32_C(0xf0)) != (V2_COMPRESSION_COOKIE & ~UINT32_C(0xf0))) {
    err = mtk_diag_set(diag, MTK_EUNSUPPORTED,
                       "histogram cookie 0x%08x is not a V2 compressed "
                       "HdrHistogram",
                       (unsigned)cookie);
    goto out;
  }
  uint32_t comp_len = get_be32(raw + 4);
  if (comp_len > raw_len - 8) {
    err = mtk_diag_set(diag, MTK_ECORRUPT,
                       "compressed length %u exceeds the data (%zu bytes)",
                       (unsigned)comp_len, raw_len - 8);
    goto out;
  }
  err = inflate_all(raw + 8, comp_len, &enc, &enc_len, diag);
  if (err != 0) {
    goto out;
  }
  if (enc_len < ENCODING_HEADER_SIZE) {
    err = mtk_diag_set(diag, MTK_ECORRUPT, "encoded histogram header is short");
    goto out;
  }
  cookie = get_be32(enc);
  if ((cookie & ~UINT32_C(0xf0)) != (V2_ENCODING_COOKIE & ~UINT32_C(0xf0))) {
    err = mtk_diag_set(diag, MTK_EUNSUPPORTED,
                       "encoding cookie 0x%08x is not HdrHistogram V2",
                       (unsigned)cookie);
    goto out;
  }
  uint32_t payload_len = get_be32(enc + 4);
  uint32_t normalizing = get_be32(enc + 8);
  uint32_t sigfigs = get_be32(enc + 12);
  int64_t lowest = (int64_t)get_be64(enc + 16);
  int64_t highest = (int64_t)get_be64(enc + 24);
  if (payload_len > enc_len - ENCODING_HEADER_SIZE) {
    err = mtk_diag_set(diag, MTK_ECORRUPT, "payload length %u exceeds the data",
                       payload_len);
    goto out;
  }
  if (normalizing != 0) {
    err = mtk_diag_set(diag, MTK_EUNSUPPORTED,
                       "normalizing index offset %u is not supported",
                       (unsigned)normalizing);
    goto out;
  }
  if (sigfigs < 1 || sigfigs > 5 || lowest < 1 || highest / 2 < lowest) {
    err = mtk_diag_set(
        diag, MTK_ECORRUPT, "bad histogram range %lld..%lld, %u digits",
        (long long)lowest, (long long)highest, (unsigned)sigfigs);
    goto out;
  }
  err = mtk_hist_init_layout(&out->layout, lowest, highest, (int)sigfigs);
  if (err != 0) {
    err = mtk_diag_set(
        diag, MTK_ECORRUPT, "bad histogram range %lld..%lld, %u digits",
        (long long)lowest, (long long)highest, (unsigned)sigfigs);
    goto out;
  }
  struct mtk_hist *h = &out->layout;
  const uint8_t *p = enc + ENCODING_HEADER_SIZE;
  size_t pos = 0;
  size_t index = 0;
  while (pos < payload_len) {
    int64_t v;
    err = zigzag_get(p, payload_len, &pos, &v);
    if (err != 0) {
      mtk_diag_set(diag, err, "truncated count at payload byte %zu", pos);
      goto out;
    }
    if (v < 0) {
      if (-(uint64_t)v > h->num_counts - index) {
        err = mtk_diag_set(diag, MTK_ECORRUPT,
                           "run of %llu empty counts overflows the histogram",
                           (unsigned long long)-(uint64_t)v);
        goto out;
      }
      index += (size_t)-v;
    } else {
      if (index >= h->num_counts) {
        err = mtk_diag_set(diag, MTK_ECORRUPT,
                           "more counts than the histogram holds");
        goto out;
      }
      if (v > 0) {
        err = counts_add(out, index, v);
        if (err != 0) {
          mtk_diag_set(diag, err, "histogram total overflows");
          goto out;
        }
      }
      index++;
    }
  }
out:
  if (err != 0) {
    mtk_hdrlog_counts_cleanup(out);
  }
  free(enc);
  free(raw);
  return err;
}

int mtk_hdrlog_counts_merge(struct mtk_hist *dst,
                            const struct mtk_hdrlog_counts *src,
                            bool *out_exact) {
  bool same = mtk_hist_same_layout(dst, &src->layout);
  if (out_exact != NULL) {
    *out_exact = same;
  }
  if (dst->total_count > INT64_MAX - src->layout.total_count) {
    return MTK_ECORRUPT;
  }
  for (size_t i = 0; i < src->len; i++) {
    int64_t value = mtk_hist_value_at_index(&src->layout, src->index[i]);
    if (same) {
      dst->counts[src->index[i]] += src->count[i];
      dst->total_count += src->count[i];
      if (value < dst->min_value) dst->min_value = value;
      if (value > dst->max_value) dst->max_value = value;
      continue;
    }
    int64_t v = mtk_hist_median_equivalent(&src->layout, value);
    if (v > dst->highest) {
      v = dst->highest;
    }
    int err = mtk_hist_record(dst, v, src->count[i]);
    (void)err;  // in range: clamped above, counts are positive
  }
  return 0;
}

int mtk_hdrlog_decode(const char *b64, size_t b64_len, struct mtk_hist *out,
                      struct mtk_diag *diag) {
  struct mtk_hdrlog_counts c;
  memset(out, 0, sizeof(*out));
  int err = mtk_hdrlog_decode_counts(b64, b64_len, &c, diag);
  if (err != 0) {
    return err;
  }
  err = mtk_hist_init_like(out, &c.layout);
  if (err == 0) {
    err = mtk_hdrlog_counts_merge(out, &c, NULL);
  } else {
    mtk_diag_set(diag, err, "cannot hold a histogram of %lld..%lld",
                 (long long)c.layout.lowest, (long long)c.layout.highest);
  }
  if (err != 0) {
    mtk_hist_cleanup(out);
  }
  mtk_hdrlog_counts_cleanup(&c);
  return err;
}

int mtk_hdrlog_write_header(FILE *f, double start_time, double base_time) {
  char date[64] = "";
  time_t t = (time_t)start_time;
  struct tm tm;
  if (gmtime_r(&t, &tm) != NULL) {
    strftime(date, sizeof(date), "%a %b %d %H:%M:%S UTC %Y", &tm);
  }
  int n = fprintf(f, "#[Histogram log format version 1.3]\n");
  if (n >= 0) {
    n = fprintf(f, "#[StartTime: %.3f (seconds since epoch), %s]\n", start_time,
                date);
  }
  if (n >= 0 && base_time >= 0) {
    n = fprintf(f, "#[BaseTime: %.3f (seconds since epoch)]\n", base_time);
  }
  if (n >= 0) {
    n = fprintf(f,
                "\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\","
                "\"Interval_Compressed_Histogram\"\n");
  }
  return n < 0 ? MTK_EIO : 0;
}

int mtk_hdrlog_write_interval(FILE *f, const char *tag, double start,
                              double length, const struct mtk_hist *h) {
  if (tag != NULL &&
      (strpbrk(tag, ", \t\r\n") != NULL || strlen(tag) >= MTK_HDRLOG_TAG_MAX)) {
    return MTK_EINVAL;
  }
  char *b64 = NULL;
  int err = mtk_hdrlog_encode(h, &b64, NULL);
  if (err != 0) {
    return err;
  }
  // Interval_Max in the Java writer's unit: value / 1e6 (ns -> ms).
  double max = (double)mtk_hist_max(h) / 1e6;
  int n;
  if (tag != NULL && tag[0] != '\0') {
    n = fprintf(f, "Tag=%s,%.3f,%.3f,%.3f,%s\n", tag, start, length, max, b64);
  } else {
    n = fprintf(f, "%.3f,%.3f,%.3f,%s\n", start, length, max, b64);
  }
  free(b64);
  return n < 0 ? MTK_EIO : 0;
}

void mtk_hdrlog_reader_init(struct mtk_hdrlog_reader *r, FILE *f) {
  memset(r, 0, sizeof(*r));
  r->f = f;
}

void mtk_hdrlog_reader_cleanup(struct mtk_hdrlog_reader *r) {
  free(r->line);
  memset(r, 0, sizeof(*r));
}

void mtk_hdrlog_entry_cleanup(struct mtk_hdrlog_entry *e) {
  mtk_hdrlog_counts_cleanup(&e->counts);
}

static int parse_double(const char *s, const char *end, double *out) {
  char buf[64];
  size_t n = (size_t)(end - s);
  if (n == 0 || n >= sizeof(buf)) {
    return MTK_ECORRUPT;
  }
  memcpy(buf, s, n);
  buf[n] = '\0';
  char *stop;
  *out = strtod(buf, &stop);
  if (*stop != '\0' || !isfinite(*out)) {
    return MTK_ECORRUPT;
  }
  return 0;
}

static int parse_interval(struct mtk_hdrlog_reader *r, char *line,
                          struct mtk_hdrlog_entry *out, struct mtk_diag *diag) {
  const char *p = line;
  out->tag[0] = '\0';
  if (strncmp(p, "Tag=", 4) == 0) {
    const char *comma = strchr(p + 4, ',');
    if (comma == NULL || (size_t)(comma - p - 4) >= MTK_HDRLOG_TAG_MAX) {
      return mtk_diag_set(diag, MTK_ECORRUPT, "line %zu: bad tag", r->line_no);
    }
    memcpy(out->tag, p + 4, (size_t)(comma - p - 4));
    out->tag[comma - p - 4] = '\0';
    p = comma + 1;
  }
  double *fields[3] = {&out->start, &out->length, &out->max};
  for (int i = 0; i < 3; i++) {
    const char *comma = strchr(p, ',');
    if (comma == NULL || parse_double(p, comma, fields[i]) != 0) {
      return mtk_diag_set(diag, MTK_ECORRUPT,
                          "line %zu: expected 4 comma-separated columns",
                          r->line_no);
    }
    p = comma + 1;
  }
  int err = mtk_hdrlog_decode_counts(p, strlen(p), &out->counts, diag);
  if (err != 0) {
    return mtk_diag_prefix(diag, err, "line %zu", r->line_no);
  }
  return 0;
}

int mtk_hdrlog_read_next(struct mtk_hdrlog_reader *r,
                         struct mtk_hdrlog_entry *out, struct mtk_diag *diag) {
  memset(out, 0, sizeof(*out));
  for (;;) {
    errno = 0;
    ssize_t n = getline(&r->line, &r->line_cap, r->f);
    if (n < 0) {
      if (ferror(r->f)) {
        return mtk_diag_set(diag, MTK_EIO, "read error after line %zu",
                            r->line_no);
      }
      return 0;
    }
    r->line_no++;
    while (n > 0 && (r->line[n - 1] == '\n' || r->line[n - 1] == '\r')) {
      r->line[--n] = '\0';
    }
    char *line = r->line;
    if (n == 0) {
      continue;
    }
    if (line[0] == '#') {
      double t;
      if (sscanf(line, "#[StartTime: %lf", &t) == 1) {
        r->has_start_time = true;
        r->start_time = t;
      } else if (sscanf(line, "#[BaseTime: %lf", &t) == 1) {
        r->has_base_time = true;
        r->base_time = t;
      }
      continue;
    }
    if (line[0] == '"') {
      continue;  // the legend
    }
    int err = parse_interval(r, line, out, diag);
    return err == 0 ? 1 : err;
  }
}
