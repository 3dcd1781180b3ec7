# mtlskit report md and report diff on real runs: probe results of an nginx
# with and without its CRL (the second lets the four revoked identities in)
# and loadgen results against the same nginx. The Markdown is checked
# against the JSON it was made from; diff must exit 1 and name an injected
# regression (a case turning not met, a p99 grown by 30%), 0 for identical
# runs and for a change inside the threshold. Bad inputs are one-line
# errors naming the file, exit 2, and leave -o untouched.
. "$MTK_SRC/tests/lib/testlib.sh"
. "$MTK_SRC/tests/lib/servers.sh"

F="$T/fixtures"
expect_status 0 mtlskit fixtures "$F"
port=$(free_port)
# endpoint CRL_LINE: (re)start nginx requiring a client certificate.
endpoint() { restart_fixture_nginx ep "$port" "$F" "$1"; }
URL="https://127.0.0.1:$port/"
probe() {
  mtlskit probe --fixtures "$F" --profile nginx --cacert "$F/trust/root.pem" \
    --name staging --json "$URL" >"$T/$1" 2>"$T/probe.err" || [ $? -eq 1 ] ||
    fail "probe failed: $(cat "$T/probe.err")"
}
endpoint "ssl_crl $F/crl/default.pem;"
probe good.json
mtlskit loadgen --identities "$F" \
  --cacert "$F/trust/root.pem" --concurrency 2 --duration 1s \
  --slo 'handshake.p99<=10s,errors<=100%' --json "$URL" >"$T/load.json" 2>"$T/load.err" ||
  fail "loadgen failed: $(cat "$T/load.err")"
endpoint ""
probe bad.json

# --- report md, checked against the JSON -----------------------------------
expect_status 0 mtlskit report md "$T/bad.json" "$T/load.json"
cp "$T/out" "$T/report.md"
python3 - "$T/bad.json" "$T/load.json" "$T/report.md" <<'PY' || fail "the Markdown does not match the JSON"
import json, re, sys
probe, load, md = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), open(sys.argv[3]).read()
s = probe["summary"]
assert f"**{s['met']} met, {s['not_met']} not met**" in md, "totals"
assert s["not_met"] == 4, s
rows = re.findall(r"^\| staging \| ([^|]+) \| ([^|]+) \| ([^|]+) \| ([^|]+) \| ([^|]+) \|$", md, re.M)
want = sorted((r["case"], r["expected"], r["observed"]["text"]) for t in probe["targets"]
              for r in t["results"] if r["result"] == "not-met")
assert len(want) == 4, want
got = sorted((c.strip(), e.strip(), o.strip()) for c, e, o, _, _ in rows)
assert got == want, (got, want)
unit = {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}
for name, ph in load["phases"].items():
    if ph["count"] == 0:
        continue
    m = re.search(rf"^\| {name} \| (\d+) \| ([^|]+) \| ([^|]+) \| ([^|]+) \|", md, re.M)
    assert m and int(m.group(1)) == ph["count"], name
    for cell, key in zip(m.groups()[1:], ("p50_ns", "p90_ns", "p99_ns")):
        v, u = re.fullmatch(r"([\d.]+)(ns|us|ms|s)", cell.strip()).groups()
        assert abs(float(v) * unit[u] - ph[key]) <= 0.01 * ph[key] + 1, (name, key, cell)
assert "**SLO: met**" in md, "SLO verdict"
for c in load["slo"]:
    assert re.search(r"^- %s `%s` \(measured " % ("ok" if c["ok"] else r"\*\*VIOLATED\*\*", re.escape(c["slo"])), md, re.M), c
PY
pass "report md: totals, the four not-met cases, percentiles and SLO as in the JSON"

# --- report diff on probe results -------------------------------------------
expect_status 0 mtlskit report diff "$T/good.json" "$T/good.json"
expect_grep '^0 regressions$' "$T/out"
expect_status 0 mtlskit report diff "$T/good.json" "$T/good.json" --json
jq -e '.regressions == 0 and .changes == []' "$T/out" >/dev/null ||
  fail "diff of identical runs lists changes: $(cat "$T/out")"
pass "diff: identical probe runs exit 0 and list no change"
expect_status 1 mtlskit report diff "$T/good.json" "$T/bad.json"
for c in revoked-keycompromise revoked-no-reason revoked-superseded revoked-int-cessation; do
  expect_grep "^REGRESSION +newly_not_met +staging $c: met \\(http 400\\) -> not-met \\(http 200\\)" "$T/out"
done
expect_grep '^4 regressions$' "$T/out"
expect_status 1 mtlskit report diff "$T/good.json" "$T/bad.json" --json
python3 - "$T/out" "$T/bad.json" <<'PY' || fail "diff --json does not list the not-met cases"
import json, sys
d, bad = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
want = sorted(r["case"] for t in bad["targets"] for r in t["results"] if r["result"] == "not-met")
assert len(want) == 4, want
got = sorted(c["case"] for c in d["changes"] if c["change"] == "newly_not_met")
assert d["regressions"] == 4 and got == want, (d["regressions"], got, want)
assert len(d["changes"]) == 4, d["changes"]
PY
expect_status 1 mtlskit report diff "$T/good.json" "$T/bad.json" --md
expect_grep '^\| newly_not_met \| staging \| revoked-keycompromise \| met ' "$T/out"
pass "diff: the four cases newly not met exit 1 and are named (text, --json, --md)"
expect_status 0 mtlskit report diff "$T/bad.json" "$T/good.json"
expect_grep '^change +newly_met +staging revoked-keycompromise' "$T/out"
pass "diff: cases newly met are listed, exit 0"

# Cases are told apart by target and name: thirty targets run the same
# cases, each target with outcomes of its own (a case matched with another
# target's would show as changed); tonight one case of the second target is
# renamed and one of the first changes its observed outcome.
python3 - "$T/good.json" "$T/many-old.json" "$T/many-new.json" <<'PY'
import copy, json, sys
p = json.load(open(sys.argv[1]))
one = p["targets"][0]
p["targets"] = []
for i in range(30):
    t = copy.deepcopy(one)
    t["name"] = "edge-%02d" % i
    for r in t["results"]:
        o = r.setdefault("observed", {})
        o["text"] = "%s at edge %d" % (o.get("text", ""), i)
    p["targets"].append(t)
json.dump(p, open(sys.argv[2], "w"))
p["targets"][1]["results"][3]["case"] = "renamed"
p["targets"][0]["results"][5]["observed"]["text"] = "reset"
json.dump(p, open(sys.argv[3], "w"))
PY
expect_status 0 mtlskit report diff "$T/many-old.json" "$T/many-old.json" --json
jq -e '.changes == []' "$T/out" >/dev/null ||
  fail "diff of identical runs of thirty targets lists changes: $(jq -c '.changes[:3]' "$T/out")"
expect_status 0 mtlskit report diff "$T/many-old.json" "$T/many-new.json" --json
python3 - "$T/out" "$T/many-old.json" <<'PY' || fail "diff of thirty targets: wrong changes"
import json, sys
d, old = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
renamed = old["targets"][1]["results"][3]["case"]
changed = old["targets"][0]["results"][5]["case"]
got = sorted((c["change"], c["target"], c["case"]) for c in d["changes"])
want = sorted([("removed", "edge-01", renamed), ("added", "edge-01", "renamed"),
               ("outcome_changed", "edge-00", changed)])
assert got == want, (got, want)
PY
pass "diff: cases are matched by target and name (thirty targets; a renamed case, one changed outcome)"

# --- report diff on loadgen results -----------------------------------------
# scaled FACTOR OUT: load.json with every phase's p99 multiplied by FACTOR.
scaled() {
  python3 - "$T/load.json" "$1" >"$T/$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for ph in d["phases"].values():
    ph["p99_ns"] = int(ph["p99_ns"] * float(sys.argv[2]))
json.dump(d, sys.stdout)
PY
}
scaled 1.3 slow.json
scaled 1.05 same.json
expect_status 0 mtlskit report diff "$T/load.json" "$T/load.json"
pass "diff: identical loadgen runs exit 0"
expect_status 1 mtlskit report diff "$T/load.json" "$T/slow.json"
expect_grep '^REGRESSION +handshake p99 .* \+30\.0%' "$T/out"
expect_no_grep '^REGRESSION +handshake p50' "$T/out"
pass "diff: a p99 grown by 30% exits 1 and is named"
expect_status 0 mtlskit report diff "$T/load.json" "$T/same.json"
expect_status 0 mtlskit report diff --threshold p99=40% "$T/load.json" "$T/slow.json"
expect_status 1 mtlskit report diff --threshold 3% "$T/load.json" "$T/same.json"
pass "diff: inside the threshold exits 0; --threshold and per-percentile overrides apply"

# --- bad input ---------------------------------------------------------------
echo '{"schema_version": 1, "hello": "world"}' >"$T/other.json"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["schema_version"]=99; json.dump(d,open(sys.argv[2],"w"))' \
  "$T/good.json" "$T/future.json"
head -c 300 "$T/good.json" >"$T/truncated.json"
printf '#[StartTime: 1.0]\n' >"$T/log.hlog"
for f in other future truncated; do
  expect_status 2 mtlskit report diff "$T/$f.json" "$T/good.json"
  expect_one_line "$T/err"
  expect_grep "$f.json" "$T/err"
  expect_status 2 mtlskit report md "$T/$f.json"
  expect_one_line "$T/err"
done
expect_status 2 mtlskit report md "$T/future.json"
expect_grep 'future.json: probe result of schema_version 99; this mtlskit reads up to 3' "$T/err"
expect_status 2 mtlskit report md "$T/log.hlog"
expect_grep 'log.hlog: an HdrHistogram log' "$T/err"
expect_status 2 mtlskit report diff "$T/good.json" "$T/load.json"
expect_grep 'good.json is a probe result and .*load.json a loadgen result' "$T/err"
expect_status 2 mtlskit report diff "$T/good.json"
expect_status 3 mtlskit report md "$T/missing.json"
expect_grep 'missing.json' "$T/err"
pass "bad input: one-line errors naming the file, exit 2 (3 for a missing file)"

echo keep >"$T/out.md"
expect_status 2 mtlskit report md "$T/good.json" "$T/truncated.json" -o "$T/out.md"
[ "$(cat "$T/out.md")" = keep ] || fail "-o was changed by a failed run"
expect_status 0 mtlskit report md "$T/good.json" -o "$T/out.md"
expect_grep '^## Conformance: met' "$T/out.md"
[ -z "$(find "$T" -maxdepth 1 -name '.*out.md*' -o -maxdepth 1 -name 'out.md.*')" ] || fail "temporary file left"
pass "-o: replaced only by a complete report"

done_testing
