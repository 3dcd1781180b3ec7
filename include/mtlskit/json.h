// JSON documents on the command line: every `--json` output is one
// document with a top-level "schema_version", built with jansson and
// printed the same way by every executable.
#ifndef MTK_HEADER_JSON_H
#define MTK_HEADER_JSON_H

#include <jansson.h>
#include <stdio.h>

#include "mtlskit/error.h"

#ifdef __cplusplus
extern "C" {
#endif

// mtk_json_print writes |doc| to |out| indented by two spaces, keys in
// insertion order, followed by a newline, then releases |doc| (it takes
// ownership of the reference). A NULL |doc| (a failed json_pack or
// json_object) yields MTK_ENOMEM; a write error MTK_EIO.
MTK_MUST_CHECK int mtk_json_print(FILE *out, json_t *doc);

#ifdef __cplusplus
}
#endif

#endif  // MTK_HEADER_JSON_H
