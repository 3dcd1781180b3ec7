// The history part of `report html --history DIR`: earlier nights' results
// as trend charts and a table (see html.h).
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "html.h"
#include "mtlskit/units.h"
#include "svg.h"

// One result on the history's time axis.
struct night {
  double when;       // seconds since the epoch: started_at, else mtime
  bool probe;        // probe (met / not met) or loadgen (handshake p50/p99)
  double a, b;       // met and not met, or p50 and p99 (ns)
  char started[32];  // when, as printed
  char file[256];    // the file's name
};

struct history {
  struct night *nights;
  size_t n, cap;
};

// night_of describes the result |r|; |mtime| stands in for a missing
// started_at.
static void night_of(const struct report_result *r, time_t mtime,
                     struct night *out) {
  memset(out, 0, sizeof(*out));
  time_t when = mtime;
  const char *started = report_str(r->doc, "started_at", NULL);
  if (started == NULL || mtk_parse_time(started, 0, &when) != 0) {
    when = mtime;
  }
  out->when = (double)when;
  if (mtk_format_time(out->started, sizeof(out->started), when) != 0) {
    snprintf(out->started, sizeof(out->started), "unknown");
  }
  const char *slash = strrchr(r->path, '/');
  snprintf(out->file, sizeof(out->file), "%s",
           slash != NULL ? slash + 1 : r->path);
  out->probe = r->kind == REPORT_PROBE;
  if (out->probe) {
    const json_t *s = json_object_get(r->doc, "summary");
    out->a = report_num(s, "met", 0);
    out->b = report_num(s, "not_met", 0);
  } else {
    const json_t *h =
        json_object_get(json_object_get(r->doc, "phases"), "handshake");
    bool empty = report_num(h, "count", 0) <= 0;
    out->a = empty ? NAN : report_num(h, "p50_ns", NAN);
    out->b = empty ? NAN : report_num(h, "p99_ns", NAN);
  }
}

static int add_night(struct history *h, const struct night *n) {
  for (size_t i = 0; i < h->n; i++) {
    if (h->nights[i].when == n->when && h->nights[i].probe == n->probe &&
        h->nights[i].a == n->a && h->nights[i].b == n->b) {
      return 0;  // the same run, already in the directory
    }
  }
  if (h->n == h->cap) {
    size_t cap = h->cap ? 2 * h->cap : 32;
    struct night *grown = realloc(h->nights, cap * sizeof(*grown));
    if (grown == NULL) {
      mtk_cli_error("out of memory");
      return MTK_EXIT_INTERNAL;
    }
    h->nights = grown;
    h->cap = cap;
  }
  h->nights[h->n++] = *n;
  return 0;
}

static bool is_json_name(const char *name) {
  size_t len = strlen(name);
  return name[0] != '.' && len > 5 && strcmp(name + len - 5, ".json") == 0;
}

static int cmp_names(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

// read_dir adds every *.json result in |dir| to |h|, in name order.
static int read_dir(const char *dir, struct history *h) {
  DIR *d = opendir(dir);
  if (d == NULL) {
    mtk_cli_error("--history %s: %s", dir, strerror(errno));
    return errno == ENOENT || errno == ENOTDIR ? MTK_EXIT_USAGE
                                               : MTK_EXIT_RUNTIME;
  }
  char **names = NULL;
  size_t n = 0, cap = 0;
  int status = 0;
  struct dirent *e;
  while (status == 0 && (e = readdir(d)) != NULL) {
    if (!is_json_name(e->d_name)) continue;
    if (n == cap) {
      cap = cap ? 2 * cap : 32;
      char **grown = realloc(names, cap * sizeof(*grown));
      if (grown == NULL) {
        status = MTK_EXIT_INTERNAL;
        break;
      }
      names = grown;
    }
    size_t len = strlen(dir) + strlen(e->d_name) + 2;
    if ((names[n] = malloc(len)) == NULL) {
      status = MTK_EXIT_INTERNAL;
      break;
    }
    snprintf(names[n++], len, "%s/%s", dir, e->d_name);
  }
  closedir(d);
  if (status != 0) mtk_cli_error("out of memory");
  if (n > 0) qsort(names, n, sizeof(*names), cmp_names);
  for (size_t i = 0; status == 0 && i < n; i++) {
    struct report_result r;
    struct stat st;
    if ((status = report_result_load(names[i], &r)) != 0) break;
    struct night night;
    night_of(&r, stat(names[i], &st) == 0 ? st.st_mtime : 0, &night);
    status = add_night(h, &night);
    report_result_free(&r);
  }
  for (size_t i = 0; i < n; i++) free(names[i]);
  free(names);
  return status;
}

static int cmp_nights(const void *pa, const void *pb) {
  const struct night *a = pa, *b = pb;
  return a->when < b->when ? -1 : a->when > b->when;
}

// trend draws two series (|a_name|, |b_name|) of the nights of one kind.
static void trend(FILE *f, const struct history *h, bool probe,
                  const char *title, struct svg_axis y, const char *a_name,
                  const char *b_name) {
  double *x = calloc(h->n + 1, sizeof(double));
  double *a = calloc(h->n + 1, sizeof(double));
  double *b = calloc(h->n + 1, sizeof(double));
  size_t n = 0;
  for (size_t i = 0; x != NULL && a != NULL && b != NULL && i < h->n; i++) {
    if (h->nights[i].probe != probe) continue;
    x[n] = h->nights[i].when;
    a[n] = h->nights[i].a;
    b[n] = h->nights[i].b;
    n++;
  }
  if (n > 0) {
    struct svg_series s[2] = {{a_name, n, x, a, 0}, {b_name, n, x, b, 1}};
    struct svg_chart c = {title, {SVG_AXIS_DATE, "run started (UTC)"}, y, s, 2};
    svg_line_chart(f, &c);
  }
  free(x);
  free(a);
  free(b);
}

static void table(FILE *f, const struct history *h) {
  fputs(
      "<div class=\"scroll\"><table class=\"history\"><thead><tr><th>started"
      "</th><th>file</th><th>kind</th><th>met / handshake p50</th><th>not "
      "met / handshake p99</th></tr></thead><tbody>",
      f);
  for (size_t i = 0; i < h->n; i++) {
    const struct night *n = &h->nights[i];
    fprintf(f, "<tr data-kind=\"%s\"><td>%s</td><td>",
            n->probe ? "probe" : "loadgen", n->started);
    svg_text(f, n->file);
    fprintf(f, "</td><td>%s</td>", n->probe ? "probe" : "loadgen");
    if (n->probe) {
      fprintf(f, "<td class=\"num\">%.0f</td><td class=\"num\">%.0f</td>", n->a,
              n->b);
    } else {
      char a[32], b[32];
      report_format_ns(a, sizeof(a), isfinite(n->a) ? n->a : -1);
      report_format_ns(b, sizeof(b), isfinite(n->b) ? n->b : -1);
      fprintf(f, "<td class=\"num\">%s</td><td class=\"num\">%s</td>", a, b);
    }
    fputs("</tr>", f);
  }
  fputs("</tbody></table></div>\n", f);
}

int html_history_section(FILE *f, const char *dir,
                         const struct report_result *current, size_t n) {
  struct history h = {0};
  int status = read_dir(dir, &h);
  time_t now = time(NULL);
  for (size_t i = 0; status == 0 && i < n; i++) {
    struct night night;
    night_of(&current[i], now, &night);
    status = add_night(&h, &night);
  }
  if (status == 0) {
    qsort(h.nights, h.n, sizeof(*h.nights), cmp_nights);
    fprintf(f, "<section class=\"history\">\n<h2>History (%zu runs)</h2>\n",
            h.n);
    fputs("<div class=\"charts\">", f);
    trend(f, &h, true, "cases met and not met per run",
          (struct svg_axis){SVG_AXIS_NUMBER, "cases"}, "met", "not met");
    trend(f, &h, false, "handshake latency per run",
          (struct svg_axis){SVG_AXIS_DURATION, "latency"}, "p50", "p99");
    fputs("</div>\n", f);
    table(f, &h);
    fputs("</section>\n", f);
  }
  free(h.nights);
  return status;
}
