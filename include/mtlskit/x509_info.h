// What a certificate says, in the words people look for: subject, issuer,
// serial, validity, SANs, key usages, key type and size, fingerprints.
// `mtlskit ca show` prints it; the strings match what `openssl x509 -text`
// and `-fingerprint` print for the same fields, so the two can be compared.
#ifndef MTK_HEADER_X509_INFO_H
#define MTK_HEADER_X509_INFO_H

#include <openssl/base.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "mtlskit/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MTK_INFO_MAX_ITEMS 64

struct mtk_cert_info {
  char *subject;  // X509_NAME_oneline form, as index.txt records it
  char *issuer;
  char serial[2 * 20 + 3];  // upper-case hex, as index.txt records it
  time_t not_before, not_after;
  // "DNS:x", "IP:192.0.2.1", "email:a@b", "URI:spiffe://x", "othername"
  char *sans[MTK_INFO_MAX_ITEMS];
  size_t num_sans;
  // key usage bit names as openssl prints them ("Digital Signature")
  const char *key_usage[9];
  size_t num_key_usage;
  // EKU short names ("clientAuth") or dotted OIDs
  char *eku[MTK_INFO_MAX_ITEMS];
  size_t num_eku;
  bool is_ca;           // basicConstraints cA
  char key_type[16];    // "RSA", "EC", "Ed25519", "unknown"
  char key_curve[16];   // "P-256", "P-384", "P-521" for EC, else ""
  unsigned key_bits;    // modulus or field size
  char sha256[3 * 32];  // "AB:CD:..." as openssl x509 -fingerprint
  char sha1[3 * 20];
};

// mtk_cert_info_get fills |out| from |cert|. It returns 0 or MTK_ENOMEM;
// release |out| with mtk_cert_info_cleanup in every case.
MTK_MUST_CHECK int mtk_cert_info_get(X509 *cert, struct mtk_cert_info *out);

// mtk_cert_info_cleanup frees what mtk_cert_info_get allocated.
void mtk_cert_info_cleanup(struct mtk_cert_info *info);

#ifdef __cplusplus
}
#endif

#endif  // MTK_HEADER_X509_INFO_H
