#include "mtlskit/x509_san.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <openssl/bytestring.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "x509_internal.h"

void mtk_san_list_init(struct mtk_san_list *list) {
  memset(list, 0, sizeof(*list));
}

void mtk_san_list_cleanup(struct mtk_san_list *list) {
  for (size_t i = 0; i < list->num; i++) {
    free(list->entries[i].value);
  }
  mtk_san_list_init(list);
}

int mtk_san_add(struct mtk_san_list *list, enum mtk_san_type type,
                const uint8_t *value, size_t value_len) {
  if (list->num >= MTK_SAN_MAX) {
    return MTK_ERANGE;
  }
  uint8_t *copy = malloc(value_len + 1);
  if (copy == NULL) {
    return MTK_ENOMEM;
  }
  memcpy(copy, value, value_len);
  copy[value_len] = '\0';
  list->entries[list->num].type = type;
  list->entries[list->num].value = copy;
  list->entries[list->num].value_len = value_len;
  list->num++;
  return 0;
}

static int dns_ok(const char *s, size_t len) {
  if (len == 0 || len > 253) {
    return 0;
  }
  size_t label = 0;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '.') {
      if (label == 0) {
        return 0;
      }
      label = 0;
      continue;
    }
    if (!(isalnum(c) || c == '-' || c == '*' || c == '_')) {
      return 0;
    }
    if (++label > 63) {
      return 0;
    }
  }
  return label > 0;
}

static int email_ok(const char *s, size_t len) {
  const char *at = memchr(s, '@', len);
  if (at == NULL || at == s || at == s + len - 1 ||
      memchr(at + 1, '@', len - (size_t)(at - s) - 1) != NULL) {
    return 0;
  }
  for (size_t i = 0; i < len; i++) {
    if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] > 0x7e) {
      return 0;
    }
  }
  return 1;
}

static int uri_ok(const char *s, size_t len) {
  const char *colon = memchr(s, ':', len);
  if (colon == NULL || colon == s || colon == s + len - 1) {
    return 0;
  }
  if (!isalpha((unsigned char)s[0])) {
    return 0;
  }
  for (const char *p = s; p < colon; p++) {
    if (!(isalnum((unsigned char)*p) || *p == '+' || *p == '-' || *p == '.')) {
      return 0;
    }
  }
  for (size_t i = 0; i < len; i++) {
    if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] > 0x7e) {
      return 0;
    }
  }
  return 1;
}

// type_from_name maps the text names of DNS, email and URI entries.
static bool type_from_name(const char *name, enum mtk_san_type *out) {
  if (strcasecmp(name, "DNS") == 0) {
    *out = MTK_SAN_DNS;
  } else if (strcasecmp(name, "email") == 0) {
    *out = MTK_SAN_EMAIL;
  } else if (strcasecmp(name, "URI") == 0) {
    *out = MTK_SAN_URI;
  } else {
    return false;
  }
  return true;
}

// entry_check applies the SAN policy to one entry: the same test and the
// same message whether the entry was typed or came from a CSR.
static int entry_check(enum mtk_san_type type, const uint8_t *value,
                       size_t value_len, struct mtk_diag *diag) {
  char shown[256];
  mtk_x509_escape(value, value_len, shown, sizeof(shown));
  const char *s = (const char *)value;
  switch (type) {
    case MTK_SAN_DNS:
      return dns_ok(s, value_len)
                 ? 0
                 : mtk_diag_set(diag, MTK_EPARSE,
                                "SAN 'DNS:%s': not a DNS name", shown);
    case MTK_SAN_EMAIL:
      return email_ok(s, value_len)
                 ? 0
                 : mtk_diag_set(diag, MTK_EPARSE,
                                "SAN 'email:%s': not an email address", shown);
    case MTK_SAN_URI:
      return uri_ok(s, value_len) && value_len <= MTK_SAN_URI_MAX
                 ? 0
                 : mtk_diag_set(diag, MTK_EPARSE,
                                "SAN 'URI:%s': not a URI with a scheme (at "
                                "most %d characters)",
                                shown, MTK_SAN_URI_MAX);
    case MTK_SAN_IP:
      return value_len == 4 || value_len == 16
                 ? 0
                 : mtk_diag_set(diag, MTK_EPARSE,
                                "SAN 'IP:%s': not an IPv4 or IPv6 address",
                                shown);
  }
  return mtk_diag_set(diag, MTK_EPARSE, "SAN of unknown type");
}

int mtk_san_check(const struct mtk_san_list *list, struct mtk_diag *diag) {
  for (size_t i = 0; i < list->num; i++) {
    const struct mtk_san *e = &list->entries[i];
    int err = entry_check(e->type, e->value, e->value_len, diag);
    if (err != 0) {
      return err;
    }
  }
  return 0;
}

int mtk_san_parse(const char *text, struct mtk_san_list *list,
                  struct mtk_diag *diag) {
  size_t before = list->num;
  int err = 0;
  char *buf = strdup(text);
  if (buf == NULL) {
    return MTK_ENOMEM;
  }
  char *save = NULL;
  char *item = buf;
  // strtok_r would merge empty items; split by hand so ",," is an error.
  for (;;) {
    char *comma = strchr(item, ',');
    if (comma != NULL) {
      *comma = '\0';
    }
    while (*item == ' ') {
      item++;
    }
    char *colon = strchr(item, ':');
    if (colon == NULL) {
      err = mtk_diag_set(diag, MTK_EPARSE,
                         "SAN '%s': expected TYPE:VALUE (DNS:, IP:, email:, "
                         "URI:)",
                         item);
      goto out;
    }
    *colon = '\0';
    const char *value = colon + 1;
    size_t value_len = strlen(value);
    if (value_len == 0) {
      err = mtk_diag_set(diag, MTK_EPARSE, "SAN '%s:': empty value", item);
      goto out;
    }
    enum mtk_san_type type;
    if (strcasecmp(item, "IP") == 0) {
      uint8_t addr[16];
      if (inet_pton(AF_INET, value, addr) == 1) {
        err = mtk_san_add(list, MTK_SAN_IP, addr, 4);
      } else if (inet_pton(AF_INET6, value, addr) == 1) {
        err = mtk_san_add(list, MTK_SAN_IP, addr, 16);
      } else {
        err = mtk_diag_set(diag, MTK_EPARSE,
                           "SAN 'IP:%s': not an IPv4 or IPv6 address", value);
        goto out;
      }
    } else if (type_from_name(item, &type)) {
      if ((err = entry_check(type, (const uint8_t *)value, value_len, diag)) !=
          0) {
        goto out;
      }
      err = mtk_san_add(list, type, (const uint8_t *)value, value_len);
    } else {
      err = mtk_diag_set(diag, MTK_EPARSE,
                         "SAN '%s:%s': unknown type '%s' (DNS, IP, email, "
                         "URI)",
                         item, value, item);
      goto out;
    }
    if (err == MTK_ERANGE) {
      err = mtk_diag_set(diag, MTK_EPARSE, "more than %d SAN entries",
                         MTK_SAN_MAX);
    }
    if (err != 0) {
      goto out;
    }
    if (comma == NULL) {
      break;
    }
    item = comma + 1;
  }
  (void)save;
out:
  if (err != 0) {
    while (list->num > before) {
      list->num--;
      free(list->entries[list->num].value);
      list->entries[list->num].value = NULL;
    }
  }
  free(buf);
  return err;
}

static unsigned san_tag(enum mtk_san_type type) {
  switch (type) {
    case MTK_SAN_EMAIL:
      return CBS_ASN1_CONTEXT_SPECIFIC | 1;
    case MTK_SAN_DNS:
      return CBS_ASN1_CONTEXT_SPECIFIC | 2;
    case MTK_SAN_URI:
      return CBS_ASN1_CONTEXT_SPECIFIC | 6;
    case MTK_SAN_IP:
      return CBS_ASN1_CONTEXT_SPECIFIC | 7;
  }
  return CBS_ASN1_CONTEXT_SPECIFIC | 2;
}

int mtk_san_marshal(CBB *cbb, const struct mtk_san_list *list) {
  CBB names;
  if (!CBB_add_asn1(cbb, &names, CBS_ASN1_SEQUENCE)) {
    return MTK_ENOMEM;
  }
  for (size_t i = 0; i < list->num; i++) {
    CBB name;
    if (!CBB_add_asn1(&names, &name, san_tag(list->entries[i].type)) ||
        !CBB_add_bytes(&name, list->entries[i].value,
                       list->entries[i].value_len)) {
      return MTK_ENOMEM;
    }
  }
  return CBB_flush(cbb) ? 0 : MTK_ENOMEM;
}

int mtk_san_unmarshal(CBS *cbs, struct mtk_san_list *list) {
  CBS names;
  if (!CBS_get_asn1(cbs, &names, CBS_ASN1_SEQUENCE)) {
    return MTK_EPARSE;
  }
  while (CBS_len(&names) > 0) {
    CBS name;
    unsigned tag;
    if (!CBS_get_any_asn1(&names, &name, &tag)) {
      return MTK_EPARSE;
    }
    enum mtk_san_type type;
    if (tag == (CBS_ASN1_CONTEXT_SPECIFIC | 1)) {
      type = MTK_SAN_EMAIL;
    } else if (tag == (CBS_ASN1_CONTEXT_SPECIFIC | 2)) {
      type = MTK_SAN_DNS;
    } else if (tag == (CBS_ASN1_CONTEXT_SPECIFIC | 6)) {
      type = MTK_SAN_URI;
    } else if (tag == (CBS_ASN1_CONTEXT_SPECIFIC | 7)) {
      type = MTK_SAN_IP;
    } else {
      continue;
    }
    int err = mtk_san_add(list, type, CBS_data(&name), CBS_len(&name));
    if (err != 0) {
      return err;
    }
  }
  return 0;
}
