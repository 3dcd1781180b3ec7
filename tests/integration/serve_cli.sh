# mtlskit serve: command line (help, usage and runtime errors with their
# exit status), bounds (--max-connections, --duration, SIGINT, SIGTERM,
# --timeout), HTTP parsing limits and errors, and garbage that must not
# bring the server down. Everything on 127.0.0.1.
. "$MTK_SRC/tests/lib/testlib.sh"
. "$MTK_SRC/tests/integration/serve_common.sh"

F="$T/fx"
serve_fixtures "$F"
common=(--cert "$F/server/server.cert.pem" --key "$F/server/server.key.pem"
  --truststore "$F/trust/root.pem")

# --- help and usage ---------------------------------------------------------
expect_status 0 mtlskit serve --help
for w in alb-verify alb-passthrough apigw cloudflare '\[I\]' --ready-file \
    --advertise-ca-names --apigw-refusal; do
  expect_grep "$w" "$T/out"
done
usage() {
  expect_status 2 mtlskit-serve "$@"
  [ "$(wc -l <"$T/err")" -eq 2 ] || { cat "$T/err" >&2; fail "usage: 2 lines expected"; }
  expect_grep '^mtlskit serve: error: ' "$T/err"
  expect_grep "^try 'mtlskit serve --help'$" "$T/err"
}
usage
usage --profile nginx "${common[@]}"
usage --profile alb-verify --key "$F/server/server.key.pem" --truststore "$F/trust/root.pem"
usage --profile alb-verify --cert "$F/server/server.cert.pem" --key "$F/server/server.key.pem"
usage --profile cloudflare "${common[@]}" --allow-expired
usage --profile cloudflare "${common[@]}" --apigw-refusal tls
usage --profile apigw "${common[@]}" --apigw-refusal 404
usage --profile apigw "${common[@]}" --tls 1.1
usage --profile apigw "${common[@]}" --listen localhost:8443
usage --profile apigw "${common[@]}" --listen 127.0.0.1:99999
usage --profile apigw "${common[@]}" --duration 10
usage --profile apigw "${common[@]}" --max-connections 0
usage --profile apigw "${common[@]}" --bogus
usage --profile apigw "${common[@]}" extra-argument
usage --profile alb-passthrough --cert "$F/server/server.cert.pem" \
  --key "$F/server/server.key.pem" --advertise-ca-names
pass "help names every profile and the [I] mark; usage errors exit 2 with one error line"

# --- runtime errors ---------------------------------------------------------
runtime() {
  expect_status 3 mtlskit-serve --listen 127.0.0.1:0 --duration 5s "$@"
  expect_one_line "$T/err"
}
runtime --profile apigw --cert "$F/server/server.cert.pem" \
  --key "$F/server/server.key.pem" --truststore "$T/missing.pem"
expect_grep 'truststore' "$T/err"
runtime --profile apigw --cert "$T/missing.pem" --key "$F/server/server.key.pem" \
  --truststore "$F/trust/root.pem"
runtime --profile apigw --cert "$F/server/server.cert.pem" \
  --key "$F/cases/ok-root-leaf/key.pem" --truststore "$F/trust/root.pem"
expect_grep 'does not match' "$T/err"
# Bad input files are usage errors (docs/exit-status.md: bad input is 2).
expect_status 2 mtlskit-serve --listen 127.0.0.1:0 --duration 5s \
  --profile alb-verify "${common[@]}" --crl "$F/trust/root.pem"
expect_one_line "$T/err"
expect_grep 'no CRL in the file' "$T/err"
start_serve busy "${common[@]}" --profile apigw
busy_pid=$SERVE_PID
expect_status 3 mtlskit-serve "${common[@]}" --profile apigw \
  --listen "127.0.0.1:$SERVE_PORT" --duration 5s
expect_grep 'cannot listen on 127.0.0.1' "$T/err"
pass "runtime errors (missing files, key mismatch, address in use) exit 3; a CRL file without CRL exits 2"

# --- HTTP over TLS: limits and errors ---------------------------------------
# raw_http PORT CASE FILE: send each request in FILE (one Python bytes
# literal per line) on its own connection; print the status line(s).
raw_http() {
  python3 - "$1" "$F" "$2" "$3" <<'PY'
import re, socket, ssl, sys
port, fx, case, reqs = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
ctx = ssl.create_default_context(cafile=fx + "/trust/root.pem")
ctx.load_cert_chain(fx + "/cases/%s/cert.pem" % case, fx + "/cases/%s/key.pem" % case)
for line in open(reqs):
    raw = eval(line)  # the test's own expressions
    s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=20),
                        server_hostname="localhost")
    s.sendall(raw)
    data = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except (ssl.SSLError, ConnectionResetError):
        pass
    s.close()
    codes = re.findall(rb"(?:^|\n)HTTP/1\.1 (\d{3}) ", data)
    print(" ".join(c.decode() for c in codes) or "none")
PY
}
cat >"$T/requests" <<'EOF'
b"GET / HTTP/2.0\r\nHost: x\r\n\r\n"
b"BREW /\r\n\r\n"
b"GET / HTTP/1.1\r\nBig: " + b"a" * 20000 + b"\r\n\r\n"
b"GET /" + b"a" * 17000 + b" HTTP/1.1\r\n\r\n"
b"GET / HTTP/1.1\r\n" + b"".join(b"H%d: %s\r\n" % (i, b"v" * 1000) for i in range(70)) + b"\r\n"
b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
b"POST / HTTP/1.1\r\nContent-Length: 2000000\r\n\r\n"
b"GET / HTTP/1.1\r\nA: b\r\n folded\r\n\r\n"
b"POST /a HTTP/1.1\r\nContent-Length: 5\r\n\r\nhelloGET /b HTTP/1.1\r\nConnection: close\r\n\r\n"
b"GET / HTTP/1.0\r\n\r\n"
EOF
raw_http "$SERVE_PORT" ok-root-leaf "$T/requests" >"$T/statuses"
printf '%s\n' 505 400 431 414 431 501 413 400 '200 200' 200 >"$T/want-statuses"
diff "$T/want-statuses" "$T/statuses" >&2 || fail "HTTP statuses differ"
pass "HTTP: 505, 400, 431 (line, total), 414, 501 chunked, 413, obs-fold 400, body + pipelined request, HTTP/1.0"

# --- garbage and silence ----------------------------------------------------
python3 - "$SERVE_PORT" <<'PY'
import os, socket, sys
port = int(sys.argv[1])
for payload in (b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", os.urandom(5000),
                b"\x16\x03\x01\xff\xff" + os.urandom(300), b""):
    s = socket.create_connection(("127.0.0.1", port), timeout=20)
    s.sendall(payload)
    try:
        while s.recv(4096):
            pass
    except (ConnectionResetError, socket.timeout):
        pass
    s.close()
PY
echo 'b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n"' >"$T/one-request"
raw_http "$SERVE_PORT" ok-root-leaf "$T/one-request" >"$T/after"
[ "$(cat "$T/after")" = 200 ] || fail "after garbage: $(cat "$T/after")"
kill -0 "$busy_pid" || fail "the server died on garbage"
stop_serve "$busy_pid"
pass "plain HTTP, random bytes, a broken ClientHello and empty connections: the server lives on"

# A client that never speaks is closed at --timeout.
start_serve idle "${common[@]}" --profile cloudflare --timeout 1s
idle_pid=$SERVE_PID
python3 - "$SERVE_PORT" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=30)
assert s.recv(100) == b"", "expected the server to close"
PY
stop_serve "$idle_pid"
expect_grep ' end=timeout$' "$T/serve-idle.log"
pass "a silent client is closed at --timeout"

# --- bounds and signals -----------------------------------------------------
# wait_exit PID: the server must end by itself (bounded here at 60 s).
wait_exit() {
  local i rc=0
  for ((i = 0; i < 1200; i++)); do
    kill -0 "$1" 2>/dev/null || break
    sleep 0.05
  done
  kill -0 "$1" 2>/dev/null && fail "mtlskit serve did not stop by itself"
  wait "$1" || rc=$?
  [ "$rc" -eq 0 ] || fail "mtlskit serve exited $rc"
}
rm -f "$T/ready-max"
mtlskit-serve "${common[@]}" --profile cloudflare --listen 127.0.0.1:0 \
  --ready-file "$T/ready-max" --max-connections 2 --duration 120s \
  >"$T/serve-max.log" 2>&1 &
max_pid=$!
on_exit "kill $max_pid 2>/dev/null"
for ((i = 0; i < 200; i++)); do [ -s "$T/ready-max" ] && break; sleep 0.05; done
port=$(cat "$T/ready-max")
for i in 1 2; do
  curl -sS --max-time 20 --cacert "$F/trust/root.pem" -o /dev/null \
    "https://127.0.0.1:$port/" || fail "connection $i"
done
wait_exit "$max_pid"
expect_grep "^listening https://127.0.0.1:$port/ profile=cloudflare$" "$T/serve-max.log"
[ "$(grep -c ' TID_' "$T/serve-max.log")" -eq 2 ] || fail "expected 2 log lines"
pass "--max-connections 2: two connections logged, then exit 0"

mtlskit-serve "${common[@]}" --profile apigw --listen 127.0.0.1:0 \
  --duration 1s >"$T/serve-dur.log" 2>&1 &
dur_pid=$!
on_exit "kill $dur_pid 2>/dev/null"
wait_exit "$dur_pid"
pass "--duration 1s: exit 0 by itself"

start_serve int "${common[@]}" --profile apigw
int_pid=$SERVE_PID
kill -INT "$int_pid"
wait_exit "$int_pid"
pass "SIGINT: exit 0"

# The front-end runs the same thing.
rm -f "$T/ready-front"
expect_status 0 mtlskit serve "${common[@]}" --profile alb-verify \
  --listen 127.0.0.1:0 --duration 1s --ready-file "$T/ready-front"
expect_grep '^listening https://127.0.0.1:[0-9]+/ profile=alb-verify$' "$T/out"
expect_grep '^[0-9]+$' "$T/ready-front"
pass "mtlskit serve through the front-end; --ready-file holds the port"

done_testing
