// The client identities of a load generator run, used round-robin, one per
// connection: PEM certificate and key pairs (--cert/--key), PKCS#12 files
// (--p12), and --identities DIR, which is a fixture set (its valid cases), a
// CA directory (its valid certificates with their keys and the CA chain), or
// a folder of NAME.crt/NAME.key pairs.
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
  // Identities held in memory (PKCS#12 files, a CA directory's), owned.
  struct mtk_identity *mem;
  size_t num_mem;
  X509 *mem_leaves[MTK_LOADGEN_MAX_IDENTITIES];
  STACK_OF(X509) * mem_chains[MTK_LOADGEN_MAX_IDENTITIES];
  EVP_PKEY *mem_keys[MTK_LOADGEN_MAX_IDENTITIES];
};

// mtk_loadgen_identities_load_dir adds the identities of |dir| to |ids|,
// sorted by name: for a fixture set (DIR/manifest.json), the cases without
// defects that the set's default trust accepts (cases/NAME/cert.pem, which
// holds the chain, and key.pem); for a CA directory (DIR/index.txt and
// certs/), every certs/NAME.cert.pem the index records as valid and not
// expired that has private/NAME.key.pem, with certs/ca-chain.cert.pem as
// its chain (the CA's own certificate excluded); otherwise every NAME.crt
// with its NAME.key. What was left out of a fixture set or CA directory is
// said in a note. It returns 0, or prints a diagnostic and returns an exit
// status: MTK_EXIT_RUNTIME when |dir| or its files cannot be read,
// MTK_EXIT_USAGE when it holds no identity or more than the pool has room
// for (MTK_LOADGEN_MAX_IDENTITIES in all), MTK_EXIT_INTERNAL when out of
// memory.
MTK_MUST_CHECK int mtk_loadgen_identities_load_dir(
    struct mtk_loadgen_identities *ids, const char *dir);

// mtk_loadgen_identities_load_p12 loads every PKCS#12 file of |ids| (with the
// password from |ids->p12_password|; a wrong or missing one is named in the
// error with the option that gives it) and points |tls|'s in-memory
// identities at all of |ids|'s (borrowed). It prints a diagnostic and
// returns an exit status on failure, else 0.
MTK_MUST_CHECK int mtk_loadgen_identities_load_p12(
    struct mtk_loadgen_identities *ids, struct mtk_net_tls_options *tls);

// mtk_loadgen_identities_cleanup frees what |ids| owns (built paths, loaded
// PKCS#12 identities). A zero-filled |ids| is fine.
void mtk_loadgen_identities_cleanup(struct mtk_loadgen_identities *ids);

#endif  // MTK_LOADGEN_IDENTITIES_H
