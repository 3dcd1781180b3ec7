// The plan: one attempt per target x case, each with the expectation the
// target's profile (or an override) gives the case's defects, then the
// verdict once the engine has filled in what was observed.
#ifndef MTK_PROBE_PLAN_H
#define MTK_PROBE_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "albcheck.h"
#include "classify.h"
#include "config.h"
#include "expect.h"
#include "manifest.h"

#ifdef __cplusplus
extern "C" {
#endif

// The result of one attempt. `error`: the attempt never reached the
// point where the client certificate is judged, for a reason on the
// probe's side of the connection (the target does not resolve or accept
// TCP, the probe does not trust the server's certificate, a local
// problem): not the endpoint's verdict, so never NOT-MET. `incomplete`:
// the run's --deadline cut the attempt short or came before it started:
// not judged either.
#define MTK_PROBE_VERDICT_MAP(XX) \
  XX(PENDING, "pending")          \
  XX(MET, "met")                  \
  XX(NOT_MET, "not-met")          \
  XX(UNSPECIFIED, "unspecified")  \
  XX(SKIPPED, "skipped")          \
  XX(ERROR, "error")              \
  XX(INCOMPLETE, "incomplete")

enum mtk_probe_result {
#define MTK_PROBE_RESULT_ENUM(name, str) MTK_PROBE_##name,
  MTK_PROBE_VERDICT_MAP(MTK_PROBE_RESULT_ENUM)
#undef MTK_PROBE_RESULT_ENUM
      MTK_PROBE_RESULT_COUNT
};

struct mtk_probe_attempt {
  const struct mtk_probe_target *target;  // borrowed from the config
  const struct mtk_probe_case *kase;      // borrowed from the manifest
  bool run;        // false: skipped, the case needs another trust variant
  bool specified;  // false: no profile cell for one of the defects
  // The expectation names a specific TLS alert and the target is not
  // pinned to TLS 1.2: a reset or close at the first read may have hidden
  // the alert, and the attempt may be re-probed to recover it.
  bool alert_matters;
  struct mtk_probe_expect expect;
  char basis[8];     // "D", "I", "O" or a mix ("D/I"), "user"
                     // (override), "verdict"
  char source[256];  // where the expectation comes from
  // Filled in by the engine.
  struct mtk_probe_facts facts;
  struct mtk_outcome outcome;
  bool cert_requested;  // the server sent a CertificateRequest
  // The certificates the case sends (0: none), and their subjects, leaf
  // first, one per line.
  size_t chain_count;
  char chain_subjects[1024];
  int64_t start_us;  // when it started, from the start of the run
  int64_t connect_us, tls_us, first_byte_us, total_us;
  char detail[256];     // curl's error text, for people only
  char ip[64];          // the address connected to (CURLINFO_PRIMARY_IP), or ""
  unsigned port;        // and its port
  unsigned local_port;  // the client's own port (CURLINFO_LOCAL_PORT), or 0
  // --connection-log (connlog.h): what the platform's log says of it.
  struct {
    bool looked;         // logs were given
    bool found;          // a line matched this attempt
    char stated[96];     // its tls_verify_status ("Failed:ClientCertExpired")
    char expected[160];  // the statuses the case's defects give, "|"-joined;
                         // "" when not judged
    bool wrong;          // refused for a reason the defects do not give
  } logged;
  // The read-before-write re-probe (probe/reprobe.h), made when the
  // expectation names an alert and the attempt saw a reset or close at the
  // first read. When it saw an alert, the attempt is judged on it and the
  // fields here hold the first observation instead (|used|).
  struct {
    bool tried;
    bool used;
    struct mtk_probe_facts facts;
    struct mtk_outcome outcome;
    int64_t total_us;
    char detail[256];
  } recovery;
  // --alb-headers: the check of the echoed headers (2xx outcomes only).
  struct mtk_probe_alb_result alb;
  // Filled in by mtk_probe_judge.
  enum mtk_probe_result result;
};

struct mtk_probe_run {
  struct mtk_probe_attempt *attempts;
  size_t num_attempts;
  double wall_start;  // seconds since the epoch when the run started
};

// mtk_probe_result_name returns "met", "not-met", ... (static).
const char *mtk_probe_result_name(enum mtk_probe_result r);

// mtk_probe_plan builds |out| from |c| and |m|, which must outlive it. It
// returns 0, or MTK_EPARSE (detail in |diag|) if a target names a trust
// variant the manifest lacks or overrides a case it does not have.
MTK_MUST_CHECK int mtk_probe_plan(const struct mtk_probe_config *c,
                                  const struct mtk_probe_manifest *m,
                                  struct mtk_probe_run *out,
                                  struct mtk_diag *diag);

// mtk_probe_run_cleanup frees |r|'s attempts.
void mtk_probe_run_cleanup(struct mtk_probe_run *r);

// mtk_probe_judge sets every attempt's result from its outcome and
// expectation; an attempt whose ALB header check failed, or whose
// connection-log line states a reason its defects do not give, is not met
// whatever its outcome; one that ended in dns-failed, connect-failed,
// server-cert-rejected or client-error is an error unless its
// expectation names that outcome.
void mtk_probe_judge(struct mtk_probe_run *r);

// mtk_probe_target_error reports whether every attempt that ran against
// target |t| is an error (the target could not be probed at all) and if
// so writes the one-line reason into |out| ("server certificate not
// trusted: give --cacert FILE or --insecure", "unreachable: ..."); else it
// returns false and leaves |out| alone. |out| may be NULL.
bool mtk_probe_target_error(const struct mtk_probe_run *r,
                            const struct mtk_probe_target *t, char *out,
                            size_t out_len);

// mtk_probe_target_unreachable reports whether every attempt that ran
// against target |t| ended in dns-failed or connect-failed.
bool mtk_probe_target_unreachable(const struct mtk_probe_run *r,
                                  const struct mtk_probe_target *t);

// mtk_probe_count_results adds the number of attempts of each result to
// |counts| (MTK_PROBE_RESULT_COUNT entries, zeroed by the caller), for
// target |t| only, or every target when |t| is NULL.
void mtk_probe_count_results(const struct mtk_probe_run *r,
                             const struct mtk_probe_target *t, size_t *counts);

// mtk_probe_exit_status returns MTK_EXIT_CHECKS if any attempt is
// not-met, else MTK_EXIT_RUNTIME if any is an error (a target that could
// not be probed, or some of its attempts) or incomplete, else MTK_EXIT_OK.
// A conformance failure wins over an infrastructure or time problem
// elsewhere.
int mtk_probe_exit_status(const struct mtk_probe_run *r,
                          const struct mtk_probe_config *c);

// mtk_probe_work_deadline_ms returns a deadline for |r| that no run whose
// every attempt (and re-probe) ends within its timeout can reach: for the
// engine's schedule (at most |c|->parallel attempts in flight, at most
// |c|->parallel_per_target per target, a free slot always taken), the
// last attempt of a target t starts before W/P + n_t*T_t/L (W: the sum
// of all attempts' timeouts, P and L the two limits, n_t and T_t the
// target's attempts and timeout), so the run ends before
// max_t(W/P + (n_t/L + 1) * T_t), doubled where attempts may be
// re-probed, plus 10 s.
uint64_t mtk_probe_work_deadline_ms(const struct mtk_probe_run *r,
                                    const struct mtk_probe_config *c);

#ifdef __cplusplus
}
#endif

#endif  // MTK_PROBE_PLAN_H
