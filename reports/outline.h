// The outline of a large result: what `report diff` compares, read with
// simdjson (Debian's libsimdjson) instead of jansson. A nightly probe result
// of 10,000 attempts is some 14 MB of JSON; jansson builds every one of its
// 400,000 values (about 0.4 s on one core here), simdjson parses it in about
// 25 ms and the outline keeps only the values a comparison reads. A C
// interface over C++ code (outline.cc), so that the rest stays C.
#ifndef MTK_REPORTS_OUTLINE_H
#define MTK_REPORTS_OUTLINE_H

#include <jansson.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

// The zero bytes a buffer given to report_outline_parse has after its data
// (simdjson reads its input in 64-byte steps).
#define REPORT_OUTLINE_PADDING 64

// report_outline_parse parses the JSON document |data| of |len| bytes,
// followed by REPORT_OUTLINE_PADDING readable bytes (mtk_file_read_padded), and
// returns it as jansson values, all of it except, under "targets", what a
// probe comparison does not read: each target keeps "name" and "results",
// each attempt "case", "result" and "observed", and "observed" its "text".
// A loadgen result, which has no "targets", is returned whole. Returns NULL
// when |data| is not one valid JSON object or array (of UTF-8, without
// duplicate keys, NUL characters or integers beyond json_int_t, as jansson's
// defaults require) or memory ran out:
// the caller then reads it with jansson, which says precisely what is wrong.
json_t *report_outline_parse(const char *data, size_t len);

#ifdef __cplusplus
}
#endif

#endif  // MTK_REPORTS_OUTLINE_H
