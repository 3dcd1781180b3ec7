# mtlskit loadgen against a real nginx with ssl_verify_client on, on
# loopback: outcome counts, refused identities, keep-alive, identity pools,
# source addresses, resumption with nginx's own evidence, the --rate
# schedule, SLO exit status and usage errors.
. "$MTK_SRC/tests/lib/testlib.sh"
. "$MTK_SRC/tests/lib/servers.sh"
. "$MTK_SRC/tests/lib/openssl_pki.sh"

make_pki "$T/pki"
P=$(free_port)
# The access log carries nginx's evidence: session reuse, client DN,
# connection serial number and client address.
start_nginx_http mtls "$P" \
  "log_format ev '\$ssl_session_reused \$ssl_protocol \$connection \$remote_addr \$status [\$ssl_client_s_dn] sni=\$ssl_server_name curve=\$ssl_curve';" "
    ssl_certificate $T/pki/server.crt;
    ssl_certificate_key $T/pki/server.key;
    ssl_client_certificate $T/pki/ca.crt;
    ssl_verify_client on;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_cache shared:mtk:1m;
    ssl_session_tickets on;
    keepalive_requests 1000;
    access_log $T/nginx-mtls/logs/ev.log ev;
    location / { return 200 'ok\n'; }
"
LOG="$T/nginx-mtls/logs/ev.log"
URL="https://127.0.0.1:$P/"
ID=(--cert "$T/pki/client.crt" --key "$T/pki/client.key" --cacert "$T/pki/ca.crt")
jq_() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }

# Good identity, closed loop, bounded by a count: every connection is one
# handshake and one 200, and nginx saw exactly as many.
: >"$LOG"
expect_status 0 mtlskit-loadgen "${ID[@]}" --concurrency 4 --connections 40 --json "$URL"
[ "$(jq_ "$T/out" 'd["schema_version"]')" = 1 ] || fail "schema_version"
[ "$(jq_ "$T/out" 'd["connections"]')" = 40 ] || fail "40 connections expected"
[ "$(jq_ "$T/out" 'd["handshakes"]')" = 40 ] || fail "40 handshakes expected"
[ "$(jq_ "$T/out" '[o["count"] for o in d["outcomes"] if o["outcome"]=="http 200"][0]')" = 40 ] || fail "40 x http 200"
[ "$(jq_ "$T/out" 'd["errors"]')" = 0 ] || fail "no errors expected"
[ "$(jq_ "$T/out" 'd["phases"]["handshake"]["count"]')" = 40 ] || fail "handshake histogram count"
[ "$(jq_ "$T/out" 'd["resumed"]')" = 0 ] || fail "no resumption by default"
[ "$(wc -l <"$LOG")" -eq 40 ] || fail "nginx logged $(wc -l <"$LOG") requests, expected 40"
expect_no_grep '^r ' "$LOG"
pass "40 full mTLS handshakes, 40 x 200, nginx agrees, none resumed"

# The summary table names the phases and the outcome.
expect_status 0 mtlskit-loadgen "${ID[@]}" --connections 5 "$URL"
for w in connect handshake ttfb total 'http 200'; do expect_grep "$w" "$T/out"; done
expect_grep '^connections +5 ' "$T/out"
pass "summary table"

# An identity from a CA nginx does not trust: nginx completes the handshake
# and answers 400 (docs/platforms.md section 4), under TLS 1.2 and 1.3.
for v in 1.2 1.3; do
  expect_status 3 mtlskit-loadgen --cert "$T/pki/rogue.crt" --key "$T/pki/rogue.key" \
    --cacert "$T/pki/ca.crt" --tls "$v" --connections 6 --json "$URL"
  [ "$(jq_ "$T/out" '[o["count"] for o in d["outcomes"] if o["outcome"]=="http 400"][0]')" = 6 ] ||
    fail "TLS $v: 6 x http 400 expected"
  [ "$(jq_ "$T/out" 'd["errors"]')" = 6 ] || fail "TLS $v: 6 errors"
  [ "$(jq_ "$T/out" 'd["error_ratio"]')" = 1.0 ] || fail "TLS $v: error ratio 1"
done
pass "untrusted identity: nginx 400 under TLS 1.2 and 1.3, counted as errors"

# Keep-alive: 3 requests on each of 5 connections.
: >"$LOG"
expect_status 0 mtlskit-loadgen "${ID[@]}" --keepalive 3 --connections 5 --json "$URL"
[ "$(jq_ "$T/out" 'd["requests"]')" = 15 ] || fail "15 requests expected"
[ "$(jq_ "$T/out" 'd["phases"]["ttfb"]["count"]')" = 15 ] || fail "15 ttfb samples"
[ "$(jq_ "$T/out" 'd["phases"]["handshake"]["count"]')" = 5 ] || fail "5 handshakes"
[ "$(wc -l <"$LOG")" -eq 15 ] || fail "nginx logged $(wc -l <"$LOG"), expected 15"
[ "$(awk '{print $3}' "$LOG" | sort -u | wc -l)" -eq 5 ] || fail "expected 5 distinct nginx connections"
pass "keep-alive: 15 requests over 5 connections"

# --requests bounds the request count.
expect_status 0 mtlskit-loadgen "${ID[@]}" --keepalive 4 --requests 10 --json "$URL"
[ "$(jq_ "$T/out" 'd["requests"]')" = 10 ] || fail "--requests 10"
pass "--requests"

# A pool of identities from a directory is used round-robin.
mkdir "$T/ids"
cp "$T/pki/client.crt" "$T/ids/a.crt"; cp "$T/pki/client.key" "$T/ids/a.key"
cp "$T/pki/client2.crt" "$T/ids/b.crt"; cp "$T/pki/client2.key" "$T/ids/b.key"
: >"$LOG"
expect_status 0 mtlskit-loadgen --identities "$T/ids" --cacert "$T/pki/ca.crt" --connections 6 "$URL"
[ "$(grep -c 'CN=mtk client 1' "$LOG")" -eq 3 ] || fail "client 1 should have 3 connections"
[ "$(grep -c 'CN=mtk client 2' "$LOG")" -eq 3 ] || fail "client 2 should have 3 connections"
pass "identity pool round-robin (nginx saw both DNs 3 times)"

# A directory over the pool's limit (4096 identities) is refused with one
# line before any connection, never silently cut short; so is a directory
# without a NAME.crt.
mkdir "$T/many"
(cd "$T/many" && seq -f 'id%04g.crt' 1 4097 | xargs touch)
expect_status 2 mtlskit-loadgen --identities "$T/many" --cacert "$T/pki/ca.crt" "$URL"
expect_one_line "$T/err"; expect_grep 'more than 4096 identities' "$T/err"
mkdir "$T/none"
expect_status 2 mtlskit-loadgen --identities "$T/none" --cacert "$T/pki/ca.crt" "$URL"
expect_one_line "$T/err"; expect_grep 'no NAME.crt file' "$T/err"
pass "--identities: over the pool limit or empty is a usage error"

# A PKCS#12 identity (as openssl pkcs12 writes it), password from the
# environment, joins the pool next to a PEM identity.
openssl pkcs12 -export -in "$T/pki/client2.crt" -inkey "$T/pki/client2.key" \
  -out "$T/client2.p12" -passout pass:p12-secret
: >"$LOG"
expect_status 0 env P12PW=p12-secret mtlskit-loadgen --cert "$T/pki/client.crt" --key "$T/pki/client.key" \
  --p12 "$T/client2.p12" --p12-password env:P12PW --cacert "$T/pki/ca.crt" --connections 4 "$URL"
[ "$(grep -c 'CN=mtk client 2' "$LOG")" -eq 2 ] || fail "the PKCS#12 identity should have 2 connections"
[ "$(grep -c 'CN=mtk client 1' "$LOG")" -eq 2 ] || fail "the PEM identity should have 2 connections"
expect_status 3 env P12PW=wrong mtlskit-loadgen --p12 "$T/client2.p12" --p12-password env:P12PW \
  --cacert "$T/pki/ca.crt" --connections 1 "$URL"
expect_one_line "$T/err"; expect_grep 'client2.p12' "$T/err"
pass "PKCS#12 identity in the pool; a wrong password is a one-line error"

# SNI: none for an IP address by default, the name given by --sni (which
# the server certificate must match), and --groups picks the key exchange.
: >"$LOG"
expect_status 0 mtlskit-loadgen "${ID[@]}" --connections 1 "$URL"
expect_grep 'sni=-? ' "$LOG"
: >"$LOG"
expect_status 0 mtlskit-loadgen "${ID[@]}" --sni localhost --groups P-256 --connections 2 --json "$URL"
[ "$(grep -c 'sni=localhost curve=prime256v1' "$LOG")" -eq 2 ] || { cat "$LOG"; fail "--sni localhost --groups P-256 not seen by nginx"; }
expect_status 3 mtlskit-loadgen "${ID[@]}" --sni other.example --connections 2 --json "$URL"
[ "$(jq_ "$T/out" '[(o["kind"], o["count"]) for o in d["outcomes"]]')" = "[('server-cert-rejected', 2)]" ] ||
  fail "a name the server certificate does not carry must be rejected"
expect_status 2 mtlskit-loadgen "${ID[@]}" --groups P-256:nonsense --connections 1 "$URL"
expect_one_line "$T/err"
pass "--sni, server name verification and --groups"

# A low open-file limit: loadgen says it is capped and still runs.
expect_status 0 bash -c 'ulimit -n 160 && exec "$@"' _ mtlskit-loadgen "${ID[@]}" \
  --concurrency 300 --connections 20 --json "$URL"
expect_grep 'open-file limit capped at 160' "$T/err"
[ "$(jq_ "$T/out" 'd["connections"]')" = 20 ] || fail "capped run did not complete"
pass "RLIMIT_NOFILE capped: warned, in-flight lowered"

# Source addresses spread over 127.0.0.1 and 127.0.0.2.
: >"$LOG"
expect_status 0 mtlskit-loadgen "${ID[@]}" --source-ips 127.0.0.1,127.0.0.2 --connections 4 --close rst "$URL"
[ "$(grep -c ' 127.0.0.2 ' "$LOG")" -eq 2 ] || fail "2 connections from 127.0.0.2 expected"
[ "$(grep -c ' 127.0.0.1 ' "$LOG")" -eq 2 ] || fail "2 connections from 127.0.0.1 expected"
pass "--source-ips and --close rst"

# Resumption: off never resumes, tickets (1.2, 1.3) and session IDs (1.2)
# resume every connection after the first; nginx's \$ssl_session_reused says so.
for mode in "tickets 1.3" "tickets 1.2" "ids 1.2" "off 1.3"; do
  set -- $mode
  : >"$LOG"
  expect_status 0 mtlskit-loadgen "${ID[@]}" --resume "$1" --tls "$2" --connections 8 --json "$URL"
  resumed=$(jq_ "$T/out" 'd["resumed"]')
  nginx_r=$(grep -c '^r ' "$LOG" || true)
  if [ "$1" = off ]; then
    [ "$resumed" = 0 ] && [ "$nginx_r" = 0 ] || fail "--resume off resumed ($resumed, nginx $nginx_r)"
  else
    [ "$resumed" = 7 ] || fail "--resume $1 TLS $2: loadgen counted $resumed resumed, expected 7"
    [ "$nginx_r" = 7 ] || fail "--resume $1 TLS $2: nginx saw $nginx_r resumed, expected 7"
  fi
  expect_grep "TLSv$2 " "$LOG"
done
pass "resumption off/tickets/ids, confirmed by nginx"

# Open loop: --rate 40 for 2s schedules 80 connections; the count of
# connections nginx served is checked within a loose bound only.
: >"$LOG"
expect_status 0 mtlskit-loadgen "${ID[@]}" --rate 40 --duration 2s --json "$URL"
n=$(jq_ "$T/out" 'd["connections"]')
[ "$n" -ge 76 ] && [ "$n" -le 81 ] || fail "--rate 40 for 2s made $n connections"
[ "$(wc -l <"$LOG")" -eq "$n" ] || fail "nginx served $(wc -l <"$LOG"), loadgen counted $n"
[ "$(jq_ "$T/out" 'd["config"]["mode"]')" = open ] || fail "open loop"
pass "--rate holds its schedule ($n connections for 80 scheduled)"

# Warm-up connections are left out of the results.
expect_status 0 mtlskit-loadgen "${ID[@]}" --rate 20 --duration 2s --warmup 1s --json "$URL"
w=$(jq_ "$T/out" 'd["warmup_connections"]'); n=$(jq_ "$T/out" 'd["connections"]')
[ "$w" -ge 18 ] && [ "$w" -le 21 ] && [ "$n" -ge 18 ] && [ "$n" -le 21 ] || fail "warm-up $w, measured $n"
[ "$(jq_ "$T/out" 'd["phases"]["total"]["count"]')" = "$n" ] || fail "warm-up samples leaked into histograms"
pass "--warmup excluded"

# SLOs: a threshold nobody meets exits 1 and says which clause failed.
expect_status 1 mtlskit-loadgen "${ID[@]}" --connections 3 --slo 'handshake.p99<=1us,errors<=0' "$URL"
expect_grep 'handshake.p99<=1us +VIOLATED' "$T/out"
expect_grep 'errors<=0 +ok' "$T/out"
expect_one_line "$T/err"
expect_status 0 mtlskit-loadgen "${ID[@]}" --connections 3 --slo 'handshake.p99<=10s,errors<=0.1%' "$URL"
expect_status 3 mtlskit-loadgen --cert "$T/pki/rogue.crt" --key "$T/pki/rogue.key" \
  --cacert "$T/pki/ca.crt" --connections 3 --slo 'errors<=0.1%' "$URL"
pass "--slo exit status"

# --hdr-log writes an HdrHistogram log with one tagged line per phase.
expect_status 0 mtlskit-loadgen "${ID[@]}" --connections 5 --hdr-log "$T/run.hlog" "$URL"
expect_grep '^#\[Histogram log format version 1.3\]$' "$T/run.hlog"
expect_grep '^"StartTimestamp","Interval_Length","Interval_Max","Interval_Compressed_Histogram"$' "$T/run.hlog"
expect_grep '^Tag=handshake,[0-9.]+,[0-9.]+,[0-9.]+,HISTFAAAA' "$T/run.hlog"
pass "--hdr-log"

# Bad input: one line, exit 2, nothing started.
expect_status 2 mtlskit-loadgen "${ID[@]}" --rate 10 --concurrency 2 "$URL"
expect_one_line <(grep -v '^try ' "$T/err"); expect_grep 'exclude each other' "$T/err"
expect_status 2 mtlskit-loadgen --cert "$T/pki/client.crt" --cacert "$T/pki/ca.crt" "$URL"
expect_grep '1 --cert but 0 --key' "$T/err"
expect_status 2 mtlskit-loadgen "${ID[@]}" --duration 10 "$URL"
expect_grep "not a duration" "$T/err"
expect_status 2 mtlskit-loadgen "${ID[@]}" --resume ids --tls 1.3 "$URL"
expect_status 2 mtlskit-loadgen --cert "$T/pki/client.crt" --key "$T/pki/client.key" "$URL"
expect_grep 'cacert' "$T/err"
expect_status 2 mtlskit-loadgen "${ID[@]}" --slo 'handshake.p99<=fast' "$URL"
expect_status 2 mtlskit-loadgen "${ID[@]}" http://127.0.0.1:$P/
expect_status 3 mtlskit-loadgen --cert "$T/pki/missing.crt" --key "$T/pki/client.key" \
  --cacert "$T/pki/ca.crt" "$URL"
expect_one_line "$T/err"; expect_grep 'missing.crt' "$T/err"
expect_status 3 mtlskit-loadgen --cert "$T/pki/client.crt" --key "$T/pki/client2.key" \
  --cacert "$T/pki/ca.crt" "$URL"
expect_grep 'does not match' "$T/err"
expect_status 0 mtlskit-loadgen --help
expect_grep '^usage: mtlskit loadgen' "$T/out"
pass "usage and setup errors"

done_testing
