// Helpers for fuzz targets whose parser reads a file: the input is written
// to a file of the fuzzer's own private directory first.
#ifndef MTK_FUZZ_TMPFILE_H
#define MTK_FUZZ_TMPFILE_H

#include <stddef.h>
#include <stdint.h>

// mtk_fuzz_dir returns a private directory made once per process, in
// /dev/shm when writable, else /tmp (it is left for the system's cleaning;
// a fuzzing run makes one).
const char *mtk_fuzz_dir(void);

// mtk_fuzz_write writes |size| bytes of |data| to DIR/|name| (replacing it)
// and returns the path, in a static buffer, or NULL when it cannot.
const char *mtk_fuzz_write(const char *name, const uint8_t *data, size_t size);

#endif  // MTK_FUZZ_TMPFILE_H
