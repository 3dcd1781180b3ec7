# mtlskit loadgen's server certificate verification cache, against real
# servers on loopback: nginx (one chain: verified once, then cache hits;
# --verify-each verifies every handshake) and tests/servers/switch_server
# (BoringSSL), whose chain and CertificateVerify key change from one
# connection to the next in a scripted order. One connection at a time, so
# the n-th connection of loadgen is the server's n-th. A chain seen for the
# first time is verified in full, an untrusted chain fails every time it is
# presented (failures are never cached), and a CertificateVerify signed
# with a key that does not match the certificate fails every handshake even
# though its chain is cached.
. "$MTK_SRC/tests/lib/testlib.sh"
. "$MTK_SRC/tests/lib/servers.sh"
. "$MTK_SRC/tests/lib/openssl_pki.sh"

make_pki "$T/pki"
PKI=$T/pki
# leaf NAME CA: a server certificate for 127.0.0.1 signed by CA, with a new
# P-256 key.
leaf() {
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$PKI/$1.key" -subj "/CN=$1" -out "$PKI/$1.csr" 2>/dev/null
  printf '%s\n' basicConstraints=CA:FALSE extendedKeyUsage=serverAuth \
    subjectAltName=IP:127.0.0.1 >"$PKI/$1.ext"
  openssl x509 -req -in "$PKI/$1.csr" -CA "$PKI/$2.crt" -CAkey "$PKI/$2.key" \
    -CAcreateserial -days 2 -extfile "$PKI/$1.ext" -out "$PKI/$1.crt" 2>/dev/null
}
leaf server2 ca           # another trusted chain
leaf foreign rogue-ca     # a chain from a CA loadgen does not trust
jq_() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }
# counts FILE: "verified cache_hits failed http200 other-outcomes" of a run.
counts() {
  python3 - "$1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
v = d["server_verification"]
ok = sum(o["count"] for o in d["outcomes"] if o["outcome"] == "http 200")
other = sorted("%s=%d" % (o["outcome"], o["count"]) for o in d["outcomes"] if o["outcome"] != "http 200")
print(v["mode"], v["verified"], v["cache_hits"], v["failed"], ok, ",".join(other) or "-")
PY
}
# run_lg N URL EXTRA...: N connections one at a time; JSON in $T/out.
run_lg() {
  local n=$1 url=$2
  shift 2
  mtlskit-loadgen --cacert "$PKI/ca.crt" --tls 1.3 --concurrency 1 \
    --connections "$n" --timeout 5s --json "$@" "$url" >"$T/out" 2>"$T/err" || true
}

# nginx, one chain: verified once, then from the cache; --verify-each
# verifies every handshake; --insecure verifies nothing.
P=$(free_port)
start_nginx one "$P" "
    ssl_certificate $PKI/server.crt;
    ssl_certificate_key $PKI/server.key;
    ssl_protocols TLSv1.3;
    location / { return 200 'ok\n'; }
"
run_lg 30 "https://127.0.0.1:$P/"
[ "$(counts "$T/out")" = "cached 1 29 0 30 -" ] || fail "nginx, cached: $(counts "$T/out")"
pass "one chain: verified once, 29 cache hits, 30 x 200"
run_lg 30 "https://127.0.0.1:$P/" --verify-each
[ "$(counts "$T/out")" = "each 30 0 0 30 -" ] || fail "nginx, --verify-each: $(counts "$T/out")"
pass "--verify-each: 30 full verifications"
expect_status 0 mtlskit-loadgen --insecure --connections 3 --json "https://127.0.0.1:$P/"
[ "$(counts "$T/out")" = "off 0 0 0 3 -" ] || fail "--insecure: $(counts "$T/out")"
expect_status 0 mtlskit-loadgen --cacert "$PKI/ca.crt" --connections 3 "https://127.0.0.1:$P/"
expect_grep '^server cert  cached: 1 chain verified, 2 from the cache, 0 rejected$' "$T/out"
pass "--insecure counts nothing; the table shows the counters"
expect_status 2 mtlskit-loadgen --insecure --verify-each --connections 1 "https://127.0.0.1:$P/"
expect_grep "^mtlskit loadgen: error: --verify-each and --insecure exclude each other$" "$T/err"
pass "--verify-each with --insecure is a usage error"

# switch_server PATTERN CERT KEY...: start it on a new port, set $S.
switch() {
  S=$(free_port)
  run_server "$S" "$T/switch-$S.log" switch_server "$S" "$@"
}

# The chain changes mid-run: each new chain is verified, then cached.
switch 00000111112222200000 "$PKI/server.crt" "$PKI/server.key" \
  "$PKI/server2.crt" "$PKI/server2.key" "$PKI/server.crt" "$PKI/server.key"
run_lg 20 "https://127.0.0.1:$S/"
[ "$(counts "$T/out")" = "cached 2 18 0 20 -" ] || fail "changing chain: $(counts "$T/out")"
pass "a second trusted chain mid-run is verified once, then cached"

# An untrusted chain between trusted ones fails every time it comes, even
# after the trusted chain was cached, and is classified as such.
switch 0002 "$PKI/server.crt" "$PKI/server.key" \
  "$PKI/foreign.crt" "$PKI/foreign.key" "$PKI/foreign.crt" "$PKI/foreign.key"
run_lg 20 "https://127.0.0.1:$S/"
[ "$(counts "$T/out")" = "cached 6 14 5 15 server-cert-rejected=5" ] ||
  fail "untrusted chain: $(counts "$T/out")"
pass "an untrusted chain fails each of its 5 handshakes among cached successes"

# A CertificateVerify signed with a key that does not match the (trusted,
# cached) certificate fails every such handshake.
switch 01 "$PKI/server.crt" "$PKI/server.key" "$PKI/server.crt" "$PKI/server2.key"
run_lg 20 "https://127.0.0.1:$S/"
read -r mode verified hits failed ok other <<<"$(counts "$T/out")"
[ "$ok" = 10 ] && [ "$failed" = 0 ] && [ "$verified" = 1 ] && [ "$other" != - ] ||
  fail "wrong CertificateVerify key: $(counts "$T/out")"
case "$other" in *=10) ;; *) fail "10 failed handshakes expected: $other" ;; esac
pass "a CertificateVerify by the wrong key fails all 10 such handshakes ($other), the chain cached"
switch 1 "$PKI/server.crt" "$PKI/server.key" "$PKI/server.crt" "$PKI/server2.key"
expect_status 3 mtlskit-loadgen --cacert "$PKI/ca.crt" --concurrency 1 \
  --connections 5 --json "https://127.0.0.1:$S/"
read -r mode verified hits failed ok other <<<"$(counts "$T/out")"
[ "$ok" = 0 ] && [ "$verified" = 1 ] && [ "$hits" = 4 ] ||
  fail "wrong key only: $(counts "$T/out")"
pass "a server that always signs with the wrong key fails every handshake ($other)"
done_testing
