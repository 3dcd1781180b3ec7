#include "profile.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mtlskit/error.h"
#include "mtlskit/file.h"
#include "profile_file.h"

// Every profile loaded in this process: the installed ones (sorted by
// name), then user files in the order they were opened.
static struct {
  struct mtk_probe_profile **v;
  size_t num;
  bool loaded;
  char dir[PATH_MAX];
} registry;

// The installed profiles, relative to the directory of the running
// executable: bin/ in a build tree, libexec/mtlskit/ once installed.
static const char *const installed_dirs[] = {
    "../share/mtlskit/profiles",
    "../../share/mtlskit/profiles",
};

static int registry_add(struct mtk_probe_profile *p) {
  struct mtk_probe_profile **v =
      realloc(registry.v, (registry.num + 1) * sizeof(*v));
  if (v == NULL) {
    return MTK_ENOMEM;
  }
  registry.v = v;
  registry.v[registry.num++] = p;
  return 0;
}

// names_of_p reports whether |name| is |p|'s name or one of its aliases.
static bool names_of_p(const struct mtk_probe_profile *p, const char *name) {
  if (strcmp(p->name, name) == 0) {
    return true;
  }
  for (size_t i = 0; p->aliases != NULL && p->aliases[i] != NULL; i++) {
    if (strcmp(p->aliases[i], name) == 0) {
      return true;
    }
  }
  return false;
}

// find_dir sets registry.dir to the installed profile directory.
static int find_dir(struct mtk_diag *diag) {
  const char *env = getenv("MTLSKIT_PROFILE_DIR");
  if (env != NULL && env[0] != '\0') {
    snprintf(registry.dir, sizeof(registry.dir), "%s", env);
    return 0;
  }
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  if (n > 0) {
    exe[n] = '\0';
  }
  char *slash = n > 0 ? strrchr(exe, '/') : NULL;
  if (slash != NULL) {
    *slash = '\0';
    for (size_t i = 0; i < sizeof(installed_dirs) / sizeof(*installed_dirs);
         i++) {
      if (mtk_path_join(registry.dir, sizeof(registry.dir), exe,
                        installed_dirs[i]) == 0 &&
          mtk_file_exists(registry.dir)) {
        return 0;
      }
    }
  }
  registry.dir[0] = '\0';
  return mtk_diag_set(diag, MTK_ENOENT,
                      "no installed profiles (share/mtlskit/profiles beside "
                      "the executables); set MTLSKIT_PROFILE_DIR");
}

// is_profile_file selects "*.json" directory entries.
static int is_profile_file(const struct dirent *d) {
  size_t len = strlen(d->d_name);
  return d->d_name[0] != '.' && len > 5 &&
         strcmp(d->d_name + len - 5, ".json") == 0;
}

// check_unique fails when |p|'s name or an alias is already taken.
static int check_unique(const struct mtk_probe_profile *p,
                        struct mtk_diag *diag) {
  for (size_t i = 0; i < registry.num; i++) {
    const struct mtk_probe_profile *q = registry.v[i];
    if (strcmp(q->origin, "installed") != 0) {
      continue;
    }
    const char *clash = names_of_p(q, p->name) ? p->name : NULL;
    for (size_t k = 0;
         clash == NULL && p->aliases != NULL && p->aliases[k] != NULL; k++) {
      clash = names_of_p(q, p->aliases[k]) ? p->aliases[k] : NULL;
    }
    if (clash != NULL) {
      return mtk_diag_set(diag, MTK_EDUPLICATE,
                          "%s: profile name '%s' is taken by %s", p->path,
                          clash, q->path);
    }
  }
  return 0;
}

int mtk_probe_profiles_load(struct mtk_diag *diag) {
  if (registry.loaded) {
    return 0;
  }
  size_t first = registry.num;
  int err = find_dir(diag);
  if (err != 0) {
    return err;
  }
  struct dirent **entries;
  int num = scandir(registry.dir, &entries, is_profile_file, alphasort);
  if (num < 0) {
    err = mtk_errno_get();
    return mtk_diag_set(diag, err, "profile directory %s: %s", registry.dir,
                        mtk_strerror(err));
  }
  for (int i = 0; i < num; i++) {
    char path[PATH_MAX];
    struct mtk_probe_profile *p = NULL;
    if (err == 0) {
      err = mtk_path_join(path, sizeof(path), registry.dir, entries[i]->d_name);
    }
    if (err == 0) {
      err = mtk_probe_profile_file_load(path, "installed", &p, diag);
    }
    if (err == 0 && (err = check_unique(p, diag)) == 0) {
      err = registry_add(p);
    }
    if (err != 0) {
      mtk_probe_profile_file_free(p);
    }
    free(entries[i]);
  }
  free(entries);
  if (err == 0 && registry.num == first) {
    err =
        mtk_diag_set(diag, MTK_ENOENT, "no profile files in %s", registry.dir);
  }
  if (err != 0) {
    while (registry.num > first) {
      mtk_probe_profile_file_free(registry.v[--registry.num]);
    }
    return err;
  }
  registry.loaded = true;
  return 0;
}

const char *mtk_probe_profiles_dir(void) {
  return registry.loaded ? registry.dir : NULL;
}

int mtk_probe_profile_open(const char *spec,
                           const struct mtk_probe_profile **out,
                           struct mtk_diag *diag) {
  size_t len = strlen(spec);
  bool is_path = strchr(spec, '/') != NULL ||
                 (len > 5 && strcmp(spec + len - 5, ".json") == 0);
  *out = NULL;
  int err = 0;
  if (is_path) {
    // Installed profiles first, so they keep their place in the list; a
    // user file works without them.
    int ignored = mtk_probe_profiles_load(NULL);
    (void)ignored;
    struct mtk_probe_profile *p;
    if ((err = mtk_probe_profile_file_load(spec, "user", &p, diag)) != 0) {
      return err;
    }
    if ((err = registry_add(p)) != 0) {
      mtk_probe_profile_file_free(p);
      return err;
    }
    *out = p;
    return 0;
  }
  if ((err = mtk_probe_profiles_load(diag)) != 0) {
    return err;
  }
  if ((*out = mtk_probe_profile_find(spec)) == NULL) {
    char choices[512];
    mtk_probe_profile_choices(choices, sizeof(choices));
    return mtk_diag_set(diag, MTK_ENOENT, "unknown profile '%s' (%s)", spec,
                        choices);
  }
  return 0;
}

const struct mtk_probe_profile *mtk_probe_profile_find(const char *name) {
  if (mtk_probe_profiles_load(NULL) != 0) {
    return NULL;
  }
  for (size_t i = 0; i < registry.num; i++) {
    if (strcmp(registry.v[i]->origin, "installed") == 0 &&
        names_of_p(registry.v[i], name)) {
      return registry.v[i];
    }
  }
  return NULL;
}

void mtk_probe_profile_choices(char *out, size_t out_len) {
  size_t len = 0;
  out[0] = '\0';
  for (size_t i = 0; i < registry.num; i++) {
    const struct mtk_probe_profile *p = registry.v[i];
    if (strcmp(p->origin, "installed") != 0) {
      continue;
    }
    int n = snprintf(out + len, out_len - len, "%s%s", len > 0 ? ", " : "",
                     p->name);
    len += n > 0 && (size_t)n < out_len - len ? (size_t)n : 0;
    for (size_t k = 0; p->aliases != NULL && p->aliases[k] != NULL; k++) {
      n = snprintf(out + len, out_len - len, " (or %s)", p->aliases[k]);
      len += n > 0 && (size_t)n < out_len - len ? (size_t)n : 0;
    }
  }
}

const struct mtk_probe_profile *mtk_probe_profile_at(size_t i) {
  if (mtk_probe_profiles_load(NULL) != 0) {
    return NULL;
  }
  return i < registry.num ? registry.v[i] : NULL;
}

void mtk_probe_profiles_cleanup(void) {
  for (size_t i = 0; i < registry.num; i++) {
    mtk_probe_profile_file_free(registry.v[i]);
  }
  free(registry.v);
  registry.v = NULL;
  registry.num = 0;
  registry.loaded = false;
}

const struct mtk_probe_cell *mtk_probe_profile_cell(
    const struct mtk_probe_profile *p, enum mtk_defect defect) {
  for (size_t i = 0; i < p->num_cells; i++) {
    if (p->cells[i].defect == defect) {
      return &p->cells[i];
    }
  }
  return NULL;
}

const struct mtk_probe_cell *mtk_probe_profile_key_type_cell(
    const struct mtk_probe_profile *p, const char *key_type) {
  if (p->unsupported_key_types == NULL || key_type == NULL) {
    return NULL;
  }
  for (size_t i = 0; p->unsupported_key_types[i] != NULL; i++) {
    if (strcmp(p->unsupported_key_types[i], key_type) == 0) {
      return p->key_type_cell;
    }
  }
  return NULL;
}

int mtk_probe_cell_expect(const struct mtk_probe_cell *c, int tls,
                          struct mtk_probe_expect *out) {
  int err;
  if (tls == 12 && c->expect_tls12 != NULL) {
    return mtk_probe_expect_parse(c->expect_tls12, out, NULL);
  }
  err = mtk_probe_expect_parse(c->expect, out, NULL);
  if (err != 0 || tls != 0 || c->expect_tls12 == NULL) {
    return err;
  }
  struct mtk_probe_expect v12;
  err = mtk_probe_expect_parse(c->expect_tls12, &v12, NULL);
  if (err != 0) {
    return err;
  }
  return mtk_probe_expect_union(out, &v12);
}

void mtk_probe_profile_write_table(FILE *out,
                                   const struct mtk_probe_profile *p) {
  fprintf(out, "%s\tprofile\t%s\tfrom_verdict=%d\trefusal_delay_ms=%llu\n",
          p->name, p->summary, p->from_verdict ? 1 : 0,
          (unsigned long long)p->refusal_delay_ms);
  for (size_t k = 0; k < p->num_cells; k++) {
    const struct mtk_probe_cell *c = &p->cells[k];
    fprintf(out, "%s\tcell\t%s\t%s\t%s\t%s\t%s\n", p->name,
            mtk_defect_name(c->defect), c->expect,
            c->expect_tls12 != NULL ? c->expect_tls12 : "-", c->basis,
            c->source);
  }
  if (p->key_type_cell != NULL) {
    const struct mtk_probe_cell *c = p->key_type_cell;
    fprintf(out, "%s\tkey-types", p->name);
    for (size_t k = 0; p->unsupported_key_types[k] != NULL; k++) {
      fprintf(out, "%s%s", k == 0 ? "\t" : ",", p->unsupported_key_types[k]);
    }
    fprintf(out, "\t%s\t%s\t%s\t%s\n", c->expect,
            c->expect_tls12 != NULL ? c->expect_tls12 : "-", c->basis,
            c->source);
  }
}
