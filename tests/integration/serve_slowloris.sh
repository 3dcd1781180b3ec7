# mtlskit serve against 1,000 half-open TLS connections (slowloris at the
# handshake: tests/clients/slowloris.py sends each a ClientHello one byte a
# second, never finishing it) while a well-behaved client makes a request
# every 100 ms: every one of its requests must get 200, and serve must
# close every half-open connection itself when --timeout (4 s) runs out.
# Descriptors: serve and the client each need ~1,000, so the soft limit is
# raised to 4096 (skipped, exit 77, where the hard limit is lower).
. "$MTK_SRC/tests/lib/testlib.sh"
. "$MTK_SRC/tests/integration/serve_common.sh"

N=1000
if [ "$(ulimit -Hn)" != unlimited ] && [ "$(ulimit -Hn)" -lt 4096 ]; then
  echo "skipped: the hard open-file limit $(ulimit -Hn) is below 4096"
  exit 77
fi
ulimit -Sn 4096

F="$T/fx"
mtlskit fixtures "$F" --quiet --only ok-root-leaf >/dev/null ||
  fail "mtlskit fixtures failed"
CA="$F/trust/root.pem"
CERT="$F/cases/ok-root-leaf/cert.pem"
KEY="$F/cases/ok-root-leaf/key.pem"
start_serve slowloris --cert "$F/server/server.cert.pem" \
  --key "$F/server/server.key.pem" --truststore "$CA" \
  --profile alb-verify --timeout 4s

python3 "$MTK_SRC/tests/clients/slowloris.py" "$SERVE_PORT" "$N" 15 \
  "$T/held" >"$T/loris.json" 2>"$T/loris.err" &
loris=$!
on_exit "kill $loris 2>/dev/null; wait $loris 2>/dev/null"
for ((i = 0; i < 400; i++)); do
  [ -e "$T/held" ] && break
  kill -0 "$loris" 2>/dev/null || break
  sleep 0.05
done
[ -e "$T/held" ] || fail "could not open $N connections: $(cat "$T/loris.err")"

# The well-behaved client while they are held: 25 requests, 100 ms apart.
ok=0 bad=0
: >"$T/times"
for ((i = 0; i < 25; i++)); do
  out=$(curl -sS --max-time 3 --cacert "$CA" --cert "$CERT" --key "$KEY" \
    -o /dev/null -w '%{http_code} %{time_total}' \
    "https://127.0.0.1:$SERVE_PORT/" 2>&1) || true
  if [ "${out%% *}" = 200 ]; then
    ok=$((ok + 1))
    echo "${out#* }" >>"$T/times"
  else
    bad=$((bad + 1))
    echo "$out" >>"$T/bad"
  fi
  sleep 0.1
done
[ "$bad" = 0 ] || fail "the well-behaved client failed $bad of 25 times: $(sort "$T/bad" | uniq -c)"
slowest=$(sort -n "$T/times" | tail -1)
pass "the well-behaved client got 25 of 25 responses among $N half-open connections (slowest ${slowest}s)"

rc=0
wait "$loris" || rc=$?
cat "$T/loris.json"
python3 - "$T/loris.json" "$N" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
n = int(sys.argv[2])
assert r["opened"] == n, r
assert r["closed"] == n, ("serve left connections open", r)
# Closed by the 4 s --timeout, not before (they were held) nor long after,
# each counted from its own opening.
assert r["first_close_s"] >= 3, r
assert r["last_close_s"] <= 12, r
PY
[ "$rc" = 0 ] || fail "slowloris.py exited $rc"
grep -c 'end=timeout' "$T/serve-slowloris.log" >"$T/ntimeout" || true
[ "$(cat "$T/ntimeout")" -ge "$N" ] ||
  fail "serve logged $(cat "$T/ntimeout") timeouts, expected $N"
pass "serve closed all $N half-open connections by --timeout (end=timeout in its log)"

done_testing
