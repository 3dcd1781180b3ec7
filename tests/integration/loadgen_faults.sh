# A server that stalls, resets, sends garbage, closes mid-handshake or
# refuses the TCP connection is classified, never hangs the run or crashes
# it. The misbehaving servers are small Python programs on loopback.
. "$MTK_SRC/tests/lib/testlib.sh"
. "$MTK_SRC/tests/lib/openssl_pki.sh"

make_pki "$T/pki"
cat >"$T/bad.py" <<'PY'
import socket, struct, sys, time
mode, port = sys.argv[1], int(sys.argv[2])
sys.path.insert(0, sys.argv[3])
import loopback
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
loopback.accept(port, serve)
PY
jq_() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }
# start_bad MODE: start a misbehaving server, its port in $port.
start_bad() {
  port=$(free_port)
  python3 "$T/bad.py" "$1" "$port" "$MTK_SRC/tests/servers" >/dev/null 2>&1 &
  local pid=$!
  on_exit "kill $pid 2>/dev/null; wait $pid 2>/dev/null"
  wait_port "$port" 10
}
ID=(--cert "$T/pki/client.crt" --key "$T/pki/client.key" --cacert "$T/pki/ca.crt")

check() { # MODE EXPECTED_OUTCOME EXPECTED_STAGE [extra loadgen options]
  local mode=$1 want=$2 stage=$3
  shift 3
  start_bad "$mode"
  expect_status 3 timeout 30 mtlskit-loadgen "${ID[@]}" --timeout 700ms --connections 4 \
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
expect_status 3 timeout 30 mtlskit-loadgen "${ID[@]}" --connections 3 --json "https://127.0.0.1:$port/"
[ "$(jq_ "$T/out" '[(o["kind"], o["stage"], o["count"]) for o in d["outcomes"]]')" = "[('connect-failed', 'tcp', 3)]" ] ||
  fail "closed port: $(cat "$T/out")"
expect_grep "^mtlskit loadgen: error: nothing succeeded: all 3 attempts failed, most often connect-failed at tcp \(3\)$" "$T/err"
pass "closed port: connect-failed at tcp"

# An open-loop run against a stalling server ends on time: in-flight
# connections time out, the run does not wait for them forever.
start_bad stall
expect_status 3 timeout 30 mtlskit-loadgen "${ID[@]}" --rate 20 --duration 1s --timeout 500ms --json "https://127.0.0.1:$port/"
n=$(jq_ "$T/out" 'd["timeouts"]')
[ "$n" -ge 18 ] && [ "$n" -le 21 ] || fail "stall at --rate 20 for 1s: $n timeouts"
pass "open loop against a stalling server: $n timeouts, run ended"

# The end of the run is its own timer, not the next arrival: a tiny --rate
# with a short --duration ends at --duration (it ran 20 s, 1/rate, before),
# and connections still in flight get at most 2 s after it (documented
# drain), not their whole --timeout (10 s).
start_bad stall
t0=$(date +%s%N)
expect_status 3 timeout 60 mtlskit-loadgen "${ID[@]}" --rate 0.05 --duration 1s --timeout 10s --json "https://127.0.0.1:$port/"
ms=$((($(date +%s%N) - t0) / 1000000))
[ "$(jq_ "$T/out" 'd["connections"]')" = 1 ] || fail "--rate 0.05 for 1s: one connection expected"
[ "$(jq_ "$T/out" 'd["timeouts"]')" = 1 ] || fail "--rate 0.05 for 1s: the stalled connection is a timeout"
[ "$ms" -ge 1000 ] && [ "$ms" -lt 6000 ] || fail "--rate 0.05 --duration 1s took $ms ms"
pass "--rate 0.05 --duration 1s ends after $ms ms (1 s run + at most 2 s drain)"
t0=$(date +%s%N)
expect_status 3 timeout 60 mtlskit-loadgen "${ID[@]}" --rate 1e-9 --duration 1s --timeout 500ms --json "https://127.0.0.1:$port/"
ms=$((($(date +%s%N) - t0) / 1000000))
[ "$ms" -lt 5000 ] || fail "--rate 1e-9 --duration 1s took $ms ms"
pass "--rate 1e-9 --duration 1s ends after $ms ms (it never ended before)"
t0=$(date +%s%N)
expect_status 3 timeout 60 mtlskit-loadgen "${ID[@]}" --concurrency 2 --duration 2s --timeout 10s --json "https://127.0.0.1:$port/"
ms=$((($(date +%s%N) - t0) / 1000000))
[ "$ms" -ge 2000 ] && [ "$ms" -lt 7000 ] || fail "--duration 2s against a silent server took $ms ms"
pass "closed loop against a silent server ends after $ms ms, not --timeout 10 s past --duration"

# Closed loop against a refused port backs off instead of reconnecting at
# once (about 28,000 connects in one second before).
port=$(free_port)
expect_status 3 timeout 30 mtlskit-loadgen "${ID[@]}" --concurrency 4 --duration 1s --json "https://127.0.0.1:$port/"
n=$(jq_ "$T/out" 'd["connections"]')
[ "$n" -ge 4 ] && [ "$n" -le 200 ] || fail "closed loop on a refused port: $n connects in 1 s"
pass "closed loop on a refused port: $n connects in 1 s (backing off)"

# -k is --insecure, as in curl and mtlskit probe.
expect_status 3 timeout 30 mtlskit-loadgen --cert "$T/pki/client.crt" --key "$T/pki/client.key" -k --connections 1 --json "https://127.0.0.1:$port/"
[ "$(jq_ "$T/out" 'd["connections"]')" = 1 ] || fail "-k"
expect_status 0 mtlskit-loadgen -h
expect_grep '^usage: mtlskit loadgen' "$T/out"
pass "-k means --insecure; -h prints the usage"

done_testing
