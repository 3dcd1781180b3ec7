// Fuzz target: a private key file as every BoringSSL-side command reads it
// (the CA key, --key, a fixture key): PEM PKCS#8, SEC 1 or PKCS#1, plain
// or encrypted. The input's first line is the password to try (none when
// the line is empty), the rest is the file.
#include <openssl/evp.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_tmpfile.h"
#include "mtlskit/diag.h"
#include "mtlskit/pem.h"
#include "mtlskit/secret.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char password[128];
  size_t skip = mtk_fuzz_split_line(data, size, password, sizeof(password));
  const char *path = mtk_fuzz_write("key.pem", data + skip, size - skip);
  if (path == NULL) {
    return 0;
  }
  struct mtk_secret secret = {.data = password, .len = strlen(password)};
  struct mtk_diag diag;
  mtk_diag_init(&diag);
  EVP_PKEY *key = NULL;
  int err =
      mtk_pem_read_key(path, password[0] != '\0' ? &secret : NULL, &key, &diag);
  mtk_fuzz_verdict(err, diag.msg);
  EVP_PKEY_free(key);
  return 0;
}
