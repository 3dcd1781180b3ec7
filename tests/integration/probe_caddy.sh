# The go profile against a real Go crypto/tls server: Debian's Caddy with
# client_auth require_and_verify, under TLS 1.2 and 1.3, twice each (the
# TLS 1.3 refusals race a reset, docs/platforms.md §6.4): every case of
# the catalogue meets its cell. Then Caddy 2.6's trusted_ca_cert_file with
# a two-CA file: only its first certificate is trusted.
. "$MTK_SRC/tests/lib/testlib.sh"
. "$MTK_SRC/tests/lib/servers.sh"
command -v caddy >/dev/null || fail "caddy is not installed (scripts/install-deps)"

F="$T/fx"
mtlskit fixtures "$F" --quiet
port=$(free_port)
start_caddy go "$port" "$F" "$F/trust/root.pem"
url="https://localhost:$port/"
resolve="localhost:$port:127.0.0.1"

total=$(jq '[.cases[] | select(.trust == "default")] | length' "$F/manifest.json")
for tls in 1.2 1.3 1.2 1.3; do
  expect_status 0 mtlskit probe --fixtures "$F" --profile go \
    --cacert "$F/trust/root.pem" --resolve "$resolve" --tls "$tls" \
    --timeout 10s "$url"
  expect_grep "^$total met, 0 not met, 0 unspecified" "$T/out"
  pass "go under TLS $tls: $total cases met"
done

# trusted_ca_cert_file with intermediate first, root second: a leaf issued
# by the root is no longer trusted (only the intermediate was read).
awk '/BEGIN/{n++} {print > "'"$T"'/ca-" n ".pem"}' "$F/trust/root+intermediate.pem"
first=$(openssl x509 -in "$T/ca-1.pem" -noout -subject)
root=$(openssl x509 -in "$F/trust/root.pem" -noout -subject)
cat "$F/trust/root+intermediate.pem" >"$T/two.pem"
[ "$first" != "$root" ] || cat "$T/ca-2.pem" "$T/ca-1.pem" >"$T/two.pem"
port2=$(free_port)
start_caddy two "$port2" "$F" "$T/two.pem"
expect_status 1 mtlskit probe --fixtures "$F" --profile go --json \
  --cacert "$F/trust/root.pem" --resolve "localhost:$port2:127.0.0.1" \
  --timeout 10s "https://localhost:$port2/"
jq -e '.targets[0].results[] | select(.case == "ok-root-leaf") |
  .result == "not-met"' "$T/out" >/dev/null ||
  fail "a root-issued leaf was accepted: Caddy read more than the first CA"
jq -e '.targets[0].results[] | select(.case == "ok-int-chain") |
  .result == "met"' "$T/out" >/dev/null ||
  fail "an intermediate-issued leaf was refused: Caddy read no CA at all"
pass "Caddy 2.6 trusted_ca_cert_file: only the first certificate of the file is trusted"

done_testing
