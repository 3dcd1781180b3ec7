#include "echo.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

void mtk_probe_echo_init(struct mtk_probe_echo *e) { memset(e, 0, sizeof(*e)); }

void mtk_probe_echo_cleanup(struct mtk_probe_echo *e) {
  for (size_t i = 0; i < e->num_headers; i++) {
    free(e->headers[i].name);
    free(e->headers[i].value);
  }
  free(e->headers);
  mtk_probe_echo_init(e);
}

const char *mtk_probe_echo_format_name(enum mtk_probe_echo_format f) {
  switch (f) {
    case MTK_PROBE_ECHO_PAIRS:
      return "pairs";
    case MTK_PROBE_ECHO_OBJECT:
      return "object";
    case MTK_PROBE_ECHO_LINES:
      return "lines";
    default:
      return "none";
  }
}

static bool is_ows(char c) { return c == ' ' || c == '\t'; }

// add appends a copy of the name and of the value, trimmed of OWS.
static int add(struct mtk_probe_echo *e, const char *name, size_t name_len,
               const char *value, size_t value_len) {
  while (value_len > 0 && is_ows(value[0])) {
    value++;
    value_len--;
  }
  while (value_len > 0 && is_ows(value[value_len - 1])) {
    value_len--;
  }
  struct mtk_probe_echo_header h = {strndup(name, name_len),
                                    strndup(value, value_len)};
  struct mtk_probe_echo_header *v =
      realloc(e->headers, (e->num_headers + 1) * sizeof(*v));
  if (h.name == NULL || h.value == NULL || v == NULL) {
    free(h.name);
    free(h.value);
    if (v != NULL) {
      e->headers = v;
    }
    return MTK_ENOMEM;
  }
  e->headers = v;
  v[e->num_headers++] = h;
  return 0;
}

static int add_str(struct mtk_probe_echo *e, const char *name,
                   const char *value) {
  return add(e, name, strlen(name), value, strlen(value));
}

// from_pairs reads [[name, value], ...]; elements of another shape are
// not headers and are skipped.
static int from_pairs(json_t *a, struct mtk_probe_echo *e) {
  size_t i;
  json_t *pair;
  json_array_foreach(a, i, pair) {
    json_t *n = json_array_get(pair, 0);
    json_t *v = json_array_get(pair, 1);
    if (!json_is_array(pair) || json_array_size(pair) != 2 ||
        !json_is_string(n) || !json_is_string(v)) {
      continue;
    }
    int err = add_str(e, json_string_value(n), json_string_value(v));
    if (err != 0) {
      return err;
    }
  }
  return 0;
}

// from_object reads {name: value} where a value is a string or a list of
// strings; other values are skipped.
static int from_object(json_t *o, struct mtk_probe_echo *e) {
  const char *name;
  json_t *v;
  json_object_foreach(o, name, v) {
    int err = 0;
    if (json_is_string(v)) {
      err = add_str(e, name, json_string_value(v));
    } else if (json_is_array(v)) {
      size_t i;
      json_t *item;
      json_array_foreach(v, i, item) {
        if (json_is_string(item) &&
            (err = add_str(e, name, json_string_value(item))) != 0) {
          break;
        }
      }
    }
    if (err != 0) {
      return err;
    }
  }
  return 0;
}

static int from_json(json_t *root, struct mtk_probe_echo *e) {
  json_t *h = json_object_get(root, "headers");
  int err = 0;
  if (json_is_array(h)) {
    err = from_pairs(h, e);
    e->format = MTK_PROBE_ECHO_PAIRS;
  } else if (json_is_object(h)) {
    err = from_object(h, e);
    e->format = MTK_PROBE_ECHO_OBJECT;
  }
  return err;
}

// is_tchar: RFC 9110 §5.6.2 token characters, the only ones a field name
// has.
static bool is_tchar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (c >= '0' && c <= '9') || (c != '\0' && strchr("!#$%&'*+-.^_`|~", c));
}

static int from_lines(const char *body, size_t len, struct mtk_probe_echo *e) {
  const char *p = body;
  const char *end = body + len;
  while (p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    const char *eol = nl != NULL ? nl : end;
    const char *next = nl != NULL ? nl + 1 : end;
    size_t line_len = (size_t)(eol - p);
    if (line_len > 0 && p[line_len - 1] == '\r') {
      line_len--;
    }
    if (line_len == 0) {
      // The blank line after a header block: what follows is a body.
      if (e->num_headers > 0) {
        break;
      }
      p = next;
      continue;
    }
    size_t n = 0;
    while (n < line_len && is_tchar(p[n])) {
      n++;
    }
    if (n > 0 && n < line_len && p[n] == ':' &&
        memchr(p, '\0', line_len) == NULL) {
      int err = add(e, p, n, p + n + 1, line_len - n - 1);
      if (err != 0) {
        return err;
      }
    }
    p = next;
  }
  return 0;
}

int mtk_probe_echo_parse(const char *body, size_t len,
                         struct mtk_probe_echo *out) {
  int err = 0;
  json_t *root = NULL;
  size_t i = 0;
  while (i < len && (body[i] == ' ' || body[i] == '\t' || body[i] == '\r' ||
                     body[i] == '\n')) {
    i++;
  }
  if (i < len && (body[i] == '{' || body[i] == '[')) {
    root = json_loadb(body, len, 0, NULL);
  }
  if (root != NULL) {
    err = from_json(root, out);
  } else {
    err = from_lines(body, len, out);
    out->format = MTK_PROBE_ECHO_LINES;
  }
  if (err != 0) {
    mtk_probe_echo_cleanup(out);
    goto out;
  }
  if (out->num_headers == 0) {
    out->format = MTK_PROBE_ECHO_NONE;
  }
out:
  json_decref(root);
  return err;
}
