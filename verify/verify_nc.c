// Name constraints for the strict platform (RFC 5280 4.2.1.10, 6.1.3
// (b)-(c), 6.1.4 (g)). BoringSSL's own check refuses iPAddress constraints
// and any leaf without SANs under a constraint; the strict verifier turns
// those errors off and applies the RFC here instead.
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>

#include "verify_internal.h"

// A name of a certificate, seen as one GeneralName form.
struct name {
  int type;  // GEN_*
  const GENERAL_NAME *gn;
  const uint8_t *data;  // text (DNS, email, URI) or address bytes
  size_t len;
  const X509_NAME *dn;  // GEN_DIRNAME, or the subject
};

static bool ascii_lower_eq(const uint8_t *a, const uint8_t *b, size_t len) {
  for (size_t i = 0; i < len; i++) {
    uint8_t x = a[i] >= 'A' && a[i] <= 'Z' ? a[i] + 32 : a[i];
    uint8_t y = b[i] >= 'A' && b[i] <= 'Z' ? b[i] + 32 : b[i];
    if (x != y) {
      return false;
    }
  }
  return true;
}

bool verify_ldh_name(const uint8_t *s, size_t len, bool wildcard) {
  if (len == 0 || len > 253) {
    return false;
  }
  size_t start = 0;
  if (wildcard && len > 2 && s[0] == '*' && s[1] == '.') {
    start = 2;
  }
  size_t label = 0;
  for (size_t i = start; i <= len; i++) {
    if (i == len || s[i] == '.') {
      if (label == 0 || label > 63 || s[i - 1] == '-' || s[i - label] == '-') {
        return false;
      }
      label = 0;
      continue;
    }
    uint8_t c = s[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '-';
    if (!ok) {
      return false;
    }
    label++;
  }
  return true;
}

// in_domain reports whether |host| is |domain| or below it: equal, or
// ending in "." + |domain| (case-insensitive). An empty domain holds all.
static bool in_domain(const uint8_t *host, size_t host_len,
                      const uint8_t *domain, size_t domain_len) {
  if (domain_len == 0) {
    return true;
  }
  if (host_len == domain_len) {
    return ascii_lower_eq(host, domain, host_len);
  }
  return host_len > domain_len && host[host_len - domain_len - 1] == '.' &&
         ascii_lower_eq(host + host_len - domain_len, domain, domain_len);
}

// dns_matches: is DNS name |n| in the subtree of constraint |c|? A
// wildcard name "*.X" stands for every name one label below X: it is in a
// subtree when all of them are (X in the subtree), and |excluded| asks
// whether any of them is (the subtree is X's, an ancestor's, or one label
// below X).
static bool dns_matches(const uint8_t *n, size_t n_len, const uint8_t *c,
                        size_t c_len, bool excluded) {
  if (n_len > 2 && n[0] == '*' && n[1] == '.') {
    const uint8_t *x = n + 2;
    size_t x_len = n_len - 2;
    if (in_domain(x, x_len, c, c_len)) {
      return true;
    }
    if (!excluded || c_len <= x_len + 1) {
      return false;
    }
    // c = "label.X" with exactly one label more than X.
    size_t head = c_len - x_len - 1;
    return c[head] == '.' && ascii_lower_eq(c + head + 1, x, x_len) &&
           memchr(c, '.', head) == NULL;
  }
  return in_domain(n, n_len, c, c_len);
}

// split_mailbox finds the '@' of a mailbox "local@domain"; it returns false
// unless there is exactly one, with text on both sides.
static bool split_mailbox(const uint8_t *s, size_t len, size_t *at) {
  const uint8_t *p = memchr(s, '@', len);
  if (p == NULL || p == s || (size_t)(p - s) + 1 >= len ||
      memchr(p + 1, '@', len - (size_t)(p - s) - 1) != NULL) {
    return false;
  }
  *at = (size_t)(p - s);
  return true;
}

// email_matches applies an rfc822Name constraint (4.2.1.10): a mailbox
// ("user@host": that mailbox, local part compared exactly, '*' literal), a
// host (every mailbox on it), or ".domain" (every mailbox below domain).
static bool email_matches(const uint8_t *n, size_t n_len, const uint8_t *c,
                          size_t c_len) {
  size_t at;
  if (!split_mailbox(n, n_len, &at)) {
    return false;
  }
  const uint8_t *host = n + at + 1;
  size_t host_len = n_len - at - 1;
  size_t c_at;
  if (memchr(c, '@', c_len) != NULL) {
    return split_mailbox(c, c_len, &c_at) && c_at == at &&
           memcmp(n, c, at) == 0 && host_len == c_len - c_at - 1 &&
           ascii_lower_eq(host, c + c_at + 1, host_len);
  }
  if (c_len > 0 && c[0] == '.') {
    return host_len > c_len - 1 && in_domain(host, host_len, c + 1, c_len - 1);
  }
  return host_len == c_len && ascii_lower_eq(host, c, c_len);
}

bool verify_uri_authority(const uint8_t *s, size_t len, const uint8_t **out,
                          size_t *out_len) {
  const uint8_t *p = memchr(s, ':', len);
  if (p == NULL || (size_t)(p - s) + 3 > len || p[1] != '/' || p[2] != '/') {
    return false;
  }
  const uint8_t *start = p + 3, *end = s + len;
  const uint8_t *stop = start;
  while (stop < end && *stop != '/' && *stop != '?' && *stop != '#') {
    stop++;
  }
  for (const uint8_t *q = start; q < stop; q++) {
    if (*q == '@') {
      start = q + 1;
    }
  }
  *out = start;
  *out_len = (size_t)(stop - start);
  return true;
}

// uri_host finds the host of an absolute URI "scheme://[userinfo@]host
// [:port]/...". It returns false for a URI without an authority, or whose
// host is an IP literal (URI constraints name domains).
static bool uri_host(const uint8_t *s, size_t len, const uint8_t **out,
                     size_t *out_len) {
  const uint8_t *start;
  size_t n;
  if (!verify_uri_authority(s, len, &start, &n) || (n > 0 && *start == '[')) {
    return false;
  }
  const uint8_t *colon = memchr(start, ':', n);
  if (colon != NULL) {
    n = (size_t)(colon - start);
  }
  *out = start;
  *out_len = n;
  return n > 0;
}

static bool uri_matches(const uint8_t *n, size_t n_len, const uint8_t *c,
                        size_t c_len) {
  const uint8_t *host;
  size_t host_len;
  if (!uri_host(n, n_len, &host, &host_len)) {
    return false;
  }
  if (c_len > 0 && c[0] == '.') {
    return host_len > c_len - 1 && in_domain(host, host_len, c + 1, c_len - 1);
  }
  return host_len == c_len && ascii_lower_eq(host, c, c_len);
}

// ip_matches: address |n| (4 or 16 bytes) in network |c| (address + mask,
// 8 or 32 bytes) of the same family.
static bool ip_matches(const uint8_t *n, size_t n_len, const uint8_t *c,
                       size_t c_len) {
  if (c_len != 2 * n_len) {
    return false;
  }
  for (size_t i = 0; i < n_len; i++) {
    if ((n[i] & c[n_len + i]) != (c[i] & c[n_len + i])) {
      return false;
    }
  }
  return true;
}

// dn_matches: is |dn| in the subtree |base| (base's RDNs a prefix of dn's)?
static bool dn_matches(const X509_NAME *dn, const X509_NAME *base) {
  int k = X509_NAME_entry_count(base);
  if (k == 0) {
    return true;
  }
  int n = X509_NAME_entry_count(dn);
  if (n < k) {
    return false;
  }
  // The prefix must end on an RDN boundary of |dn|.
  if (n > k && X509_NAME_ENTRY_set(X509_NAME_get_entry(dn, k)) ==
                   X509_NAME_ENTRY_set(X509_NAME_get_entry(dn, k - 1))) {
    return false;
  }
  X509_NAME *prefix = X509_NAME_new();
  bool ok = prefix != NULL;
  int last_set = -1;
  for (int i = 0; ok && i < k; i++) {
    X509_NAME_ENTRY *e = X509_NAME_get_entry(dn, i);
    int set = X509_NAME_ENTRY_set(e);
    ok = X509_NAME_add_entry(prefix, e, -1, i > 0 && set == last_set ? -1 : 0);
    last_set = set;
  }
  ok = ok && X509_NAME_cmp(prefix, base) == 0;
  X509_NAME_free(prefix);
  return ok;
}

// subtree_valid reports whether |st| is a constraint this profile allows:
// minimum 0, no maximum (4.2.1.10), and a well-formed base for the forms
// that have a syntax.
static bool subtree_valid(const GENERAL_SUBTREE *st) {
  if (st->maximum != NULL ||
      (st->minimum != NULL && ASN1_INTEGER_get(st->minimum) != 0)) {
    return false;
  }
  const GENERAL_NAME *b = st->base;
  const uint8_t *d;
  size_t len;
  switch (b->type) {
    case GEN_DNS:
      d = ASN1_STRING_get0_data(b->d.dNSName);
      len = (size_t)ASN1_STRING_length(b->d.dNSName);
      return len == 0 || verify_ldh_name(d, len, false);
    case GEN_EMAIL: {
      d = ASN1_STRING_get0_data(b->d.rfc822Name);
      len = (size_t)ASN1_STRING_length(b->d.rfc822Name);
      size_t at;
      if (memchr(d, '@', len) != NULL) {
        return split_mailbox(d, len, &at) &&
               verify_ldh_name(d + at + 1, len - at - 1, false);
      }
      return len == 0 || (d[0] == '.' ? verify_ldh_name(d + 1, len - 1, false)
                                      : verify_ldh_name(d, len, false));
    }
    case GEN_URI:
      d = ASN1_STRING_get0_data(b->d.uniformResourceIdentifier);
      len = (size_t)ASN1_STRING_length(b->d.uniformResourceIdentifier);
      return len == 0 || (d[0] == '.' ? verify_ldh_name(d + 1, len - 1, false)
                                      : verify_ldh_name(d, len, false));
    case GEN_IPADD: {
      d = ASN1_STRING_get0_data(b->d.iPAddress);
      len = (size_t)ASN1_STRING_length(b->d.iPAddress);
      if (len != 8 && len != 32) {
        return false;
      }
      // The mask is a run of ones then zeros (a CIDR prefix).
      bool zero_seen = false;
      for (size_t i = len / 2; i < len; i++) {
        for (int bit = 7; bit >= 0; bit--) {
          bool one = (d[i] >> bit) & 1;
          if (one && zero_seen) {
            return false;
          }
          zero_seen = zero_seen || !one;
        }
      }
      return true;
    }
    default:
      return true;
  }
}

static const char *const form_names[] = {"otherName",
                                         "rfc822Name",
                                         "dNSName",
                                         "x400Address",
                                         "directoryName",
                                         "ediPartyName",
                                         "uniformResourceIdentifier",
                                         "iPAddress",
                                         "registeredID"};

static const char *form_name(int type) {
  return type >= 0 && type <= GEN_RID ? form_names[type] : "unknown";
}

static bool processed_form(int type) {
  return type == GEN_DNS || type == GEN_EMAIL || type == GEN_URI ||
         type == GEN_IPADD || type == GEN_DIRNAME;
}

static bool subtree_matches(const struct name *n, const GENERAL_NAME *base,
                            bool excluded) {
  const ASN1_STRING *s = NULL;
  switch (base->type) {
    case GEN_DIRNAME:
      return dn_matches(n->dn, base->d.directoryName);
    case GEN_DNS:
      s = base->d.dNSName;
      return dns_matches(n->data, n->len, ASN1_STRING_get0_data(s),
                         (size_t)ASN1_STRING_length(s), excluded);
    case GEN_EMAIL:
      s = base->d.rfc822Name;
      return email_matches(n->data, n->len, ASN1_STRING_get0_data(s),
                           (size_t)ASN1_STRING_length(s));
    case GEN_URI:
      s = base->d.uniformResourceIdentifier;
      return uri_matches(n->data, n->len, ASN1_STRING_get0_data(s),
                         (size_t)ASN1_STRING_length(s));
    case GEN_IPADD:
      s = base->d.iPAddress;
      return ip_matches(n->data, n->len, ASN1_STRING_get0_data(s),
                        (size_t)ASN1_STRING_length(s));
    default:
      return false;
  }
}

// check_name applies |nc| (from the certificate at |nc_depth|) to name |n|
// of the certificate at |depth|.
static bool check_name(const NAME_CONSTRAINTS *nc, int nc_depth,
                       const struct name *n, int depth,
                       struct mtk_verify_result *out) {
  bool any_permitted = false, permitted = false;
  for (size_t i = 0; i < sk_GENERAL_SUBTREE_num(nc->permittedSubtrees); i++) {
    const GENERAL_SUBTREE *st =
        sk_GENERAL_SUBTREE_value(nc->permittedSubtrees, i);
    if (st->base->type != n->type) {
      continue;
    }
    any_permitted = true;
    if (!processed_form(n->type)) {
      break;
    }
    if (subtree_matches(n, st->base, false)) {
      permitted = true;
      break;
    }
  }
  bool excluded_form = false, excluded = false;
  for (size_t i = 0; i < sk_GENERAL_SUBTREE_num(nc->excludedSubtrees); i++) {
    const GENERAL_SUBTREE *st =
        sk_GENERAL_SUBTREE_value(nc->excludedSubtrees, i);
    if (st->base->type != n->type) {
      continue;
    }
    excluded_form = true;
    if (processed_form(n->type) && subtree_matches(n, st->base, true)) {
      excluded = true;
      break;
    }
  }
  if ((any_permitted || excluded_form) && !processed_form(n->type)) {
    verify_reject(out, MTK_VERIFY_NAME_CONSTRAINTS, depth,
                  "certificate has a %s name and the certificate at depth %d "
                  "constrains that form, which cannot be processed",
                  form_name(n->type), nc_depth);
    return false;
  }
  if ((any_permitted && !permitted) || excluded) {
    char text[128] = "subject";
    if (n->type != GEN_DIRNAME || n->gn != NULL) {
      if (n->type == GEN_DIRNAME || n->type == GEN_IPADD) {
        snprintf(text, sizeof(text), "a %s", form_name(n->type));
      } else {
        snprintf(text, sizeof(text), "%s '%.*s'", form_name(n->type),
                 (int)(n->len > 80 ? 80 : n->len), (const char *)n->data);
      }
    }
    verify_reject(out, MTK_VERIFY_NAME_CONSTRAINTS, depth,
                  "%s %s the name constraints of the certificate at depth %d",
                  text, excluded ? "is excluded by" : "is outside", nc_depth);
    return false;
  }
  return true;
}

// check_names applies |nc| to every name of |cert|: its subject (when not
// empty), each emailAddress in the subject, and each subjectAltName.
static bool check_names(X509 *cert, int depth, const NAME_CONSTRAINTS *nc,
                        int nc_depth, struct mtk_verify_result *out) {
  const X509_NAME *subject = X509_get_subject_name(cert);
  if (X509_NAME_entry_count(subject) > 0) {
    struct name n = {GEN_DIRNAME, NULL, NULL, 0, subject};
    if (!check_name(nc, nc_depth, &n, depth, out)) {
      return false;
    }
  }
  for (int i = -1; (i = X509_NAME_get_index_by_NID(
                        subject, NID_pkcs9_emailAddress, i)) >= 0;) {
    const ASN1_STRING *v =
        X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, i));
    struct name n = {GEN_EMAIL, NULL, ASN1_STRING_get0_data(v),
                     (size_t)ASN1_STRING_length(v), NULL};
    if (!check_name(nc, nc_depth, &n, depth, out)) {
      return false;
    }
  }
  GENERAL_NAMES *sans =
      X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
  bool ok = true;
  for (size_t i = 0; ok && i < sk_GENERAL_NAME_num(sans); i++) {
    const GENERAL_NAME *gn = sk_GENERAL_NAME_value(sans, i);
    struct name n = {gn->type, gn, NULL, 0, NULL};
    switch (gn->type) {
      case GEN_DNS:
      case GEN_EMAIL:
      case GEN_URI:
      case GEN_IPADD:
        n.data = ASN1_STRING_get0_data(gn->d.ia5);
        n.len = (size_t)ASN1_STRING_length(gn->d.ia5);
        break;
      case GEN_DIRNAME:
        n.dn = gn->d.directoryName;
        break;
      default:
        break;
    }
    ok = check_name(nc, nc_depth, &n, depth, out);
  }
  GENERAL_NAMES_free(sans);
  return ok;
}

bool verify_name_constraints(STACK_OF(X509) * path,
                             struct mtk_verify_result *out) {
  int num = (int)sk_X509_num(path);
  for (int j = num - 1; j >= 1; j--) {
    X509 *ca = sk_X509_value(path, (size_t)j);
    int crit = 0;
    NAME_CONSTRAINTS *nc =
        X509_get_ext_d2i(ca, NID_name_constraints, &crit, NULL);
    if (nc == NULL) {
      if (crit != -1) {
        verify_reject(out, MTK_VERIFY_NAME_CONSTRAINTS, j, "%s",
                      "nameConstraints cannot be decoded");
        return false;
      }
      continue;
    }
    bool ok = true;
    for (int k = 0; ok && k < 2; k++) {
      STACK_OF(GENERAL_SUBTREE) *sts =
          k == 0 ? nc->permittedSubtrees : nc->excludedSubtrees;
      for (size_t i = 0; ok && i < sk_GENERAL_SUBTREE_num(sts); i++) {
        const GENERAL_SUBTREE *st = sk_GENERAL_SUBTREE_value(sts, i);
        if (!subtree_valid(st)) {
          verify_reject(out, MTK_VERIFY_NAME_CONSTRAINTS, j,
                        "malformed %s %s name constraint",
                        k == 0 ? "permitted" : "excluded",
                        form_name(st->base->type));
          ok = false;
        }
      }
    }
    // Constraints bind every certificate below, except self-issued CA
    // certificates (6.1.4 (g) is not applied to them, 6.1.3 (b)).
    for (int i = j - 1; ok && i >= 0; i--) {
      X509 *cert = sk_X509_value(path, (size_t)i);
      if (i > 0 && (X509_get_extension_flags(cert) & EXFLAG_SI)) {
        continue;
      }
      ok = check_names(cert, i, nc, j, out);
    }
    NAME_CONSTRAINTS_free(nc);
    if (!ok) {
      return false;
    }
  }
  return true;
}
