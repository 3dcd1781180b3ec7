// Certificate revocation lists (RFC 5280 section 5).
//
// mtk_crl_build writes exactly what struct mtk_crl_spec says. The defaults
// from mtk_crl_spec_init are a conformant v2 CRL: nextUpdate present,
// authorityKeyIdentifier and CRLNumber present and non-critical, reason
// codes as non-critical entry extensions (none for "unspecified", as 5.3.1
// recommends), and no revokedCertificates field at all when nothing is
// revoked (5.1.2.6: never an empty SEQUENCE). Fixtures flip single fields.
#ifndef MTK_HEADER_X509_CRL_H
#define MTK_HEADER_X509_CRL_H

#include <openssl/base.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "mtlskit/diag.h"
#include "mtlskit/x509_cert.h"

#ifdef __cplusplus
extern "C" {
#endif

// CRLReason values (RFC 5280 5.3.1). MTK_REASON_NONE: no reason recorded.
enum mtk_crl_reason {
  MTK_REASON_NONE = -1,
  MTK_REASON_UNSPECIFIED = 0,
  MTK_REASON_KEY_COMPROMISE = 1,
  MTK_REASON_CA_COMPROMISE = 2,
  MTK_REASON_AFFILIATION_CHANGED = 3,
  MTK_REASON_SUPERSEDED = 4,
  MTK_REASON_CESSATION_OF_OPERATION = 5,
  MTK_REASON_CERTIFICATE_HOLD = 6,
  MTK_REASON_REMOVE_FROM_CRL = 8,
  MTK_REASON_PRIVILEGE_WITHDRAWN = 9,
  MTK_REASON_AA_COMPROMISE = 10,
};

struct mtk_crl_entry {
  uint8_t serial[MTK_SERIAL_MAX];  // INTEGER contents
  size_t serial_len;
  time_t revoked_at;
  int reason;  // enum mtk_crl_reason
};

struct mtk_crl_spec {
  int version;   // 2 (default) or 1 (no version field)
  X509 *issuer;  // issuer name and AKI come from it
  EVP_PKEY *signing_key;
  enum mtk_digest digest;
  time_t this_update;
  time_t next_update;
  bool omit_next_update;
  enum mtk_time_encoding time_encoding;
  uint8_t crl_number[MTK_SERIAL_MAX];  // INTEGER contents
  size_t crl_number_len;
  enum mtk_ext_mode crl_number_mode;
  enum mtk_ext_mode aki_mode;
  // Entries with reason MTK_REASON_UNSPECIFIED get a reasonCode extension
  // only when this is set (a fixture: RFC 5280 says SHOULD be absent).
  bool write_unspecified_reason;
  bool empty_revoked_sequence;  // fixture: empty SEQUENCE if no entries
  const struct mtk_crl_entry *entries;
  size_t num_entries;
};

// mtk_crl_spec_init sets the conformant defaults described above; the
// caller sets issuer, signing_key, times, CRL number and entries.
void mtk_crl_spec_init(struct mtk_crl_spec *spec);

// mtk_crl_reason_from_name parses the names `openssl ca -crl_reason` and
// index.txt use ("keyCompromise", "CACompromise", "superseded", ...),
// case-insensitively. It returns 0 or MTK_EPARSE.
MTK_MUST_CHECK int mtk_crl_reason_from_name(const char *name, int *out);

// mtk_crl_reason_name returns the index.txt name of |reason|, or NULL.
const char *mtk_crl_reason_name(int reason);

// mtk_crl_build builds and signs the CRL |spec| describes; the DER goes to
// *out (free with OPENSSL_free). It returns 0 or a negative MTK_E* code.
MTK_MUST_CHECK int mtk_crl_build(const struct mtk_crl_spec *spec, uint8_t **out,
                                 size_t *out_len, struct mtk_diag *diag);

#ifdef __cplusplus
}
#endif

#endif  // MTK_HEADER_X509_CRL_H
