// Private to mtk_verify: mtlskit's emulation of Go's client-certificate
// verification, as Go 1.19.8 (the Go of Debian bookworm's Caddy 2.6.2)
// runs it in a crypto/tls server with tls.RequireAndVerifyClientCert.
// BoringSSL decodes the certificates and checks the signatures; the rules
// (which certificate Go can parse, how it builds and judges chains) follow
// Go's sources, named at each function. docs/verify.md lists what is exact
// and what is approximated.
#ifndef MTK_VERIFY_VERIFY_GO_H
#define MTK_VERIFY_VERIFY_GO_H

#include <openssl/x509v3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "mtlskit/verify.h"
#include "verify_internal.h"

// The Go version whose rules are emulated.
#define VERIFY_GO_VERSION "1.19.8"

// Go's public key algorithms (x509.PublicKeyAlgorithm).
enum go_key_alg {
  GO_KEY_UNKNOWN,
  GO_KEY_RSA,
  GO_KEY_DSA,
  GO_KEY_ECDSA,
  GO_KEY_ED25519
};

// What checkSignature (x509.go) makes of a signature algorithm.
enum go_sig_class {
  GO_SIG_OK,           // a hash Go verifies with, or Ed25519
  GO_SIG_INSECURE,     // MD5 or SHA-1: InsecureAlgorithmError
  GO_SIG_UNSUPPORTED,  // not in signatureAlgorithmDetails: ErrUnsupported...
};

// A certificate as Go's parser (parser.go, parseCertificate and
// processExtensions) leaves it: the fields verify.go reads.
struct go_cert {
  X509 *x509;    // borrowed
  uint8_t *raw;  // the DER (Certificate.Raw)
  size_t raw_len;
  uint8_t *subject;  // RawSubject
  size_t subject_len;
  uint8_t *issuer;  // RawIssuer
  size_t issuer_len;
  int version;    // 1..3
  bool bc_valid;  // BasicConstraintsValid
  bool is_ca;
  long max_path_len;        // -1: none
  unsigned key_usage;       // Go's KeyUsage bits (1<<5 certSign); 0 = none
  bool unhandled_critical;  // UnhandledCriticalExtensions not empty
  char unhandled_oid[64];
  bool has_eku;  // ExtKeyUsage or UnknownExtKeyUsage not empty
  bool eku_any, eku_client;
  const ASN1_OCTET_STRING *skid, *akid;  // NULL when absent
  GENERAL_NAMES *san;                    // NULL when there is no SAN extension
  const ASN1_OCTET_STRING *san_value;    // the SAN extension's raw value
  NAME_CONSTRAINTS *nc;  // NULL when there is no nameConstraints
  enum go_key_alg key_alg;
  EVP_PKEY *key;  // NULL for GO_KEY_UNKNOWN
  enum go_sig_class sig_class;
  enum go_key_alg sig_key_alg;  // the key type the signature needs
  time_t not_before, not_after;
};

// go_cert_parse fills |out| for |x509| as Go's x509.ParseCertificate would.
// It returns false when Go refuses to parse the certificate, with Go's
// message in |why|. go_cert_cleanup frees |out| either way.
bool go_cert_parse(X509 *x509, struct go_cert *out, char *why, size_t why_len);
void go_cert_cleanup(struct go_cert *cert);

// go_domain_labels: domainToReverseLabels (verify.go) accepts |s|.
bool go_domain_labels(const char *s, size_t len);

// go_mailbox_parse: parseRFC2821Mailbox (verify.go); |local| (at least
// |len| + 1 bytes) receives the unescaped local part, |*domain| points
// into |s|.
bool go_mailbox_parse(const char *s, size_t len, char *local,
                      const char **domain, size_t *domain_len);

// go_uri_host: the host of a URI as net/url leaves it in URL.Host (with a
// port, without user info); false when the URI has no authority.
static inline bool go_uri_host(const char *uri, size_t len, const char **host,
                               size_t *host_len) {
  return verify_uri_authority((const uint8_t *)uri, len, (const uint8_t **)host,
                              host_len);
}

// go_check_name_constraints applies the name constraints of |ca| to the
// SANs of |named| (isValid in verify.go: the leaf's and the CA's own). It
// returns true, or false with Go's message in |why|.
bool go_check_name_constraints(const struct go_cert *ca,
                               const struct go_cert *named, int *count,
                               char *why, size_t why_len);

// verify_go decides as mtk_verify_client_cert does, with Go's rules.
int verify_go(const struct mtk_verify_config *config, X509 *leaf,
              STACK_OF(X509) * chain, STACK_OF(X509) * trusted,
              struct mtk_verify_result *out, struct mtk_diag *diag);

#endif  // MTK_VERIFY_VERIFY_GO_H
