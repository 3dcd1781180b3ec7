// Diagnostics carried out of library calls.
//
// Libraries never print. A fallible library function that can say more than
// its error code takes a |struct mtk_diag *| and writes one line of detail
// into it ("index.txt line 7: bad serial"). The executable prints that line
// prefixed with its name. A NULL diag is allowed everywhere and discards the
// detail.
#ifndef MTK_HEADER_DIAG_H
#define MTK_HEADER_DIAG_H

#include <stddef.h>

#include "mtlskit/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MTK_DIAG_MAX 512

struct mtk_diag {
  int err;                 // the code the detail belongs to, 0 if none
  char msg[MTK_DIAG_MAX];  // one line, NUL-terminated, no newline
};

// mtk_diag_init sets |diag| to the empty state.
void mtk_diag_init(struct mtk_diag *diag);

// mtk_diag_set formats one line of detail into |diag| (truncating at
// MTK_DIAG_MAX - 1 bytes and replacing newlines by spaces) and returns |err|,
// so callers can write `return mtk_diag_set(diag, MTK_EPARSE, ...)`. |diag|
// may be NULL.
int mtk_diag_set(struct mtk_diag *diag, int err, const char *fmt, ...)
    MTK_PRINTF(3, 4);

// mtk_diag_prefix prepends "|fmt|: " to the detail already in |diag|, for a
// caller that adds context ("openssl.cnf: ..."). It returns diag->err, or
// |fallback| if |diag| is NULL or holds no error.
int mtk_diag_prefix(struct mtk_diag *diag, int fallback, const char *fmt, ...)
    MTK_PRINTF(3, 4);

// mtk_diag_message returns the detail in |diag|, or mtk_strerror(|err|) when
// |diag| is NULL or empty. The string is borrowed.
const char *mtk_diag_message(const struct mtk_diag *diag, int err);

#ifdef __cplusplus
}
#endif

#endif  // MTK_HEADER_DIAG_H
