// A read-ahead socket BIO: BoringSSL reads a TLS record as a 5-byte header
// and then its body, and a socket BIO turns each into a read(2) of its own
// (two system calls per record, fourteen for a server's TLS 1.3 flight).
// BoringSSL has no read-ahead of its own (SSL_set_read_ahead does nothing),
// so this BIO reads up to 16 KiB at a time into a per-thread buffer and
// keeps what the TLS layer has not taken yet, in a block of the exact size
// that is freed once drained: an idle connection holds no buffer.
//
// Bytes kept here make no socket readable: a caller that stops reading
// while BIO_pending(bio) is not zero must come back for them.
#ifndef MTK_NET_READAHEAD_BIO_H
#define MTK_NET_READAHEAD_BIO_H

#include <openssl/base.h>

// mtk_readahead_bio_new returns a BIO that reads the socket |fd| (not
// closed by the BIO) with read-ahead, for SSL_set_bio's read side, or NULL
// when out of memory. Reads fail and retry as BoringSSL's socket BIO does
// (errno kept; EAGAIN, EINTR and the like ask for a retry); BIO_pending
// gives the bytes read ahead; BIO_get_fd gives |fd|.
BIO *mtk_readahead_bio_new(int fd);

#endif  // MTK_NET_READAHEAD_BIO_H
