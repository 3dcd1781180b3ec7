// Client identities parsed once per run: the certificate chain and key of
// a fixture case, decoded from PEM a single time and installed into each
// attempt's SSL_CTX through CURLOPT_SSL_CTX_FUNCTION. With OpenSSL 3 the
// PEM decoders cost about 0.6 ms per load, more than the rest of a
// loopback attempt, so loading per attempt (what CURLOPT_SSLCERT does)
// would dominate a run. What is sent is the leaf followed by the chain
// certificates in file order, exactly: unlike curl --cert, no chain is
// built from the server-CA bundle for a file that holds only the leaf.
//
// This module and albexpect.c are the ones in the probe that call OpenSSL
// directly (Debian's OpenSSL 3, the one libcurl links; never BoringSSL).
#ifndef MTK_PROBE_IDENTITY_H
#define MTK_PROBE_IDENTITY_H

#include <openssl/x509.h>

#include "mtlskit/diag.h"

#ifdef __cplusplus
extern "C" {
#endif

struct mtk_probe_identity;

// mtk_probe_identity_load parses the PEM certificate chain at |cert_path|
// (leaf first) and the private key at |key_path|, and checks that they
// match. It returns 0 and sets *out (free with mtk_probe_identity_free),
// or MTK_ENOENT / MTK_EPARSE with OpenSSL's reason in |diag|.
MTK_MUST_CHECK int mtk_probe_identity_load(const char *cert_path,
                                           const char *key_path,
                                           struct mtk_probe_identity **out,
                                           struct mtk_diag *diag);

// mtk_probe_identity_free frees |id|. NULL is allowed.
void mtk_probe_identity_free(struct mtk_probe_identity *id);

// mtk_probe_identity_apply installs |id| into the OpenSSL SSL_CTX
// |ssl_ctx| (as handed to a CURLOPT_SSL_CTX_FUNCTION callback) and turns
// off automatic chain building (SSL_MODE_NO_AUTO_CHAIN). If the
// context's security level refuses the certificate (RSA-1024, SHA-1
// signature), that context is lowered to level 0 so the fixture is still
// presented and the server decides. It returns 0, or MTK_ECRYPTO if
// OpenSSL refuses it even then.
MTK_MUST_CHECK int mtk_probe_identity_apply(const struct mtk_probe_identity *id,
                                            void *ssl_ctx);

// mtk_probe_identity_leaf returns the leaf certificate of |id| (borrowed,
// valid as long as |id|).
X509 *mtk_probe_identity_leaf(const struct mtk_probe_identity *id);

// mtk_probe_identity_chain returns the certificates |id| sends after the
// leaf, in file order (borrowed, possibly empty, valid as long as |id|).
const STACK_OF(X509) *
    mtk_probe_identity_chain(const struct mtk_probe_identity *id);

// mtk_probe_identity_describe writes the subjects of the certificates |id|
// sends, leaf first, in RFC 2253 form, one per line, into |out| and sets
// *out_count to their number. A subject that does not fit is cut (the
// text stays NUL-terminated).
void mtk_probe_identity_describe(const struct mtk_probe_identity *id, char *out,
                                 size_t out_len, size_t *out_count);

#ifdef __cplusplus
}
#endif

#endif  // MTK_PROBE_IDENTITY_H
