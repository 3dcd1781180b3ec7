// Durable file operations.
//
// Databases (index.txt, serial, crlnumber, manifests) are replaced by
// write-temp, fsync, rename, fsync-directory, so a crash leaves either the
// old or the new file, never half of one. Every file is created
// exclusively (O_EXCL | O_NOFOLLOW | O_CLOEXEC) with its final mode, so a
// file or symlink planted at its name is never written through and never
// lends it its mode; temporary files are anonymous (O_TMPFILE) or have
// unpredictable names, in the destination's own directory. Directory locks
// use flock(2) on the directory itself, so no lock file is left behind.
#ifndef MTK_HEADER_FILE_H
#define MTK_HEADER_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "mtlskit/diag.h"

#ifdef __cplusplus
extern "C" {
#endif

// mtk_file_replace atomically replaces |path| with |data_len| bytes of
// |data|, in a new file created with permission bits |mode| (subject to
// umask). The new file is written and fsync'd under a name nobody can
// predict (or none at all) in |path|'s directory, then renamed over
// |path|: a symlink at |path| is replaced, not followed. The data and the
// directory entry are fsync'd before it returns. On failure |path| is
// unchanged and no temporary file is left, but for a failure of that last
// directory fsync ("cannot sync the directory of PATH"): the new content
// is then in place, but may not survive a power loss.
MTK_MUST_CHECK int mtk_file_replace(const char *path, const void *data,
                                    size_t data_len, mode_t mode,
                                    struct mtk_diag *diag);

// mtk_file_create writes a new file at |path| with |mode|, failing with
// MTK_EEXIST if anything is there, a dangling symlink included. With |sync|
// the data is fsync'd. On failure no file is left at |path|.
MTK_MUST_CHECK int mtk_file_create(const char *path, const void *data,
                                   size_t data_len, mode_t mode, bool sync,
                                   struct mtk_diag *diag);

// mtk_buffer_alloc returns |size| bytes to be freed with free(), or NULL
// when memory ran out. A buffer of 4 MiB or more is aligned on a 2 MiB huge
// page and advised to use huge pages where the kernel leaves that to the
// program (THP "madvise"): filling 14 MB in 4 KiB pages takes some 3,500
// page faults, which on a virtual machine cost more than the work that
// fills them. mtk_file_read's buffers come from it.
void *mtk_buffer_alloc(size_t size);

// mtk_file_read reads all of |path| into a new NUL-terminated buffer, which
// the caller frees with free(). Files larger than |max_len| fail with
// MTK_ERANGE; anything but a regular file (a FIFO, a device, a directory)
// fails with MTK_EINVAL without blocking.
MTK_MUST_CHECK int mtk_file_read(const char *path, size_t max_len, char **out,
                                 size_t *out_len, struct mtk_diag *diag);

// mtk_file_read_padded is mtk_file_read with |padding| (at least 1) zero
// bytes after the data instead of one NUL, for parsers that read past the
// end of their input in wide steps (simdjson).
MTK_MUST_CHECK int mtk_file_read_padded(const char *path, size_t max_len,
                                        size_t padding, char **out,
                                        size_t *out_len, struct mtk_diag *diag);

// mtk_file_exists reports whether |path| names an existing file or
// directory.
bool mtk_file_exists(const char *path);

// mtk_dir_sync fsyncs the directory |path|, making renames and creations in
// it durable.
MTK_MUST_CHECK int mtk_dir_sync(const char *path, struct mtk_diag *diag);

// mtk_dir_spread marks the directory |path| as the top of a hierarchy
// (FS_TOPDIR_FL, `chattr +T`), so that ext2/3/4 place each subdirectory
// created in it in a block group of its own choosing rather than next to
// |path|. A file system without journal skips every recently deleted inode
// of a group on each file it creates there, so a directory that will hold
// thousands of files is better kept away from one where files churn. It is
// a hint: file systems without the flag, or a refusal, change nothing.
void mtk_dir_spread(const char *path);

// mtk_mkdir_p creates |path| and its missing parents with |mode|. Existing
// directories are fine.
MTK_MUST_CHECK int mtk_mkdir_p(const char *path, mode_t mode,
                               struct mtk_diag *diag);

// mtk_dir_lock takes an exclusive flock(2) on the directory |path|, waiting
// up to |timeout_ms| (0: fail at once with MTK_ELOCKED). On success
// *out_fd holds the lock; release it with mtk_dir_unlock.
MTK_MUST_CHECK int mtk_dir_lock(const char *path, int timeout_ms, int *out_fd,
                                struct mtk_diag *diag);

// mtk_dir_unlock releases a lock taken by mtk_dir_lock. |fd| < 0 is ignored.
void mtk_dir_unlock(int fd);

// mtk_path_join writes "|dir|/|name|" into |out|. It returns 0, or
// MTK_ERANGE if |out_len| is too small.
MTK_MUST_CHECK int mtk_path_join(char *out, size_t out_len, const char *dir,
                                 const char *name);

#ifdef __cplusplus
}
#endif

#endif  // MTK_HEADER_FILE_H
