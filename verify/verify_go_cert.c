// Go 1.19.8's certificate parser (src/crypto/x509/parser.go,
// parseCertificate and processExtensions) as far as verification depends
// on it: which certificates Go refuses to parse (a client certificate Go
// cannot parse fails the handshake), which extensions it handles (an
// unhandled critical one fails verification), and the fields verify.go
// reads. BoringSSL has decoded the certificate; the rules are Go's.
#include <arpa/inet.h>
#include <openssl/asn1.h>
#include <openssl/bytestring.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/mem.h>
#include <openssl/nid.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mtlskit/x509_time.h"
#include "verify_go.h"

// Go's KeyUsageCertSign (x509.go): bit 5 of the keyUsage BIT STRING.
#define GO_KU_BITS 9

// fail writes Go's message and returns false.
static bool fail(char *why, size_t why_len, const char *msg) {
  snprintf(why, why_len, "%s", msg);
  return false;
}

// ia5: isIA5String (x509.go): every byte ASCII.
static bool ia5(const ASN1_STRING *s) {
  const unsigned char *d = ASN1_STRING_get0_data(s);
  for (int i = 0; i < ASN1_STRING_length(s); i++) {
    if (d[i] > 0x7f) {
      return false;
    }
  }
  return true;
}

static bool der(const void *obj, int (*i2d)(const void *, uint8_t **),
                uint8_t **out, size_t *out_len) {
  int n = i2d(obj, out);
  if (n <= 0) {
    *out = NULL;
    return false;
  }
  *out_len = (size_t)n;
  return true;
}

static int i2d_name(const void *n, uint8_t **out) {
  return i2d_X509_NAME((X509_NAME *)n, out);
}

static int i2d_cert(const void *x, uint8_t **out) {
  return i2d_X509((X509 *)x, out);
}

// key_alg: getPublicKeyAlgorithmFromOID and parsePublicKey (parser.go):
// an unknown algorithm leaves no key and no error; a known one that does
// not decode (for ECDSA: a curve other than P-224/256/384/521, which is
// also BoringSSL's set) is a parse error.
static bool parse_key(X509 *x509, struct go_cert *out, char *why,
                      size_t why_len) {
  ASN1_OBJECT *alg = NULL;
  if (!X509_PUBKEY_get0_param(&alg, NULL, NULL, NULL,
                              X509_get_X509_PUBKEY(x509))) {
    return fail(why, why_len, "x509: malformed spki");
  }
  switch (OBJ_obj2nid(alg)) {
    case NID_rsaEncryption:
      out->key_alg = GO_KEY_RSA;
      break;
    case NID_dsa:
      out->key_alg = GO_KEY_DSA;
      break;
    case NID_X9_62_id_ecPublicKey:
      out->key_alg = GO_KEY_ECDSA;
      break;
    case NID_ED25519:
      out->key_alg = GO_KEY_ED25519;
      break;
    default:
      out->key_alg = GO_KEY_UNKNOWN;
      return true;
  }
  out->key = X509_get_pubkey(x509);
  ERR_clear_error();
  return out->key != NULL ||
         fail(why, why_len,
              out->key_alg == GO_KEY_ECDSA ? "x509: unsupported elliptic curve"
                                           : "x509: invalid public key");
}

// sig_class: signatureAlgorithmDetails and checkSignature (x509.go).
static void parse_sig(X509 *x509, struct go_cert *out) {
  out->sig_class = GO_SIG_OK;
  switch (X509_get_signature_nid(x509)) {
    case NID_sha256WithRSAEncryption:
    case NID_sha384WithRSAEncryption:
    case NID_sha512WithRSAEncryption:
    case NID_rsassaPss:
      out->sig_key_alg = GO_KEY_RSA;
      break;
    case NID_ecdsa_with_SHA256:
    case NID_ecdsa_with_SHA384:
    case NID_ecdsa_with_SHA512:
      out->sig_key_alg = GO_KEY_ECDSA;
      break;
    case NID_ED25519:
      out->sig_key_alg = GO_KEY_ED25519;
      break;
    case NID_dsa_with_SHA256:
      out->sig_key_alg = GO_KEY_DSA;  // no DSA verification in checkSignature
      break;
    case NID_md5WithRSAEncryption:
    case NID_sha1WithRSAEncryption:
    case NID_sha1WithRSA:
      out->sig_key_alg = GO_KEY_RSA;
      out->sig_class = GO_SIG_INSECURE;
      break;
    case NID_ecdsa_with_SHA1:
      out->sig_key_alg = GO_KEY_ECDSA;
      out->sig_class = GO_SIG_INSECURE;
      break;
    case NID_dsaWithSHA1:
      out->sig_key_alg = GO_KEY_DSA;
      out->sig_class = GO_SIG_INSECURE;
      break;
    default:  // MD2, SHA-224, anything else
      out->sig_key_alg = GO_KEY_UNKNOWN;
      out->sig_class = GO_SIG_UNSUPPORTED;
      break;
  }
}

// parse_san: parseSANExtension (parser.go). It sets *any when the
// extension holds a name of a type Go records (else a critical SAN is
// unhandled).
static bool parse_san(struct go_cert *out, bool *any, char *why,
                      size_t why_len) {
  *any = false;
  for (size_t i = 0; i < sk_GENERAL_NAME_num(out->san); i++) {
    const GENERAL_NAME *gn = sk_GENERAL_NAME_value(out->san, i);
    const ASN1_STRING *s = NULL;
    switch (gn->type) {
      case GEN_EMAIL:
      case GEN_DNS:
      case GEN_URI:
        s = gn->d.ia5;
        if (!ia5(s)) {
          return fail(why, why_len,
                      gn->type == GEN_EMAIL ? "x509: SAN rfc822Name is "
                                              "malformed"
                      : gn->type == GEN_DNS ? "x509: SAN dNSName is malformed"
                                            : "x509: SAN "
                                              "uniformResourceIdentifier is "
                                              "malformed");
        }
        break;
      case GEN_IPADD:
        if (gn->d.ip->length != 4 && gn->d.ip->length != 16) {
          return fail(why, why_len, "x509: cannot parse IP address");
        }
        break;
      default:
        continue;  // other types are not recorded
    }
    *any = true;
    const char *host;
    size_t host_len;
    if (gn->type == GEN_URI &&
        go_uri_host((const char *)ASN1_STRING_get0_data(s),
                    (size_t)ASN1_STRING_length(s), &host, &host_len) &&
        host_len > 0 && !go_domain_labels(host, host_len)) {
      return fail(why, why_len, "x509: cannot parse URI: invalid domain");
    }
  }
  return true;
}

// valid_ip_mask: isValidIPMask (parser.go).
static bool valid_ip_mask(const uint8_t *mask, size_t len) {
  bool seen_zero = false;
  for (size_t i = 0; i < len; i++) {
    uint8_t b = mask[i];
    if (seen_zero) {
      if (b != 0) {
        return false;
      }
      continue;
    }
    if (b == 0x00 || b == 0x80 || b == 0xc0 || b == 0xe0 || b == 0xf0 ||
        b == 0xf8 || b == 0xfc || b == 0xfe) {
      seen_zero = true;
    } else if (b != 0xff) {
      return false;
    }
  }
  return true;
}

// domain_constraint_ok: a DNS or URI constraint after an optional leading
// period is a domain domainToReverseLabels accepts.
static bool domain_constraint_ok(const char *s, size_t len) {
  if (len > 0 && s[0] == '.') {
    s++;
    len--;
  }
  return go_domain_labels(s, len);
}

// is_ip_address: net.ParseIP accepts |s| (dotted IPv4 or IPv6 text).
static bool is_ip_address(const char *s, size_t len) {
  char text[64];
  uint8_t buf[16];
  if (len >= sizeof(text)) {
    return false;
  }
  memcpy(text, s, len);
  text[len] = '\0';
  return inet_pton(AF_INET, text, buf) == 1 ||
         inet_pton(AF_INET6, text, buf) == 1;
}

// parse_subtrees: getValues in parseNameConstraintsExtension (parser.go).
// A form Go does not handle sets *unhandled.
static bool parse_subtrees(STACK_OF(GENERAL_SUBTREE) * subtrees,
                           bool *unhandled, char *why, size_t why_len) {
  for (size_t i = 0; i < sk_GENERAL_SUBTREE_num(subtrees); i++) {
    const GENERAL_NAME *base = sk_GENERAL_SUBTREE_value(subtrees, i)->base;
    if (base->type == GEN_IPADD) {
      size_t l = (size_t)base->d.ip->length;
      if ((l != 8 && l != 32) ||
          !valid_ip_mask(base->d.ip->data + l / 2, l / 2)) {
        return fail(why, why_len, "x509: invalid IP constraint");
      }
      continue;
    }
    if (base->type != GEN_DNS && base->type != GEN_EMAIL &&
        base->type != GEN_URI) {
      *unhandled = true;
      continue;
    }
    const char *v = (const char *)ASN1_STRING_get0_data(base->d.ia5);
    size_t len = (size_t)ASN1_STRING_length(base->d.ia5);
    bool ok = ia5(base->d.ia5);
    if (ok && base->type == GEN_EMAIL && memchr(v, '@', len) != NULL) {
      char *local = malloc(len + 1);
      const char *domain;
      size_t domain_len;
      ok = local != NULL &&
           go_mailbox_parse(v, len, local, &domain, &domain_len);
      free(local);
    } else if (ok && base->type == GEN_URI) {
      // net.ParseIP: a URI constraint may not be an IP address.
      ok = !is_ip_address(v, len) && domain_constraint_ok(v, len);
    } else if (ok) {
      ok = domain_constraint_ok(v, len);
    }
    if (!ok) {
      return fail(why, why_len, "x509: failed to parse a name constraint");
    }
  }
  return true;
}

// parse_name_constraints: parseNameConstraintsExtension (parser.go).
static bool parse_name_constraints(struct go_cert *out, bool *unhandled,
                                   char *why, size_t why_len) {
  if (sk_GENERAL_SUBTREE_num(out->nc->permittedSubtrees) == 0 &&
      sk_GENERAL_SUBTREE_num(out->nc->excludedSubtrees) == 0) {
    return fail(why, why_len, "x509: empty name constraints extension");
  }
  *unhandled = false;
  return parse_subtrees(out->nc->permittedSubtrees, unhandled, why, why_len) &&
         parse_subtrees(out->nc->excludedSubtrees, unhandled, why, why_len);
}

// parse_eku: parseExtKeyUsageExtension (parser.go) and the usages
// checkChainForKeyUsage (verify.go) asks about.
static void parse_eku(EXTENDED_KEY_USAGE *eku, struct go_cert *out) {
  out->has_eku = sk_ASN1_OBJECT_num(eku) > 0;
  for (size_t i = 0; i < sk_ASN1_OBJECT_num(eku); i++) {
    int nid = OBJ_obj2nid(sk_ASN1_OBJECT_value(eku, i));
    out->eku_any |= nid == NID_anyExtendedKeyUsage;
    out->eku_client |= nid == NID_client_auth;
  }
}

// decodes: an extension Go parses but whose content verification does not
// read (cRLDistributionPoints, certificatePolicies, authorityInfoAccess)
// must still decode.
static bool decodes(X509_EXTENSION *ext) {
  const X509V3_EXT_METHOD *method = X509V3_EXT_get(ext);
  void *value = X509V3_EXT_d2i(ext);
  if (value == NULL || method == NULL || method->it == NULL) {
    ERR_clear_error();
    return false;
  }
  ASN1_item_free(value, ASN1_ITEM_ptr(method->it));
  return true;
}

// parse_extension: one case of processExtensions (parser.go). It returns
// false on a parse error; *handled says whether Go handles the extension
// (an unhandled critical one fails verification later).
static bool parse_extension(X509_EXTENSION *ext, struct go_cert *out,
                            bool *handled, char *why, size_t why_len) {
  *handled = true;
  int nid = OBJ_obj2nid(X509_EXTENSION_get_object(ext));
  switch (nid) {
    case NID_key_usage: {
      ASN1_BIT_STRING *ku = X509V3_EXT_d2i(ext);
      if (ku == NULL) {
        return fail(why, why_len, "x509: invalid key usage");
      }
      for (int i = 0; i < GO_KU_BITS; i++) {
        out->key_usage |= ASN1_BIT_STRING_get_bit(ku, i) ? 1u << i : 0;
      }
      ASN1_BIT_STRING_free(ku);
      return true;
    }
    case NID_basic_constraints: {
      BASIC_CONSTRAINTS *bc = X509V3_EXT_d2i(ext);
      if (bc == NULL) {
        return fail(why, why_len, "x509: invalid basic constraints");
      }
      out->bc_valid = true;
      out->is_ca = bc->ca != 0;
      out->max_path_len =
          bc->pathlen != NULL ? ASN1_INTEGER_get(bc->pathlen) : -1;
      BASIC_CONSTRAINTS_free(bc);
      return true;
    }
    case NID_subject_alt_name: {
      out->san = X509V3_EXT_d2i(ext);
      out->san_value = X509_EXTENSION_get_data(ext);
      bool any = false;
      if (out->san == NULL) {
        return fail(why, why_len, "x509: invalid subject alternative names");
      }
      if (!parse_san(out, &any, why, why_len)) {
        return false;
      }
      *handled = any;  // nothing recorded: the critical check applies
      return true;
    }
    case NID_name_constraints: {
      out->nc = X509V3_EXT_d2i(ext);
      bool unhandled = false;
      if (out->nc == NULL) {
        return fail(why, why_len, "x509: invalid NameConstraints extension");
      }
      if (!parse_name_constraints(out, &unhandled, why, why_len)) {
        return false;
      }
      *handled = !unhandled;
      return true;
    }
    case NID_ext_key_usage: {
      EXTENDED_KEY_USAGE *eku = X509V3_EXT_d2i(ext);
      if (eku == NULL) {
        return fail(why, why_len, "x509: invalid extended key usages");
      }
      parse_eku(eku, out);
      sk_ASN1_OBJECT_pop_free(eku, ASN1_OBJECT_free);
      return true;
    }
    case NID_authority_key_identifier:
    case NID_subject_key_identifier:
    case NID_crl_distribution_points:
    case NID_certificate_policies:
    case NID_info_access:
      return decodes(ext) || fail(why, why_len, "x509: invalid extension");
    default:
      *handled = false;  // "Unknown extensions are recorded if critical."
      return true;
  }
}

// parse_extensions: the extensions loop of parseCertificate (duplicates
// refused) and processExtensions (parser.go).
static bool parse_extensions(X509 *x509, struct go_cert *out, char *why,
                             size_t why_len) {
  int n = X509_get_ext_count(x509);
  for (int i = 0; i < n; i++) {
    X509_EXTENSION *ext = X509_get_ext(x509, i);
    const ASN1_OBJECT *oid = X509_EXTENSION_get_object(ext);
    for (int j = 0; j < i; j++) {
      if (OBJ_cmp(oid, X509_EXTENSION_get_object(X509_get_ext(x509, j))) == 0) {
        return fail(why, why_len,
                    "x509: certificate contains duplicate extensions");
      }
    }
    bool handled = true;
    if (!parse_extension(ext, out, &handled, why, why_len)) {
      ERR_clear_error();
      return false;
    }
    if (!handled && X509_EXTENSION_get_critical(ext) &&
        !out->unhandled_critical) {
      out->unhandled_critical = true;
      OBJ_obj2txt(out->unhandled_oid, sizeof(out->unhandled_oid), oid, 1);
    }
  }
  out->skid = X509_get0_subject_key_id(x509);
  out->akid = X509_get0_authority_key_id(x509);
  return true;
}

static bool parse_time(const ASN1_TIME *t, time_t *out) {
  return t != NULL && mtk_time_parse((const char *)ASN1_STRING_get0_data(t),
                                     (size_t)ASN1_STRING_length(t), out) == 0;
}

bool go_cert_parse(X509 *x509, struct go_cert *out, char *why, size_t why_len) {
  memset(out, 0, sizeof(*out));
  out->x509 = x509;
  out->max_path_len = -1;
  out->version = (int)X509_get_version(x509) + 1;
  if (!der(x509, i2d_cert, &out->raw, &out->raw_len) ||
      !der(X509_get_subject_name(x509), i2d_name, &out->subject,
           &out->subject_len) ||
      !der(X509_get_issuer_name(x509), i2d_name, &out->issuer,
           &out->issuer_len)) {
    return fail(why, why_len, "x509: malformed certificate");
  }
  const X509_ALGOR *outer = NULL;
  X509_get0_signature(NULL, &outer, x509);
  if (outer == NULL || X509_ALGOR_cmp(outer, X509_get0_tbs_sigalg(x509)) != 0) {
    return fail(why, why_len,
                "x509: inner and outer signature algorithm identifiers "
                "don't match");
  }
  parse_sig(x509, out);
  if (!parse_time(X509_get0_notBefore(x509), &out->not_before) ||
      !parse_time(X509_get0_notAfter(x509), &out->not_after)) {
    return fail(why, why_len, "x509: malformed validity");
  }
  if (!parse_key(x509, out, why, why_len)) {
    return false;
  }
  // Go reads extensions of version 3 certificates only.
  return out->version != 3 || parse_extensions(x509, out, why, why_len);
}

void go_cert_cleanup(struct go_cert *cert) {
  OPENSSL_free(cert->raw);
  OPENSSL_free(cert->subject);
  OPENSSL_free(cert->issuer);
  GENERAL_NAMES_free(cert->san);
  NAME_CONSTRAINTS_free(cert->nc);
  EVP_PKEY_free(cert->key);
  memset(cert, 0, sizeof(*cert));
}
