#include "exec.h"

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mtlskit/cli.h"
#include "mtlskit/file.h"

// self_dir writes the directory holding this executable into |out|.
static int self_dir(char *out, size_t out_len) {
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  if (n <= 0) {
    return MTK_EIO;
  }
  exe[n] = '\0';
  char *slash = strrchr(exe, '/');
  if (slash == NULL) {
    return MTK_EIO;
  }
  *slash = '\0';
  if ((size_t)snprintf(out, out_len, "%s", exe) >= out_len) {
    return MTK_ERANGE;
  }
  return 0;
}

int exec_find(const char *name, char *out, size_t out_len) {
  char file[128];
  snprintf(file, sizeof(file), "mtlskit-%s", name);
  char dirs[3][PATH_MAX];
  size_t num_dirs = 0;
  const char *env = getenv("MTLSKIT_EXEC_PATH");
  if (env != NULL && env[0] != '\0') {
    snprintf(dirs[num_dirs++], PATH_MAX, "%s", env);
  }
  char self[PATH_MAX];
  if (self_dir(self, sizeof(self)) == 0) {
    snprintf(dirs[num_dirs++], PATH_MAX, "%s", self);
    snprintf(dirs[num_dirs++], PATH_MAX, "%.*s/../libexec/mtlskit",
             PATH_MAX - 32, self);
  }
  for (size_t i = 0; i < num_dirs; i++) {
    if (mtk_path_join(out, out_len, dirs[i], file) == 0 &&
        access(out, X_OK) == 0) {
      return 0;
    }
  }
  return MTK_ENOENT;
}

int exec_replace(const char *name, const char **argv) {
  char path[PATH_MAX];
  if (exec_find(name, path, sizeof(path)) != 0) {
    mtk_cli_error("mtlskit-%s is not installed", name);
    return MTK_EXIT_RUNTIME;
  }
  argv[0] = path;
  // execv's prototype predates const; it does not modify the strings.
  execv(path, (char *const *)argv);
  mtk_cli_error("cannot run %s: %s", path, mtk_strerror(mtk_errno_get()));
  return MTK_EXIT_RUNTIME;
}

// spawn starts mtlskit-|name| with |argv|, its standard output going to a
// new file |stdout_path| (mode 0644) when that is not NULL.
static int spawn(const char *name, const char **argv, const char *stdout_path,
                 pid_t *out_pid) {
  char path[PATH_MAX];
  if (exec_find(name, path, sizeof(path)) != 0) {
    mtk_cli_error("mtlskit-%s is not installed", name);
    return MTK_ENOENT;
  }
  fflush(NULL);
  pid_t pid = fork();
  if (pid < 0) {
    int err = mtk_errno_get();
    mtk_cli_error("cannot start mtlskit-%s: %s", name, mtk_strerror(err));
    return err;
  }
  if (pid == 0) {
    if (stdout_path != NULL) {
      int fd =
          open(stdout_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0) {
        _exit(MTK_EXIT_RUNTIME);
      }
    }
    argv[0] = path;
    // execv's prototype predates const; it does not modify the strings.
    execv(path, (char *const *)argv);
    _exit(127);
  }
  *out_pid = pid;
  return 0;
}

int exec_spawn(const char *name, const char **argv, pid_t *out_pid) {
  return spawn(name, argv, NULL, out_pid);
}

int exec_run(const char *name, const char **argv) {
  return exec_run_to(name, argv, NULL);
}

int exec_run_to(const char *name, const char **argv, const char *stdout_path) {
  pid_t pid;
  if (spawn(name, argv, stdout_path, &pid) != 0) {
    return MTK_EXIT_RUNTIME;
  }
  int status;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      return MTK_EXIT_RUNTIME;
    }
  }
  if (WIFEXITED(status)) {
    return WEXITSTATUS(status);
  }
  mtk_cli_error("mtlskit-%s died with signal %d", name, WTERMSIG(status));
  return MTK_EXIT_INTERNAL;
}

void exec_reap(pid_t pid) {
  kill(pid, SIGTERM);
  while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
  }
}
