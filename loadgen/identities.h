// The client identities of a load generator run: PEM certificate and key
// pairs (--cert/--key, or every NAME.crt/NAME.key of --identities DIR) and
// PKCS#12 files (--p12), used round-robin, one per connection.
#ifndef MTK_LOADGEN_IDENTITIES_H
#define MTK_LOADGEN_IDENTITIES_H

#include <stddef.h>

#include "mtlskit/identity.h"
#include "mtlskit/net.h"

#define MTK_LOADGEN_MAX_IDENTITIES 4096

struct mtk_loadgen_identities {
  const char *certs[MTK_LOADGEN_MAX_IDENTITIES];  // PEM chain files
  const char *keys[MTK_LOADGEN_MAX_IDENTITIES];   // PEM key files, same rank
  size_t num_certs, num_keys;
  char *owned[2 * MTK_LOADGEN_MAX_IDENTITIES];  // paths built from --identities
  size_t num_owned;
  const char *p12_files[MTK_LOADGEN_MAX_IDENTITIES];
  size_t num_p12;
  const char *p12_password;  // a secret source (env:, file:, ...), or NULL
  struct mtk_identity *p12;  // num_p12 loaded identities, owned
  X509 *p12_leaves[MTK_LOADGEN_MAX_IDENTITIES];
  STACK_OF(X509) * p12_chains[MTK_LOADGEN_MAX_IDENTITIES];
  EVP_PKEY *p12_keys[MTK_LOADGEN_MAX_IDENTITIES];
};

// mtk_loadgen_identities_load_dir adds every NAME.crt of |dir| with its
// NAME.key to the PEM pairs of |ids|, sorted by name. It returns 0, or
// prints a diagnostic and returns an exit status: MTK_EXIT_RUNTIME when
// |dir| cannot be read, MTK_EXIT_USAGE when it holds no NAME.crt or more
// than the pool has room for (MTK_LOADGEN_MAX_IDENTITIES in all),
// MTK_EXIT_INTERNAL when out of memory. Nothing is dropped
// silently.
MTK_MUST_CHECK int mtk_loadgen_identities_load_dir(
    struct mtk_loadgen_identities *ids, const char *dir);

// mtk_loadgen_identities_load_p12 loads every PKCS#12 file of |ids| (with the
// password from |ids->p12_password|) and points |tls|'s in-memory
// identities at them (borrowed from |ids|). It prints a diagnostic and
// returns an exit status on failure, else 0.
MTK_MUST_CHECK int mtk_loadgen_identities_load_p12(
    struct mtk_loadgen_identities *ids, struct mtk_net_tls_options *tls);

// mtk_loadgen_identities_cleanup frees what |ids| owns (built paths, loaded
// PKCS#12 identities). A zero-filled |ids| is fine.
void mtk_loadgen_identities_cleanup(struct mtk_loadgen_identities *ids);

#endif  // MTK_LOADGEN_IDENTITIES_H
