// mtlskit error codes.
//
// Fallible functions return an int: 0 on success, a negative MTK_E* code on
// failure. System errors pass through as -errno, the way libuv's do, so
// MTK_ENOENT == -ENOENT. mtlskit's own codes live below -4000 so they never
// collide with an errno value. Names and messages come from one table,
// MTK_ERRNO_MAP, and every executable maps a code to an exit status with
// mtk_exit_status.
#ifndef MTK_HEADER_ERROR_H
#define MTK_HEADER_ERROR_H

#include <errno.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MTK_MUST_CHECK __attribute__((warn_unused_result))
#define MTK_PRINTF(fmt_idx, args_idx) \
  __attribute__((format(printf, fmt_idx, args_idx)))

// XX(name, value, message, exit status)
#define MTK_ERRNO_MAP(XX)                                                \
  XX(ENOENT, -ENOENT, "no such file or directory", MTK_EXIT_RUNTIME)     \
  XX(EEXIST, -EEXIST, "already exists", MTK_EXIT_RUNTIME)                \
  XX(EACCES, -EACCES, "permission denied", MTK_EXIT_RUNTIME)             \
  XX(EIO, -EIO, "input/output error", MTK_EXIT_RUNTIME)                  \
  XX(ENOMEM, -ENOMEM, "out of memory", MTK_EXIT_INTERNAL)                \
  XX(ENOSPC, -ENOSPC, "no space left on device", MTK_EXIT_RUNTIME)       \
  XX(EINVAL, -EINVAL, "invalid argument", MTK_EXIT_USAGE)                \
  XX(ERANGE, -ERANGE, "value out of range", MTK_EXIT_USAGE)              \
  XX(ETIMEDOUT, -ETIMEDOUT, "timed out", MTK_EXIT_RUNTIME)               \
  XX(ECANCELED, -ECANCELED, "canceled", MTK_EXIT_RUNTIME)                \
  XX(EUSAGE, -4001, "usage error", MTK_EXIT_USAGE)                       \
  XX(EPARSE, -4002, "malformed input", MTK_EXIT_USAGE)                   \
  XX(ECORRUPT, -4003, "corrupt data", MTK_EXIT_RUNTIME)                  \
  XX(ECRYPTO, -4004, "cryptographic operation failed", MTK_EXIT_RUNTIME) \
  XX(EBADPASS, -4005, "wrong passphrase", MTK_EXIT_RUNTIME)              \
  XX(ELOCKED, -4006, "locked by another process", MTK_EXIT_RUNTIME)      \
  XX(ENOTFOUND, -4007, "not found", MTK_EXIT_USAGE)                      \
  XX(EDUPLICATE, -4008, "duplicate entry", MTK_EXIT_USAGE)               \
  XX(EUNSUPPORTED, -4009, "not supported", MTK_EXIT_USAGE)               \
  XX(ENETWORK, -4010, "network error", MTK_EXIT_RUNTIME)                 \
  XX(EINTERNAL, -4099, "internal error", MTK_EXIT_INTERNAL)

// Exit statuses, the same for every mtlskit command (docs/exit-status.md).
enum mtk_exit_status {
  MTK_EXIT_OK = 0,        // success, every check passed
  MTK_EXIT_CHECKS = 1,    // ran to completion, but a check or SLO failed
  MTK_EXIT_USAGE = 2,     // bad command line or bad input
  MTK_EXIT_RUNTIME = 3,   // runtime or infrastructure error
  MTK_EXIT_INTERNAL = 4,  // internal error (a bug, or out of memory)
};

enum mtk_errno {
#define MTK_ERRNO_ENUM(name, value, msg, exit) MTK_##name = (value),
  MTK_ERRNO_MAP(MTK_ERRNO_ENUM)
#undef MTK_ERRNO_ENUM
};

// mtk_err_name returns the symbolic name of |err|, e.g. "ENOENT", or
// "EUNKNOWN" for a code outside the table. The string is static.
const char *mtk_err_name(int err);

// mtk_strerror returns a short human-readable message for |err|. For system
// errors outside the table it falls back to strerror(-err). The string is
// static or owned by the C library; do not free it.
const char *mtk_strerror(int err);

// mtk_exit_status returns the process exit status for |err|: MTK_EXIT_OK for
// 0, the table's status for known codes, MTK_EXIT_RUNTIME for other system
// errors.
int mtk_exit_status(int err);

// mtk_errno_get returns -errno, or MTK_EIO if errno is not set (0), so a
// failed system call always yields a negative code.
int mtk_errno_get(void);

#ifdef __cplusplus
}
#endif

#endif  // MTK_HEADER_ERROR_H
