#!/usr/bin/env bash
# Benchmark of `mtlskit report html` and `report diff` at nightly scale:
#  - report html of a one-hour --hdr-log (3,600 one-second intervals, four
#    phases: 14,400 histograms) plus a probe result of 10,000 attempts, in
#    one page: wall time (median of ROUNDS) and file size, against the
#    targets of 1 s and 2 MB;
#  - the hour's log alone against HdrHistogram's own HistogramLogProcessor
#    (Java, Debian's libhdrhistogram-java) reading the same log and writing
#    its percentile distribution: both decode every interval and add them up;
#  - report diff of two 10,000-attempt probe results (written with the
#    two-space indent probe --json uses: about 14 MB each) against jq joining
#    the same two files by (target, case) and comparing result and observed
#    outcome, the same comparison.
# The inputs are made from real runs on this machine: a probe of a local
# ALB-like endpoint (every case of the catalogue) copied to as many targets
# as make 10,000 attempts, and a two-second
# loadgen --hdr-log against it at a 250 ms interval whose interval lines are
# repeated, with shifted start times, to fill the hour.
# Usage: bench/report.sh [BIN_DIR]   (default: build/bin)
# Environment: ROUNDS (5). Figures go to stdout; nothing is asserted.
# HistogramLogProcessor needs java and libhdrhistogram-java
# (scripts/install-deps --bench); without them that line says so.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
bin=$(cd "${1:-$src/build/bin}" && pwd)
[ -x "$bin/mtlskit" ] || { echo "bench: $bin/mtlskit not built" >&2; exit 3; }
ROUNDS=${ROUNDS:-5}
T=$(mktemp -d "${TMPDIR:-/tmp}/mtk-bench-report.XXXXXX")
serve_pid=
trap '[ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null; rm -rf "$T"' EXIT

# median_ms CMD...: the median wall time of ROUNDS runs of CMD, in ms.
median_ms() {
  local i t0 t1
  for ((i = 0; i < ROUNDS; i++)); do
    t0=$(date +%s%N)
    "$@" >/dev/null 2>&1 || [ $? -eq 1 ]
    t1=$(date +%s%N)
    echo $(((t1 - t0) / 1000))
  done | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]/1000}'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

echo "machine: $(nproc) CPUs, load $(cut -d' ' -f1 /proc/loadavg), $T on $(findmnt -no FSTYPE -T "$T" 2>/dev/null || stat -f -c %T "$T")"
"$bin/mtlskit" fixtures "$T/fx" --quiet
"$bin/mtlskit" serve --profile alb-verify --cert "$T/fx/server/server.cert.pem" \
  --key "$T/fx/server/server.key.pem" --truststore "$T/fx/trust/root.pem" \
  --crl "$T/fx/crl/default.pem" --listen 127.0.0.1:0 --ready-file "$T/port" \
  --duration 5m --quiet &
serve_pid=$!
for _ in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.1; done
url="https://127.0.0.1:$(cat "$T/port")/"
"$bin/mtlskit" probe --fixtures "$T/fx" --profile alb-verify \
  --cacert "$T/fx/trust/root.pem" --name one --json "$url" >"$T/probe1.json"
"$bin/mtlskit" loadgen --cert "$T/fx/cases/ok-root-leaf/cert.pem" \
  --key "$T/fx/cases/ok-root-leaf/key.pem" --cacert "$T/fx/trust/root.pem" \
  --rate 100 --duration 2s --interval 250ms --hdr-log "$T/short.hlog" --quiet \
  --json "$url" >/dev/null

python3 - "$T" <<'PY'
import copy, json, sys
t = sys.argv[1]
# The hour: the short log's interval lines, one second each, start times
# shifted so that 3,600 intervals of four phases follow each other.
lines = open(f"{t}/short.hlog").read().splitlines()
head = [l for l in lines if l.startswith("#") or l.startswith('"')]
body = [l.split(",") for l in lines if l.startswith("Tag=")]
groups = {}
for f in body:
    groups.setdefault(f[1], []).append(f)
intervals = [g for _, g in sorted(groups.items(), key=lambda kv: float(kv[0]))]
with open(f"{t}/hour.hlog", "w") as out:
    out.write("\n".join(head) + "\n")
    for s in range(3600):
        for f in intervals[s % len(intervals)]:
            out.write(",".join([f[0], f"{s:.3f}", "1.000"] + f[3:]) + "\n")
# 10,000 attempts: the probe's target copied under as many names as it takes.
p = json.load(open(f"{t}/probe1.json"))
target = p["targets"][0]
p["targets"] = []
copies = round(10000 / len(target["results"]))
for i in range(copies):
    c = copy.deepcopy(target)
    c["name"] = f"edge-{i:03d}"
    p["targets"].append(c)
for k in p["summary"]:
    p["summary"][k] *= copies
json.dump(p, open(f"{t}/probe-old.json", "w"), indent=2)
# Tonight: three targets let a revoked client in.
for c in p["targets"][:3]:
    for r in c["results"]:
        if r["case"] == "revoked-keycompromise":
            r["result"] = "not-met"
            r["observed"] = {"text": "http 200", "kind": "http", "stage": "http", "http_status": 200}
json.dump(p, open(f"{t}/probe-new.json", "w"), indent=2)
print("inputs: hour.hlog %d intervals x %d phases; probe %d attempts" % (
    3600, len(intervals[0]), sum(len(c["results"]) for c in p["targets"])))
PY

ms=$(median_ms "$bin/mtlskit" report html "$T/probe-new.json" "$T/hour.hlog" -o "$T/page.html")
size=$(stat -c %s "$T/page.html")
echo "report html (hour.hlog + 10,000 attempts): ${ms} ms, $((size / 1024)) KiB (targets: under 1000 ms, under 2048 KiB)"

ms_log=$(median_ms "$bin/mtlskit" report html "$T/hour.hlog" -o "$T/log.html")
jar=/usr/share/java/hdrhistogram.jar
if command -v java >/dev/null && [ -f "$jar" ]; then
  ms_hlp=$(median_ms java -cp "$jar" org.HdrHistogram.HistogramLogProcessor \
    -i "$T/hour.hlog" -o "$T/hlp")
  echo "report html hour.hlog: ${ms_log} ms; HistogramLogProcessor -i hour.hlog: ${ms_hlp} ms; ratio $(ratio "$ms_log" "$ms_hlp")x"
else
  echo "report html hour.hlog: ${ms_log} ms; HistogramLogProcessor: not installed (scripts/install-deps --bench)"
fi

ms_diff=$(median_ms "$bin/mtlskit" report diff "$T/probe-old.json" "$T/probe-new.json")
"$bin/mtlskit" report diff "$T/probe-old.json" "$T/probe-new.json" --json >"$T/diff.json" || true
ms_jq=$(median_ms jq -n --slurpfile a "$T/probe-old.json" --slurpfile b "$T/probe-new.json" '
  def index: [.targets[] as $t | $t.results[] | {key: ($t.name + "\u001f" + .case), value: .}] | from_entries;
  ($a[0] | index) as $old | ($b[0] | index) as $new
  | [$new | to_entries[] | select($old[.key] == null
      or $old[.key].result != .value.result
      or $old[.key].observed.text != .value.observed.text) | .key]')
n=$(jq '.regressions' "$T/diff.json")
echo "report diff (2 x 10,000 attempts, 2 x $(($(stat -c %s "$T/probe-old.json") / 1024)) KiB, $n regressions found): ${ms_diff} ms; jq, the same join and comparison: ${ms_jq} ms; ratio $(ratio "$ms_diff" "$ms_jq")x (target: under 100 ms)"
