#include <errno.h>
#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/ssl.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check_main.h"
#include "readahead_bio.h"

// A connected pair: fds[0] read through the BIO (non-blocking), fds[1]
// written by the test.
static void socket_pair(int fds[2]) {
  ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  ck_assert_int_eq(fcntl(fds[0], F_SETFL, O_NONBLOCK), 0);
}

static void send_all(int fd, const void *data, size_t len) {
  ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
}

// One read(2) takes everything that arrived: the record header asked for
// leaves the rest pending in the BIO, handed out in order, piece by piece.
START_TEST(test_reads_ahead_and_hands_out_in_order) {
  int fds[2];
  socket_pair(fds);
  const char flight[] = "HEAD1body-one|HEAD2body-number-two";
  send_all(fds[1], flight, sizeof(flight) - 1);
  BIO *bio = mtk_readahead_bio_new(fds[0]);
  ck_assert_ptr_nonnull(bio);
  char buf[64];
  ck_assert_int_eq(BIO_read(bio, buf, 5), 5);
  ck_assert(memcmp(buf, "HEAD1", 5) == 0);
  ck_assert_uint_eq(BIO_pending(bio), sizeof(flight) - 1 - 5);
  // The socket is empty now: the rest comes from the BIO alone.
  char probe;
  ck_assert_int_eq(recv(fds[0], &probe, 1, MSG_PEEK | MSG_DONTWAIT), -1);
  ck_assert_int_eq(BIO_read(bio, buf, 9), 9);
  ck_assert(memcmp(buf, "body-one|", 9) == 0);
  ck_assert_int_eq(BIO_read(bio, buf, 5), 5);
  ck_assert(memcmp(buf, "HEAD2", 5) == 0);
  ck_assert_int_eq(BIO_read(bio, buf, sizeof(buf)), 15);
  ck_assert(memcmp(buf, "body-number-two", 15) == 0);
  ck_assert_uint_eq(BIO_pending(bio), 0);
  // Nothing left and nothing arrived: a retry, as a socket BIO says.
  ck_assert_int_eq(BIO_read(bio, buf, 5), -1);
  ck_assert(BIO_should_retry(bio) && BIO_should_read(bio));
  // New bytes after a retry are read again.
  send_all(fds[1], "x", 1);
  ck_assert_int_eq(BIO_read(bio, buf, 5), 1);
  ck_assert(!BIO_should_retry(bio));
  BIO_free(bio);
  close(fds[0]);
  close(fds[1]);
}
END_TEST

// End of stream reads 0, and a failed read(2) fails with its errno kept
// and no retry: the outcome classifier reads errno.
START_TEST(test_eof_and_errors_keep_the_socket_bio_rules) {
  int fds[2];
  socket_pair(fds);
  BIO *bio = mtk_readahead_bio_new(fds[0]);
  send_all(fds[1], "ab", 2);
  close(fds[1]);
  char buf[8];
  ck_assert_int_eq(BIO_read(bio, buf, 1), 1);
  ck_assert_int_eq(BIO_read(bio, buf, 8), 1);  // the kept byte
  ck_assert_int_eq(BIO_read(bio, buf, 8), 0);  // then the end
  ck_assert(!BIO_should_retry(bio));
  BIO_free(bio);
  close(fds[0]);

  int closed = dup(0);
  close(closed);
  bio = mtk_readahead_bio_new(closed);
  errno = 0;
  ck_assert_int_eq(BIO_read(bio, buf, 8), -1);
  ck_assert_int_eq(errno, EBADF);
  ck_assert(!BIO_should_retry(bio));
  BIO_free(bio);
}
END_TEST

// A read as large as a whole record goes straight to the caller's buffer.
START_TEST(test_large_reads_go_direct) {
  int fds[2];
  socket_pair(fds);
  static char big[40000], got[40000];
  memset(big, 'z', sizeof(big));
  int sndbuf = 1 << 20;
  setsockopt(fds[1], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
  send_all(fds[1], big, 20000);
  BIO *bio = mtk_readahead_bio_new(fds[0]);
  int n = BIO_read(bio, got, (int)sizeof(got));
  ck_assert_int_gt(n, 0);
  ck_assert_int_le(n, 20000);
  ck_assert_uint_eq(BIO_pending(bio), 0);
  BIO_free(bio);
  close(fds[0]);
  close(fds[1]);
}
END_TEST

// SSL_get_fd finds the socket through the BIO (the local test servers'
// refusals write to it), and the BIO never writes.
START_TEST(test_ssl_finds_the_descriptor) {
  int fds[2];
  socket_pair(fds);
  BIO *bio = mtk_readahead_bio_new(fds[0]);
  int fd = -1;
  ck_assert_int_eq(BIO_get_fd(bio, &fd), fds[0]);
  ck_assert_int_eq(fd, fds[0]);
  ck_assert_int_eq(BIO_write(bio, "x", 1), -1);
  SSL_CTX *ctx = SSL_CTX_new(TLS_method());
  SSL *ssl = SSL_new(ctx);
  SSL_set_bio(ssl, bio, BIO_new_socket(fds[0], BIO_NOCLOSE));
  ck_assert_int_eq(SSL_get_fd(ssl), fds[0]);
  SSL_free(ssl);
  SSL_CTX_free(ctx);
  close(fds[0]);
  close(fds[1]);
}
END_TEST

static Suite *readahead_bio_suite(void) {
  Suite *s = suite_create("readahead_bio");
  TCase *tc = tcase_create("bio");
  tcase_add_test(tc, test_reads_ahead_and_hands_out_in_order);
  tcase_add_test(tc, test_eof_and_errors_keep_the_socket_bio_rules);
  tcase_add_test(tc, test_large_reads_go_direct);
  tcase_add_test(tc, test_ssl_finds_the_descriptor);
  suite_add_tcase(s, tc);
  return s;
}

MTK_CHECK_MAIN(readahead_bio_suite)
