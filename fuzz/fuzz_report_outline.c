// Fuzz target: the outline reader of `mtlskit report diff` (simdjson, then
// a probe result's attempts in a flat array and the rest as jansson values).
// Beside memory errors it checks the outline against jansson, the reader of
// every other report command: a document the outline accepts, jansson
// accepts too; the attempts are those the reports' walk finds in jansson's
// reading, string for string; and the rest is what jansson read.
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "outline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool same_attempts(const struct report_outline *a,
                          const struct report_outline *b) {
  if (a->num_attempts != b->num_attempts) return false;
  for (size_t i = 0; i < a->num_attempts; i++) {
    const struct report_attempt *x = &a->attempts[i], *y = &b->attempts[i];
    if (strcmp(x->target, y->target) != 0 ||
        strcmp(x->case_name, y->case_name) != 0 ||
        strcmp(x->result, y->result) != 0 ||
        strcmp(x->observed, y->observed) != 0) {
      return false;
    }
  }
  return true;
}

// matches tells whether |got|, the outline, is |want|, jansson's reading
// (report_outline_from_doc), with a probe result's targets emptied.
static bool matches(const struct report_outline *got,
                    struct report_outline *want) {
  if (!same_attempts(got, want)) return false;
  if (json_is_array(json_object_get(want->doc, "targets"))) {
    json_object_set_new(want->doc, "targets", json_array());
  }
  return json_equal(got->doc, want->doc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static struct report_outline_parser *parser;
  if (parser == NULL && (parser = report_outline_parser_new()) == NULL) {
    return 0;
  }
  char *buf = malloc(size + REPORT_OUTLINE_PADDING);
  if (buf == NULL) return 0;
  memcpy(buf, data, size);
  memset(buf + size, 0, REPORT_OUTLINE_PADDING);
  struct report_outline got;
  if (report_outline_parse(parser, buf, size, &got) == 0) {
    json_error_t err;
    json_t *whole = json_loadb(buf, size, JSON_REJECT_DUPLICATES, &err);
    struct report_outline want;
    if (whole == NULL || report_outline_from_doc(whole, &want) != 0 ||
        !matches(&got, &want)) {
      abort();  // the outline read what jansson refuses, or read it wrong
    }
    report_outline_cleanup(&want);
    report_outline_cleanup(&got);
  }
  free(buf);
  return 0;
}
