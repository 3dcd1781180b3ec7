#include "mtlskit/diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void mtk_diag_init(struct mtk_diag *diag) {
  diag->err = 0;
  diag->msg[0] = '\0';
}

static void flatten(char *s) {
  for (; *s != '\0'; s++) {
    if (*s == '\n' || *s == '\r') {
      *s = ' ';
    }
  }
}

int mtk_diag_set(struct mtk_diag *diag, int err, const char *fmt, ...) {
  if (diag == NULL) {
    return err;
  }
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(diag->msg, sizeof(diag->msg), fmt, ap);
  va_end(ap);
  flatten(diag->msg);
  diag->err = err;
  return err;
}

int mtk_diag_prefix(struct mtk_diag *diag, int fallback, const char *fmt, ...) {
  if (diag == NULL) {
    return fallback;
  }
  int err = diag->err != 0 ? diag->err : fallback;
  char prefix[MTK_DIAG_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(prefix, sizeof(prefix), fmt, ap);
  va_end(ap);
  char old[MTK_DIAG_MAX];
  memcpy(old, diag->msg, sizeof(old));
  if (old[0] == '\0') {
    snprintf(old, sizeof(old), "%s", mtk_strerror(err));
  }
  // Join in a buffer large enough for both, then keep what fits.
  char joined[2 * MTK_DIAG_MAX + 2];
  snprintf(joined, sizeof(joined), "%s: %s", prefix, old);
  snprintf(diag->msg, sizeof(diag->msg), "%.*s", MTK_DIAG_MAX - 1, joined);
  flatten(diag->msg);
  diag->err = err;
  return err;
}

const char *mtk_diag_message(const struct mtk_diag *diag, int err) {
  if (diag == NULL || diag->msg[0] == '\0') {
    return mtk_strerror(err);
  }
  return diag->msg;
}
