#include "mtlskit/defect.h"

#include <string.h>

static const struct {
  const char *name;
  const char *description;
} defects[] = {
#define MTK_DEFECT_ROW(name, str, desc) {str, desc},
    MTK_DEFECT_MAP(MTK_DEFECT_ROW)
#undef MTK_DEFECT_ROW
};

const char *mtk_defect_name(enum mtk_defect defect) {
  if ((unsigned)defect >= MTK_DEFECT_COUNT) {
    return NULL;
  }
  return defects[defect].name;
}

const char *mtk_defect_description(enum mtk_defect defect) {
  if ((unsigned)defect >= MTK_DEFECT_COUNT) {
    return NULL;
  }
  return defects[defect].description;
}

int mtk_defect_from_name(const char *name, enum mtk_defect *out_defect) {
  for (size_t i = 0; i < MTK_DEFECT_COUNT; i++) {
    if (strcmp(defects[i].name, name) == 0) {
      *out_defect = (enum mtk_defect)i;
      return 0;
    }
  }
  return MTK_EPARSE;
}
