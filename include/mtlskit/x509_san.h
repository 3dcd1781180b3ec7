// subjectAltName entries in the openssl form users type:
// "DNS:www.example.com,IP:192.0.2.1,IP:2001:db8::1,email:a@example.com,
// URI:spiffe://example.com/x". Entries are separated by commas; the type
// prefix is case-insensitive (DNS, IP, email, URI). Errors: an unknown
// type, an empty value, a DNS name with characters outside
// [A-Za-z0-9-.*_] or an empty label, an IP that is not IPv4 or IPv6, an
// email without exactly one '@' and a non-empty local part and domain, a
// URI without a scheme.
#ifndef MTK_HEADER_X509_SAN_H
#define MTK_HEADER_X509_SAN_H

#include <openssl/base.h>
#include <stddef.h>
#include <stdint.h>

#include "mtlskit/diag.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MTK_SAN_MAX 64

// The longest URI entry accepted.
#define MTK_SAN_URI_MAX 2048

enum mtk_san_type {
  MTK_SAN_DNS,    // dNSName [2]
  MTK_SAN_IP,     // iPAddress [7], 4 or 16 bytes
  MTK_SAN_EMAIL,  // rfc822Name [1]
  MTK_SAN_URI,    // uniformResourceIdentifier [6]
};

struct mtk_san {
  enum mtk_san_type type;
  uint8_t *value;  // owned; text for DNS/email/URI, address bytes for IP
  size_t value_len;
};

struct mtk_san_list {
  size_t num;
  struct mtk_san entries[MTK_SAN_MAX];
};

// mtk_san_list_init empties |list|.
void mtk_san_list_init(struct mtk_san_list *list);

// mtk_san_list_cleanup frees the entries of |list| and empties it.
void mtk_san_list_cleanup(struct mtk_san_list *list);

// mtk_san_parse appends the entries of |text| to |list|. It returns 0,
// MTK_EPARSE with the reason in |diag|, MTK_ERANGE when more than
// MTK_SAN_MAX entries result, or MTK_ENOMEM. On failure |list| keeps only
// the entries it had before the call.
MTK_MUST_CHECK int mtk_san_parse(const char *text, struct mtk_san_list *list,
                                 struct mtk_diag *diag);

// mtk_san_check applies the SAN policy mtk_san_parse applies to typed
// entries to every entry of |list| (one copied from a CSR, say), with the
// same messages ("SAN 'DNS:a b': not a DNS name"; bytes that are not
// printable ASCII are shown as \xHH). IP entries must be 4 or 16 bytes.
// It returns 0 or MTK_EPARSE.
MTK_MUST_CHECK int mtk_san_check(const struct mtk_san_list *list,
                                 struct mtk_diag *diag);

// mtk_san_add appends one entry (a copy of |value|) without validation, for
// fixtures and for SANs copied from a CSR. It returns 0 or MTK_ERANGE /
// MTK_ENOMEM.
MTK_MUST_CHECK int mtk_san_add(struct mtk_san_list *list,
                               enum mtk_san_type type, const uint8_t *value,
                               size_t value_len);

// mtk_san_marshal appends the GeneralNames SEQUENCE of |list| to |cbb|. It
// returns 0 or MTK_ENOMEM.
MTK_MUST_CHECK int mtk_san_marshal(CBB *cbb, const struct mtk_san_list *list);

// mtk_san_unmarshal parses a GeneralNames SEQUENCE (the extnValue of a
// subjectAltName) from |cbs| and appends its DNS, IP, email and URI entries
// to |list|; other name forms are skipped. It returns 0 or MTK_EPARSE.
MTK_MUST_CHECK int mtk_san_unmarshal(CBS *cbs, struct mtk_san_list *list);

#ifdef __cplusplus
}
#endif

#endif  // MTK_HEADER_X509_SAN_H
