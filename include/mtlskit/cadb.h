// The `openssl ca` directory database: openssl.cnf's [CA_default] section,
// index.txt, index.txt.attr, serial and crlnumber, read and written exactly
// the way openssl ca reads and writes them, so either tool can operate a
// directory the other created.
//
// index.txt has one line per certificate, six tab-separated fields:
//   status  V (valid), R (revoked) or E (expired)
//   expiry  notAfter as written in the certificate (YYMMDDHHMMSSZ, or
//           YYYYMMDDHHMMSSZ from 2050)
//   revoked empty for V/E; for R the revocation time, optionally followed
//           by ",reason" (",keyCompromise")
//   serial  upper-case hex, two digits per byte, no leading zero bytes
//   file    always "unknown" (openssl writes nothing else)
//   subject the subject in X509_NAME_oneline form ("/C=JP/O=x/CN=y")
#ifndef MTK_HEADER_CADB_H
#define MTK_HEADER_CADB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "mtlskit/diag.h"
#include "mtlskit/x509_key.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MTK_CADB_PATH_MAX 4096

// The longest serial or CRL number, in INTEGER content octets (RFC 5280
// 4.1.2.2 and 5.2.3).
#define MTK_CADB_NUMBER_MAX 20

// Validity in days, on the command line and in openssl.cnf.
#define MTK_CADB_DAYS_MAX 36500
#define MTK_CADB_DAYS_RULE "must be a whole number of days, 1 to 36500"

// mtk_cadb_file_read reads a file of the CA directory like mtk_file_read,
// but as the CA's own data: a file that is not a regular file (a FIFO, a
// directory), larger than |max_len|, or that holds a NUL byte fails with
// MTK_ECORRUPT and "PATH line N: NUL byte" (or the like) in |diag|. I/O
// errors keep their -errno code. Free *out with free().
MTK_MUST_CHECK int mtk_cadb_file_read(const char *path, size_t max_len,
                                      char **out, size_t *out_len,
                                      struct mtk_diag *diag);

// mtk_cadb_days_parse parses a validity in days as both --days and
// openssl.cnf's default_days and default_crl_days take it: a whole number,
// 1 to MTK_CADB_DAYS_MAX. It returns 0 or MTK_EPARSE.
MTK_MUST_CHECK int mtk_cadb_days_parse(const char *s, long *out);

// mtk_cadb_digest_parse parses a signature digest as both --digest and
// openssl.cnf's default_md take it: sha256, sha384, sha512 (or "default");
// SHA-1 is refused. On failure it writes what to use instead to |why| and
// returns MTK_EPARSE.
MTK_MUST_CHECK int mtk_cadb_digest_parse(const char *s, enum mtk_digest *out,
                                         char *why, size_t why_len);

// The paths and defaults of one CA, from DIR/openssl.cnf.
struct mtk_cadb_conf {
  char dir[MTK_CADB_PATH_MAX];            // the CA directory itself
  char certs[MTK_CADB_PATH_MAX];          // certs
  char crl_dir[MTK_CADB_PATH_MAX];        // crl_dir
  char new_certs_dir[MTK_CADB_PATH_MAX];  // new_certs_dir
  char database[MTK_CADB_PATH_MAX];       // database (index.txt)
  char serial[MTK_CADB_PATH_MAX];         // serial
  char crlnumber[MTK_CADB_PATH_MAX];      // crlnumber ("" if unset)
  char private_key[MTK_CADB_PATH_MAX];    // private_key
  char certificate[MTK_CADB_PATH_MAX];    // certificate
  char crl[MTK_CADB_PATH_MAX];            // crl (where `ca crl` writes)
  char private_dir[MTK_CADB_PATH_MAX];    // DIR/private
  char csr_dir[MTK_CADB_PATH_MAX];        // DIR/csr
  enum mtk_digest default_md;             // default_md
  long default_days;                      // default_days (365 if unset)
  long default_crl_days;                  // default_crl_days (30 if unset)
  bool unique_subject;                    // index.txt.attr, then the cnf
};

// mtk_cadb_conf_load reads DIR/openssl.cnf: the section named by
// [ca] default_ca (else "CA_default"), with $var, ${var}, $section::var and
// $ENV::VAR expansion. The variable `dir` always expands to |dir| itself,
// so a moved directory, or one whose cnf says `dir = .`, still works;
// other relative paths are taken relative to |dir|. Missing keys get the
// layout's defaults ($dir/index.txt, $dir/certs/ca.cert.pem, ...). It
// returns 0, -ENOENT (not a CA directory), MTK_ECORRUPT (malformed cnf or
// attr file, or a value the command line would refuse: default_md = sha1,
// default_days = 0, ...) with "PATH line N: KEY = VALUE: why" in |diag|.
MTK_MUST_CHECK int mtk_cadb_conf_load(const char *dir,
                                      struct mtk_cadb_conf *out,
                                      struct mtk_diag *diag);

// mtk_cadb_cnf_write renders the openssl.cnf mtlskit writes for a CA in
// |abs_dir| (absolute path), usable with `openssl ca -config`. |pathlen| is
// the root's pathlen in v3_ca. |digest| is default_md. Free *out with
// free(). It returns 0 or MTK_ENOMEM.
MTK_MUST_CHECK int mtk_cadb_cnf_render(const char *abs_dir, int pathlen,
                                       const char *default_md, char **out,
                                       size_t *out_len);

struct mtk_cadb_entry {
  char status;  // 'V', 'R' or 'E'
  char *expires;
  char *revoked;  // "" unless revoked
  char *serial;
  char *file;
  char *subject;
};

struct mtk_cadb_index {
  struct mtk_cadb_entry *entries;
  size_t num_entries;
  // private
  size_t cap_entries;
  char *buf;     // the file; loaded entries point into it
  char **owned;  // strings of appended or changed entries
  size_t num_owned, cap_owned;
  size_t *slots;  // serial hash table: entry index + 1, 0 = empty
  size_t num_slots;
};

// mtk_cadb_index_load reads index.txt at |path|. Every line is checked: a
// wrong field count, status, time, revocation field or serial fails with
// MTK_ECORRUPT and "index.txt line N: ..." in |diag|. A missing file is
// -ENOENT. Release with mtk_cadb_index_cleanup (also after a failure).
MTK_MUST_CHECK int mtk_cadb_index_load(const char *path,
                                       struct mtk_cadb_index *out,
                                       struct mtk_diag *diag);

// mtk_cadb_index_cleanup frees |idx|.
void mtk_cadb_index_cleanup(struct mtk_cadb_index *idx);

// mtk_cadb_index_find returns the index of the entry with serial |hex|
// (compared case-insensitively after dropping leading zero bytes), or -1.
ssize_t mtk_cadb_index_find(const struct mtk_cadb_index *idx, const char *hex);

// mtk_cadb_index_has_subject reports whether a V entry has |subject|.
bool mtk_cadb_index_has_subject(const struct mtk_cadb_index *idx,
                                const char *subject);

// mtk_cadb_index_append adds a V entry (copies of the strings). It returns
// 0, MTK_EDUPLICATE for a serial already present, or MTK_ENOMEM.
MTK_MUST_CHECK int mtk_cadb_index_append(struct mtk_cadb_index *idx,
                                         const char *expires,
                                         const char *serial,
                                         const char *subject);

// mtk_cadb_index_revoke marks entry |i| revoked with the index field
// |revoked| ("261123170000Z,keyCompromise"). It returns 0 or MTK_ENOMEM.
MTK_MUST_CHECK int mtk_cadb_index_revoke(struct mtk_cadb_index *idx, size_t i,
                                         const char *revoked);

// mtk_cadb_index_render writes |idx| in index.txt form to a new buffer *out
// (free with free()). It returns 0 or MTK_ENOMEM.
MTK_MUST_CHECK int mtk_cadb_index_render(const struct mtk_cadb_index *idx,
                                         char **out, size_t *out_len);

// mtk_cadb_hex_read reads a serial or crlnumber file: one hex number and a
// newline. The value goes to |out| as positive INTEGER contents. It returns
// 0, -errno, or MTK_ECORRUPT with "PATH: not a hex number" in |diag|, or
// "PATH: ... is out of range" for 0 or a value of more than
// MTK_CADB_NUMBER_MAX octets (or |out_cap|).
MTK_MUST_CHECK int mtk_cadb_hex_read(const char *path, uint8_t *out,
                                     size_t out_cap, size_t *out_len,
                                     struct mtk_diag *diag);

// mtk_cadb_hex_increment adds one to the positive INTEGER contents in
// |num| (growing it by a byte when needed, |cap| permitting). It returns 0
// or MTK_ERANGE.
MTK_MUST_CHECK int mtk_cadb_hex_increment(uint8_t *num, size_t *len,
                                          size_t cap);

// mtk_cadb_revoked_parse splits an index revocation field into its time and
// reason (MTK_REASON_NONE when absent). It returns 0 or MTK_EPARSE.
MTK_MUST_CHECK int mtk_cadb_revoked_parse(const char *field, time_t *out_time,
                                          int *out_reason);

#ifdef __cplusplus
}
#endif

#endif  // MTK_HEADER_CADB_H
