// CA operations on an `openssl ca` directory: init, issue, sign, revoke,
// CRL, export. This is what `mtlskit ca` runs; the fixture builder uses the
// lower layers (x509_cert.h, x509_crl.h) directly.
//
// Durability. Every writing operation runs between mtk_ca_open with
// MTK_CA_OPEN_LOCK (an exclusive flock on the directory) and mtk_ca_commit.
// New files are created with O_EXCL and remembered; mtk_ca_commit makes
// them durable (fsync, or one syncfs for large batches), fsyncs their
// directories, and only then replaces index.txt (write temp, fsync,
// rename, fsync dir): the index is the commit point. A crash before it
// leaves unreferenced files but an intact database; serials are random and
// also checked against newcerts/, so none is ever reused. mtk_ca_close
// without a commit (any failure) removes every file the operation created,
// so a failed command changes nothing.
#ifndef MTK_HEADER_CA_H
#define MTK_HEADER_CA_H

#include <openssl/base.h>
#include <openssl/x509.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "mtlskit/cadb.h"
#include "mtlskit/diag.h"
#include "mtlskit/p12.h"
#include "mtlskit/secret.h"
#include "mtlskit/x509_cert.h"
#include "mtlskit/x509_key.h"
#include "mtlskit/x509_name.h"
#include "mtlskit/x509_san.h"

#ifdef __cplusplus
extern "C" {
#endif

// How long a writing command waits for another one holding the lock.
#define MTK_CA_LOCK_TIMEOUT_MS 120000

#define MTK_CA_OPEN_LOCK 1u        // take the directory lock (writers)
#define MTK_CA_OPEN_KEY 2u         // load the CA private key (signers)
#define MTK_CA_OPEN_INIT 4u        // mtk_ca_init's own use: accept its marker
#define MTK_CA_OPEN_NO_RECOVER 8u  // with LOCK: leave a journal as it is

// The file `ca init` keeps in the CA directory until the CA is complete
// and durable. A directory holding it is one an init was killed while
// creating: `ca init` redoes it, every other command refuses it.
#define MTK_CA_INIT_MARKER ".mtlskit-init"

// Crash recovery. Before an issuing command creates its first file it
// writes, durably, the journal MTK_CA_JOURNAL: the names (and PKCS#12
// paths) it is about to create. The index is the commit point; the journal
// goes once the index is written, or once a failed command has removed its
// files. A journal found by the next command that takes the lock means a
// command was killed: every certificate it names that the index does not
// record is removed with its key, CSR and PKCS#12, as is every
// newcerts/SERIAL.pem whose serial the index does not record; then the
// command proceeds. `mtlskit ca check` reports it, `--repair` does it.
#define MTK_CA_JOURNAL ".mtlskit-journal"

struct mtk_ca {
  struct mtk_cadb_conf conf;
  X509 *cert;              // this CA's certificate
  EVP_PKEY *key;           // with MTK_CA_OPEN_KEY, else NULL
  STACK_OF(X509) * chain;  // issuers above this CA, nearest first
  struct mtk_cadb_index index;
  // private
  int lock_fd;
  char **created;
  size_t num_created, cap_created;
  bool index_dirty;
  bool journal_open;   // this session wrote MTK_CA_JOURNAL
  char *journal_text;  // its content so far
  size_t journal_len;
  pthread_mutex_t mutex;  // guards |created| during batch issuance
  // public: what opening with MTK_CA_OPEN_LOCK recovered from a killed
  // command (certificates it had not committed, files removed)
  size_t recovered_uncommitted, recovered_removed;
};

// mtk_ca_open opens the CA in |dir|: its openssl.cnf, certificate, chain
// (certs/ca-chain.cert.pem beyond its first certificate, if present) and
// index. |key_password| decrypts an encrypted CA key and may be NULL. It
// returns 0, -ENOENT for a missing directory, MTK_ECORRUPT for a damaged
// one, MTK_EBADPASS, MTK_ELOCKED; the detail is in |diag|. Release |ca|
// with mtk_ca_close in every case.
MTK_MUST_CHECK int mtk_ca_open(struct mtk_ca *ca, const char *dir,
                               unsigned flags,
                               const struct mtk_secret *key_password,
                               struct mtk_diag *diag);

// mtk_ca_close removes the files created since the last commit (if any),
// releases the lock and frees |ca|.
void mtk_ca_close(struct mtk_ca *ca);

// mtk_ca_journal_pending reports whether |ca|'s directory holds a journal:
// a command that created files was killed before it committed or cleaned
// up (true in the session writing one, too).
bool mtk_ca_journal_pending(const struct mtk_ca *ca);

// mtk_ca_journal_end removes this session's journal (after a commit, or
// once the files of a failed command are gone).
void mtk_ca_journal_end(struct mtk_ca *ca);

// mtk_ca_journal_recover undoes what a killed command left (see
// MTK_CA_JOURNAL) when the directory holds a journal, under the lock:
// *|out_uncommitted| certificates it named were not in the index,
// *|out_removed| files were removed. Returns 0 (also without a journal)
// or a negative code.
MTK_MUST_CHECK int mtk_ca_journal_recover(struct mtk_ca *ca,
                                          size_t *out_uncommitted,
                                          size_t *out_removed,
                                          struct mtk_diag *diag);

// mtk_ca_check compares |ca|'s index with its files, calling |fn| with
// |arg| and a one-line description for each inconsistency, and returns how
// many there were: the journal of a command killed before its commit (one
// killed after it is harmless and not reported); an index entry whose
// serial appears twice, or whose newcerts/SERIAL.pem is missing, unreadable,
// holds another serial or subject, or is not signed by the CA's key; a
// newcerts/SERIAL.pem the index does not record. It works on directories
// `openssl ca` made or touched as well.
size_t mtk_ca_check(const struct mtk_ca *ca,
                    void (*fn)(void *arg, const char *problem), void *arg);

// mtk_ca_commit makes the files created so far durable and writes the
// index when it changed. It returns 0 or a negative code; on failure the
// index on disk is unchanged and mtk_ca_close removes the new files.
MTK_MUST_CHECK int mtk_ca_commit(struct mtk_ca *ca, struct mtk_diag *diag);

struct mtk_ca_init_params {
  const struct mtk_dn *subject;
  long days;
  enum mtk_key_type key_type;
  enum mtk_digest digest;
  bool intermediate;                          // also DIR/intermediate
  const struct mtk_dn *intermediate_subject;  // NULL: derived from subject
  const struct mtk_secret *key_password;      // NULL: keys unencrypted
};

// mtk_ca_init creates a root CA in |dir| (which must not exist, be empty,
// or hold the remains of an init that was killed) and, with
// |intermediate|, a subordinate CA in |dir|/intermediate signed by it
// (root pathlen 1, intermediate pathlen 0; a lone root has pathlen 0). It
// holds |dir|'s lock throughout, so a concurrent init waits and then finds
// the directory taken, and keeps MTK_CA_INIT_MARKER in it until the CA is
// durable. On failure everything it created is removed.
MTK_MUST_CHECK int mtk_ca_init(const char *dir,
                               const struct mtk_ca_init_params *params,
                               time_t now, struct mtk_diag *diag);

// Named profiles. `ca issue --profile NAME` (other than the built-in
// client and server) takes the extensions of section [NAME] of
// DIR/openssl.cnf, the very lines `openssl ca -extensions NAME` reads,
// applied by the same x509v3 configuration code (BoringSSL's copy of
// OpenSSL's), so both tools make identical extensions. The validity comes
// from the key NAME of section [MTK_CA_PROFILE_DAYS] (openssl ca takes it
// as -days), else default_days.
#define MTK_CA_PROFILE_DAYS "mtlskit_profile_days"

struct mtk_ca_profile {
  char name[64];
  long days;      // from MTK_CA_PROFILE_DAYS, or -1
  bool sets_san;  // the section writes subjectAltName itself
  // private
  struct conf_st *conf;
};

// mtk_ca_profile_load reads profile |name| from |dir|/openssl.cnf: the
// section must exist and hold at least one extension line. It returns 0,
// MTK_EUSAGE (no such section, a bad days value) or MTK_ECORRUPT (the file
// does not parse), with "openssl.cnf line N" or the section in |diag|.
// Release with mtk_ca_profile_cleanup in every case.
MTK_MUST_CHECK int mtk_ca_profile_load(const char *dir, const char *name,
                                       struct mtk_ca_profile *out,
                                       struct mtk_diag *diag);

// mtk_ca_profile_cleanup releases |p|.
void mtk_ca_profile_cleanup(struct mtk_ca_profile *p);

struct mtk_ca_issue_req {
  const char *name;  // NULL (sign only): no files by name
  const struct mtk_dn *subject;
  const struct mtk_san_list *san;  // may be NULL
  enum mtk_cert_profile profile;
  time_t not_before, not_after;
  enum mtk_key_type key_type;  // used when public_key is NULL
  EVP_PKEY *public_key;        // a CSR's key: no private key written
  EVP_PKEY *private_key;       // a key to certify again (renew): written
                               // as private/NAME.key.pem like a new one
  // When non-NULL: the complete list of extensions to write, in order,
  // instead of |profile|'s (a renewal's copy of the old certificate's, a
  // named profile of openssl.cnf); |san| is then checked but not written.
  const struct mtk_raw_ext *extensions;
  size_t num_extensions;
  // When non-NULL (and |extensions| is NULL): the named profile whose
  // extensions are written instead of |profile|'s, plus |san| unless the
  // profile writes subjectAltName itself.
  const struct mtk_ca_profile *named_profile;
  const uint8_t *csr;  // the CSR to keep in csr/NAME.csr.pem
  size_t csr_len;
  enum mtk_digest digest;  // DEFAULT: the cnf's default_md
  const char *p12_path;    // NULL: no PKCS#12
  const struct mtk_secret *p12_password;
  enum mtk_p12_profile p12_profile;
};

// mtk_ca_journal_begin records, durably, that the |num| requests |reqs| are
// about to be issued (their names and PKCS#12 paths), adding to what this
// session recorded before. Call it under the lock, before issuing.
MTK_MUST_CHECK int mtk_ca_journal_begin(struct mtk_ca *ca,
                                        const struct mtk_ca_issue_req *reqs,
                                        size_t num, struct mtk_diag *diag);

struct mtk_ca_issued {
  char serial[2 * MTK_SERIAL_MAX + 3];
  X509 *cert;  // owned by the caller: X509_free
};

// mtk_ca_check_request applies the CA's issuance policy to a request,
// whatever its source (command line, batch file, CSR): a non-empty subject
// that passes mtk_dn_check, SANs that pass mtk_san_check (|san| may be
// NULL), and |key| (a CSR's public key) passing mtk_key_check, or, when
// |key| is NULL, |key_type| (the key to generate) passing
// mtk_key_type_check. mtk_ca_issue and mtk_ca_issue_batch apply it to
// every request; commands call it too, to refuse bad input before they
// lock the CA. It returns 0 or MTK_EPARSE with the reason in |diag|.
MTK_MUST_CHECK int mtk_ca_check_request(const struct mtk_dn *subject,
                                        const struct mtk_san_list *san,
                                        const EVP_PKEY *key,
                                        enum mtk_key_type key_type,
                                        struct mtk_diag *diag);

// mtk_ca_issue issues one certificate in the open transaction: key (unless
// req->public_key), private/NAME.key.pem (0600), csr/NAME.csr.pem,
// certs/NAME.cert.pem, newcerts/SERIAL.pem, the optional PKCS#12, and an
// index entry in memory (written by mtk_ca_commit). It returns 0, or
// MTK_EPARSE for a request mtk_ca_check_request refuses, MTK_EDUPLICATE for a
// NAME in use (or a subject in use with unique_subject), MTK_EUSAGE for a bad
// NAME, -errno for file errors.
MTK_MUST_CHECK int mtk_ca_issue(struct mtk_ca *ca,
                                const struct mtk_ca_issue_req *req,
                                struct mtk_ca_issued *out,
                                struct mtk_diag *diag);

// mtk_ca_issue_batch issues |num| certificates like |num| calls of
// mtk_ca_issue, on up to |threads| threads (keys, signatures and files in
// parallel), then appends the index entries in the order of |reqs|. On
// failure nothing is appended, *out_failed is the first failing request and
// the caller's mtk_ca_close removes every file the batch created. outs[i]
// gets the serial only: outs[i].cert is NULL (the certificate is in
// newcerts/SERIAL.pem; not parsing 10,000 of them back saves time).
MTK_MUST_CHECK int mtk_ca_issue_batch(struct mtk_ca *ca,
                                      const struct mtk_ca_issue_req *reqs,
                                      size_t num, struct mtk_ca_issued *outs,
                                      unsigned threads, size_t *out_failed,
                                      struct mtk_diag *diag);

// mtk_ca_check_name checks that |name| can name a certificate: 1 to 64
// characters of [A-Za-z0-9._-], not starting with '.' or '-', and not one
// of the CA's own names (ca, ca-chain, intermediate). It returns 0 or
// MTK_EUSAGE.
MTK_MUST_CHECK int mtk_ca_check_name(const char *name, struct mtk_diag *diag);

// mtk_ca_find resolves NAME (certs/NAME.cert.pem) or a hex serial to an
// index entry. Exactly one of |name| and |serial| is non-NULL. It returns
// the entry index >= 0, or MTK_ENOTFOUND.
MTK_MUST_CHECK ssize_t mtk_ca_find(struct mtk_ca *ca, const char *name,
                                   const char *serial, struct mtk_diag *diag);

// mtk_ca_revoke marks the entry for |name| or |serial| revoked at |when|
// with |reason| (MTK_REASON_NONE for none). It returns 0, MTK_ENOTFOUND,
// or MTK_EDUPLICATE when the certificate is already revoked.
MTK_MUST_CHECK int mtk_ca_revoke(struct mtk_ca *ca, const char *name,
                                 const char *serial, int reason, time_t when,
                                 char *out_serial, size_t out_serial_len,
                                 struct mtk_diag *diag);

// mtk_ca_crl writes a new CRL of every revoked entry to |out_path| (NULL:
// the cnf's `crl`) valid for |days| days from |now| (< 0: the cnf's
// default_crl_days), using the number in crlnumber and storing the next
// one. *out_number gets the CRLNumber used (hex). Returns 0 or a code.
MTK_MUST_CHECK int mtk_ca_crl(struct mtk_ca *ca, long days, time_t now,
                              const char *out_path, char *out_number,
                              size_t out_number_len, size_t *out_num_revoked,
                              struct mtk_diag *diag);

// mtk_ca_truststore writes the bundle a trust store wants, intermediates
// first and the root last, as PEM to *out (free with free()).
MTK_MUST_CHECK int mtk_ca_truststore(struct mtk_ca *ca, char **out,
                                     size_t *out_len, struct mtk_diag *diag);

// mtk_ca_export_p12 writes NAME's key, certificate and chain as PKCS#12 to
// |path| (replaced atomically, mode 0600). A certificate the index records
// as revoked, or whose notAfter has passed, is refused with MTK_EUSAGE
// (nothing written) unless |allow_revoked|.
MTK_MUST_CHECK int mtk_ca_export_p12(struct mtk_ca *ca, const char *name,
                                     const char *path,
                                     const struct mtk_secret *password,
                                     enum mtk_p12_profile profile,
                                     bool allow_revoked, struct mtk_diag *diag);

// Renewals. index.txt has no field for where a certificate came from (its
// fifth field is a file name that `openssl ca` always writes as
// "unknown"), so `ca renew` records each renewal as one line of
// DIR/MTK_CA_LINEAGE: "NEW_SERIAL<TAB>OLD_SERIAL". Lines whose new serial
// the index does not record (a renewal that failed or was killed before its
// commit) mean nothing and are ignored.
#define MTK_CA_LINEAGE "lineage.txt"

// mtk_ca_lineage_add records that |new_serial| renews |old_serial|,
// replacing the file atomically and durably. Call it under the lock,
// before mtk_ca_commit. Returns 0 or a negative code.
MTK_MUST_CHECK int mtk_ca_lineage_add(struct mtk_ca *ca, const char *new_serial,
                                      const char *old_serial,
                                      struct mtk_diag *diag);

// mtk_ca_lineage_get sets *out_renews to the index entry that the entry
// with |serial| renews, and *out_renewed_by to the latest entry renewing
// it; -1 where there is none (or no lineage file).
void mtk_ca_lineage_get(const struct mtk_ca *ca, const char *serial,
                        ssize_t *out_renews, ssize_t *out_renewed_by);

// mtk_ca_names maps serials to NAMEs by reading certs/*.cert.pem. For each
// index entry i, (*out)[i] is the NAME or NULL. Free with
// mtk_ca_names_free(*out, ca->index.num_entries).
MTK_MUST_CHECK int mtk_ca_names(struct mtk_ca *ca, char ***out,
                                struct mtk_diag *diag);
void mtk_ca_names_free(char **names, size_t num);

#ifdef __cplusplus
}
#endif

#endif  // MTK_HEADER_CA_H
