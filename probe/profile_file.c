#include "profile_file.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "mtlskit/error.h"
#include "mtlskit/file.h"

// Profile files are small; anything bigger is not one.
#define MAX_PROFILE_FILE (1024 * 1024)

// A loaded profile: |p| first, so the registry hands out &l->p and
// mtk_probe_profile_file_free gets the whole back. Every string |p| points
// to lives in |root|.
struct loaded {
  struct mtk_probe_profile p;
  json_t *root;
  struct mtk_probe_cell *cells;
  struct mtk_probe_cell key_cell;
  const char **key_types;
  const char **aliases;
  char *path;
};

// What the error messages need: the file's name and text, to find the
// line a field is on (jansson keeps no positions for values).
struct source {
  const char *path;
  const char *text;
};

// find_key returns the first `"key":` at or after |from| that is a key
// rather than text inside a string (not preceded by a backslash), or NULL.
static const char *find_key(const char *from, const char *key) {
  size_t len = strlen(key);
  for (const char *s = from; (s = strchr(s, '"')) != NULL; s++) {
    if (strncmp(s + 1, key, len) != 0 || s[len + 1] != '"' ||
        (s > from && s[-1] == '\\')) {
      continue;
    }
    const char *t = s + len + 2;
    t += strspn(t, " \t\r\n");
    if (*t == ':') {
      return s;
    }
  }
  return NULL;
}

// field_error reports |msg| about the field |keys[0]|.|keys[1]|... with the
// line the innermost key is on (the keys are looked up in order, each after
// the one before).
static int field_error(const struct source *src, const char *const *keys,
                       size_t num_keys, struct mtk_diag *diag, const char *msg,
                       const char *detail) {
  const char *at = src->text;
  char field[256] = "";
  for (size_t i = 0; i < num_keys; i++) {
    const char *k = find_key(at, keys[i]);
    if (k != NULL) {
      at = k;
    }
    size_t used = strlen(field);
    snprintf(field + used, sizeof(field) - used, "%s%s", i > 0 ? "." : "",
             keys[i]);
  }
  size_t line = 1;
  for (const char *s = src->text; s < at; s++) {
    line += *s == '\n';
  }
  return mtk_diag_set(diag, MTK_EPARSE, "%s:%zu: %s: %s%s%s", src->path, line,
                      field, msg, detail != NULL ? ": " : "",
                      detail != NULL ? detail : "");
}

// only_keys checks that |obj| has no key outside |allowed| (NULL-ended).
static int only_keys(const struct source *src, json_t *obj,
                     const char *const *path, size_t path_len,
                     const char *const *allowed, struct mtk_diag *diag) {
  const char *key;
  json_t *v;
  json_object_foreach(obj, key, v) {
    bool ok = false;
    for (size_t i = 0; allowed[i] != NULL && !ok; i++) {
      ok = strcmp(allowed[i], key) == 0;
    }
    if (!ok) {
      const char *keys[4];
      if (path_len > 0) {
        memcpy(keys, path, path_len * sizeof(*keys));
      }
      keys[path_len] = key;
      return field_error(src, keys, path_len + 1, diag, "unknown field", NULL);
    }
  }
  return 0;
}

// get_string fetches the string field |key| of |obj| (at |path|) into *out;
// a missing field is an error when |required|, else leaves *out NULL.
static int get_string(const struct source *src, json_t *obj,
                      const char *const *path, size_t path_len, const char *key,
                      bool required, const char **out, struct mtk_diag *diag) {
  const char *keys[4];
  if (path_len > 0) {
    memcpy(keys, path, path_len * sizeof(*keys));
  }
  keys[path_len] = key;
  json_t *v = json_object_get(obj, key);
  *out = NULL;
  if (v == NULL) {
    return required
               ? field_error(src, keys, path_len + 1, diag, "missing", NULL)
               : 0;
  }
  if (!json_is_string(v) || json_string_length(v) == 0) {
    return field_error(src, keys, path_len + 1, diag, "want a non-empty string",
                       NULL);
  }
  *out = json_string_value(v);
  return 0;
}

// load_cell fills |c| from the cell object |obj| at |path|; |extra| is
// one more key the object may hold ("types" for unsupported_key_types).
static int load_cell(const struct source *src, json_t *obj,
                     const char *const *path, size_t path_len,
                     const char *extra, struct mtk_probe_cell *c,
                     struct mtk_diag *diag) {
  static const char *const cell_keys[] = {"expect", "expect_tls12", "basis",
                                          "source", NULL,           NULL};
  const char *allowed[6];
  memcpy(allowed, cell_keys, sizeof(cell_keys));
  allowed[4] = extra;
  if (!json_is_object(obj)) {
    return field_error(src, path, path_len, diag, "want an object", NULL);
  }
  int err = only_keys(src, obj, path, path_len, allowed, diag);
  const char *fields[] = {"expect", "expect_tls12"};
  const char **targets[] = {&c->expect, &c->expect_tls12};
  for (size_t i = 0; err == 0 && i < 2; i++) {
    err = get_string(src, obj, path, path_len, fields[i], i == 0, targets[i],
                     diag);
    struct mtk_probe_expect e;
    struct mtk_diag why;
    mtk_diag_init(&why);
    if (err == 0 && *targets[i] != NULL &&
        mtk_probe_expect_parse(*targets[i], &e, &why) != 0) {
      const char *keys[4];
      if (path_len > 0) {
        memcpy(keys, path, path_len * sizeof(*keys));
      }
      keys[path_len] = fields[i];
      err = field_error(src, keys, path_len + 1, diag, "bad expectation",
                        mtk_diag_message(&why, MTK_EPARSE));
    }
  }
  if (err == 0) {
    err = get_string(src, obj, path, path_len, "basis", true, &c->basis, diag);
  }
  if (err == 0 && strcmp(c->basis, "D") != 0 && strcmp(c->basis, "I") != 0 &&
      strcmp(c->basis, "D/I") != 0 && strcmp(c->basis, "O") != 0) {
    const char *keys[4];
    if (path_len > 0) {
      memcpy(keys, path, path_len * sizeof(*keys));
    }
    keys[path_len] = "basis";
    err = field_error(src, keys, path_len + 1, diag, "want D, I, D/I or O, not",
                      c->basis);
  }
  if (err == 0) {
    err =
        get_string(src, obj, path, path_len, "source", true, &c->source, diag);
  }
  return err;
}

// load_strings fills a new NULL-ended array from the array of strings |a|.
static int load_strings(const struct source *src, json_t *a,
                        const char *const *path, size_t path_len,
                        bool non_empty, const char ***out,
                        struct mtk_diag *diag) {
  if (!json_is_array(a) || (non_empty && json_array_size(a) == 0)) {
    return field_error(src, path, path_len, diag,
                       non_empty ? "want a non-empty array of strings"
                                 : "want an array of strings",
                       NULL);
  }
  *out = calloc(json_array_size(a) + 1, sizeof(**out));
  if (*out == NULL) {
    return MTK_ENOMEM;
  }
  size_t i;
  json_t *v;
  json_array_foreach(a, i, v) {
    if (!json_is_string(v) || json_string_length(v) == 0) {
      return field_error(src, path, path_len, diag,
                         "want non-empty strings only", NULL);
    }
    (*out)[i] = json_string_value(v);
  }
  return 0;
}

static int load_cells(const struct source *src, json_t *cells, struct loaded *l,
                      struct mtk_diag *diag) {
  static const char *const path[] = {"cells"};
  if (!json_is_object(cells) || json_object_size(cells) == 0) {
    return field_error(src, path, 1, diag, "want an object of cells", NULL);
  }
  l->cells = calloc(json_object_size(cells), sizeof(*l->cells));
  if (l->cells == NULL) {
    return MTK_ENOMEM;
  }
  const char *name;
  json_t *v;
  json_object_foreach(cells, name, v) {
    const char *keys[] = {"cells", name};
    struct mtk_probe_cell *c = &l->cells[l->p.num_cells];
    if (mtk_defect_from_name(name, &c->defect) != 0) {
      return field_error(src, keys, 2, diag, "unknown defect", name);
    }
    int err = load_cell(src, v, keys, 2, NULL, c, diag);
    if (err != 0) {
      return err;
    }
    l->p.num_cells++;
  }
  l->p.cells = l->cells;
  return 0;
}

static int load_key_types(const struct source *src, json_t *obj,
                          struct loaded *l, struct mtk_diag *diag) {
  static const char *const path[] = {"unsupported_key_types"};
  static const char *const types_path[] = {"unsupported_key_types", "types"};
  int err = load_cell(src, obj, path, 1, "types", &l->key_cell, diag);
  if (err == 0) {
    err = load_strings(src, json_object_get(obj, "types"), types_path, 2, true,
                       &l->key_types, diag);
  }
  if (err == 0) {
    l->key_cell.defect = MTK_DEFECT_NONE;
    l->p.key_type_cell = &l->key_cell;
    l->p.unsupported_key_types = l->key_types;
  }
  return err;
}

// valid_name reports whether |s| is a profile name: [a-z0-9][a-z0-9.-]*.
static bool valid_name(const char *s) {
  if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= '0' && s[0] <= '9'))) {
    return false;
  }
  return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789.-") == strlen(s);
}

static int load_top(const struct source *src, struct loaded *l,
                    struct mtk_diag *diag) {
  static const char *const top_keys[] = {
      "mtlskit_profile",  "name",         "aliases",
      "summary",          "assumes",      "cells",
      "refusal_delay_ms", "from_verdict", "unsupported_key_types",
      "recorded",         "library",      NULL};
  json_t *root = l->root;
  if (!json_is_object(root)) {
    return mtk_diag_set(diag, MTK_EPARSE, "%s:1: not a JSON object", src->path);
  }
  int err = only_keys(src, root, NULL, 0, top_keys, diag);
  if (err != 0) {
    return err;
  }
  static const char *const schema[] = {"mtlskit_profile"};
  json_t *v = json_object_get(root, "mtlskit_profile");
  if (v == NULL) {
    return field_error(src, schema, 1, diag, "missing",
                       "the schema version, 1");
  }
  if (!json_is_integer(v) ||
      json_integer_value(v) != MTK_PROBE_PROFILE_SCHEMA) {
    return field_error(src, schema, 1, diag,
                       "unsupported schema version (this mtlskit reads 1)",
                       NULL);
  }
  if ((err = get_string(src, root, NULL, 0, "name", true, &l->p.name, diag)) !=
          0 ||
      (err = get_string(src, root, NULL, 0, "summary", true, &l->p.summary,
                        diag)) != 0 ||
      (err = get_string(src, root, NULL, 0, "assumes", true, &l->p.assumes,
                        diag)) != 0 ||
      (err = get_string(src, root, NULL, 0, "library", false, &l->p.library,
                        diag)) != 0) {
    return err;
  }
  static const char *const name_path[] = {"name"};
  if (!valid_name(l->p.name)) {
    return field_error(src, name_path, 1, diag,
                       "want lower-case letters, digits, '.' and '-'",
                       l->p.name);
  }
  static const char *const aliases_path[] = {"aliases"};
  v = json_object_get(root, "aliases");
  if (v != NULL && (err = load_strings(src, v, aliases_path, 1, false,
                                       &l->aliases, diag)) != 0) {
    return err;
  }
  l->p.aliases = l->aliases;
  static const char *const delay_path[] = {"refusal_delay_ms"};
  v = json_object_get(root, "refusal_delay_ms");
  if (v != NULL) {
    if (!json_is_integer(v) || json_integer_value(v) < 0 ||
        json_integer_value(v) > 600000) {
      return field_error(src, delay_path, 1, diag,
                         "want milliseconds from 0 to 600000", NULL);
    }
    l->p.refusal_delay_ms = (uint64_t)json_integer_value(v);
  }
  static const char *const verdict_path[] = {"from_verdict"};
  v = json_object_get(root, "from_verdict");
  if (v != NULL && !json_is_boolean(v)) {
    return field_error(src, verdict_path, 1, diag, "want true or false", NULL);
  }
  l->p.from_verdict = v != NULL && json_is_true(v);
  json_t *cells = json_object_get(root, "cells");
  if (l->p.from_verdict != (cells == NULL)) {
    static const char *const cells_path[] = {"cells"};
    return field_error(src, l->p.from_verdict ? cells_path : verdict_path, 1,
                       diag,
                       l->p.from_verdict ? "a from_verdict profile has no cells"
                                         : "missing (or set from_verdict)",
                       NULL);
  }
  if (cells != NULL && (err = load_cells(src, cells, l, diag)) != 0) {
    return err;
  }
  v = json_object_get(root, "unsupported_key_types");
  if (v != NULL && (err = load_key_types(src, v, l, diag)) != 0) {
    return err;
  }
  static const char *const rec_path[] = {"recorded"};
  v = json_object_get(root, "recorded");
  if (v != NULL && !json_is_object(v)) {
    return field_error(src, rec_path, 1, diag, "want an object", NULL);
  }
  return 0;
}

int mtk_probe_profile_file_load(const char *path, const char *origin,
                                struct mtk_probe_profile **out,
                                struct mtk_diag *diag) {
  char *text = NULL;
  size_t len;
  *out = NULL;
  int err = mtk_file_read(path, MAX_PROFILE_FILE, &text, &len, diag);
  if (err != 0) {
    return mtk_diag_prefix(diag, err, "profile %s", path);
  }
  struct loaded *l = calloc(1, sizeof(*l));
  if (l == NULL || (l->path = strdup(path)) == NULL) {
    free(l);
    free(text);
    return MTK_ENOMEM;
  }
  l->p.origin = origin;
  l->p.path = l->path;
  json_error_t jerr;
  l->root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
  if (l->root == NULL) {
    err =
        mtk_diag_set(diag, MTK_EPARSE, "%s:%d: %s", path, jerr.line, jerr.text);
  } else {
    struct source src = {path, text};
    err = load_top(&src, l, diag);
  }
  free(text);
  if (err != 0) {
    mtk_probe_profile_file_free(&l->p);
    return err;
  }
  *out = &l->p;
  return 0;
}

void mtk_probe_profile_file_free(struct mtk_probe_profile *p) {
  if (p == NULL) {
    return;
  }
  struct loaded *l = (struct loaded *)p;
  free(l->cells);
  free(l->key_types);
  free(l->aliases);
  free(l->path);
  json_decref(l->root);
  free(l);
}
