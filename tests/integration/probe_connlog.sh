# Connection logs: mtlskit serve writes ALB's connection-log lines, and the
# probe's saved result is judged again with them (`probe --rejudge`), as a
# user does once ALB has delivered its logs. Against an endpoint set up
# right, every attempt is found and every stated reason is one its case
# gives. Against an endpoint trusting another CA, the expired and revoked
# clients are still refused, which the outcome alone calls met, but the log
# says they were refused as untrusted: those cases become not met, with the
# expected and the stated reason. gzip logs and a directory of logs read the
# same; malformed lines are counted, never fatal; bad input is a one-line
# error with a documented status.
. "$MTK_SRC/tests/lib/testlib.sh"

F="$T/fx"
expect_status 0 mtlskit fixtures "$F"
# Another CA, for the endpoint trusting the wrong one.
expect_status 0 mtlskit ca init "$T/other" --subject "/CN=Another CA"
# serve NAME TRUST: an ALB-like endpoint (verify mode) logging to NAME.log.
serve() {
  mtlskit serve --profile alb-verify --cert "$F/server/server.cert.pem" \
    --key "$F/server/server.key.pem" --truststore "$2" \
    --crl "$F/crl/default.pem" --listen 127.0.0.1:0 --ready-file "$T/$1.port" \
    --connection-log "$T/$1.log" --duration 60s --quiet >/dev/null 2>&1 &
  on_exit "kill $! 2>/dev/null"
  wait_file "$T/$1.port"
}
wait_file() {
  local i
  for i in $(seq 100); do [ -s "$1" ] && return 0; sleep 0.05; done
  fail "$1 did not appear"
}
# probe_json NAME: the probe's saved result against endpoint NAME.
probe_json() {
  mtlskit probe --fixtures "$F" --profile alb-verify --cacert "$F/trust/root.pem" \
    --name "$1" --json "https://127.0.0.1:$(cat "$T/$1.port")/" >"$T/$1.json" ||
    [ $? -eq 1 ] || fail "probe $1 failed"
  # serve logs a connection when it ends: wait for every attempt's line.
  local ran i
  ran=$(python3 -c 'import json,sys; print(sum("started_us" in r.get("connection", {}) for t in json.load(open(sys.argv[1]))["targets"] for r in t["results"]))' "$T/$1.json")
  for i in $(seq 100); do
    [ "$(wc -l <"$T/$1.log")" -ge "$ran" ] && return 0
    sleep 0.05
  done
  fail "$1.log has $(wc -l <"$T/$1.log") lines for $ran attempts"
}

serve good "$F/trust/root.pem"
probe_json good
expect_status 0 mtlskit probe --rejudge "$T/good.json" --connection-log "$T/good.log" --json
cp "$T/out" "$T/good-rejudged.json"
expect_grep 'connection logs: [0-9]+ lines from 1 files, 0 malformed; ([0-9]+) of \1 attempts matched' "$T/err"
python3 - "$T/good-rejudged.json" <<'PY' || fail "a stated reason does not fit its case"
import json, sys
d = json.load(open(sys.argv[1]))
judged = 0
for r in d["targets"][0]["results"]:
    if "connection" not in r:
        continue
    cl = r["connection_log"]
    assert cl["stated"], r["case"]
    if cl.get("expected"):
        judged += 1
        assert not cl["wrong_reason"], (r["case"], cl)
        assert cl["stated"] in cl["expected"].split("|"), (r["case"], cl)
    assert r["result"] in ("met", "unspecified"), (r["case"], r["result"])
byname = {r["case"]: r for r in d["targets"][0]["results"]}
assert byname["ok-root-leaf"]["connection_log"]["stated"] == "Success"
assert byname["expired-1s"]["connection_log"]["stated"] == "Failed:ClientCertExpired"
assert byname["revoked-keycompromise"]["connection_log"]["stated"] == "Failed:ClientCertCrlHit"
want = sum(1 for r in d["targets"][0]["results"] if r.get("connection", {}).get("log_expected"))
assert judged == want and judged >= 15, (judged, want)
assert d["summary"]["not_met"] == 0 and d["exit_status"] == 0, d["summary"]
PY
pass "right trust store: every attempt found in the log, every stated reason one its case gives"

# The log holds ALB's twelve fields, nothing of mtlskit's own.
python3 - "$T/good.log" <<'PY' || fail "a --connection-log line is not in ALB's format"
import re, shlex, sys
for line in open(sys.argv[1]):
    f = shlex.split(line)
    assert len(f) == 12, (len(f), line)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", f[0]), f[0]
    assert f[10] == "Success" or f[10].startswith("Failed:"), f[10]
    assert f[11].startswith("TID_"), f[11]
PY
pass "serve --connection-log writes ALB's twelve fields per connection"

# Live: the probe reads the log at the end of its run; JUnit carries the
# stated reason (system-out of a passed case).
expect_status 0 mtlskit probe --fixtures "$F" --profile alb-verify --cacert "$F/trust/root.pem" \
  --name good --connection-log "$T/good.log" --junit "$T/good.xml" "https://127.0.0.1:$(cat "$T/good.port")/"
expect_grep 'attempts matched' "$T/err"
n=$(sed -n 's/.* \([0-9]*\) of \([0-9]*\) attempts matched/\1 \2/p' "$T/err")
[ "${n% *}" = "${n#* }" ] || fail "live: $n"
expect_grep '^expired-1s .* met +.*logged Failed:ClientCertExpired$' "$T/out"
grep -A1 'name="revoked-keycompromise"' "$T/good.xml" | grep -q '<system-out>connection log: Failed:ClientCertCrlHit' ||
  fail "JUnit does not carry the stated reason"
pass "live --connection-log: $n attempts matched; the table and JUnit show the stated reasons"

# The same log gzip-compressed (as ALB delivers it), in a directory with a
# malformed file; the table names the reasons.
mkdir "$T/logs"
gzip -c "$T/good.log" >"$T/logs/conn_log.1.log.gz"
printf 'not a connection-log line\n\n%s\n' "$(head -c 300 /dev/urandom | tr -d '\n\0' | head -c 200)" >"$T/logs/junk.log"
expect_status 0 mtlskit probe --rejudge "$T/good.json" --connection-log "$T/logs"
expect_grep 'lines from 2 files, 2 malformed; ([0-9]+) of \1 attempts matched' "$T/err"
expect_grep '^revoked-keycompromise +met +Failed:ClientCertCrlHit +Failed:ClientCertCrlHit$' "$T/out"
pass "gzip and plain files of a directory read alike; malformed lines counted"

# The wrong trust store: expired and revoked clients refused as untrusted.
other=$(ls "$T/other/certs/"*.pem 2>/dev/null | head -n 1)
[ -n "$other" ] || other="$T/other/cacert.pem"
[ -f "$other" ] || fail "no certificate of the other CA"
serve wrong "$other"
probe_json wrong
python3 - "$T/wrong.json" <<'PY' || fail "the outcome alone should call the refusals met"
import json, sys
r = {x["case"]: x for x in json.load(open(sys.argv[1]))["targets"][0]["results"]}
for c in ("expired-1s", "revoked-keycompromise", "not-yet-valid"):
    assert r[c]["result"] == "met", (c, r[c]["result"])
PY
expect_status 1 mtlskit probe --rejudge "$T/wrong.json" --connection-log "$T/wrong.log" --json
python3 - "$T/out" <<'PY' || fail "the wrong reasons were not judged not met"
import json, sys
d = json.load(open(sys.argv[1]))
r = {x["case"]: x for x in d["targets"][0]["results"]}
want = {"expired-1s": "Failed:ClientCertExpired",
        "revoked-keycompromise": "Failed:ClientCertCrlHit",
        "not-yet-valid": "Failed:ClientCertNotYetValid"}
for c, expected in want.items():
    cl = r[c]["connection_log"]
    assert r[c]["result"] == "not-met", (c, r[c]["result"])
    assert cl["wrong_reason"] and cl["expected"] == expected, (c, cl)
    assert cl["stated"] == "Failed:ClientCertUntrusted", (c, cl)
assert r["unknown-ca"]["result"] == "met", r["unknown-ca"]
assert d["exit_status"] == 1 and d["summary"]["not_met"] >= 3, d["summary"]
PY
expect_status 1 mtlskit probe --rejudge "$T/wrong.json" --connection-log "$T/wrong.log"
expect_grep '^expired-1s +not-met +Failed:ClientCertUntrusted +Failed:ClientCertExpired +WRONG REASON$' "$T/out"
expect_status 1 mtlskit probe --fixtures "$F" --profile alb-verify --cacert "$F/trust/root.pem" \
  --name wrong --connection-log "$T/wrong.log" --junit "$T/wrong.xml" "https://127.0.0.1:$(cat "$T/wrong.port")/"
expect_grep '^expired-1s .* NOT-MET +logged Failed:ClientCertUntrusted, expected Failed:ClientCertExpired' "$T/out"
grep -q 'message="logged Failed:ClientCertUntrusted, expected in the log Failed:ClientCertExpired"' "$T/wrong.xml" ||
  fail "JUnit does not name the wrong reason"
pass "wrong trust store: refusals stated as untrusted are not met, with the expected and the stated reason"

# Bad input.
expect_status 2 mtlskit probe --rejudge "$T/good.json"
expect_grep 'rejudge takes a saved result and --connection-log files' "$T/err"
expect_status 2 mtlskit probe --rejudge "$T/good.json" --connection-log "$T/good.log" https://127.0.0.1:1/
expect_status 3 mtlskit probe --rejudge "$T/good.json" --connection-log "$T/missing.log"
expect_grep 'missing.log' "$T/err"
echo '{"hello": 1}' >"$T/other.json"
expect_status 2 mtlskit probe --rejudge "$T/other.json" --connection-log "$T/good.log"
expect_grep 'other.json: not a probe --json result' "$T/err"
head -c 200 "$T/good.json" >"$T/cut.json"
expect_status 2 mtlskit probe --rejudge "$T/cut.json" --connection-log "$T/good.log"
expect_one_line "$T/err"
pass "bad input: one-line errors, exit 2 (3 for a log that cannot be read)"

done_testing
