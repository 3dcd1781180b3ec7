// The fixture PKI: good and deliberately broken client identities, made by
// the X.509 toolkit (mtk_x509), with a manifest that says what each one is.
//
// mtk_fixtures_build writes, under one directory:
//   manifest.json        what every case is (docs/fixtures-manifest.md)
//   ca/NAME.cert.pem     the CAs (root, intermediate, wrong root, and the
//   ca/NAME.key.pem      special CAs broken cases need); keys are 0600
//   trust/*.pem          trust bundles (root only; intermediate + root)
//   crl/*.pem            CRLs: one per CA, and one file per trust variant
//   server/              a server identity for localhost, 127.0.0.1, ::1
//   cases/NAME/          cert.pem (leaf, then the intermediates the client
//                        sends), key.pem, identity.p12
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
  const char *p12_password;  // password for identity.p12 (not a secret:
                             // fixtures are test material); NULL: "mtlskit"
  bool force;                // replace a directory that is not a fixture set
  bool refresh;              // keep the keys and CA certificates of |dir|
};

// mtk_fixtures_config_init sets the defaults: P-256 everywhere, every case,
// now = time(NULL).
void mtk_fixtures_config_init(struct mtk_fixtures_config *config);

// mtk_fixtures_build builds the fixture set |config| describes and returns
// 0, or a negative code with a one-line reason in |diag|: MTK_EUSAGE for a
// selection that matches no case or an unknown name, MTK_EEXIST when
// |config->dir| holds something other than a fixture set and !force,
// MTK_ENOENT when refreshing a directory without a manifest, or an I/O or
// crypto error. On failure the directory is as it was. *out_num_cases (may
// be NULL) receives the number of cases built.
MTK_MUST_CHECK int mtk_fixtures_build(const struct mtk_fixtures_config *config,
                                      size_t *out_num_cases,
                                      struct mtk_diag *diag);

// mtk_fixtures_case_count returns how many cases the full catalogue has.
size_t mtk_fixtures_case_count(void);

// mtk_fixtures_case_name returns the name of catalogue case |i|, or NULL.
const char *mtk_fixtures_case_name(size_t i);

#ifdef __cplusplus
}
#endif

#endif  // MTK_HEADER_FIXTURES_H
