// Fuzz target: a PEM or DER file of certificates (and CRLs) as `mtlskit
// verify` and `lint truststore` read a bundle and `ca` reads a certificate,
// then the certificates it holds verified against each other as `verify`
// does (chain building, name constraints, CRLs), and the file linted for
// the platform the input's size picks.
#include <openssl/x509.h>
#include <stdint.h>

#include "fuzz_tmpfile.h"
#include "mtlskit/bundle.h"
#include "mtlskit/diag.h"
#include "mtlskit/lint.h"
#include "mtlskit/pem.h"
#include "mtlskit/verify.h"
#include "mtlskit/x509_cert.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

// verify_first verifies the bundle's first certificate, sent with the
// second and later ones as its chain, against all of them as trust anchors.
static void verify_first(const struct mtk_bundle *b, enum mtk_platform p) {
  if (sk_X509_num(b->certs) == 0) {
    return;
  }
  STACK_OF(X509) *chain = sk_X509_new_null();
  if (chain == NULL) {
    return;
  }
  for (size_t i = 1; i < sk_X509_num(b->certs); i++) {
    if (!sk_X509_push(chain, sk_X509_value(b->certs, i))) {
      break;
    }
  }
  struct mtk_verify_config config;
  mtk_verify_config_init(&config);
  config.platform = p;
  config.at = 1796330000;  // 2026-12-03, inside the seeds' validity
  struct mtk_verify_result result;
  struct mtk_diag diag;
  mtk_diag_init(&diag);
  (void)mtk_verify_client_cert(&config, sk_X509_value(b->certs, 0), chain,
                               b->certs, b->crls, &result, &diag);
  sk_X509_free(chain);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *path = mtk_fuzz_write("bundle.pem", data, size);
  if (path == NULL) {
    return 0;
  }
  enum mtk_platform platform = (enum mtk_platform)(size % MTK_PLATFORM_COUNT);
  struct mtk_diag diag;
  mtk_diag_init(&diag);
  struct mtk_bundle bundle;
  if (mtk_bundle_init(&bundle) == 0) {
    int err = mtk_bundle_add_file(&bundle, path, &diag);
    mtk_fuzz_verdict(err, diag.msg);
    if (err == 0) {
      verify_first(&bundle, platform);
    }
  }
  mtk_bundle_cleanup(&bundle);

  STACK_OF(X509) *certs = NULL;
  if (mtk_pem_read_certs(path, &certs, &diag) == 0) {
    sk_X509_pop_free(certs, X509_free);
  }
  X509 *cert = NULL;
  if (mtk_cert_parse(data, size, &cert) == 0) {
    char hex[2 * 64 + 3];
    (void)mtk_cert_serial_hex(cert, hex, sizeof(hex));
    X509_free(cert);
  }

  struct mtk_lint_config lint = {.platform = platform, .at = 1796330000};
  struct mtk_lint_report report = {0};
  const char *crls[] = {path};
  (void)mtk_lint_truststore(&lint, path, crls, 1, &report, &diag);
  mtk_lint_report_cleanup(&report);
  return 0;
}
