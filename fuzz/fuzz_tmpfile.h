// Helpers for fuzz targets whose parser reads a file: the input is written
// to a file of the fuzzer's own private directory first.
#ifndef MTK_FUZZ_TMPFILE_H
#define MTK_FUZZ_TMPFILE_H

#include <stddef.h>
#include <stdint.h>

// mtk_fuzz_dir returns a private directory made once per process, in
// /dev/shm when writable, else /tmp; it is removed, with everything in it,
// when the process exits.
const char *mtk_fuzz_dir(void);

// mtk_fuzz_write writes |size| bytes of |data| to DIR/|name| (replacing it;
// |name| may hold '/', missing directories are made) and returns the path,
// in a static buffer, or NULL when it cannot.
const char *mtk_fuzz_write(const char *name, const uint8_t *data, size_t size);

// mtk_fuzz_split_line splits a fuzz input into a first line and the rest:
// the bytes before the first '\n' (at most |line_cap| - 1 of them, and only
// if a '\n' comes within |line_cap| bytes; else the line is empty) go to
// |line|, NUL-terminated. It returns how many bytes the line and its '\n'
// took, so that the rest starts at data + the returned count. Targets that
// need a password take it from the first line this way.
size_t mtk_fuzz_split_line(const uint8_t *data, size_t size, char *line,
                           size_t line_cap);

// mtk_fuzz_verdict prints "|err| |detail|" to stderr when the environment
// sets MTK_FUZZ_VERBOSE, so that running a target on its seeds
// (`fuzz_NAME -runs=0 fuzz/corpus/NAME`) shows how far each one got.
void mtk_fuzz_verdict(int err, const char *detail);

#endif  // MTK_FUZZ_TMPFILE_H
