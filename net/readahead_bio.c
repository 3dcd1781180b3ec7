#include "readahead_bio.h"

#include <errno.h>
#include <openssl/bio.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

// A TLS record is at most 5 + 16,384 + 256 bytes: one read can take a
// whole record, or a whole flight of small ones.
enum { SCRATCH_SIZE = 5 + 16384 + 256 };

static _Thread_local uint8_t scratch[SCRATCH_SIZE];

struct readahead {
  int fd;
  uint8_t *kept;  // bytes read but not taken yet, or NULL
  size_t kept_off, kept_len;
};

// should_retry reports whether a failed read(2) is one BoringSSL's socket
// BIO retries (crypto/bio/errno.c, bio_errno_should_retry).
static bool should_retry(int err) {
  return err == EAGAIN || err == EWOULDBLOCK || err == EINTR ||
         err == ENOTCONN || err == EPROTO || err == EINPROGRESS ||
         err == EALREADY;
}

// take copies up to |len| kept bytes to |out| and returns how many.
static int take(struct readahead *ra, char *out, size_t len) {
  size_t n = len < ra->kept_len ? len : ra->kept_len;
  memcpy(out, ra->kept + ra->kept_off, n);
  ra->kept_off += n;
  ra->kept_len -= n;
  if (ra->kept_len == 0) {
    free(ra->kept);
    ra->kept = NULL;
    ra->kept_off = 0;
  }
  return (int)n;
}

static int readahead_read(BIO *bio, char *out, int outl) {
  struct readahead *ra = BIO_get_data(bio);
  BIO_clear_retry_flags(bio);
  if (outl <= 0) {
    return 0;
  }
  if (ra->kept_len > 0) {
    return take(ra, out, (size_t)outl);
  }
  // A read as large as the scratch buffer goes straight to |out|.
  bool direct = (size_t)outl >= SCRATCH_SIZE;
  ssize_t n = read(ra->fd, direct ? (uint8_t *)out : scratch,
                   direct ? (size_t)outl : SCRATCH_SIZE);
  if (n < 0) {
    if (should_retry(errno)) {
      BIO_set_retry_read(bio);
    }
    return -1;
  }
  if (n == 0 || direct || n <= outl) {
    if (!direct) {
      memcpy(out, scratch, (size_t)n);
    }
    return (int)n;
  }
  // Keep what does not fit, for the next reads.
  memcpy(out, scratch, (size_t)outl);
  size_t rest = (size_t)n - (size_t)outl;
  ra->kept = malloc(rest);
  if (ra->kept == NULL) {
    errno = ENOMEM;
    return -1;  // the stream lost bytes: a failed read, never a retry
  }
  memcpy(ra->kept, scratch + outl, rest);
  ra->kept_len = rest;
  return outl;
}

static int readahead_write(BIO *bio, const char *in, int inl) {
  (void)bio;
  (void)in;
  (void)inl;
  return -1;  // the read side only: SSL_set_bio takes a separate write BIO
}

static long readahead_ctrl(BIO *bio, int cmd, long num, void *ptr) {
  (void)num;
  struct readahead *ra = BIO_get_data(bio);
  switch (cmd) {
    case BIO_CTRL_PENDING:
      return (long)ra->kept_len;
    case BIO_C_GET_FD:
      if (ptr != NULL) {
        *(int *)ptr = ra->fd;
      }
      return ra->fd;
    case BIO_CTRL_FLUSH:
      return 1;
    default:
      return 0;
  }
}

static int readahead_destroy(BIO *bio) {
  struct readahead *ra = BIO_get_data(bio);
  if (ra != NULL) {
    free(ra->kept);
    free(ra);
    BIO_set_data(bio, NULL);
  }
  return 1;
}

static BIO_METHOD *method;
static pthread_once_t method_once = PTHREAD_ONCE_INIT;

// make_method builds the BIO_METHOD once per process (never freed). Its
// type is a descriptor, so SSL_get_fd finds the socket through it.
static void make_method(void) {
  BIO_METHOD *m = BIO_meth_new(
      BIO_get_new_index() | BIO_TYPE_SOURCE_SINK | BIO_TYPE_DESCRIPTOR,
      "mtlskit read-ahead socket");
  if (m == NULL || !BIO_meth_set_read(m, readahead_read) ||
      !BIO_meth_set_write(m, readahead_write) ||
      !BIO_meth_set_ctrl(m, readahead_ctrl) ||
      !BIO_meth_set_destroy(m, readahead_destroy)) {
    BIO_meth_free(m);
    return;
  }
  method = m;
}

BIO *mtk_readahead_bio_new(int fd) {
  pthread_once(&method_once, make_method);
  if (method == NULL) {
    return NULL;
  }
  struct readahead *ra = calloc(1, sizeof(*ra));
  BIO *bio = ra != NULL ? BIO_new(method) : NULL;
  if (bio == NULL) {
    free(ra);
    return NULL;
  }
  ra->fd = fd;
  BIO_set_data(bio, ra);
  BIO_set_init(bio, 1);
  return bio;
}
