#include "mtlskit/platform.h"

#include <stddef.h>
#include <string.h>

static const char *const platform_names[] = {
#define MTK_PLATFORM_STR(name, str) str,
    MTK_PLATFORM_MAP(MTK_PLATFORM_STR)
#undef MTK_PLATFORM_STR
};

const char *mtk_platform_name(enum mtk_platform platform) {
  if ((unsigned)platform >= MTK_PLATFORM_COUNT) {
    return NULL;
  }
  return platform_names[platform];
}

int mtk_platform_from_name(const char *name, enum mtk_platform *out) {
  for (size_t i = 0; i < MTK_PLATFORM_COUNT; i++) {
    if (strcmp(name, platform_names[i]) == 0) {
      *out = (enum mtk_platform)i;
      return 0;
    }
  }
  return MTK_EPARSE;
}
