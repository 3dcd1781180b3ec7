#include "mtlskit/x509_name.h"

#include <ctype.h>
#include <openssl/bytestring.h>
#include <openssl/mem.h>
#include <openssl/nid.h>
#include <openssl/obj.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "x509_internal.h"

// Attribute types, their string encoding and X.520 upper bounds (the same
// bounds openssl's ASN1_STRING_TABLE applies).
static const struct attr_type {
  const char *sn;
  const char *ln;
  int nid;
  int tag;
  size_t min, max;
} attr_types[] = {
    {"C", "countryName", NID_countryName, CBS_ASN1_PRINTABLESTRING, 2, 2},
    {"ST", "stateOrProvinceName", NID_stateOrProvinceName, CBS_ASN1_UTF8STRING,
     1, 128},
    {"L", "localityName", NID_localityName, CBS_ASN1_UTF8STRING, 1, 128},
    {"O", "organizationName", NID_organizationName, CBS_ASN1_UTF8STRING, 1, 64},
    {"OU", "organizationalUnitName", NID_organizationalUnitName,
     CBS_ASN1_UTF8STRING, 1, 64},
    {"CN", "commonName", NID_commonName, CBS_ASN1_UTF8STRING, 1, 64},
    {"emailAddress", "emailAddress", NID_pkcs9_emailAddress, CBS_ASN1_IA5STRING,
     1, 128},
    {"serialNumber", "serialNumber", NID_serialNumber, CBS_ASN1_PRINTABLESTRING,
     1, 64},
    {"DC", "domainComponent", NID_domainComponent, CBS_ASN1_IA5STRING, 1, 63},
    {"UID", "userId", NID_userId, CBS_ASN1_UTF8STRING, 1, 256},
    {"title", "title", NID_title, CBS_ASN1_UTF8STRING, 1, 64},
    {"GN", "givenName", NID_givenName, CBS_ASN1_UTF8STRING, 1, 32768},
    {"SN", "surname", NID_surname, CBS_ASN1_UTF8STRING, 1, 32768},
    {"initials", "initials", NID_initials, CBS_ASN1_UTF8STRING, 1, 32768},
    {"pseudonym", "pseudonym", NID_pseudonym, CBS_ASN1_UTF8STRING, 1, 128},
    {"street", "streetAddress", NID_streetAddress, CBS_ASN1_UTF8STRING, 1, 128},
    {"postalCode", "postalCode", NID_postalCode, CBS_ASN1_UTF8STRING, 1, 40},
    {"name", "name", NID_name, CBS_ASN1_UTF8STRING, 1, 32768},
    {"dnQualifier", "dnQualifier", NID_dnQualifier, CBS_ASN1_PRINTABLESTRING, 1,
     32768},
    {"businessCategory", "businessCategory", NID_businessCategory,
     CBS_ASN1_UTF8STRING, 1, 128},
};

void mtk_dn_init(struct mtk_dn *dn) { memset(dn, 0, sizeof(*dn)); }

void mtk_dn_cleanup(struct mtk_dn *dn) {
  for (size_t i = 0; i < dn->num_attrs; i++) {
    free(dn->attrs[i].value);
  }
  mtk_dn_init(dn);
}

static int oid_from_nid(int nid, uint8_t *out, size_t out_cap,
                        size_t *out_len) {
  const ASN1_OBJECT *obj = OBJ_nid2obj(nid);
  if (obj == NULL || OBJ_length(obj) > out_cap) {
    return MTK_EINTERNAL;
  }
  memcpy(out, OBJ_get0_data(obj), OBJ_length(obj));
  *out_len = OBJ_length(obj);
  return 0;
}

// oid_from_text encodes a dotted OID such as "2.5.4.97".
static int oid_from_text(const char *text, uint8_t *out, size_t out_cap,
                         size_t *out_len) {
  CBB cbb;
  uint8_t *der = NULL;
  size_t der_len = 0;
  if (!CBB_init(&cbb, 32) ||
      !CBB_add_asn1_oid_from_text(&cbb, text, strlen(text)) ||
      !CBB_finish(&cbb, &der, &der_len)) {
    CBB_cleanup(&cbb);
    return MTK_EPARSE;
  }
  int err = 0;
  if (der_len > out_cap) {
    err = MTK_EPARSE;
  } else {
    memcpy(out, der, der_len);
    *out_len = der_len;
  }
  OPENSSL_free(der);
  return err;
}

static const struct attr_type *find_type(const char *name) {
  for (size_t i = 0; i < sizeof(attr_types) / sizeof(attr_types[0]); i++) {
    if (strcmp(name, attr_types[i].sn) == 0 ||
        strcasecmp(name, attr_types[i].ln) == 0) {
      return &attr_types[i];
    }
  }
  return NULL;
}

static int is_dotted_oid(const char *s) {
  int dots = 0;
  if (!isdigit((unsigned char)*s)) {
    return 0;
  }
  for (; *s != '\0'; s++) {
    if (*s == '.') {
      dots++;
    } else if (!isdigit((unsigned char)*s)) {
      return 0;
    }
  }
  return dots >= 1;
}

static int push_attr(struct mtk_dn *dn, const uint8_t *oid, size_t oid_len,
                     int tag, const char *value, size_t value_len) {
  if (dn->num_attrs >= MTK_DN_MAX_ATTRS) {
    return MTK_ERANGE;
  }
  struct mtk_dn_attr *a = &dn->attrs[dn->num_attrs];
  a->value = malloc(value_len + 1);
  if (a->value == NULL) {
    return MTK_ENOMEM;
  }
  memcpy(a->value, value, value_len);
  a->value[value_len] = '\0';
  a->value_len = value_len;
  memcpy(a->oid, oid, oid_len);
  a->oid_len = oid_len;
  a->tag = tag;
  dn->num_attrs++;
  return 0;
}

// type_oid writes the OID of the attribute type |type|, a known short name
// or a dotted OID, to |out| (|out_cap| bytes). It returns 0, MTK_EPARSE for
// an unknown name or a bad OID, or MTK_EINTERNAL.
static int type_oid(const char *type, uint8_t *out, size_t out_cap,
                    size_t *out_len) {
  const struct attr_type *t = find_type(type);
  if (t != NULL) {
    return oid_from_nid(t->nid, out, out_cap, out_len);
  }
  if (is_dotted_oid(type)) {
    return oid_from_text(type, out, out_cap, out_len);
  }
  return MTK_EPARSE;
}

int mtk_dn_add(struct mtk_dn *dn, const char *type, int tag, const char *value,
               size_t value_len) {
  uint8_t oid[32];
  size_t oid_len = 0;
  int err = type_oid(type, oid, sizeof(oid), &oid_len);
  if (err != 0) {
    return err;
  }
  return push_attr(dn, oid, oid_len, tag, value, value_len);
}

static int printable_ok(const char *s, size_t len) {
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if (!(isalnum(c) || strchr(" '()+,-./:=?", c) != NULL)) {
      return 0;
    }
  }
  return 1;
}

static int ia5_ok(const char *s, size_t len) {
  for (size_t i = 0; i < len; i++) {
    if ((unsigned char)s[i] > 0x7f) {
      return 0;
    }
  }
  return 1;
}

// utf8_len counts code points and validates |s| as UTF-8 (shortest form,
// no surrogates, at most U+10FFFF); it returns -1 for invalid input.
static long utf8_len(const char *s, size_t len) {
  const unsigned char *p = (const unsigned char *)s;
  long n = 0;
  size_t i = 0;
  while (i < len) {
    unsigned c = p[i];
    size_t extra;
    uint32_t u, min;
    if (c < 0x80) {
      extra = 0, u = c, min = 0;
    } else if ((c & 0xe0) == 0xc0) {
      extra = 1, u = c & 0x1f, min = 0x80;
    } else if ((c & 0xf0) == 0xe0) {
      extra = 2, u = c & 0x0f, min = 0x800;
    } else if ((c & 0xf8) == 0xf0) {
      extra = 3, u = c & 0x07, min = 0x10000;
    } else {
      return -1;
    }
    if (extra > len - i - 1) {
      return -1;
    }
    for (size_t k = 1; k <= extra; k++) {
      if ((p[i + k] & 0xc0) != 0x80) {
        return -1;
      }
      u = (u << 6) | (p[i + k] & 0x3f);
    }
    if (u < min || u > 0x10ffff || (u >= 0xd800 && u <= 0xdfff)) {
      return -1;
    }
    i += extra + 1;
    n++;
  }
  return n;
}

static const char *tag_name(int tag) {
  switch (tag) {
    case CBS_ASN1_UTF8STRING:
      return "UTF8String";
    case CBS_ASN1_PRINTABLESTRING:
      return "PrintableString";
    case CBS_ASN1_IA5STRING:
      return "IA5String";
    case CBS_ASN1_BMPSTRING:
      return "BMPString";
    case CBS_ASN1_T61STRING:
      return "T61String";
    case CBS_ASN1_UNIVERSALSTRING:
      return "UniversalString";
    default:
      return "string of another type";
  }
}

// attr_check applies the name policy to one attribute |type| (as the user
// wrote it, or its short name) of string type |tag|: a string type the
// attribute may have, no control characters (a NUL in a name is the
// classic way to make two names compare equal where they should not),
// characters its string type can hold, and the X.520 bounds. |shown| is
// the whole subject for the message. mtk_dn_parse and mtk_dn_check both
// use it, so a typed name and one from a CSR meet one policy.
static int attr_check(const char *shown, const char *type,
                      const struct attr_type *t, int tag, const char *value,
                      size_t value_len, struct mtk_diag *diag) {
  size_t min = t != NULL ? t->min : 1, max = t != NULL ? t->max : 32768;
  int want = t != NULL ? t->tag : (int)CBS_ASN1_UTF8STRING;
  if (tag != want &&
      !(want == CBS_ASN1_UTF8STRING && tag == CBS_ASN1_PRINTABLESTRING)) {
    return mtk_diag_set(
        diag, MTK_EPARSE, "subject '%s': %s is a %s, not a %s%s", shown, type,
        tag_name(tag), tag_name(want),
        want == CBS_ASN1_UTF8STRING ? " or PrintableString" : "");
  }
  if (value_len == 0) {
    return mtk_diag_set(diag, MTK_EPARSE, "subject '%s': %s has no value",
                        shown, type);
  }
  long chars = utf8_len(value, value_len);
  if (chars < 0) {
    return mtk_diag_set(diag, MTK_EPARSE, "subject '%s': %s is not valid UTF-8",
                        shown, type);
  }
  for (size_t i = 0; i < value_len; i++) {
    unsigned char c = (unsigned char)value[i];
    if (c < 0x20 || c == 0x7f) {
      return mtk_diag_set(diag, MTK_EPARSE,
                          "subject '%s': %s contains a control character",
                          shown, type);
    }
  }
  if ((tag == CBS_ASN1_PRINTABLESTRING && !printable_ok(value, value_len)) ||
      (tag == CBS_ASN1_IA5STRING && !ia5_ok(value, value_len))) {
    return mtk_diag_set(diag, MTK_EPARSE,
                        "subject '%s': %s has characters its string type "
                        "cannot hold",
                        shown, type);
  }
  if ((size_t)chars < min || (size_t)chars > max) {
    if (min == max) {
      return mtk_diag_set(diag, MTK_EPARSE,
                          "subject '%s': %s must be %zu characters", shown,
                          type, min);
    }
    return mtk_diag_set(diag, MTK_EPARSE,
                        "subject '%s': %s is longer than %zu characters", shown,
                        type, max);
  }
  return 0;
}

int mtk_dn_parse(const char *text, struct mtk_dn *out, struct mtk_diag *diag) {
  int err = 0;
  size_t text_len = strlen(text);
  // Messages show the subject with control characters escaped, as
  // mtk_dn_check shows one from a CSR.
  char shown[512];
  mtk_x509_escape((const uint8_t *)text, text_len, shown, sizeof(shown));
  char *type = malloc(text_len + 1);
  char *value = malloc(text_len + 1);
  if (type == NULL || value == NULL) {
    err = MTK_ENOMEM;
    goto out;
  }
  if (text[0] != '/') {
    err = mtk_diag_set(diag, MTK_EPARSE,
                       "subject '%s' must start with '/' (/C=JP/O=x/CN=y)",
                       shown);
    goto out;
  }
  const char *p = text;
  while (*p == '/') {
    p++;
    size_t type_len = 0;
    while (*p != '\0' && *p != '=' && *p != '/') {
      type[type_len++] = *p++;
    }
    type[type_len] = '\0';
    if (type_len == 0) {
      err = mtk_diag_set(diag, MTK_EPARSE, "subject '%s': empty attribute type",
                         shown);
      goto out;
    }
    if (*p != '=') {
      err = mtk_diag_set(diag, MTK_EPARSE,
                         "subject '%s': missing '=' after '%s'", shown, type);
      goto out;
    }
    p++;
    size_t value_len = 0;
    while (*p != '\0' && *p != '/') {
      if (*p == '\\') {
        p++;
        if (*p == '\0') {
          err = mtk_diag_set(diag, MTK_EPARSE,
                             "subject '%s': trailing backslash", shown);
          goto out;
        }
      }
      value[value_len++] = *p++;
    }
    value[value_len] = '\0';
    const struct attr_type *t = find_type(type);
    uint8_t oid[32];
    size_t oid_len = 0;
    int tag = t != NULL ? t->tag : (int)CBS_ASN1_UTF8STRING;
    err = type_oid(type, oid, sizeof(oid), &oid_len);
    if (err != 0) {
      err = mtk_diag_set(diag, MTK_EPARSE,
                         "subject '%s': unknown attribute type '%s'", shown,
                         type);
      goto out;
    }
    if ((err = attr_check(shown, type, t, tag, value, value_len, diag)) != 0) {
      goto out;
    }
    err = push_attr(out, oid, oid_len, tag, value, value_len);
    if (err == MTK_ERANGE) {
      err = mtk_diag_set(diag, MTK_EPARSE,
                         "subject '%s': more than %d attributes", shown,
                         MTK_DN_MAX_ATTRS);
    }
    if (err != 0) {
      goto out;
    }
  }
  if (*p != '\0') {
    err = mtk_diag_set(diag, MTK_EPARSE, "subject '%s': malformed", shown);
    goto out;
  }
out:
  if (err != 0) {
    mtk_dn_cleanup(out);
  }
  free(type);
  free(value);
  return err;
}

int mtk_dn_marshal(CBB *cbb, const struct mtk_dn *dn) {
  CBB name;
  if (!CBB_add_asn1(cbb, &name, CBS_ASN1_SEQUENCE)) {
    return MTK_ENOMEM;
  }
  for (size_t i = 0; i < dn->num_attrs; i++) {
    const struct mtk_dn_attr *a = &dn->attrs[i];
    CBB rdn, atv, oid, val;
    if (!CBB_add_asn1(&name, &rdn, CBS_ASN1_SET) ||
        !CBB_add_asn1(&rdn, &atv, CBS_ASN1_SEQUENCE) ||
        !CBB_add_asn1(&atv, &oid, CBS_ASN1_OBJECT) ||
        !CBB_add_bytes(&oid, a->oid, a->oid_len) ||
        !CBB_add_asn1(&atv, &val, (unsigned)a->tag) ||
        !CBB_add_bytes(&val, (const uint8_t *)a->value, a->value_len) ||
        !CBB_flush(&name)) {
      return MTK_ENOMEM;
    }
  }
  if (!CBB_flush(cbb)) {
    return MTK_ENOMEM;
  }
  return 0;
}

const char *mtk_dn_get_cn(const struct mtk_dn *dn) {
  uint8_t oid[32];
  size_t oid_len;
  if (oid_from_nid(NID_commonName, oid, sizeof(oid), &oid_len) != 0) {
    return NULL;
  }
  for (size_t i = 0; i < dn->num_attrs; i++) {
    if (dn->attrs[i].oid_len == oid_len &&
        memcmp(dn->attrs[i].oid, oid, oid_len) == 0) {
      return dn->attrs[i].value;
    }
  }
  return NULL;
}

int mtk_dn_from_x509_name(const X509_NAME *name, struct mtk_dn *out) {
  int n = X509_NAME_entry_count(name);
  for (int i = 0; i < n; i++) {
    const X509_NAME_ENTRY *e = X509_NAME_get_entry(name, i);
    const ASN1_OBJECT *obj = X509_NAME_ENTRY_get_object(e);
    const ASN1_STRING *v = X509_NAME_ENTRY_get_data(e);
    if (OBJ_length(obj) > sizeof(out->attrs[0].oid)) {
      return MTK_ERANGE;
    }
    int err = push_attr(
        out, OBJ_get0_data(obj), OBJ_length(obj), ASN1_STRING_type(v),
        (const char *)ASN1_STRING_get0_data(v), (size_t)ASN1_STRING_length(v));
    if (err != 0) {
      mtk_dn_cleanup(out);
      return err;
    }
  }
  return 0;
}

void mtk_x509_escape(const uint8_t *in, size_t len, char *out, size_t out_len) {
  size_t n = 0;
  // Valid UTF-8 text stays readable; control bytes and broken encodings
  // are shown as \xHH.
  bool utf8 = utf8_len((const char *)in, len) >= 0;
  for (size_t i = 0; i < len; i++) {
    char piece[8];
    if ((in[i] >= 0x20 && in[i] < 0x7f) || (utf8 && in[i] >= 0x80)) {
      piece[0] = (char)in[i];
      piece[1] = '\0';
    } else {
      snprintf(piece, sizeof(piece), "\\x%02X", in[i]);
    }
    size_t pl = strlen(piece);
    if (n + pl + 4 > out_len) {
      if (out_len >= 4) {
        memcpy(out + (n < out_len - 4 ? n : out_len - 4), "...", 4);
      }
      return;
    }
    memcpy(out + n, piece, pl);
    n += pl;
  }
  if (out_len > 0) {
    out[n < out_len ? n : out_len - 1] = '\0';
  }
}

// type_text writes the short name of the attribute type |oid|, or its
// dotted form, to |out|, and returns its table entry (or NULL).
static const struct attr_type *type_text(const struct mtk_dn_attr *a, char *out,
                                         size_t out_len) {
  for (size_t i = 0; i < sizeof(attr_types) / sizeof(attr_types[0]); i++) {
    const ASN1_OBJECT *obj = OBJ_nid2obj(attr_types[i].nid);
    if (obj != NULL && OBJ_length(obj) == a->oid_len &&
        memcmp(OBJ_get0_data(obj), a->oid, a->oid_len) == 0) {
      snprintf(out, out_len, "%s", attr_types[i].sn);
      return &attr_types[i];
    }
  }
  CBS cbs;
  CBS_init(&cbs, a->oid, a->oid_len);
  char *dotted = CBS_asn1_oid_to_text(&cbs);
  snprintf(out, out_len, "%s", dotted != NULL ? dotted : "?");
  OPENSSL_free(dotted);
  return NULL;
}

int mtk_dn_check(const struct mtk_dn *dn, struct mtk_diag *diag) {
  char shown[512] = "";
  size_t n = 0;
  for (size_t i = 0; i < dn->num_attrs; i++) {
    char type[64], value[192];
    type_text(&dn->attrs[i], type, sizeof(type));
    mtk_x509_escape((const uint8_t *)dn->attrs[i].value, dn->attrs[i].value_len,
                    value, sizeof(value));
    int w = snprintf(shown + n, sizeof(shown) - n, "/%s=%s", type, value);
    n = w < 0 || (size_t)w >= sizeof(shown) - n ? sizeof(shown) - 1
                                                : n + (size_t)w;
  }
  for (size_t i = 0; i < dn->num_attrs; i++) {
    const struct mtk_dn_attr *a = &dn->attrs[i];
    char type[64];
    const struct attr_type *t = type_text(a, type, sizeof(type));
    int err = attr_check(shown, type, t, a->tag, a->value, a->value_len, diag);
    if (err != 0) {
      return err;
    }
  }
  return 0;
}
