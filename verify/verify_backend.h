// The verifier behind `mtlskit verify`. verify_main.c (argument parsing,
// loading, output) is compiled into two executables that must never share
// a process: mtlskit-verify on BoringSSL (verify_boringssl.c: strict, alb,
// apigw, cloudflare) and mtlskit-verify-openssl on OpenSSL 3
// (openssl/verify_openssl.c: nginx, haproxy, the servers that run
// OpenSSL). Each supplies the functions below.
#ifndef MTK_VERIFY_BACKEND_H
#define MTK_VERIFY_BACKEND_H

#include <openssl/x509.h>

#include "mtlskit/diag.h"
#include "mtlskit/verify.h"

// What decided: the library, the settings it was given and where the
// platform's settings come from. --json and --explain print it.
struct verify_basis {
  char library[128];   // "OpenSSL 3.0.17 1 Jul 2025"
  char settings[512];  // "purpose sslclient, depth 1, ..."
  const char *source;  // URL of the server source the settings follow
};

// verify_backend_handoff runs before any input is read. When |config|'s
// platform is decided by the other executable it replaces the process by
// it with |argv| and returns only on failure (an exit status, after a
// one-line error). It returns -1 when this executable decides.
int verify_backend_handoff(const struct mtk_verify_config *config, char **argv);

// verify_backend_run decides as mtk_verify_client_cert does (same
// arguments, all borrowed) and fills |basis|.
int verify_backend_run(const struct mtk_verify_config *config, X509 *leaf,
                       STACK_OF(X509) * chain, STACK_OF(X509) * trusted,
                       STACK_OF(X509_CRL) * crls, struct mtk_verify_result *out,
                       struct verify_basis *basis, struct mtk_diag *diag);

#endif  // MTK_VERIFY_BACKEND_H
