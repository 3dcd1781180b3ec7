// Echoed request headers: what a header-echo backend says it received,
// read from the body of its response (docs/probe.md "ALB HEADER
// CHECKS"). Three shapes are understood:
//   - mtlskit serve's echo: {"headers": [["Name", "value"], ...]}
//   - httpbin's: {"headers": {"Name": "value", ...}} (a value may also be a
//     list of strings, one entry each, as go-httpbin writes them)
//   - plain text: "Name: value" lines (a raw request dump; the request line
//     and other lines that are not headers are skipped, and a blank line
//     after the first header ends the block).
// Values are trimmed of surrounding spaces and tabs, as HTTP does.
#ifndef MTK_PROBE_ECHO_H
#define MTK_PROBE_ECHO_H

#include <stddef.h>

#include "mtlskit/diag.h"

#ifdef __cplusplus
extern "C" {
#endif

enum mtk_probe_echo_format {
  MTK_PROBE_ECHO_NONE = 0,  // no echoed headers found
  MTK_PROBE_ECHO_PAIRS,     // JSON "headers": [[name, value], ...]
  MTK_PROBE_ECHO_OBJECT,    // JSON "headers": {name: value, ...}
  MTK_PROBE_ECHO_LINES,     // "Name: value" lines
};

struct mtk_probe_echo_header {
  char *name;
  char *value;
};

struct mtk_probe_echo {
  enum mtk_probe_echo_format format;
  struct mtk_probe_echo_header *headers;  // in body order, duplicates kept
  size_t num_headers;
};

// mtk_probe_echo_init sets |e| to the empty state (no headers).
void mtk_probe_echo_init(struct mtk_probe_echo *e);

// mtk_probe_echo_cleanup frees what |e| holds and empties it.
void mtk_probe_echo_cleanup(struct mtk_probe_echo *e);

// mtk_probe_echo_parse reads the echoed headers out of the |len| bytes of
// |body| (need not be NUL-terminated) into |out|, which must be empty. A
// body that is a JSON document is read only as JSON: without a "headers"
// list of pairs or object it holds no headers. Any other body is read as
// lines. Finding no headers is not an error: |out| is left with format
// MTK_PROBE_ECHO_NONE. It returns 0, or MTK_ENOMEM (|out| left empty).
MTK_MUST_CHECK int mtk_probe_echo_parse(const char *body, size_t len,
                                        struct mtk_probe_echo *out);

// mtk_probe_echo_format_name returns "none", "pairs", "object" or "lines"
// (static).
const char *mtk_probe_echo_format_name(enum mtk_probe_echo_format f);

#ifdef __cplusplus
}
#endif

#endif  // MTK_PROBE_ECHO_H
