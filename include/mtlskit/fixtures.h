// The fixture PKI: good and deliberately broken client identities, made by
// the X.509 toolkit (mtk_x509), with a manifest that says what each one is.
//
// mtk_fixtures_build writes, under one directory:
//   manifest.json        what every case is (docs/fixtures.md, MANIFEST)
//   ca/NAME.cert.pem     the CAs (root, intermediate, wrong root, and the
//   ca/NAME.key.pem      special CAs broken cases need); keys are 0600
//   trust/*.pem          trust bundles (root only; intermediate + root)
//   crl/*.pem            CRLs: one per CA, and one file per trust variant
//   server/              a server identity for localhost, 127.0.0.1, ::1
//   cases/NAME/          cert.pem (leaf, then the intermediates the client
//                        sends), key.pem, identity.p12
// With config->ca_dir the CA of an existing CA directory plays the root
// (docs/fixtures.md, UNDER YOUR OWN CA).
// Time-dependent cases are made by validity windows relative to
// config->now, never by waiting. The directory is built beside its final
// place and renamed into it, so a failed build leaves the old one intact.
#ifndef MTK_HEADER_FIXTURES_H
#define MTK_HEADER_FIXTURES_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "mtlskit/diag.h"
#include "mtlskit/x509_key.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MTK_FIXTURES_SCHEMA_VERSION 1

struct mtk_fixtures_config {
  const char *dir;                  // where the set goes
  time_t now;                       // the build's reference time
  enum mtk_key_type leaf_key_type;  // default MTK_KEY_P256
  enum mtk_key_type ca_key_type;    // default MTK_KEY_P256
  const char *leaf_subject;         // template with {name}; NULL: the default
  const char *ca_subject;           // template with {name}; NULL: the default
  const char *only;          // comma list of case or defect names; NULL: all
  const char *exclude;       // comma list of case or defect names; NULL: none
  const char *p12_password;  // password for identity.p12; NULL: "mtlskit"
  // Where |p12_password| came from ("env:VAR", "file:PATH"). The manifest
  // records it, never the password itself (unless that is the built-in
  // default), so a refresh can read it again; NULL: not recorded.
  const char *p12_source;
  unsigned crl_days;  // lifetime of the current CRLs; 0: 365 days
  // An existing mtlskit / openssl ca directory whose CA plays the set's
  // root: it signs what the root would (its key is used, never copied; the
  // directory is only read). NULL: the set's own root.
  const char *ca_dir;
  const char *ca_password;         // decrypts its key; NULL: not encrypted
  const char *ca_password_source;  // recorded like p12_source
  bool force;       // replace an existing fixture set (moved aside)
  bool refresh;     // keep the keys, CA certificates and CRLs of |dir|
  bool renew_crls;  // refresh: new current CRLs even if the kept ones serve
};

// Why the current CRLs of a refreshed set are what they are.
enum mtk_fixtures_crl_state {
  MTK_FIXTURES_CRL_NEW,      // a new set: install trust/ and crl/
  MTK_FIXTURES_CRL_KEPT,     // the previous CRLs still serve: byte-identical
  MTK_FIXTURES_CRL_RENEWED,  // renewed on request; the old ones still serve
  MTK_FIXTURES_CRL_EXPIRED,  // the previous CRLs were past nextUpdate (or
                             // not yet valid) at |now|: endpoints are stale
  MTK_FIXTURES_CRL_CHANGED,  // the previous CRLs list other revocations (or
                             // are missing): endpoints are stale
};

// What a build did, for the command to report.
struct mtk_fixtures_result {
  size_t num_cases;
  enum mtk_fixtures_crl_state crl_state;
  time_t crl_next_update;      // earliest nextUpdate of the current CRLs
  time_t old_crl_next_update;  // the same for the previous set (0: none)
  char reupload[1024];         // files endpoints must be given again,
                               // space-separated ("" when none)
  char replaced[4200];         // --force: where the previous set now is
  size_t stale_removed;        // partial DIR.new-* of killed builds removed
  char stale_kept[4200];       // a whole set a killed build left, kept here
  char excluded[1024];         // with ca_dir: cases left out because the CA's
                        // pathLenConstraint allows no CA as deep as theirs
  int ca_room;  // with ca_dir: how many CAs it allows below it
};

// mtk_fixtures_config_init sets the defaults: P-256 everywhere, every case,
// now = time(NULL).
void mtk_fixtures_config_init(struct mtk_fixtures_config *config);

// mtk_fixtures_build builds the fixture set |config| describes and returns
// 0, or a negative code with a one-line reason in |diag|: MTK_EUSAGE for a
// selection that matches no case or an unknown name, for a |config->dir|
// that holds a fixture set when neither refresh nor force is set, and for
// one that holds anything else (a CA directory, files without a fixture
// manifest) whatever the flags; MTK_ENOENT when refreshing a directory
// without a manifest; or an I/O or crypto error. On failure the directory
// is as it was. Nothing is ever deleted: with |force| the previous set is
// renamed to DIR.replaced-TIME (named in out->replaced). A build first
// recovers what killed builds of DIR left beside it (out->stale_removed,
// out->stale_kept; see docs/fixtures.md). |out| (may be
// NULL) receives what the build did. With |ca_dir|, MTK_ENOENT /
// MTK_ECORRUPT / MTK_EBADPASS come from opening that CA.
MTK_MUST_CHECK int mtk_fixtures_build(const struct mtk_fixtures_config *config,
                                      struct mtk_fixtures_result *out,
                                      struct mtk_diag *diag);

// mtk_fixtures_case_count returns how many cases the full catalogue has.
size_t mtk_fixtures_case_count(void);

// mtk_fixtures_case_name returns the name of catalogue case |i|, or NULL.
const char *mtk_fixtures_case_name(size_t i);

#ifdef __cplusplus
}
#endif

#endif  // MTK_HEADER_FIXTURES_H
