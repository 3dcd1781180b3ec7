#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check_main.h"
#include "mtlskit/file.h"

static char dir[64];

static void make_dir(void) {
  snprintf(dir, sizeof(dir), "/tmp/mtk-test-file.XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void remove_dir(void) {
  char cmd[128];
  snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
  ck_assert_int_eq(system(cmd), 0);
}

static char *path_in_dir(const char *name) {
  static char buf[256];
  ck_assert_int_eq(mtk_path_join(buf, sizeof(buf), dir, name), 0);
  return buf;
}

// count_entries counts the names in |dir| besides . and ..
static int count_entries(void) {
  DIR *d = opendir(dir);
  ck_assert_ptr_nonnull(d);
  int n = 0;
  struct dirent *de;
  while ((de = readdir(d)) != NULL) {
    n += strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0;
  }
  closedir(d);
  return n;
}

START_TEST(test_file_replace_writes_and_replaces) {
  char path[256];
  snprintf(path, sizeof(path), "%s", path_in_dir("serial"));
  ck_assert_int_eq(mtk_file_replace(path, "1000\n", 5, 0644, NULL), 0);
  ck_assert_int_eq(mtk_file_replace(path, "1001\n", 5, 0644, NULL), 0);
  char *data = NULL;
  size_t len = 0;
  ck_assert_int_eq(mtk_file_read(path, 1024, &data, &len, NULL), 0);
  ck_assert_uint_eq(len, 5);
  ck_assert_str_eq(data, "1001\n");
  free(data);
  // No temporary file is left beside it.
  ck_assert_int_eq(count_entries(), 1);
}
END_TEST

START_TEST(test_file_replace_never_follows_or_keeps_modes) {
  // A symlink at the destination is replaced, its target left alone.
  char target[256], path[256];
  snprintf(target, sizeof(target), "%s", path_in_dir("victim"));
  snprintf(path, sizeof(path), "%s", path_in_dir("out.p12"));
  ck_assert_int_eq(mtk_file_create(target, "keep", 4, 0644, false, NULL), 0);
  ck_assert_int_eq(symlink(target, path), 0);
  mode_t old_umask = umask(0);
  ck_assert_int_eq(mtk_file_replace(path, "key", 3, 0600, NULL), 0);
  struct stat st;
  ck_assert_int_eq(lstat(path, &st), 0);
  ck_assert(S_ISREG(st.st_mode));
  ck_assert_int_eq(st.st_mode & 0777, 0600);
  char *data = NULL;
  size_t len = 0;
  ck_assert_int_eq(mtk_file_read(target, 64, &data, &len, NULL), 0);
  ck_assert_str_eq(data, "keep");
  free(data);
  // A world-readable file in place does not lend the new one its mode.
  ck_assert_int_eq(chmod(path, 0666), 0);
  ck_assert_int_eq(mtk_file_replace(path, "key2", 4, 0600, NULL), 0);
  ck_assert_int_eq(stat(path, &st), 0);
  ck_assert_int_eq(st.st_mode & 0777, 0600);
  umask(old_umask);
  ck_assert_int_eq(count_entries(), 2);
}
END_TEST

START_TEST(test_file_replace_ignores_planted_temp_names) {
  // Earlier versions wrote PATH.tmp.PID: a name anyone could predict (the
  // front-end execs its subcommand, so the PID is known) and plant a
  // symlink or a world-readable file at.
  char target[256], path[256], planted[300], planted2[300];
  snprintf(target, sizeof(target), "%s", path_in_dir("victim"));
  snprintf(path, sizeof(path), "%s", path_in_dir("index.txt"));
  snprintf(planted, sizeof(planted), "%s.tmp.%ld", path, (long)getpid());
  ck_assert_int_eq(mtk_file_create(target, "keep", 4, 0644, false, NULL), 0);
  ck_assert_int_eq(symlink(target, planted), 0);
  ck_assert_int_eq(mtk_file_replace(path, "db", 2, 0644, NULL), 0);
  char *data = NULL;
  size_t len = 0;
  ck_assert_int_eq(mtk_file_read(target, 64, &data, &len, NULL), 0);
  ck_assert_str_eq(data, "keep");
  free(data);
  struct stat st;
  ck_assert_int_eq(lstat(planted, &st), 0);
  ck_assert(S_ISLNK(st.st_mode));
  snprintf(path, sizeof(path), "%s", path_in_dir("a.p12"));
  snprintf(planted2, sizeof(planted2), "%s.tmp.%ld", path, (long)getpid());
  ck_assert_int_eq(mtk_file_create(planted2, "", 0, 0644, false, NULL), 0);
  ck_assert_int_eq(chmod(planted2, 0644), 0);
  ck_assert_int_eq(mtk_file_replace(path, "key", 3, 0600, NULL), 0);
  ck_assert_int_eq(stat(path, &st), 0);
  ck_assert_int_eq(st.st_mode & 0777, 0600);
}
END_TEST

START_TEST(test_file_create_refuses_dangling_symlink) {
  char target[256], path[256];
  snprintf(target, sizeof(target), "%s", path_in_dir("elsewhere"));
  snprintf(path, sizeof(path), "%s", path_in_dir("new.key"));
  ck_assert_int_eq(symlink(target, path), 0);
  ck_assert_int_eq(mtk_file_create(path, "k", 1, 0600, false, NULL),
                   MTK_EEXIST);
  ck_assert(!mtk_file_exists(target));
}
END_TEST

START_TEST(test_file_read_refuses_fifo_without_blocking) {
  char path[256];
  snprintf(path, sizeof(path), "%s", path_in_dir("index.txt"));
  ck_assert_int_eq(mkfifo(path, 0644), 0);
  alarm(10);  // a blocking open would hang here; fail instead
  char *data = NULL;
  size_t len = 0;
  struct mtk_diag diag;
  mtk_diag_init(&diag);
  ck_assert_int_eq(mtk_file_read(path, 64, &data, &len, &diag), MTK_EINVAL);
  alarm(0);
  ck_assert_ptr_nonnull(strstr(diag.msg, "is not a regular file"));
}
END_TEST

START_TEST(test_file_replace_fails_cleanly_in_missing_dir) {
  struct mtk_diag diag;
  mtk_diag_init(&diag);
  ck_assert_int_eq(
      mtk_file_replace(path_in_dir("nope/serial"), "x", 1, 0644, &diag),
      MTK_ENOENT);
  ck_assert_ptr_nonnull(strstr(diag.msg, "nope/serial"));
}
END_TEST

START_TEST(test_file_create_is_exclusive_and_keeps_mode) {
  char path[256];
  snprintf(path, sizeof(path), "%s", path_in_dir("key.pem"));
  ck_assert_int_eq(mtk_file_create(path, "secret", 6, 0600, true, NULL), 0);
  struct stat st;
  ck_assert_int_eq(stat(path, &st), 0);
  ck_assert_int_eq(st.st_mode & 0777, 0600);
  ck_assert_int_eq(mtk_file_create(path, "other", 5, 0600, false, NULL),
                   MTK_EEXIST);
  char *data = NULL;
  size_t len = 0;
  ck_assert_int_eq(mtk_file_read(path, 1024, &data, &len, NULL), 0);
  ck_assert_str_eq(data, "secret");  // the first content survived
  free(data);
}
END_TEST

START_TEST(test_file_read_limits) {
  char path[256];
  snprintf(path, sizeof(path), "%s", path_in_dir("big"));
  ck_assert_int_eq(mtk_file_create(path, "0123456789", 10, 0644, false, NULL),
                   0);
  char *data = NULL;
  size_t len = 0;
  ck_assert_int_eq(mtk_file_read(path, 9, &data, &len, NULL), MTK_ERANGE);
  ck_assert_ptr_null(data);
  ck_assert_int_eq(mtk_file_read(dir, 100, &data, &len, NULL), MTK_EINVAL);
  ck_assert_int_eq(mtk_file_read(path_in_dir("missing"), 9, &data, &len, NULL),
                   MTK_ENOENT);
}
END_TEST

START_TEST(test_file_mkdir_p_nested) {
  char path[256];
  snprintf(path, sizeof(path), "%s/a/b/c", dir);
  ck_assert_int_eq(mtk_mkdir_p(path, 0700, NULL), 0);
  ck_assert_int_eq(mtk_mkdir_p(path, 0700, NULL), 0);  // idempotent
  struct stat st;
  ck_assert_int_eq(stat(path, &st), 0);
  ck_assert(S_ISDIR(st.st_mode));
  char file[256];
  snprintf(file, sizeof(file), "%s/f", dir);
  ck_assert_int_eq(mtk_file_create(file, "x", 1, 0644, false, NULL), 0);
  ck_assert_int_eq(mtk_mkdir_p(file, 0700, NULL), MTK_EEXIST);
}
END_TEST

START_TEST(test_file_dir_lock_excludes_other_process) {
  int fd = -1;
  ck_assert_int_eq(mtk_dir_lock(dir, 0, &fd, NULL), 0);
  ck_assert_int_ge(fd, 0);
  pid_t pid = fork();
  ck_assert_int_ge(pid, 0);
  if (pid == 0) {
    // flock locks belong to the open file description: a fresh open in
    // another process must be refused.
    int child_fd = -1;
    int err = mtk_dir_lock(dir, 20, &child_fd, NULL);
    _exit(err == MTK_ELOCKED ? 0 : 1);
  }
  int status;
  ck_assert_int_eq(waitpid(pid, &status, 0), pid);
  ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  mtk_dir_unlock(fd);
  int fd2 = -1;
  ck_assert_int_eq(mtk_dir_lock(dir, 0, &fd2, NULL), 0);
  mtk_dir_unlock(fd2);
}
END_TEST

static Suite *file_suite(void) {
  Suite *s = suite_create("file");
  TCase *tc = tcase_create("durable");
  tcase_add_checked_fixture(tc, make_dir, remove_dir);
  tcase_add_test(tc, test_file_replace_writes_and_replaces);
  tcase_add_test(tc, test_file_replace_fails_cleanly_in_missing_dir);
  tcase_add_test(tc, test_file_replace_never_follows_or_keeps_modes);
  tcase_add_test(tc, test_file_replace_ignores_planted_temp_names);
  tcase_add_test(tc, test_file_create_refuses_dangling_symlink);
  tcase_add_test(tc, test_file_read_refuses_fifo_without_blocking);
  tcase_add_test(tc, test_file_create_is_exclusive_and_keeps_mode);
  tcase_add_test(tc, test_file_read_limits);
  tcase_add_test(tc, test_file_mkdir_p_nested);
  tcase_add_test(tc, test_file_dir_lock_excludes_other_process);
  suite_add_tcase(s, tc);
  return s;
}

MTK_CHECK_MAIN(file_suite)
