// Helpers for fuzz targets whose parser reads a file (see fuzz_tmpfile.h).
#define _XOPEN_SOURCE 700  // nftw
#include "fuzz_tmpfile.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];

static int remove_one(const char *path, const struct stat *st, int flag,
                      struct FTW *ftw) {
  (void)st;
  (void)flag;
  (void)ftw;
  remove(path);
  return 0;
}

static void remove_dir(void) {
  nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
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

// make_parents creates the directories of |path| below the fuzz directory.
static void make_parents(char *path) {
  size_t base = strlen(mtk_fuzz_dir());
  for (char *p = path + base + 1; (p = strchr(p, '/')) != NULL; p++) {
    *p = '\0';
    mkdir(path, 0700);
    *p = '/';
  }
}

const char *mtk_fuzz_write(const char *name, const uint8_t *data, size_t size) {
  static char path[256];
  snprintf(path, sizeof(path), "%s/%s", mtk_fuzz_dir(), name);
  make_parents(path);
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

size_t mtk_fuzz_split_line(const uint8_t *data, size_t size, char *line,
                           size_t line_cap) {
  const uint8_t *nl = memchr(data, '\n', size < line_cap ? size : line_cap);
  line[0] = '\0';
  if (nl == NULL) {
    return 0;
  }
  size_t len = (size_t)(nl - data);
  memcpy(line, data, len);
  line[len] = '\0';
  return len + 1;
}

void mtk_fuzz_verdict(int err, const char *detail) {
  static int verbose = -1;
  if (verbose < 0) {
    verbose = getenv("MTK_FUZZ_VERBOSE") != NULL;
  }
  if (verbose) {
    fprintf(stderr, "fuzz: %d %s\n", err, detail);
  }
}
