# mtlskit probe against a server that holds every refusal (mtlskit serve
# --blinding-delay, as s2n-tls's blinding does) with many targets: a
# --deadline too short makes the cut and unstarted attempts `incomplete`
# (exit 3, JUnit <error>, none NOT-MET); without --deadline the derived one
# lets the run complete with the right verdicts; a fast target listed
# last is not starved by the slow ones; slow refusals say so; a --timeout
# shorter than the platform's refusal delay gets a warning.
. "$MTK_SRC/tests/lib/testlib.sh"
. "$MTK_SRC/tests/lib/probe_pki.sh"
. "$MTK_SRC/tests/integration/serve_common.sh"

F="$T/fx"
probe_pki "$F"
common=(--profile alb-verify --cert "$F/server/server.cert.pem"
  --key "$F/server/server.key.pem" --truststore "$F/trust/root.pem"
  --crl "$F/crl/all.crl.pem" --quiet)
start_serve slow "${common[@]}" --blinding-delay 1500ms
slow=$SERVE_PORT
start_serve fast "${common[@]}"
fast=$SERVE_PORT

# Four targets on the blinding server, then one on the fast one.
targets=""
for i in 1 2 3 4; do
  targets="$targets{\"name\": \"slow$i\", \"url\": \"https://127.0.0.1:$slow/$i\", \"profile\": \"alb-verify\", \"cacert\": \"$F/trust/root.pem\"},"
done
targets="$targets{\"name\": \"fast\", \"url\": \"https://127.0.0.1:$fast/\", \"profile\": \"alb-verify\", \"cacert\": \"$F/trust/root.pem\"}"
echo "{\"schema_version\": 1, \"fixtures\": \"$F\", \"targets\": [$targets]}" >"$T/probe.json"

# --- no --deadline: the derived one cuts nothing --------------------------
start=$(date +%s)
expect_status 0 mtlskit probe --config "$T/probe.json" --parallel 8 \
  --timeout 5s --json --junit "$T/all.xml"
end=$(date +%s)
cp "$T/out" "$T/all.json"
expect_grep 'warning: target slow1: --timeout 5 s is shorter than the 30 s for which the platform of profile alb-verify may hold a refusal' "$T/err"
python3 - "$T/all.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["deadline_derived"] is True, doc["deadline_ms"]
s = doc["summary"]
assert s["met"] == 55 and s["not_met"] == 0 and s["incomplete"] == 0, s
t = {x["name"]: x for x in doc["targets"]}
# Each slow refusal says it was held.
r = [r for r in t["slow1"]["results"] if r["case"] == "revoked"][0]
assert r["observed"]["kind"] in ("closed", "reset"), r
assert r["detail"].startswith("refused after 1.") and "(delayed refusal)" in r["detail"], r
assert r["timings_ms"]["total"] >= 1400, r
# The fast target, listed last, started every attempt at once: a free
# slot goes to the target with the fewest attempts in flight.
starts = [r["timings_ms"]["start"] for r in t["fast"]["results"] if "timings_ms" in r]
assert len(starts) == 11 and max(starts) < 3000, starts
# TCP connect time is recorded also when the handshake is refused.
for x in t["fast"]["results"]:
    if "facts" in x and x["facts"]["tcp_connected"]:
        assert x["timings_ms"]["connect"] > 0, x
PY
[ $((end - start)) -ge 3 ] || fail "the blinding server did not hold its refusals"
pass "no --deadline: 55 met; a fast target is not starved; slow refusals are marked"

# --- a --deadline too short: incomplete, exit 3, none NOT-MET -------------
expect_status 3 mtlskit probe --config "$T/probe.json" --parallel 8 \
  --timeout 5s --deadline 2s --json --junit "$T/cut.xml"
cp "$T/out" "$T/cut.json"
python3 - "$T/cut.json" "$T/cut.xml" <<'PY'
import json, sys, xml.etree.ElementTree as ET
doc = json.load(open(sys.argv[1]))
s = doc["summary"]
assert s["not_met"] == 0 and s["incomplete"] > 0 and s["met"] > 0, s
assert doc["exit_status"] == 3 and doc["deadline_derived"] is False
never = 0
for t in doc["targets"]:
    for r in t["results"]:
        if r["result"] == "incomplete":
            assert r["facts"]["deadline"] is True, r
            never += r["detail"] == "not started before --deadline"
        else:
            assert r["result"] in ("met", "skipped"), r
assert never > 0, "every attempt started"
root = ET.parse(sys.argv[2]).getroot()
assert root.get("failures") == "0" and int(root.get("errors")) == s["incomplete"], root.attrib
e = root.find(".//error")
assert e.get("message").startswith("incomplete: "), e.attrib
PY
expect_grep 'target slow1: [0-9]+ attempts incomplete: the --deadline deadline of 2 s came first' "$T/err"
pass "--deadline 2s: the cut attempts are incomplete, exit 3, none NOT-MET"

done_testing
