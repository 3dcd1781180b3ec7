// Helpers for fuzz targets whose parser reads a file (see fuzz_tmpfile.h).
#include "fuzz_tmpfile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[64];
static char written[4][32];  // names written in |dir|, removed at exit

static void remove_dir(void) {
  char path[256];
  for (size_t i = 0; i < 4 && written[i][0] != '\0'; i++) {
    snprintf(path, sizeof(path), "%s/%s", dir, written[i]);
    unlink(path);
  }
  rmdir(dir);
}

const char *mtk_fuzz_dir(void) {
  if (dir[0] == '\0') {
    // Memory-backed when the system has it: a disk would slow every input.
    snprintf(dir, sizeof(dir), "%s/mtk-fuzz.XXXXXX",
             access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
    if (mkdtemp(dir) == NULL) {
      abort();
    }
    atexit(remove_dir);
  }
  return dir;
}

const char *mtk_fuzz_write(const char *name, const uint8_t *data, size_t size) {
  static char path[256];
  snprintf(path, sizeof(path), "%s/%s", mtk_fuzz_dir(), name);
  for (size_t i = 0; i < 4; i++) {
    if (strcmp(written[i], name) == 0) {
      break;
    }
    if (written[i][0] == '\0') {
      snprintf(written[i], sizeof(written[i]), "%s", name);
      break;
    }
  }
  FILE *f = fopen(path, "wb");
  if (f == NULL) {
    return NULL;
  }
  size_t n = fwrite(data, 1, size, f);
  if (fclose(f) != 0 || n != size) {
    return NULL;
  }
  return path;
}
