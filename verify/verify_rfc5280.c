// The RFC 5280 section 4 profile rules the strict platform enforces on
// every certificate of a validated path, the trust anchor included, and on
// the CRLs that cover it. BoringSSL's path validation leaves these out: it
// does not look at the anchor's extensions, nor at AKI/SKI, SAN syntax or
// the criticality of extensions it understands.
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <string.h>

#include "verify_internal.h"

static const char *role(int i, int num) {
  return i == 0 ? "client certificate" : i == num - 1 ? "trust anchor" : "CA";
}

// ext_criticality returns 1 or 0 for an extension |nid| that |cert| holds
// once, -1 if it has none (and -2 for duplicates, which parsing refuses).
static int ext_criticality(const X509 *cert, int nid) {
  int loc = X509_get_ext_by_NID(cert, nid, -1);
  if (loc < 0) {
    return -1;
  }
  if (X509_get_ext_by_NID(cert, nid, loc) >= 0) {
    return -2;
  }
  return X509_EXTENSION_get_critical(X509_get_ext(cert, loc)) ? 1 : 0;
}

// serial_ok: a positive INTEGER of at most 20 octets (4.1.2.2).
static bool serial_ok(X509 *cert) {
  const ASN1_INTEGER *serial = X509_get_serialNumber(cert);
  int len = ASN1_STRING_length(serial);
  const uint8_t *d = ASN1_STRING_get0_data(serial);
  if (ASN1_STRING_type(serial) == V_ASN1_NEG_INTEGER || len == 0) {
    return false;
  }
  bool zero = true;
  for (int i = 0; i < len; i++) {
    zero = zero && d[i] == 0;
  }
  // Contents as stored exclude the sign octet a high bit would need.
  return !zero && len + (d[0] & 0x80 ? 1 : 0) <= 20;
}

// san_syntax_ok checks each dNSName (preferred name syntax, a leftmost
// wildcard allowed) and rfc822Name (one '@', a domain after it) of |sans|.
static bool san_syntax_ok(const GENERAL_NAMES *sans) {
  for (size_t i = 0; i < sk_GENERAL_NAME_num(sans); i++) {
    const GENERAL_NAME *gn = sk_GENERAL_NAME_value(sans, i);
    if (gn->type != GEN_DNS && gn->type != GEN_EMAIL) {
      continue;
    }
    const uint8_t *d = ASN1_STRING_get0_data(gn->d.ia5);
    size_t len = (size_t)ASN1_STRING_length(gn->d.ia5);
    if (gn->type == GEN_EMAIL) {
      const uint8_t *at = memchr(d, '@', len);
      if (at == NULL || at == d) {
        return false;
      }
      size_t off = (size_t)(at - d) + 1;
      d += off;
      len -= off;
    }
    if (!verify_ldh_name(d, len, gn->type == GEN_DNS)) {
      return false;
    }
  }
  return true;
}

// check_san: subjectAltName well-formed, not empty, critical when the
// subject is empty (4.2.1.6).
static bool check_san(X509 *cert, int i, int num,
                      struct mtk_verify_result *out) {
  int crit = ext_criticality(cert, NID_subject_alt_name);
  bool empty_subject = X509_NAME_entry_count(X509_get_subject_name(cert)) == 0;
  if (crit < 0) {
    if (empty_subject) {
      verify_reject(out, MTK_VERIFY_BAD_EXTENSION, i,
                    "%s has an empty subject and no subjectAltName",
                    role(i, num));
      return false;
    }
    return true;
  }
  GENERAL_NAMES *sans =
      X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
  bool ok = true;
  if (sans == NULL || sk_GENERAL_NAME_num(sans) == 0) {
    verify_reject(out, MTK_VERIFY_BAD_EXTENSION, i,
                  "%s subjectAltName is empty or cannot be decoded",
                  role(i, num));
    ok = false;
  } else if (empty_subject && crit == 0) {
    verify_reject(out, MTK_VERIFY_BAD_EXTENSION, i,
                  "%s has an empty subject and a non-critical subjectAltName",
                  role(i, num));
    ok = false;
  } else if (!san_syntax_ok(sans)) {
    verify_reject(out, MTK_VERIFY_BAD_EXTENSION, i,
                  "%s subjectAltName holds a malformed dNSName or rfc822Name",
                  role(i, num));
    ok = false;
  }
  GENERAL_NAMES_free(sans);
  ERR_clear_error();
  return ok;
}

// check_ca: the rules for a certificate that signs others (4.2.1.9,
// 4.2.1.2, 4.2.1.10, 4.2.1.11).
static bool check_ca(X509 *cert, int i, int num,
                     struct mtk_verify_result *out) {
  uint32_t flags = X509_get_extension_flags(cert);
  if (X509_get_version(cert) != X509_VERSION_3) {
    verify_reject(out, MTK_VERIFY_INVALID_CA, i,
                  "%s is a version 1 certificate: no basicConstraints",
                  role(i, num));
    return false;
  }
  if (!(flags & EXFLAG_CA)) {
    verify_reject(out, MTK_VERIFY_INVALID_CA, i,
                  "%s lacks basicConstraints cA=TRUE", role(i, num));
    return false;
  }
  if (ext_criticality(cert, NID_basic_constraints) != 1) {
    verify_reject(out, MTK_VERIFY_BAD_EXTENSION, i,
                  "%s basicConstraints is not critical", role(i, num));
    return false;
  }
  if ((flags & EXFLAG_KUSAGE) &&
      !(X509_get_key_usage(cert) & KU_KEY_CERT_SIGN)) {
    verify_reject(out, MTK_VERIFY_INVALID_CA, i,
                  "%s keyUsage lacks keyCertSign", role(i, num));
    return false;
  }
  if (X509_get0_subject_key_id(cert) == NULL) {
    verify_reject(out, MTK_VERIFY_BAD_EXTENSION, i,
                  "%s has no subjectKeyIdentifier", role(i, num));
    return false;
  }
  if (X509_NAME_entry_count(X509_get_subject_name(cert)) == 0) {
    verify_reject(out, MTK_VERIFY_MALFORMED, i, "%s has an empty subject",
                  role(i, num));
    return false;
  }
  if (ext_criticality(cert, NID_name_constraints) == 0) {
    verify_reject(out, MTK_VERIFY_BAD_EXTENSION, i,
                  "%s nameConstraints is not critical", role(i, num));
    return false;
  }
  if (ext_criticality(cert, NID_policy_constraints) == 0) {
    verify_reject(out, MTK_VERIFY_BAD_EXTENSION, i,
                  "%s policyConstraints is not critical", role(i, num));
    return false;
  }
  return true;
}

// check_cert: the rules for every certificate of the path.
static bool check_cert(X509 *cert, int i, int num,
                       struct mtk_verify_result *out) {
  uint32_t flags = X509_get_extension_flags(cert);
  if (flags & EXFLAG_INVALID) {
    verify_reject(out, MTK_VERIFY_BAD_EXTENSION, i,
                  "%s has an extension that cannot be decoded", role(i, num));
    return false;
  }
  if (flags & EXFLAG_CRITICAL) {
    verify_reject(out, MTK_VERIFY_UNHANDLED_CRITICAL_EXTENSION, i,
                  "%s has an unknown critical extension", role(i, num));
    return false;
  }
  if (!serial_ok(cert)) {
    verify_reject(out, MTK_VERIFY_MALFORMED, i,
                  "%s serial number is not a positive integer of at most 20 "
                  "octets",
                  role(i, num));
    return false;
  }
  if (X509_NAME_entry_count(X509_get_issuer_name(cert)) == 0) {
    verify_reject(out, MTK_VERIFY_MALFORMED, i, "%s has an empty issuer",
                  role(i, num));
    return false;
  }
  if (ext_criticality(cert, NID_authority_key_identifier) == 1 ||
      ext_criticality(cert, NID_subject_key_identifier) == 1) {
    verify_reject(out, MTK_VERIFY_BAD_EXTENSION, i,
                  "%s authority or subject key identifier is critical",
                  role(i, num));
    return false;
  }
  // Only a self-signed certificate may omit the AKI (4.2.1.1). The trust
  // anchor is exempt: path validation takes only its name and key (6.1.1
  // (d)), and an anchor that is not self-signed is a deliberate choice.
  if (i + 1 < num && !(flags & EXFLAG_SS) &&
      X509_get0_authority_key_id(cert) == NULL) {
    verify_reject(out, MTK_VERIFY_BAD_EXTENSION, i,
                  "%s has no authorityKeyIdentifier keyIdentifier",
                  role(i, num));
    return false;
  }
  if (!check_san(cert, i, num, out)) {
    return false;
  }
  if (i > 0) {
    return check_ca(cert, i, num, out);
  }
  if (!(flags & EXFLAG_CA) && (flags & EXFLAG_KUSAGE) &&
      (X509_get_key_usage(cert) & KU_KEY_CERT_SIGN)) {
    verify_reject(out, MTK_VERIFY_BAD_EXTENSION, 0, "%s",
                  "client certificate keyUsage has keyCertSign but it is not "
                  "a CA");
    return false;
  }
  if (ext_criticality(cert, NID_name_constraints) >= 0) {
    verify_reject(out, MTK_VERIFY_BAD_EXTENSION, 0, "%s",
                  "client certificate has nameConstraints (CA certificates "
                  "only)");
    return false;
  }
  return true;
}

bool verify_critical_key_id(STACK_OF(X509) * path, int i,
                            struct mtk_verify_result *out) {
  X509 *cert = sk_X509_value(path, (size_t)i);
  if (cert == NULL ||
      (ext_criticality(cert, NID_authority_key_identifier) != 1 &&
       ext_criticality(cert, NID_subject_key_identifier) != 1)) {
    return false;
  }
  verify_reject(out, MTK_VERIFY_BAD_EXTENSION, i,
                "%s authority or subject key identifier is critical",
                role(i, (int)sk_X509_num(path)));
  return true;
}

bool verify_rfc5280(STACK_OF(X509) * path, struct mtk_verify_result *out) {
  int num = (int)sk_X509_num(path);
  for (int i = 0; i < num; i++) {
    if (!check_cert(sk_X509_value(path, (size_t)i), i, num, out)) {
      return false;
    }
  }
  return true;
}

bool verify_crl_profile(STACK_OF(X509) * path, STACK_OF(X509_CRL) * crls,
                        struct mtk_verify_result *out) {
  int num = (int)sk_X509_num(path);
  for (int i = 0; i + 1 < num; i++) {
    X509 *issuer = sk_X509_value(path, (size_t)i + 1);
    EVP_PKEY *key = X509_get_pubkey(issuer);
    bool ok = true;
    for (size_t c = 0; ok && key != NULL && c < sk_X509_CRL_num(crls); c++) {
      X509_CRL *crl = sk_X509_CRL_value(crls, c);
      if (X509_NAME_cmp(X509_CRL_get_issuer(crl),
                        X509_get_subject_name(issuer)) != 0 ||
          X509_CRL_verify(crl, key) != 1) {
        continue;
      }
      int loc = X509_CRL_get_ext_by_NID(crl, NID_crl_number, -1);
      if (loc < 0 || X509_EXTENSION_get_critical(X509_CRL_get_ext(crl, loc))) {
        verify_reject(out, MTK_VERIFY_CRL_INVALID, i,
                      "the CRL of the certificate's issuer has %s cRLNumber",
                      loc < 0 ? "no" : "a critical");
        ok = false;
      } else if ((X509_get_extension_flags(issuer) & EXFLAG_KUSAGE) &&
                 !(X509_get_key_usage(issuer) & KU_CRL_SIGN)) {
        verify_reject(out, MTK_VERIFY_CRL_INVALID, i, "%s",
                      "the CRL's issuer keyUsage lacks cRLSign");
        ok = false;
      }
    }
    EVP_PKEY_free(key);
    ERR_clear_error();
    if (!ok) {
      return false;
    }
  }
  return true;
}
