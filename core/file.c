// O_TMPFILE and linkat's AT_SYMLINK_FOLLOW on /proc/self/fd.
#define _GNU_SOURCE
#include "mtlskit/file.h"

#include <fcntl.h>
#include <limits.h>
#include <linux/fs.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int fail_errno(struct mtk_diag *diag, const char *what,
                      const char *path) {
  int err = mtk_errno_get();
  return mtk_diag_set(diag, err, "%s %s: %s", what, path, mtk_strerror(err));
}

static int write_all(int fd, const void *data, size_t len) {
  const char *p = data;
  while (len > 0) {
    ssize_t n = write(fd, p, len);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return mtk_errno_get();
    }
    p += n;
    len -= (size_t)n;
  }
  return 0;
}

int mtk_path_join(char *out, size_t out_len, const char *dir,
                  const char *name) {
  int n = snprintf(out, out_len, "%s/%s", dir, name);
  if (n < 0 || (size_t)n >= out_len) {
    return MTK_ERANGE;
  }
  return 0;
}

bool mtk_file_exists(const char *path) {
  struct stat st;
  return stat(path, &st) == 0;
}

int mtk_dir_sync(const char *path, struct mtk_diag *diag) {
  int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    return fail_errno(diag, "cannot open directory", path);
  }
  int err = 0;
  if (fsync(fd) != 0) {
    err = fail_errno(diag, "cannot sync directory", path);
  }
  close(fd);
  return err;
}

void mtk_dir_spread(const char *path) {
  int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    return;
  }
  int flags = 0;
  if (ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0 && !(flags & FS_TOPDIR_FL)) {
    flags |= FS_TOPDIR_FL;
    (void)ioctl(fd, FS_IOC_SETFLAGS, &flags);
  }
  close(fd);
}

// split_path opens the directory holding |path| and points *out_base at
// its last component (inside |path|). The caller closes *out_dirfd.
static int split_path(const char *path, int *out_dirfd, const char **out_base,
                      struct mtk_diag *diag) {
  const char *slash = strrchr(path, '/');
  char dir[4096];
  if (slash == NULL) {
    snprintf(dir, sizeof(dir), ".");
    *out_base = path;
  } else if (slash == path) {
    snprintf(dir, sizeof(dir), "/");
    *out_base = slash + 1;
  } else if ((size_t)(slash - path) >= sizeof(dir)) {
    return mtk_diag_set(diag, MTK_ERANGE, "path too long: %s", path);
  } else {
    memcpy(dir, path, (size_t)(slash - path));
    dir[slash - path] = '\0';
    *out_base = slash + 1;
  }
  if (**out_base == '\0') {
    return mtk_diag_set(diag, MTK_EINVAL, "%s names a directory", path);
  }
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    return fail_errno(diag, "cannot create", path);
  }
  *out_dirfd = fd;
  return 0;
}

// temp_name writes ".|base|.tmp-XXXXXXXXXXXX" with 12 random characters:
// nobody can plant a file or symlink at a name they cannot predict, and
// the open that follows is exclusive anyway.
static int temp_name(char *out, size_t out_len, const char *base) {
  static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
  uint8_t rnd[12];
  if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
    return mtk_errno_get();
  }
  char suffix[sizeof(rnd) + 1];
  for (size_t i = 0; i < sizeof(rnd); i++) {
    suffix[i] = alphabet[rnd[i] & 31];
  }
  suffix[sizeof(rnd)] = '\0';
  int n = snprintf(out, out_len, ".%s.tmp-%s", base, suffix);
  return n < 0 || (size_t)n >= out_len ? MTK_ERANGE : 0;
}

// create_temp creates a new file in |dirfd| for mtk_file_replace: an
// anonymous O_TMPFILE (no name until it is complete, so a crash leaves
// nothing) where the file system has them, else a random name opened with
// O_EXCL | O_NOFOLLOW. *out_named says whether |name| already exists.
static int create_temp(int dirfd, const char *base, mode_t mode, char *name,
                       size_t name_len, bool *out_named) {
  int fd = openat(dirfd, ".", O_WRONLY | O_TMPFILE | O_CLOEXEC, mode);
  if (fd >= 0) {
    *out_named = false;
    return fd;
  }
  if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) {
    return mtk_errno_get();
  }
  for (int tries = 0; tries < 8; tries++) {
    int err = temp_name(name, name_len, base);
    if (err != 0) {
      return err;
    }
    fd = openat(dirfd, name,
                O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    if (fd >= 0) {
      *out_named = true;
      return fd;
    }
    if (errno != EEXIST) {
      return mtk_errno_get();
    }
  }
  return MTK_EEXIST;
}

// link_temp gives the anonymous file |fd| the random name |name|.
static int link_temp(int fd, int dirfd, const char *base, char *name,
                     size_t name_len) {
  char proc[64];
  snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
  for (int tries = 0; tries < 8; tries++) {
    int err = temp_name(name, name_len, base);
    if (err != 0) {
      return err;
    }
    if (linkat(AT_FDCWD, proc, dirfd, name, AT_SYMLINK_FOLLOW) == 0) {
      return 0;
    }
    if (errno != EEXIST) {
      return mtk_errno_get();
    }
  }
  return MTK_EEXIST;
}

int mtk_file_replace(const char *path, const void *data, size_t data_len,
                     mode_t mode, struct mtk_diag *diag) {
  int dirfd = -1, fd = -1;
  const char *base = NULL;
  char tmp[NAME_MAX + 1] = "";
  bool named = false;
  int err = split_path(path, &dirfd, &base, diag);
  if (err != 0) {
    return err;
  }
  fd = create_temp(dirfd, base, mode, tmp, sizeof(tmp), &named);
  if (fd < 0) {
    err = mtk_diag_set(diag, fd, "cannot create a file beside %s: %s", path,
                       mtk_strerror(fd));
    fd = -1;
    goto out;
  }
  err = write_all(fd, data, data_len);
  if (err == 0 && fsync(fd) != 0) {
    err = mtk_errno_get();
  }
  if (err == 0 && !named) {
    err = link_temp(fd, dirfd, base, tmp, sizeof(tmp));
    named = err == 0;
  }
  if (err != 0) {
    err =
        mtk_diag_set(diag, err, "cannot write %s: %s", path, mtk_strerror(err));
    goto out;
  }
  // rename replaces a symlink at |path| itself; it never writes through it.
  if (renameat(dirfd, tmp, dirfd, base) != 0) {
    err = fail_errno(diag, "cannot replace", path);
    goto out;
  }
  named = false;
  if (fsync(dirfd) != 0) {
    err = fail_errno(diag, "cannot sync the directory of", path);
  }
out:
  if (named) {
    unlinkat(dirfd, tmp, 0);
  }
  if (fd >= 0) {
    close(fd);
  }
  close(dirfd);
  return err;
}

int mtk_file_create(const char *path, const void *data, size_t data_len,
                    mode_t mode, bool sync, struct mtk_diag *diag) {
  int fd =
      open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0) {
    return fail_errno(diag, "cannot create", path);
  }
  int err = write_all(fd, data, data_len);
  if (err == 0 && sync && fsync(fd) != 0) {
    err = mtk_errno_get();
  }
  if (close(fd) != 0 && err == 0) {
    err = mtk_errno_get();
  }
  if (err != 0) {
    unlink(path);
    return mtk_diag_set(diag, err, "cannot write %s: %s", path,
                        mtk_strerror(err));
  }
  return 0;
}

// The huge page size mtk_buffer_alloc aligns large buffers on.
#define HUGE_PAGE_BYTES ((size_t)2 << 20)

void *mtk_buffer_alloc(size_t size) {
  if (size < 2 * HUGE_PAGE_BYTES) {
    return malloc(size != 0 ? size : 1);
  }
  void *buf = NULL;
  if (posix_memalign(&buf, HUGE_PAGE_BYTES, size) != 0) {
    return NULL;
  }
  (void)madvise(buf, size & ~(HUGE_PAGE_BYTES - 1), MADV_HUGEPAGE);  // a hint
  return buf;
}

int mtk_file_read(const char *path, size_t max_len, char **out, size_t *out_len,
                  struct mtk_diag *diag) {
  return mtk_file_read_padded(path, max_len, 1, out, out_len, diag);
}

int mtk_file_read_padded(const char *path, size_t max_len, size_t padding,
                         char **out, size_t *out_len, struct mtk_diag *diag) {
  // O_NONBLOCK: opening a FIFO must not wait for a writer; anything but a
  // regular file is refused below.
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) {
    return fail_errno(diag, "cannot open", path);
  }
  int err = 0;
  char *buf = NULL;
  struct stat st;
  if (fstat(fd, &st) != 0) {
    err = fail_errno(diag, "cannot stat", path);
    goto out;
  }
  if (!S_ISREG(st.st_mode)) {
    err = mtk_diag_set(diag, MTK_EINVAL, "%s is not a regular file", path);
    goto out;
  }
  if ((uint64_t)st.st_size > max_len) {
    err = mtk_diag_set(diag, MTK_ERANGE, "%s is larger than %zu bytes", path,
                       max_len);
    goto out;
  }
  size_t cap = (size_t)st.st_size;
  buf = mtk_buffer_alloc(cap + (padding > 0 ? padding : 1));
  if (buf == NULL) {
    err = MTK_ENOMEM;
    goto out;
  }
  size_t len = 0;
  while (len < cap) {
    ssize_t n = read(fd, buf + len, cap - len);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      err = fail_errno(diag, "cannot read", path);
      goto out;
    }
    if (n == 0) {
      break;  // the file shrank under us; take what is there
    }
    len += (size_t)n;
  }
  memset(buf + len, 0, padding > 0 ? padding : 1);
  *out = buf;
  *out_len = len;
  buf = NULL;
out:
  free(buf);
  close(fd);
  return err;
}

int mtk_mkdir_p(const char *path, mode_t mode, struct mtk_diag *diag) {
  char buf[4096];
  int n = snprintf(buf, sizeof(buf), "%s", path);
  if (n < 0 || (size_t)n >= sizeof(buf)) {
    return mtk_diag_set(diag, MTK_ERANGE, "path too long: %s", path);
  }
  for (char *p = buf + 1; *p != '\0'; p++) {
    if (*p != '/') {
      continue;
    }
    *p = '\0';
    if (mkdir(buf, mode) != 0 && errno != EEXIST) {
      return fail_errno(diag, "cannot create directory", buf);
    }
    *p = '/';
  }
  if (mkdir(buf, mode) != 0 && errno != EEXIST) {
    return fail_errno(diag, "cannot create directory", buf);
  }
  struct stat st;
  if (stat(buf, &st) != 0 || !S_ISDIR(st.st_mode)) {
    return mtk_diag_set(diag, MTK_EEXIST, "%s exists and is not a directory",
                        path);
  }
  return 0;
}

int mtk_dir_lock(const char *path, int timeout_ms, int *out_fd,
                 struct mtk_diag *diag) {
  int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    return fail_errno(diag, "cannot open directory", path);
  }
  // Poll with LOCK_NB rather than block, so the wait is bounded.
  int waited_ms = 0;
  while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) {
      int err = fail_errno(diag, "cannot lock", path);
      close(fd);
      return err;
    }
    if (waited_ms >= timeout_ms) {
      close(fd);
      return mtk_diag_set(diag, MTK_ELOCKED, "%s is locked by another process",
                          path);
    }
    struct timespec ts = {0, 2 * 1000 * 1000};
    nanosleep(&ts, NULL);
    waited_ms += 2;
  }
  *out_fd = fd;
  return 0;
}

void mtk_dir_unlock(int fd) {
  if (fd >= 0) {
    flock(fd, LOCK_UN);
    close(fd);
  }
}
