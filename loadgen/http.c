// Incremental HTTP/1.1 response parser (see http.h).
#include "http.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

enum {
  ST_STATUS,
  ST_HEADER,
  ST_BODY_LEN,
  ST_BODY_EOF,
  ST_CHUNK_SIZE,
  ST_CHUNK_DATA,
  ST_CHUNK_CRLF,
  ST_TRAILER,
  ST_DONE,
};

void mtk_loadgen_http_init(struct mtk_loadgen_http *p) {
  memset(p, 0, sizeof(*p));
  p->state = ST_STATUS;
  p->remaining = -1;
}

static bool line_starts(const struct mtk_loadgen_http *p, const char *prefix) {
  size_t n = strlen(prefix);
  return p->line_len >= n && memcmp(p->line, prefix, n) == 0;
}

static bool line_contains(const struct mtk_loadgen_http *p, const char *what) {
  size_t n = strlen(what);
  for (size_t i = 0; i + n <= p->line_len; i++) {
    if (memcmp(p->line + i, what, n) == 0) {
      return true;
    }
  }
  return false;
}

static int end_status_line(struct mtk_loadgen_http *p) {
  // "http/1.1 200 ..." (lower-cased)
  if (p->line_len < 12 || !line_starts(p, "http/1.") || p->line[8] != ' ' ||
      !isdigit((unsigned char)p->line[9]) ||
      !isdigit((unsigned char)p->line[10]) ||
      !isdigit((unsigned char)p->line[11])) {
    return MTK_EPARSE;
  }
  p->status =
      (p->line[9] - '0') * 100 + (p->line[10] - '0') * 10 + (p->line[11] - '0');
  if (p->status < 100) {
    return MTK_EPARSE;
  }
  p->no_body = p->status < 200 || p->status == 204 || p->status == 304;
  p->state = ST_HEADER;
  return 0;
}

static int end_header_line(struct mtk_loadgen_http *p) {
  if (p->line_len == 0) {   // end of headers
    if (p->status < 200) {  // interim response: the real one follows
      mtk_loadgen_http_init(p);
      return 0;
    }
    if (p->no_body) {
      p->state = ST_DONE;
    } else if (p->chunked) {
      p->state = ST_CHUNK_SIZE;
    } else if (p->remaining >= 0) {
      p->state = p->remaining == 0 ? ST_DONE : ST_BODY_LEN;
    } else {
      p->state = ST_BODY_EOF;
    }
    return 0;
  }
  if (line_starts(p, "content-length:")) {
    const char *s = p->line + 15;
    const char *end = p->line + p->line_len;
    while (s < end && (*s == ' ' || *s == '\t')) s++;
    int64_t v = 0;
    if (s == end) return MTK_EPARSE;
    const char *digits = s;
    for (; s < end && isdigit((unsigned char)*s); s++) {
      if (v > (INT64_MAX - 9) / 10) return MTK_EPARSE;
      v = v * 10 + (*s - '0');
    }
    while (s < end && (*s == ' ' || *s == '\t')) s++;
    if (s == digits || s != end) return MTK_EPARSE;
    p->remaining = v;
  } else if (line_starts(p, "transfer-encoding:") &&
             line_contains(p, "chunked")) {
    p->chunked = true;
  } else if (line_starts(p, "connection:") && line_contains(p, "close")) {
    p->close = true;
  }
  return 0;
}

static int end_chunk_size(struct mtk_loadgen_http *p) {
  int64_t v = 0;
  size_t i = 0;
  for (; i < p->line_len && isxdigit((unsigned char)p->line[i]); i++) {
    if (v > INT64_MAX / 16) return MTK_EPARSE;
    char c = p->line[i];
    v = v * 16 + (isdigit((unsigned char)c) ? c - '0' : c - 'a' + 10);
  }
  if (i == 0) return MTK_EPARSE;
  p->remaining = v;
  p->state = v == 0 ? ST_TRAILER : ST_CHUNK_DATA;
  return 0;
}

int mtk_loadgen_http_feed(struct mtk_loadgen_http *p, const uint8_t *data,
                          size_t len, size_t *out_used) {
  size_t i = 0;
  int err = 0;
  while (i < len && p->state != ST_DONE) {
    switch (p->state) {
      case ST_BODY_LEN:
      case ST_CHUNK_DATA: {
        size_t take = len - i;
        if ((int64_t)take > p->remaining) take = (size_t)p->remaining;
        i += take;
        p->remaining -= (int64_t)take;
        if (p->remaining == 0) {
          p->state = p->state == ST_BODY_LEN ? ST_DONE : ST_CHUNK_CRLF;
          p->line_len = 0;
        }
        break;
      }
      case ST_BODY_EOF:
        i = len;
        break;
      default: {  // line-oriented states
        uint8_t c = data[i++];
        if (++p->line_bytes > MTK_LOADGEN_HTTP_MAX_LINE) return MTK_EPARSE;
        if ((p->state == ST_STATUS || p->state == ST_HEADER ||
             p->state == ST_TRAILER) &&
            ++p->head_len > MTK_LOADGEN_HTTP_MAX_HEAD) {
          return MTK_EPARSE;
        }
        if (c == '\r') break;
        if (c != '\n') {
          if (p->line_len < sizeof(p->line)) {
            p->line[p->line_len++] = (char)tolower(c);
          }
          if (p->state == ST_STATUS && p->line_len == 5 &&
              memcmp(p->line, "http/", 5) != 0) {
            return MTK_EPARSE;  // not HTTP at all: fail early
          }
          break;
        }
        switch (p->state) {
          case ST_STATUS:
            err = end_status_line(p);
            break;
          case ST_HEADER:
            err = end_header_line(p);
            break;
          case ST_CHUNK_SIZE:
            err = end_chunk_size(p);
            break;
          case ST_CHUNK_CRLF:
            p->state = ST_CHUNK_SIZE;
            break;
          case ST_TRAILER:
            if (p->line_len == 0) p->state = ST_DONE;
            break;
        }
        p->line_len = 0;
        p->line_bytes = 0;
        if (err != 0) return err;
      }
    }
  }
  *out_used = i;
  return p->state == ST_DONE ? 1 : 0;
}

bool mtk_loadgen_http_eof(const struct mtk_loadgen_http *p) {
  return p->state == ST_BODY_EOF || p->state == ST_DONE;
}
