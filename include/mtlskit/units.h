// One strict parser for the numbers users type: durations ("250ms", "10s",
// "2m"), counts ("5k", "1.5M"), byte sizes ("64KiB", "16k") and times
// ("2026-11-23T17:00:00Z", "now", "now+1d", "now-1s").
//
// Every function rejects empty input, trailing garbage, negative values and
// overflow, and returns 0 or MTK_EPARSE / MTK_ERANGE; on failure *out is left
// untouched.
#ifndef MTK_HEADER_UNITS_H
#define MTK_HEADER_UNITS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "mtlskit/error.h"

#ifdef __cplusplus
extern "C" {
#endif

// mtk_parse_uint parses a plain decimal integer no larger than |max|.
MTK_MUST_CHECK int mtk_parse_uint(const char *s, uint64_t max, uint64_t *out);

// mtk_parse_duration_ns parses a duration with a unit suffix (ns, us, ms, s,
// m, h, d) into nanoseconds. A bare number is rejected: the unit is
// mandatory so "10" is never silently read as 10 ns or 10 s. Fractions are
// allowed ("1.5s").
MTK_MUST_CHECK int mtk_parse_duration_ns(const char *s, uint64_t *out_ns);

// mtk_parse_count parses a count with an optional decimal suffix k (1e3),
// M (1e6) or G (1e9). The result must be a whole number ("1.5k" is 1500,
// "1.0005k" is rejected).
MTK_MUST_CHECK int mtk_parse_count(const char *s, uint64_t *out);

// mtk_parse_bytes parses a byte size: a bare number of bytes, or a suffix
// k/K/KB (1000), KiB (1024), M/MB, MiB, G/GB, GiB.
MTK_MUST_CHECK int mtk_parse_bytes(const char *s, uint64_t *out);

// mtk_parse_time parses an absolute time: an RFC 3339 date-time
// ("2026-11-23T17:00:00Z", "2026-11-23T18:00:00.250+01:00"; T, t or a
// space between date and time; a fraction of a second is dropped, a leap
// second :60 is the next second), a Unix time "@1700000000", "now", or
// "now" followed by +/- and a duration ("now-1s", "now+365d"). |now| is the
// reference time for "now". It returns 0 or MTK_EPARSE.
MTK_MUST_CHECK int mtk_parse_time(const char *s, time_t now, time_t *out);

// mtk_format_time writes |t| as "YYYY-MM-DDTHH:MM:SSZ" into |out| (at least
// 21 bytes). It returns 0, or MTK_ERANGE if |t| is not representable.
MTK_MUST_CHECK int mtk_format_time(char *out, size_t out_len, time_t t);

#ifdef __cplusplus
}
#endif

#endif  // MTK_HEADER_UNITS_H
