# A server that stalls, resets, sends garbage, closes mid-handshake or
# refuses the TCP connection is classified, never hangs the run or crashes
# it. The misbehaving servers are small Python programs on loopback.
. "$MTK_SRC/tests/lib/testlib.sh"
. "$MTK_SRC/tests/lib/openssl_pki.sh"

make_pki "$T/pki"
cat >"$T/bad.py" <<'PY'
import socket, struct, sys, threading, time
mode, port = sys.argv[1], int(sys.argv[2])
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", port))
srv.listen(64)
held = []
def serve(c):
    if mode == "stall":
        held.append(c)              # accept, read nothing, say nothing
        return
    if mode == "reset":
        c.recv(4096)                # the ClientHello, then RST
        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    elif mode == "garbage":
        c.recv(4096)
        c.sendall(b"SSH-2.0-OpenSSH_9.2 not TLS at all\r\n" * 4)
        time.sleep(0.2)
    elif mode == "close":
        c.recv(4096)                # mid-handshake: FIN without a word
    c.close()
deadline = time.time() + 60         # never outlive a broken test
srv.settimeout(1)
while time.time() < deadline:
    try:
        c, _ = srv.accept()
    except socket.timeout:
        continue
    threading.Thread(target=serve, args=(c,), daemon=True).start()
PY
jq_() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }
# start_bad MODE: start a misbehaving server, its port in $port.
start_bad() {
  port=$(free_port)
  python3 "$T/bad.py" "$1" "$port" >/dev/null 2>&1 &
  local pid=$!
  on_exit "kill $pid 2>/dev/null; wait $pid 2>/dev/null"
  wait_port "$port" 10
}
ID=(--cert "$T/pki/client.crt" --key "$T/pki/client.key" --cacert "$T/pki/ca.crt")

check() { # MODE EXPECTED_OUTCOME EXPECTED_STAGE [extra loadgen options]
  local mode=$1 want=$2 stage=$3
  shift 3
  start_bad "$mode"
  expect_status 0 timeout 30 mtlskit-loadgen "${ID[@]}" --timeout 700ms --connections 4 \
    --concurrency 2 --json "$@" "https://127.0.0.1:$port/"
  got=$(jq_ "$T/out" 'sorted((o["kind"], o["stage"], o["count"]) for o in d["outcomes"])')
  [ "$got" = "[('$want', '$stage', 4)]" ] || fail "$mode: got $got, expected 4 x $want at $stage"
  [ "$(jq_ "$T/out" 'd["connections"]')" = 4 ] || fail "$mode: 4 connections expected"
  pass "$mode server: 4 x $want at $stage"
}

check stall timeout handshake
check reset reset handshake
check garbage protocol-error handshake
check close closed handshake
check stall timeout handshake --close rst --tls 1.2

# Nothing listening: connect-failed at tcp.
port=$(free_port)
expect_status 0 timeout 30 mtlskit-loadgen "${ID[@]}" --connections 3 --json "https://127.0.0.1:$port/"
[ "$(jq_ "$T/out" '[(o["kind"], o["stage"], o["count"]) for o in d["outcomes"]]')" = "[('connect-failed', 'tcp', 3)]" ] ||
  fail "closed port: $(cat "$T/out")"
pass "closed port: connect-failed at tcp"

# An open-loop run against a stalling server ends on time: in-flight
# connections time out, the run does not wait for them forever.
start_bad stall
expect_status 0 timeout 30 mtlskit-loadgen "${ID[@]}" --rate 20 --duration 1s --timeout 500ms --json "https://127.0.0.1:$port/"
n=$(jq_ "$T/out" 'd["timeouts"]')
[ "$n" -ge 18 ] && [ "$n" -le 21 ] || fail "stall at --rate 20 for 1s: $n timeouts"
pass "open loop against a stalling server: $n timeouts, run ended"

done_testing
