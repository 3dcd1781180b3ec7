// A minimal incremental HTTP/1.1 response parser for the load generator:
// it reads the status code and finds where the response ends
// (Content-Length, chunked, or end of connection) without keeping the
// headers or the body, so it costs a few dozen bytes per connection.
#ifndef MTK_LOADGEN_HTTP_H
#define MTK_LOADGEN_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mtlskit/error.h"

// Limits on what a response may send before its body: the status line and
// headers together (trailers count too), and any single line (chunk sizes
// included). Beyond them the response is a protocol error, so a server that
// streams headers without end cannot keep a connection busy.
#define MTK_LOADGEN_HTTP_MAX_HEAD (64 * 1024)
#define MTK_LOADGEN_HTTP_MAX_LINE (16 * 1024)

struct mtk_loadgen_http {
  uint8_t state;
  uint8_t line_len;
  bool chunked;
  bool close;           // "Connection: close"
  bool no_body;         // 1xx, 204, 304
  int status;           // 0 until the status line is read
  int64_t remaining;    // body or chunk bytes left, -1 unknown
  uint32_t head_len;    // bytes of status line, headers and trailers so far
  uint32_t line_bytes;  // bytes of the current line so far
  char line[48];        // the first bytes of the current line, lower-cased
};

// mtk_loadgen_http_init prepares |p| for a response to a GET.
void mtk_loadgen_http_init(struct mtk_loadgen_http *p);

// mtk_loadgen_http_feed parses |len| bytes at |data| and stores in *|out_used|
// how many belong to this response. It returns 1 when the response is complete,
// 0 when more bytes are needed, or MTK_EPARSE for bytes that are not an
// HTTP/1.x response or that exceed MTK_LOADGEN_HTTP_MAX_HEAD/_MAX_LINE.
MTK_MUST_CHECK int mtk_loadgen_http_feed(struct mtk_loadgen_http *p,
                                         const uint8_t *data, size_t len,
                                         size_t *out_used);

// mtk_loadgen_http_eof reports whether the end of the connection completes the
// response (a body delimited by the close).
bool mtk_loadgen_http_eof(const struct mtk_loadgen_http *p);

#endif  // MTK_LOADGEN_HTTP_H
