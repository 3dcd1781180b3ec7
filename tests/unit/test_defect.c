#include <string.h>

#include "check_main.h"
#include "mtlskit/defect.h"

START_TEST(test_defect_names_round_trip_and_are_unique) {
  for (int i = 0; i < MTK_DEFECT_COUNT; i++) {
    const char *name = mtk_defect_name((enum mtk_defect)i);
    ck_assert_ptr_nonnull(name);
    ck_assert_ptr_nonnull(mtk_defect_description((enum mtk_defect)i));
    enum mtk_defect back;
    ck_assert_int_eq(mtk_defect_from_name(name, &back), 0);
    ck_assert_int_eq(back, i);
    for (int j = 0; j < i; j++) {
      ck_assert_str_ne(name, mtk_defect_name((enum mtk_defect)j));
    }
  }
}
END_TEST

START_TEST(test_defect_lookup_of_known_and_unknown) {
  enum mtk_defect d = MTK_DEFECT_NONE;
  ck_assert_int_eq(mtk_defect_from_name("eku-server-only", &d), 0);
  ck_assert_int_eq(d, MTK_DEFECT_EKU_SERVER_ONLY);
  ck_assert_str_eq(mtk_defect_name(MTK_DEFECT_NONE), "none");
  ck_assert_int_eq(mtk_defect_from_name("Expired", &d), MTK_EPARSE);
  ck_assert_int_eq(d, MTK_DEFECT_EKU_SERVER_ONLY);
  ck_assert_ptr_null(mtk_defect_name(MTK_DEFECT_COUNT));
}
END_TEST

static Suite *defect_suite(void) {
  Suite *s = suite_create("defect");
  TCase *tc = tcase_create("vocabulary");
  tcase_add_test(tc, test_defect_names_round_trip_and_are_unique);
  tcase_add_test(tc, test_defect_lookup_of_known_and_unknown);
  suite_add_tcase(s, tc);
  return s;
}

MTK_CHECK_MAIN(defect_suite)
