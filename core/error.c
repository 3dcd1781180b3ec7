#include "mtlskit/error.h"

#include <string.h>

const char *mtk_err_name(int err) {
  switch (err) {
#define MTK_ERRNO_NAME(name, value, msg, exit) \
  case MTK_##name:                             \
    return #name;
    MTK_ERRNO_MAP(MTK_ERRNO_NAME)
#undef MTK_ERRNO_NAME
    default:
      return "EUNKNOWN";
  }
}

const char *mtk_strerror(int err) {
  switch (err) {
#define MTK_ERRNO_MSG(name, value, msg, exit) \
  case MTK_##name:                            \
    return msg;
    MTK_ERRNO_MAP(MTK_ERRNO_MSG)
#undef MTK_ERRNO_MSG
    default:
      break;
  }
  if (err < 0 && err > -4000) {
    return strerror(-err);
  }
  return "unknown error";
}

int mtk_exit_status(int err) {
  if (err == 0) {
    return MTK_EXIT_OK;
  }
  switch (err) {
#define MTK_ERRNO_EXIT(name, value, msg, exit) \
  case MTK_##name:                             \
    return exit;
    MTK_ERRNO_MAP(MTK_ERRNO_EXIT)
#undef MTK_ERRNO_EXIT
    default:
      return MTK_EXIT_RUNTIME;
  }
}

int mtk_errno_get(void) { return errno > 0 ? -errno : MTK_EIO; }
