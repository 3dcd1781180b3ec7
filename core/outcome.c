#include "mtlskit/outcome.h"

#include <stdio.h>
#include <string.h>

#include "mtlskit/units.h"

static const char *const kind_names[] = {
#define MTK_OUTCOME_KIND_STR(name, str) str,
    MTK_OUTCOME_KIND_MAP(MTK_OUTCOME_KIND_STR)
#undef MTK_OUTCOME_KIND_STR
};

static const char *const stage_names[] = {
#define MTK_STAGE_STR(name, str) str,
    MTK_STAGE_MAP(MTK_STAGE_STR)
#undef MTK_STAGE_STR
};

// RFC 8446 §6 and the TLS alert registry.
static const struct {
  int number;
  const char *name;
} alerts[] = {
    {0, "close_notify"},
    {10, "unexpected_message"},
    {20, "bad_record_mac"},
    {21, "decryption_failed"},
    {22, "record_overflow"},
    {40, "handshake_failure"},
    {41, "no_certificate"},
    {42, "bad_certificate"},
    {43, "unsupported_certificate"},
    {44, "certificate_revoked"},
    {45, "certificate_expired"},
    {46, "certificate_unknown"},
    {47, "illegal_parameter"},
    {48, "unknown_ca"},
    {49, "access_denied"},
    {50, "decode_error"},
    {51, "decrypt_error"},
    {70, "protocol_version"},
    {71, "insufficient_security"},
    {80, "internal_error"},
    {86, "inappropriate_fallback"},
    {90, "user_canceled"},
    {100, "no_renegotiation"},
    {109, "missing_extension"},
    {110, "unsupported_extension"},
    {112, "unrecognized_name"},
    {113, "bad_certificate_status_response"},
    {115, "unknown_psk_identity"},
    {116, "certificate_required"},
    {120, "no_application_protocol"},
};

const char *mtk_outcome_kind_name(enum mtk_outcome_kind kind) {
  if ((unsigned)kind >= MTK_OUTCOME_KIND_COUNT) {
    return "none";
  }
  return kind_names[kind];
}

int mtk_outcome_kind_from_name(const char *name,
                               enum mtk_outcome_kind *out_kind) {
  for (size_t i = 0; i < MTK_OUTCOME_KIND_COUNT; i++) {
    if (strcmp(name, kind_names[i]) == 0) {
      *out_kind = (enum mtk_outcome_kind)i;
      return 0;
    }
  }
  return MTK_EPARSE;
}

const char *mtk_stage_name(enum mtk_stage stage) {
  if ((unsigned)stage >= MTK_STAGE_COUNT) {
    return "none";
  }
  return stage_names[stage];
}

const char *mtk_tls_alert_name(int alert) {
  for (size_t i = 0; i < sizeof(alerts) / sizeof(alerts[0]); i++) {
    if (alerts[i].number == alert) {
      return alerts[i].name;
    }
  }
  return NULL;
}

int mtk_tls_alert_from_name(const char *name, int *out_alert) {
  uint64_t n;
  if (mtk_parse_uint(name, 255, &n) == 0) {
    *out_alert = (int)n;
    return 0;
  }
  for (size_t i = 0; i < sizeof(alerts) / sizeof(alerts[0]); i++) {
    if (strcmp(alerts[i].name, name) == 0) {
      *out_alert = alerts[i].number;
      return 0;
    }
  }
  return MTK_EPARSE;
}

int mtk_outcome_format(char *out, size_t out_len, const struct mtk_outcome *o) {
  int n;
  const char *kind = mtk_outcome_kind_name(o->kind);
  if (o->kind == MTK_OUTCOME_HTTP || o->kind == MTK_OUTCOME_HTTP_BROKEN) {
    n = snprintf(out, out_len, "%s %d", kind, o->http_status);
  } else if (o->kind == MTK_OUTCOME_TLS_ALERT) {
    const char *name = mtk_tls_alert_name(o->alert);
    n = snprintf(out, out_len, "%s %s (%d)", kind,
                 name != NULL ? name : "unknown", o->alert);
  } else {
    n = snprintf(out, out_len, "%s", kind);
  }
  if (n < 0 || (size_t)n >= out_len) {
    return MTK_ERANGE;
  }
  return 0;
}

bool mtk_outcome_is_refusal(const struct mtk_outcome *o) {
  return o->kind == MTK_OUTCOME_TLS_ALERT || o->kind == MTK_OUTCOME_RESET ||
         o->kind == MTK_OUTCOME_CLOSED;
}
