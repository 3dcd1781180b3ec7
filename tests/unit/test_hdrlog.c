// Unit tests for the HdrHistogram interval log (core/hdrlog.c). The
// known-good line is built here byte by byte from the format description
// (HdrHistogram V2 compressed encoding), with zlib and a local base64, so
// the decoder is checked against the spec and not only against the encoder.
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "check_main.h"
#include "mtlskit/hdrlog.h"

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void test_b64(const unsigned char *in, size_t len, char *out) {
  size_t o = 0;
  for (size_t i = 0; i < len; i += 3) {
    unsigned v = (unsigned)in[i] << 16 | (i + 1 < len ? in[i + 1] << 8 : 0) |
                 (i + 2 < len ? in[i + 2] : 0);
    out[o++] = alphabet[v >> 18 & 63];
    out[o++] = alphabet[v >> 12 & 63];
    out[o++] = i + 1 < len ? alphabet[v >> 6 & 63] : '=';
    out[o++] = i + 2 < len ? alphabet[v & 63] : '=';
  }
  out[o] = 0;
}

static size_t test_unb64(const char *in, unsigned char *out) {
  size_t o = 0, n = strlen(in);
  for (size_t i = 0; i + 3 < n; i += 4) {
    unsigned v = 0;
    int pad = 0;
    for (int k = 0; k < 4; k++) {
      const char *p = strchr(alphabet, in[i + k]);
      if (in[i + k] == '=') pad++;
      v = v << 6 | (in[i + k] == '=' ? 0 : (unsigned)(p - alphabet));
    }
    out[o++] = (unsigned char)(v >> 16);
    if (pad < 2) out[o++] = (unsigned char)(v >> 8);
    if (pad < 1) out[o++] = (unsigned char)v;
  }
  return o;
}

static void be32(unsigned char *p, unsigned v) {
  p[0] = (unsigned char)(v >> 24);
  p[1] = (unsigned char)(v >> 16);
  p[2] = (unsigned char)(v >> 8);
  p[3] = (unsigned char)v;
}

// Histogram 1..3600000000 at 3 digits with 5 x value 1 and 3 x value 1000:
// counts [0]=0, [1]=5, [2..999]=0 (a run of 998), [1000]=3, as ZigZag LEB128
// 00 0a cb 0f 06.
static const unsigned char known_payload[] = {0x00, 0x0a, 0xcb, 0x0f, 0x06};

static void build_known_line(char *out_b64) {
  unsigned char enc[40 + sizeof(known_payload)];
  memset(enc, 0, sizeof(enc));
  be32(enc, 0x1c849313);
  be32(enc + 4, sizeof(known_payload));
  be32(enc + 8, 0);
  be32(enc + 12, 3);
  be32(enc + 16, 0);
  be32(enc + 20, 1);
  be32(enc + 24, 0);
  be32(enc + 28, 3600000000u);
  enc[32] = 0x3f;  // 1.0 as a big-endian IEEE 754 double
  enc[33] = 0xf0;
  memcpy(enc + 40, known_payload, sizeof(known_payload));
  unsigned char comp[256];
  uLongf comp_len = sizeof(comp) - 8;
  ck_assert_int_eq(compress(comp + 8, &comp_len, enc, sizeof(enc)), Z_OK);
  be32(comp, 0x1c849314);
  be32(comp + 4, (unsigned)comp_len);
  test_b64(comp, comp_len + 8, out_b64);
}

// entry_equals: the counts read into |e| make the histogram |want|.
static bool entry_equals(const struct mtk_hdrlog_entry *e,
                         const struct mtk_hist *want) {
  struct mtk_hist h;
  ck_assert_int_eq(mtk_hist_init_like(&h, &e->counts.layout), 0);
  bool exact = false;
  ck_assert_int_eq(mtk_hdrlog_counts_merge(&h, &e->counts, &exact), 0);
  ck_assert(exact);
  bool same = mtk_hist_equal(&h, want);
  mtk_hist_cleanup(&h);
  return same;
}

START_TEST(test_decode_known_good) {
  char b64[512];
  build_known_line(b64);
  ck_assert_str_eq(strncmp(b64, "HISTFAAAA", 9) == 0 ? "HISTFAAAA" : b64,
                   "HISTFAAAA");
  struct mtk_hist h;
  ck_assert_int_eq(mtk_hdrlog_decode(b64, strlen(b64), &h, NULL), 0);
  ck_assert_int_eq(h.sigfigs, 3);
  ck_assert_int_eq(h.lowest, 1);
  ck_assert_int_eq(h.highest, 3600000000);
  ck_assert_int_eq(h.total_count, 8);
  ck_assert_int_eq(h.counts[1], 5);
  ck_assert_int_eq(h.counts[1000], 3);
  ck_assert_int_eq(mtk_hist_min(&h), 1);
  ck_assert_int_eq(mtk_hist_max(&h), 1000);
  ck_assert_int_eq(mtk_hist_value_at_percentile(&h, 50), 1);
  ck_assert_int_eq(mtk_hist_value_at_percentile(&h, 70), 1000);
  mtk_hist_cleanup(&h);
}
END_TEST

START_TEST(test_encode_matches_spec) {
  struct mtk_hist h;
  ck_assert_int_eq(mtk_hist_init(&h, 1, 3600000000, 3), 0);
  ck_assert_int_eq(mtk_hist_record(&h, 1, 5), 0);
  ck_assert_int_eq(mtk_hist_record(&h, 1000, 3), 0);
  char *b64 = NULL;
  size_t len = 0;
  ck_assert_int_eq(mtk_hdrlog_encode(&h, &b64, &len), 0);
  ck_assert_uint_eq(strlen(b64), len);
  // Decode independently: base64, compression header, inflate, header.
  unsigned char raw[512], enc[512];
  size_t raw_len = test_unb64(b64, raw);
  ck_assert_uint_gt(raw_len, 8);
  ck_assert_uint_eq(raw[0], 0x1c);
  ck_assert_uint_eq(raw[1], 0x84);
  ck_assert_uint_eq(raw[2], 0x93);
  ck_assert_uint_eq(raw[3], 0x14);
  unsigned comp_len =
      (unsigned)raw[4] << 24 | raw[5] << 16 | raw[6] << 8 | raw[7];
  ck_assert_uint_eq(comp_len, raw_len - 8);
  uLongf enc_len = sizeof(enc);
  ck_assert_int_eq(uncompress(enc, &enc_len, raw + 8, comp_len), Z_OK);
  ck_assert_uint_eq(enc_len, 40 + sizeof(known_payload));
  unsigned char want_head[16] = {0x1c, 0x84, 0x93, 0x13, 0, 0, 0, 5,
                                 0,    0,    0,    0,    0, 0, 0, 3};
  ck_assert_mem_eq(enc, want_head, 16);
  ck_assert_mem_eq(enc + 40, known_payload, sizeof(known_payload));
  free(b64);
  mtk_hist_cleanup(&h);
}
END_TEST

START_TEST(test_log_round_trip) {
  char *buf = NULL;
  size_t buf_len = 0;
  FILE *f = open_memstream(&buf, &buf_len);
  ck_assert_ptr_nonnull(f);
  struct mtk_hist a, b;
  ck_assert_int_eq(mtk_hist_init(&a, 1, INT64_C(3600000000000), 2), 0);
  ck_assert_int_eq(mtk_hist_init_like(&b, &a), 0);
  for (int64_t v = 1000; v < 50000000; v = v * 11 / 10 + 1) {
    ck_assert_int_eq(mtk_hist_record(&a, v, v % 7 + 1), 0);
  }
  ck_assert_int_eq(mtk_hist_record(&b, 2500000, 4), 0);
  ck_assert_int_eq(mtk_hdrlog_write_header(f, 1764000000.25, 1764000000.0), 0);
  ck_assert_int_eq(mtk_hdrlog_write_interval(f, "handshake", 0.0, 1.0, &a), 0);
  ck_assert_int_eq(mtk_hdrlog_write_interval(f, NULL, 1.0, 0.5, &b), 0);
  ck_assert_int_eq(mtk_hdrlog_write_interval(f, "bad tag", 1.0, 0.5, &b),
                   MTK_EINVAL);
  fclose(f);
  ck_assert_ptr_nonnull(strstr(buf, "#[Histogram log format version 1.3]\n"));
  ck_assert_ptr_nonnull(
      strstr(buf, "#[StartTime: 1764000000.250 (seconds since epoch), "));
  ck_assert_ptr_nonnull(
      strstr(buf,
             "\n\"StartTimestamp\",\"Interval_Length\","
             "\"Interval_Max\",\"Interval_Compressed_Histogram\"\n"));
  ck_assert_ptr_nonnull(strstr(buf, "\nTag=handshake,0.000,1.000,"));
  ck_assert_ptr_nonnull(strstr(buf, "\n1.000,0.500,2.507,HISTFAAAA"));

  f = fmemopen(buf, buf_len, "r");
  struct mtk_hdrlog_reader r;
  struct mtk_hdrlog_entry e;
  mtk_hdrlog_reader_init(&r, f);
  ck_assert_int_eq(mtk_hdrlog_read_next(&r, &e, NULL), 1);
  ck_assert(r.has_start_time && r.has_base_time);
  ck_assert(r.start_time == 1764000000.25);
  ck_assert_str_eq(e.tag, "handshake");
  ck_assert(e.start == 0.0 && e.length == 1.0);
  ck_assert(entry_equals(&e, &a));
  mtk_hdrlog_entry_cleanup(&e);
  ck_assert_int_eq(mtk_hdrlog_read_next(&r, &e, NULL), 1);
  ck_assert_str_eq(e.tag, "");
  ck_assert(e.max == 2.507);
  ck_assert(entry_equals(&e, &b));
  mtk_hdrlog_entry_cleanup(&e);
  ck_assert_int_eq(mtk_hdrlog_read_next(&r, &e, NULL), 0);
  mtk_hdrlog_reader_cleanup(&r);
  fclose(f);
  free(buf);
  mtk_hist_cleanup(&a);
  mtk_hist_cleanup(&b);
}
END_TEST

START_TEST(test_decode_errors) {
  struct mtk_hist h;
  struct mtk_diag d;
  mtk_diag_init(&d);
  ck_assert_int_eq(mtk_hdrlog_decode("HIST!!!!", 8, &h, &d), MTK_ECORRUPT);
  ck_assert_ptr_null(h.counts);
  // "AAAAAAAAAAAA" is 9 zero bytes: a wrong cookie.
  ck_assert_int_eq(mtk_hdrlog_decode("AAAAAAAAAAAA", 12, &h, &d),
                   MTK_EUNSUPPORTED);
  ck_assert_ptr_nonnull(strstr(d.msg, "cookie"));
  char b64[512];
  build_known_line(b64);
  // Truncate the base64 (keeping it a multiple of 4): the zlib data is cut.
  size_t n = strlen(b64);
  ck_assert_int_eq(mtk_hdrlog_decode(b64, (n - 8) & ~(size_t)3, &h, &d),
                   MTK_ECORRUPT);
  ck_assert_ptr_null(h.counts);

  char line[600];
  snprintf(line, sizeof(line), "0.0,x,1.0,%s\n", b64);
  FILE *f = fmemopen(line, strlen(line), "r");
  struct mtk_hdrlog_reader r;
  struct mtk_hdrlog_entry e;
  mtk_hdrlog_reader_init(&r, f);
  ck_assert_int_eq(mtk_hdrlog_read_next(&r, &e, &d), MTK_ECORRUPT);
  ck_assert_ptr_nonnull(strstr(d.msg, "line 1"));
  mtk_hdrlog_reader_cleanup(&r);
  fclose(f);
}
END_TEST

static Suite *hdrlog_suite(void) {
  Suite *s = suite_create("hdrlog");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, test_decode_known_good);
  tcase_add_test(tc, test_encode_matches_spec);
  tcase_add_test(tc, test_log_round_trip);
  tcase_add_test(tc, test_decode_errors);
  suite_add_tcase(s, tc);
  return s;
}

MTK_CHECK_MAIN(hdrlog_suite)
