# mtlskit serve under every profile, checked by mtlskit probe with the same
# profile and a fixture set from mtlskit fixtures, under TLS 1.2 and 1.3
# (server and client pinned to the version): the probe must exit 0.
. "$MTK_SRC/tests/lib/testlib.sh"
. "$MTK_SRC/tests/integration/serve_common.sh"

F="$T/fx"
serve_fixtures "$F"
common=(--cert "$F/server/server.cert.pem" --key "$F/server/server.key.pem"
  --truststore "$F/trust/root.pem")

# check NAME PROBE_PROFILE TLS SERVE_ARGS -- PROBE_ARGS: one server, one
# probe run; the results land in $T/res-NAME-TLS.
check() {
  local name=$1 pprofile=$2 tls=$3
  shift 3
  local sargs=() pargs=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do sargs+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  pargs=("$@")
  start_serve "$name-$tls" "${common[@]}" --tls "$tls" "${sargs[@]}"
  local pid=$SERVE_PID
  expect_status 0 mtlskit probe --fixtures "$F" --profile "$pprofile" \
    --cacert "$F/trust/root.pem" --tls "$tls" --timeout 20s --json \
    ${pargs[@]+"${pargs[@]}"} "https://127.0.0.1:$SERVE_PORT/"
  cp "$T/out" "$T/json-$name-$tls"
  probe_results "$T/out" >"$T/res-$name-$tls"
  stop_serve "$pid"
  if grep -q ' not-met ' "$T/res-$name-$tls"; then
    cat "$T/res-$name-$tls" >&2
    fail "$name TLS $tls: a case not met"
  fi
  pass "$name under TLS $tls: the probe's $pprofile profile is met"
}

for tls in 1.2 1.3; do
  check alb-verify alb-verify "$tls" --profile alb-verify \
    --crl "$F/crl/default.pem"
  check alb-expired alb-verify-allow-expired "$tls" --profile alb-verify \
    --crl "$F/crl/default.pem" --allow-expired
  check alb-passthrough alb-passthrough "$tls" --profile alb-passthrough
  check apigw apigw "$tls" --profile apigw
  check apigw-tls apigw "$tls" --profile apigw --apigw-refusal tls
  check cloudflare cloudflare "$tls" --profile cloudflare
  check alb-blind alb-verify "$tls" --profile alb-verify \
    --crl "$F/crl/default.pem" --blinding-delay 300ms
done

# The CRL trust variants against ALB verify: a server holding every CA's CRL
# but the intermediate's, or only stale / wrongly signed ones.
for tv in crl-missing-intermediate:missing-intermediate crl-expired:expired \
    crl-wrong-signer:wrong-signer; do
  check "alb-$tv" alb-verify 1.3 --profile alb-verify \
    --crl "$F/crl/${tv##*:}.pem" -- --trust "${tv%%:*}"
  expect_grep "^${tv%%:*} (met|unspecified) http http 200$" "$T/res-alb-$tv-1.3"
done
# The same server refuses what the CRLs it holds revoke, and nothing else:
# without the intermediate's CRL, its revoked leaf gets in.
check alb-crl-root alb-verify 1.3 --profile alb-verify \
  --crl "$F/crl/missing-intermediate.pem" -- \
  --expect revoked-int-cessation='http 2xx'
expect_grep '^revoked-keycompromise met (closed|reset) ' "$T/res-alb-crl-root-1.3"
expect_grep '^revoked-int-cessation met http http 200$' "$T/res-alb-crl-root-1.3"

# What each profile did, case by case, beyond "met": ALB verify refuses at
# the TLS level with close_notify (TLS 1.2: in the handshake, also without
# a certificate), never with a named alert and never with HTTP.
r="$T/res-alb-verify-1.2"
for c in expired-1y not-yet-valid revoked-keycompromise revoked-int-cessation \
    unknown-ca self-signed eku-server-only missing-intermediate \
    intermediate-expired chain-too-deep weak-key-rsa1024 oversized \
    no-certificate ok-keytype-ed25519; do
  expect_grep "^$c met closed handshake " "$r"
done
expect_grep '^ok-int-chain met http http 200$' "$r"
r="$T/res-alb-verify-1.3"
for c in expired-1y revoked-keycompromise unknown-ca chain-too-deep oversized \
    no-certificate; do
  expect_grep "^$c met (closed|reset) first-read " "$r"
done
for c in expired-1y no-certificate unknown-ca; do
  expect_grep "^$c met closed handshake " "$T/res-alb-blind-1.2"
done
expect_no_grep ' tls-alert ' "$T/res-alb-blind-1.3"
expect_no_grep ' tls-alert ' "$T/res-alb-verify-1.2"
expect_no_grep ' tls-alert ' "$T/res-alb-verify-1.3"
expect_grep '^expired-1y met http http 200$' "$T/res-alb-expired-1.3"
expect_grep '^revoked-keycompromise met (closed|reset) ' "$T/res-alb-expired-1.3"
pass "ALB verify: s2n-style refusals (close, no alert); allow-expired lets expired leaves in"

# Passthrough verifies nothing: every presented certificate reaches the
# backend, and so does a client without one; only the 64 K message quota
# refuses.
r="$T/res-alb-passthrough-1.3"
for c in expired-1y revoked-keycompromise unknown-ca self-signed \
    chain-too-deep no-certificate bad-signature; do
  expect_grep "^$c (met|unspecified) http http 200$" "$r"
done
expect_grep '^oversized unspecified (closed|reset) ' "$r"
pass "ALB passthrough: 200 for any certificate, none included"

# API Gateway: 403 by default, no revocation check; --apigw-refusal tls
# refuses the handshake instead.
r="$T/res-apigw-1.2"
for c in expired-1y not-yet-valid unknown-ca self-signed missing-intermediate \
    intermediate-expired chain-too-deep weak-key-rsa1024 no-certificate; do
  expect_grep "^$c met http http 403$" "$r"
done
expect_grep '^revoked-keycompromise met http http 200$' "$r"
expect_grep '^unknown-ca met closed handshake ' "$T/res-apigw-tls-1.2"
expect_grep '^no-certificate met closed handshake ' "$T/res-apigw-tls-1.2"
expect_grep '^revoked-keycompromise met http http 200$' "$T/res-apigw-tls-1.3"
pass "API Gateway: 403 (or a refused handshake), revoked certificates pass"

# Cloudflare: the handshake always completes, the rule answers 403.
for tls in 1.2 1.3; do
  r="$T/res-cloudflare-$tls"
  for c in expired-1y not-yet-valid unknown-ca self-signed \
      missing-intermediate intermediate-expired no-certificate; do
    expect_grep "^$c met http http 403$" "$r"
  done
  expect_grep '^revoked-keycompromise met http http 200$' "$r"
  expect_no_grep ' (closed|reset|tls-alert) ' "$r"
done
pass "Cloudflare: handshake completes, 403 when cert_verified is false"

# The probe notices a server that is not what the profile says: the
# Cloudflare server checked against the ALB verify profile fails exactly
# the refusals (403 instead of a TLS refusal) and the revoked cases.
start_serve wrong "${common[@]}" --profile cloudflare
pid=$SERVE_PID
expect_status 1 mtlskit probe --fixtures "$F" --profile alb-verify \
  --cacert "$F/trust/root.pem" --timeout 20s --json \
  "https://127.0.0.1:$SERVE_PORT/"
probe_results "$T/out" >"$T/res-wrong"
stop_serve "$pid"
expect_grep '^expired-1y not-met http http 403$' "$T/res-wrong"
expect_grep '^no-certificate not-met http http 403$' "$T/res-wrong"
expect_grep '^revoked-keycompromise not-met http http 200$' "$T/res-wrong"
expect_grep '^ok-root-leaf met http http 200$' "$T/res-wrong"
pass "a cloudflare server fails the alb-verify profile where they differ"

done_testing
