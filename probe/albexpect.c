#include "albexpect.h"

#include <string.h>

#include "mtlskit/alb_headers.h"

int mtk_probe_alb_expected_make(X509 *leaf, const STACK_OF(X509) * chain,
                                struct mtk_probe_alb_expected *out,
                                struct mtk_diag *diag) {
  struct mtk_alb_headers h;
  int err = mtk_alb_headers_make(leaf, &h);
  if (err == 0) {
    err = mtk_alb_chain_header(leaf, chain, &out->chain);
  }
  if (err != 0) {
    mtk_alb_headers_cleanup(&h);
    mtk_probe_alb_expected_cleanup(out);
    return mtk_diag_set(diag, err,
                        "ALB headers: cannot compute the expected values: %s",
                        mtk_strerror(err));
  }
  // The strings change hands: |out| owns them now.
  out->serial = h.serial;
  out->issuer = h.issuer;
  out->subject = h.subject;
  out->validity = h.validity;
  out->leaf = h.leaf;
  memset(&h, 0, sizeof(h));
  return 0;
}
