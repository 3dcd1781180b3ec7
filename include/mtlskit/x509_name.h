// Distinguished names in the openssl one-line form users type:
// "/C=JP/ST=Osaka/L=Osaka/O=webservicename/OU=Internal Client/CN=x".
//
// Syntax: one or more "/TYPE=VALUE" pairs. TYPE is a short or long
// attribute name (C, ST, L, O, OU, CN, emailAddress, serialNumber, DC, UID,
// title, GN, SN, street, postalCode, ...) or a dotted OID ("2.5.4.97").
// In VALUE a backslash escapes the next character, so "\/" is a slash and
// "\\" a backslash. Empty values, unknown types, a missing '=', a trailing
// backslash and values outside the X.520 upper bounds (C exactly 2
// printable characters, CN/O/OU at most 64, ...) are errors.
//
// Encoding follows `openssl req` with `string_mask = utf8only`: C and
// serialNumber as PrintableString, emailAddress and DC as IA5String,
// everything else UTF8String, one attribute per RDN, in the order given.
#ifndef MTK_HEADER_X509_NAME_H
#define MTK_HEADER_X509_NAME_H

#include <openssl/base.h>
#include <openssl/x509.h>
#include <stddef.h>
#include <stdint.h>

#include "mtlskit/diag.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MTK_DN_MAX_ATTRS 32

struct mtk_dn_attr {
  uint8_t oid[32];  // DER contents of the OBJECT IDENTIFIER
  size_t oid_len;
  int tag;      // CBS_ASN1_UTF8STRING, CBS_ASN1_PRINTABLESTRING, ...
  char *value;  // owned, NUL-terminated
  size_t value_len;
};

// A parsed name. Initialise with mtk_dn_init, release with mtk_dn_cleanup.
struct mtk_dn {
  size_t num_attrs;
  struct mtk_dn_attr attrs[MTK_DN_MAX_ATTRS];
};

// mtk_dn_init sets |dn| to the empty name.
void mtk_dn_init(struct mtk_dn *dn);

// mtk_dn_cleanup frees the values in |dn| and empties it.
void mtk_dn_cleanup(struct mtk_dn *dn);

// mtk_dn_parse parses |text| into |out| (which must be empty). It returns
// 0, MTK_EPARSE with a one-line reason in |diag|, or MTK_ENOMEM. On failure
// |out| is left empty.
MTK_MUST_CHECK int mtk_dn_parse(const char *text, struct mtk_dn *out,
                                struct mtk_diag *diag);

// mtk_dn_check applies the name policy mtk_dn_parse applies to typed
// names to |dn| (one copied from a CSR, say), with the same messages: each
// attribute must have the string type mtk_dn_parse would give it (or
// PrintableString for a UTF8String type), valid characters for it, no
// control characters, and a length within its X.520 bounds. It returns 0
// or MTK_EPARSE.
MTK_MUST_CHECK int mtk_dn_check(const struct mtk_dn *dn, struct mtk_diag *diag);

// mtk_dn_add appends one attribute with an explicit string |tag| and no
// bounds checks (fixtures use it for deliberately odd names). It returns 0,
// MTK_EPARSE for a bad |type| or MTK_ERANGE when |dn| is full.
MTK_MUST_CHECK int mtk_dn_add(struct mtk_dn *dn, const char *type, int tag,
                              const char *value, size_t value_len);

// mtk_dn_marshal appends |dn| as a DER Name to |cbb|. It returns 0 or
// MTK_ENOMEM.
MTK_MUST_CHECK int mtk_dn_marshal(CBB *cbb, const struct mtk_dn *dn);

// mtk_dn_from_x509_name copies |name| (a parsed certificate or CSR name,
// an X509_NAME) into |out|, which must be empty, keeping each attribute's
// OID, string type and bytes. It returns 0, MTK_ERANGE or MTK_ENOMEM.
MTK_MUST_CHECK int mtk_dn_from_x509_name(const X509_NAME *name,
                                         struct mtk_dn *out);

// mtk_dn_get_cn returns the first commonName value of |dn|, or NULL.
const char *mtk_dn_get_cn(const struct mtk_dn *dn);

#ifdef __cplusplus
}
#endif

#endif  // MTK_HEADER_X509_NAME_H
