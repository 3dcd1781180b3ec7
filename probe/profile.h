// Profiles: per defect (include/mtlskit/defect.h), the outcomes a platform
// must produce, transcribed from docs/platforms.md (§7 and the
// per-platform sections). Every cell carries its source and whether the
// behaviour is documented/read in source ("D"), inferred ("I") or mixed
// ("D/I"). A defect without a cell is "unspecified": reported, never
// failed. docs/probe-profiles.md prints these tables.
#ifndef MTK_PROBE_PROFILE_H
#define MTK_PROBE_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "expect.h"
#include "mtlskit/defect.h"

#ifdef __cplusplus
extern "C" {
#endif

struct mtk_probe_cell {
  enum mtk_defect defect;
  const char *expect;        // the expectation (expect.h grammar)
  const char *expect_tls12;  // when the target is pinned to TLS 1.2, or
                             // NULL if the same as |expect|
  const char *basis;         // "D", "I" or "D/I"
  const char *source;        // where the cell comes from
};

struct mtk_probe_profile {
  const char *name;
  const char *summary;
  const struct mtk_probe_cell *cells;
  size_t num_cells;
  // strict: the cell comes from the case's verdict.strict in the manifest
  // (accept: http 2xx; reject: refused|http 4xx), not from |cells|.
  bool from_verdict;
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

// mtk_probe_profile_find returns the built-in profile named |name|
// ("nginx"; "ibm-cis" is an alias of "cloudflare", "alb" of "alb-verify",
// the name verify and lint use), or NULL.
const struct mtk_probe_profile *mtk_probe_profile_find(const char *name);

// mtk_probe_profile_choices writes the names mtk_probe_profile_find
// knows, for error messages ("alb-verify (or alb), ..."), to |out| (cut to
// |out_len|, at least 1).
void mtk_probe_profile_choices(char *out, size_t out_len);

// mtk_probe_profile_at returns the |i|th built-in profile, or NULL past
// the end (for --list-profiles and the docs).
const struct mtk_probe_profile *mtk_probe_profile_at(size_t i);

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

#ifdef __cplusplus
}
#endif

#endif  // MTK_PROBE_PROFILE_H
