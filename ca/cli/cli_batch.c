// Identities for `mtlskit ca issue`: validation of one, and --batch files.
#include "cli_batch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mtlskit/file.h"

// merge_opts gives |o|'s options precedence over |base|'s. A line's --days
// also drops the defaults' --not-after (they exclude each other) and their
// --not-before, so that --days counts from now unless the line says else.
static void merge_opts(const struct cli_opts *base, const struct cli_opts *o,
                       struct cli_opts *out) {
  *out = *base;
  for (int i = 0; i < OPT_COUNT; i++) {
    if (o->v[i] != NULL) {
      out->v[i] = o->v[i];
    }
  }
  if (o->num_sans > 0) {
    memcpy(out->sans, o->sans, o->num_sans * sizeof(o->sans[0]));
    out->num_sans = o->num_sans;
  }
  if (o->v[OPT_DAYS] != NULL && o->v[OPT_NOT_AFTER] == NULL) {
    out->v[OPT_NOT_AFTER] = NULL;
    out->v[OPT_NOT_BEFORE] = o->v[OPT_NOT_BEFORE];
  }
}

int issue_item_from_opts(const struct cli_opts *base, const struct cli_opts *o,
                         time_t now, struct issue_item *it, const char *where,
                         struct mtk_diag *diag) {
  struct cli_opts m;
  merge_opts(base, o, &m);
  mtk_dn_init(&it->dn);
  mtk_san_list_init(&it->san);
  int err = 0;
  if (o->num_pos != 1) {
    err = mtk_diag_set(diag, MTK_EUSAGE, "expected exactly one NAME");
  } else if (m.v[OPT_SUBJECT] == NULL) {
    err = mtk_diag_set(diag, MTK_EUSAGE, "--subject is required");
  } else if ((err = mtk_ca_check_name(o->pos[0], diag)) == 0 &&
             (err = mtk_dn_parse(m.v[OPT_SUBJECT], &it->dn, diag)) == 0 &&
             (err = cli_parse_sans(&m, &it->san, diag)) == 0 &&
             (err = cli_parse_validity(&m, now, &it->validity, diag)) == 0 &&
             (err = cli_parse_key_type(m.v[OPT_KEY_TYPE], MTK_KEY_P256,
                                       &it->key_type, diag)) == 0 &&
             (err = cli_parse_digest(m.v[OPT_DIGEST], &it->digest, diag)) ==
                 0 &&
             (err = cli_parse_profile(m.v[OPT_PROFILE], &it->profile,
                                      &it->section, diag)) == 0 &&
             (err = cli_parse_p12_profile(m.v[OPT_P12_PROFILE],
                                          &it->p12_profile, diag)) == 0) {
    // --p12 names one file: it is never a default for a batch.
    it->name = strdup(o->pos[0]);
    it->p12 = o->v[OPT_P12] != NULL ? strdup(o->v[OPT_P12]) : NULL;
    if (it->name == NULL || (o->v[OPT_P12] != NULL && it->p12 == NULL)) {
      err = MTK_ENOMEM;
    }
  }
  if (err != 0 && where != NULL) {
    mtk_diag_prefix(diag, err, "%s", where);
  }
  return err;
}

void issue_item_free(struct issue_item *it) {
  free(it->name);
  free(it->p12);
  free(it->section);
  mtk_dn_cleanup(&it->dn);
  mtk_san_list_cleanup(&it->san);
}

void issue_items_free(struct issue_item *items, size_t num) {
  for (size_t i = 0; i < num; i++) {
    issue_item_free(&items[i]);
  }
  free(items);
}

// split_words splits |line| in place into sh-like words: whitespace
// separates, '...' is literal, "..." allows \" and \\, a backslash outside
// quotes escapes the next character, '#' at a word start ends the line.
static int split_words(char *line, char **words, int max, int *out_num) {
  int n = 0;
  char *r = line, *w = line;
  for (;;) {
    while (*r == ' ' || *r == '\t' || *r == '\r') {
      r++;
    }
    if (*r == '\0' || *r == '#') {
      break;
    }
    if (n == max) {
      return MTK_ERANGE;
    }
    words[n++] = w;
    while (*r != '\0' && *r != ' ' && *r != '\t' && *r != '\r') {
      if (*r == '\'') {
        r++;
        while (*r != '\0' && *r != '\'') {
          *w++ = *r++;
        }
        if (*r != '\'') {
          return MTK_EPARSE;
        }
        r++;
      } else if (*r == '"') {
        r++;
        while (*r != '\0' && *r != '"') {
          if (*r == '\\' && (r[1] == '"' || r[1] == '\\')) {
            r++;
          }
          *w++ = *r++;
        }
        if (*r != '"') {
          return MTK_EPARSE;
        }
        r++;
      } else if (*r == '\\' && r[1] != '\0') {
        r++;
        *w++ = *r++;
      } else {
        *w++ = *r++;
      }
    }
    bool end = *r == '\0';
    *w++ = '\0';
    if (end) {
      break;
    }
    r++;
  }
  *out_num = n;
  return 0;
}

static int cmp_item_name(const void *a, const void *b) {
  const struct issue_item *x = *(const struct issue_item *const *)a;
  const struct issue_item *y = *(const struct issue_item *const *)b;
  int c = strcmp(x->name, y->name);
  return c != 0 ? c : (x->lineno > y->lineno) - (x->lineno < y->lineno);
}

// check_unique_names refuses a batch that names one identity twice
// (sorting, so a fleet of 10,000 is checked in n log n).
static int check_unique_names(struct issue_item *items, size_t num,
                              const char *path, struct mtk_diag *diag) {
  struct issue_item **sorted = calloc(num, sizeof(*sorted));
  if (sorted == NULL) {
    return MTK_ENOMEM;
  }
  for (size_t i = 0; i < num; i++) {
    sorted[i] = &items[i];
  }
  qsort(sorted, num, sizeof(*sorted), cmp_item_name);
  int err = 0;
  for (size_t i = 1; i < num && err == 0; i++) {
    if (strcmp(sorted[i - 1]->name, sorted[i]->name) == 0) {
      err = mtk_diag_set(diag, MTK_EDUPLICATE,
                         "%.200s line %zu: name '%s' appears twice in the "
                         "batch",
                         path, sorted[i]->lineno, sorted[i]->name);
    }
  }
  free(sorted);
  return err;
}

// add_line validates the batch line |line| (number |lineno|) and, unless it
// is blank, appends its identity to |items|.
static int add_line(const char *path, size_t lineno, char *line,
                    const struct cli_opts *base, time_t now,
                    struct issue_item **items, size_t *num, size_t *cap,
                    struct mtk_diag *diag) {
  char where[300];
  snprintf(where, sizeof(where), "%.200s line %zu", path, lineno);
  char *words[64];
  int nw = 0;
  if (split_words(line, words, 64, &nw) != 0) {
    return mtk_diag_set(diag, MTK_EUSAGE,
                        "%s: unbalanced quotes or too many words", where);
  }
  if (nw == 0) {
    return 0;
  }
  struct cli_opts o = {0};
  int err = cli_parse_opts(nw, words, ISSUE_ITEM_OPTS, &o, where, diag);
  if (err != 0) {
    return err;
  }
  if (*num == *cap) {
    struct issue_item *grown = realloc(*items, 2 * *cap * sizeof(**items));
    if (grown == NULL) {
      return MTK_ENOMEM;
    }
    *items = grown;
    *cap *= 2;
  }
  struct issue_item *it = &(*items)[*num];
  memset(it, 0, sizeof(*it));
  if ((err = issue_item_from_opts(base, &o, now, it, where, diag)) != 0) {
    issue_item_free(it);
    return err;
  }
  it->lineno = lineno;
  (*num)++;
  return 0;
}

int issue_batch_load(const char *path, const struct cli_opts *base, time_t now,
                     struct issue_item **out, size_t *out_num,
                     struct mtk_diag *diag) {
  char *text = NULL;
  size_t len = 0;
  int err = mtk_file_read(path, 256u << 20, &text, &len, diag);
  if (err != 0) {
    return err;
  }
  size_t cap = 64, num = 0;
  struct issue_item *items = calloc(cap, sizeof(*items));
  if (items == NULL) {
    free(text);
    return MTK_ENOMEM;
  }
  size_t lineno = 0;
  for (char *line = text; err == 0 && line != NULL && *line != '\0';) {
    char *nl = strchr(line, '\n');
    if (nl != NULL) {
      *nl = '\0';
    }
    err = add_line(path, ++lineno, line, base, now, &items, &num, &cap, diag);
    line = nl != NULL ? nl + 1 : NULL;
  }
  free(text);
  if (err == 0 && num == 0) {
    err = mtk_diag_set(diag, MTK_EUSAGE, "%s has no identities", path);
  }
  if (err == 0) {
    err = check_unique_names(items, num, path, diag);
  }
  if (err != 0) {
    issue_items_free(items, num);
    return err;
  }
  *out = items;
  *out_num = num;
  return 0;
}
