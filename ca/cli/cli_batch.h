// The identities one `mtlskit ca issue` run issues: one from the command
// line, or one per line of a --batch file, each validated in full before
// the CA is opened. Private to mtlskit-ca.
#ifndef MTK_CA_CLI_BATCH_H
#define MTK_CA_CLI_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "cli_common.h"
#include "mtlskit/x509_name.h"

// The options an identity takes: on a batch line, or on the command line as
// defaults for every line.
#define ISSUE_ITEM_OPTS                                                  \
  (OPT_BIT(OPT_SUBJECT) | OPT_BIT(OPT_PROFILE) | OPT_BIT(OPT_DAYS) |     \
   OPT_BIT(OPT_NOT_BEFORE) | OPT_BIT(OPT_NOT_AFTER) | OPT_BIT(OPT_SAN) | \
   OPT_BIT(OPT_KEY_TYPE) | OPT_BIT(OPT_P12) | OPT_BIT(OPT_P12_PROFILE) | \
   OPT_BIT(OPT_DIGEST))

struct issue_item {
  char *name;
  struct mtk_dn dn;
  struct mtk_san_list san;
  enum mtk_cert_profile profile;
  char *section;  // --profile naming an openssl.cnf section, else NULL
  const struct mtk_ca_profile *named_profile;  // loaded for |section|
  struct cli_validity validity;
  enum mtk_key_type key_type;
  enum mtk_digest digest;
  char *p12;  // NULL: no PKCS#12
  enum mtk_p12_profile p12_profile;
  size_t lineno;  // in the batch file
};

// issue_item_from_opts validates one identity: the options |base| (the
// command line's defaults) overridden by |o| (its own NAME and options).
// |where| prefixes errors ("batch.txt line 3"), NULL for none. Release |it|
// with issue_item_free, also on failure.
MTK_MUST_CHECK int issue_item_from_opts(const struct cli_opts *base,
                                        const struct cli_opts *o, time_t now,
                                        struct issue_item *it,
                                        const char *where,
                                        struct mtk_diag *diag);

// issue_item_free releases what |it| holds.
void issue_item_free(struct issue_item *it);

// issue_items_free frees |num| items and the array (which may be NULL).
void issue_items_free(struct issue_item *items, size_t num);

// issue_batch_load reads the batch file |path|, one identity a line with
// |base| as defaults, and refuses an empty batch or a NAME given twice. On
// success *out (num *out_num) is the caller's, for issue_items_free.
MTK_MUST_CHECK int issue_batch_load(const char *path,
                                    const struct cli_opts *base, time_t now,
                                    struct issue_item **out, size_t *out_num,
                                    struct mtk_diag *diag);

#endif  // MTK_CA_CLI_BATCH_H
