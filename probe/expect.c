#include "expect.h"

#include <stdio.h>
#include <string.h>

#include "mtlskit/units.h"

static bool same_match(const struct mtk_probe_match *a,
                       const struct mtk_probe_match *b) {
  return a->kind == b->kind && a->http_lo == b->http_lo &&
         a->http_hi == b->http_hi && a->alert == b->alert;
}

static int add_match(struct mtk_probe_expect *e,
                     const struct mtk_probe_match *m) {
  for (size_t i = 0; i < e->num_matches; i++) {
    if (same_match(&e->matches[i], m)) {
      return 0;
    }
  }
  if (e->num_matches >= MTK_PROBE_EXPECT_MAX) {
    return MTK_ERANGE;
  }
  e->matches[e->num_matches++] = *m;
  return 0;
}

static int parse_http_arg(const char *arg, struct mtk_probe_match *m) {
  uint64_t n;
  size_t len = strlen(arg);
  if (len == 3 && arg[0] >= '1' && arg[0] <= '5' && arg[1] == 'x' &&
      arg[2] == 'x') {
    m->http_lo = (arg[0] - '0') * 100;
    m->http_hi = m->http_lo + 99;
    return 0;
  }
  if (mtk_parse_uint(arg, 999, &n) != 0 || n < 100) {
    return MTK_EPARSE;
  }
  m->http_lo = m->http_hi = (int)n;
  return 0;
}

// parse_one parses one alternative, |s| trimmed, into |e|.
static int parse_one(const char *s, struct mtk_probe_expect *e,
                     struct mtk_diag *diag) {
  char word[64];
  const char *arg = NULL;
  const char *sp = strchr(s, ' ');
  size_t wlen = sp != NULL ? (size_t)(sp - s) : strlen(s);
  if (wlen == 0 || wlen >= sizeof(word)) {
    return mtk_diag_set(diag, MTK_EPARSE, "bad expectation '%s'", s);
  }
  memcpy(word, s, wlen);
  word[wlen] = '\0';
  if (sp != NULL) {
    arg = sp + 1;
    while (*arg == ' ') {
      arg++;
    }
    if (*arg == '\0') {
      arg = NULL;
    }
  }
  struct mtk_probe_match m = {MTK_OUTCOME_NONE, 0, 0, -1};
  if (strcmp(word, "refused") == 0) {
    if (arg != NULL) {
      return mtk_diag_set(diag, MTK_EPARSE, "'refused' takes no argument");
    }
    static const enum mtk_outcome_kind refusal[] = {
        MTK_OUTCOME_TLS_ALERT, MTK_OUTCOME_RESET, MTK_OUTCOME_CLOSED};
    for (size_t i = 0; i < 3; i++) {
      m.kind = refusal[i];
      if (add_match(e, &m) != 0) {
        return mtk_diag_set(diag, MTK_ERANGE, "too many alternatives");
      }
    }
    return 0;
  }
  if (mtk_outcome_kind_from_name(word, &m.kind) != 0 ||
      m.kind == MTK_OUTCOME_NONE) {
    return mtk_diag_set(diag, MTK_EPARSE, "unknown outcome '%s'", word);
  }
  if (m.kind == MTK_OUTCOME_HTTP) {
    m.http_lo = 100;
    m.http_hi = 999;
    if (arg != NULL && parse_http_arg(arg, &m) != 0) {
      return mtk_diag_set(diag, MTK_EPARSE,
                          "bad HTTP status '%s' (want e.g. 403 or 4xx)", arg);
    }
  } else if (m.kind == MTK_OUTCOME_TLS_ALERT) {
    if (arg != NULL && mtk_tls_alert_from_name(arg, &m.alert) != 0) {
      return mtk_diag_set(diag, MTK_EPARSE, "unknown TLS alert '%s'", arg);
    }
  } else if (arg != NULL) {
    return mtk_diag_set(diag, MTK_EPARSE, "'%s' takes no argument", word);
  }
  if (add_match(e, &m) != 0) {
    return mtk_diag_set(diag, MTK_ERANGE, "too many alternatives");
  }
  return 0;
}

int mtk_probe_expect_parse(const char *text, struct mtk_probe_expect *out,
                           struct mtk_diag *diag) {
  struct mtk_probe_expect e;
  e.num_matches = 0;
  const char *p = text;
  for (;;) {
    const char *bar = strchr(p, '|');
    size_t len = bar != NULL ? (size_t)(bar - p) : strlen(p);
    while (len > 0 && *p == ' ') {
      p++;
      len--;
    }
    while (len > 0 && p[len - 1] == ' ') {
      len--;
    }
    char one[128];
    if (len == 0) {
      return mtk_diag_set(diag, MTK_EPARSE, "empty alternative in '%s'", text);
    }
    if (len >= sizeof(one)) {
      return mtk_diag_set(diag, MTK_EPARSE, "alternative too long in '%s'",
                          text);
    }
    memcpy(one, p, len);
    one[len] = '\0';
    int err = parse_one(one, &e, diag);
    if (err != 0) {
      return err;
    }
    if (bar == NULL) {
      break;
    }
    p = bar + 1;
  }
  *out = e;
  return 0;
}

int mtk_probe_expect_union(struct mtk_probe_expect *e,
                           const struct mtk_probe_expect *add) {
  for (size_t i = 0; i < add->num_matches; i++) {
    int err = add_match(e, &add->matches[i]);
    if (err != 0) {
      return err;
    }
  }
  return 0;
}

bool mtk_probe_expect_matches(const struct mtk_probe_expect *e,
                              const struct mtk_outcome *o) {
  for (size_t i = 0; i < e->num_matches; i++) {
    const struct mtk_probe_match *m = &e->matches[i];
    if (m->kind != o->kind) {
      continue;
    }
    if (m->kind == MTK_OUTCOME_HTTP &&
        (o->http_status < m->http_lo || o->http_status > m->http_hi)) {
      continue;
    }
    if (m->kind == MTK_OUTCOME_TLS_ALERT && m->alert >= 0 &&
        m->alert != o->alert) {
      continue;
    }
    return true;
  }
  return false;
}

bool mtk_probe_expect_names_alert(const struct mtk_probe_expect *e) {
  for (size_t i = 0; i < e->num_matches; i++) {
    if (e->matches[i].kind == MTK_OUTCOME_TLS_ALERT &&
        e->matches[i].alert >= 0) {
      return true;
    }
  }
  return false;
}

int mtk_probe_expect_format(char *out, size_t out_len,
                            const struct mtk_probe_expect *e) {
  size_t used = 0;
  if (out_len == 0) {
    return MTK_ERANGE;
  }
  out[0] = '\0';
  for (size_t i = 0; i < e->num_matches; i++) {
    const struct mtk_probe_match *m = &e->matches[i];
    char one[64];
    const char *kind = mtk_outcome_kind_name(m->kind);
    if (m->kind == MTK_OUTCOME_HTTP && m->http_lo == 100 && m->http_hi == 999) {
      snprintf(one, sizeof(one), "http");
    } else if (m->kind == MTK_OUTCOME_HTTP && m->http_lo != m->http_hi) {
      snprintf(one, sizeof(one), "http %dxx", m->http_lo / 100);
    } else if (m->kind == MTK_OUTCOME_HTTP) {
      snprintf(one, sizeof(one), "http %d", m->http_lo);
    } else if (m->kind == MTK_OUTCOME_TLS_ALERT && m->alert >= 0) {
      const char *name = mtk_tls_alert_name(m->alert);
      if (name != NULL) {
        snprintf(one, sizeof(one), "%s %s", kind, name);
      } else {
        snprintf(one, sizeof(one), "%s %d", kind, m->alert);
      }
    } else {
      snprintf(one, sizeof(one), "%s", kind);
    }
    int n = snprintf(out + used, out_len - used, "%s%s", i > 0 ? "|" : "", one);
    if (n < 0 || (size_t)n >= out_len - used) {
      return MTK_ERANGE;
    }
    used += (size_t)n;
  }
  return 0;
}
