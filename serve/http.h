// A minimal, bounded HTTP/1.x request parser for mtlskit serve: request
// line, header fields, Content-Length, Connection. It never allocates and
// never reads past the bytes it is given; fields point into the caller's
// buffer. Private to serve/.
#ifndef MTK_SERVE_HTTP_H
#define MTK_SERVE_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mtlskit/error.h"

#define MTK_SERVE_HTTP_MAX_HEADERS 128

struct mtk_serve_http_header {
  const char *name;
  size_t name_len;
  const char *value;  // without surrounding whitespace
  size_t value_len;
};

struct mtk_serve_http_limits {
  size_t max_line;     // request line and each header line, CRLF excluded
  size_t max_head;     // request line + headers + blank line
  size_t max_headers;  // at most MTK_SERVE_HTTP_MAX_HEADERS
};

struct mtk_serve_http_request {
  const char *method;
  size_t method_len;
  const char *target;
  size_t target_len;
  int minor_version;  // HTTP/1.<minor_version>
  struct mtk_serve_http_header headers[MTK_SERVE_HTTP_MAX_HEADERS];
  size_t num_headers;
  size_t head_len;  // bytes up to and including the blank line
  uint64_t content_length;
  bool chunked;     // a Transfer-Encoding header was sent
  bool keep_alive;  // the connection may serve another request
};

// The ALB quotas (docs/platforms.md §1.5): request line 16 K, single
// header 16 K, request headers 64 K.
void mtk_serve_http_limits_alb(struct mtk_serve_http_limits *limits);

// mtk_serve_http_parse parses the request head at the start of |buf|
// (|len| bytes) within |limits|. It returns 1 when the head is complete
// (|out| filled, out->head_len bytes consumed; a body of
// out->content_length bytes follows), 0 when more bytes are needed, or -1
// for a request to refuse, with the HTTP status to answer in *out_status
// (400, 414, 431, 505).
MTK_MUST_CHECK int mtk_serve_http_parse(
    const char *buf, size_t len, const struct mtk_serve_http_limits *limits,
    struct mtk_serve_http_request *out, int *out_status);

// mtk_serve_http_name_is reports whether header name |name| (|len| bytes)
// equals |lower| (lower case) case-insensitively.
bool mtk_serve_http_name_is(const char *name, size_t len, const char *lower);

// mtk_serve_http_name_has_prefix reports whether header name |name| starts
// with |lower| (lower case) case-insensitively.
bool mtk_serve_http_name_has_prefix(const char *name, size_t len,
                                    const char *lower);

#endif  // MTK_SERVE_HTTP_H
