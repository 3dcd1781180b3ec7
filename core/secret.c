#include "mtlskit/secret.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static void wipe(void *p, size_t len) {
  if (p != NULL) {
    explicit_bzero(p, len);
  }
}

static int take_copy(struct mtk_secret *out, const char *s, size_t len) {
  out->data = malloc(len + 1);
  if (out->data == NULL) {
    return MTK_ENOMEM;
  }
  memcpy(out->data, s, len);
  out->data[len] = '\0';
  out->len = len;
  return 0;
}

static size_t strip_newline(char *buf, size_t len) {
  while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r')) {
    buf[--len] = '\0';
  }
  return len;
}

static int too_long(struct mtk_diag *diag, const char *what, const char *name) {
  return mtk_diag_set(diag, MTK_ERANGE,
                      "%s %s: the password is longer than %d "
                      "bytes",
                      what, name, MTK_SECRET_MAX);
}

// read_file_line reads the first line of |path| whole: a password is never
// cut short, and one over MTK_SECRET_MAX is refused. stdio, not
// mtk_file_read, so that a pipe (file:/dev/fd/3, process substitution)
// works.
static int read_file_line(struct mtk_secret *out, const char *path,
                          struct mtk_diag *diag) {
  FILE *f = fopen(path, "re");
  if (f == NULL) {
    int err = mtk_errno_get();
    return mtk_diag_set(diag, err, "password file %s: %s", path,
                        mtk_strerror(err));
  }
  char buf[MTK_SECRET_MAX + 2];
  size_t len = 0;
  int err = 0, c;
  while ((c = getc(f)) != EOF && c != '\n') {
    if (len == sizeof(buf) - 1) {
      err = too_long(diag, "password file", path);
      break;
    }
    buf[len++] = (char)c;
  }
  if (err == 0 && ferror(f)) {
    err = mtk_diag_set(diag, MTK_EIO, "password file %s: cannot read it", path);
  }
  if (err == 0) {
    buf[len] = '\0';
    len = strip_newline(buf, len);
    err = len > MTK_SECRET_MAX ? too_long(diag, "password file", path)
                               : take_copy(out, buf, len);
  }
  wipe(buf, sizeof(buf));
  fclose(f);
  return err;
}

static int prompt_once(const char *prompt, char *buf, size_t buf_len) {
  int fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    return MTK_EIO;
  }
  struct termios old, noecho;
  bool restore = false;
  if (tcgetattr(fd, &old) == 0) {
    noecho = old;
    noecho.c_lflag &= ~(tcflag_t)ECHO;
    restore = tcsetattr(fd, TCSAFLUSH, &noecho) == 0;
  }
  int err = 0;
  if (write(fd, prompt, strlen(prompt)) < 0) {
    err = MTK_EIO;
  }
  size_t len = 0;
  while (err == 0) {
    char c;
    ssize_t n = read(fd, &c, 1);
    if (n <= 0 || c == '\n') {
      break;
    }
    if (len + 1 < buf_len) {
      buf[len] = c;
    }
    len++;  // keep reading to the newline, and tell the caller
  }
  if (len + 1 >= buf_len) {
    err = MTK_ERANGE;
    len = 0;
  }
  buf[len] = '\0';
  if (restore) {
    tcsetattr(fd, TCSAFLUSH, &old);
  }
  if (write(fd, "\n", 1) < 0) {
    err = err != 0 ? err : MTK_EIO;
  }
  close(fd);
  return err;
}

static int read_prompt(struct mtk_secret *out, const char *prompt, bool confirm,
                       struct mtk_diag *diag) {
  char first[MTK_SECRET_MAX + 1];
  char second[MTK_SECRET_MAX + 1];
  int err =
      prompt_once(prompt != NULL ? prompt : "Password: ", first, sizeof(first));
  if (err == MTK_ERANGE) {
    err = too_long(diag, "typed", "at the prompt");
    goto out;
  }
  if (err != 0) {
    err = mtk_diag_set(diag, err,
                       "no terminal to prompt for a password; use env:VAR "
                       "or file:PATH");
    goto out;
  }
  if (confirm) {
    err = prompt_once("Verify: ", second, sizeof(second));
    if (err == MTK_ERANGE || (err == 0 && strcmp(first, second) != 0)) {
      err = mtk_diag_set(diag, MTK_EUSAGE, "passwords do not match");
    }
    if (err != 0) {
      goto out;
    }
  }
  err = take_copy(out, first, strlen(first));
out:
  wipe(first, sizeof(first));
  wipe(second, sizeof(second));
  return err;
}

int mtk_secret_read(struct mtk_secret *out, const char *source,
                    const char *prompt, bool confirm, struct mtk_diag *diag) {
  out->data = NULL;
  out->len = 0;
  out->from_argv = false;
  if (source == NULL || strcmp(source, "prompt") == 0) {
    return read_prompt(out, prompt, confirm, diag);
  }
  if (strncmp(source, "env:", 4) == 0) {
    const char *v = getenv(source + 4);
    if (v == NULL) {
      return mtk_diag_set(diag, MTK_ENOTFOUND,
                          "password variable %s is not set", source + 4);
    }
    if (strlen(v) > MTK_SECRET_MAX) {
      return too_long(diag, "password variable", source + 4);
    }
    return take_copy(out, v, strlen(v));
  }
  if (strncmp(source, "file:", 5) == 0) {
    return read_file_line(out, source + 5, diag);
  }
  if (strncmp(source, "pass:", 5) == 0) {
    if (strlen(source + 5) > MTK_SECRET_MAX) {
      return too_long(diag, "password given with", "pass:");
    }
    out->from_argv = true;
    return take_copy(out, source + 5, strlen(source + 5));
  }
  return mtk_diag_set(diag, MTK_EUSAGE,
                      "password source must be env:VAR, file:PATH, pass:TEXT "
                      "or prompt");
}

int mtk_secret_refuse_empty(const struct mtk_secret *secret, const char *what,
                            struct mtk_diag *diag) {
  if (secret->len > 0) {
    return 0;
  }
  return mtk_diag_set(diag, MTK_EUSAGE,
                      "the %s is empty, which protects nothing; give "
                      "--allow-empty-password to use it anyway",
                      what);
}

void mtk_secret_free(struct mtk_secret *secret) {
  if (secret->data != NULL) {
    wipe(secret->data, secret->len);
    free(secret->data);
  }
  secret->data = NULL;
  secret->len = 0;
  secret->from_argv = false;
}
