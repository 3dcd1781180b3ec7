#include "mtlskit/json.h"

int mtk_json_print(FILE *out, json_t *doc) {
  if (doc == NULL) {
    return MTK_ENOMEM;
  }
  int err = 0;
  if (json_dumpf(doc, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0 ||
      fputc('\n', out) == EOF || fflush(out) != 0) {
    err = MTK_EIO;
  }
  json_decref(doc);
  return err;
}
