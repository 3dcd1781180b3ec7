// The conformance part of `report html`: a probe result's header and
// totals, the matrix of cases by targets, and the details table with the
// cases not met first (see html.h).
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "svg.h"

// How each result is shown: a symbol and a word, so that a cell reads
// without colour, and its rank in the details table (most urgent first).
struct verdict_look {
  const char *result;  // as in the JSON
  const char *symbol;
  const char *word;
  int rank;
};

static const struct verdict_look looks[] = {
    {"not-met", "\xe2\x9c\x97", "NOT MET", 0},  // U+2717 ballot x
    {"error", "!", "error", 1},
    {"incomplete", "\xe2\x80\xa6", "incomplete", 2},  // U+2026 ellipsis
    {"unspecified", "?", "unspecified", 3},
    {"met", "\xe2\x9c\x93", "met", 4},          // U+2713 check mark
    {"skipped", "\xe2\x80\x93", "skipped", 5},  // U+2013 en dash
};
#define NUM_LOOKS (sizeof(looks) / sizeof(looks[0]))

static const struct verdict_look *look_of(const char *result) {
  for (size_t i = 0; i < NUM_LOOKS; i++) {
    if (strcmp(looks[i].result, result) == 0) return &looks[i];
  }
  return &looks[1];
}

// One attempt in the details table; equal rows of several targets merge.
struct detail_row {
  int rank;
  size_t case_idx;  // order of the case's first appearance
  const char *case_name, *expected, *observed, *stage, *basis, *source;
  const char *result, *target;
};

static int cmp_str(const char *a, const char *b) { return strcmp(a, b); }

// same_row: two attempts that show the same thing apart from the target.
static bool same_row(const struct detail_row *a, const struct detail_row *b) {
  return a->rank == b->rank && a->case_idx == b->case_idx &&
         cmp_str(a->expected, b->expected) == 0 &&
         cmp_str(a->observed, b->observed) == 0 &&
         cmp_str(a->stage, b->stage) == 0 && cmp_str(a->source, b->source) == 0;
}

static int cmp_rows(const void *pa, const void *pb) {
  const struct detail_row *a = pa, *b = pb;
  if (a->rank != b->rank) return a->rank - b->rank;
  if (a->case_idx != b->case_idx) return a->case_idx < b->case_idx ? -1 : 1;
  int c = cmp_str(a->expected, b->expected);
  if (c == 0) c = cmp_str(a->observed, b->observed);
  if (c == 0) c = cmp_str(a->stage, b->stage);
  if (c == 0) c = cmp_str(a->source, b->source);
  return c;
}

// The attempts of one probe result, indexed for the matrix and the details.
struct probe_index {
  json_t *case_pos;  // case name -> its position (integer)
  const char **cases;
  size_t num_cases;
  struct detail_row *rows;
  size_t num_rows;
};

static void fill_row(struct detail_row *row, const json_t *t, const json_t *a,
                     size_t case_idx) {
  const json_t *obs = json_object_get(a, "observed");
  row->result = report_str(a, "result", "");
  row->rank = look_of(row->result)->rank;
  row->case_idx = case_idx;
  row->case_name = report_str(a, "case", "");
  row->expected = report_str(a, "expected", "");
  row->observed = report_str(obs, "text", "");
  row->stage = report_str(obs, "stage", "");
  row->basis = report_str(a, "basis", "");
  row->source = report_str(a, "source", "");
  row->target = report_str(t, "name", "");
}

static void index_attempt(const json_t *t, const json_t *a, void *arg) {
  struct probe_index *ix = arg;
  const char *name = report_str(a, "case", "");
  const json_t *pos = json_object_get(ix->case_pos, name);
  size_t idx;
  if (pos != NULL) {
    idx = (size_t)json_integer_value(pos);
  } else {
    idx = ix->num_cases;
    ix->cases[ix->num_cases++] = name;
    json_object_set_new(ix->case_pos, name, json_integer((json_int_t)idx));
  }
  fill_row(&ix->rows[ix->num_rows++], t, a, idx);
}

static void count_attempt(const json_t *t, const json_t *a, void *arg) {
  (void)t;
  (void)a;
  (*(size_t *)arg)++;
}

static int index_probe(const json_t *doc, struct probe_index *ix) {
  size_t n = 0;
  report_each_attempt(doc, count_attempt, &n);
  memset(ix, 0, sizeof(*ix));
  ix->case_pos = json_object();
  ix->cases = calloc(n + 1, sizeof(*ix->cases));
  ix->rows = calloc(n + 1, sizeof(*ix->rows));
  if (ix->case_pos == NULL || ix->cases == NULL || ix->rows == NULL) {
    return MTK_EXIT_INTERNAL;
  }
  report_each_attempt(doc, index_attempt, ix);
  return 0;
}

static void free_index(struct probe_index *ix) {
  json_decref(ix->case_pos);
  free(ix->cases);
  free(ix->rows);
}

static void header(FILE *f, const struct report_result *r) {
  const json_t *d = r->doc, *s = json_object_get(d, "summary");
  bool met = report_num(s, "not_met", 0) == 0 && report_num(s, "error", 0) == 0;
  fprintf(f,
          "<h2>Conformance: <span class=\"verdict %s\">%s</span> "
          "<small>",
          met ? "ok" : "bad",
          met ? "\xe2\x9c\x93 met" : "\xe2\x9c\x97 NOT MET");
  svg_text(f, r->path);
  fputs("</small></h2>\n<dl class=\"meta\">", f);
  html_meta(f, "started", report_str(d, "started_at", "unknown"));
  html_meta(f, "generator", report_str(d, "generator", ""));
  html_meta(f, "fixtures", report_str(d, "fixtures", ""));
  char elapsed[32];
  snprintf(elapsed, sizeof(elapsed), "%.2f s",
           report_num(d, "elapsed_ms", 0) / 1e3);
  html_meta(f, "elapsed", elapsed);
  fputs("</dl>\n<ul class=\"totals\">", f);
  static const struct {
    const char *key, *result;
  } totals[] = {{"met", "met"},
                {"not_met", "not-met"},
                {"unspecified", "unspecified"},
                {"skipped", "skipped"},
                {"incomplete", "incomplete"},
                {"error", "error"}};
  for (size_t i = 0; i < sizeof(totals) / sizeof(totals[0]); i++) {
    const struct verdict_look *l = look_of(totals[i].result);
    double n = report_num(s, totals[i].key, 0);
    fprintf(f, "<li class=\"r-%s%s\" data-total=\"%s\"><b>%.0f</b> %s %s</li>",
            l->result, n == 0 ? " zero" : "", totals[i].key, n, l->symbol,
            l->word);
  }
  fputs("</ul>\n", f);
}

static void targets_table(FILE *f, const json_t *doc) {
  fputs(
      "<div class=\"scroll\"><table class=\"targets\"><thead><tr><th>target"
      "</th><th>URL</th><th>profile</th><th>TLS</th><th>trust</th><th>"
      "server trust</th><th>state</th></tr></thead><tbody>",
      f);
  size_t i;
  const json_t *t;
  json_array_foreach(json_object_get(doc, "targets"), i, t) {
    const char *cells[] = {
        report_str(t, "name", ""),        report_str(t, "url", ""),
        report_str(t, "profile", ""),     report_str(t, "tls", ""),
        report_str(t, "trust", ""),       report_str(t, "server_trust", ""),
        report_str(t, "error", "reached")};
    fputs("<tr>", f);
    for (size_t k = 0; k < sizeof(cells) / sizeof(cells[0]); k++) {
      fputs("<td>", f);
      svg_text(f, cells[k]);
      fputs("</td>", f);
    }
    fputs("</tr>", f);
  }
  fputs("</tbody></table></div>\n", f);
}

// cell writes one matrix cell: the verdict's symbol, and the expected and
// observed outcome, stage and source in a tip shown on hover and focus.
static void cell(FILE *f, const struct detail_row *row) {
  const struct verdict_look *l = look_of(row->result);
  // Compact markup: a large matrix has ten thousand of these.
  fprintf(f, "<td class=r-%s tabindex=0>%s<i>%s: ", l->result, l->symbol,
          l->word);
  svg_text(f, row->case_name);
  fputs("\nexpected ", f);
  svg_text(f, row->expected);
  fputs("\nobserved ", f);
  svg_text(f, row->observed[0] ? row->observed : "-");
  if (row->stage[0]) {
    fputs(" at ", f);
    svg_text(f, row->stage);
  }
  fputc('\n', f);
  svg_text(f, row->source);
  fputs("</i></td>", f);
}

// matrix writes one row per target and one column per case (the case
// names written upwards), so that a few targets take a few lines.
static void matrix(FILE *f, const json_t *doc, const struct probe_index *ix) {
  const json_t *targets = json_object_get(doc, "targets");
  size_t num_targets = json_array_size(targets);
  // grid[target * num_cases + case]: the attempt's row, or NULL.
  const struct detail_row **grid =
      calloc(num_targets * ix->num_cases + 1, sizeof(*grid));
  if (grid == NULL) return;
  size_t ti = 0;
  for (size_t r = 0; r < ix->num_rows; r++) {
    while (ti < num_targets &&
           strcmp(report_str(json_array_get(targets, ti), "name", ""),
                  ix->rows[r].target) != 0) {
      ti++;
    }
    if (ti == num_targets) break;
    grid[ti * ix->num_cases + ix->rows[r].case_idx] = &ix->rows[r];
  }
  fputs(
      "<div class=\"scroll\"><table class=\"matrix\"><thead><tr>"
      "<th>target</th>",
      f);
  for (size_t c = 0; c < ix->num_cases; c++) {
    fputs("<th class=\"case\"><span>", f);
    svg_text(f, ix->cases[c]);
    fputs("</span></th>", f);
  }
  fputs("</tr></thead><tbody>", f);
  for (size_t t = 0; t < num_targets; t++) {
    fputs("<tr><th>", f);
    svg_text(f, report_str(json_array_get(targets, t), "name", ""));
    fputs("</th>", f);
    for (size_t c = 0; c < ix->num_cases; c++) {
      const struct detail_row *row = grid[t * ix->num_cases + c];
      if (row != NULL) {
        cell(f, row);
      } else {
        fputs("<td class=\"r-none\">\xc2\xb7</td>", f);
      }
    }
    fputs("</tr>", f);
  }
  fputs("</tbody></table></div>\n", f);
  free(grid);
}

// details writes the attempts, most urgent first, equal ones of several
// targets as one row naming them.
static void details(FILE *f, struct probe_index *ix) {
  // The matrix needs the rows in document order; sort a copy.
  struct detail_row *rows = calloc(ix->num_rows + 1, sizeof(*rows));
  if (rows == NULL) return;
  memcpy(rows, ix->rows, ix->num_rows * sizeof(*rows));
  qsort(rows, ix->num_rows, sizeof(*rows), cmp_rows);
  fputs(
      "<div class=\"scroll\"><table class=\"details\"><thead><tr><th>verdict"
      "</th><th>case</th><th>targets</th><th>expected</th><th>observed</th>"
      "<th>stage</th><th>basis</th><th>source</th></tr></thead><tbody>",
      f);
  for (size_t i = 0; i < ix->num_rows;) {
    size_t j = i + 1;
    while (j < ix->num_rows && same_row(&rows[i], &rows[j])) j++;
    const struct verdict_look *l = look_of(rows[i].result);
    fprintf(f, "<tr class=\"row-%s\"><td class=\"r-%s\">%s %s</td><td>",
            l->result, l->result, l->symbol, l->word);
    svg_text(f, rows[i].case_name);
    fputs("</td><td>", f);
    for (size_t k = i; k < j && k < i + 8; k++) {
      if (k > i) fputs(", ", f);
      svg_text(f, rows[k].target);
    }
    if (j - i > 8) fprintf(f, " and %zu more", j - i - 8);
    const char *cells[] = {rows[i].expected, rows[i].observed, rows[i].stage,
                           rows[i].basis, rows[i].source};
    for (size_t k = 0; k < sizeof(cells) / sizeof(cells[0]); k++) {
      fputs("</td><td>", f);
      svg_text(f, cells[k]);
    }
    fputs("</td></tr>", f);
    i = j;
  }
  fputs("</tbody></table></div>\n", f);
  free(rows);
}

int html_probe_section(FILE *f, const struct report_result *r,
                       bool details_only) {
  struct probe_index ix;
  if (index_probe(r->doc, &ix) != 0) {
    free_index(&ix);
    mtk_cli_error("out of memory");
    return MTK_EXIT_INTERNAL;
  }
  if (details_only) {
    fputs("<section class=\"probe-details\">\n<h3>Details of ", f);
    svg_text(f, r->path);
    fputs(", most urgent first</h3>\n", f);
    details(f, &ix);
  } else {
    fputs("<section class=\"probe\">\n", f);
    header(f, r);
    targets_table(f, r->doc);
    html_verdict_legend(f);
    matrix(f, r->doc, &ix);
  }
  fputs("</section>\n", f);
  free_index(&ix);
  return 0;
}

void html_verdict_legend(FILE *f) {
  fputs("<p class=\"key\">", f);
  for (size_t i = 0; i < NUM_LOOKS; i++) {
    fprintf(f, "<span class=\"r-%s\">%s %s</span> ", looks[i].result,
            looks[i].symbol, looks[i].word);
  }
  fputs("</p>\n", f);
}
