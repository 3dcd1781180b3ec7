// Running subcommand executables (mtlskit-ca, mtlskit-probe, ...) from the
// front-end. Private to cli/.
#ifndef MTK_CLI_EXEC_H
#define MTK_CLI_EXEC_H

#include <stddef.h>
#include <sys/types.h>

// exec_find writes the path of mtlskit-|name| into |out|, searching
// $MTLSKIT_EXEC_PATH, the front-end's own directory, then
// ../libexec/mtlskit beside it. It returns 0 or MTK_ENOENT.
int exec_find(const char *name, char *out, size_t out_len);

// exec_run runs mtlskit-|name| with |argv| (argv[0] is replaced; NULL
// terminated), waits for it and returns its exit status. It prints a
// one-line error and returns MTK_EXIT_RUNTIME when it cannot start.
int exec_run(const char *name, const char **argv);

// exec_run_to runs mtlskit-|name| as exec_run does, with its standard
// output written to the new file |stdout_path| (replaced; mode 0644), or
// left as it is when |stdout_path| is NULL.
int exec_run_to(const char *name, const char **argv, const char *stdout_path);

// exec_replace replaces the front-end by mtlskit-|name| with |argv|
// (argv[0] is replaced), so the subcommand gets the front-end's pid, its
// signals and its exit status directly, the way git runs dashed externals.
// It returns only on failure, with an exit status after printing a one-line
// error.
int exec_replace(const char *name, const char **argv);

// exec_spawn starts mtlskit-|name| with |argv| without waiting and stores
// its pid in *out_pid. It returns 0, or MTK_ENOENT / -errno after printing
// a one-line error.
int exec_spawn(const char *name, const char **argv, pid_t *out_pid);

// exec_reap sends SIGTERM to |pid| and waits for it.
void exec_reap(pid_t pid);

#endif  // MTK_CLI_EXEC_H
