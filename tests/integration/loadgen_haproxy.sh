# mtlskit loadgen against a real HAProxy with "verify required" on
# loopback. HAProxy refuses an untrusted client certificate in the TLS
# handshake: under TLS 1.2 the alert arrives while the client handshakes,
# under TLS 1.3 only after the client finished (docs/platforms.md 6.1),
# at its first read. Both must be classified as refusals, not successes.
. "$MTK_SRC/tests/lib/testlib.sh"
. "$MTK_SRC/tests/lib/servers.sh"
. "$MTK_SRC/tests/lib/openssl_pki.sh"

make_pki "$T/pki"
cat "$T/pki/server.crt" "$T/pki/server.key" >"$T/pki/server.pem"
P=$(free_port)
start_haproxy mtls "$P" \
  "ssl crt $T/pki/server.pem ca-file $T/pki/ca.crt verify required ssl-min-ver TLSv1.2"
URL="https://127.0.0.1:$P/"
jq_() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }

for v in 1.2 1.3; do
  expect_status 0 mtlskit-loadgen --cert "$T/pki/client.crt" --key "$T/pki/client.key" \
    --cacert "$T/pki/ca.crt" --tls "$v" --connections 10 --concurrency 2 --json "$URL"
  [ "$(jq_ "$T/out" '[o["count"] for o in d["outcomes"] if o["outcome"]=="http 200"][0]')" = 10 ] ||
    fail "TLS $v: 10 x http 200 expected"
  [ "$(jq_ "$T/out" 'd["handshakes"]')" = 10 ] || fail "TLS $v: 10 handshakes"
done
pass "trusted identity: 200 under TLS 1.2 and 1.3"

# TLS 1.2: unknown_ca (48) during the handshake, every time.
expect_status 3 mtlskit-loadgen --cert "$T/pki/rogue.crt" --key "$T/pki/rogue.key" \
  --cacert "$T/pki/ca.crt" --tls 1.2 --connections 8 --json "$URL"
[ "$(jq_ "$T/out" 'd["refused"]')" = 8 ] || fail "TLS 1.2: 8 refusals expected"
[ "$(jq_ "$T/out" '[(o["alert"], o["stage"]) for o in d["outcomes"]]')" = "[(48, 'handshake')]" ] ||
  fail "TLS 1.2: expected alert 48 at handshake: $(cat "$T/out")"
[ "$(jq_ "$T/out" 'd["handshakes"]')" = 0 ] || fail "TLS 1.2: no accepted handshake"
[ "$(jq_ "$T/out" 'd["phases"]["handshake"]["count"]')" = 0 ] || fail "refused handshakes timed as good ones"
pass "TLS 1.2 refusal: tls-alert unknown_ca at handshake"

# TLS 1.3: the client's handshake completes, the refusal comes at the first
# read (an alert, or a reset when the alert is lost, section 6.4). Never a
# success, never an accepted handshake.
expect_status 3 mtlskit-loadgen --cert "$T/pki/rogue.crt" --key "$T/pki/rogue.key" \
  --cacert "$T/pki/ca.crt" --tls 1.3 --connections 8 --json "$URL"
[ "$(jq_ "$T/out" 'd["refused"]')" = 8 ] || fail "TLS 1.3: 8 refusals expected: $(cat "$T/out")"
[ "$(jq_ "$T/out" 'd["errors"]')" = 8 ] || fail "TLS 1.3: 8 errors"
[ "$(jq_ "$T/out" 'd["handshakes"]')" = 0 ] || fail "TLS 1.3: a refused handshake was counted as accepted"
[ "$(jq_ "$T/out" 'all(o["stage"]=="first-read" for o in d["outcomes"])')" = True ] ||
  fail "TLS 1.3: refusal expected at first-read: $(cat "$T/out")"
[ "$(jq_ "$T/out" 'sum(o["count"] for o in d["outcomes"] if o.get("alert")==48)')" -ge 1 ] ||
  fail "TLS 1.3: alert 48 never seen"
pass "TLS 1.3 post-handshake refusal: tls-alert unknown_ca at first-read"

# No client certificate at all: TLS 1.3 certificate_required (116) late,
# TLS 1.2 handshake_failure (40) during the handshake.
expect_status 3 mtlskit-loadgen --cacert "$T/pki/ca.crt" --tls 1.2 --connections 3 --json "$URL"
[ "$(jq_ "$T/out" '[(o["alert"], o["stage"]) for o in d["outcomes"]]')" = "[(40, 'handshake')]" ] ||
  fail "no cert, TLS 1.2: $(cat "$T/out")"
expect_status 3 mtlskit-loadgen --cacert "$T/pki/ca.crt" --tls 1.3 --connections 3 --json "$URL"
[ "$(jq_ "$T/out" 'd["refused"]')" = 3 ] || fail "no cert, TLS 1.3: 3 refusals"
pass "no client certificate: refused under TLS 1.2 and 1.3"

# The server certificate is checked: another CA as trust anchor refuses it.
expect_status 3 mtlskit-loadgen --cert "$T/pki/client.crt" --key "$T/pki/client.key" \
  --cacert "$T/pki/rogue-ca.crt" --connections 2 --json "$URL"
[ "$(jq_ "$T/out" '[o["kind"] for o in d["outcomes"]]')" = "['server-cert-rejected']" ] ||
  fail "server certificate from an untrusted CA: $(cat "$T/out")"
pass "server certificate verification"

done_testing
