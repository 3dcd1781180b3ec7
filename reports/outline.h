// The outline of a large result: what `report diff` compares, read with
// simdjson (Debian's libsimdjson) instead of jansson. A nightly probe result
// of 10,000 attempts is some 14 MB of JSON; jansson builds every one of its
// 400,000 values (about 0.4 s on one core here), simdjson parses it in about
// 25 ms, and the outline keeps of each attempt only the four strings a
// comparison reads, in one flat array. A C interface over C++ code
// (outline.cc), so that the rest stays C.
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

// One attempt of a probe result as a comparison reads it: its target's
// "name", its "case", its "result" and its "observed" outcome's "text",
// each "" when missing or not a string.
struct report_attempt {
  const char *target;
  const char *case_name;
  const char *result;
  const char *observed;
};

// struct report_outline is a result as `report diff` reads it.
struct report_outline {
  // The document, except that a probe result's "targets" array is empty
  // (its attempts are below). A loadgen result is whole. Owned.
  json_t *doc;
  // Every attempt of every target that is an object, in document order, as
  // report_each_attempt (result.h) walks them. Owned.
  struct report_attempt *attempts;
  size_t num_attempts;
  // The strings |attempts| point to, or NULL when they point into |doc|.
  char *strings;
};

// A simdjson parser, kept to read several documents: a document no larger
// than one it read before reuses the memory that one made the kernel map
// (a larger one makes the parser grow, which maps it all anew).
struct report_outline_parser;

// report_outline_parser_new returns a new parser, or NULL when memory ran
// out. Free it with report_outline_parser_free.
struct report_outline_parser *report_outline_parser_new(void);

// report_outline_parser_free releases |p|; NULL is ignored.
void report_outline_parser_free(struct report_outline_parser *p);

// report_outline_parse parses the JSON document |data| of |len| bytes,
// followed by REPORT_OUTLINE_PADDING readable bytes (mtk_file_read_padded),
// into |out|, which owns what it holds afterwards (|data| may be freed).
// Returns 0, or -1 when |data| is not one valid JSON object or array (of
// UTF-8, without duplicate keys, NUL characters or integers beyond
// json_int_t anywhere, as jansson's defaults require) or memory ran out:
// the caller then reads it with jansson, which says precisely what is wrong.
// On failure |out| holds nothing.
int report_outline_parse(struct report_outline_parser *p, const char *data,
                         size_t len, struct report_outline *out);

// report_outline_from_doc makes |out| the outline of |doc|, a document
// jansson read, whose reference it takes: |out->doc| is |doc| whole and the
// attempts point into it. Returns 0, or -1 when memory ran out (|doc| is
// then released and |out| holds nothing).
int report_outline_from_doc(json_t *doc, struct report_outline *out);

// report_outline_cleanup releases what |o| holds and zeroes it.
void report_outline_cleanup(struct report_outline *o);

#ifdef __cplusplus
}
#endif

#endif  // MTK_REPORTS_OUTLINE_H
