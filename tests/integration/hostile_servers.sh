# mtlskit probe and loadgen against hostile TLS servers
# (tests/servers/hostile_tls.py on loopback): one that accepts and never
# answers, one that answers the ClientHello with bytes that are not TLS,
# one that sends a real handshake one byte every 100 ms, one whose
# certificate chain is 12 MiB, one that resets after 100 bytes of its
# handshake. Each run must end by itself (within its --timeout, bounded
# here by `timeout` so that a hang fails instead of blocking CI), classify
# every attempt from facts (curl code, errno, OpenSSL error code), and keep
# its peak RSS within 32 MiB of the run against the silent server.
. "$MTK_SRC/tests/lib/testlib.sh"
. "$MTK_SRC/tests/lib/probe_pki.sh"
# Under AddressSanitizer freed memory waits in a quarantine (256 MiB by
# default) before it is reused, so a run that opens and closes thousands of
# connections (loadgen against `garbage`: some 1,600 in its one second)
# grows by what it freed, not by what it holds: 77 MiB with the default,
# 27 MiB with no quarantine, the same run. A small quarantine keeps the
# peaks a measure of what the tools hold. (No effect on other builds.)
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=16"

F="$T/fx"
probe_pki "$F"

start_hostile() {  # MODE PORT
  python3 "$MTK_SRC/tests/servers/hostile_tls.py" "$1" "$2" \
    "$F/server/server.cert.pem" "$F/server/server.key.pem" \
    >"$T/server-$1.log" 2>&1 &
  local pid=$!
  on_exit "kill $pid 2>/dev/null; wait $pid 2>/dev/null"
  wait_port "$2" 30
}

# rss_of NAME: the peak RSS (KiB) /usr/bin/time wrote for run NAME.
rss_of() { tail -1 "$T/rss-$1"; }

# timeout_for KIND: the --timeout (seconds) of a run that must end in KIND:
# 1 s where the server never answers (the timeout is the outcome), 5 s where
# it answers wrongly, so that a slow machine (a 12 MiB chain made in Python)
# does not turn the answer into a timeout.
timeout_for() { if [ "$1" = timeout ]; then echo 1; else echo 5; fi; }

# probe_against MODE KIND STAGE FACTS: every attempt observed KIND at
# STAGE, and FACTS (a Python expression over `f`) holds for its facts.
probe_against() {
  local mode=$1 kind=$2 stage=$3 facts=$4 port
  port=$(free_port)
  start_hostile "$mode" "$port"
  expect_status 1 timeout 60 /usr/bin/time -f %M -o "$T/rss-probe-$mode" \
    mtlskit probe --fixtures "$F" --profile strict \
    --cacert "$F/trust/root.pem" --timeout "$(timeout_for "$kind")s" \
    --json "https://127.0.0.1:$port/"
  python3 - "$T/out" "$kind" "$stage" "$facts" "$(timeout_for "$kind")" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
kind, stage, facts = sys.argv[2:5]
limit_ms = int(sys.argv[5]) * 1000 + 500
rs = [r for r in doc["targets"][0]["results"] if r["result"] != "skipped"]
assert len(rs) == 11, len(rs)
for r in rs:
    o, f = r["observed"], r["facts"]
    assert (o["kind"], o["stage"]) == (kind, stage), r
    assert not f["tls_done"] and f["tcp_connected"] and not f["deadline"], r
    assert eval(facts), (facts, f)
    assert r["timings_ms"]["total"] < limit_ms, r["timings_ms"]
PY
  pass "probe, $mode: every attempt $kind at $stage ($facts), $(rss_of "probe-$mode") KiB peak"
}

# loadgen_against MODE KIND: ten connections for 1 s, every one KIND at
# the handshake.
loadgen_against() {
  local mode=$1 kind=$2 port
  port=$(free_port)
  start_hostile "$mode" "$port"
  expect_status 3 timeout 60 /usr/bin/time -f %M -o "$T/rss-loadgen-$mode" \
    mtlskit loadgen --cert "$F/server/server.cert.pem" \
    --key "$F/server/server.key.pem" --insecure --concurrency 10 \
    --timeout "$(timeout_for "$kind")s" --duration 1s \
    --json "https://127.0.0.1:$port/"
  python3 - "$T/out" "$kind" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
got = {(o["kind"], o["stage"]) for o in doc["outcomes"]}
assert got == {(sys.argv[2], "handshake")}, got
assert sum(o["count"] for o in doc["outcomes"]) >= 10, doc["outcomes"]
PY
  pass "loadgen, $mode: every connection $kind at the handshake, $(rss_of "loadgen-$mode") KiB peak"
}

# bounded_memory TOOL MODE: peak RSS of MODE within 32 MiB of `stall`.
bounded_memory() {
  local base got
  base=$(rss_of "$1-stall")
  got=$(rss_of "$1-$2")
  [ "$got" -lt $((base + 32768)) ] ||
    fail "$1 against $2 peaked at $got KiB, $base KiB against a silent server"
}

probe_against stall timeout handshake 'f["curl_code"] == 28'
probe_against trickle timeout handshake 'f["curl_code"] == 28'
probe_against garbage protocol-error handshake \
  'f["curl_code"] == 35 and f["ssl_error"] == "0A00010B"'
probe_against huge-chain protocol-error handshake \
  'f["curl_code"] == 35 and f["ssl_error"] == "0A000098"'
probe_against rst-mid-hs reset handshake \
  'f["curl_code"] == 35 and f["os_errno"] == 104'
bounded_memory probe huge-chain
bounded_memory probe garbage
pass "probe: peak RSS against a 12 MiB chain and garbage within 32 MiB of a silent server"

loadgen_against stall timeout
loadgen_against trickle timeout
loadgen_against garbage protocol-error
loadgen_against huge-chain protocol-error
loadgen_against rst-mid-hs reset
bounded_memory loadgen huge-chain
bounded_memory loadgen garbage
pass "loadgen: peak RSS against a 12 MiB chain and garbage within 32 MiB of a silent server"

done_testing
