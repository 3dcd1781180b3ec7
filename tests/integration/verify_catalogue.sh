# mtlskit verify against the real servers on the fixture catalogue: every
# case of `mtlskit fixtures` with a certificate, of the trust variants
# default and extra-anchors, is verified offline with --platform nginx,
# haproxy, apache, node, stunnel and go (one batch run each) and presented
# through the probe to a real nginx, HAProxy, Apache httpd, Node, stunnel
# and Caddy holding the same trust bundle (trust/extra-anchors.pem: the
# root, an expired root, a CA that is not self-signed) and CRLs (Caddy
# checks none, and go neither), under TLS 1.2 and 1.3. Every offline verdict must be what the server did. Then
# stunnel's CRL check (the client certificate's issuer only) against a
# server holding the intermediate's CRL but not the root's, where nginx's
# refuses.
. "$MTK_SRC/tests/lib/testlib.sh"
. "$MTK_SRC/tests/lib/servers.sh"
command -v stunnel >/dev/null || fail "stunnel is not installed (scripts/install-deps)"
command -v caddy >/dev/null || fail "caddy is not installed (scripts/install-deps)"

F="$T/fx"
mtlskit fixtures "$F" --quiet
M="$F/manifest.json"
B="$F/trust/extra-anchors.pem"
CRL="$F/crl/default.pem"
start_mtls_servers --trust "$B" "$F" "$CRL" "$F"/crl/*.crl.pem
p_stunnel=$(free_port)
start_stunnel catalogue "$p_stunnel" "$F/server/server.cert.pem" \
  "$F/server/server.key.pem" "$B" "$CRL" || fail "stunnel did not start"
# Caddy 2.6 reads one certificate per trusted_ca_cert_file: one per CA.
awk -v d="$T/anchor-" '/BEGIN/ { n++ } { print > (d n ".pem") }' "$B"
p_caddy=$(free_port)
start_caddy catalogue "$p_caddy" "$F" "$T"/anchor-*.pem

# The cases: a certificate to send and a verdict of X.509 path validation
# (oversized is refused under TLS 1.3 for its size, docs/probe-profiles.md).
jq -r '.cases[] | select(.files.cert and .name != "oversized" and
  (.trust == "default" or .trust == "extra-anchors")) | "\(.name) \(.files.cert)"' \
  "$M" >"$T/cases"
num=$(wc -l <"$T/cases")
[ "$num" -gt 50 ] || fail "only $num cases"

# The servers' settings, as mtlskit verify options: nginx ssl_verify_depth
# 2, Apache SSLVerifyDepth 3 (two intermediates), the others OpenSSL's
# default depth.
platforms="nginx:$p_nginx:2 haproxy:$p_haproxy: apache:$p_apache:2 node:$p_node: stunnel:$p_stunnel: go:$p_caddy:"

# offline PLATFORM DEPTH: "CASE accept|reject" per case in $T/off-PLATFORM,
# from one batch run.
offline() {
  local got=0 depth=() name cert line i=0
  [ -z "$2" ] || depth=(--verify-depth "$2")
  mtlskit verify --platform "$1" "${depth[@]}" --truststore "$B" --crl "$CRL" \
    $(awk -v d="$F" '{print d "/" $2}' "$T/cases") >"$T/batch.out" 2>"$T/batch.err" ||
    got=$?
  [ "$got" -le 1 ] || fail "mtlskit verify --platform $1: exit $got ($(cat "$T/batch.err"))"
  : >"$T/off-$1"
  while read -r name cert; do
    i=$((i + 1))
    line=$(sed -n "${i}p" "$T/batch.out")
    case $line in
      "$F/$cert: accepted"*) echo "$name accept" >>"$T/off-$1" ;;
      "$F/$cert: refused"*) echo "$name reject" >>"$T/off-$1" ;;
      *) fail "mtlskit verify --platform $1 line $i: $line" ;;
    esac
  done <"$T/cases"
}

# The probe: every platform's server under TLS 1.2 and 1.3, each as a
# default target and an extra-anchors one (the same server: its bundle
# holds the extra anchors). The profile's judgement is not used here, only
# what the server did.
targets=""
for entry in $platforms; do
  IFS=: read -r platform port depth <<<"$entry"
  offline "$platform" "$depth"
  for tls in 1.2 1.3; do
    for trust in default extra-anchors; do
      # Caddy answers for the site name only.
      targets="$targets{\"name\": \"$platform-$tls-$trust\", \"profile\": \"strict\", \"url\": \"https://localhost:$port/\", \"resolve\": [\"localhost:$port:127.0.0.1\"], \"cacert\": \"$F/trust/root.pem\", \"tls\": \"$tls\", \"trust\": \"$trust\", \"timeout\": \"10s\"},"
    done
  done
done
echo "{\"schema_version\": 1, \"fixtures\": \"$F\", \"targets\": [${targets%,}]}" >"$T/probe.json"
got=0
mtlskit probe --config "$T/probe.json" --json >"$T/probe.out" 2>"$T/probe.err" || got=$?
[ "$got" -le 1 ] || fail "probe: exit $got ($(cat "$T/probe.err"))"

# real PLATFORM TLS: "CASE accept|reject" for each case of $T/cases the
# server met: accept when it answered 200.
real() {
  jq -r --arg p "$1-$2-" '.targets[] | select(.name | startswith($p)) |
    .results[] | select(.result != "skipped") |
    "\(.case) \(if .observed.http_status == 200 then "accept" else "reject" end)"' \
    "$T/probe.out" | awk 'NR == FNR { want[$1] = 1; next } ($1 in want)' \
    "$T/cases" - | sort
}

for entry in $platforms; do
  platform=${entry%%:*}
  sort "$T/off-$platform" >"$T/off-sorted"
  for tls in 1.2 1.3; do
    real "$platform" "$tls" >"$T/real"
    [ "$(wc -l <"$T/real")" = "$num" ] ||
      fail "$platform TLS $tls: the server saw $(wc -l <"$T/real") of $num cases"
    if ! diff "$T/off-sorted" "$T/real" >"$T/diff"; then
      sed -n 's/^< /offline: /p; s/^> /server:  /p' "$T/diff" >&2
      fail "$platform TLS $tls: mtlskit verify and the real server disagree"
    fi
    pass "$platform TLS $tls: $num cases, mtlskit verify as the server ($(grep -c ' accept$' "$T/real") accepted)"
  done
done

# stunnel checks the CRL of the client certificate's issuer only: with the
# intermediate's CRL and not the root's it lets an intermediate-issued
# client in, where nginx (a CRL for every CA) refuses; without the
# intermediate's it refuses too. Offline and real agree.
crl_int="$F/crl/intermediate.crl.pem"
p_crl=$(free_port)
start_stunnel int-crl "$p_crl" "$F/server/server.cert.pem" \
  "$F/server/server.key.pem" "$F/trust/root.pem" "$crl_int" ||
  fail "stunnel (intermediate's CRL only) did not start"
cert="$F/cases/ok-int-chain/cert.pem"
key="$F/cases/ok-int-chain/key.pem"
expect_status 0 mtlskit verify --platform stunnel --truststore "$F/trust/root.pem" \
  --crl "$crl_int" "$cert"
expect_status 1 mtlskit verify --platform nginx --truststore "$F/trust/root.pem" \
  --crl "$crl_int" "$cert"
expect_grep 'crl-missing at depth 1' "$T/out"
expect_status 1 mtlskit verify --platform stunnel --truststore "$F/trust/root.pem" \
  --crl "$F/crl/root.crl.pem" "$cert"
for tls in 1.2 1.3; do
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "--tlsv$tls" \
    --tls-max "$tls" --cacert "$F/trust/root.pem" --cert "$cert" --key "$key" \
    "https://127.0.0.1:$p_crl/") || true
  [ "$code" = 200 ] || fail "stunnel with the intermediate's CRL only, TLS $tls: $code"
done
pass "stunnel: the issuer's CRL only (accepted without the root's), as mtlskit verify says"

mtlskit verify --json --platform stunnel --truststore "$F/trust/root.pem" \
  --crl "$CRL" "$F/cases/ok-int-chain/cert.pem" >"$T/j.json"
jq -e '(.library | startswith("OpenSSL 3")) and (.source | contains("stunnel-5.68"))' \
  "$T/j.json" >/dev/null || fail "stunnel verdict: $(cat "$T/j.json")"
pass "--json names OpenSSL 3 and stunnel's source"

done_testing
