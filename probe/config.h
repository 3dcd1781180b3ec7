// The probe's configuration: targets from the command line or from a JSON
// config file (docs/probe.md "CONFIG FILE"), validated before any
// connection is made.
#ifndef MTK_PROBE_CONFIG_H
#define MTK_PROBE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "albcheck.h"
#include "expect.h"
#include "mtlskit/diag.h"
#include "profile.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MTK_PROBE_CONFIG_SCHEMA 1

// A growable list of owned strings.
struct mtk_probe_strv {
  char **v;
  size_t num;
};

// mtk_probe_strv_push appends a copy of |s|. It returns 0 or MTK_ENOMEM.
MTK_MUST_CHECK int mtk_probe_strv_push(struct mtk_probe_strv *sv,
                                       const char *s);

// mtk_probe_strv_cleanup frees the strings and the list.
void mtk_probe_strv_cleanup(struct mtk_probe_strv *sv);

// A per-target override of one case's expectation (--expect CASE=OUTCOMES).
struct mtk_probe_override {
  char *case_name;
  char *text;  // as the user wrote it
  struct mtk_probe_expect expect;
};

// What the server's trust store holds, beside the CRLs of its trust
// variant: the root alone, or the root and the intermediate CA that issues
// the fixture leaves (MTK_PROBE_INTERMEDIATE_VARIANT). It decides which
// cases a target runs and what some of them must get.
enum mtk_probe_server_trust {
  MTK_PROBE_SERVER_TRUST_ROOT = 0,
  MTK_PROBE_SERVER_TRUST_ROOT_INTERMEDIATE,
};

// The manifest trust variant whose cases need the intermediate in the
// server's trust store (mtlskit fixtures writes it).
#define MTK_PROBE_INTERMEDIATE_VARIANT "root+intermediate"

// mtk_probe_server_trust_parse parses "root" or "root+intermediate".
MTK_MUST_CHECK int mtk_probe_server_trust_parse(
    const char *s, enum mtk_probe_server_trust *out);

// mtk_probe_server_trust_name returns "root" or "root+intermediate".
const char *mtk_probe_server_trust_name(enum mtk_probe_server_trust t);

struct mtk_probe_target {
  char *name;  // report and JUnit classname; defaults to the URL
  char *url;
  const struct mtk_probe_profile *profile;
  char *trust;  // trust variant (the CRLs), "default" unless set
  enum mtk_probe_server_trust server_trust;  // --server-trust
  struct mtk_probe_strv resolve;             // CURLOPT_RESOLVE entries
  struct mtk_probe_strv connect_to;          // CURLOPT_CONNECT_TO entries
  struct mtk_probe_strv headers;             // "Name: value"
  char *cacert;                         // server CA file, NULL: system store
  bool insecure;                        // do not verify the server
  char *sni;                            // name to send (and Host), NULL: URL's
  int tls;                              // 0 negotiated, 12 or 13 pinned
  int http;                             // 0 curl's default, 11 or 2
  char *method;                         // NULL: GET
  uint64_t timeout_ms;                  // 0: the global --timeout
  enum mtk_probe_alb_mode alb_headers;  // --alb-headers, OFF unless set
  struct mtk_probe_override *overrides;
  size_t num_overrides;
};

// mtk_probe_target_init sets |t| to defaults (no URL yet).
void mtk_probe_target_init(struct mtk_probe_target *t);

// mtk_probe_target_cleanup frees what |t| holds.
void mtk_probe_target_cleanup(struct mtk_probe_target *t);

// mtk_probe_target_add_override parses "CASE=OUTCOMES" and adds it to
// |t|. It returns 0, or MTK_EPARSE with the detail in |diag|.
MTK_MUST_CHECK int mtk_probe_target_add_override(struct mtk_probe_target *t,
                                                 const char *spec,
                                                 struct mtk_diag *diag);

// mtk_probe_target_validate checks |t| before any connection: the URL is
// https:// with a host and a valid port, --resolve entries are
// [+-]HOST:PORT[:ADDR...], --connect-to entries HOST:PORT:HOST2:PORT2,
// headers "Name: value" (or curl's "Name;"), the method a non-empty token
// (and not HEAD with --alb-headers, which needs a body), the CA file
// readable. It returns 0, or MTK_EPARSE (MTK_ENOENT for the CA file) with
// the detail, naming the target, in |diag|.
MTK_MUST_CHECK int mtk_probe_target_validate(const struct mtk_probe_target *t,
                                             struct mtk_diag *diag);

// mtk_probe_parse_tls parses "1.2" or "1.3" into 12 or 13.
MTK_MUST_CHECK int mtk_probe_parse_tls(const char *s, int *out);

// mtk_probe_parse_http parses "1.1" or "2" into 11 or 2.
MTK_MUST_CHECK int mtk_probe_parse_http(const char *s, int *out);

struct mtk_probe_config {
  char *fixtures;  // fixture directory
  struct mtk_probe_target *targets;
  size_t num_targets;
  uint64_t parallel;             // concurrent attempts
  uint64_t parallel_per_target;  // concurrent attempts per target, 0: parallel
  uint64_t timeout_ms;           // per attempt
  uint64_t deadline_ms;          // whole run, 0: derived from the work
  bool deadline_derived;         // deadline_ms came from the work, not -d
  bool json;                     // JSON on stdout instead of the table
  char *junit;                   // JUnit XML path, NULL: none
};

// mtk_probe_config_init sets |c| to the defaults (parallel 32, no
// per-target limit below it, timeout 35 s so that s2n-style blinding
// fits, deadline 0: derived from the work once the plan is known, see
// mtk_probe_work_deadline_ms).
void mtk_probe_config_init(struct mtk_probe_config *c);

// mtk_probe_config_cleanup frees what |c| holds.
void mtk_probe_config_cleanup(struct mtk_probe_config *c);

// mtk_probe_config_add_target appends |t| to |c|, taking ownership of
// what |t| holds (|t| is left in its init state). It returns 0, or
// MTK_ENOMEM (|t| untouched), or MTK_EDUPLICATE if a target of that name
// already exists.
MTK_MUST_CHECK int mtk_probe_config_add_target(struct mtk_probe_config *c,
                                               struct mtk_probe_target *t,
                                               struct mtk_diag *diag);

// mtk_probe_config_load_file reads targets (and "fixtures" when
// |c|->fixtures is not yet set) from the JSON config file at |path|.
// Relative paths in the file are relative to the file's directory. It
// returns 0, or MTK_EPARSE / MTK_ENOENT with the detail in |diag|.
MTK_MUST_CHECK int mtk_probe_config_load_file(struct mtk_probe_config *c,
                                              const char *path,
                                              struct mtk_diag *diag);

#ifdef __cplusplus
}
#endif

#endif  // MTK_PROBE_CONFIG_H
