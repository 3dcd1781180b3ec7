#include "record.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "mtlskit/error.h"
#include "mtlskit/file.h"
#include "profile_file.h"

// Client key types a platform is not expected to refuse: a plain case with
// another one that is refused records that type as unsupported rather than
// widening the "none" cell.
static const char *const usual_keys[] = {"p256",    "p384",    "rsa2048",
                                         "rsa3072", "rsa4096", NULL};

static bool usual_key(const char *key_type) {
  for (size_t i = 0; key_type != NULL && usual_keys[i] != NULL; i++) {
    if (strcmp(usual_keys[i], key_type) == 0) {
      return true;
    }
  }
  return key_type == NULL;
}

// observed_expect turns the outcome |o| into the expectation that allows
// it: after a TLS 1.3 handshake (stage first-read) an alert may also
// arrive as a reset, and a close as a reset or the other way round
// (docs/platforms.md §6.4).
static int observed_expect(const struct mtk_outcome *o,
                           struct mtk_probe_expect *out) {
  char text[96];
  bool late = o->stage == MTK_STAGE_FIRST_READ;
  switch (o->kind) {
    case MTK_OUTCOME_HTTP:
      snprintf(text, sizeof(text), "http %d", o->http_status);
      break;
    case MTK_OUTCOME_TLS_ALERT:
      snprintf(text, sizeof(text), "tls-alert %d%s", o->alert,
               late ? "|reset" : "");
      break;
    case MTK_OUTCOME_RESET:
    case MTK_OUTCOME_CLOSED:
      snprintf(text, sizeof(text), "%s",
               late ? "closed|reset" : mtk_outcome_kind_name(o->kind));
      break;
    default:
      snprintf(text, sizeof(text), "%s", mtk_outcome_kind_name(o->kind));
      break;
  }
  return mtk_probe_expect_parse(text, out, NULL);
}

// What the run saw per defect, and for unusual key types.
struct observed {
  struct mtk_probe_expect cells[MTK_DEFECT_COUNT];
  bool single[MTK_DEFECT_COUNT];  // a case with this defect alone ran
  struct mtk_probe_expect keys;
  const char *key_types[16];
  size_t num_key_types;
};

static int add(struct mtk_probe_expect *e, const struct mtk_outcome *o) {
  struct mtk_probe_expect one;
  int err = observed_expect(o, &one);
  return err != 0 ? err : mtk_probe_expect_union(e, &one);
}

// add_single records the cases with one defect: a plain case with an
// unusual key type that is not a success goes to the key-type cell.
static int add_single(struct observed *obs, const struct mtk_probe_attempt *a) {
  const struct mtk_probe_case *k = a->kase;
  enum mtk_defect d = k->defects[0];
  if (d == MTK_DEFECT_NONE && !usual_key(k->key_type)) {
    bool ok = a->outcome.kind == MTK_OUTCOME_HTTP &&
              a->outcome.http_status / 100 == 2;
    if (ok || obs->num_key_types == 16) {
      return ok ? add(&obs->cells[d], &a->outcome) : MTK_ERANGE;
    }
    obs->key_types[obs->num_key_types++] = k->key_type;
    return add(&obs->keys, &a->outcome);
  }
  obs->single[d] = true;
  return add(&obs->cells[d], &a->outcome);
}

// add_multi records a case with several defects: nothing when a cell of
// one of them already allows the outcome, else the outcome goes to the
// first defect no single case covers (or the first defect).
static int add_multi(struct observed *obs, const struct mtk_probe_attempt *a) {
  const struct mtk_probe_case *k = a->kase;
  size_t pick = 0;
  for (size_t i = 0; i < k->num_defects; i++) {
    if (mtk_probe_expect_matches(&obs->cells[k->defects[i]], &a->outcome)) {
      return 0;
    }
  }
  for (size_t i = k->num_defects; i-- > 0;) {
    pick = obs->single[k->defects[i]] ? pick : i;
  }
  return add(&obs->cells[k->defects[pick]], &a->outcome);
}

static json_t *cell_json(const struct mtk_probe_expect *e, const char *source) {
  char text[512];
  if (mtk_probe_expect_format(text, sizeof(text), e) != 0) {
    return NULL;
  }
  return json_pack("{s:s, s:s, s:s}", "expect", text, "basis", "O", "source",
                   source);
}

static json_t *profile_json(const struct observed *obs, const char *name,
                            const struct mtk_probe_target *t,
                            const char *date) {
  char tls[16], source[512], summary[512];
  snprintf(tls, sizeof(tls), "%s",
           t->tls == 12   ? "1.2"
           : t->tls == 13 ? "1.3"
                          : "negotiated");
  snprintf(source, sizeof(source), "observed at %s on %s (TLS %s)", t->url,
           date, tls);
  snprintf(summary, sizeof(summary), "recorded from %s on %s", t->url, date);
  json_t *cells = json_object();
  json_t *root = json_pack(
      "{s:i, s:s, s:s, s:s, s:{s:s, s:s, s:s}}", "mtlskit_profile",
      MTK_PROBE_PROFILE_SCHEMA, "name", name, "summary", summary, "assumes",
      "the configuration the target had when it was recorded", "recorded",
      "date", date, "tls", tls, "target", t->url);
  if (root == NULL || cells == NULL ||
      json_object_set_new(root, "cells", cells) != 0) {
    json_decref(root);
    return NULL;
  }
  for (int d = 0; d < MTK_DEFECT_COUNT; d++) {
    if (obs->cells[d].num_matches > 0 &&
        json_object_set_new(cells, mtk_defect_name((enum mtk_defect)d),
                            cell_json(&obs->cells[d], source)) != 0) {
      json_decref(root);
      return NULL;
    }
  }
  if (obs->num_key_types > 0) {
    json_t *kt = cell_json(&obs->keys, source);
    json_t *types = json_array();
    for (size_t i = 0; i < obs->num_key_types && types != NULL; i++) {
      json_array_append_new(types, json_string(obs->key_types[i]));
    }
    if (kt == NULL || types == NULL ||
        json_object_set_new(kt, "types", types) != 0 ||
        json_object_set_new(root, "unsupported_key_types", kt) != 0) {
      json_decref(root);
      return NULL;
    }
  }
  return root;
}

int mtk_probe_record_profile(const char *path, const char *name,
                             const struct mtk_probe_run *r, int64_t now,
                             struct mtk_diag *diag) {
  struct observed *obs = calloc(1, sizeof(*obs));
  const struct mtk_probe_target *t = NULL;
  int err = obs == NULL ? MTK_ENOMEM : 0;
  // Single-defect cases first: they decide the cells.
  for (int pass = 0; err == 0 && pass < 2; pass++) {
    for (size_t i = 0; err == 0 && i < r->num_attempts; i++) {
      const struct mtk_probe_attempt *a = &r->attempts[i];
      if (!a->run) {
        continue;
      }
      t = a->target;
      if (a->result == MTK_PROBE_ERROR || a->result == MTK_PROBE_INCOMPLETE) {
        err = mtk_diag_set(diag, MTK_EPARSE,
                           "case %s ended in %s: nothing to record",
                           a->kase->name, mtk_probe_result_name(a->result));
      } else if ((a->kase->num_defects == 1) == (pass == 0)) {
        err = pass == 0 ? add_single(obs, a) : add_multi(obs, a);
      }
    }
  }
  if (err == 0 && t == NULL) {
    err = mtk_diag_set(diag, MTK_EPARSE, "no case ran: nothing to record");
  }
  json_t *root = NULL;
  char *text = NULL;
  if (err == 0) {
    char date[32];
    time_t secs = (time_t)now;
    struct tm tm;
    strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&secs, &tm));
    root = profile_json(obs, name, t, date);
    text = root != NULL ? json_dumps(root, JSON_INDENT(2)) : NULL;
    err = text == NULL ? MTK_ENOMEM : 0;
  }
  if (err == 0) {
    size_t len = strlen(text);
    text[len] = '\n';  // json_dumps' NUL becomes the final newline
    err = mtk_file_replace(path, text, len + 1, 0644, diag);
    text[len] = '\0';
  }
  free(text);
  json_decref(root);
  free(obs);
  return err;
}
