# mtlskit serve against clients that stream request header lines without
# end: a fast stream is answered 431 once the headers pass ALB's 64 K quota
# and closed; a slow one (one short line every 100 ms, always under the
# quota) is closed when --timeout runs out (2 s here, ±1 s). Meanwhile a
# well-behaved client keeps being served: its requests are counted while
# the hostile clients run, and every one must get 200.
. "$MTK_SRC/tests/lib/testlib.sh"
. "$MTK_SRC/tests/integration/serve_common.sh"

F="$T/fx"
mtlskit fixtures "$F" --quiet --only ok-root-leaf >/dev/null ||
  fail "mtlskit fixtures failed"
CA="$F/trust/root.pem"
CERT="$F/cases/ok-root-leaf/cert.pem"
KEY="$F/cases/ok-root-leaf/key.pem"
start_serve hostile --cert "$F/server/server.cert.pem" \
  --key "$F/server/server.key.pem" --truststore "$CA" \
  --profile alb-verify --timeout 2s

stream() {
  python3 "$MTK_SRC/tests/clients/header_stream.py" "$1" "$SERVE_PORT" \
    "$CA" "$CERT" "$KEY" "$2"
}

# Two fast and two slow streams at once, in the background.
streams=()
for i in 1 2; do
  stream fast 10 >"$T/fast$i" 2>&1 &
  streams+=($!)
  stream slow 10 >"$T/slow$i" 2>&1 &
  streams+=($!)
done
on_exit "kill ${streams[*]} 2>/dev/null"

# The well-behaved client, while they run: a request every 100 ms for 2.5 s.
ok=0 bad=0
for ((i = 0; i < 25; i++)); do
  code=$(curl -sS --max-time 5 --cacert "$CA" --cert "$CERT" --key "$KEY" \
    -o /dev/null -w '%{http_code}' "https://127.0.0.1:$SERVE_PORT/" 2>&1) || true
  if [ "$code" = 200 ]; then ok=$((ok + 1)); else bad=$((bad + 1)); echo "$code" >>"$T/bad"; fi
  sleep 0.1
done
for p in "${streams[@]}"; do wait "$p" || true; done
[ "$bad" = 0 ] || fail "the well-behaved client failed $bad of 25 times: $(sort "$T/bad" | uniq -c)"
pass "the well-behaved client got 25 of 25 responses while header streams ran"

for i in 1 2; do
  read -r state took sent status <"$T/fast$i" || fail "fast stream $i: $(cat "$T/fast$i")"
  [ "$state" = closed ] || fail "fast stream $i still open after ${took}s ($sent bytes sent)"
  [ "$status" = 431 ] || fail "fast stream $i: expected 431, got '$status' ($(cat "$T/fast$i"))"
  awk -v t="$took" 'BEGIN { exit !(t < 3) }' ||
    fail "fast stream $i closed only after ${took}s"
  pass "a fast header stream is answered 431 and closed after ${took}s ($sent bytes)"

  read -r state took sent status <"$T/slow$i" || fail "slow stream $i: $(cat "$T/slow$i")"
  [ "$state" = closed ] || fail "slow stream $i still open after ${took}s ($sent bytes sent)"
  awk -v t="$took" 'BEGIN { exit !(t >= 1 && t <= 3) }' ||
    fail "slow stream $i closed after ${took}s, expected 2s ±1s"
  pass "a slow header stream is closed by --timeout after ${took}s ($sent bytes)"
done

# The connection log says why each hostile connection ended.
stop_serve "$SERVE_PID"
n=$(grep -c " end=timeout" "$T/serve-hostile.log" || true)
[ "$n" -ge 2 ] || { cat "$T/serve-hostile.log" >&2; fail "expected 2 end=timeout lines in the connection log, found $n"; }
pass "the connection log records the timed-out streams"
done_testing
