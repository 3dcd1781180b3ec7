// The attempts of a probe result and the accessors every report shares
// (result.h), and the outline of a document jansson read (outline.h). Plain
// C, in the library of outline.cc, so that the outline's unit test and fuzz
// target compare the two readers with the walk the reports use.
#include <stdlib.h>

#include "outline.h"
#include "result.h"

const char *report_str(const json_t *obj, const char *key, const char *dflt) {
  const json_t *v = json_object_get(obj, key);
  return json_is_string(v) ? json_string_value(v) : dflt;
}

double report_num(const json_t *obj, const char *key, double dflt) {
  const json_t *v = json_object_get(obj, key);
  return json_is_number(v) ? json_number_value(v) : dflt;
}

void report_each_attempt(const json_t *doc, report_attempt_cb cb, void *arg) {
  size_t ti, ai;
  const json_t *t, *a;
  json_array_foreach(json_object_get(doc, "targets"), ti, t) {
    json_array_foreach(json_object_get(t, "results"), ai, a) {
      if (json_is_object(a)) cb(t, a, arg);
    }
  }
}

const char *report_observed(const json_t *attempt) {
  return report_str(json_object_get(attempt, "observed"), "text", "");
}

struct collect {
  struct report_attempt *rows;
  size_t num;
  bool failed;
};

static void collect_attempt(const json_t *t, const json_t *a, void *arg) {
  struct collect *c = arg;
  if (c->failed) return;
  if ((c->num & (c->num - 1)) == 0) {  // 0, 1, 2, 4...: grow
    size_t cap = c->num == 0 ? 1 : 2 * c->num;
    void *grown = realloc(c->rows, cap * sizeof(*c->rows));
    if (grown == NULL) {
      c->failed = true;
      return;
    }
    c->rows = grown;
  }
  c->rows[c->num++] = (struct report_attempt){
      report_str(t, "name", ""), report_str(a, "case", ""),
      report_str(a, "result", ""), report_observed(a)};
}

int report_outline_from_doc(json_t *doc, struct report_outline *out) {
  struct collect c = {NULL, 0, false};
  report_each_attempt(doc, collect_attempt, &c);
  if (c.failed) {
    free(c.rows);
    json_decref(doc);
    *out = (struct report_outline){0};
    return -1;
  }
  *out = (struct report_outline){doc, c.rows, c.num, NULL};
  return 0;
}

void report_outline_cleanup(struct report_outline *o) {
  json_decref(o->doc);
  free(o->attempts);
  free(o->strings);
  *o = (struct report_outline){0};
}
