// Times in certificates, CRLs and index.txt.
//
// RFC 5280 4.1.2.5: UTCTime (YYMMDDHHMMSSZ) for 1950 through 2049,
// GeneralizedTime (YYYYMMDDHHMMSSZ) from 2050 on; both in Zulu with
// seconds and no fraction. Fixtures can force either form.
#ifndef MTK_HEADER_X509_TIME_H
#define MTK_HEADER_X509_TIME_H

#include <openssl/base.h>
#include <stddef.h>
#include <time.h>

#include "mtlskit/error.h"

#ifdef __cplusplus
extern "C" {
#endif

enum mtk_time_encoding {
  MTK_TIME_AUTO,         // RFC 5280: UTCTime before 2050, else Generalized
  MTK_TIME_UTC,          // always UTCTime (wrong from 2050: a fixture)
  MTK_TIME_GENERALIZED,  // always GeneralizedTime (wrong before 2050)
};

// mtk_time_format writes |t| in |enc| ("261123170000Z" or
// "20501123170000Z") to |out| (at least 16 bytes) without the DER header,
// the form index.txt uses. It returns 0, or MTK_ERANGE when the year of |t|
// is outside 0000-9999. MTK_TIME_UTC keeps only the last two digits of the
// year, on purpose (fixtures).
MTK_MUST_CHECK int mtk_time_format(char *out, size_t out_len, time_t t,
                                   enum mtk_time_encoding enc);

// mtk_time_marshal appends |t| as an ASN.1 Time (UTCTime or
// GeneralizedTime per |enc|) to |cbb|. It returns 0, MTK_ERANGE or
// MTK_ENOMEM.
MTK_MUST_CHECK int mtk_time_marshal(CBB *cbb, time_t t,
                                    enum mtk_time_encoding enc);

// mtk_time_parse parses "YYMMDDHHMMSSZ" (UTCTime, 50-99 meaning 19xx) or
// "YYYYMMDDHHMMSSZ" (GeneralizedTime) of length |len| into *out. It returns
// 0 or MTK_EPARSE.
MTK_MUST_CHECK int mtk_time_parse(const char *s, size_t len, time_t *out);

// mtk_time_unmarshal reads an ASN.1 Time from |cbs| into *out. It returns 0
// or MTK_EPARSE.
MTK_MUST_CHECK int mtk_time_unmarshal(CBS *cbs, time_t *out);

#ifdef __cplusplus
}
#endif

#endif  // MTK_HEADER_X509_TIME_H
