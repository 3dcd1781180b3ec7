// The fixture manifest: DIR/manifest.json, schema_version 1 (docs/probe.md
// "FIXTURE MANIFEST"). Paths in it are relative to DIR; the loader joins
// them, checks that the files exist and that every defect name is in the
// vocabulary of include/mtlskit/defect.h.
#ifndef MTK_PROBE_MANIFEST_H
#define MTK_PROBE_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>

#include "mtlskit/defect.h"
#include "mtlskit/diag.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MTK_PROBE_MANIFEST_SCHEMA 1
#define MTK_PROBE_MAX_DEFECTS 8
#define MTK_PROBE_MAX_LIBRARIES 8

enum mtk_probe_verdict {
  MTK_PROBE_VERDICT_UNKNOWN = 0,
  MTK_PROBE_VERDICT_ACCEPT,
  MTK_PROBE_VERDICT_REJECT,
  MTK_PROBE_VERDICT_DIVERGENT,  // verifiers legitimately disagree
};

struct mtk_probe_case {
  char *name;
  enum mtk_defect defects[MTK_PROBE_MAX_DEFECTS];
  size_t num_defects;
  char *trust;     // trust variant name
  char *key_type;  // "p256", "ed25519", ... or NULL when absent/null
  char *cert;      // DIR-joined path of the PEM to send, NULL: no certificate
  char *key;       // DIR-joined path of its key, NULL with cert
  enum mtk_probe_verdict verdict_strict;
  char *reason;  // verdict.reason, may be NULL
  char *serial;  // the leaf's serial in hex, or NULL when absent
  // verdict.libraries: what each X.509 library concludes, for profiles
  // that name the library their server verifies with.
  struct {
    char *name;  // "openssl", "boringssl", ...
    bool accept;
  } libraries[MTK_PROBE_MAX_LIBRARIES];
  size_t num_libraries;
};

struct mtk_probe_manifest {
  char *generator;  // may be NULL
  char **trust_names;
  size_t num_trust;
  struct mtk_probe_case *cases;
  size_t num_cases;
};

// mtk_probe_case_library_verdict returns what library |library| concludes
// on case |c| (verdict.libraries): MTK_PROBE_VERDICT_ACCEPT or _REJECT, or
// MTK_PROBE_VERDICT_UNKNOWN when the manifest does not say (or |library|
// is NULL).
enum mtk_probe_verdict mtk_probe_case_library_verdict(
    const struct mtk_probe_case *c, const char *library);

// mtk_probe_manifest_init sets |m| to the empty state.
void mtk_probe_manifest_init(struct mtk_probe_manifest *m);

// mtk_probe_manifest_load reads |dir|/manifest.json into |m| (which must
// be empty). It returns 0; MTK_ENOENT/MTK_EACCES if the manifest or a file
// it names cannot be read; MTK_EPARSE for bad JSON, a wrong
// schema_version, an unknown defect or trust variant, duplicate case
// names. The detail, naming the case, is in |diag|. On failure |m| is
// left empty.
MTK_MUST_CHECK int mtk_probe_manifest_load(const char *dir,
                                           struct mtk_probe_manifest *m,
                                           struct mtk_diag *diag);

// mtk_probe_manifest_cleanup frees everything |m| holds and empties it.
void mtk_probe_manifest_cleanup(struct mtk_probe_manifest *m);

// mtk_probe_manifest_find returns the case named |name|, or NULL.
const struct mtk_probe_case *mtk_probe_manifest_find(
    const struct mtk_probe_manifest *m, const char *name);

// mtk_probe_manifest_has_trust reports whether |m| defines the trust
// variant |name|.
bool mtk_probe_manifest_has_trust(const struct mtk_probe_manifest *m,
                                  const char *name);

#ifdef __cplusplus
}
#endif

#endif  // MTK_PROBE_MANIFEST_H
