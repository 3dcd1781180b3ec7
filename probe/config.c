#include "config.h"

#include <curl/curl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mtlskit/file.h"
#include "mtlskit/units.h"

int mtk_probe_strv_push(struct mtk_probe_strv *sv, const char *s) {
  char *copy = strdup(s);
  if (copy == NULL) {
    return MTK_ENOMEM;
  }
  char **v = realloc(sv->v, (sv->num + 1) * sizeof(char *));
  if (v == NULL) {
    free(copy);
    return MTK_ENOMEM;
  }
  v[sv->num++] = copy;
  sv->v = v;
  return 0;
}

void mtk_probe_strv_cleanup(struct mtk_probe_strv *sv) {
  for (size_t i = 0; i < sv->num; i++) {
    free(sv->v[i]);
  }
  free(sv->v);
  sv->v = NULL;
  sv->num = 0;
}

void mtk_probe_target_init(struct mtk_probe_target *t) {
  memset(t, 0, sizeof(*t));
}

void mtk_probe_target_cleanup(struct mtk_probe_target *t) {
  free(t->name);
  free(t->url);
  free(t->trust);
  mtk_probe_strv_cleanup(&t->resolve);
  mtk_probe_strv_cleanup(&t->connect_to);
  mtk_probe_strv_cleanup(&t->headers);
  free(t->cacert);
  free(t->sni);
  free(t->method);
  for (size_t i = 0; i < t->num_overrides; i++) {
    free(t->overrides[i].case_name);
    free(t->overrides[i].text);
  }
  free(t->overrides);
  mtk_probe_target_init(t);
}

int mtk_probe_target_add_override(struct mtk_probe_target *t, const char *spec,
                                  struct mtk_diag *diag) {
  const char *eq = strchr(spec, '=');
  if (eq == NULL || eq == spec || eq[1] == '\0') {
    return mtk_diag_set(diag, MTK_EPARSE, "--expect '%s': want CASE=OUTCOMES",
                        spec);
  }
  struct mtk_probe_override o;
  memset(&o, 0, sizeof(o));
  int err = mtk_probe_expect_parse(eq + 1, &o.expect, diag);
  if (err != 0) {
    return mtk_diag_prefix(diag, err, "--expect '%s'", spec);
  }
  o.case_name = strndup(spec, (size_t)(eq - spec));
  o.text = strdup(eq + 1);
  struct mtk_probe_override *v =
      realloc(t->overrides, (t->num_overrides + 1) * sizeof(*v));
  if (o.case_name == NULL || o.text == NULL || v == NULL) {
    free(o.case_name);
    free(o.text);
    if (v != NULL) {
      t->overrides = v;
    }
    return MTK_ENOMEM;
  }
  t->overrides = v;
  // A later override of the same case wins, so a config file's cell can
  // be replaced from the command line.
  for (size_t i = 0; i < t->num_overrides; i++) {
    if (strcmp(v[i].case_name, o.case_name) == 0) {
      free(v[i].case_name);
      free(v[i].text);
      v[i] = o;
      return 0;
    }
  }
  v[t->num_overrides++] = o;
  return 0;
}

// valid_port reports whether |s| (up to |len| bytes) is a port 1-65535.
static bool valid_port(const char *s, size_t len) {
  unsigned long v = 0;
  if (len == 0 || len > 5) {
    return false;
  }
  for (size_t i = 0; i < len; i++) {
    if (s[i] < '0' || s[i] > '9') {
      return false;
    }
    v = v * 10 + (unsigned long)(s[i] - '0');
  }
  return v >= 1 && v <= 65535;
}

// host_end returns the end of the host at |s|: past a bracketed IPv6
// literal, else at the first ':'. NULL if there is no ':' after it.
static const char *host_end(const char *s) {
  if (s[0] == '[') {
    const char *b = strchr(s, ']');
    return b != NULL && b[1] == ':' ? b + 1 : NULL;
  }
  return strchr(s, ':');
}

static bool valid_resolve(const char *e) {
  bool removal = e[0] == '-';
  if (e[0] == '+' || e[0] == '-') {
    e++;
  }
  const char *c1 = host_end(e);
  if (c1 == NULL || c1 == e) {
    return false;
  }
  const char *port = c1 + 1;
  const char *c2 = strchr(port, ':');
  if (c2 == NULL) {
    // "-HOST:PORT" removes an entry; anything else needs addresses.
    return removal && valid_port(port, strlen(port));
  }
  return valid_port(port, (size_t)(c2 - port)) && c2[1] != '\0';
}

static bool valid_connect_to(const char *e) {
  // HOST:PORT:HOST2:PORT2, each part may be empty except the ports must
  // be numbers when given.
  const char *c1 = e[0] == ':' ? e : host_end(e);
  if (c1 == NULL) {
    return false;
  }
  const char *c2 = strchr(c1 + 1, ':');
  if (c2 == NULL ||
      (c2 > c1 + 1 && !valid_port(c1 + 1, (size_t)(c2 - c1 - 1)))) {
    return false;
  }
  const char *h2 = c2 + 1;
  const char *c3 = h2[0] == ':' ? h2 : host_end(h2);
  if (c3 == NULL) {
    return false;
  }
  return c3[1] == '\0' || valid_port(c3 + 1, strlen(c3 + 1));
}

static bool valid_method(const char *m) {
  if (m[0] == '\0') {
    return false;
  }
  for (; *m != '\0'; m++) {
    if (!((*m >= 'A' && *m <= 'Z') || (*m >= 'a' && *m <= 'z') ||
          (*m >= '0' && *m <= '9') || strchr("!#$%&'*+-.^_`|~", *m) != NULL)) {
      return false;
    }
  }
  return true;
}

int mtk_probe_target_validate(const struct mtk_probe_target *t,
                              struct mtk_diag *diag) {
  int err = 0;
  char *scheme = NULL;
  char *host = NULL;
  CURLU *u = curl_url();
  if (u == NULL) {
    return MTK_ENOMEM;
  }
  if (curl_url_set(u, CURLUPART_URL, t->url, 0) != CURLUE_OK ||
      curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
      strcmp(scheme, "https") != 0 ||
      curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
      host[0] == '\0') {
    err = mtk_diag_set(diag, MTK_EPARSE,
                       "target %s: '%s' is not a valid https:// URL", t->name,
                       t->url);
    goto out;
  }
  for (size_t i = 0; i < t->resolve.num; i++) {
    if (!valid_resolve(t->resolve.v[i])) {
      err = mtk_diag_set(diag, MTK_EPARSE,
                         "target %s: --resolve '%s': want HOST:PORT:ADDR",
                         t->name, t->resolve.v[i]);
      goto out;
    }
  }
  for (size_t i = 0; i < t->connect_to.num; i++) {
    if (!valid_connect_to(t->connect_to.v[i])) {
      err = mtk_diag_set(
          diag, MTK_EPARSE,
          "target %s: --connect-to '%s': want HOST:PORT:HOST2:PORT2", t->name,
          t->connect_to.v[i]);
      goto out;
    }
  }
  for (size_t i = 0; i < t->headers.num; i++) {
    const char *h = t->headers.v[i];
    const char *colon = strchr(h, ':');
    size_t len = strlen(h);
    // curl's "Name;" sends a header with an empty value.
    bool empty_form = colon == NULL && len > 1 && h[len - 1] == ';';
    if ((!empty_form && (colon == NULL || colon == h)) ||
        strpbrk(h, "\r\n") != NULL) {
      err = mtk_diag_set(diag, MTK_EPARSE,
                         "target %s: header '%s': want 'Name: value'", t->name,
                         h);
      goto out;
    }
  }
  if (t->method != NULL && !valid_method(t->method)) {
    err = mtk_diag_set(diag, MTK_EPARSE, "target %s: bad method '%s'", t->name,
                       t->method);
    goto out;
  }
  if (t->alb_headers != MTK_PROBE_ALB_OFF && t->method != NULL &&
      strcmp(t->method, "HEAD") == 0) {
    err = mtk_diag_set(diag, MTK_EPARSE,
                       "target %s: --alb-headers reads the echoed headers "
                       "from the response body, which HEAD does not get",
                       t->name);
    goto out;
  }
  if (t->cacert != NULL && !t->insecure && access(t->cacert, R_OK) != 0) {
    err = mtk_errno_get();
    err = mtk_diag_set(diag, err, "target %s: CA file %s: %s", t->name,
                       t->cacert, mtk_strerror(err));
    goto out;
  }
out:
  curl_free(scheme);
  curl_free(host);
  curl_url_cleanup(u);
  return err;
}

int mtk_probe_server_trust_parse(const char *s,
                                 enum mtk_probe_server_trust *out) {
  if (strcmp(s, "root") == 0) {
    *out = MTK_PROBE_SERVER_TRUST_ROOT;
  } else if (strcmp(s, "root+intermediate") == 0) {
    *out = MTK_PROBE_SERVER_TRUST_ROOT_INTERMEDIATE;
  } else {
    return MTK_EPARSE;
  }
  return 0;
}

const char *mtk_probe_server_trust_name(enum mtk_probe_server_trust t) {
  return t == MTK_PROBE_SERVER_TRUST_ROOT_INTERMEDIATE ? "root+intermediate"
                                                       : "root";
}

int mtk_probe_parse_tls(const char *s, int *out) {
  if (strcmp(s, "1.2") == 0) {
    *out = 12;
  } else if (strcmp(s, "1.3") == 0) {
    *out = 13;
  } else {
    return MTK_EPARSE;
  }
  return 0;
}

int mtk_probe_parse_http(const char *s, int *out) {
  if (strcmp(s, "1.1") == 0) {
    *out = 11;
  } else if (strcmp(s, "2") == 0) {
    *out = 2;
  } else {
    return MTK_EPARSE;
  }
  return 0;
}

void mtk_probe_config_init(struct mtk_probe_config *c) {
  memset(c, 0, sizeof(*c));
  c->parallel = 32;
  c->timeout_ms = 35000;
  c->deadline_ms = 0;
}

void mtk_probe_config_cleanup(struct mtk_probe_config *c) {
  for (size_t i = 0; i < c->num_targets; i++) {
    mtk_probe_target_cleanup(&c->targets[i]);
  }
  free(c->targets);
  free(c->fixtures);
  free(c->junit);
  mtk_probe_config_init(c);
}

int mtk_probe_config_add_target(struct mtk_probe_config *c,
                                struct mtk_probe_target *t,
                                struct mtk_diag *diag) {
  for (size_t i = 0; i < c->num_targets; i++) {
    if (strcmp(c->targets[i].name, t->name) == 0) {
      return mtk_diag_set(diag, MTK_EDUPLICATE,
                          "two targets are named '%s' (set \"name\")", t->name);
    }
  }
  struct mtk_probe_target *v =
      realloc(c->targets, (c->num_targets + 1) * sizeof(*v));
  if (v == NULL) {
    return MTK_ENOMEM;
  }
  c->targets = v;
  v[c->num_targets++] = *t;
  mtk_probe_target_init(t);
  return 0;
}

// resolve_path returns |p| joined to |base| unless it is absolute.
static char *resolve_path(const char *base, const char *p) {
  char buf[4096];
  if (p[0] == '/' || base[0] == '\0') {
    return strdup(p);
  }
  if (mtk_path_join(buf, sizeof(buf), base, p) != 0) {
    return NULL;
  }
  return strdup(buf);
}

static int get_strv(json_t *obj, const char *key, struct mtk_probe_strv *sv,
                    const char *tname, struct mtk_diag *diag) {
  json_t *a = json_object_get(obj, key);
  size_t i;
  json_t *v;
  if (a == NULL) {
    return 0;
  }
  if (!json_is_array(a)) {
    return mtk_diag_set(diag, MTK_EPARSE,
                        "target %s: \"%s\" must be a list of strings", tname,
                        key);
  }
  json_array_foreach(a, i, v) {
    if (!json_is_string(v)) {
      return mtk_diag_set(diag, MTK_EPARSE,
                          "target %s: \"%s\" must be a list of strings", tname,
                          key);
    }
    int err = mtk_probe_strv_push(sv, json_string_value(v));
    if (err != 0) {
      return err;
    }
  }
  return 0;
}

static const char *const target_keys[] = {
    "name",        "url",          "profile",  "trust",   "resolve",
    "connect_to",  "cacert",       "insecure", "sni",     "tls",
    "http",        "method",       "headers",  "timeout", "expect",
    "alb_headers", "server_trust", NULL};

static int load_target(json_t *jt, size_t index, const char *base,
                       struct mtk_probe_target *t, struct mtk_diag *diag) {
  char where[64];
  snprintf(where, sizeof(where), "targets[%zu]", index);
  if (!json_is_object(jt)) {
    return mtk_diag_set(diag, MTK_EPARSE, "%s: not an object", where);
  }
  const char *key;
  json_t *val;
  json_object_foreach(jt, key, val) {
    bool known = false;
    for (size_t i = 0; target_keys[i] != NULL; i++) {
      known = known || strcmp(key, target_keys[i]) == 0;
    }
    if (!known) {
      return mtk_diag_set(diag, MTK_EPARSE, "%s: unknown key \"%s\"", where,
                          key);
    }
  }
  const char *url = json_string_value(json_object_get(jt, "url"));
  const char *profile = json_string_value(json_object_get(jt, "profile"));
  if (url == NULL || profile == NULL) {
    return mtk_diag_set(diag, MTK_EPARSE,
                        "%s: \"url\" and \"profile\" are required", where);
  }
  // A profile file is found relative to the config file, as cacert is.
  char *profile_spec =
      strchr(profile, '/') != NULL || strstr(profile, ".json") != NULL
          ? resolve_path(base, profile)
          : strdup(profile);
  if (profile_spec == NULL) {
    return MTK_ENOMEM;
  }
  int perr = mtk_probe_profile_open(profile_spec, &t->profile, diag);
  free(profile_spec);
  if (perr != 0) {
    return mtk_diag_prefix(diag, perr == MTK_ENOMEM ? perr : MTK_EPARSE, "%s",
                           where);
  }
  const char *name = json_string_value(json_object_get(jt, "name"));
  t->url = strdup(url);
  t->name = strdup(name != NULL ? name : url);
  if (t->url == NULL || t->name == NULL) {
    return MTK_ENOMEM;
  }
  const char *tname = t->name;
  const char *s;
  if ((s = json_string_value(json_object_get(jt, "trust"))) != NULL &&
      (t->trust = strdup(s)) == NULL) {
    return MTK_ENOMEM;
  }
  if ((s = json_string_value(json_object_get(jt, "cacert"))) != NULL &&
      (t->cacert = resolve_path(base, s)) == NULL) {
    return MTK_ENOMEM;
  }
  if ((s = json_string_value(json_object_get(jt, "sni"))) != NULL &&
      (t->sni = strdup(s)) == NULL) {
    return MTK_ENOMEM;
  }
  if ((s = json_string_value(json_object_get(jt, "method"))) != NULL &&
      (t->method = strdup(s)) == NULL) {
    return MTK_ENOMEM;
  }
  json_t *ins = json_object_get(jt, "insecure");
  if (ins != NULL && !json_is_boolean(ins)) {
    return mtk_diag_set(diag, MTK_EPARSE,
                        "target %s: \"insecure\" must be "
                        "true or false",
                        tname);
  }
  t->insecure = json_is_true(ins);
  if ((s = json_string_value(json_object_get(jt, "tls"))) != NULL &&
      mtk_probe_parse_tls(s, &t->tls) != 0) {
    return mtk_diag_set(diag, MTK_EPARSE,
                        "target %s: \"tls\" must be \"1.2\" or \"1.3\"", tname);
  }
  if ((s = json_string_value(json_object_get(jt, "http"))) != NULL &&
      mtk_probe_parse_http(s, &t->http) != 0) {
    return mtk_diag_set(diag, MTK_EPARSE,
                        "target %s: \"http\" must be \"1.1\" or \"2\"", tname);
  }
  if ((s = json_string_value(json_object_get(jt, "timeout"))) != NULL &&
      (mtk_parse_duration_ns(s, &t->timeout_ms) != 0 ||
       (t->timeout_ms /= 1000000) == 0)) {
    return mtk_diag_set(diag, MTK_EPARSE,
                        "target %s: bad \"timeout\" '%s' (e.g. 10s)", tname, s);
  }
  json_t *st = json_object_get(jt, "server_trust");
  if (st != NULL && (!json_is_string(st) ||
                     mtk_probe_server_trust_parse(json_string_value(st),
                                                  &t->server_trust) != 0)) {
    return mtk_diag_set(diag, MTK_EPARSE,
                        "target %s: \"server_trust\" must be \"root\" or "
                        "\"root+intermediate\"",
                        tname);
  }
  json_t *alb = json_object_get(jt, "alb_headers");
  if (alb != NULL && (!json_is_string(alb) ||
                      mtk_probe_alb_mode_parse(json_string_value(alb),
                                               &t->alb_headers) != 0)) {
    return mtk_diag_set(diag, MTK_EPARSE,
                        "target %s: \"alb_headers\" must be \"verify\" or "
                        "\"passthrough\"",
                        tname);
  }
  int err;
  if ((err = get_strv(jt, "resolve", &t->resolve, tname, diag)) != 0 ||
      (err = get_strv(jt, "connect_to", &t->connect_to, tname, diag)) != 0 ||
      (err = get_strv(jt, "headers", &t->headers, tname, diag)) != 0) {
    return err;
  }
  json_t *expect = json_object_get(jt, "expect");
  if (expect != NULL && !json_is_object(expect)) {
    return mtk_diag_set(diag, MTK_EPARSE,
                        "target %s: \"expect\" maps case names to outcomes",
                        tname);
  }
  json_object_foreach(expect, key, val) {
    char spec[512];
    if (!json_is_string(val)) {
      return mtk_diag_set(diag, MTK_EPARSE,
                          "target %s: expect.%s must be a string", tname, key);
    }
    snprintf(spec, sizeof(spec), "%s=%s", key, json_string_value(val));
    if ((err = mtk_probe_target_add_override(t, spec, diag)) != 0) {
      return mtk_diag_prefix(diag, err, "target %s", tname);
    }
  }
  return 0;
}

int mtk_probe_config_load_file(struct mtk_probe_config *c, const char *path,
                               struct mtk_diag *diag) {
  json_error_t jerr;
  char base[4096];
  int err = 0;
  json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
  if (root == NULL) {
    if (!mtk_file_exists(path)) {
      return mtk_diag_set(diag, MTK_ENOENT, "%s: no such file", path);
    }
    return mtk_diag_set(diag, MTK_EPARSE, "%s line %d: %s", path, jerr.line,
                        jerr.text);
  }
  snprintf(base, sizeof(base), "%s", path);
  char *slash = strrchr(base, '/');
  if (slash != NULL) {
    *slash = '\0';
  } else {
    base[0] = '\0';
  }
  json_t *version = json_object_get(root, "schema_version");
  if (!json_is_integer(version) ||
      json_integer_value(version) != MTK_PROBE_CONFIG_SCHEMA) {
    err = mtk_diag_set(diag, MTK_EPARSE, "%s: schema_version must be %d", path,
                       MTK_PROBE_CONFIG_SCHEMA);
    goto out;
  }
  const char *fixtures = json_string_value(json_object_get(root, "fixtures"));
  if (fixtures != NULL && c->fixtures == NULL &&
      (c->fixtures = resolve_path(base, fixtures)) == NULL) {
    err = MTK_ENOMEM;
    goto out;
  }
  json_t *targets = json_object_get(root, "targets");
  if (!json_is_array(targets) || json_array_size(targets) == 0) {
    err = mtk_diag_set(diag, MTK_EPARSE,
                       "%s: \"targets\" must be a "
                       "non-empty list",
                       path);
    goto out;
  }
  size_t i;
  json_t *jt;
  json_array_foreach(targets, i, jt) {
    struct mtk_probe_target t;
    mtk_probe_target_init(&t);
    err = load_target(jt, i, base, &t, diag);
    if (err == 0) {
      err = mtk_probe_config_add_target(c, &t, diag);
    }
    mtk_probe_target_cleanup(&t);
    if (err != 0) {
      mtk_diag_prefix(diag, err, "%s", path);
      goto out;
    }
  }
out:
  json_decref(root);
  return err;
}
