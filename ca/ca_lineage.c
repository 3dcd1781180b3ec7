// Which certificate renews which (see MTK_CA_LINEAGE in ca.h).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mtlskit/ca.h"
#include "mtlskit/file.h"

// The lineage file is small: one line per renewal.
#define LINEAGE_MAX (64u << 20)

static int lineage_path(const struct mtk_ca *ca, char *out, size_t len) {
  int n = snprintf(out, len, "%s/%s", ca->conf.dir, MTK_CA_LINEAGE);
  return n > 0 && (size_t)n < len ? 0 : MTK_ERANGE;
}

// read_lineage reads the file into *out ("" when there is none).
static int read_lineage(const struct mtk_ca *ca, char **out, size_t *out_len,
                        struct mtk_diag *diag) {
  char path[MTK_CADB_PATH_MAX + 32];
  int err = lineage_path(ca, path, sizeof(path));
  if (err != 0) {
    return err;
  }
  if (!mtk_file_exists(path)) {
    *out = calloc(1, 1);
    *out_len = 0;
    return *out != NULL ? 0 : MTK_ENOMEM;
  }
  return mtk_cadb_file_read(path, LINEAGE_MAX, out, out_len, diag);
}

int mtk_ca_lineage_add(struct mtk_ca *ca, const char *new_serial,
                       const char *old_serial, struct mtk_diag *diag) {
  char path[MTK_CADB_PATH_MAX + 32];
  char *text = NULL;
  size_t len = 0;
  int err = lineage_path(ca, path, sizeof(path));
  if (err == 0) {
    err = read_lineage(ca, &text, &len, diag);
  }
  if (err != 0) {
    free(text);
    return err;
  }
  size_t line_len = strlen(new_serial) + strlen(old_serial) + 2;
  char *grown = realloc(text, len + line_len + 2);
  if (grown == NULL) {
    free(text);
    return MTK_ENOMEM;
  }
  text = grown;
  if (len > 0 && text[len - 1] != '\n') {
    text[len++] = '\n';
  }
  len += (size_t)snprintf(text + len, line_len + 1, "%s\t%s\n", new_serial,
                          old_serial);
  err = mtk_file_replace(path, text, len, 0644, diag);
  free(text);
  return err;
}

void mtk_ca_lineage_get(const struct mtk_ca *ca, const char *serial,
                        ssize_t *out_renews, ssize_t *out_renewed_by) {
  *out_renews = *out_renewed_by = -1;
  char *text = NULL;
  size_t len = 0;
  if (read_lineage(ca, &text, &len, NULL) != 0) {
    free(text);
    return;
  }
  for (char *line = text, *next; line != NULL && *line != '\0'; line = next) {
    next = strchr(line, '\n');
    if (next != NULL) {
      *next++ = '\0';
    }
    char *tab = strchr(line, '\t');
    if (tab == NULL) {
      continue;
    }
    *tab = '\0';
    const char *newer = line, *older = tab + 1;
    ssize_t n = mtk_cadb_index_find(&ca->index, newer);
    ssize_t o = mtk_cadb_index_find(&ca->index, older);
    if (n < 0 || o < 0) {
      continue;  // not committed: a renewal that failed
    }
    if (mtk_cadb_index_find(&ca->index, serial) == n) {
      *out_renews = o;
    } else if (mtk_cadb_index_find(&ca->index, serial) == o) {
      *out_renewed_by = n;
    }
  }
  free(text);
}
