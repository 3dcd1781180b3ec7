// probe --record-profile: what a run observed against one reference
// endpoint, written as a profile file (profile_file.h) whose cells have
// basis "O", so that later runs flag any drift from the reviewed
// behaviour.
#ifndef MTK_PROBE_RECORD_H
#define MTK_PROBE_RECORD_H

#include <stdint.h>

#include "mtlskit/diag.h"
#include "plan.h"

#ifdef __cplusplus
extern "C" {
#endif

// mtk_probe_record_profile writes the outcomes of |r| (one target, every
// attempt judged) as a profile named |name| to |path| (atomically
// replaced). Each defect's cell allows what the cases with that defect
// alone did; a case with several defects adds its outcome to one of its
// defects' cells when none already allows it; key types whose plain case
// was refused become unsupported_key_types. An alert, reset or close seen
// after a TLS 1.3 handshake also allows the other two ways the same
// refusal reaches a client (docs/platforms.md §6.4). |now| (Unix seconds)
// dates the record. It fails with MTK_EPARSE when an attempt has no
// outcome to record (error, incomplete).
MTK_MUST_CHECK int mtk_probe_record_profile(const char *path, const char *name,
                                            const struct mtk_probe_run *r,
                                            int64_t now, struct mtk_diag *diag);

#ifdef __cplusplus
}
#endif

#endif  // MTK_PROBE_RECORD_H
