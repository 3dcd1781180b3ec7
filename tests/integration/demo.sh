# mtlskit demo, the README's first command: a private CA walkthrough, then
# the conformance check (fixtures, a local ALB verify-mode endpoint, the
# probe), two seconds of load and the HTML report of both — all of it must
# succeed and say so. The report is opened in headless Chromium; with
# MTK_REPORT_SCREENSHOT=FILE its 1280x800 screenshot is kept there (the
# README's image is made this way).
. "$MTK_SRC/tests/lib/testlib.sh"

expect_status 0 mtlskit demo
dir=$(sed -n 's/^Everything the demo made is in //p' "$T/out")
[ -n "$dir" ] && [ -d "$dir" ] || fail "the demo did not say where its files are"
on_exit "rm -rf '$dir'"

# Part 1: the CA recipe, ending with the list of what it issued.
expect_grep '^== 1\. A private CA' "$T/out"
expect_grep '^\$ mtlskit ca revoke .* client-external --reason keyCompromise$' "$T/out"
expect_grep 'client-external-v2' "$T/out"
[ -f "$dir/internal.user.pfx" ] || fail "no .pfx"
[ -f "$dir/truststore.pem" ] || fail "no trust-store bundle"
pass "CA walkthrough"

# Part 2: every fixture judged against the alb-verify profile, none failed.
expect_grep '^== 2\. ' "$T/out"
expect_grep '^\$ mtlskit probe --fixtures .* --profile alb-verify ' "$T/out"
expect_grep '^ok-root-leaf +http 2xx +http 200 +met' "$T/out"
expect_grep '^revoked-keycompromise +tls-alert\|reset\|closed +(tls-alert|reset|closed)[^ ]* +met' "$T/out"
expect_grep '^no-certificate +.* met ' "$T/out"
expect_grep '^[0-9]+ met, 0 not met, [0-9]+ unspecified, [0-9]+ skipped' "$T/out"
met=$(sed -n 's/^\([0-9]*\) met, 0 not met.*/\1/p' "$T/out")
[ "$met" -ge 20 ] || fail "only $met cases met"
# The local endpoint was stopped.
! pgrep -f "mtlskit-serve .*$dir" >/dev/null || fail "mtlskit serve still runs"
pass "conformance check: $met cases met, none failed"

# Part 3: load and the report of both.
expect_grep '^\$ mtlskit loadgen .* --json https://127\.0\.0\.1:[0-9]+/ > .*/load\.json$' "$T/out"
report=$(sed -n 's/^The report: \(.*\) (open it in a browser)$/\1/p' "$T/out")
[ "$report" = "$dir/report.html" ] && [ -s "$report" ] || fail "the demo did not print its report's path"
python3 - "$dir" <<'PY' || fail "the report does not hold the probe's and the load's results"
import json, re, sys
d = sys.argv[1]
page = open(f"{d}/report.html").read()
probe, load = json.load(open(f"{d}/probe.json")), json.load(open(f"{d}/load.json"))
for key, n in probe["summary"].items():
    assert f'data-total="{key}"><b>{n}</b>' in page, key
assert load["connections"] >= 50 and load["errors"] <= load["connections"] // 10, (load["connections"], load["errors"])
assert re.search(r'data-phase="handshake"><td>load\.json</td>', page), "no handshake row"
assert f'data-ns="{load["phases"]["handshake"]["p99_ns"]}"' in page, "handshake p99"
assert 'data-slo="met"' in page
PY
shot="${MTK_REPORT_SCREENSHOT:-$T/report.png}"
timeout 60 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
  --disable-background-networking --disable-component-update --no-first-run \
  --disable-sync --no-pings "--host-resolver-rules=MAP * ~NOTFOUND" \
  --proxy-server=127.0.0.1:9 --user-data-dir="$T/chrome-profile" \
  --window-size=1280,800 --screenshot="$shot" "file://$report" >/dev/null 2>&1 ||
  fail "chromium could not render the report"
read -r w h inked colours < <(python3 "$MTK_SRC/tests/lib/png_stats.py" "$shot")
python3 -c "import sys; sys.exit(0 if float('$inked') > 0.02 and $colours > 50 else 1)" ||
  fail "the report's screenshot is blank ($inked inked, $colours colours)"
pass "report: $report holds the probe totals, the handshake p99 and the SLO verdict; its screenshot is drawn ($inked inked)"

done_testing
