// The main() every unit-test executable shares: run one suite, honour
// CK_VERBOSITY, exit non-zero on any failure.
#ifndef MTK_TESTS_CHECK_MAIN_H
#define MTK_TESTS_CHECK_MAIN_H

#include <check.h>
#include <stdlib.h>

#define MTK_CHECK_MAIN(make_suite)                    \
  int main(void) {                                    \
    SRunner *runner = srunner_create(make_suite());   \
    srunner_run_all(runner, CK_ENV);                  \
    int failed = srunner_ntests_failed(runner);       \
    srunner_free(runner);                             \
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE; \
  }

#endif  // MTK_TESTS_CHECK_MAIN_H
