// Secrets (PKCS#12 passwords, key passphrases) from where users keep them.
//
// A secret source is one of:
//   env:VAR    the value of environment variable VAR
//   file:PATH  the first line of PATH (without its newline); a pipe works
//              too (file:/dev/fd/3)
//   pass:TEXT  TEXT itself; allowed for parity with openssl recipes, but the
//              caller should warn: it shows in ps(1) and shell history
//   prompt     read from the controlling terminal with echo off
// A secret holds at most MTK_SECRET_MAX bytes; a longer one is refused,
// never cut. Secrets never appear in diagnostics. Free them with
// mtk_secret_free, which wipes the memory first.
#ifndef MTK_HEADER_SECRET_H
#define MTK_HEADER_SECRET_H

#include <stdbool.h>
#include <stddef.h>

#include "mtlskit/diag.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MTK_SECRET_MAX 4096

struct mtk_secret {
  char *data;      // NUL-terminated; owned
  size_t len;      // bytes before the NUL
  bool from_argv;  // came from pass:, i.e. visible on the command line
};

// mtk_secret_read reads the secret named by |source| into |out|. |prompt| is
// the text shown when |source| is "prompt" (or NULL, which means prompt);
// with |confirm| the user types it twice. It returns 0, MTK_EUSAGE for an
// unknown source form, MTK_ENOTFOUND for an unset variable, MTK_ERANGE for
// a secret longer than MTK_SECRET_MAX, MTK_ENOENT or another -errno for
// file errors, or MTK_EIO when no terminal is available. On failure |out|
// is left empty.
MTK_MUST_CHECK int mtk_secret_read(struct mtk_secret *out, const char *source,
                                   const char *prompt, bool confirm,
                                   struct mtk_diag *diag);

// mtk_secret_refuse_empty returns MTK_EUSAGE, with "the |what| is empty,
// which protects nothing; give --allow-empty-password ..." in |diag|, when
// |secret| is empty, and 0 otherwise. Commands that encrypt a key-bearing
// file call it unless the user allowed an empty password.
MTK_MUST_CHECK int mtk_secret_refuse_empty(const struct mtk_secret *secret,
                                           const char *what,
                                           struct mtk_diag *diag);

// mtk_secret_free wipes and frees the secret's memory and resets |secret|.
// It accepts an already-empty secret.
void mtk_secret_free(struct mtk_secret *secret);

#ifdef __cplusplus
}
#endif

#endif  // MTK_HEADER_SECRET_H
