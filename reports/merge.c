// mtlskit report merge: add up the HdrHistogram interval logs of several
// load generator workers, tag by tag, into one exact distribution.
#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "mtlskit/cli.h"
#include "mtlskit/hdrlog.h"
#include "mtlskit/hist_report.h"
#include "mtlskit/json.h"
#include "report.h"

#define MAX_TAGS 64

struct tag_hist {
  char name[MTK_HDRLOG_TAG_MAX];
  struct mtk_hist hist;
  uint64_t intervals;
};

struct merged {
  struct tag_hist tags[MAX_TAGS];
  size_t num_tags;
  bool exact;
  bool have_span;
  double first_start;  // absolute seconds since the epoch, or relative
  double last_end;
};

void report_merge_usage(FILE *f) {
  fprintf(
      f,
      "usage: mtlskit report merge FILE... [--output FILE] [--json]\n"
      "\n"
      "Read HdrHistogram interval logs (from mtlskit loadgen --hdr-log or\n"
      "any HdrHistogram writer) and add every interval of every file into\n"
      "one histogram per tag (connect, handshake, ttfb, total). Logs with\n"
      "the same histogram range and precision merge exactly.\n"
      "\n"
      "  --output FILE  also write the merged histograms as an HdrHistogram\n"
      "                 log (one interval per tag spanning all inputs)\n"
      "  --json         one JSON document (schema_version 1) on stdout\n"
      "  --help\n"
      "\n"
      "Exit status: 0 merged, 2 usage error or a file without any\n"
      "interval, 3 a file cannot be read or written or holds a corrupt\n"
      "histogram, 4 internal error.\n");
}

static struct tag_hist *find_tag(struct merged *m, const char *name,
                                 const struct mtk_hist *model, int *err) {
  for (size_t i = 0; i < m->num_tags; i++) {
    if (strcmp(m->tags[i].name, name) == 0) return &m->tags[i];
  }
  if (m->num_tags == MAX_TAGS) {
    *err = MTK_ERANGE;
    return NULL;
  }
  struct tag_hist *t = &m->tags[m->num_tags];
  *err = mtk_hist_init_like(&t->hist, model);
  if (*err != 0) return NULL;
  snprintf(t->name, sizeof(t->name), "%s", name);
  m->num_tags++;
  return t;
}

static int merge_file(struct merged *m, const char *path) {
  FILE *f = fopen(path, "r");
  if (f == NULL) {
    mtk_cli_error("%s: %s", path, mtk_strerror(mtk_errno_get()));
    return MTK_EXIT_RUNTIME;
  }
  struct mtk_hdrlog_reader r;
  struct mtk_hdrlog_entry e;
  struct mtk_diag diag;
  mtk_diag_init(&diag);
  mtk_hdrlog_reader_init(&r, f);
  int status = 0, rc, count = 0;
  while ((rc = mtk_hdrlog_read_next(&r, &e, &diag)) == 1) {
    int err = 0;
    struct tag_hist *t = find_tag(m, e.tag, &e.counts.layout, &err);
    if (t == NULL) {
      mtk_hdrlog_entry_cleanup(&e);
      mtk_cli_error("%s: %s", path,
                    err == MTK_ERANGE ? "too many tags" : mtk_strerror(err));
      status = err == MTK_ERANGE ? MTK_EXIT_USAGE : MTK_EXIT_INTERNAL;
      break;
    }
    bool exact = true;
    if (mtk_hdrlog_counts_merge(&t->hist, &e.counts, &exact) != 0) {
      mtk_hdrlog_entry_cleanup(&e);
      mtk_cli_error("%s: the merged histogram's total overflows", path);
      status = MTK_EXIT_RUNTIME;
      break;
    }
    m->exact = m->exact && exact;
    t->intervals++;
    double base = r.has_base_time    ? r.base_time
                  : r.has_start_time ? r.start_time
                                     : 0;
    double start = base + e.start;
    if (!m->have_span || start < m->first_start) m->first_start = start;
    if (!m->have_span || start + e.length > m->last_end) {
      m->last_end = start + e.length;
    }
    m->have_span = true;
    count++;
    mtk_hdrlog_entry_cleanup(&e);
  }
  if (rc < 0) {
    mtk_cli_error("%s: %s", path, mtk_diag_message(&diag, rc));
    status = mtk_exit_status(rc);
  } else if (status == 0 && count == 0) {
    mtk_cli_error("%s: no histogram interval in this file", path);
    status = MTK_EXIT_USAGE;
  }
  mtk_hdrlog_reader_cleanup(&r);
  fclose(f);
  return status;
}

int report_merge_main(int argc, char **argv) {
  static const struct option opts[] = {
      {"output", required_argument, NULL, 'o'},
      {"json", no_argument, NULL, 'j'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  const char *output = NULL;
  bool json = false;
  int opt;
  opterr = 0;
  optind = 1;
  while ((opt = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
    switch (opt) {
      case 'o':
        output = optarg;
        break;
      case 'j':
        json = true;
        break;
      case 'h':
        report_merge_usage(stdout);
        return MTK_EXIT_OK;
      default:
        return mtk_cli_option_error(opt, argv);
    }
  }
  if (optind >= argc) {
    return mtk_cli_usage_error("merge: give at least one log FILE");
  }
  struct merged *m = calloc(1, sizeof(*m));
  if (m == NULL) return mtk_cli_fail(MTK_ENOMEM, NULL);
  m->exact = true;
  int status = MTK_EXIT_OK;
  for (int i = optind; i < argc && status == MTK_EXIT_OK; i++) {
    status = merge_file(m, argv[i]);
  }
  if (status != MTK_EXIT_OK) goto out;
  if (!m->exact) {
    mtk_cli_warn(
        "the logs use different histogram ranges or precisions: "
        "merged by bucket midpoints, not exactly");
  }
  if (output != NULL) {
    FILE *f = fopen(output, "w");
    int err = f == NULL
                  ? mtk_errno_get()
                  : mtk_hdrlog_write_header(f, m->first_start, m->first_start);
    for (size_t i = 0; err == 0 && i < m->num_tags; i++) {
      err = mtk_hdrlog_write_interval(f, m->tags[i].name, 0.0,
                                      m->last_end - m->first_start,
                                      &m->tags[i].hist);
    }
    if (f != NULL && fclose(f) != 0 && err == 0) err = mtk_errno_get();
    if (err != 0) {
      mtk_cli_error("--output %s: %s", output, mtk_strerror(err));
      status = MTK_EXIT_RUNTIME;
      goto out;
    }
  }
  if (json) {
    json_t *tags = json_object();
    for (size_t i = 0; i < m->num_tags; i++) {
      json_object_set_new(tags, m->tags[i].name,
                          mtk_hist_report_json(&m->tags[i].hist));
    }
    json_t *files = json_array();
    for (int i = optind; i < argc; i++)
      json_array_append_new(files, json_string(argv[i]));
    json_t *root = json_pack("{s:i, s:o, s:b, s:f, s:o}", "schema_version", 1,
                             "files", files, "exact", m->exact, "span_s",
                             m->last_end - m->first_start, "tags", tags);
    if (root == NULL) {
      status = mtk_cli_fail(MTK_ENOMEM, NULL);
      goto out;
    }
    int print_err = mtk_json_print(stdout, root);
    if (print_err != 0) {
      status = mtk_cli_fail(print_err, NULL);
      goto out;
    }
  } else {
    printf("merged %d file%s, %.3fs span%s\n", argc - optind,
           argc - optind == 1 ? "" : "s", m->last_end - m->first_start,
           m->exact ? "" : " (inexact)");
    mtk_hist_report_print_header(stdout, "tag");
    for (size_t i = 0; i < m->num_tags; i++) {
      mtk_hist_report_print_row(
          stdout, m->tags[i].name[0] != '\0' ? m->tags[i].name : "(untagged)",
          &m->tags[i].hist);
    }
  }
  if (fflush(stdout) != 0) status = MTK_EXIT_RUNTIME;
out:
  for (size_t i = 0; i < m->num_tags; i++) mtk_hist_cleanup(&m->tags[i].hist);
  free(m);
  return status;
}
