#include "mtlskit/file.h"

#include <fcntl.h>
#include <libgen.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
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

static int parent_dir(const char *path, char *out, size_t out_len) {
  if (strlen(path) >= out_len) {
    return MTK_ERANGE;
  }
  char tmp[4096];
  snprintf(tmp, sizeof(tmp), "%s", path);
  snprintf(out, out_len, "%s", dirname(tmp));
  return 0;
}

int mtk_file_replace(const char *path, const void *data, size_t data_len,
                     mode_t mode, struct mtk_diag *diag) {
  char tmp[4096];
  int n = snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
  if (n < 0 || (size_t)n >= sizeof(tmp)) {
    return mtk_diag_set(diag, MTK_ERANGE, "path too long: %s", path);
  }
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) {
    return fail_errno(diag, "cannot create", tmp);
  }
  int err = write_all(fd, data, data_len);
  if (err == 0 && fsync(fd) != 0) {
    err = mtk_errno_get();
  }
  if (close(fd) != 0 && err == 0) {
    err = mtk_errno_get();
  }
  if (err != 0) {
    unlink(tmp);
    return mtk_diag_set(diag, err, "cannot write %s: %s", path,
                        mtk_strerror(err));
  }
  if (rename(tmp, path) != 0) {
    err = fail_errno(diag, "cannot replace", path);
    unlink(tmp);
    return err;
  }
  char dir[4096];
  if (parent_dir(path, dir, sizeof(dir)) != 0) {
    return mtk_diag_set(diag, MTK_ERANGE, "path too long: %s", path);
  }
  return mtk_dir_sync(dir, diag);
}

int mtk_file_create(const char *path, const void *data, size_t data_len,
                    mode_t mode, bool sync, struct mtk_diag *diag) {
  int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
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

int mtk_file_read(const char *path, size_t max_len, char **out, size_t *out_len,
                  struct mtk_diag *diag) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
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
  buf = malloc(cap + 1);
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
  buf[len] = '\0';
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
