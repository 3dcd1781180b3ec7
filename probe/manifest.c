#include "manifest.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mtlskit/file.h"

void mtk_probe_manifest_init(struct mtk_probe_manifest *m) {
  memset(m, 0, sizeof(*m));
}

static void case_cleanup(struct mtk_probe_case *c) {
  free(c->name);
  free(c->trust);
  free(c->key_type);
  free(c->serial);
  free(c->cert);
  free(c->key);
  free(c->reason);
  for (size_t i = 0; i < c->num_libraries; i++) {
    free(c->libraries[i].name);
  }
}

void mtk_probe_manifest_cleanup(struct mtk_probe_manifest *m) {
  for (size_t i = 0; i < m->num_cases; i++) {
    case_cleanup(&m->cases[i]);
  }
  free(m->cases);
  for (size_t i = 0; i < m->num_trust; i++) {
    free(m->trust_names[i]);
  }
  free(m->trust_names);
  free(m->generator);
  mtk_probe_manifest_init(m);
}

const struct mtk_probe_case *mtk_probe_manifest_find(
    const struct mtk_probe_manifest *m, const char *name) {
  for (size_t i = 0; i < m->num_cases; i++) {
    if (strcmp(m->cases[i].name, name) == 0) {
      return &m->cases[i];
    }
  }
  return NULL;
}

bool mtk_probe_manifest_has_trust(const struct mtk_probe_manifest *m,
                                  const char *name) {
  for (size_t i = 0; i < m->num_trust; i++) {
    if (strcmp(m->trust_names[i], name) == 0) {
      return true;
    }
  }
  return false;
}

// join_file sets *out to the resolved path of |dir|/|rel| (every symlink
// followed) after checking that it is readable and lies under |root|, the
// resolved fixture directory: a symlink in the set must not lead outside
// it. The case then loads from the resolved path, so a link swapped in
// afterwards at |rel| changes nothing.
static int join_file(const char *dir, const char *root, const char *case_name,
                     const char *rel, char **out, struct mtk_diag *diag) {
  char path[4096];
  if (rel[0] == '/' || strstr(rel, "..") != NULL) {
    return mtk_diag_set(diag, MTK_EPARSE,
                        "case %s: path '%s' must stay inside the fixture "
                        "directory",
                        case_name, rel);
  }
  if (mtk_path_join(path, sizeof(path), dir, rel) != 0) {
    return mtk_diag_set(diag, MTK_ERANGE, "case %s: path too long", case_name);
  }
  char *real = realpath(path, NULL);
  if (real == NULL) {
    int err = mtk_errno_get();
    return mtk_diag_set(diag, err, "case %s: %s: %s", case_name, path,
                        mtk_strerror(err));
  }
  size_t root_len = strlen(root);
  if (strncmp(real, root, root_len) != 0 ||
      (real[root_len] != '/' && strcmp(root, "/") != 0)) {
    int err = mtk_diag_set(diag, MTK_EPARSE,
                           "case %s: path '%s' leads to %s, outside the "
                           "fixture directory %s",
                           case_name, rel, real, root);
    free(real);
    return err;
  }
  if (access(real, R_OK) != 0) {
    int err = mtk_errno_get();
    err = mtk_diag_set(diag, err, "case %s: %s: %s", case_name, path,
                       mtk_strerror(err));
    free(real);
    return err;
  }
  *out = real;
  return 0;
}

static char *dup_or_null(const char *s) { return s != NULL ? strdup(s) : NULL; }

// load_libraries reads verdict.libraries ({"openssl": "accept", ...};
// absent: none) into |c|.
static int load_libraries(json_t *libs, struct mtk_probe_case *c,
                          struct mtk_diag *diag) {
  if (libs == NULL) {
    return 0;
  }
  if (!json_is_object(libs) ||
      json_object_size(libs) > MTK_PROBE_MAX_LIBRARIES) {
    return mtk_diag_set(diag, MTK_EPARSE,
                        "case %s: verdict.libraries must be an object of at "
                        "most %d libraries",
                        c->name, MTK_PROBE_MAX_LIBRARIES);
  }
  const char *lib;
  json_t *v;
  json_object_foreach(libs, lib, v) {
    const char *text = json_string_value(v);
    bool accept = text != NULL && strcmp(text, "accept") == 0;
    if (!accept && (text == NULL || strcmp(text, "reject") != 0)) {
      return mtk_diag_set(diag, MTK_EPARSE,
                          "case %s: verdict.libraries.%s must be accept or "
                          "reject",
                          c->name, lib);
    }
    char *name = strdup(lib);
    if (name == NULL) {
      return MTK_ENOMEM;
    }
    c->libraries[c->num_libraries].name = name;
    c->libraries[c->num_libraries++].accept = accept;
  }
  return 0;
}

static int load_case(const char *dir, const char *root, json_t *jc,
                     size_t index, const struct mtk_probe_manifest *m,
                     struct mtk_probe_case *c, struct mtk_diag *diag) {
  const char *name = json_string_value(json_object_get(jc, "name"));
  if (!json_is_object(jc) || name == NULL || name[0] == '\0') {
    return mtk_diag_set(diag, MTK_EPARSE, "cases[%zu]: no \"name\"", index);
  }
  if ((c->name = strdup(name)) == NULL) {
    return MTK_ENOMEM;
  }
  if (mtk_probe_manifest_find(m, name) != NULL) {
    return mtk_diag_set(diag, MTK_EPARSE, "case %s: duplicate name", name);
  }
  json_t *defects = json_object_get(jc, "defects");
  if (!json_is_array(defects) || json_array_size(defects) == 0 ||
      json_array_size(defects) > MTK_PROBE_MAX_DEFECTS) {
    return mtk_diag_set(diag, MTK_EPARSE,
                        "case %s: \"defects\" must list 1 to %d names", name,
                        MTK_PROBE_MAX_DEFECTS);
  }
  size_t i;
  json_t *jd;
  json_array_foreach(defects, i, jd) {
    const char *dn = json_string_value(jd);
    if (dn == NULL || mtk_defect_from_name(dn, &c->defects[i]) != 0) {
      return mtk_diag_set(diag, MTK_EPARSE, "case %s: unknown defect '%s'",
                          name, dn != NULL ? dn : "(not a string)");
    }
    c->num_defects = i + 1;
  }
  const char *trust = json_string_value(json_object_get(jc, "trust"));
  if (trust == NULL) {
    trust = "default";
  }
  if (!mtk_probe_manifest_has_trust(m, trust)) {
    return mtk_diag_set(diag, MTK_EPARSE,
                        "case %s: trust variant '%s' is not in \"trust\"", name,
                        trust);
  }
  if ((c->trust = strdup(trust)) == NULL) {
    return MTK_ENOMEM;
  }
  const char *key_type = json_string_value(json_object_get(jc, "key_type"));
  if (key_type != NULL && (c->key_type = strdup(key_type)) == NULL) {
    return MTK_ENOMEM;
  }
  const char *serial = json_string_value(json_object_get(jc, "serial"));
  if (serial != NULL && (c->serial = strdup(serial)) == NULL) {
    return MTK_ENOMEM;
  }
  json_t *files = json_object_get(jc, "files");
  const char *cert = json_string_value(json_object_get(files, "cert"));
  const char *key = json_string_value(json_object_get(files, "key"));
  if (cert != NULL) {
    if (key == NULL) {
      return mtk_diag_set(diag, MTK_EPARSE,
                          "case %s: files.cert without files.key", name);
    }
    int err = join_file(dir, root, name, cert, &c->cert, diag);
    if (err == 0) {
      err = join_file(dir, root, name, key, &c->key, diag);
    }
    if (err != 0) {
      return err;
    }
  }
  json_t *verdict = json_object_get(jc, "verdict");
  const char *strict = json_string_value(json_object_get(verdict, "strict"));
  if (strict != NULL && strcmp(strict, "accept") == 0) {
    c->verdict_strict = MTK_PROBE_VERDICT_ACCEPT;
  } else if (strict != NULL && strcmp(strict, "reject") == 0) {
    c->verdict_strict = MTK_PROBE_VERDICT_REJECT;
  } else if (strict != NULL && strcmp(strict, "divergent") == 0) {
    c->verdict_strict = MTK_PROBE_VERDICT_DIVERGENT;
  } else if (strict != NULL) {
    return mtk_diag_set(
        diag, MTK_EPARSE,
        "case %s: verdict.strict must be accept, reject or divergent", name);
  }
  c->reason =
      dup_or_null(json_string_value(json_object_get(verdict, "reason")));
  return load_libraries(json_object_get(verdict, "libraries"), c, diag);
}

enum mtk_probe_verdict mtk_probe_case_library_verdict(
    const struct mtk_probe_case *c, const char *library) {
  for (size_t i = 0; library != NULL && i < c->num_libraries; i++) {
    if (strcmp(c->libraries[i].name, library) == 0) {
      return c->libraries[i].accept ? MTK_PROBE_VERDICT_ACCEPT
                                    : MTK_PROBE_VERDICT_REJECT;
    }
  }
  return MTK_PROBE_VERDICT_UNKNOWN;
}

int mtk_probe_manifest_load(const char *dir, struct mtk_probe_manifest *m,
                            struct mtk_diag *diag) {
  char path[4096];
  json_error_t jerr;
  json_t *root = NULL;
  char *real_dir = NULL;
  int err;
  if (mtk_path_join(path, sizeof(path), dir, "manifest.json") != 0) {
    return mtk_diag_set(diag, MTK_ERANGE, "fixture directory name too long");
  }
  root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
  if (root == NULL) {
    if (access(path, R_OK) != 0) {
      err = mtk_errno_get();
      return mtk_diag_set(diag, err, "%s: %s", path, mtk_strerror(err));
    }
    return mtk_diag_set(diag, MTK_EPARSE, "%s line %d: %s", path, jerr.line,
                        jerr.text);
  }
  json_t *version = json_object_get(root, "schema_version");
  if (!json_is_integer(version) ||
      json_integer_value(version) != MTK_PROBE_MANIFEST_SCHEMA) {
    err = mtk_diag_set(diag, MTK_EPARSE, "%s: schema_version must be %d", path,
                       MTK_PROBE_MANIFEST_SCHEMA);
    goto out;
  }
  m->generator =
      dup_or_null(json_string_value(json_object_get(root, "generator")));
  json_t *trust = json_object_get(root, "trust");
  if (!json_is_object(trust) || json_object_size(trust) == 0) {
    err = mtk_diag_set(diag, MTK_EPARSE, "%s: no \"trust\" variants", path);
    goto out;
  }
  m->trust_names = calloc(json_object_size(trust), sizeof(char *));
  if (m->trust_names == NULL) {
    err = MTK_ENOMEM;
    goto out;
  }
  const char *tname;
  json_t *tval;
  json_object_foreach(trust, tname, tval) {
    if ((m->trust_names[m->num_trust] = strdup(tname)) == NULL) {
      err = MTK_ENOMEM;
      goto out;
    }
    m->num_trust++;
  }
  if ((real_dir = realpath(dir, NULL)) == NULL) {
    err = mtk_errno_get();
    err = mtk_diag_set(diag, err, "%s: %s", dir, mtk_strerror(err));
    goto out;
  }
  json_t *cases = json_object_get(root, "cases");
  if (!json_is_array(cases) || json_array_size(cases) == 0) {
    err = mtk_diag_set(diag, MTK_EPARSE, "%s: no \"cases\"", path);
    goto out;
  }
  m->cases = calloc(json_array_size(cases), sizeof(*m->cases));
  if (m->cases == NULL) {
    err = MTK_ENOMEM;
    goto out;
  }
  size_t i;
  json_t *jc;
  json_array_foreach(cases, i, jc) {
    struct mtk_probe_case c;
    memset(&c, 0, sizeof(c));
    err = load_case(dir, real_dir, jc, i, m, &c, diag);
    if (err != 0) {
      case_cleanup(&c);
      goto out;
    }
    m->cases[m->num_cases++] = c;
  }
  err = 0;
out:
  free(real_dir);
  json_decref(root);
  if (err != 0) {
    mtk_probe_manifest_cleanup(m);
  }
  return err;
}
