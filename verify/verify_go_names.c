// Go 1.19.8's name constraints (src/crypto/x509/verify.go: isValid,
// checkNameConstraints, matchDomainConstraint, matchEmailConstraint,
// matchURIConstraint, matchIPConstraint, parseRFC2821Mailbox,
// domainToReverseLabels). Go checks the SANs of the leaf (and of the
// constraining CA itself) only: no common name, no emailAddress in the
// subject, no directoryName; DNS constraints may have a leading period.
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "verify_go.h"
#include "verify_internal.h"

// Go's default VerifyOptions.MaxConstraintComparisions.
#define GO_MAX_CONSTRAINT_COMPARISONS 250000

bool go_domain_labels(const char *s, size_t len) {
  if (len == 0) {
    return true;  // no labels at all
  }
  if (s[len - 1] == '.') {
    return false;  // an empty label at the end: an absolute name
  }
  size_t label = 0;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '.') {
      if (label == 0) {
        return false;
      }
      label = 0;
      continue;
    }
    if (c < 33 || c > 126) {
      return false;
    }
    label++;
  }
  return label > 0;
}

// qtext: the characters parseRFC2821Mailbox takes in a quoted local part.
static bool qtext(unsigned char c) {
  return c == 11 || c == 12 || c == 32 || c == 33 || c == 127 ||
         (1 <= c && c <= 8) || (14 <= c && c <= 31) || (35 <= c && c <= 91) ||
         (93 <= c && c <= 126);
}

// atext: RFC 2822 atext and '.', as parseRFC2821Mailbox takes them.
static bool atext(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
         (c >= 'A' && c <= 'Z') ||
         (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~.", c) != NULL);
}

// quoted_local reads a quoted-string local part after its opening quote.
static bool quoted_local(const char **in, const char *end, char *local,
                         size_t *n) {
  for (;;) {
    if (*in == end) {
      return false;
    }
    unsigned char c = (unsigned char)*(*in)++;
    if (c == '"') {
      return true;
    }
    if (c == '\\') {
      if (*in == end) {
        return false;
      }
      unsigned char q = (unsigned char)**in;
      if (!(q == 11 || q == 12 || (1 <= q && q <= 9) ||
            (14 <= q && q <= 127))) {
        return false;
      }
      local[(*n)++] = (char)q;
      (*in)++;
    } else if (qtext(c)) {
      local[(*n)++] = (char)c;
    } else {
      return false;
    }
  }
}

// atom_local reads an unquoted local part (escapes allowed, as Go does).
static bool atom_local(const char **in, const char *end, char *local,
                       size_t *n) {
  while (*in < end) {
    unsigned char c = (unsigned char)**in;
    if (c == '\\') {
      (*in)++;
      if (*in == end) {
        return false;
      }
    } else if (!atext(c)) {
      break;
    }
    local[(*n)++] = **in;
    (*in)++;
  }
  if (*n == 0 || local[0] == '.' || local[*n - 1] == '.') {
    return false;
  }
  for (size_t i = 0; i + 1 < *n; i++) {
    if (local[i] == '.' && local[i + 1] == '.') {
      return false;
    }
  }
  return true;
}

bool go_mailbox_parse(const char *s, size_t len, char *local,
                      const char **domain, size_t *domain_len) {
  const char *in = s;
  const char *end = s + len;
  size_t n = 0;
  if (len == 0) {
    return false;
  }
  bool ok = in[0] == '"' ? (in++, quoted_local(&in, end, local, &n))
                         : atom_local(&in, end, local, &n);
  if (!ok || in == end || *in != '@') {
    return false;
  }
  in++;
  local[n] = '\0';
  *domain = in;
  *domain_len = (size_t)(end - in);
  return go_domain_labels(in, *domain_len);
}

// match_domain: matchDomainConstraint. -1 when the name cannot be parsed.
static int match_domain(const char *d, size_t dlen, const char *c,
                        size_t clen) {
  if (clen == 0) {
    return 1;  // "follows NSS and accepts them as matching everything"
  }
  if (!go_domain_labels(d, dlen)) {
    return -1;
  }
  bool must_have_subdomains = c[0] == '.';
  if (must_have_subdomains) {
    c++;
    clen--;
  }
  if (!go_domain_labels(c, clen)) {
    return -1;
  }
  if (dlen < clen || (must_have_subdomains && dlen == clen)) {
    return 0;
  }
  // The constraint's labels are the name's last labels, case-insensitively:
  // the name ends with the constraint at a label boundary.
  if (strncasecmp(d + dlen - clen, c, clen) != 0) {
    return 0;
  }
  if (dlen == clen) {
    return 1;
  }
  if (d[dlen - clen - 1] != '.') {
    return 0;
  }
  return !must_have_subdomains || dlen > clen + 1 ? 1 : 0;
}

// A name to check: its Go type and text (or address).
struct go_name {
  int type;  // GEN_DNS, GEN_EMAIL, GEN_URI, GEN_IPADD
  const char *text;
  size_t len;
  const char *local;   // email: the parsed local part
  const char *domain;  // email: the domain; URI: the host
  size_t domain_len;
};

// match_one: Go's match function of |name|'s type against |base|. -1: an
// error (Go refuses the certificate).
static int match_one(const struct go_name *name, const GENERAL_NAME *base) {
  if (base->type != name->type) {
    return 0;
  }
  if (name->type == GEN_IPADD) {
    const ASN1_OCTET_STRING *c = base->d.ip;
    size_t half = (size_t)c->length / 2;
    if (half != name->len) {
      return 0;
    }
    for (size_t i = 0; i < half; i++) {
      uint8_t mask = c->data[half + i];
      if (((uint8_t)name->text[i] & mask) != (c->data[i] & mask)) {
        return 0;
      }
    }
    return 1;
  }
  const char *c = (const char *)ASN1_STRING_get0_data(base->d.ia5);
  size_t clen = (size_t)ASN1_STRING_length(base->d.ia5);
  if (name->type == GEN_EMAIL && memchr(c, '@', clen) != NULL) {
    char *local = malloc(clen + 1);
    const char *domain;
    size_t domain_len;
    int r = -1;
    if (local != NULL &&
        go_mailbox_parse(c, clen, local, &domain, &domain_len)) {
      r = strcmp(local, name->local) == 0 && domain_len == name->domain_len &&
          strncasecmp(domain, name->domain, domain_len) == 0;
    }
    free(local);
    return r;
  }
  if (name->type == GEN_DNS) {
    return match_domain(name->text, name->len, c, clen);
  }
  return match_domain(name->domain, name->domain_len, c, clen);
}

// show_name writes |name| quoted, an IP address in its usual text form.
static void show_name(const struct go_name *name, char *out, size_t out_len) {
  char ip[INET6_ADDRSTRLEN] = "?";
  if (name->type == GEN_IPADD) {
    inet_ntop(name->len == 4 ? AF_INET : AF_INET6, name->text, ip, sizeof(ip));
    snprintf(out, out_len, "%s", ip);
  } else {
    snprintf(out, out_len, "\"%.*s\"", (int)(name->len < 160 ? name->len : 160),
             name->text);
  }
}

// check_subtrees runs |name| against excluded then permitted subtrees as
// checkNameConstraints does.
static bool check_subtrees(const struct go_cert *ca, const struct go_name *name,
                           int *count, char *why, size_t why_len) {
  const char *kind = name->type == GEN_DNS     ? "DNS name"
                     : name->type == GEN_EMAIL ? "email address"
                     : name->type == GEN_URI   ? "URI"
                                               : "IP address";
  STACK_OF(GENERAL_SUBTREE) *ex = ca->nc->excludedSubtrees;
  STACK_OF(GENERAL_SUBTREE) *per = ca->nc->permittedSubtrees;
  size_t n_ex = 0, n_per = 0;
  for (size_t i = 0; i < sk_GENERAL_SUBTREE_num(ex); i++) {
    n_ex += sk_GENERAL_SUBTREE_value(ex, i)->base->type == name->type;
  }
  for (size_t i = 0; i < sk_GENERAL_SUBTREE_num(per); i++) {
    n_per += sk_GENERAL_SUBTREE_value(per, i)->base->type == name->type;
  }
  char shown[200];
  show_name(name, shown, sizeof(shown));
  *count += (int)n_ex;
  if (*count > GO_MAX_CONSTRAINT_COMPARISONS) {
    snprintf(why, why_len, "x509: too many name constraints");
    return false;
  }
  for (size_t i = 0; i < sk_GENERAL_SUBTREE_num(ex); i++) {
    int m = match_one(name, sk_GENERAL_SUBTREE_value(ex, i)->base);
    if (m != 0) {
      snprintf(why, why_len, "%s %s %s", kind, shown,
               m < 0 ? "cannot be matched against the constraints"
                     : "is excluded by a constraint");
      return false;
    }
  }
  *count += (int)n_per;
  if (*count > GO_MAX_CONSTRAINT_COMPARISONS) {
    snprintf(why, why_len, "x509: too many name constraints");
    return false;
  }
  bool ok = n_per == 0;
  for (size_t i = 0; !ok && i < sk_GENERAL_SUBTREE_num(per); i++) {
    int m = match_one(name, sk_GENERAL_SUBTREE_value(per, i)->base);
    if (m < 0) {
      snprintf(why, why_len, "%s %s cannot be matched against the constraints",
               kind, shown);
      return false;
    }
    ok = m == 1;
  }
  if (!ok) {
    snprintf(why, why_len, "%s %s is not permitted by any constraint", kind,
             shown);
  }
  return ok;
}

// name_of prepares |gn| for matching, as isValid does per SAN type. It
// returns 0 (ignored type), 1 (ready) or -1 (Go refuses it, |why| set).
static int name_of(const GENERAL_NAME *gn, struct go_name *name, char *local,
                   char *why, size_t why_len) {
  memset(name, 0, sizeof(*name));
  name->type = gn->type;
  if (gn->type == GEN_IPADD) {
    name->text = (const char *)gn->d.ip->data;
    name->len = (size_t)gn->d.ip->length;
    return 1;
  }
  if (gn->type != GEN_DNS && gn->type != GEN_EMAIL && gn->type != GEN_URI) {
    return 0;  // "Unknown SAN types are ignored."
  }
  name->text = (const char *)ASN1_STRING_get0_data(gn->d.ia5);
  name->len = (size_t)ASN1_STRING_length(gn->d.ia5);
  bool ok = true;
  if (gn->type == GEN_DNS) {
    ok = go_domain_labels(name->text, name->len);
  } else if (gn->type == GEN_EMAIL) {
    ok = go_mailbox_parse(name->text, name->len, local, &name->domain,
                          &name->domain_len);
    name->local = local;
  } else {
    // matchURIConstraint: a host is needed, without port, not an IP.
    ok = go_uri_host(name->text, name->len, &name->domain, &name->domain_len) &&
         name->domain_len > 0;
    const char *colon = memchr(name->domain, ':', name->domain_len);
    if (ok && colon != NULL && name->domain[name->domain_len - 1] != ']') {
      name->domain_len = (size_t)(colon - name->domain);
    }
    size_t digits = 0;
    while (ok && digits < name->domain_len &&
           strchr("0123456789.", name->domain[digits]) != NULL) {
      digits++;
    }
    ok = ok && name->domain[0] != '[' && digits < name->domain_len;
  }
  if (!ok) {
    snprintf(why, why_len, "x509: cannot match %.*s against constraints",
             (int)name->len, name->text);
    return -1;
  }
  return 1;
}

bool go_check_name_constraints(const struct go_cert *ca,
                               const struct go_cert *named, int *count,
                               char *why, size_t why_len) {
  for (size_t i = 0; i < sk_GENERAL_NAME_num(named->san); i++) {
    const GENERAL_NAME *gn = sk_GENERAL_NAME_value(named->san, i);
    size_t cap =
        gn->type == GEN_EMAIL ? (size_t)ASN1_STRING_length(gn->d.ia5) + 1 : 1;
    char *local = malloc(cap);
    struct go_name name;
    int r = local != NULL ? name_of(gn, &name, local, why, why_len) : -1;
    bool ok =
        r == 0 || (r == 1 && check_subtrees(ca, &name, count, why, why_len));
    free(local);
    if (!ok) {
      return false;
    }
  }
  return true;
}
