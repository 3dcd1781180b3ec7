// What every `mtlskit ca` subcommand shares: the option table and its
// parser, and the validation of the options several subcommands take
// (validity, key type, digest, SANs, profiles, password sources, the CA
// directory). Private to mtlskit-ca. Fallible functions return 0 or a
// negative MTK_E* code with the detail in |diag|; option errors are
// MTK_EUSAGE.
#ifndef MTK_CA_CLI_COMMON_H
#define MTK_CA_CLI_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "mtlskit/ca.h"
#include "mtlskit/diag.h"
#include "mtlskit/p12.h"
#include "mtlskit/secret.h"
#include "mtlskit/x509_cert.h"
#include "mtlskit/x509_key.h"
#include "mtlskit/x509_san.h"

// Every option of every subcommand; a subcommand accepts a subset.
enum cli_opt_id {
  OPT_HELP,
  OPT_SUBJECT,
  OPT_DAYS,
  OPT_KEY_TYPE,
  OPT_INTERMEDIATE,
  OPT_INTERMEDIATE_SUBJECT,
  OPT_KEY_PASSWORD,
  OPT_CA_PASSWORD,
  OPT_PROFILE,
  OPT_NOT_BEFORE,
  OPT_NOT_AFTER,
  OPT_SAN,
  OPT_P12,
  OPT_P12_PASSWORD,
  OPT_P12_PROFILE,
  OPT_BATCH,
  OPT_CSR,
  OPT_SERIAL,
  OPT_REASON,
  OPT_JSON,
  OPT_TRUSTSTORE,
  OPT_OUTPUT,
  OPT_DIGEST,
  OPT_QUIET,
  OPT_DROP_UNKNOWN_CRITICAL,
  OPT_ALLOW_EMPTY_PASSWORD,
  OPT_ALLOW_REVOKED,
  OPT_REPAIR,
  OPT_WITHIN,
  OPT_NEW_KEY,
  OPT_REVOKE_OLD,
  OPT_COUNT
};

// OPT_BIT(id) is the bit of |id| in a set of accepted options.
#define OPT_BIT(id) (1ull << (id))

#define CLI_MAX_POS 4

// The command line (or a batch line) as given: values are borrowed from
// argv.
struct cli_opts {
  const char *v[OPT_COUNT];  // the value, or "" for a flag that was given
  const char *sans[MTK_SAN_MAX];
  size_t num_sans;
  const char *pos[CLI_MAX_POS];
  size_t num_pos;
};

// cli_parse_opts adds the options and arguments in |argv| to |o|, accepting
// only the options in |allowed|. |where| prefixes errors ("batch.txt line
// 3"); NULL for the command line. Returns 0 or MTK_EUSAGE.
MTK_MUST_CHECK int cli_parse_opts(int argc, char **argv, uint64_t allowed,
                                  struct cli_opts *o, const char *where,
                                  struct mtk_diag *diag);

// cli_parse_days parses --days |s| (1 to 36500) into *out; a NULL |s|
// leaves *out alone. |whole_days_hint| words the error as issue and sign
// always have. Returns 0 or MTK_EUSAGE.
MTK_MUST_CHECK int cli_parse_days(const char *s, bool whole_days_hint,
                                  long *out, struct mtk_diag *diag);

// The validity of a certificate to issue, as far as it is known before the
// CA is open.
struct cli_validity {
  long days;  // -1: use the CA's default_days
  bool explicit_times;
  time_t not_before, not_after;
};

// cli_parse_validity checks --days, --not-before and --not-after of |o|
// against each other, relative to |now|.
MTK_MUST_CHECK int cli_parse_validity(const struct cli_opts *o, time_t now,
                                      struct cli_validity *out,
                                      struct mtk_diag *diag);

// cli_validity_apply resolves |v| with the CA's default_days.
void cli_validity_apply(const struct cli_validity *v, const struct mtk_ca *ca,
                        time_t now, time_t *out_not_before,
                        time_t *out_not_after);

// cli_parse_key_type parses --key-type |s|; NULL gives |dflt|.
MTK_MUST_CHECK int cli_parse_key_type(const char *s, enum mtk_key_type dflt,
                                      enum mtk_key_type *out,
                                      struct mtk_diag *diag);

// cli_parse_digest parses --digest |s| (SHA-1 refused); NULL gives
// MTK_DIGEST_DEFAULT.
MTK_MUST_CHECK int cli_parse_digest(const char *s, enum mtk_digest *out,
                                    struct mtk_diag *diag);

// cli_parse_cert_profile parses --profile |s|: client or server; NULL gives
// client.
MTK_MUST_CHECK int cli_parse_cert_profile(const char *s,
                                          enum mtk_cert_profile *out,
                                          struct mtk_diag *diag);

// cli_parse_profile parses --profile |s| of issue: client or server (the
// built-in profiles, into *out; NULL gives client), or the name of an
// extensions section of openssl.cnf, copied to *out_section (free() it;
// NULL for a built-in) and checked when the CA is known.
MTK_MUST_CHECK int cli_parse_profile(const char *s, enum mtk_cert_profile *out,
                                     char **out_section, struct mtk_diag *diag);

// cli_parse_p12_profile parses --p12-profile |s|; NULL gives compat.
MTK_MUST_CHECK int cli_parse_p12_profile(const char *s,
                                         enum mtk_p12_profile *out,
                                         struct mtk_diag *diag);

// cli_parse_sans adds every --san of |o| to |out|.
MTK_MUST_CHECK int cli_parse_sans(const struct cli_opts *o,
                                  struct mtk_san_list *out,
                                  struct mtk_diag *diag);

// cli_read_password reads the secret named by |source| (env:, file:,
// prompt, pass:) into |out|, asking "|what|: " when it prompts, and warns
// when it came from the command line. Free |out| with mtk_secret_free.
MTK_MUST_CHECK int cli_read_password(const char *source, const char *what,
                                     bool confirm, struct mtk_secret *out,
                                     struct mtk_diag *diag);

// cli_read_new_password reads, like cli_read_password with |confirm|, a
// password that will encrypt a key-bearing file (a PKCS#12, a CA key): an
// empty one is refused unless |allow_empty| (--allow-empty-password).
MTK_MUST_CHECK int cli_read_new_password(const char *source, const char *what,
                                         bool allow_empty,
                                         struct mtk_secret *out,
                                         struct mtk_diag *diag);

// cli_read_p12_password reads --p12-password |source| (NULL means prompt)
// with cli_read_new_password.
MTK_MUST_CHECK int cli_read_p12_password(const char *source, bool allow_empty,
                                         struct mtk_secret *out,
                                         struct mtk_diag *diag);

// A CA directory a subcommand works on, with the passphrase of its key.
// Zero-initialize it; cli_ca_close accepts it in any state.
struct cli_ca {
  struct mtk_ca ca;
  struct mtk_secret password;
  bool has_password;
  bool opened;
};

// cli_ca_read_password reads the CA key passphrase named by |source|, or
// does nothing for a NULL |source|.
MTK_MUST_CHECK int cli_ca_read_password(struct cli_ca *c, const char *source,
                                        struct mtk_diag *diag);

// cli_ca_open opens |dir| with mtk_ca_open |flags| and the passphrase
// cli_ca_read_password read, if any.
MTK_MUST_CHECK int cli_ca_open(struct cli_ca *c, const char *dir,
                               unsigned flags, struct mtk_diag *diag);

// cli_ca_open_signer reads the CA key passphrase named by |password_source|
// (NULL: none) and opens |dir| locked, with its key, to sign.
MTK_MUST_CHECK int cli_ca_open_signer(struct cli_ca *c, const char *dir,
                                      const char *password_source,
                                      struct mtk_diag *diag);

// cli_ca_close closes the CA if cli_ca_open got that far (removing the
// files of an uncommitted operation) and wipes the passphrase.
void cli_ca_close(struct cli_ca *c);

// cli_parse_reason parses --reason |s| (the names `openssl ca -crl_reason`
// takes, in any case) into an MTK_REASON_* code; NULL gives
// MTK_REASON_NONE. Returns 0 or MTK_EUSAGE.
MTK_MUST_CHECK int cli_parse_reason(const char *s, int *out,
                                    struct mtk_diag *diag);

// cli_entry_status is the state of index entry |e| at |now|: "revoked",
// "expired" (marked E, or its notAfter has passed) or "valid".
const char *cli_entry_status(const struct mtk_cadb_entry *e, time_t now);

// cli_rel returns |path| relative to the CA directory when it is inside it.
const char *cli_rel(const struct mtk_ca *ca, const char *path);

// cli_iso formats |t| as YYYY-MM-DDTHH:MM:SSZ ("?" if it cannot).
void cli_iso(time_t t, char out[32]);

#endif  // MTK_CA_CLI_COMMON_H
