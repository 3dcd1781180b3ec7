// Fuzz target: the serial and crlnumber files of a CA directory as
// `mtlskit ca` reads them (and increments them for the next certificate or
// CRL), and the other small fields of index.txt it parses on its own: the
// revocation field ("261203203657Z,keyCompromise") and a serial in hex.
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fuzz_tmpfile.h"
#include "mtlskit/cadb.h"
#include "mtlskit/diag.h"
#include "mtlskit/x509_cert.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *path = mtk_fuzz_write("serial", data, size);
  if (path == NULL) {
    return 0;
  }
  struct mtk_diag diag;
  mtk_diag_init(&diag);
  uint8_t num[MTK_CADB_NUMBER_MAX + 1];
  size_t len = 0;
  int err = mtk_cadb_hex_read(path, num, sizeof(num), &len, &diag);
  mtk_fuzz_verdict(err, diag.msg);
  if (err == 0) {
    (void)mtk_cadb_hex_increment(num, &len, sizeof(num));
  }
  char *s = malloc(size + 1);
  if (s == NULL) {
    return 0;
  }
  memcpy(s, data, size);
  s[size] = '\0';
  time_t when;
  int reason;
  (void)mtk_cadb_revoked_parse(s, &when, &reason);
  uint8_t serial[64];
  char hex[2 * sizeof(serial) + 3];
  if (mtk_serial_from_hex(s, serial, sizeof(serial), &len) == 0) {
    (void)mtk_serial_hex(serial, len, hex, sizeof(hex));
  }
  free(s);
  return 0;
}
