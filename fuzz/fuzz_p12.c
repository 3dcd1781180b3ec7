// Fuzz target: a PKCS#12 file as `loadgen --p12` and the BoringSSL-side
// commands read a client identity (mtlskit's two profiles and what
// `openssl pkcs12` writes). The input's first line is the password (empty:
// the empty password), the rest is the file.
#include <stdint.h>
#include <string.h>

#include "fuzz_tmpfile.h"
#include "mtlskit/diag.h"
#include "mtlskit/identity.h"
#include "mtlskit/secret.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char password[128];
  size_t skip = mtk_fuzz_split_line(data, size, password, sizeof(password));
  const char *path = mtk_fuzz_write("identity.p12", data + skip, size - skip);
  if (path == NULL) {
    return 0;
  }
  struct mtk_secret secret = {.data = password, .len = strlen(password)};
  struct mtk_diag diag;
  mtk_diag_init(&diag);
  struct mtk_identity id;
  mtk_fuzz_verdict(mtk_identity_load_p12(&id, path, &secret, &diag), diag.msg);
  mtk_identity_cleanup(&id);  // empty after a failure
  return 0;
}
