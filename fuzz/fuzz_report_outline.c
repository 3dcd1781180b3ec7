// Fuzz target: the outline reader of `mtlskit report diff` (simdjson, then
// the members a comparison reads, as jansson values). Beside memory errors
// it checks the outline against jansson, the reader of every other report
// command: a document the outline accepts, jansson accepts too, and every
// value the outline kept is the value jansson read at the same place.
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "outline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

// is_part_of tells whether |part| is |whole| with some object members left
// out: arrays keep every element, scalars are equal.
static bool is_part_of(const json_t *part, const json_t *whole) {
  if (json_typeof(part) != json_typeof(whole)) return false;
  if (json_is_object(part)) {
    const char *key;
    size_t key_len;
    json_t *value;
    json_object_keylen_foreach((json_t *)part, key, key_len, value) {
      const json_t *other = json_object_getn(whole, key, key_len);
      if (other == NULL || !is_part_of(value, other)) return false;
    }
    return true;
  }
  if (json_is_array(part)) {
    if (json_array_size(part) != json_array_size(whole)) return false;
    for (size_t i = 0; i < json_array_size(part); i++) {
      if (!is_part_of(json_array_get(part, i), json_array_get(whole, i))) {
        return false;
      }
    }
    return true;
  }
  return json_equal(part, whole);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *buf = malloc(size + REPORT_OUTLINE_PADDING);
  if (buf == NULL) return 0;
  memcpy(buf, data, size);
  memset(buf + size, 0, REPORT_OUTLINE_PADDING);
  json_t *outline = report_outline_parse(buf, size);
  if (outline != NULL) {
    json_error_t err;
    json_t *whole = json_loadb(buf, size, JSON_REJECT_DUPLICATES, &err);
    if (whole == NULL || !is_part_of(outline, whole)) {
      abort();  // the outline read what jansson refuses, or read it wrong
    }
    json_decref(whole);
  }
  json_decref(outline);
  free(buf);
  return 0;
}
