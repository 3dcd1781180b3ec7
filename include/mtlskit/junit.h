// JUnit XML, the test-report format Jenkins, GitLab and GitHub reporters
// read: one <testsuites> with a <testsuite> per class name (in order of
// first appearance), a <testcase> per result, <failure>, <error> or
// <skipped> carrying a message and a body. A failure is a check that ran
// and did not hold; an error is a test that could not be carried out
// (infrastructure, time), as JUnit consumers tell the two apart. Text and
// attribute values are escaped
// (& < > " '), and bytes XML 1.0 cannot carry (control characters other
// than tab, newline, carriage return; invalid UTF-8) are replaced by '?'
// so a report is always well-formed.
#ifndef MTK_HEADER_JUNIT_H
#define MTK_HEADER_JUNIT_H

#include <stddef.h>

#include "mtlskit/diag.h"
#include "mtlskit/error.h"

#ifdef __cplusplus
extern "C" {
#endif

enum mtk_junit_status {
  MTK_JUNIT_PASSED = 0,
  MTK_JUNIT_FAILED,
  MTK_JUNIT_SKIPPED,
  MTK_JUNIT_ERROR,
};

struct mtk_junit;

// mtk_junit_new creates an empty report named |name| (the <testsuites>
// name). It returns 0 and sets *out, or MTK_ENOMEM. Free with
// mtk_junit_free.
MTK_MUST_CHECK int mtk_junit_new(const char *name, struct mtk_junit **out);

// mtk_junit_free frees |j|. NULL is allowed.
void mtk_junit_free(struct mtk_junit *j);

// mtk_junit_add records one test case: |classname| (the suite it goes in),
// |name|, |time_s| seconds, |status|, and for failed, errored or skipped
// cases a one-line |message| and a multi-line |body| (either may be NULL);
// a passed case's |body| goes in its <system-out>. The strings are copied.
// It returns 0 or MTK_ENOMEM.
MTK_MUST_CHECK int mtk_junit_add(struct mtk_junit *j, const char *classname,
                                 const char *name, double time_s,
                                 enum mtk_junit_status status,
                                 const char *message, const char *body);

// mtk_junit_render writes the report as a NUL-terminated XML document into
// a new buffer (*out, freed by the caller with free()), its length in
// *out_len. It returns 0 or MTK_ENOMEM.
MTK_MUST_CHECK int mtk_junit_render(const struct mtk_junit *j, char **out,
                                    size_t *out_len);

// mtk_junit_write renders |j| and atomically replaces |path| with it
// (mode 0644). It returns 0 or an error from mtk_file_replace, with the
// detail in |diag|.
MTK_MUST_CHECK int mtk_junit_write(const struct mtk_junit *j, const char *path,
                                   struct mtk_diag *diag);

#ifdef __cplusplus
}
#endif

#endif  // MTK_HEADER_JUNIT_H
