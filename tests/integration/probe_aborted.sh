# mtlskit probe against responses that begin and never complete
# (tests/servers/http_abort.py on loopback): an endless header line (curl
# 27), headers without end (stopped by the probe's 64 KiB limit, curl 23),
# a body cut by --timeout (curl 28) or by a close (curl 18) are
# `http-broken` and NOT-MET for an `http 2xx` cell, never met; a body
# without end is read up to the probe's 1 MiB and the response counts by
# its status, quickly.
. "$MTK_SRC/tests/lib/testlib.sh"
. "$MTK_SRC/tests/lib/probe_pki.sh"

F="$T/fx"
probe_pki "$F"

modes="ok endless-header many-headers stalled-body short-body endless-body"
targets=""
for mode in $modes; do
  port=$(free_port)
  python3 "$MTK_SRC/tests/servers/http_abort.py" "$mode" "$port" \
    "$F/server/server.cert.pem" "$F/server/server.key.pem" \
    >"$T/abort-$mode.log" 2>&1 &
  pid=$!
  on_exit "kill $pid 2>/dev/null; wait $pid 2>/dev/null"
  wait_port "$port" 10
  targets="$targets{\"name\": \"$mode\", \"url\": \"https://127.0.0.1:$port/\", \"profile\": \"strict\", \"cacert\": \"$F/trust/root.pem\"},"
done
echo "{\"schema_version\": 1, \"fixtures\": \"$F\", \"targets\": [${targets%,}]}" \
  >"$T/probe.json"

start=$(date +%s)
expect_status 1 mtlskit probe --config "$T/probe.json" --timeout 2s --json
end=$(date +%s)
cp "$T/out" "$T/run.json"
[ $((end - start)) -lt 15 ] || fail "the run took $((end - start)) s"
python3 - "$T/run.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
res = {(t["name"], r["case"]): r for t in doc["targets"] for r in t["results"]}
ok = "ok-root-leaf-p256"
want = {"endless-header": 27, "many-headers": 23, "stalled-body": 28,
        "short-body": 18}
for mode, code in want.items():
    r = res[(mode, ok)]
    assert r["expected"] == "http 2xx", r
    assert r["result"] == "not-met", (mode, r)
    o = r["observed"]
    assert o["kind"] == "http-broken" and o["http_status"] == 200, (mode, o)
    assert o["curl_code"] == code and r["facts"]["curl_code"] == code, (mode, r)
    assert o["text"] == "http-broken 200 (curl %d)" % code, (mode, o)
    assert o["stage"] == "http", (mode, o)
    # The cases the strict profile expects refused are not met either: a
    # broken response is no refusal.
    assert res[(mode, "revoked")]["result"] == "not-met", mode
assert "headers over 64 KiB" in res[("many-headers", ok)]["detail"]
for mode in ("ok", "endless-body"):
    r = res[(mode, ok)]
    assert r["result"] == "met", (mode, r)
    assert r["observed"]["kind"] == "http" and r["observed"]["http_status"] == 200
    assert r["facts"]["body_capped"] == (mode == "endless-body"), (mode, r)
# An endless body is stopped at 1 MiB, long before --timeout.
r = res[("endless-body", ok)]
assert r["timings_ms"]["total"] < 1500, r["timings_ms"]
assert "body over 1024 KiB" in r["detail"], r
PY
pass "aborted responses are http-broken and not met; an endless body is capped"

# The table shows the curl code of each broken response.
expect_status 1 mtlskit probe --config "$T/probe.json" --timeout 2s
expect_grep '^ok-root-leaf-p256 +http 2xx +http-broken 200 \(curl 27\) +NOT-MET' "$T/out"
pass "the table names the abort"

done_testing
