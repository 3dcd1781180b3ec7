// Trust material: the certificates and CRLs a server is given.
//
// A bundle file is what users upload to a trust store: PEM certificates (and,
// for CRL files, PEM or DER CRLs). mtk_bundle_load reads every certificate
// and CRL in a file; it does not judge the file's layout (that is lint's
// job, see lint.h).
#ifndef MTK_HEADER_BUNDLE_H
#define MTK_HEADER_BUNDLE_H

#include <openssl/x509.h>

#include "mtlskit/diag.h"

#ifdef __cplusplus
extern "C" {
#endif

struct mtk_bundle {
  STACK_OF(X509) * certs;     // in file order
  STACK_OF(X509_CRL) * crls;  // in file order
};

// mtk_bundle_init sets |bundle| to the empty state (two empty stacks). It
// returns 0 or MTK_ENOMEM.
MTK_MUST_CHECK int mtk_bundle_init(struct mtk_bundle *bundle);

// mtk_bundle_cleanup frees everything |bundle| holds. It accepts a bundle
// whose init failed or that was zeroed.
void mtk_bundle_cleanup(struct mtk_bundle *bundle);

// mtk_bundle_add_file appends the certificates and CRLs in |path| to
// |bundle|. PEM files may hold both; a file that is not PEM is read as one
// DER certificate or CRL. It returns 0, a -errno for I/O errors, or
// MTK_EPARSE (with the file named in |diag|) when the file holds neither.
MTK_MUST_CHECK int mtk_bundle_add_file(struct mtk_bundle *bundle,
                                       const char *path, struct mtk_diag *diag);

#ifdef __cplusplus
}
#endif

#endif  // MTK_HEADER_BUNDLE_H
