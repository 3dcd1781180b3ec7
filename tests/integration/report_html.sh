# mtlskit report html on real runs, opened in Debian's headless Chromium:
# probe results of an nginx with and without its CRL, two loadgen runs
# against it (one with its HdrHistogram log, one whose SLO is violated) and
# a history directory of earlier nights. The DOM Chromium builds must hold
# the counts, cases, percentiles and SLO verdicts of the input JSON; the
# page must load nothing (no element refers outside the page, and
# Chromium's network log shows no request from it); screenshots at
# 1280x800 and at a phone's width must not be blank; it prints to a PDF. Bad inputs are
# one-line errors naming the file, exit 2, and leave -o as it was.
. "$MTK_SRC/tests/lib/testlib.sh"
. "$MTK_SRC/tests/lib/servers.sh"

command -v chromium >/dev/null || fail "chromium is not installed (scripts/install-deps)"
F="$T/fixtures"
expect_status 0 mtlskit fixtures "$F"
port=$(free_port)
# endpoint CRL_LINE: (re)start nginx requiring a client certificate.
endpoint() { restart_fixture_nginx ep "$port" "$F" "$1"; }
URL="https://127.0.0.1:$port/"
probe() {
  mtlskit probe --fixtures "$F" --profile nginx --cacert "$F/trust/root.pem" \
    --name "$2" --json "$URL" >"$T/$1" 2>"$T/probe.err" || [ $? -eq 1 ] ||
    fail "probe failed: $(cat "$T/probe.err")"
}
load() {
  local name=$1
  shift
  mtlskit loadgen --identities "$F" --cacert "$F/trust/root.pem" --rate 40 \
    --duration 2s --interval 250ms --json "$@" "$URL" >"$T/$name.json" \
    2>"$T/load.err" || [ $? -eq 1 ] || fail "loadgen failed: $(cat "$T/load.err")"
}
endpoint "ssl_crl $F/crl/default.pem;"
probe good.json with-crl
load run --hdr-log "$T/run.hlog" --slo 'handshake.p99<=10s'
load tls12 --tls 1.2 --slo 'handshake.p50<=1ns,errors<=100%'
endpoint ""
probe bad.json without-crl

# Earlier nights: the same results, dated one and two days back.
mkdir "$T/history"
python3 - "$T" <<'PY'
import json, sys
t = sys.argv[1]
for name, days in (("good", 2), ("bad", 1), ("run", 2), ("tls12", 1)):
    d = json.load(open(f"{t}/{name}.json"))
    d["started_at"] = f"2026-11-{10 + days:02d}T02:00:00Z"
    json.dump(d, open(f"{t}/history/{name}-{days}.json", "w"))
PY

expect_status 0 mtlskit report html "$T/bad.json" "$T/good.json" "$T/run.json" \
  "$T/run.hlog" "$T/tls12.json" --history "$T/history" -o "$T/report.html"
size=$(stat -c %s "$T/report.html")
pass "report html wrote $size bytes"

# --- Chromium: the DOM, and no request leaving the page ---------------------
chrome() {
  timeout 60 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
    --disable-background-networking --disable-component-update --no-first-run \
    --disable-sync --no-pings --disable-breakpad --disable-domain-reliability \
    "--host-resolver-rules=MAP * ~NOTFOUND" --proxy-server=127.0.0.1:9 \
    --user-data-dir="$T/chrome-profile" "$@" 2>>"$T/chrome.err"
}
chrome --log-net-log="$T/net.json" --dump-dom "file://$T/report.html" >"$T/dom.html" ||
  fail "chromium --dump-dom failed: $(tail -3 "$T/chrome.err")"
python3 - "$T" <<'PY' || fail "the DOM does not match the results"
import json, re, sys
from html.parser import HTMLParser
t = sys.argv[1]

class Dom(HTMLParser):
    """Collects elements as (tag, attrs, text) with nesting for tables."""
    def __init__(self):
        super().__init__()
        self.stack, self.elements, self.refs = [], [], []
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for k in ("src", "href", "srcset", "data", "poster", "action", "xlink:href"):
            if k in a:
                self.refs.append((tag, k, a[k]))
        if tag in ("script", "link", "img", "iframe", "object", "embed", "audio", "video"):
            self.refs.append((tag, "element", ""))
        if tag in ("br", "meta", "line", "polyline", "input"):
            self.elements.append([tag, a, ""])
            return
        e = [tag, a, ""]
        self.elements.append(e)
        self.stack.append(e)
    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break
    def handle_data(self, data):
        for e in self.stack:
            e[2] += data

dom_text = open(f"{t}/dom.html").read()
dom = Dom()
dom.feed(dom_text)
assert not dom.refs, f"the page refers to resources: {dom.refs[:5]}"
for style in re.findall(r"<style[^>]*>(.*?)</style>", dom_text, re.S):
    assert "url(" not in style and "@import" not in style, "the stylesheet loads something"

# Sections in order: bad.json, good.json; then, after the charts, their
# details tables in the same order.
def sections(cls):
    starts = [i for i, e in enumerate(dom.elements) if e[0] == "section" and e[1].get("class") == cls]
    out = []
    for si in starts:
        end = next((j for j in range(si + 1, len(dom.elements)) if dom.elements[j][0] == "section"), len(dom.elements))
        out.append(dom.elements[si:end])
    return out
probe_parts, detail_parts = sections("probe"), sections("probe-details")
assert len(probe_parts) == 2 and len(detail_parts) == 2, (len(probe_parts), len(detail_parts))
for part, dpart, name in zip(probe_parts, detail_parts, ("bad", "good")):
    probe = json.load(open(f"{t}/{name}.json"))
    totals = {e[1]["data-total"]: int(e[2].split()[0]) for e in part if "data-total" in e[1]}
    assert totals == probe["summary"], (name, totals, probe["summary"])
    # The matrix: a row per target, a column per case; a cell's class is
    # the case's result.
    cases, rows, current, in_matrix = [], {}, None, False
    for e in part:
        if e[0] == "table":
            in_matrix = e[1].get("class") == "matrix"
        if not in_matrix:
            continue
        if e[0] == "th" and e[1].get("class") == "case":
            cases.append(e[2])
        elif e[0] == "tr":
            current = None
        elif e[0] == "th" and e[2] != "target":
            current = e[2]
            rows[current] = []
        elif e[0] == "td" and current is not None:
            rows[current].append(e[1].get("class", ""))
    target = probe["targets"][0]
    results = target["results"]
    assert list(rows) == [target["name"]], (name, list(rows))
    assert cases == [r["case"] for r in results], (name, cases)
    assert rows[target["name"]] == ["r-" + r["result"] for r in results], (name, rows)
    # Details: the cases not met come first, with expected and observed.
    details, in_details = [], False
    for e in dpart:
        if e[0] == "table":
            in_details = e[1].get("class") == "details"
        elif in_details and e[0] == "tr" and e[1].get("class", "").startswith("row-"):
            details.append([e[1]["class"][4:]])
        elif in_details and e[0] == "td" and details:
            details[-1].append(e[2])
    assert len(details) == len(results), (name, len(details))
    not_met = sorted((r["case"], r["expected"], r["observed"]["text"]) for r in results if r["result"] == "not-met")
    n = len(not_met)
    assert [d[0] for d in details[:n]] == ["not-met"] * n, details[:n]
    assert all(d[0] != "not-met" for d in details[n:])
    assert sorted((d[2], d[4], d[5]) for d in details[:n]) == not_met, (details[:n], not_met)
    if name == "bad":
        assert n == 4, n

# Load: percentiles of run.json and tls12.json as in the JSON, SLO verdicts.
pct_rows = [e for e in dom.elements if e[0] == "tr" and "data-phase" in e[1]]
tds = {}
for i, e in enumerate(dom.elements):
    if e[0] == "tr" and "data-phase" in e[1]:
        cells = []
        for f in dom.elements[i + 1:]:
            if f[0] == "tr":
                break
            if f[0] == "td":
                cells.append(f)
        tds[(cells[0][2], e[1]["data-phase"])] = cells
keys = ["p50_ns", "p90_ns", "p99_ns", "p999_ns", "max_ns"]
for run in ("run", "tls12"):
    load = json.load(open(f"{t}/{run}.json"))
    for phase, ph in load["phases"].items():
        cells = tds[(f"{run}.json", phase)]
        assert int(cells[2][2]) == ph["count"], (run, phase)
        if ph["count"] == 0:
            continue
        for cell, key in zip(cells[3:], keys):
            assert int(cell[1]["data-ns"]) == ph[key], (run, phase, key, cell, ph[key])
slo = {re.search(r"SLO of (\S+):", e[2]).group(1): e[1]["data-slo"] for e in dom.elements if "data-slo" in e[1]}
assert slo == {"run.json": "met", "tls12.json": "violated"}, slo
# The log joined run.json (same name): no run of its own.
assert ("run.hlog", "handshake") not in tds, "run.hlog drawn as a run of its own"
charts = [e for e in dom.elements if e[0] == "figcaption"]
assert sum("by percentile" in e[2] for e in charts) == 4, [e[2] for e in charts]
polylines = [e for e in dom.elements if e[0] == "polyline"]
assert len(polylines) >= 4 * 2 + 3, len(polylines)
# History: the four earlier results and the four of tonight, in time order.
hist = [e for e in dom.elements if e[0] == "tr" and "data-kind" in e[1]]
assert len(hist) == 8, len(hist)
assert any("met and not met per run" in e[2] for e in charts), "no conformance trend"
assert any("handshake latency per run" in e[2] for e in charts), "no latency trend"

# Chromium's network log: no request made by the page (its own background
# requests, kept inside by the host resolver rules, are not the page's).
net = json.load(open(f"{t}/net.json"))
types = {v: k for k, v in net["constants"]["logEventTypes"].items()}
page = [e["params"]["url"] for e in net["events"]
        if types.get(e["type"]) == "URL_REQUEST_START_JOB"
        and "file://" in e.get("params", {}).get("network_isolation_key", "")]
assert not page, f"the page requested {page}"
PY
pass "DOM: totals, every case's verdict, not-met first, percentiles, SLO verdicts, history, as in the JSON"
pass "no external resource: none referred to, none requested (Chromium net log)"

# --- Screenshots --------------------------------------------------------------
for size in 1280,800 390,844; do
  chrome --window-size=$size --screenshot="$T/shot-$size.png" "file://$T/report.html" >/dev/null ||
    fail "chromium --screenshot failed"
  read -r w h inked colours < <(python3 "$MTK_SRC/tests/lib/png_stats.py" "$T/shot-$size.png")
  [ "$w,$h" = "$size" ] || fail "screenshot is ${w}x$h, not $size"
  python3 -c "import sys; sys.exit(0 if float('$inked') > 0.02 and $colours > 50 else 1)" ||
    fail "screenshot at $size is blank ($inked inked, $colours colours)"
  pass "screenshot at $size: $inked of the pixels drawn, $colours colours"
done
# On paper: Chromium prints the page to a PDF of several pages.
chrome --no-pdf-header-footer --print-to-pdf="$T/report.pdf" "file://$T/report.html" >/dev/null ||
  fail "chromium --print-to-pdf failed"
pages=$(python3 -c 'import re,sys; d=open(sys.argv[1],"rb").read(); assert d[:5]==b"%PDF-"; print(len(re.findall(rb"/Type\s*/Page[^s]", d)))' "$T/report.pdf") ||
  fail "the printed report is not a PDF"
[ "$pages" -ge 2 ] || fail "the printed report has $pages page(s)"
pass "printed: a PDF of $pages pages"
if [ -n "${MTK_REPORT_SCREENSHOT:-}" ]; then
  cp "$T/shot-1280,800.png" "$MTK_REPORT_SCREENSHOT"
fi

# --- bad input -------------------------------------------------------------------
head -c 2000 "$T/run.hlog" >"$T/cut.hlog"
printf 'Tag=handshake,0.000,1.000,0.5,HISTFAAAAnotbase64!!\n' >>"$T/cut.hlog"
echo keep >"$T/out.html"
expect_status 2 mtlskit report html "$T/good.json" "$T/cut.hlog" -o "$T/out.html"
expect_one_line "$T/err"
expect_grep 'cut.hlog: line [0-9]+' "$T/err"
[ "$(cat "$T/out.html")" = keep ] || fail "-o was changed by a failed run"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["schema_version"]=7; json.dump(d,open(sys.argv[2],"w"))' \
  "$T/run.json" "$T/future.json"
expect_status 2 mtlskit report html "$T/future.json" -o "$T/out.html"
expect_grep 'future.json: loadgen result of schema_version 7' "$T/err"
head -c 500 "$T/good.json" >"$T/truncated.json"
expect_status 2 mtlskit report html "$T/truncated.json" -o "$T/out.html"
expect_grep 'truncated.json: not valid JSON' "$T/err"
expect_status 2 mtlskit report html "$T/good.json"
expect_grep 'needs -o FILE' "$T/err"
expect_status 2 mtlskit report html -o "$T/out.html"
expect_status 3 mtlskit report html "$T/missing.json" -o "$T/out.html"
expect_grep 'missing.json' "$T/err"
echo '{"schema_version": 1}' >"$T/history/junk.json"
expect_status 2 mtlskit report html "$T/good.json" --history "$T/history" -o "$T/out.html"
expect_grep 'junk.json: not an mtlskit probe or loadgen --json result' "$T/err"
expect_status 2 mtlskit report html "$T/good.json" --history "$T/nonexistent" -o "$T/out.html"
[ "$(cat "$T/out.html")" = keep ] || fail "-o was changed by a failed run"
pass "bad input: one-line errors naming the file, exit 2 (3 unreadable), -o untouched"

done_testing
