// Named certificate profiles from openssl.cnf (see mtk_ca_profile in ca.h).
#include <openssl/bytestring.h>
#include <openssl/conf.h>
#include <openssl/err.h>
#include <openssl/mem.h>
#include <openssl/obj.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>

#include "ca_internal.h"
#include "mtlskit/ca.h"

int mtk_ca_profile_load(const char *dir, const char *name,
                        struct mtk_ca_profile *out, struct mtk_diag *diag) {
  char path[MTK_CADB_PATH_MAX + 32];
  memset(out, 0, sizeof(*out));
  out->days = -1;
  snprintf(out->name, sizeof(out->name), "%s", name);
  snprintf(path, sizeof(path), "%s/openssl.cnf", dir);
  if ((out->conf = NCONF_new(NULL)) == NULL) {
    return MTK_ENOMEM;
  }
  long line = 0;
  if (!NCONF_load(out->conf, path, &line)) {
    ERR_clear_error();
    return mtk_diag_set(diag, MTK_ECORRUPT, "%s line %ld: cannot be parsed",
                        path, line);
  }
  const STACK_OF(CONF_VALUE) *sec = NCONF_get_section(out->conf, name);
  if (sec == NULL || sk_CONF_VALUE_num(sec) == 0) {
    return mtk_diag_set(diag, MTK_EUSAGE,
                        "--profile %s: %s has no section [ %s ] of extensions "
                        "(profiles are client, server, or such a section)",
                        name, path, name);
  }
  for (size_t i = 0; i < sk_CONF_VALUE_num(sec); i++) {
    if (strcmp(sk_CONF_VALUE_value(sec, i)->name, "subjectAltName") == 0) {
      out->sets_san = true;
    }
  }
  const char *days = NCONF_get_string(out->conf, MTK_CA_PROFILE_DAYS, name);
  ERR_clear_error();
  if (days != NULL && mtk_cadb_days_parse(days, &out->days) != 0) {
    return mtk_diag_set(diag, MTK_EUSAGE, "%s [ %s ] %s = %s: %s", path,
                        MTK_CA_PROFILE_DAYS, name, days, MTK_CADB_DAYS_RULE);
  }
  return 0;
}

void mtk_ca_profile_cleanup(struct mtk_ca_profile *p) {
  NCONF_free(p->conf);
  p->conf = NULL;
}

void ca_profile_exts_cleanup(struct ca_profile_exts *x) {
  X509_free(x->holder);
  OPENSSL_free(x->san_der);
  memset(x, 0, sizeof(*x));
}

// add_san appends |san| as a subjectAltName extension.
static int add_san(struct ca_profile_exts *x, const struct mtk_san_list *san) {
  CBB cbb;
  if (!CBB_init(&cbb, 64) || mtk_san_marshal(&cbb, san) != 0 ||
      !CBB_finish(&cbb, &x->san_der, &x->san_len)) {
    CBB_cleanup(&cbb);
    return MTK_ENOMEM;
  }
  struct mtk_raw_ext *e = &x->v[x->num++];
  e->oid = "2.5.29.17";
  e->critical = false;
  e->value = x->san_der;
  e->value_len = x->san_len;
  return 0;
}

int ca_profile_exts_make(const struct mtk_ca_profile *p, X509 *issuer,
                         EVP_PKEY *subject_key, const struct mtk_san_list *san,
                         struct ca_profile_exts *out, struct mtk_diag *diag) {
  memset(out, 0, sizeof(*out));
  // The x509v3 code works on an X509: a scratch certificate holding the
  // subject's key (for subjectKeyIdentifier = hash) receives them.
  X509 *h = out->holder = X509_new();
  if (h == NULL || !X509_set_version(h, X509_VERSION_3) ||
      !X509_set_pubkey(h, subject_key)) {
    return MTK_ENOMEM;
  }
  if (san != NULL && san->num > 0 && p->sets_san) {
    return mtk_diag_set(diag, MTK_EUSAGE,
                        "--profile %s writes subjectAltName itself: give no "
                        "--san",
                        p->name);
  }
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, h, NULL, NULL, 0);
  X509V3_set_nconf(&ctx, p->conf);
  if (!X509V3_EXT_add_nconf(p->conf, &ctx, p->name, h)) {
    char why[256];
    ERR_error_string_n(ERR_peek_last_error(), why, sizeof(why));
    ERR_clear_error();
    return mtk_diag_set(diag, MTK_EUSAGE,
                        "--profile %s: openssl.cnf [ %s ] is not a valid "
                        "extensions section (%s)",
                        p->name, p->name, why);
  }
  size_t n = (size_t)X509_get_ext_count(h);
  if (n + 1 > sizeof(out->v) / sizeof(out->v[0])) {
    return mtk_diag_set(diag, MTK_EUSAGE, "--profile %s: too many extensions",
                        p->name);
  }
  for (size_t i = 0; i < n; i++) {
    X509_EXTENSION *ext = X509_get_ext(h, (int)i);
    const ASN1_OCTET_STRING *v = X509_EXTENSION_get_data(ext);
    if (OBJ_obj2txt(out->oids[i], sizeof(out->oids[i]),
                    X509_EXTENSION_get_object(ext), 1) <= 0) {
      return MTK_EINTERNAL;
    }
    out->v[i] = (struct mtk_raw_ext){
        .oid = out->oids[i],
        .critical = X509_EXTENSION_get_critical(ext) != 0,
        .value = ASN1_STRING_get0_data(v),
        .value_len = (size_t)ASN1_STRING_length(v),
    };
  }
  out->num = n;
  return san != NULL && san->num > 0 ? add_san(out, san) : 0;
}
