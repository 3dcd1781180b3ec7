// Minimal bounded HTTP/1.x request parser (see http.h). RFC 9112 grammar,
// strict where leniency would let a forged header through (no obs-fold, no
// whitespace before the colon).
#include "http.h"

#include <string.h>

void mtk_serve_http_limits_alb(struct mtk_serve_http_limits *limits) {
  limits->max_line = 16 * 1024;
  limits->max_head = 64 * 1024;
  limits->max_headers = MTK_SERVE_HTTP_MAX_HEADERS;
}

static bool is_tchar(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || (c != 0 && strchr("!#$%&'*+-.^_`|~", c));
}

static unsigned char lower(unsigned char c) {
  return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

bool mtk_serve_http_name_is(const char *name, size_t len, const char *want) {
  return strlen(want) == len && mtk_serve_http_name_has_prefix(name, len, want);
}

bool mtk_serve_http_name_has_prefix(const char *name, size_t len,
                                    const char *want) {
  size_t n = strlen(want);
  if (n > len) {
    return false;
  }
  for (size_t i = 0; i < n; i++) {
    if (lower((unsigned char)name[i]) != (unsigned char)want[i]) {
      return false;
    }
  }
  return true;
}

// find_eol returns the length of the line at |p| (|avail| bytes) without
// its terminator and sets *term_len to 2 (CRLF) or 1 (LF), or returns
// SIZE_MAX when no line end is in sight.
static size_t find_eol(const char *p, size_t avail, size_t *term_len) {
  const char *nl = memchr(p, '\n', avail);
  if (nl == NULL) {
    return SIZE_MAX;
  }
  size_t n = (size_t)(nl - p);
  if (n > 0 && p[n - 1] == '\r') {
    *term_len = 2;
    return n - 1;
  }
  *term_len = 1;
  return n;
}

// has_token reports whether the comma-separated list |v| holds |tok|.
static bool has_token(const char *v, size_t len, const char *tok) {
  size_t i = 0;
  while (i < len) {
    while (i < len && (v[i] == ' ' || v[i] == '\t' || v[i] == ',')) {
      i++;
    }
    size_t start = i;
    while (i < len && v[i] != ',') {
      i++;
    }
    size_t end = i;
    while (end > start && (v[end - 1] == ' ' || v[end - 1] == '\t')) {
      end--;
    }
    if (mtk_serve_http_name_is(v + start, end - start, tok)) {
      return true;
    }
  }
  return false;
}

static int parse_request_line(const char *p, size_t n,
                              struct mtk_serve_http_request *out,
                              int *out_status) {
  size_t i = 0;
  while (i < n && is_tchar((unsigned char)p[i])) {
    i++;
  }
  if (i == 0 || i >= n || p[i] != ' ') {
    *out_status = 400;
    return -1;
  }
  out->method = p;
  out->method_len = i;
  size_t t = ++i;
  while (i < n && (unsigned char)p[i] > 0x20 && p[i] != 0x7f) {
    i++;
  }
  if (i == t || i >= n || p[i] != ' ') {
    *out_status = 400;
    return -1;
  }
  out->target = p + t;
  out->target_len = i - t;
  const char *v = p + i + 1;
  size_t vlen = n - i - 1;
  if (vlen != 8 || memcmp(v, "HTTP/", 5) != 0 || v[6] != '.' || v[5] < '0' ||
      v[5] > '9' || v[7] < '0' || v[7] > '9') {
    *out_status = 400;
    return -1;
  }
  if (v[5] != '1') {
    *out_status = 505;
    return -1;
  }
  out->minor_version = v[7] - '0';
  return 0;
}

static int parse_content_length(const char *v, size_t len, uint64_t *out) {
  if (len == 0 || len > 18) {
    return -1;
  }
  uint64_t n = 0;
  for (size_t i = 0; i < len; i++) {
    if (v[i] < '0' || v[i] > '9') {
      return -1;
    }
    n = n * 10 + (uint64_t)(v[i] - '0');
  }
  *out = n;
  return 0;
}

int mtk_serve_http_parse(const char *buf, size_t len,
                         const struct mtk_serve_http_limits *limits,
                         struct mtk_serve_http_request *out, int *out_status) {
  memset(out, 0, sizeof(*out));
  *out_status = 0;
  size_t max_headers = limits->max_headers < MTK_SERVE_HTTP_MAX_HEADERS
                           ? limits->max_headers
                           : MTK_SERVE_HTTP_MAX_HEADERS;
  size_t pos = 0;
  // RFC 9112 §2.2: ignore at least one empty line before the request.
  while (pos < len && pos < 4 && (buf[pos] == '\r' || buf[pos] == '\n')) {
    pos++;
  }
  size_t term = 0;
  size_t n = find_eol(buf + pos, len - pos, &term);
  if (n == SIZE_MAX) {
    if (len - pos > limits->max_line) {
      *out_status = 414;
      return -1;
    }
    return 0;
  }
  if (n > limits->max_line) {
    *out_status = 414;
    return -1;
  }
  if (parse_request_line(buf + pos, n, out, out_status) != 0) {
    return -1;
  }
  pos += n + term;
  bool have_length = false;
  for (;;) {
    if (pos > limits->max_head) {
      *out_status = 431;
      return -1;
    }
    n = find_eol(buf + pos, len - pos, &term);
    if (n == SIZE_MAX) {
      if (len - pos > limits->max_line || len > limits->max_head) {
        *out_status = 431;
        return -1;
      }
      return 0;
    }
    if (n > limits->max_line) {
      *out_status = 431;
      return -1;
    }
    const char *line = buf + pos;
    pos += n + term;
    if (n == 0) {
      break;
    }
    // No obs-fold (a continuation line) and no space before the colon:
    // both are how forged headers slip past proxies (RFC 9112 §5).
    size_t c = 0;
    while (c < n && is_tchar((unsigned char)line[c])) {
      c++;
    }
    if (c == 0 || c >= n || line[c] != ':') {
      *out_status = 400;
      return -1;
    }
    size_t vs = c + 1, ve = n;
    while (vs < ve && (line[vs] == ' ' || line[vs] == '\t')) {
      vs++;
    }
    while (ve > vs && (line[ve - 1] == ' ' || line[ve - 1] == '\t')) {
      ve--;
    }
    for (size_t k = vs; k < ve; k++) {
      unsigned char ch = (unsigned char)line[k];
      if ((ch < 0x20 && ch != '\t') || ch == 0x7f) {
        *out_status = 400;
        return -1;
      }
    }
    if (out->num_headers >= max_headers) {
      *out_status = 431;
      return -1;
    }
    struct mtk_serve_http_header *h = &out->headers[out->num_headers++];
    h->name = line;
    h->name_len = c;
    h->value = line + vs;
    h->value_len = ve - vs;
    if (mtk_serve_http_name_is(h->name, h->name_len, "content-length")) {
      uint64_t v;
      if (parse_content_length(h->value, h->value_len, &v) != 0 ||
          (have_length && v != out->content_length)) {
        *out_status = 400;
        return -1;
      }
      have_length = true;
      out->content_length = v;
    } else if (mtk_serve_http_name_is(h->name, h->name_len,
                                      "transfer-encoding")) {
      out->chunked = true;
    }
  }
  if (pos > limits->max_head) {
    *out_status = 431;
    return -1;
  }
  if (out->chunked && have_length) {
    *out_status = 400;  // RFC 9112 §6.3: a smuggling attempt
    return -1;
  }
  out->keep_alive = out->minor_version >= 1;
  for (size_t i = 0; i < out->num_headers; i++) {
    const struct mtk_serve_http_header *h = &out->headers[i];
    if (mtk_serve_http_name_is(h->name, h->name_len, "connection")) {
      if (has_token(h->value, h->value_len, "close")) {
        out->keep_alive = false;
      } else if (has_token(h->value, h->value_len, "keep-alive")) {
        out->keep_alive = true;
      }
    }
  }
  out->head_len = pos;
  return 1;
}
