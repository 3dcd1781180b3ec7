// Profiles: per defect (include/mtlskit/defect.h), the outcomes a platform
// must produce. They are data: one JSON file per platform
// (profile_file.h), installed under share/mtlskit/profiles and transcribed
// from docs/platforms.md (§7 and the per-platform sections), or a user's
// own file. Every cell carries its source and whether the behaviour is
// documented/read in source ("D"), inferred ("I"), mixed ("D/I") or
// observed by `probe --record-profile` ("O"). A defect without a cell is
// "unspecified": reported, never failed. docs/probe-profiles.md prints
// the installed tables.
#ifndef MTK_PROBE_PROFILE_H
#define MTK_PROBE_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "expect.h"
#include "mtlskit/defect.h"
#include "mtlskit/diag.h"

#ifdef __cplusplus
extern "C" {
#endif

struct mtk_probe_cell {
  enum mtk_defect defect;
  const char *expect;        // the expectation (expect.h grammar)
  const char *expect_tls12;  // when the target is pinned to TLS 1.2, or
                             // NULL if the same as |expect|
  const char *basis;         // "D", "I", "D/I" or "O"
  const char *source;        // where the cell comes from
};

struct mtk_probe_profile {
  const char *name;
  const char *summary;
  const char *assumes;         // the server configuration it expects
  const char *const *aliases;  // NULL-terminated, or NULL
  const char *origin;          // "installed" or "user"
  const char *path;            // the file it was read from
  const struct mtk_probe_cell *cells;
  size_t num_cells;
  // strict: the cell comes from the case's verdict.strict in the manifest
  // (accept: http 2xx; reject: refused|http 4xx), not from |cells|.
  bool from_verdict;
  // The X.509 library the platform's server verifies with ("openssl"), or
  // NULL: a defect without a cell takes the case's verdict for that
  // library from the manifest (verdict.libraries) when it has one.
  const char *library;
  // For platforms that document which client key types they take: a
  // case whose manifest key_type is one of |unsupported_key_types|
  // (NULL-terminated; NULL: no restriction) gets |key_type_cell| in place
  // of its "none" cell, on top of its defects' cells.
  const char *const *unsupported_key_types;
  const struct mtk_probe_cell *key_type_cell;
  // How long the platform may hold a refusal before the client hears it
  // (s2n-tls blinding: 10-30 s), 0 if nothing is known: a --timeout below
  // it turns such refusals into timeouts, so the probe warns.
  uint64_t refusal_delay_ms;
};

// mtk_probe_profiles_load reads every installed profile file once (later
// calls do nothing): from $MTLSKIT_PROFILE_DIR when set, else from
// share/mtlskit/profiles beside the installed (or built) executables. A
// broken file, two profiles claiming one name, or no profile at all fail
// with a one-line |diag|.
MTK_MUST_CHECK int mtk_probe_profiles_load(struct mtk_diag *diag);

// mtk_probe_profiles_dir returns the directory mtk_probe_profiles_load
// read, or NULL before it ran.
const char *mtk_probe_profiles_dir(void);

// mtk_probe_profile_open returns, in *out, the profile |spec| names: a
// path (it holds a '/' or ends in ".json") loads that file as a user
// profile, anything else is an installed profile's name or alias. It loads
// the installed profiles first. An unknown name fails with MTK_ENOENT and
// |diag| listing the choices; a broken file with MTK_EPARSE.
MTK_MUST_CHECK int mtk_probe_profile_open(const char *spec,
                                          const struct mtk_probe_profile **out,
                                          struct mtk_diag *diag);

// mtk_probe_profile_find loads the installed profiles if need be and
// returns the one named |name| (or
// carrying it as an alias: "ibm-cis" for "cloudflare", "alb" for
// "alb-verify", the names verify and lint use), or NULL.
const struct mtk_probe_profile *mtk_probe_profile_find(const char *name);

// mtk_probe_profile_choices writes the names mtk_probe_profile_find
// knows, for error messages ("alb-verify (or alb), ..."), to |out| (cut to
// |out_len|, at least 1).
void mtk_probe_profile_choices(char *out, size_t out_len);

// mtk_probe_profile_at loads the installed profiles if need be and returns
// the |i|th (installed ones by name, then user files in the order opened),
// or NULL past the end.
const struct mtk_probe_profile *mtk_probe_profile_at(size_t i);

// mtk_probe_profiles_cleanup frees every loaded profile.
void mtk_probe_profiles_cleanup(void);

// mtk_probe_profile_cell returns |p|'s cell for |defect|, or NULL when
// the profile does not specify it.
const struct mtk_probe_cell *mtk_probe_profile_cell(
    const struct mtk_probe_profile *p, enum mtk_defect defect);

// mtk_probe_profile_key_type_cell returns the cell |p| gives a client key
// of type |key_type| ("ed25519") it does not support, or NULL if |p| has
// no such restriction, |key_type| is NULL, or the type is supported.
const struct mtk_probe_cell *mtk_probe_profile_key_type_cell(
    const struct mtk_probe_profile *p, const char *key_type);

// mtk_probe_cell_expect parses the expectation |c| gives for a target
// pinned to |tls| (12, 13, or 0 for "whatever is negotiated": the union
// of both) into |out|. It returns 0 or MTK_EPARSE (a bad table: a bug).
MTK_MUST_CHECK int mtk_probe_cell_expect(const struct mtk_probe_cell *c,
                                         int tls, struct mtk_probe_expect *out);

// mtk_probe_profile_write_table writes every field of |p| to |out| as
// tab-separated lines: one "NAME profile ..." line, one "NAME cell DEFECT
// EXPECT TLS12 BASIS SOURCE" line per cell in order, and a "NAME key-types"
// line when it has one. Two profiles with the same table judge alike.
void mtk_probe_profile_write_table(FILE *out,
                                   const struct mtk_probe_profile *p);

#ifdef __cplusplus
}
#endif

#endif  // MTK_PROBE_PROFILE_H
