#include "connlog.h"

#include <ctype.h>
#include <dirent.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "mtlskit/error.h"
#include "mtlskit/file.h"
#include "mtlskit/units.h"
#include "profile.h"

// The longest line read; ALB's are far shorter.
#define MAX_LINE 8192

// next_field copies the next space-separated field of *s (a quoted one
// whole, without its quotes) into |out| and advances *s. It returns false
// when there is none or a quote is not closed.
static bool next_field(const char **s, char *out, size_t out_len) {
  const char *p = *s + strspn(*s, " \t");
  if (*p == '\0' || *p == '\n' || *p == '\r') {
    return false;
  }
  const char *end;
  if (*p == '"') {
    end = strchr(p + 1, '"');
    if (end == NULL) {
      return false;
    }
    snprintf(out, out_len, "%.*s", (int)(end - p - 1), p + 1);
    *s = end + 1;
    return true;
  }
  end = p + strcspn(p, " \t\r\n");
  snprintf(out, out_len, "%.*s", (int)(end - p), p);
  *s = end;
  return true;
}

static bool parse_port(const char *s, unsigned *out) {
  char *end;
  unsigned long v = strtoul(s, &end, 10);
  if (end == s || *end != '\0' || v > 65535) {
    return false;
  }
  *out = (unsigned)v;
  return true;
}

// parse_timestamp reads an RFC 3339 UTC time with an optional fraction of
// a second ("2023-10-04T17:09:24.133417Z") as seconds since the epoch.
static bool parse_timestamp(const char *s, double *out) {
  char whole[32];
  const char *dot = strchr(s, '.');
  double frac = 0;
  if (dot != NULL) {
    char *end;
    frac = strtod(dot, &end);
    if (end == dot + 1 || strcmp(end, "Z") != 0) {
      return false;
    }
    if ((size_t)(dot - s) + 2 > sizeof(whole)) {
      return false;
    }
    snprintf(whole, sizeof(whole), "%.*sZ", (int)(dot - s), s);
  } else if (strlen(s) < sizeof(whole)) {
    memcpy(whole, s, strlen(s) + 1);
  } else {
    return false;
  }
  time_t t;
  if (mtk_parse_time(whole, 0, &t) != 0) {
    return false;
  }
  *out = (double)t + frac;
  return true;
}

// normal_serial writes |s| in upper case without leading zeros ("-" and
// the empty serial stay "-").
static void normal_serial(const char *s, char *out, size_t out_len) {
  if (s == NULL || strcmp(s, "-") == 0 || *s == '\0') {
    snprintf(out, out_len, "-");
    return;
  }
  s += strspn(s, "0");
  size_t n = 0;
  for (; *s != '\0' && n + 1 < out_len; s++) {
    out[n++] = (char)toupper((unsigned char)*s);
  }
  out[n] = '\0';
  if (n == 0) {
    snprintf(out, out_len, "0");
  }
}

bool mtk_probe_connlog_parse_line(const char *line,
                                  struct mtk_probe_connlog_entry *out) {
  char f[12][512];
  const char *s = line;
  for (size_t i = 0; i < 12; i++) {
    if (!next_field(&s, f[i], sizeof(f[i]))) {
      return false;
    }
  }
  if (!parse_port(f[2], &out->client_port) ||
      !parse_port(f[3], &out->listener_port) ||
      (strcmp(f[10], "Success") != 0 && strncmp(f[10], "Failed:", 7) != 0)) {
    return false;
  }
  if (!parse_timestamp(f[0], &out->time)) {
    return false;
  }
  snprintf(out->client_ip, sizeof(out->client_ip), "%.63s", f[1]);
  normal_serial(f[9], out->serial, sizeof(out->serial));
  snprintf(out->status, sizeof(out->status), "%.95s", f[10]);
  return true;
}

static int add_entry(struct mtk_probe_connlog *log,
                     const struct mtk_probe_connlog_entry *e) {
  struct mtk_probe_connlog_entry *v =
      realloc(log->entries, (log->num_entries + 1) * sizeof(*v));
  if (v == NULL) {
    return MTK_ENOMEM;
  }
  log->entries = v;
  log->entries[log->num_entries++] = *e;
  return 0;
}

// load_file reads one file; gzopen reads plain files as they are.
static int load_file(struct mtk_probe_connlog *log, const char *path,
                     struct mtk_diag *diag) {
  gzFile gz = gzopen(path, "rb");
  if (gz == NULL) {
    int err = mtk_errno_get();
    return mtk_diag_set(diag, err, "connection log %s: %s", path,
                        mtk_strerror(err));
  }
  char *line = malloc(MAX_LINE);
  int err = line == NULL ? MTK_ENOMEM : 0;
  while (err == 0 && gzgets(gz, line, MAX_LINE) != NULL) {
    size_t len = strlen(line);
    if (len == 0 || strspn(line, " \t\r\n") == len) {
      continue;
    }
    struct mtk_probe_connlog_entry e;
    if (line[len - 1] != '\n' && !gzeof(gz)) {
      // Longer than any log line: count it once and skip the rest of it.
      log->malformed++;
      while (gzgets(gz, line, MAX_LINE) != NULL) {
        size_t n = strlen(line);  // 0 when the line starts with a NUL byte
        if (n > 0 && line[n - 1] == '\n') {
          break;
        }
      }
    } else if (mtk_probe_connlog_parse_line(line, &e)) {
      err = add_entry(log, &e);
    } else {
      log->malformed++;
    }
  }
  int gzerr;
  const char *msg = gzerror(gz, &gzerr);
  if (err == 0 && gzerr != Z_OK && gzerr != Z_STREAM_END) {
    err = mtk_diag_set(diag, MTK_EIO, "connection log %s: %s", path, msg);
  }
  gzclose(gz);
  free(line);
  log->files += err == 0;
  return err;
}

static int is_entry(const struct dirent *d) { return d->d_name[0] != '.'; }

int mtk_probe_connlog_load(struct mtk_probe_connlog *log, const char *path,
                           struct mtk_diag *diag) {
  DIR *dir = opendir(path);
  if (dir == NULL) {
    return load_file(log, path, diag);
  }
  closedir(dir);
  struct dirent **names;
  int num = scandir(path, &names, is_entry, alphasort);
  if (num < 0) {
    int err = mtk_errno_get();
    return mtk_diag_set(diag, err, "connection log %s: %s", path,
                        mtk_strerror(err));
  }
  int err = 0;
  for (int i = 0; i < num; i++) {
    char file[PATH_MAX];
    if (err == 0 && (err = mtk_path_join(file, sizeof(file), path,
                                         names[i]->d_name)) == 0) {
      err = load_file(log, file, diag);
    }
    free(names[i]);
  }
  free(names);
  return err;
}

void mtk_probe_connlog_cleanup(struct mtk_probe_connlog *log) {
  free(log->entries);
  memset(log, 0, sizeof(*log));
}

// alb_reason returns the ALB reason code a defect is refused with
// (docs/platforms.md §1.4), or NULL where the code is not settled.
static const char *alb_reason(enum mtk_defect d) {
  switch (d) {
    case MTK_DEFECT_NONE:
      return "Success";
    case MTK_DEFECT_EXPIRED:
    case MTK_DEFECT_VALIDITY_ENDS_NOW:
      return "Failed:ClientCertExpired";
    case MTK_DEFECT_NOT_YET_VALID:
      return "Failed:ClientCertNotYetValid";
    case MTK_DEFECT_REVOKED:
      return "Failed:ClientCertCrlHit";
    case MTK_DEFECT_UNKNOWN_CA:
    case MTK_DEFECT_SELF_SIGNED:
    case MTK_DEFECT_MISSING_INTERMEDIATE:
      return "Failed:ClientCertUntrusted";
    case MTK_DEFECT_CHAIN_TOO_DEEP:
      return "Failed:ClientCertMaxChainDepthExceeded";
    default:
      return NULL;
  }
}

bool mtk_probe_connlog_expected(const struct mtk_probe_attempt *a, char *out,
                                size_t out_len) {
  const struct mtk_probe_case *k = a->kase;
  out[0] = '\0';
  if (mtk_probe_profile_key_type_cell(a->target->profile, k->key_type) !=
      NULL) {
    return false;  // refused for its key type: the code is not settled
  }
  size_t used = 0;
  for (size_t i = 0; i < k->num_defects; i++) {
    const char *code = alb_reason(k->defects[i]);
    if (code == NULL) {
      out[0] = '\0';
      return false;
    }
    int n =
        snprintf(out + used, out_len - used, "%s%s", used > 0 ? "|" : "", code);
    if (n < 0 || (size_t)n >= out_len - used) {
      out[0] = '\0';
      return false;
    }
    used += (size_t)n;
  }
  return used > 0;
}

bool mtk_probe_connlog_allows(const char *expected, const char *stated) {
  size_t len = strlen(stated);
  for (const char *p = expected; *p != '\0';) {
    size_t n = strcspn(p, "|");
    if (n == len && strncmp(p, stated, n) == 0) {
      return true;
    }
    p += n + (p[n] == '|');
  }
  return false;
}

const struct mtk_probe_connlog_entry *mtk_probe_connlog_find(
    const struct mtk_probe_connlog *log, unsigned listener_port,
    const char *serial, unsigned client_port, double t_from, double t_to) {
  char want[64];
  normal_serial(serial, want, sizeof(want));
  bool no_cert = strcmp(want, "-") == 0;
  const struct mtk_probe_connlog_entry *best = NULL;
  for (size_t k = 0; k < log->num_entries; k++) {
    const struct mtk_probe_connlog_entry *e = &log->entries[k];
    if ((listener_port != 0 && e->listener_port != listener_port) ||
        e->time < t_from - MTK_PROBE_CONNLOG_SLACK_S ||
        e->time > t_to + MTK_PROBE_CONNLOG_SLACK_S) {
      continue;
    }
    bool match = no_cert ? client_port != 0 && e->client_port == client_port &&
                               strcmp(e->serial, "-") == 0
                         : strcmp(e->serial, want) == 0;
    if (match &&
        (best == NULL || fabs(e->time - t_from) < fabs(best->time - t_from))) {
      best = e;
    }
  }
  return best;
}

size_t mtk_probe_connlog_apply(const struct mtk_probe_connlog *log,
                               struct mtk_probe_run *r) {
  size_t matched = 0;
  for (size_t i = 0; i < r->num_attempts; i++) {
    struct mtk_probe_attempt *a = &r->attempts[i];
    if (!a->run) {
      continue;
    }
    a->logged.looked = true;
    double from = r->wall_start + (double)a->start_us / 1e6;
    const struct mtk_probe_connlog_entry *hit = mtk_probe_connlog_find(
        log, a->port, a->kase->cert != NULL ? a->kase->serial : NULL,
        a->local_port, from, from + (double)a->total_us / 1e6);
    if (hit == NULL) {
      continue;
    }
    matched++;
    a->logged.found = true;
    snprintf(a->logged.stated, sizeof(a->logged.stated), "%s", hit->status);
    if (mtk_probe_connlog_expected(a, a->logged.expected,
                                   sizeof(a->logged.expected))) {
      a->logged.wrong =
          !mtk_probe_connlog_allows(a->logged.expected, a->logged.stated);
    }
  }
  return matched;
}

void mtk_probe_connlog_print_stats(FILE *out,
                                   const struct mtk_probe_connlog *log,
                                   size_t matched, size_t ran) {
  fprintf(out,
          "mtlskit probe: connection logs: %zu lines from %zu files, %zu "
          "malformed; %zu of %zu attempts matched\n",
          log->num_entries, log->files, log->malformed, matched, ran);
}
