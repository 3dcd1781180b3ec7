#include "mtlskit/cadb.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mtlskit/file.h"
#include "mtlskit/units.h"
#include "mtlskit/x509_cert.h"
#include "mtlskit/x509_crl.h"
#include "mtlskit/x509_time.h"

int mtk_cadb_file_read(const char *path, size_t max_len, char **out,
                       size_t *out_len, struct mtk_diag *diag) {
  char *data = NULL;
  size_t len = 0;
  struct mtk_diag detail;
  mtk_diag_init(&detail);
  int err = mtk_file_read(path, max_len, &data, &len, &detail);
  if (err == MTK_EINVAL || err == MTK_ERANGE) {
    // Not a regular file, or far too large: the directory is damaged.
    return mtk_diag_set(diag, MTK_ECORRUPT, "%s", detail.msg);
  }
  if (err != 0) {
    return mtk_diag_set(diag, err, "%s", mtk_diag_message(&detail, err));
  }
  const char *nul = memchr(data, '\0', len);
  if (nul != NULL) {
    size_t lineno = 1;
    for (const char *p = data; p < nul; p++) {
      lineno += *p == '\n';
    }
    free(data);
    return mtk_diag_set(diag, MTK_ECORRUPT, "%s line %zu: NUL byte", path,
                        lineno);
  }
  *out = data;
  *out_len = len;
  return 0;
}

int mtk_cadb_days_parse(const char *s, long *out) {
  uint64_t d;
  if (mtk_parse_uint(s, MTK_CADB_DAYS_MAX, &d) != 0 || d == 0) {
    return MTK_EPARSE;
  }
  *out = (long)d;
  return 0;
}

int mtk_cadb_digest_parse(const char *s, enum mtk_digest *out, char *why,
                          size_t why_len) {
  if (mtk_digest_from_name(s, out) != 0 || *out == MTK_DIGEST_SHA1) {
    snprintf(
        why, why_len, "use sha256, sha384 or sha512%s",
        strcasecmp(s, "sha1") == 0 ? " (SHA-1 signatures are refused)" : "");
    return MTK_EPARSE;
  }
  return 0;
}

// ---- openssl.cnf ----------------------------------------------------------

#define CNF_MAX_PAIRS 1024

struct cnf_pair {
  char *section;
  char *key;
  char *value;
  size_t lineno;
};

struct cnf {
  struct cnf_pair pairs[CNF_MAX_PAIRS];
  size_t num;
  const char *dir;   // what `dir` expands to
  const char *path;  // the file, for messages
};

static void cnf_free(struct cnf *c) {
  for (size_t i = 0; i < c->num; i++) {
    free(c->pairs[i].section);
    free(c->pairs[i].key);
    free(c->pairs[i].value);
  }
  c->num = 0;
}

static char *trim(char *s) {
  while (isspace((unsigned char)*s)) {
    s++;
  }
  size_t n = strlen(s);
  while (n > 0 && isspace((unsigned char)s[n - 1])) {
    s[--n] = '\0';
  }
  return s;
}

static int cnf_parse(struct cnf *c, char *text, struct mtk_diag *diag) {
  char section[128] = "default";
  size_t lineno = 0;
  for (char *line = text; line != NULL;) {
    char *next = strchr(line, '\n');
    if (next != NULL) {
      *next++ = '\0';
    }
    lineno++;
    // '#' starts a comment unless escaped; openssl has no other quoting
    // that matters for the keys mtlskit reads.
    for (char *p = line; *p != '\0'; p++) {
      if (*p == '\\' && p[1] != '\0') {
        p++;
      } else if (*p == '#') {
        *p = '\0';
        break;
      }
    }
    char *s = trim(line);
    if (*s == '\0' || *s == '.') {  // blank, or .include/.pragma
      line = next;
      continue;
    }
    if (*s == '[') {
      char *end = strchr(s, ']');
      if (end == NULL) {
        return mtk_diag_set(diag, MTK_ECORRUPT,
                            "%s line %zu: unterminated section", c->path,
                            lineno);
      }
      *end = '\0';
      snprintf(section, sizeof(section), "%s", trim(s + 1));
      line = next;
      continue;
    }
    char *eq = strchr(s, '=');
    if (eq == NULL) {
      return mtk_diag_set(diag, MTK_ECORRUPT,
                          "%s line %zu: expected NAME = VALUE", c->path,
                          lineno);
    }
    *eq = '\0';
    char *key = trim(s);
    char *value = trim(eq + 1);
    size_t vlen = strlen(value);
    if (vlen >= 2 && (value[0] == '"' || value[0] == '\'') &&
        value[vlen - 1] == value[0]) {
      value[vlen - 1] = '\0';
      value++;
    }
    if (c->num >= CNF_MAX_PAIRS) {
      return mtk_diag_set(diag, MTK_ECORRUPT, "%s: more than %d settings",
                          c->path, CNF_MAX_PAIRS);
    }
    struct cnf_pair *pr = &c->pairs[c->num];
    pr->section = strdup(section);
    pr->key = strdup(key);
    pr->value = strdup(value);
    pr->lineno = lineno;
    if (pr->section == NULL || pr->key == NULL || pr->value == NULL) {
      c->num++;
      return MTK_ENOMEM;
    }
    c->num++;
    line = next;
  }
  return 0;
}

static const struct cnf_pair *cnf_find(const struct cnf *c, const char *section,
                                       const char *key) {
  const struct cnf_pair *found = NULL;
  for (size_t i = 0; i < c->num; i++) {
    if (strcmp(c->pairs[i].section, section) == 0 &&
        strcmp(c->pairs[i].key, key) == 0) {
      found = &c->pairs[i];  // the last assignment wins, as in openssl
    }
  }
  return found;
}

static const char *cnf_get(const struct cnf *c, const char *section,
                           const char *key) {
  const struct cnf_pair *pr = cnf_find(c, section, key);
  return pr != NULL ? pr->value : NULL;
}

// cnf_bad_value reports a bad value of |key| (set in |section|) as
// "PATH line N: KEY = VALUE: |why|".
static int cnf_bad_value(const struct cnf *c, const char *section,
                         const char *key, const char *why,
                         struct mtk_diag *diag) {
  const struct cnf_pair *pr = cnf_find(c, section, key);
  return mtk_diag_set(diag, MTK_ECORRUPT, "%s line %zu: %s = %s: %s", c->path,
                      pr != NULL ? pr->lineno : 0, key,
                      pr != NULL ? pr->value : "", why);
}

// cnf_expand expands variables in |in| into |out|.
static int cnf_expand(const struct cnf *c, const char *section, const char *in,
                      char *out, size_t out_len, int depth) {
  size_t n = 0;
  if (depth > 8) {
    return MTK_ECORRUPT;
  }
  for (const char *p = in; *p != '\0';) {
    if (*p == '\\' && p[1] != '\0') {
      if (n + 1 >= out_len) {
        return MTK_ERANGE;
      }
      out[n++] = p[1];
      p += 2;
      continue;
    }
    if (*p != '$') {
      if (n + 1 >= out_len) {
        return MTK_ERANGE;
      }
      out[n++] = *p++;
      continue;
    }
    p++;
    char name[256];
    size_t k = 0;
    int braced = *p == '{';
    if (braced) {
      p++;
    }
    while (
        *p != '\0' && k + 1 < sizeof(name) &&
        (isalnum((unsigned char)*p) || *p == '_' || *p == ':' || *p == '.')) {
      if (*p == ':') {
        if (p[1] != ':' || k + 2 >= sizeof(name)) {
          break;
        }
        name[k++] = *p++;  // "section::name": keep both colons
      }
      name[k++] = *p++;
    }
    name[k] = '\0';
    if (braced) {
      if (*p != '}') {
        return MTK_ECORRUPT;
      }
      p++;
    }
    const char *sec = section, *var = name;
    char secbuf[256];
    char *colons = strstr(name, "::");
    if (colons != NULL) {
      snprintf(secbuf, sizeof(secbuf), "%.*s", (int)(colons - name), name);
      sec = secbuf;
      var = colons + 2;
    }
    const char *val = NULL;
    char expanded[MTK_CADB_PATH_MAX];
    if (strcmp(var, "dir") == 0 && c->dir != NULL && strcmp(sec, "ENV") != 0) {
      val = c->dir;
    } else if (colons != NULL && strcmp(sec, "ENV") == 0) {
      val = getenv(var);
    } else {
      val = cnf_get(c, sec, var);
      if (val == NULL) {
        val = cnf_get(c, "default", var);
      }
      if (val != NULL) {
        int err =
            cnf_expand(c, sec, val, expanded, sizeof(expanded), depth + 1);
        if (err != 0) {
          return err;
        }
        val = expanded;
      }
    }
    if (val == NULL) {
      return MTK_ECORRUPT;
    }
    size_t vlen = strlen(val);
    if (n + vlen >= out_len) {
      return MTK_ERANGE;
    }
    memcpy(out + n, val, vlen);
    n += vlen;
  }
  out[n] = '\0';
  return 0;
}

static int conf_path(const struct cnf *c, const char *section, const char *key,
                     const char *dflt, const char *dir, char *out,
                     struct mtk_diag *diag) {
  const char *raw = cnf_get(c, section, key);
  char tmp[MTK_CADB_PATH_MAX];
  if (raw == NULL) {
    if ((size_t)snprintf(tmp, sizeof(tmp), "%s/%s", dir, dflt) >= sizeof(tmp)) {
      return mtk_diag_set(diag, MTK_ECORRUPT, "path too long: %s", dir);
    }
  } else {
    int err = cnf_expand(c, section, raw, tmp, sizeof(tmp), 0);
    if (err != 0) {
      return cnf_bad_value(
          c, section, key,
          err == MTK_ERANGE ? "path too long" : "cannot expand a variable",
          diag);
    }
  }
  if (tmp[0] != '/') {
    const char *rel = tmp;
    if (strncmp(rel, "./", 2) == 0) {
      rel += 2;
    }
    if ((size_t)snprintf(out, MTK_CADB_PATH_MAX, "%s/%s", dir, rel) >=
        MTK_CADB_PATH_MAX) {
      return cnf_bad_value(c, section, key, "path too long", diag);
    }
  } else {
    snprintf(out, MTK_CADB_PATH_MAX, "%s", tmp);
  }
  return 0;
}

static int parse_yes_no(const char *v, bool *out) {
  if (strcasecmp(v, "yes") == 0 || strcasecmp(v, "y") == 0 ||
      strcasecmp(v, "true") == 0 || strcmp(v, "1") == 0) {
    *out = true;
  } else if (strcasecmp(v, "no") == 0 || strcasecmp(v, "n") == 0 ||
             strcasecmp(v, "false") == 0 || strcmp(v, "0") == 0) {
    *out = false;
  } else {
    return MTK_EPARSE;
  }
  return 0;
}

static int read_attr(const char *database, bool *unique,
                     struct mtk_diag *diag) {
  char path[MTK_CADB_PATH_MAX + 8];
  snprintf(path, sizeof(path), "%s.attr", database);
  char *data = NULL;
  size_t len = 0;
  *unique = true;  // openssl's default when there is no attr file
  if (!mtk_file_exists(path)) {
    return 0;
  }
  int err = mtk_cadb_file_read(path, 1u << 16, &data, &len, diag);
  if (err != 0) {
    return err;
  }
  size_t lineno = 0;
  for (char *line = data; *line != '\0';) {
    char *nl = strchr(line, '\n');
    if (nl != NULL) {
      *nl = '\0';
    }
    lineno++;
    char *eq = strchr(line, '=');
    if (eq != NULL) {
      *eq = '\0';
      if (strcmp(trim(line), "unique_subject") == 0 &&
          parse_yes_no(trim(eq + 1), unique) != 0) {
        free(data);
        return mtk_diag_set(diag, MTK_ECORRUPT,
                            "%s line %zu: unique_subject must be yes or no",
                            path, lineno);
      }
    }
    if (nl == NULL) {
      break;
    }
    line = nl + 1;
  }
  free(data);
  return 0;
}

int mtk_cadb_conf_load(const char *dir, struct mtk_cadb_conf *out,
                       struct mtk_diag *diag) {
  char path[MTK_CADB_PATH_MAX + 16];
  snprintf(path, sizeof(path), "%s/openssl.cnf", dir);
  char *text = NULL;
  size_t len = 0;
  struct cnf *c = calloc(1, sizeof(*c));
  if (c == NULL) {
    return MTK_ENOMEM;
  }
  memset(out, 0, sizeof(*out));
  c->path = path;
  int err = mtk_file_exists(path)
                ? mtk_cadb_file_read(path, 1u << 20, &text, &len, diag)
                : mtk_file_read(path, 1u << 20, &text, &len, NULL);
  if (err == MTK_ENOENT || err == -ENOTDIR) {
    err = mtk_diag_set(diag, err, "%s is not a CA directory: %s: %s", dir, path,
                       mtk_strerror(err));
  }
  if (err != 0) {
    goto out;
  }
  if ((err = cnf_parse(c, text, diag)) != 0) {
    goto out;
  }
  // `dir` expands to the absolute path of the directory given, so every
  // path below is absolute and independent of the cnf's own `dir` line.
  if (realpath(dir, out->dir) == NULL) {
    err = mtk_errno_get();
    err = mtk_diag_set(diag, err, "%s: %s", dir, mtk_strerror(err));
    goto out;
  }
  dir = out->dir;
  c->dir = dir;
  const char *section = cnf_get(c, "ca", "default_ca");
  if (section == NULL) {
    section = "CA_default";
  }
  struct {
    const char *key, *dflt;
    char *dst;
  } paths[] = {
      {"certs", "certs", out->certs},
      {"crl_dir", "crl", out->crl_dir},
      {"new_certs_dir", "newcerts", out->new_certs_dir},
      {"database", "index.txt", out->database},
      {"serial", "serial", out->serial},
      {"crlnumber", "crlnumber", out->crlnumber},
      {"private_key", "private/ca.key.pem", out->private_key},
      {"certificate", "certs/ca.cert.pem", out->certificate},
      {"crl", "crl/ca.crl.pem", out->crl},
  };
  for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
    err = conf_path(c, section, paths[i].key, paths[i].dflt, dir, paths[i].dst,
                    diag);
    if (err != 0) {
      goto out;
    }
  }
  if ((size_t)snprintf(out->private_dir, sizeof(out->private_dir), "%s/private",
                       dir) >= sizeof(out->private_dir) ||
      (size_t)snprintf(out->csr_dir, sizeof(out->csr_dir), "%s/csr", dir) >=
          sizeof(out->csr_dir)) {
    err = mtk_diag_set(diag, MTK_ECORRUPT, "path too long: %s", dir);
    goto out;
  }
  // The values the command line also takes pass the command line's rules
  // (mtk_cadb_digest_check, mtk_cadb_days_parse): a cnf cannot make the CA
  // sign with SHA-1 or for zero days.
  out->default_md = MTK_DIGEST_SHA256;
  const char *v = cnf_get(c, section, "default_md");
  if (v != NULL) {
    char why[128];
    if (mtk_cadb_digest_parse(v, &out->default_md, why, sizeof(why)) != 0) {
      err = cnf_bad_value(c, section, "default_md", why, diag);
      goto out;
    }
  }
  if (out->default_md == MTK_DIGEST_DEFAULT) {
    out->default_md = MTK_DIGEST_SHA256;
  }
  out->default_days = 365;
  out->default_crl_days = 30;
  const char *days_keys[] = {"default_days", "default_crl_days"};
  long *days_dst[] = {&out->default_days, &out->default_crl_days};
  for (size_t i = 0; i < 2; i++) {
    v = cnf_get(c, section, days_keys[i]);
    if (v != NULL && mtk_cadb_days_parse(v, days_dst[i]) != 0) {
      err = cnf_bad_value(c, section, days_keys[i], MTK_CADB_DAYS_RULE, diag);
      goto out;
    }
  }
  if ((err = read_attr(out->database, &out->unique_subject, diag)) != 0) {
    goto out;
  }
  v = cnf_get(c, section, "unique_subject");
  if (v != NULL && parse_yes_no(v, &out->unique_subject) != 0) {
    err = cnf_bad_value(c, section, "unique_subject", "use yes or no", diag);
    goto out;
  }
out:
  cnf_free(c);
  free(c);
  free(text);
  return err;
}

int mtk_cadb_cnf_render(const char *abs_dir, int pathlen,
                        const char *default_md, char **out, size_t *out_len) {
  char pathlen_str[32] = "";
  if (pathlen >= 0) {
    snprintf(pathlen_str, sizeof(pathlen_str), ", pathlen:%d", pathlen);
  }
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  if (f == NULL) {
    return MTK_ENOMEM;
  }
  fprintf(f,
          "# CA configuration written by mtlskit ca init. `openssl ca "
          "-config` this\n"
          "# file works on the same directory: both keep index.txt, serial "
          "and\n"
          "# crlnumber the same way. mtlskit expands $dir to the directory "
          "it is\n"
          "# given, so the directory can be moved; openssl uses the path "
          "below.\n"
          "\n"
          "[ ca ]\n"
          "default_ca = CA_default\n"
          "\n"
          "[ CA_default ]\n"
          "dir               = %s\n"
          "certs             = $dir/certs\n"
          "crl_dir           = $dir/crl\n"
          "new_certs_dir     = $dir/newcerts\n"
          "database          = $dir/index.txt\n"
          "serial            = $dir/serial\n"
          "crlnumber         = $dir/crlnumber\n"
          "private_key       = $dir/private/ca.key.pem\n"
          "certificate       = $dir/certs/ca.cert.pem\n"
          "crl               = $dir/crl/ca.crl.pem\n"
          "crl_extensions    = crl_ext\n"
          "default_crl_days  = 30\n"
          "default_md        = %s\n"
          "name_opt          = ca_default\n"
          "cert_opt          = ca_default\n"
          "default_days      = 365\n"
          "preserve          = no\n"
          "policy            = policy_loose\n"
          "unique_subject    = no\n"
          "copy_extensions   = none\n"
          "x509_extensions   = v3_client\n"
          "\n"
          "[ policy_strict ]\n"
          "countryName             = match\n"
          "stateOrProvinceName     = match\n"
          "organizationName        = match\n"
          "organizationalUnitName  = optional\n"
          "commonName              = supplied\n"
          "emailAddress            = optional\n"
          "\n"
          "[ policy_loose ]\n"
          "countryName             = optional\n"
          "stateOrProvinceName     = optional\n"
          "localityName            = optional\n"
          "organizationName        = optional\n"
          "organizationalUnitName  = optional\n"
          "commonName              = supplied\n"
          "emailAddress            = optional\n"
          "\n"
          "[ req ]\n"
          "default_bits        = 2048\n"
          "distinguished_name  = req_distinguished_name\n"
          "string_mask         = utf8only\n"
          "default_md          = %s\n"
          "x509_extensions     = v3_ca\n"
          "\n"
          "[ req_distinguished_name ]\n"
          "countryName                     = Country Name (2 letter code)\n"
          "stateOrProvinceName             = State or Province Name\n"
          "localityName                    = Locality Name\n"
          "0.organizationName              = Organization Name\n"
          "organizationalUnitName          = Organizational Unit Name\n"
          "commonName                      = Common Name\n"
          "emailAddress                    = Email Address\n"
          "\n"
          "[ v3_ca ]\n"
          "subjectKeyIdentifier   = hash\n"
          "authorityKeyIdentifier = keyid:always,issuer\n"
          "basicConstraints       = critical, CA:true%s\n"
          "keyUsage               = critical, digitalSignature, cRLSign, "
          "keyCertSign\n"
          "\n"
          "[ v3_intermediate_ca ]\n"
          "subjectKeyIdentifier   = hash\n"
          "authorityKeyIdentifier = keyid:always,issuer\n"
          "basicConstraints       = critical, CA:true, pathlen:0\n"
          "keyUsage               = critical, digitalSignature, cRLSign, "
          "keyCertSign\n"
          "\n"
          "[ v3_client ]\n"
          "basicConstraints       = critical, CA:FALSE\n"
          "subjectKeyIdentifier   = hash\n"
          "authorityKeyIdentifier = keyid,issuer\n"
          "keyUsage               = critical, nonRepudiation, "
          "digitalSignature, keyEncipherment\n"
          "extendedKeyUsage       = clientAuth\n"
          "\n"
          "[ v3_server ]\n"
          "basicConstraints       = critical, CA:FALSE\n"
          "subjectKeyIdentifier   = hash\n"
          "authorityKeyIdentifier = keyid,issuer\n"
          "keyUsage               = critical, digitalSignature, "
          "keyEncipherment\n"
          "extendedKeyUsage       = serverAuth\n"
          "\n"
          "# Named profiles: `mtlskit ca issue DIR NAME --profile internal`\n"
          "# and `openssl ca -config openssl.cnf -extensions internal -days\n"
          "# 3650` write the same extensions; the days are mtlskit's below.\n"
          "[ internal ]\n"
          "basicConstraints       = critical, CA:FALSE\n"
          "subjectKeyIdentifier   = hash\n"
          "authorityKeyIdentifier = keyid,issuer\n"
          "keyUsage               = critical, digitalSignature\n"
          "extendedKeyUsage       = clientAuth\n"
          "\n"
          "[ external ]\n"
          "basicConstraints       = critical, CA:FALSE\n"
          "subjectKeyIdentifier   = hash\n"
          "authorityKeyIdentifier = keyid,issuer\n"
          "keyUsage               = critical, digitalSignature\n"
          "extendedKeyUsage       = clientAuth\n"
          "\n"
          "[ mtlskit_profile_days ]\n"
          "internal = 3650\n"
          "external = 185\n"
          "\n"
          "[ crl_ext ]\n"
          "authorityKeyIdentifier = keyid:always\n",
          abs_dir, default_md, default_md, pathlen_str);
  if (fclose(f) != 0) {
    free(buf);
    return MTK_ENOMEM;
  }
  *out = buf;
  *out_len = len;
  return 0;
}

// ---- index.txt ------------------------------------------------------------

static uint64_t hash_serial(const char *s) {
  // FNV-1a over the upper-cased serial without leading "00" pairs.
  while (s[0] == '0' && s[1] == '0' && s[2] != '\0') {
    s += 2;
  }
  uint64_t h = 1469598103934665603ull;
  for (; *s != '\0'; s++) {
    h ^= (uint64_t)toupper((unsigned char)*s);
    h *= 1099511628211ull;
  }
  return h;
}

static int serial_eq(const char *a, const char *b) {
  while (a[0] == '0' && a[1] == '0' && a[2] != '\0') {
    a += 2;
  }
  while (b[0] == '0' && b[1] == '0' && b[2] != '\0') {
    b += 2;
  }
  return strcasecmp(a, b) == 0;
}

static int rehash(struct mtk_cadb_index *idx) {
  size_t n = 64;
  while (n < idx->num_entries * 2 + 16) {
    n *= 2;
  }
  size_t *slots = calloc(n, sizeof(*slots));
  if (slots == NULL) {
    return MTK_ENOMEM;
  }
  for (size_t i = 0; i < idx->num_entries; i++) {
    size_t s = (size_t)(hash_serial(idx->entries[i].serial) & (n - 1));
    while (slots[s] != 0) {
      s = (s + 1) & (n - 1);
    }
    slots[s] = i + 1;
  }
  free(idx->slots);
  idx->slots = slots;
  idx->num_slots = n;
  return 0;
}

ssize_t mtk_cadb_index_find(const struct mtk_cadb_index *idx, const char *hex) {
  if (idx->num_slots == 0) {
    return -1;
  }
  size_t s = (size_t)(hash_serial(hex) & (idx->num_slots - 1));
  while (idx->slots[s] != 0) {
    size_t i = idx->slots[s] - 1;
    if (serial_eq(idx->entries[i].serial, hex)) {
      return (ssize_t)i;
    }
    s = (s + 1) & (idx->num_slots - 1);
  }
  return -1;
}

static int grow_entries(struct mtk_cadb_index *idx) {
  if (idx->num_entries < idx->cap_entries) {
    return 0;
  }
  size_t cap = idx->cap_entries == 0 ? 64 : idx->cap_entries * 2;
  struct mtk_cadb_entry *e = realloc(idx->entries, cap * sizeof(*e));
  if (e == NULL) {
    return MTK_ENOMEM;
  }
  idx->entries = e;
  idx->cap_entries = cap;
  return 0;
}

static int keep_owned(struct mtk_cadb_index *idx, char *s) {
  if (idx->num_owned == idx->cap_owned) {
    size_t cap = idx->cap_owned == 0 ? 16 : idx->cap_owned * 2;
    char **o = realloc(idx->owned, cap * sizeof(*o));
    if (o == NULL) {
      return MTK_ENOMEM;
    }
    idx->owned = o;
    idx->cap_owned = cap;
  }
  idx->owned[idx->num_owned++] = s;
  return 0;
}

void mtk_cadb_index_cleanup(struct mtk_cadb_index *idx) {
  for (size_t i = 0; i < idx->num_owned; i++) {
    free(idx->owned[i]);
  }
  free(idx->owned);
  free(idx->entries);
  free(idx->slots);
  free(idx->buf);
  memset(idx, 0, sizeof(*idx));
}

static int is_hex_string(const char *s) {
  if (*s == '\0') {
    return 0;
  }
  for (; *s != '\0'; s++) {
    if (!isxdigit((unsigned char)*s)) {
      return 0;
    }
  }
  return 1;
}

int mtk_cadb_revoked_parse(const char *field, time_t *out_time,
                           int *out_reason) {
  const char *comma = strchr(field, ',');
  size_t tlen = comma != NULL ? (size_t)(comma - field) : strlen(field);
  if (mtk_time_parse(field, tlen, out_time) != 0) {
    return MTK_EPARSE;
  }
  *out_reason = MTK_REASON_NONE;
  if (comma == NULL) {
    return 0;
  }
  char reason[64];
  const char *rs = comma + 1;
  const char *end = strchr(rs, ',');
  size_t rlen = end != NULL ? (size_t)(end - rs) : strlen(rs);
  if (rlen == 0 || rlen >= sizeof(reason)) {
    return MTK_EPARSE;
  }
  memcpy(reason, rs, rlen);
  reason[rlen] = '\0';
  // openssl's pseudo-reasons for -crl_compromise/-crl_CA_compromise carry a
  // time after the name.
  if (strcmp(reason, "keyTime") == 0) {
    *out_reason = MTK_REASON_KEY_COMPROMISE;
    return 0;
  }
  if (strcmp(reason, "CAkeyTime") == 0) {
    *out_reason = MTK_REASON_CA_COMPROMISE;
    return 0;
  }
  return mtk_crl_reason_from_name(reason, out_reason);
}

static int check_entry(const struct mtk_cadb_entry *e, const char **why) {
  time_t t;
  int reason;
  if (e->status != 'V' && e->status != 'R' && e->status != 'E') {
    *why = "status is not V, R or E";
    return 0;
  }
  if (mtk_time_parse(e->expires, strlen(e->expires), &t) != 0) {
    *why = "malformed expiry time";
    return 0;
  }
  if (e->status == 'R') {
    if (mtk_cadb_revoked_parse(e->revoked, &t, &reason) != 0) {
      *why = "malformed revocation field";
      return 0;
    }
  } else if (e->revoked[0] != '\0') {
    *why = "revocation field on an unrevoked entry";
    return 0;
  }
  if (!is_hex_string(e->serial) || strlen(e->serial) > 2 * MTK_SERIAL_MAX) {
    *why = "malformed serial";
    return 0;
  }
  return 1;
}

int mtk_cadb_index_load(const char *path, struct mtk_cadb_index *out,
                        struct mtk_diag *diag) {
  memset(out, 0, sizeof(*out));
  size_t len = 0;
  // A NUL would end the text early and drop every later line (a
  // revocation among them); mtk_cadb_file_read refuses it.
  int err = mtk_cadb_file_read(path, (size_t)1 << 31, &out->buf, &len, diag);
  if (err != 0) {
    return err;
  }
  if (len > 0 && out->buf[len - 1] != '\n') {
    return mtk_diag_set(diag, MTK_ECORRUPT,
                        "%s: last line is incomplete (no newline)", path);
  }
  size_t lineno = 0;
  for (char *line = out->buf; *line != '\0';) {
    char *nl = strchr(line, '\n');
    *nl = '\0';
    lineno++;
    char *f[6];
    size_t nf = 0;
    f[nf++] = line;
    for (char *p = line; *p != '\0'; p++) {
      if (*p == '\t') {
        *p = '\0';
        if (nf == 6) {
          nf++;
          break;
        }
        f[nf++] = p + 1;
      }
    }
    if (nf != 6) {
      return mtk_diag_set(diag, MTK_ECORRUPT,
                          "%s line %zu: expected 6 tab-separated fields", path,
                          lineno);
    }
    if ((err = grow_entries(out)) != 0) {
      return err;
    }
    struct mtk_cadb_entry *e = &out->entries[out->num_entries];
    e->status = f[0][1] == '\0' ? f[0][0] : '?';
    e->expires = f[1];
    e->revoked = f[2];
    e->serial = f[3];
    e->file = f[4];
    e->subject = f[5];
    const char *why = NULL;
    if (!check_entry(e, &why)) {
      return mtk_diag_set(diag, MTK_ECORRUPT, "%s line %zu: %s", path, lineno,
                          why);
    }
    out->num_entries++;
    line = nl + 1;
  }
  if ((err = rehash(out)) != 0) {
    return err;
  }
  for (size_t i = 0; i < out->num_entries; i++) {
    // rehash placed every entry; a serial found at another index is a
    // duplicate, which openssl refuses too.
    if ((size_t)mtk_cadb_index_find(out, out->entries[i].serial) != i) {
      return mtk_diag_set(diag, MTK_ECORRUPT,
                          "%s line %zu: duplicate serial %s", path, i + 1,
                          out->entries[i].serial);
    }
  }
  return 0;
}

bool mtk_cadb_index_has_subject(const struct mtk_cadb_index *idx,
                                const char *subject) {
  for (size_t i = 0; i < idx->num_entries; i++) {
    if (idx->entries[i].status == 'V' &&
        strcmp(idx->entries[i].subject, subject) == 0) {
      return true;
    }
  }
  return false;
}

int mtk_cadb_index_append(struct mtk_cadb_index *idx, const char *expires,
                          const char *serial, const char *subject) {
  if (mtk_cadb_index_find(idx, serial) >= 0) {
    return MTK_EDUPLICATE;
  }
  size_t le = strlen(expires) + 1, ls = strlen(serial) + 1,
         lsub = strlen(subject) + 1;
  char *mem = malloc(le + ls + lsub + 1 + 8);
  if (mem == NULL || grow_entries(idx) != 0 || keep_owned(idx, mem) != 0) {
    free(mem);
    return MTK_ENOMEM;
  }
  struct mtk_cadb_entry *e = &idx->entries[idx->num_entries];
  e->status = 'V';
  e->expires = mem;
  memcpy(e->expires, expires, le);
  e->serial = mem + le;
  memcpy(e->serial, serial, ls);
  e->subject = mem + le + ls;
  memcpy(e->subject, subject, lsub);
  e->revoked = mem + le + ls + lsub;
  e->revoked[0] = '\0';
  e->file = e->revoked + 1;
  memcpy(e->file, "unknown", 8);
  idx->num_entries++;
  if (idx->num_entries * 2 + 16 > idx->num_slots) {
    return rehash(idx);
  }
  size_t s = (size_t)(hash_serial(serial) & (idx->num_slots - 1));
  while (idx->slots[s] != 0) {
    s = (s + 1) & (idx->num_slots - 1);
  }
  idx->slots[s] = idx->num_entries;
  return 0;
}

int mtk_cadb_index_revoke(struct mtk_cadb_index *idx, size_t i,
                          const char *revoked) {
  char *copy = strdup(revoked);
  if (copy == NULL || keep_owned(idx, copy) != 0) {
    free(copy);
    return MTK_ENOMEM;
  }
  idx->entries[i].status = 'R';
  idx->entries[i].revoked = copy;
  return 0;
}

int mtk_cadb_index_render(const struct mtk_cadb_index *idx, char **out,
                          size_t *out_len) {
  size_t cap = 1;
  for (size_t i = 0; i < idx->num_entries; i++) {
    const struct mtk_cadb_entry *e = &idx->entries[i];
    cap += 8 + strlen(e->expires) + strlen(e->revoked) + strlen(e->serial) +
           strlen(e->file) + strlen(e->subject);
  }
  char *buf = malloc(cap);
  if (buf == NULL) {
    return MTK_ENOMEM;
  }
  size_t n = 0;
  for (size_t i = 0; i < idx->num_entries; i++) {
    const struct mtk_cadb_entry *e = &idx->entries[i];
    n += (size_t)snprintf(buf + n, cap - n, "%c\t%s\t%s\t%s\t%s\t%s\n",
                          e->status, e->expires, e->revoked, e->serial, e->file,
                          e->subject);
  }
  buf[n] = '\0';
  *out = buf;
  *out_len = n;
  return 0;
}

// ---- serial and crlnumber -------------------------------------------------

int mtk_cadb_hex_read(const char *path, uint8_t *out, size_t out_cap,
                      size_t *out_len, struct mtk_diag *diag) {
  char *data = NULL;
  size_t len = 0;
  int err = mtk_cadb_file_read(path, 4096, &data, &len, diag);
  if (err != 0) {
    return err;
  }
  while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r')) {
    data[--len] = '\0';
  }
  uint8_t num[MTK_SERIAL_MAX + 1];
  size_t num_len = 0;
  if (!is_hex_string(data) ||
      mtk_serial_from_hex(data, num, sizeof(num), &num_len) != 0) {
    err = mtk_diag_set(diag, MTK_ECORRUPT, "%s: not a hex number", path);
  } else if (num_len > MTK_CADB_NUMBER_MAX || num_len > out_cap) {
    err = mtk_diag_set(diag, MTK_ECORRUPT,
                       "%s: %.48s%s is out of range: more than %d octets "
                       "(RFC 5280 4.1.2.2, 5.2.3)",
                       path, data, len > 48 ? "..." : "", MTK_CADB_NUMBER_MAX);
  } else if (num_len == 1 && num[0] == 0) {
    err = mtk_diag_set(diag, MTK_ECORRUPT,
                       "%s: 0 is out of range: must be "
                       "positive",
                       path);
  } else {
    memcpy(out, num, num_len);
    *out_len = num_len;
  }
  free(data);
  return err;
}

int mtk_cadb_hex_increment(uint8_t *num, size_t *len, size_t cap) {
  for (size_t i = *len; i-- > 0;) {
    if (++num[i] != 0) {
      if (i == 0 && (num[0] & 0x80)) {
        break;  // now looks negative: prefix a zero byte below
      }
      return 0;
    }
  }
  // Carry out of the top byte, or the sign bit got set: grow by one byte.
  if (*len + 1 > cap) {
    return MTK_ERANGE;
  }
  memmove(num + 1, num, *len);
  num[0] = (num[1] & 0x80) ? 0 : 1;
  if (num[0] == 1) {
    // All bytes wrapped to zero: the value is 1 followed by zeros.
  }
  (*len)++;
  return 0;
}
