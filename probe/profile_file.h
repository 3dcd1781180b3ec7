// Profile files: one platform's cells as JSON (docs/probe-profiles.md,
// "Profile files", schema version 1). A loaded profile owns its strings
// and cells; the registry in profile.c keeps every loaded one until
// mtk_probe_profiles_cleanup.
#ifndef MTK_PROBE_PROFILE_FILE_H
#define MTK_PROBE_PROFILE_FILE_H

#include "mtlskit/diag.h"
#include "profile.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MTK_PROBE_PROFILE_SCHEMA 1

// mtk_probe_profile_file_load reads the profile file at |path| into a new
// profile (*out, freed with mtk_probe_profile_file_free) whose origin is
// |origin| ("installed", "user"). A broken file fails with MTK_EPARSE and
// a one-line |diag| naming the file, the line and the field
// ("x.json:12: cells.expired.expect: ...").
MTK_MUST_CHECK int mtk_probe_profile_file_load(const char *path,
                                               const char *origin,
                                               struct mtk_probe_profile **out,
                                               struct mtk_diag *diag);

// mtk_probe_profile_file_free frees a profile mtk_probe_profile_file_load
// made. NULL is a no-op.
void mtk_probe_profile_file_free(struct mtk_probe_profile *p);

#ifdef __cplusplus
}
#endif

#endif  // MTK_PROBE_PROFILE_FILE_H
