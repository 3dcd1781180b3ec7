# mtlskit verify --platform: each platform's documented rules, on the real
# fixture set (docs/platforms.md §1.5 ALB, §2 API Gateway, §3
# Cloudflare, §4 nginx, §5 HAProxy).
. "$MTK_SRC/tests/lib/testlib.sh"

now=$(date -u +%s)
F="$T/fx"
mtlskit fixtures "$F" --now "@$now" --quiet
root="$F/trust/root.pem"
crl="$F/crl/default.pem"

# verdict PLATFORM CASE [ARGS...]: print "accept" or the refusal reason.
verdict() {
  local platform=$1 case=$2
  shift 2
  local got=0
  mtlskit verify --json --at "@$now" --platform "$platform" "$@" \
    "$F/cases/$case/cert.pem" >"$T/v.json" 2>"$T/v.err" || got=$?
  case $got in
    0) echo accept ;;
    1) jq -r .reason "$T/v.json" ;;
    *) cat "$T/v.err" >&2; echo "exit-$got" ;;
  esac
}

# expect PLATFORM CASE WANT [ARGS...]
expect() {
  local platform=$1 case=$2 want=$3
  shift 3
  local got
  got=$(verdict "$platform" "$case" "$@")
  [ "$got" = "$want" ] || fail "$platform $case $*: got $got, want $want"
  pass "$platform $case${*:+ $*}: $want"
}

# ALB verify mode: at most four CA certificates, RSA 2048-8192 or ECDSA only,
# "allow expired client certificates", CRLs checked where uploaded.
expect strict chain-too-deep accept --truststore "$root" --crl "$crl"
expect alb chain-too-deep depth-exceeded --truststore "$root" --crl "$crl"
expect alb ok-int-chain accept --truststore "$root" --crl "$crl"
expect alb ok-keytype-ed25519 unsupported-key-type --truststore "$root"
expect alb weak-key-rsa1024 unsupported-key-type --truststore "$root"
expect alb ok-keytype-rsa4096 accept --truststore "$root"
expect alb expired-1s expired --truststore "$root"
expect alb expired-1s accept --truststore "$root" --allow-expired
expect alb revoked-keycompromise revoked --truststore "$root" --crl "$crl"
expect alb revoked-int-cessation revoked --truststore "$root" --crl "$crl"
# ALB needs no CRL for a CA it has none for; nginx does.
expect alb ok-int-chain accept --truststore "$root" \
  --crl "$F/crl/missing-intermediate.pem"
expect nginx ok-int-chain crl-missing --truststore "$root" \
  --crl "$F/crl/missing-intermediate.pem"
expect haproxy ok-int-chain crl-missing --truststore "$root" \
  --crl "$F/crl/missing-intermediate.pem"

# API Gateway and Cloudflare (BYOCA) do not check revocation.
expect apigw revoked-keycompromise accept --truststore "$root" --crl "$crl"
expect cloudflare revoked-keycompromise accept --truststore "$root" --crl "$crl"
expect apigw ok-keytype-ed25519 unsupported-key-type --truststore "$root"
expect apigw sha1-signature weak-signature --truststore "$root"
expect cloudflare ok-keytype-ed25519 accept --truststore "$root"
# API Gateway checks syntax, integrity, validity and chaining, not EKU.
expect apigw eku-server-only accept --truststore "$root"
expect apigw intermediate-eku-server-only accept --truststore "$root"
expect alb eku-server-only bad-eku --truststore "$root"

# nginx ssl_verify_depth: default 1 allows leaf + one intermediate.
expect nginx ok-int-chain accept --truststore "$root" --crl "$crl"
# OpenSSL (what nginx runs) stops at its verify depth while it builds the
# chain, before it looks at pathLenConstraint.
expect nginx pathlen-violated depth-exceeded --truststore "$root" --crl "$crl"
expect nginx pathlen-violated pathlen-exceeded --truststore "$root" --crl "$crl" \
  --verify-depth 4
expect nginx chain-too-deep depth-exceeded --truststore "$root" --crl "$crl"
expect nginx chain-too-deep accept --truststore "$root" --crl "$crl" --verify-depth 4
expect nginx ok-int-chain depth-exceeded --truststore "$root" --crl "$crl" --verify-depth 0
# nginx does not enforce clientAuth-only EKU rules beyond OpenSSL's purpose.
expect nginx eku-missing accept --truststore "$root" --crl "$crl"
expect strict eku-missing bad-eku --truststore "$root" --crl "$crl"

# Revocation details come from the CRL entry.
mtlskit verify --json --at "@$now" --truststore "$root" --crl "$crl" \
  "$F/cases/revoked-keycompromise/cert.pem" >"$T/r.json" || true
[ "$(jq -r .revocation.reason_code "$T/r.json")" = 1 ] || fail "reason code"
[ "$(jq -r .revocation.date "$T/r.json")" = \
  "$(date -u -d "@$((now - 600))" +%Y-%m-%dT%H:%M:%SZ)" ] || fail "revocation date"
pass "revocation reason and date"

expect_status 1 mtlskit verify --truststore "$root" --no-cert
expect_grep 'refused \(strict\): no-certificate' "$T/out"
pass "--no-cert"

# Bad invocations: one line, documented status.
expect_status 2 mtlskit verify --truststore "$root" --allow-expired \
  "$F/cases/ok-root-leaf/cert.pem"
expect_grep 'applies to --platform alb' "$T/err"
expect_status 2 mtlskit verify --platform mars --truststore "$root" x.pem
expect_grep "unknown platform 'mars'" "$T/err"
expect_status 3 mtlskit verify --truststore "$root" "$T/missing.pem"
expect_one_line "$T/err"
echo "not a certificate" >"$T/junk.pem"
expect_status 3 mtlskit verify --truststore "$root" "$T/junk.pem"
expect_grep 'junk.pem' "$T/err"
expect_one_line "$T/err"
expect_status 2 mtlskit verify --bogus --truststore "$root" x.pem
expect_grep "^mtlskit verify: error: unknown option '--bogus'$" "$T/err"
expect_no_grep 'unrecognized option' "$T/err"
expect_status 0 mtlskit verify --version
expect_grep '^mtlskit verify [0-9.]+$' "$T/out"
expect_grep 'BoringSSL' "$T/out"
pass "usage and input errors"

done_testing
