// The CA's intent journal: what an issuing command is about to create, so
// that the next command that takes the lock can undo what a crash left
// behind (see ca.h, "Crash recovery").
#include <dirent.h>
#include <openssl/err.h>
#include <openssl/mem.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "mtlskit/ca.h"
#include "mtlskit/file.h"
#include "mtlskit/pem.h"
#include "mtlskit/x509_cert.h"

// journal_path writes DIR/MTK_CA_JOURNAL to |out|; 0 or MTK_ERANGE.
static int journal_path(const struct mtk_ca *ca, char *out, size_t out_len) {
  int n = snprintf(out, out_len, "%s/%s", ca->conf.dir, MTK_CA_JOURNAL);
  return n < 0 || (size_t)n >= out_len ? MTK_ERANGE : 0;
}

bool mtk_ca_journal_pending(const struct mtk_ca *ca) {
  char path[MTK_CADB_PATH_MAX + 32];
  return journal_path(ca, path, sizeof(path)) == 0 && mtk_file_exists(path);
}

// append grows the text *|buf| (*|len| bytes) by the line "WORD NAME[ REST]".
static int append(char **buf, size_t *len, const char *word, const char *name,
                  const char *rest) {
  size_t add = strlen(word) + strlen(name) + (rest ? strlen(rest) + 1 : 0) + 3;
  char *b = realloc(*buf, *len + add);
  if (b == NULL) {
    return MTK_ENOMEM;
  }
  int n = snprintf(b + *len, add, "%s %s%s%s\n", word, name, rest ? " " : "",
                   rest ? rest : "");
  *buf = b;
  *len += (size_t)n;
  return 0;
}

int mtk_ca_journal_begin(struct mtk_ca *ca, const struct mtk_ca_issue_req *reqs,
                         size_t num, struct mtk_diag *diag) {
  char path[MTK_CADB_PATH_MAX + 32];
  if (journal_path(ca, path, sizeof(path)) != 0) {
    return mtk_diag_set(diag, MTK_ERANGE, "path too long");
  }
  int err = 0;
  if (ca->journal_len == 0) {
    err = append(&ca->journal_text, &ca->journal_len, "mtlskit-journal", "1",
                 NULL);
  }
  for (size_t i = 0; i < num && err == 0; i++) {
    if (reqs[i].name == NULL) {
      continue;  // only newcerts/SERIAL.pem, found by its serial
    }
    err =
        append(&ca->journal_text, &ca->journal_len, "name", reqs[i].name, NULL);
    if (err == 0 && reqs[i].p12_path != NULL &&
        strchr(reqs[i].p12_path, '\n') == NULL) {
      err = append(&ca->journal_text, &ca->journal_len, "p12", reqs[i].name,
                   reqs[i].p12_path);
    }
  }
  if (err == 0) {
    // Durable before the first file it covers is created.
    err = mtk_file_replace(path, ca->journal_text, ca->journal_len, 0600, diag);
  }
  if (err == 0) {
    ca->journal_open = true;
  } else if (!ca->journal_open) {
    // A replace that failed after its rename (a directory fsync, say)
    // leaves a journal nothing will end: the command changes nothing.
    unlink(path);
  }
  return err;
}

void mtk_ca_journal_end(struct mtk_ca *ca) {
  char path[MTK_CADB_PATH_MAX + 32];
  if (ca->journal_open && journal_path(ca, path, sizeof(path)) == 0) {
    unlink(path);
  }
  ca->journal_open = false;
  free(ca->journal_text);
  ca->journal_text = NULL;
  ca->journal_len = 0;
}

// cert_committed reports whether the certificate at |path| exists and the
// index records its serial.
static bool cert_committed(const struct mtk_ca *ca, const char *path) {
  X509 *cert = NULL;
  char hex[2 * MTK_SERIAL_MAX + 3];
  bool committed = mtk_pem_read_cert(path, &cert, NULL) == 0 &&
                   mtk_cert_serial_hex(cert, hex, sizeof(hex)) == 0 &&
                   mtk_cadb_index_find(&ca->index, hex) >= 0;
  X509_free(cert);
  return committed;
}

// remove_file unlinks |path| if it exists and counts it in *|removed|.
static void remove_file(const char *path, size_t *removed) {
  if (unlink(path) == 0) {
    (*removed)++;
  }
}

// undo_name removes NAME's certificate, key, CSR and the PKCS#12 files the
// journal lists for it, unless the index records the certificate; with
// |dry_run| it only counts NAME in *|uncommitted| when it would.
static void undo_name(const struct mtk_ca *ca, const char *name,
                      const char *journal, bool dry_run, size_t *removed,
                      size_t *uncommitted) {
  char cert[MTK_CADB_PATH_MAX + 512], key[MTK_CADB_PATH_MAX + 512],
      csr[MTK_CADB_PATH_MAX + 512];
  int n1 = snprintf(cert, sizeof(cert), "%s/%s.cert.pem", ca->conf.certs, name);
  int n2 =
      snprintf(key, sizeof(key), "%s/%s.key.pem", ca->conf.private_dir, name);
  int n3 = snprintf(csr, sizeof(csr), "%s/%s.csr.pem", ca->conf.csr_dir, name);
  if (n1 < 0 || n2 < 0 || n3 < 0 || (size_t)n1 >= sizeof(cert) ||
      (size_t)n2 >= sizeof(key) || (size_t)n3 >= sizeof(csr) ||
      cert_committed(ca, cert)) {
    return;
  }
  (*uncommitted)++;
  if (dry_run) {
    return;
  }
  remove_file(cert, removed);
  remove_file(key, removed);
  remove_file(csr, removed);
  // "p12 NAME PATH" lines of this name.
  size_t n = strlen(name);
  for (const char *p = journal; *p != '\0';) {
    const char *eol = strchr(p, '\n');
    size_t line_len = eol ? (size_t)(eol - p) : strlen(p);
    if (line_len > 5 + n && strncmp(p, "p12 ", 4) == 0 &&
        strncmp(p + 4, name, n) == 0 && p[4 + n] == ' ') {
      char file[4096];
      size_t flen = line_len - 5 - n;
      if (flen < sizeof(file)) {
        memcpy(file, p + 5 + n, flen);
        file[flen] = '\0';
        remove_file(file, removed);
      }
    }
    p += line_len + (eol ? 1 : 0);
  }
}

// for_each_stray calls |fn| with |arg| and the path of each
// newcerts/SERIAL.pem whose serial the index does not record: a
// certificate signed by a command that never committed.
static void for_each_stray(const struct mtk_ca *ca,
                           void (*fn)(void *arg, const char *path), void *arg) {
  DIR *d = opendir(ca->conf.new_certs_dir);
  if (d == NULL) {
    return;
  }
  struct dirent *de;
  while ((de = readdir(d)) != NULL) {
    size_t n = strlen(de->d_name);
    if (n <= 4 || strcmp(de->d_name + n - 4, ".pem") != 0 ||
        n - 4 > 2 * MTK_SERIAL_MAX) {
      continue;
    }
    char hex[2 * MTK_SERIAL_MAX + 3];
    memcpy(hex, de->d_name, n - 4);
    hex[n - 4] = '\0';
    if (mtk_cadb_index_find(&ca->index, hex) >= 0) {
      continue;
    }
    char path[MTK_CADB_PATH_MAX + 96];
    int len = snprintf(path, sizeof(path), "%s/%s", ca->conf.new_certs_dir,
                       de->d_name);
    if (len > 0 && (size_t)len < sizeof(path)) {
      fn(arg, path);
    }
  }
  closedir(d);
}

static void remove_stray(void *arg, const char *path) {
  remove_file(path, arg);
}

// walk_journal reads |ca|'s journal at |path| and undoes (or, with
// |dry_run|, counts) each certificate it names that the index does not
// record.
static int walk_journal(const struct mtk_ca *ca, const char *path, bool dry_run,
                        size_t *uncommitted, size_t *removed,
                        struct mtk_diag *diag) {
  char *text = NULL;
  size_t len = 0;
  int err = mtk_cadb_file_read(path, 1u << 24, &text, &len, diag);
  if (err != 0) {
    return mtk_diag_prefix(diag, MTK_ECORRUPT, "%s", path);
  }
  // A journal cut short by the crash covers nothing yet: it is written
  // whole (and synced) before the first file it names is created.
  for (const char *p = text; *p != '\0';) {
    const char *eol = strchr(p, '\n');
    if (eol == NULL) {
      break;  // an incomplete last line
    }
    if (strncmp(p, "name ", 5) == 0) {
      char name[256];
      size_t n = (size_t)(eol - p) - 5;
      if (n > 0 && n < sizeof(name)) {
        memcpy(name, p + 5, n);
        name[n] = '\0';
        if (mtk_ca_check_name(name, NULL) == 0) {
          undo_name(ca, name, text, dry_run, removed, uncommitted);
        }
      }
    }
    p = eol + 1;
  }
  free(text);
  return 0;
}

int mtk_ca_journal_recover(struct mtk_ca *ca, size_t *out_uncommitted,
                           size_t *out_removed, struct mtk_diag *diag) {
  *out_uncommitted = 0;
  *out_removed = 0;
  char path[MTK_CADB_PATH_MAX + 32];
  if (journal_path(ca, path, sizeof(path)) != 0 || !mtk_file_exists(path)) {
    return 0;
  }
  int err = walk_journal(ca, path, false, out_uncommitted, out_removed, diag);
  if (err != 0) {
    return err;
  }
  for_each_stray(ca, remove_stray, out_removed);
  const char *dirs[] = {ca->conf.new_certs_dir, ca->conf.certs,
                        ca->conf.private_dir, ca->conf.csr_dir};
  for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]) && err == 0; i++) {
    if (mtk_file_exists(dirs[i])) {
      err = mtk_dir_sync(dirs[i], diag);
    }
  }
  if (err == 0 && unlink(path) != 0) {
    err = mtk_errno_get();
    return mtk_diag_set(diag, err, "cannot remove %s: %s", path,
                        mtk_strerror(err));
  }
  return err == 0 ? mtk_dir_sync(ca->conf.dir, diag) : err;
}

// --- consistency check ------------------------------------------------

// problem reports one inconsistency through |fn| and counts it.
static void problem(size_t *count, void (*fn)(void *, const char *), void *arg,
                    const char *fmt, ...) MTK_PRINTF(4, 5);
static void problem(size_t *count, void (*fn)(void *, const char *), void *arg,
                    const char *fmt, ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  (*count)++;
  fn(arg, msg);
}

// check_entry compares index entry |i| with newcerts/SERIAL.pem.
static void check_entry(const struct mtk_ca *ca, size_t i, size_t *count,
                        void (*fn)(void *, const char *), void *arg) {
  const struct mtk_cadb_entry *e = &ca->index.entries[i];
  if (mtk_cadb_index_find(&ca->index, e->serial) != (ssize_t)i) {
    problem(count, fn, arg, "index entry %zu: serial %s appears twice", i + 1,
            e->serial);
    return;
  }
  char path[MTK_CADB_PATH_MAX + 96];
  snprintf(path, sizeof(path), "%s/%s.pem", ca->conf.new_certs_dir, e->serial);
  X509 *cert = NULL;
  if (!mtk_file_exists(path)) {
    problem(count, fn, arg, "serial %s (%s): %s is missing", e->serial,
            e->subject, path);
    return;
  }
  if (mtk_pem_read_cert(path, &cert, NULL) != 0) {
    problem(count, fn, arg, "serial %s: %s is not a certificate", e->serial,
            path);
    return;
  }
  char hex[2 * MTK_SERIAL_MAX + 3];
  char *subject = X509_NAME_oneline(X509_get_subject_name(cert), NULL, 0);
  if (mtk_cert_serial_hex(cert, hex, sizeof(hex)) != 0 ||
      strcasecmp(hex, e->serial) != 0) {
    problem(count, fn, arg, "serial %s: %s holds serial %s", e->serial, path,
            hex);
  } else if (subject == NULL || strcmp(subject, e->subject) != 0) {
    problem(count, fn, arg, "serial %s: %s names %s, the index %s", e->serial,
            path, subject != NULL ? subject : "?", e->subject);
  } else {
    EVP_PKEY *ca_key = X509_get_pubkey(ca->cert);
    if (ca_key == NULL || X509_verify(cert, ca_key) != 1) {
      ERR_clear_error();
      problem(count, fn, arg, "serial %s: %s is not signed by this CA's key",
              e->serial, path);
    }
    EVP_PKEY_free(ca_key);
  }
  OPENSSL_free(subject);
  X509_free(cert);
}

struct stray_report {
  size_t *count;
  void (*fn)(void *, const char *);
  void *arg;
};

static void report_stray(void *arg, const char *path) {
  struct stray_report *r = arg;
  problem(r->count, r->fn, r->arg,
          "%s: a certificate the index does not record (signed by a command "
          "that did not finish)",
          path);
}

size_t mtk_ca_check(const struct mtk_ca *ca,
                    void (*fn)(void *arg, const char *problem), void *arg) {
  size_t count = 0;
  char path[MTK_CADB_PATH_MAX + 32];
  size_t uncommitted = 0, unused = 0;
  // A journal whose certificates are all recorded is harmless (the command
  // was killed after its commit): the next command removes it.
  if (mtk_ca_journal_pending(ca) && journal_path(ca, path, sizeof(path)) == 0 &&
      (walk_journal(ca, path, true, &uncommitted, &unused, NULL) != 0 ||
       uncommitted > 0)) {
    problem(&count, fn, arg,
            "%s/%s: a command that creates files was killed before it "
            "finished (%zu certificate(s) it had not recorded); `mtlskit ca "
            "check %s --repair` (or the next issuing command) removes what "
            "it left",
            ca->conf.dir, MTK_CA_JOURNAL, uncommitted, ca->conf.dir);
  }
  for (size_t i = 0; i < ca->index.num_entries; i++) {
    check_entry(ca, i, &count, fn, arg);
  }
  struct stray_report r = {&count, fn, arg};
  for_each_stray(ca, report_stray, &r);
  return count;
}
