// What a verifier built, for --explain and --json: the path and the
// certificate a check failed on. Compiled into both verifiers (BoringSSL's
// mtk_verify and the OpenSSL-linked mtlskit-verify-openssl): it uses only
// X.509 calls the two libraries share.
#include <stdio.h>

#include "verify_internal.h"

void verify_describe_path(STACK_OF(X509) * path,
                          struct mtk_verify_result *out) {
  size_t used = 0;
  out->path[0] = '\0';
  out->subject[0] = '\0';
  int num = path != NULL ? (int)sk_X509_num(path) : 0;
  for (int i = 0; i < num; i++) {
    char subject[256];
    X509_NAME_oneline(X509_get_subject_name(sk_X509_value(path, i)), subject,
                      sizeof(subject));
    if (i == out->error_depth) {
      snprintf(out->subject, sizeof(out->subject), "%s", subject);
    }
    int n = snprintf(out->path + used, sizeof(out->path) - used,
                     "  depth %d: %s\n", i, subject);
    if (n < 0 || (size_t)n >= sizeof(out->path) - used) {
      out->path[used] = '\0';  // whole lines only
      continue;
    }
    used += (size_t)n;
  }
}
