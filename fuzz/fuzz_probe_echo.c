// Fuzz target: the body of a response from a header-echo backend, as
// `mtlskit probe --alb-headers` reads it (mtlskit serve's JSON pairs,
// httpbin's object, raw "Name: value" lines), then checked in both ALB
// modes against what ALB must add for a real fixture certificate
// (fuzz/data/alb-leaf.pem, the leaf of the seeds' verify-mode echo) and
// against "no certificate" (OpenSSL side: its own executable).
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "albcheck.h"
#include "albexpect.h"
#include "echo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct mtk_probe_alb_expected *expected(void) {
  static struct mtk_probe_alb_expected want;
  static int loaded;
  if (!loaded) {
    loaded = 1;
    FILE *f = fopen(MTK_FUZZ_DATA_DIR "/alb-leaf.pem", "r");
    X509 *leaf = f != NULL ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
    if (f != NULL) {
      fclose(f);
    }
    if (leaf == NULL ||
        mtk_probe_alb_expected_make(leaf, NULL, &want, NULL) != 0) {
      fprintf(stderr, "fuzz_probe_echo: cannot read %s\n",
              MTK_FUZZ_DATA_DIR "/alb-leaf.pem");
      abort();
    }
    X509_free(leaf);
  }
  return &want;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const struct mtk_probe_alb_expected *want = expected();
  struct mtk_probe_echo echo;
  mtk_probe_echo_init(&echo);
  if (mtk_probe_echo_parse((const char *)data, size, &echo) != 0) {
    return 0;
  }
  static const enum mtk_probe_alb_mode modes[] = {MTK_PROBE_ALB_VERIFY,
                                                  MTK_PROBE_ALB_PASSTHROUGH};
  for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
    struct mtk_probe_alb_result result;
    mtk_probe_alb_check(modes[i], want, &echo, &result);
    mtk_probe_alb_check(modes[i], NULL, &echo, &result);
  }
  mtk_probe_echo_cleanup(&echo);
  return 0;
}
