#include "mtlskit/junit.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mtlskit/file.h"

struct junit_case {
  char *classname;
  char *name;
  double time_s;
  enum mtk_junit_status status;
  char *message;
  char *body;
};

struct mtk_junit {
  char *name;
  struct junit_case *cases;
  size_t num_cases;
};

// A growable output buffer; |failed| latches the first allocation failure
// so the writers need not check every append.
struct buf {
  char *data;
  size_t len;
  size_t cap;
  bool failed;
};

static void buf_reserve(struct buf *b, size_t more) {
  if (b->failed || b->len + more + 1 <= b->cap) {
    return;
  }
  size_t cap = b->cap > 0 ? b->cap : 1024;
  while (cap < b->len + more + 1) {
    cap *= 2;
  }
  char *d = realloc(b->data, cap);
  if (d == NULL) {
    b->failed = true;
    return;
  }
  b->data = d;
  b->cap = cap;
}

static void buf_put(struct buf *b, const char *s, size_t n) {
  buf_reserve(b, n);
  if (b->failed) {
    return;
  }
  memcpy(b->data + b->len, s, n);
  b->len += n;
  b->data[b->len] = '\0';
}

static void buf_str(struct buf *b, const char *s) { buf_put(b, s, strlen(s)); }

static void buf_printf(struct buf *b, const char *fmt, ...) MTK_PRINTF(2, 3);
static void buf_printf(struct buf *b, const char *fmt, ...) {
  char tmp[128];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
  va_end(ap);
  if (n < 0 || (size_t)n >= sizeof(tmp)) {
    b->failed = true;
    return;
  }
  buf_put(b, tmp, (size_t)n);
}

// utf8_len returns the length of the valid UTF-8 sequence at |s| (at most
// |n| bytes), or 0 if it is not valid.
static size_t utf8_len(const unsigned char *s, size_t n) {
  size_t want;
  unsigned int cp;
  if (s[0] < 0x80) {
    return 1;
  } else if ((s[0] & 0xE0) == 0xC0) {
    want = 2;
    cp = s[0] & 0x1F;
  } else if ((s[0] & 0xF0) == 0xE0) {
    want = 3;
    cp = s[0] & 0x0F;
  } else if ((s[0] & 0xF8) == 0xF0) {
    want = 4;
    cp = s[0] & 0x07;
  } else {
    return 0;
  }
  if (want > n) {
    return 0;
  }
  for (size_t i = 1; i < want; i++) {
    if ((s[i] & 0xC0) != 0x80) {
      return 0;
    }
    cp = (cp << 6) | (s[i] & 0x3F);
  }
  static const unsigned int min_cp[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < min_cp[want] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) ||
      cp == 0xFFFE || cp == 0xFFFF) {
    return 0;
  }
  return want;
}

// buf_escape appends |s| escaped for XML text and attribute values.
static void buf_escape(struct buf *b, const char *s) {
  const unsigned char *p = (const unsigned char *)s;
  size_t n = strlen(s);
  size_t i = 0;
  while (i < n) {
    unsigned char c = p[i];
    switch (c) {
      case '&':
        buf_str(b, "&amp;");
        i++;
        continue;
      case '<':
        buf_str(b, "&lt;");
        i++;
        continue;
      case '>':
        buf_str(b, "&gt;");
        i++;
        continue;
      case '"':
        buf_str(b, "&quot;");
        i++;
        continue;
      case '\'':
        buf_str(b, "&apos;");
        i++;
        continue;
      default:
        break;
    }
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
      buf_str(b, "?");
      i++;
      continue;
    }
    size_t len = utf8_len(p + i, n - i);
    if (len == 0) {
      buf_str(b, "?");
      i++;
      continue;
    }
    buf_put(b, (const char *)p + i, len);
    i += len;
  }
}

int mtk_junit_new(const char *name, struct mtk_junit **out) {
  struct mtk_junit *j = calloc(1, sizeof(*j));
  if (j == NULL || (j->name = strdup(name)) == NULL) {
    free(j);
    return MTK_ENOMEM;
  }
  *out = j;
  return 0;
}

void mtk_junit_free(struct mtk_junit *j) {
  if (j == NULL) {
    return;
  }
  for (size_t i = 0; i < j->num_cases; i++) {
    struct junit_case *c = &j->cases[i];
    free(c->classname);
    free(c->name);
    free(c->message);
    free(c->body);
  }
  free(j->cases);
  free(j->name);
  free(j);
}

static bool dup_opt(const char *s, char **out) {
  *out = NULL;
  return s == NULL || (*out = strdup(s)) != NULL;
}

int mtk_junit_add(struct mtk_junit *j, const char *classname, const char *name,
                  double time_s, enum mtk_junit_status status,
                  const char *message, const char *body) {
  struct junit_case c = {NULL, NULL, time_s, status, NULL, NULL};
  struct junit_case *v = realloc(j->cases, (j->num_cases + 1) * sizeof(*v));
  if (v == NULL) {
    return MTK_ENOMEM;
  }
  j->cases = v;
  if (!dup_opt(classname, &c.classname) || !dup_opt(name, &c.name) ||
      !dup_opt(message, &c.message) || !dup_opt(body, &c.body)) {
    free(c.classname);
    free(c.name);
    free(c.message);
    free(c.body);
    return MTK_ENOMEM;
  }
  j->cases[j->num_cases++] = c;
  return 0;
}

static bool same(const char *a, const char *b) {
  return strcmp(a != NULL ? a : "", b != NULL ? b : "") == 0;
}

static void render_suite(const struct mtk_junit *j, size_t first,
                         struct buf *b) {
  const char *cls = j->cases[first].classname;
  size_t tests = 0, failures = 0, errors = 0, skipped = 0;
  double time_s = 0;
  for (size_t i = first; i < j->num_cases; i++) {
    const struct junit_case *c = &j->cases[i];
    if (!same(c->classname, cls)) {
      continue;
    }
    tests++;
    failures += c->status == MTK_JUNIT_FAILED;
    errors += c->status == MTK_JUNIT_ERROR;
    skipped += c->status == MTK_JUNIT_SKIPPED;
    time_s += c->time_s;
  }
  buf_str(b, "  <testsuite name=\"");
  buf_escape(b, cls != NULL ? cls : "");
  buf_printf(b,
             "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" "
             "skipped=\"%zu\" time=\"%.3f\">\n",
             tests, failures, errors, skipped, time_s);
  for (size_t i = first; i < j->num_cases; i++) {
    const struct junit_case *c = &j->cases[i];
    if (!same(c->classname, cls)) {
      continue;
    }
    buf_str(b, "    <testcase classname=\"");
    buf_escape(b, cls != NULL ? cls : "");
    buf_str(b, "\" name=\"");
    buf_escape(b, c->name != NULL ? c->name : "");
    buf_printf(b, "\" time=\"%.3f\"", c->time_s);
    if (c->status == MTK_JUNIT_PASSED) {
      if (c->body == NULL) {
        buf_str(b, "/>\n");
      } else {
        buf_str(b, ">\n      <system-out>");
        buf_escape(b, c->body);
        buf_str(b, "</system-out>\n    </testcase>\n");
      }
      continue;
    }
    const char *tag = c->status == MTK_JUNIT_FAILED  ? "failure"
                      : c->status == MTK_JUNIT_ERROR ? "error"
                                                     : "skipped";
    buf_printf(b, ">\n      <%s", tag);
    if (c->message != NULL) {
      buf_str(b, " message=\"");
      buf_escape(b, c->message);
      buf_str(b, "\"");
    }
    if (c->status == MTK_JUNIT_FAILED) {
      buf_str(b, " type=\"not-met\"");
    } else if (c->status == MTK_JUNIT_ERROR) {
      buf_str(b, " type=\"error\"");
    }
    if (c->body != NULL) {
      buf_str(b, ">");
      buf_escape(b, c->body);
      buf_printf(b, "</%s>\n", tag);
    } else {
      buf_str(b, "/>\n");
    }
    buf_str(b, "    </testcase>\n");
  }
  buf_str(b, "  </testsuite>\n");
}

int mtk_junit_render(const struct mtk_junit *j, char **out, size_t *out_len) {
  struct buf b = {NULL, 0, 0, false};
  size_t tests = 0, failures = 0, errors = 0, skipped = 0;
  double time_s = 0;
  for (size_t i = 0; i < j->num_cases; i++) {
    tests++;
    failures += j->cases[i].status == MTK_JUNIT_FAILED;
    errors += j->cases[i].status == MTK_JUNIT_ERROR;
    skipped += j->cases[i].status == MTK_JUNIT_SKIPPED;
    time_s += j->cases[i].time_s;
  }
  buf_str(&b,
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"");
  buf_escape(&b, j->name);
  buf_printf(&b,
             "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" "
             "skipped=\"%zu\" time=\"%.3f\">\n",
             tests, failures, errors, skipped, time_s);
  for (size_t i = 0; i < j->num_cases; i++) {
    bool seen = false;
    for (size_t k = 0; k < i && !seen; k++) {
      seen = same(j->cases[k].classname, j->cases[i].classname);
    }
    if (!seen) {
      render_suite(j, i, &b);
    }
  }
  buf_str(&b, "</testsuites>\n");
  if (b.failed) {
    free(b.data);
    return MTK_ENOMEM;
  }
  *out = b.data;
  *out_len = b.len;
  return 0;
}

int mtk_junit_write(const struct mtk_junit *j, const char *path,
                    struct mtk_diag *diag) {
  char *xml = NULL;
  size_t len = 0;
  int err = mtk_junit_render(j, &xml, &len);
  if (err != 0) {
    return err;
  }
  err = mtk_file_replace(path, xml, len, 0644, diag);
  free(xml);
  return err;
}
