# mtlskit serve at its descriptor limit: idle TCP connections fill every
# descriptor (the limit lowered with prlimit), accept fails with EMFILE.
# serve says so once on stderr, does not spin (its CPU time while held is
# measured from /proc), and as soon as some of the idle connections go a
# well-behaved client is served, while the rest are still held. Before,
# serve polled the listener in a loop at 100 % CPU.
. "$MTK_SRC/tests/lib/testlib.sh"
. "$MTK_SRC/tests/integration/serve_common.sh"

F="$T/fx"
mtlskit fixtures "$F" --quiet --only ok-root-leaf >/dev/null ||
  fail "mtlskit fixtures failed"
start_serve limits --cert "$F/server/server.cert.pem" \
  --key "$F/server/server.key.pem" --truststore "$F/trust/root.pem" \
  --profile alb-verify --timeout 60s
prlimit --pid "$SERVE_PID" --nofile=40:40

# Hold 60 idle connections; when $T/release appears close the last 40 (the
# ones still in the listen queue among them, ahead of the client), keep the
# first 20 until $T/done appears (or 60 s pass).
python3 - "$SERVE_PORT" "$T" <<'PY' &
import os, socket, sys, time
port, d = int(sys.argv[1]), sys.argv[2]
held = []
for _ in range(60):
    s = socket.create_connection(("127.0.0.1", port))
    held.append(s)
open(os.path.join(d, "held"), "w").close()
end = time.monotonic() + 60
while not os.path.exists(os.path.join(d, "release")) and time.monotonic() < end:
    time.sleep(0.05)
for s in held[20:]:
    s.close()
while not os.path.exists(os.path.join(d, "done")) and time.monotonic() < end:
    time.sleep(0.05)
PY
holder=$!
on_exit "touch '$T/done'; kill $holder 2>/dev/null; wait $holder 2>/dev/null"
for ((i = 0; i < 200; i++)); do [ -e "$T/held" ] && break; sleep 0.05; done
[ -e "$T/held" ] || fail "could not open the idle connections"
sleep 0.5

cpu() { awk '{print $14 + $15}' "/proc/$SERVE_PID/stat"; }
hz=$(getconf CLK_TCK)
c0=$(cpu)
sleep 2
c1=$(cpu)
ms=$(((c1 - c0) * 1000 / hz))
[ "$ms" -lt 500 ] || fail "serve used $ms ms of CPU in 2 s at its descriptor limit"
pass "held at its descriptor limit, serve used $ms ms of CPU in 2 s"

[ "$(grep -c 'cannot accept: Too many open files' "$T/serve-limits.err")" = 1 ] ||
  { cat "$T/serve-limits.err" >&2; fail "one 'cannot accept' line expected"; }
pass "the descriptor limit is said once"

# A client arriving while serve is full waits in the listen queue; it is
# served once idle connections close, twenty others still held.
curl -sS --max-time 20 --cacert "$F/trust/root.pem" \
  --cert "$F/cases/ok-root-leaf/cert.pem" --key "$F/cases/ok-root-leaf/key.pem" \
  -o /dev/null -w '%{http_code}' "https://127.0.0.1:$SERVE_PORT/" \
  >"$T/code" 2>"$T/curl.err" &
client=$!
sleep 0.5
touch "$T/release"
rc=0
wait "$client" || rc=$?
[ "$rc" = 0 ] && [ "$(cat "$T/code")" = 200 ] ||
  fail "the client was not served: curl $rc, $(cat "$T/code") $(cat "$T/curl.err")"
pass "a client is served as soon as descriptors free up"
touch "$T/done"
stop_serve "$SERVE_PID"
done_testing
