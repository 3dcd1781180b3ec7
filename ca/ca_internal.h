// What the CA's modules share and nothing else uses. Private to mtk_ca.
#ifndef MTK_CA_INTERNAL_H
#define MTK_CA_INTERNAL_H

#include <openssl/base.h>

#include "mtlskit/ca.h"

// The extensions a named profile gives one certificate, ready for
// mtk_cert_spec.extra: they point into |holder| and |san_der|.
struct ca_profile_exts {
  struct mtk_raw_ext v[33];
  char oids[32][80];
  size_t num;
  X509 *holder;  // the scratch certificate the x509v3 code wrote them to
  uint8_t *san_der;
  size_t san_len;
};

// ca_profile_exts_make applies profile |p| for a certificate of
// |subject_key| issued by |issuer|, then appends |san| (may be NULL)
// unless the profile writes subjectAltName itself (then a non-empty |san|
// is MTK_EUSAGE). Release |out| with ca_profile_exts_cleanup in every case.
MTK_MUST_CHECK int ca_profile_exts_make(const struct mtk_ca_profile *p,
                                        X509 *issuer, EVP_PKEY *subject_key,
                                        const struct mtk_san_list *san,
                                        struct ca_profile_exts *out,
                                        struct mtk_diag *diag);

// ca_profile_exts_cleanup releases what ca_profile_exts_make made.
void ca_profile_exts_cleanup(struct ca_profile_exts *x);

#endif  // MTK_CA_INTERNAL_H
