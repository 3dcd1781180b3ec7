// Certificate building from an explicit specification.
//
// The CA commands and the fixture PKI build every certificate through
// mtk_cert_build, which writes the TBSCertificate with CBB exactly as
// struct mtk_cert_spec says: nothing is added, fixed up or refused behind
// the caller's back. mtk_cert_spec_init_* fill in the RFC 5280 defaults the
// CA uses; fixtures then change single fields to get a deliberately broken
// certificate (expired, serverAuth only, SHA-1, v1, unknown critical
// extension, GeneralizedTime before 2050, ...).
//
// Extensions are written in this order: basicConstraints, keyUsage,
// extendedKeyUsage, subjectKeyIdentifier, authorityKeyIdentifier,
// subjectAltName, then |extra| in the order given.
#ifndef MTK_HEADER_X509_CERT_H
#define MTK_HEADER_X509_CERT_H

#include <openssl/base.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "mtlskit/diag.h"
#include "mtlskit/x509_key.h"
#include "mtlskit/x509_name.h"
#include "mtlskit/x509_san.h"
#include "mtlskit/x509_time.h"

#ifdef __cplusplus
extern "C" {
#endif

// keyUsage bits (RFC 5280 4.2.1.3), as a mask.
#define MTK_KU_DIGITAL_SIGNATURE (1u << 0)
#define MTK_KU_NON_REPUDIATION (1u << 1)
#define MTK_KU_KEY_ENCIPHERMENT (1u << 2)
#define MTK_KU_DATA_ENCIPHERMENT (1u << 3)
#define MTK_KU_KEY_AGREEMENT (1u << 4)
#define MTK_KU_KEY_CERT_SIGN (1u << 5)
#define MTK_KU_CRL_SIGN (1u << 6)
#define MTK_KU_ENCIPHER_ONLY (1u << 7)
#define MTK_KU_DECIPHER_ONLY (1u << 8)

// extendedKeyUsage purposes, as a mask; written in this bit order.
#define MTK_EKU_SERVER_AUTH (1u << 0)
#define MTK_EKU_CLIENT_AUTH (1u << 1)
#define MTK_EKU_CODE_SIGNING (1u << 2)
#define MTK_EKU_EMAIL_PROTECTION (1u << 3)
#define MTK_EKU_OCSP_SIGNING (1u << 4)
#define MTK_EKU_ANY (1u << 5)

// The maximum serial length the builder accepts (fixtures may exceed
// RFC 5280's 20 octets to test parsers).
#define MTK_SERIAL_MAX 40

// How an extension appears: absent, or present with a criticality.
enum mtk_ext_mode {
  MTK_EXT_OMIT,
  MTK_EXT_NONCRITICAL,
  MTK_EXT_CRITICAL,
};

// basicConstraints content.
enum mtk_bc {
  MTK_BC_LEAF,  // cA FALSE (encoded as an empty SEQUENCE, DER default)
  MTK_BC_CA,    // cA TRUE, with pathLenConstraint if pathlen >= 0
};

// An extra extension, written verbatim.
struct mtk_raw_ext {
  const char *oid;  // dotted text, "1.3.6.1.4.1.11129.2.4.2"
  bool critical;
  const uint8_t *value;  // DER of the extnValue contents
  size_t value_len;
};

struct mtk_cert_spec {
  // Version: 3 (the default) or 1. A v1 certificate has no extensions
  // field at all, whatever the extension fields below say.
  int version;

  // Serial number: |serial_len| bytes of INTEGER contents, written as
  // given (so fixtures can make zero, negative, non-minimal or 21-octet
  // serials). serial_len == 0 means: generate 16 random bytes with the top
  // bit cleared and a non-zero first byte (a positive, minimally encoded,
  // 16-octet serial with 127 bits of entropy) and store them back here.
  uint8_t serial[MTK_SERIAL_MAX];
  size_t serial_len;

  const struct mtk_dn *subject;  // required
  EVP_PKEY *public_key;          // the key being certified; required
  // |public_key| already encoded (mtk_key_spki), or NULL to encode it here;
  // a batch that also writes a CSR for the key encodes it once.
  const uint8_t *public_key_der;
  size_t public_key_der_len;

  // Issuer certificate (its subject becomes the issuer name; its SKI, or
  // the SHA-1 of its key, the AKI) or NULL for self-signed, in which case
  // the issuer name is |subject| and the AKI the subject's own key id.
  X509 *issuer;
  // The issuer name to write when |issuer| is NULL and the certificate is
  // not meant to be self-issued (fixtures); NULL: use |subject|.
  const struct mtk_dn *issuer_name;
  EVP_PKEY *signing_key;   // required
  enum mtk_digest digest;  // MTK_DIGEST_DEFAULT is SHA-256

  time_t not_before, not_after;          // any values, past or future
  enum mtk_time_encoding time_encoding;  // MTK_TIME_AUTO (RFC 5280)

  enum mtk_ext_mode basic_constraints_mode;
  enum mtk_bc basic_constraints;
  int pathlen;  // < 0: no pathLenConstraint

  enum mtk_ext_mode key_usage_mode;
  unsigned key_usage;  // MTK_KU_* mask

  enum mtk_ext_mode eku_mode;
  unsigned eku;  // MTK_EKU_* mask; 0 writes an empty
                 // SEQUENCE (invalid: a fixture)

  enum mtk_ext_mode ski_mode;  // subjectKeyIdentifier (SHA-1 method 1)
  enum mtk_ext_mode aki_mode;  // authorityKeyIdentifier keyIdentifier

  enum mtk_ext_mode san_mode;      // written only if |san| has entries
  const struct mtk_san_list *san;  // may be NULL

  const struct mtk_raw_ext *extra;  // may be NULL
  size_t num_extra;
};

// Certificate profiles for mtk_cert_spec_init.
enum mtk_cert_profile {
  MTK_PROFILE_CLIENT,  // critical CA:FALSE; critical KU digitalSignature,
                       // nonRepudiation (+ keyEncipherment for RSA keys);
                       // EKU clientAuth; SKI; AKI
  MTK_PROFILE_SERVER,  // the same with EKU serverAuth
  MTK_PROFILE_CA,      // critical CA:TRUE with |pathlen|; critical KU
                       // digitalSignature, keyCertSign, cRLSign; no EKU;
                       // SKI; AKI
};

// mtk_cert_spec_init sets |spec| to the defaults of |profile|: version 3, a
// random serial, SHA-256, RFC 5280 time encoding and the extensions listed
// above, pathlen -1 (MTK_PROFILE_CA callers set it). The caller still sets
// subject, keys, issuer, validity and SANs. |public_key| decides
// keyEncipherment and may be NULL (then it is not added).
void mtk_cert_spec_init(struct mtk_cert_spec *spec,
                        enum mtk_cert_profile profile,
                        const EVP_PKEY *public_key);

// mtk_cert_profile_from_name parses "client", "server" (and "ca"). It
// returns 0 or MTK_EPARSE.
MTK_MUST_CHECK int mtk_cert_profile_from_name(const char *name,
                                              enum mtk_cert_profile *out);

// mtk_serial_random fills |out| with a fresh 16-byte serial as described
// for mtk_cert_spec.serial and sets *out_len to 16. It returns 0 or
// MTK_ECRYPTO.
MTK_MUST_CHECK int mtk_serial_random(uint8_t *out, size_t *out_len);

// mtk_serial_hex writes |serial| as upper-case hex without leading zero
// bytes, two digits per byte ("01AB" stays "01AB", "00FF" becomes "FF"),
// the form `openssl ca` uses in index.txt and newcerts/. A zero serial is
// "00". |out| needs 2 * len + 3 bytes. It returns 0 or MTK_ERANGE.
MTK_MUST_CHECK int mtk_serial_hex(const uint8_t *serial, size_t len, char *out,
                                  size_t out_len);

// mtk_serial_from_hex parses hex (either case, odd length allowed, leading
// zeros ignored) into minimal positive INTEGER contents in |out| (a 0x00
// byte is prefixed when the top bit would be set). It returns 0 or
// MTK_EPARSE.
MTK_MUST_CHECK int mtk_serial_from_hex(const char *hex, uint8_t *out,
                                       size_t out_cap, size_t *out_len);

// mtk_cert_build builds and signs the certificate |spec| describes and
// writes its DER to *out (free with OPENSSL_free). When spec->serial_len is
// 0 it first generates a serial and stores it in |spec|. It returns 0, or
// MTK_EINVAL for a spec missing a required field, MTK_EUNSUPPORTED for an
// unsupported key, MTK_ERANGE for an unencodable time, MTK_ECRYPTO.
MTK_MUST_CHECK int mtk_cert_build(struct mtk_cert_spec *spec, uint8_t **out,
                                  size_t *out_len, struct mtk_diag *diag);

// mtk_cert_parse parses DER into a new X509 (free with X509_free). It
// returns 0 or MTK_EPARSE.
MTK_MUST_CHECK int mtk_cert_parse(const uint8_t *der, size_t der_len,
                                  X509 **out);

// mtk_cert_serial_hex writes the serial of |cert| like mtk_serial_hex. It
// returns 0 or MTK_ERANGE.
MTK_MUST_CHECK int mtk_cert_serial_hex(const X509 *cert, char *out,
                                       size_t out_len);

#ifdef __cplusplus
}
#endif

#endif  // MTK_HEADER_X509_CERT_H
