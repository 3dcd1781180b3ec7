// Fuzz target: the probe's outcome classification (OpenSSL side: its own
// executable). What OpenSSL's message callback passes up about the TLS
// records a server sends and the probe sends (classify.h) is the part that
// comes from the network; the rest of the facts come from libcurl.
//
// Input layout: 8 bytes of facts (curl code, errno, HTTP status high and
// low byte, HTTP version, flags, OpenSSL library, OpenSSL reason), then
// chunks of [direction byte: even in, odd out][length byte][bytes], as
// curl's CURLINFO_SSL_DATA_IN/OUT deliver them; a chunk cut short by the
// end of the input is fed as it is, and the whole rest is also read as
// curl's error text ("error:0A000418:...").
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "mtlskit/outcome.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { FACT_BYTES = 8 };

static void read_facts(const uint8_t *b, struct mtk_probe_facts *f) {
  static const int versions[] = {0, 10, 11, 20, 30};
  mtk_probe_facts_init(f);
  f->curl_code = b[0];
  f->os_errno = b[1];
  f->http_status = (long)b[2] << 8 | b[3];
  f->http_version = versions[b[4] % 5];
  f->tcp_connected = (b[5] & 1) != 0;
  f->tls_done = (b[5] & 2) != 0;
  f->deadline = (b[5] & 4) != 0;
  f->body_capped = (b[5] & 8) != 0;
  f->ssl_error = (unsigned long)b[6] << 23 | b[7];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < FACT_BYTES) {
    return 0;
  }
  struct mtk_probe_facts facts;
  read_facts(data, &facts);
  const uint8_t *p = data + FACT_BYTES;
  size_t left = size - FACT_BYTES;
  struct mtk_probe_tls_trace trace;
  mtk_probe_tls_trace_init(&trace);
  while (left >= 2) {
    size_t len = p[1] < left - 2 ? p[1] : left - 2;
    if (p[0] % 2 == 0) {
      mtk_probe_tls_trace_in(&trace, p + 2, len);
    } else {
      mtk_probe_tls_trace_out(&trace, p + 2, len);
    }
    p += 2 + len;
    left -= 2 + len;
  }
  facts.alert = trace.alert;
  if (mtk_probe_tls_trace_done(&trace)) {
    facts.tls_done = true;
  }
  char *text = malloc(size - FACT_BYTES + 1);
  if (text != NULL) {
    memcpy(text, data + FACT_BYTES, size - FACT_BYTES);
    text[size - FACT_BYTES] = '\0';
    unsigned long code = mtk_probe_ssl_error_from_text(text);
    if (code != 0) {
      facts.ssl_error = code;
    }
    free(text);
  }
  struct mtk_outcome outcome;
  mtk_probe_classify(&facts, &outcome);
  char line[256];
  (void)mtk_probe_facts_format(line, sizeof(line), &facts);
  return 0;
}
