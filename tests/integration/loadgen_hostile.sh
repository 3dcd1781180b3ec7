# mtlskit loadgen against servers that stream faster than it can parse
# (tests/servers/http_abort.py on loopback): header lines without end, and a
# chunked body of one-byte chunks without end. Each read event is bounded,
# so the connection deadline (--timeout) and the end of the run (--duration)
# still fire: the run ends within a second or so of --duration, with every
# connection counted as a protocol error (headers over 64 KiB) or a timeout,
# for one connection and for ten. Before the bound, the same runs did not
# end until the server stopped sending (60 s).
. "$MTK_SRC/tests/lib/testlib.sh"

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
  -keyout "$T/key.pem" -out "$T/cert.pem" -subj /CN=localhost -days 2 \
  2>/dev/null

run_against() {  # MODE CONCURRENCY EXPECTED-OUTCOME
  local mode=$1 conc=$2 want=$3 port pid start end
  port=$(free_port)
  python3 "$MTK_SRC/tests/servers/http_abort.py" "$mode" "$port" \
    "$T/cert.pem" "$T/key.pem" >"$T/server-$mode.log" 2>&1 &
  pid=$!
  on_exit "kill $pid 2>/dev/null; wait $pid 2>/dev/null"
  wait_port "$port" 10
  start=$(date +%s%N)
  expect_status 3 timeout 30 mtlskit loadgen --cert "$T/cert.pem" \
    --key "$T/key.pem" --insecure --concurrency "$conc" --timeout 1s \
    --duration 1s --json "https://127.0.0.1:$port/"
  end=$(date +%s%N)
  kill "$pid" 2>/dev/null || true
  python3 - "$T/out" "$want" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
want = sys.argv[2]
kinds = {o["kind"] for o in doc["outcomes"]}
assert kinds == {want}, (kinds, want)
assert sum(o["count"] for o in doc["outcomes"]) >= 1, doc["outcomes"]
PY
  local ms=$(((end - start) / 1000000))
  # --duration 1s plus the 1 s deadline of the last connection, with room
  # for a loaded machine; the unbounded reader took 60 s.
  [ "$ms" -lt 6000 ] || fail "$mode x$conc: the run took $ms ms"
  pass "$mode, $conc connection(s): every connection $want, ended after $ms ms"
}

run_against many-headers 1 protocol-error
run_against many-headers 10 protocol-error
run_against tiny-chunks 1 timeout
run_against tiny-chunks 10 timeout
done_testing
