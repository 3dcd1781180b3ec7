#include "albcheck.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

// The forged headers and the marker that identifies each one's value
// wherever a backend echoes it (also merged into another value).
static const struct {
  const char *header;
  const char *name;
  const char *marker;
} forged[] = {
    {"X-Amzn-Mtls-Clientcert-Subject: CN=mtlskit-forged-subject",
     "X-Amzn-Mtls-Clientcert-Subject", "mtlskit-forged-subject"},
    {"X-Amzn-Mtls-Clientcert: mtlskit-forged-clientcert",
     "X-Amzn-Mtls-Clientcert", "mtlskit-forged-clientcert"},
};
#define NUM_FORGED (sizeof(forged) / sizeof(forged[0]))

int mtk_probe_alb_mode_parse(const char *s, enum mtk_probe_alb_mode *out) {
  if (strcmp(s, "verify") == 0) {
    *out = MTK_PROBE_ALB_VERIFY;
  } else if (strcmp(s, "passthrough") == 0) {
    *out = MTK_PROBE_ALB_PASSTHROUGH;
  } else {
    return MTK_EPARSE;
  }
  return 0;
}

const char *mtk_probe_alb_mode_name(enum mtk_probe_alb_mode m) {
  switch (m) {
    case MTK_PROBE_ALB_VERIFY:
      return "verify";
    case MTK_PROBE_ALB_PASSTHROUGH:
      return "passthrough";
    default:
      return "off";
  }
}

const char *mtk_probe_alb_forged_header(size_t i) {
  return i < NUM_FORGED ? forged[i].header : NULL;
}

void mtk_probe_alb_expected_cleanup(struct mtk_probe_alb_expected *e) {
  free(e->serial);
  free(e->issuer);
  free(e->subject);
  free(e->validity);
  free(e->leaf);
  free(e->chain);
  memset(e, 0, sizeof(*e));
}

void mtk_probe_alb_result_init(struct mtk_probe_alb_result *r) {
  memset(r, 0, sizeof(*r));
}

void mtk_probe_alb_result_fail(struct mtk_probe_alb_result *r, const char *fmt,
                               ...) {
  r->checked = true;
  if (r->num_failures < MTK_PROBE_ALB_MAX_FAILURES) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->failures[r->num_failures], MTK_PROBE_ALB_FAILURE_LEN, fmt, ap);
    va_end(ap);
  }
  r->num_failures++;
}

bool mtk_probe_alb_pem_equal(const char *want, const char *got,
                             size_t *out_want_at, size_t *out_got_at) {
  size_t i = 0;
  size_t j = 0;
  for (;;) {
    if (want[i] == got[j]) {
      if (want[i] == '\0') {
        return true;
      }
      i++;
      j++;
    } else if (want[i] == '=' && strncmp(got + j, "%3D", 3) == 0) {
      i++;
      j += 3;
    } else {
      break;
    }
  }
  if (out_want_at != NULL) {
    *out_want_at = i;
  }
  if (out_got_at != NULL) {
    *out_got_at = j;
  }
  return false;
}

// excerpt copies up to |n| bytes of |s| from |from| into |out| (at least
// n + 4 bytes), marking cut ends with "..." and replacing bytes a terminal
// should not get by '?'.
static void excerpt(char *out, const char *s, size_t from, size_t n) {
  size_t len = strlen(s);
  size_t k = 0;
  if (from > len) {
    from = len;
  }
  if (from > 0) {
    memcpy(out, "...", 3);
    k = 3;
  }
  for (size_t i = from; i < len && i < from + n; i++) {
    unsigned char c = (unsigned char)s[i];
    out[k++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
  }
  if (from + n < len) {
    memcpy(out + k, "...", 3);
    k += 3;
  }
  out[k] = '\0';
}

#define SHORT_VALUE 90
#define CONTEXT 32

// mismatch records that header |name| is |got| instead of |want|, first
// differing at |want_at| / |got_at|: both values in full when they are
// short names or numbers, else (a PEM, a long name) the place where they
// part, in context.
static void mismatch(struct mtk_probe_alb_result *r, const char *name, bool pem,
                     const char *want, const char *got, size_t want_at,
                     size_t got_at) {
  char w[CONTEXT + 8];
  char g[CONTEXT + 8];
  if (!pem && strlen(want) <= SHORT_VALUE && strlen(got) <= SHORT_VALUE) {
    char wf[SHORT_VALUE + 8];
    char gf[SHORT_VALUE + 8];
    excerpt(wf, want, 0, SHORT_VALUE);
    excerpt(gf, got, 0, SHORT_VALUE);
    mtk_probe_alb_result_fail(r, "%s: expected %s, got %s", name, wf, gf);
    return;
  }
  size_t back = CONTEXT / 4;
  excerpt(w, want, want_at > back ? want_at - back : 0, CONTEXT);
  excerpt(g, got, got_at > back ? got_at - back : 0, CONTEXT);
  mtk_probe_alb_result_fail(
      r,
      "%s: differs at byte %zu of %zu (received %zu): expected \"%s\", "
      "got \"%s\"",
      name, want_at, strlen(want), strlen(got), w, g);
}

static size_t common_prefix(const char *a, const char *b) {
  size_t i = 0;
  while (a[i] != '\0' && a[i] == b[i]) {
    i++;
  }
  return i;
}

// One header ALB adds: its name, the expected value, and whether it is a
// URL-encoded PEM (where '=' may be "%3D").
struct wanted {
  const char *name;
  const char *value;  // NULL: must be absent (no client certificate)
  bool pem;
};

static bool is_forged(const char *value) {
  for (size_t f = 0; f < NUM_FORGED; f++) {
    if (strstr(value, forged[f].marker) != NULL) {
      return true;
    }
  }
  return false;
}

static void check_one(const struct wanted *w, const struct mtk_probe_echo *echo,
                      struct mtk_probe_alb_result *out) {
  const char *got = NULL;
  size_t n = 0;
  for (size_t i = 0; i < echo->num_headers; i++) {
    const struct mtk_probe_echo_header *h = &echo->headers[i];
    if (strcasecmp(h->name, w->name) == 0 && !is_forged(h->value)) {
      got = got == NULL ? h->value : got;
      n++;
    }
  }
  if (w->value == NULL) {
    if (n > 0) {
      mtk_probe_alb_result_fail(
          out, "%s present although no client certificate was sent", w->name);
    }
    return;
  }
  if (n == 0) {
    mtk_probe_alb_result_fail(out, "%s missing", w->name);
    return;
  }
  if (n > 1) {
    mtk_probe_alb_result_fail(out, "%s: %zu values, expected one", w->name, n);
    return;
  }
  size_t want_at = 0;
  size_t got_at = 0;
  if (w->pem) {
    if (!mtk_probe_alb_pem_equal(w->value, got, &want_at, &got_at)) {
      mismatch(out, w->name, true, w->value, got, want_at, got_at);
    }
  } else if (strcmp(w->value, got) != 0) {
    want_at = got_at = common_prefix(w->value, got);
    mismatch(out, w->name, false, w->value, got, want_at, got_at);
  }
}

void mtk_probe_alb_check(enum mtk_probe_alb_mode mode,
                         const struct mtk_probe_alb_expected *want,
                         const struct mtk_probe_echo *echo,
                         struct mtk_probe_alb_result *out) {
  mtk_probe_alb_result_init(out);
  out->checked = true;
  if (echo->num_headers == 0) {
    mtk_probe_alb_result_fail(out,
                              "no echoed request headers in the response body");
    return;
  }
  for (size_t f = 0; f < NUM_FORGED; f++) {
    for (size_t i = 0; i < echo->num_headers; i++) {
      if (strstr(echo->headers[i].value, forged[f].marker) != NULL) {
        mtk_probe_alb_result_fail(out, "forged %s reached the backend",
                                  forged[f].name);
        break;
      }
    }
  }
  bool cert = want != NULL;
  const struct wanted verify[] = {
      {"X-Amzn-Mtls-Clientcert-Serial-Number", cert ? want->serial : NULL,
       false},
      {"X-Amzn-Mtls-Clientcert-Issuer", cert ? want->issuer : NULL, false},
      {"X-Amzn-Mtls-Clientcert-Subject", cert ? want->subject : NULL, false},
      {"X-Amzn-Mtls-Clientcert-Validity", cert ? want->validity : NULL, false},
      {"X-Amzn-Mtls-Clientcert-Leaf", cert ? want->leaf : NULL, true},
  };
  const struct wanted passthrough[] = {
      {"X-Amzn-Mtls-Clientcert", cert ? want->chain : NULL, true},
  };
  const struct wanted *ws = mode == MTK_PROBE_ALB_VERIFY ? verify : passthrough;
  size_t num = mode == MTK_PROBE_ALB_VERIFY
                   ? sizeof(verify) / sizeof(verify[0])
                   : sizeof(passthrough) / sizeof(passthrough[0]);
  for (size_t i = 0; i < num; i++) {
    check_one(&ws[i], echo, out);
  }
}
