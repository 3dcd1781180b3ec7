# mtlskit probe: command line, exit statuses, bad input, bounds, and the
# classification of resets, closes and silence from a scripted TLS peer
# (tests/servers/tls_refuser.py) under TLS 1.2 and 1.3.
. "$MTK_SRC/tests/lib/testlib.sh"
. "$MTK_SRC/tests/lib/servers.sh"
. "$MTK_SRC/tests/lib/probe_pki.sh"

F="$T/fx"
probe_pki "$F"

# --- usage errors: exit 2, one line plus the "try --help" hint ---------
expect_status 0 mtlskit probe --help
expect_grep '^usage: mtlskit probe --fixtures DIR --profile NAME' "$T/out"
expect_grep 'Exit status: 0 every case met' "$T/out"
pass "--help"

expect_status 0 mtlskit probe --list-profiles
for p in alb-verify alb-verify-allow-expired alb-passthrough apigw cloudflare cloudfront go \
    nginx nginx-optional haproxy apache node stunnel strict; do
  expect_grep "^$p: " "$T/out"
done
expect_grep '^  revoked +http 400 \[D\] docs/platforms.md' "$T/out"
pass "--list-profiles lists every profile with sources"

usage_case() {
  local pattern=$1
  shift
  expect_status 2 mtlskit probe "$@"
  expect_grep "^mtlskit probe: error: $pattern" "$T/err"
  [ "$(grep -c 'error:' "$T/err")" -eq 1 ] || fail "more than one error line"
}
usage_case 'URL targets need --profile' --fixtures "$F" https://127.0.0.1:1/
usage_case "unknown profile 'nope'" --fixtures "$F" --profile nope https://127.0.0.1:1/
usage_case 'no target' --fixtures "$F"

# --- profile files: a user's file is listed with its origin and used; a
# broken one is refused with its file, line and field -------------------
sed 's/"name": "nginx"/"name": "mine"/' \
  "$MTK_SRC/probe/profiles/nginx.json" >"$T/mine.json"
expect_status 0 mtlskit probe --list-profiles --profile "$T/mine.json"
expect_grep '^mine: nginx ssl_verify_client on' "$T/out"
expect_grep "^  origin: +user $T/mine.json\$" "$T/out"
expect_grep '^  origin: +installed /.*/share/mtlskit/profiles/nginx.json$' "$T/out"
printf '{\n  "mtlskit_profile": 1,\n  "name": "bad",\n  "summary": "s",\n  "assumes": "a",\n  "cells": {\n    "expird": {}\n  }\n}\n' \
  >"$T/bad.json"
usage_case "$T/bad.json:7: cells.expird: unknown defect" \
  --fixtures "$F" --profile "$T/bad.json" https://127.0.0.1:1/
printf '{\n  "mtlskit_profile": 1,\n' >"$T/cut.json"
usage_case "$T/cut.json:3: " --fixtures "$F" --profile "$T/cut.json" \
  https://127.0.0.1:1/
pass "profile files: a user's is listed with its origin, a broken one names file, line and field"
usage_case '--fixtures DIR is required' --profile nginx https://127.0.0.1:1/
usage_case "--tls must be 1.2 or 1.3, not '1.1'" --tls 1.1
usage_case "--http must be 1.1 or 2" --http 3
usage_case "--timeout wants a duration" --timeout 10
usage_case "--parallel must be a count" --parallel 0
usage_case "'http://x/' is not an https:// URL" --fixtures "$F" --profile nginx http://x/
usage_case "--expect 'revoked=http 99': bad HTTP status" --expect 'revoked=http 99'
usage_case "--expect 'revoked': want CASE=OUTCOMES" --expect revoked
usage_case "--expect 'revoked=refusd': unknown outcome 'refusd'" --expect 'revoked=refusd'
usage_case "target https://127.0.0.1:1/: --expect names case 'nosuch'" \
  --fixtures "$F" --profile nginx --expect 'nosuch=reset' https://127.0.0.1:1/
usage_case "target https://127.0.0.1:1/: the manifest has no trust variant 'x'" \
  --fixtures "$F" --profile nginx --trust x https://127.0.0.1:1/
usage_case "$T/none/manifest.json: no such file" --fixtures "$T/none" \
  --profile nginx https://127.0.0.1:1/
usage_case "target https://: 'https://' is not a valid https:// URL" \
  --fixtures "$F" --profile nginx https://
usage_case "target https://127.0.0.1:99999/: 'https://127.0.0.1:99999/' is not a valid" \
  --fixtures "$F" --profile nginx https://127.0.0.1:99999/
usage_case "target https://x/: --resolve 'garbage': want HOST:PORT:ADDR" \
  --fixtures "$F" --profile nginx --resolve garbage https://x/
usage_case "target https://x/: --connect-to 'x:443': want HOST:PORT:HOST2:PORT2" \
  --fixtures "$F" --profile nginx --connect-to x:443 https://x/
usage_case "target https://x/: header 'garbage': want 'Name: value'" \
  --fixtures "$F" --profile nginx -H garbage https://x/
usage_case "target https://x/: CA file $T/nope.pem: no such file" \
  --fixtures "$F" --profile nginx --cacert "$T/nope.pem" https://x/
pass "usage errors exit 2 with one error line"

# --- bad manifests and config files --------------------------------------
bad_manifest() {
  local name=$1 sed_expr=$2 pattern=$3
  mkdir -p "$T/$name"
  cp -r "$F/." "$T/$name/"
  sed -i "$sed_expr" "$T/$name/manifest.json"
  usage_case "$pattern" --fixtures "$T/$name" --profile nginx https://127.0.0.1:1/
}
bad_manifest m1 's/"schema_version": 1/"schema_version": 2/' '.*schema_version must be 1'
bad_manifest m2 's/"defects": \["expired"\]/"defects": ["expird"]/' "case expired: unknown defect 'expird'"
bad_manifest m3 's|cases/revoked/key.pem|cases/revoked/nokey.pem|' 'case revoked: .*nokey.pem: no such file'
bad_manifest m4 's|"trust": "crl-expired"|"trust": "nope"|' "case crl-expired-ok-leaf: trust variant 'nope'"
bad_manifest m5 's|"name": "expired"|"name": "revoked"|' 'case revoked: duplicate name'
bad_manifest m6 's|"cases/revoked/cert.pem"|"../../etc/passwd"|' "case revoked: path '../../etc/passwd' must stay inside"
# A symlink inside the set that leads out of it is refused, however the
# manifest spells the path; one that stays inside is followed.
mkdir -p "$T/m8" "$T/elsewhere"
cp -r "$F/." "$T/m8/"
cp "$F/cases/revoked/key.pem" "$T/elsewhere/key.pem"
cp "$F/cases/expired/cert.pem" "$T/elsewhere/cert.pem"
ln -sf "$T/elsewhere/key.pem" "$T/m8/cases/revoked/key.pem"
usage_case "case revoked: path 'cases/revoked/key.pem' leads to $T/elsewhere/key.pem, outside the fixture directory" \
  --fixtures "$T/m8" --profile nginx https://127.0.0.1:1/
rm "$T/m8/cases/revoked/key.pem"
cp "$F/cases/revoked/key.pem" "$T/m8/cases/revoked/key.pem"
rm -rf "$T/m8/cases/expired"
ln -s "$T/elsewhere" "$T/m8/cases/expired"
usage_case "case expired: path 'cases/expired/cert.pem' leads to .*, outside the fixture directory" \
  --fixtures "$T/m8" --profile nginx https://127.0.0.1:1/
rm "$T/m8/cases/expired"
ln -s revoked "$T/m8/cases/expired"
expect_status 3 mtlskit probe --fixtures "$T/m8" --profile nginx --timeout 2s \
  "https://127.0.0.1:$(free_port)/"
mkdir -p "$T/m7"
cp -r "$F/." "$T/m7/"
echo garbage >"$T/m7/cases/expired/cert.pem"
usage_case "case expired: $T/m7/cases/expired/cert.pem: no PEM certificate" \
  --fixtures "$T/m7" --profile nginx https://127.0.0.1:1/
cp "$F/cases/revoked/key.pem" "$T/m7/cases/expired/key.pem"
cp "$F/cases/expired/cert.pem" "$T/m7/cases/expired/cert.pem"
usage_case "case expired: .*key does not match the certificate" \
  --fixtures "$T/m7" --profile nginx https://127.0.0.1:1/
pass "bad manifests are refused before any connection"

echo '{"schema_version": 1, "targets": [{"url": "https://x/", "profile": "nginx", "colour": 1}]}' >"$T/c1.json"
usage_case '.*c1.json: targets\[0\]: unknown key "colour"' --fixtures "$F" --config "$T/c1.json"
echo '{"schema_version": 1, "targets": [{"url": "https://x/"}]}' >"$T/c2.json"
usage_case '.*targets\[0\]: "url" and "profile" are required' --fixtures "$F" --config "$T/c2.json"
echo '{"schema_version": 1, "targets": [{"url": "https://x/", "profile": "nginx", "expect": {"revoked": "http 2"}}]}' >"$T/c3.json"
usage_case ".*target https://x/: --expect 'revoked=http 2': bad HTTP status" --fixtures "$F" --config "$T/c3.json"
echo '{"schema_version": 1, "targets": [' >"$T/c4.json"
usage_case '.*c4.json line' --fixtures "$F" --config "$T/c4.json"
echo '{"schema_version": 1, "targets": [{"url": "https://x/", "profile": "nginx"}, {"url": "https://x/", "profile": "apache"}]}' >"$T/c5.json"
usage_case ".*two targets are named 'https://x/'" --fixtures "$F" --config "$T/c5.json"
echo '{"schema_version": 1, "targets": [{"url": "https://x/", "profile": "nginx"}]}' >"$T/c6.json"
usage_case "target options such as '--tls' apply to URLs on the command line" \
  --fixtures "$F" --config "$T/c6.json" --tls 1.2
usage_case "target options such as '--header' apply to URLs" \
  --fixtures "$F" --config "$T/c6.json" -H 'X: y'
# --fixtures on the command line wins over the config file's.
echo "{\"schema_version\": 1, \"fixtures\": \"$T/none\", \"targets\": [{\"url\": \"https://127.0.0.1:$(free_port)/\", \"profile\": \"nginx\"}]}" >"$T/c7.json"
expect_status 3 mtlskit probe --fixtures "$F" --config "$T/c7.json" --timeout 2s
pass "bad config files exit 2 naming the target and key"

# --- unreachable target: one target-level error, exit 3 -------------------
# junit_counts FILE: "tests failures errors skipped" of the <testsuites>.
junit_counts() {
  python3 - "$1" <<'PY'
import sys, xml.etree.ElementTree as ET
r = ET.parse(sys.argv[1]).getroot()
print(r.get("tests"), r.get("failures"), r.get("errors"), r.get("skipped"))
PY
}
dead=$(free_port)
expect_status 3 mtlskit probe --fixtures "$F" --profile nginx --timeout 5s \
  --junit "$T/dead.xml" "https://127.0.0.1:$dead/"
expect_grep "ERROR: unreachable: every attempt failed to resolve or connect" "$T/out"
expect_grep '^ok-root-leaf-p256 .* connect-failed +ERROR ' "$T/out"
expect_grep '^0 met, 0 not met, 0 unspecified, 1 skipped, 0 incomplete, 11 error in ' "$T/out"
expect_one_line "$T/err"
expect_grep "^mtlskit probe: error: target https://127.0.0.1:$dead/: unreachable: every attempt failed" "$T/err"
# One <error> for the target, its 12 cases skipped, no <failure>.
[ "$(junit_counts "$T/dead.xml")" = "13 0 1 12" ] ||
  fail "JUnit counts: $(junit_counts "$T/dead.xml")"
expect_grep '<testcase classname="https://127.0.0.1:[0-9]+/" name="\(target\)"' "$T/dead.xml"
expect_grep '<error message="target https://127.0.0.1:[0-9]+/: unreachable: ' "$T/dead.xml"
pass "a port nobody listens on: one target error, exit 3, JUnit <error>"

# --- resets, closes and silence from a scripted TLS peer -----------------
start_refuser() {
  local mode=$1 port=$2
  python3 "$MTK_SRC/tests/servers/tls_refuser.py" "$mode" "$port" \
    "$F/server/server.cert.pem" "$F/server/server.key.pem" \
    >"$T/refuser-$mode.log" 2>&1 &
  local pid=$!
  on_exit "kill $pid 2>/dev/null; wait $pid 2>/dev/null"
  wait_port "$port" 10
}
# observed FILE CASE: "kind stage" of CASE in a --json document.
observed() {
  python3 - "$1" "$2" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
for t in doc["targets"]:
    for r in t["results"]:
        if r["case"] == sys.argv[2]:
            print(r["observed"]["kind"], r["observed"]["stage"])
PY
}
# A reset right after accept races curl's connect check: tcp or handshake.
for spec in "rst-at-accept:reset:(tcp|handshake)" "close-in-hs:closed:handshake" \
    "rst-after-hs:reset:first-read" "close-after-hs:closed:first-read" \
    "notify-after-hs:closed:first-read" "silent:timeout:handshake"; do
  IFS=: read -r mode kind stage <<<"$spec"
  port=$(free_port)
  start_refuser "$mode" "$port"
  for tls in 1.2 1.3; do
    # Every case is refused the same way, so every cell is overridden.
    expect_status 0 mtlskit probe --fixtures "$F" --profile strict \
      --cacert "$F/trust/root.pem" --tls "$tls" --timeout 1s --json \
      --expect "ok-root-leaf-p256=$kind" --expect "ok-intermediate-leaf-p256=$kind" \
      --expect "ok-two-intermediates-p256=$kind" --expect "no-certificate=$kind" \
      --expect "expired=$kind" --expect "not-yet-valid=$kind" \
      --expect "revoked=$kind" --expect "unknown-ca=$kind" \
      --expect "self-signed=$kind" --expect "eku-server-only=$kind" \
      --expect "weak-key-rsa1024=$kind" \
      "https://127.0.0.1:$port/"
    got=$(observed "$T/out" no-certificate)
    [[ "$got" =~ ^$kind\ $stage$ ]] || fail "$mode TLS $tls: observed '$got', want '$kind $stage'"
  done
  pass "$mode: $kind at $stage under TLS 1.2 and 1.3"
done

# A peer that never answers, and a --deadline far below the timeout: the
# cut attempts and those never started are incomplete, not NOT-MET.
port=$(free_port)
start_refuser silent "$port"
start=$(date +%s)
expect_status 3 mtlskit probe --fixtures "$F" --profile strict \
  --cacert "$F/trust/root.pem" --timeout 30s --deadline 1s --parallel 4 --json \
  --junit "$T/deadline.xml" "https://127.0.0.1:$port/"
end=$(date +%s)
[ $((end - start)) -lt 10 ] || fail "--deadline 1s did not bound the run"
python3 - "$T/out" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["deadline_ms"] == 1000 and doc["deadline_derived"] is False
rs = [r for r in doc["targets"][0]["results"] if r["result"] != "skipped"]
assert len(rs) == 11 and all(r["result"] == "incomplete" for r in rs), rs
assert all(r["observed"]["kind"] == "timeout" for r in rs)
assert all(r["facts"]["deadline"] for r in rs)
# --parallel 4: seven attempts never started before the deadline.
assert sum(r["detail"] == "not started before --deadline" for r in rs) == 7, rs
assert doc["summary"]["incomplete"] == 11 and doc["summary"]["not_met"] == 0
assert doc["exit_status"] == 3
PY
expect_grep "target https://127.0.0.1:$port/: 11 attempts incomplete: the --deadline deadline of 1 s came first" "$T/err"
[ "$(junit_counts "$T/deadline.xml")" = "12 0 11 1" ] ||
  fail "JUnit counts: $(junit_counts "$T/deadline.xml")"
# Without --deadline the derived one lets every attempt reach its --timeout.
expect_status 1 mtlskit probe --fixtures "$F" --profile strict \
  --cacert "$F/trust/root.pem" --timeout 1s --json "https://127.0.0.1:$port/"
python3 - "$T/out" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["deadline_derived"] is True and doc["deadline_ms"] > 11000, doc["deadline_ms"]
rs = [r for r in doc["targets"][0]["results"] if r["result"] != "skipped"]
assert all(r["result"] == "not-met" and not r["facts"]["deadline"] for r in rs), rs
PY
pass "--deadline cuts a run against a silent peer into incomplete attempts, exit 3; the derived deadline cuts nothing"

# --- one real server: overrides, trust variants, unspecified, SNI --------
p=$(free_port)
start_nginx plain "$p" "
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_certificate $F/server/server.cert.pem;
    ssl_certificate_key $F/server/server.key.pem;
    ssl_client_certificate $F/trust/root.pem;
    ssl_verify_depth 2;
    ssl_verify_client on;
    location / { return 200 \"ok\n\"; }
    location /sni {
      if (\$ssl_server_name != localhost) { return 421; }
      if (\$host != localhost) { return 421; }
      return 200 \"ok\n\";
    }"
# Without --cacert the system store does not know the test root: one
# error for the target, not eleven NOT-MET cases.
expect_status 3 mtlskit probe --fixtures "$F" --profile nginx --json \
  --junit "$T/untrusted.xml" "https://127.0.0.1:$p/"
expect_one_line "$T/err"
expect_grep "^mtlskit probe: error: target https://127.0.0.1:$p/: server certificate not trusted: give --cacert FILE" "$T/err"
python3 - "$T/out" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["schema_version"] == 3 and doc["exit_status"] == 3
t = doc["targets"][0]
assert t["error"].startswith("server certificate not trusted: give --cacert"), t
rs = [r for r in t["results"] if r["result"] != "skipped"]
assert len(rs) == 11 and all(r["result"] == "error" for r in rs), rs
assert all(r["observed"]["kind"] == "server-cert-rejected" for r in rs)
assert doc["summary"]["not_met"] == 0 and doc["summary"]["error"] == 11
PY
[ "$(junit_counts "$T/untrusted.xml")" = "13 0 1 12" ] ||
  fail "JUnit counts: $(junit_counts "$T/untrusted.xml")"
expect_grep '<error message="target https://127.0.0.1:[0-9]+/: server certificate not trusted: give --cacert' "$T/untrusted.xml"
# With the table: the target line says so.
expect_status 3 mtlskit probe --fixtures "$F" --profile nginx "https://127.0.0.1:$p/"
expect_grep '^== https://127.0.0.1:[0-9]+/ .*  ERROR: server certificate not trusted' "$T/out"
pass "an untrusted server certificate: one target error, exit 3, JUnit <error>"

# Without ssl_crl the revoked client gets in; an override accepts that.
expect_status 1 mtlskit probe --fixtures "$F" --profile nginx \
  --cacert "$F/trust/root.pem" "https://127.0.0.1:$p/"
expect_status 0 mtlskit probe --fixtures "$F" --profile nginx \
  --cacert "$F/trust/root.pem" --expect 'revoked=http 200' "https://127.0.0.1:$p/"
expect_grep '^revoked +http 200 +http 200 +met +at http \[user\] --expect revoked=http 200' "$T/out"
pass "--expect overrides one cell"

# --parallel 2: eleven attempts through two slots, each reused.
expect_status 0 mtlskit probe --fixtures "$F" --profile nginx --parallel 2 \
  --cacert "$F/trust/root.pem" --expect 'revoked=http 200' "https://127.0.0.1:$p/"
expect_grep '^11 met, 0 not met, 0 unspecified, 1 skipped' "$T/out"
pass "--parallel 2 runs every attempt through reused slots"

# Only the crl-expired case runs against a target holding that variant.
expect_status 0 mtlskit probe --fixtures "$F" --profile strict --trust crl-expired \
  --cacert "$F/trust/root.pem" --expect 'crl-expired-ok-leaf=http 200' \
  "https://127.0.0.1:$p/"
expect_grep '^1 met, 0 not met, 0 unspecified, 11 skipped' "$T/out"
pass "--trust selects the cases of one trust variant"

# cloudflare has no cell for eku-server-only: unspecified, not failed.
expect_status 1 mtlskit probe --fixtures "$F" --profile cloudflare --json \
  --cacert "$F/trust/root.pem" "https://127.0.0.1:$p/"
python3 - "$T/out" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
res = {r["case"]: r for r in doc["targets"][0]["results"]}
assert res["eku-server-only"]["result"] == "unspecified", res["eku-server-only"]
assert "no cell for defect eku-server-only" in res["eku-server-only"]["source"]
assert res["no-certificate"]["result"] == "not-met"  # 400, cloudflare says 403
# weak-key has no cloudflare cell either.
assert res["weak-key-rsa1024"]["result"] == "unspecified"
assert doc["summary"]["unspecified"] == 2 and doc["exit_status"] == 1
PY
pass "a defect without a profile cell is unspecified"

# --sni: the server name goes in SNI and Host, the connection to the URL.
# /sni answers 421 unless both say localhost.
expect_status 1 mtlskit probe --fixtures "$F" --profile nginx \
  --cacert "$F/trust/root.pem" --expect 'revoked=http 200' \
  "https://127.0.0.1:$p/sni"
expect_grep '^ok-root-leaf-p256 +http 2xx +http 421 +NOT-MET' "$T/out"
expect_status 0 mtlskit probe --fixtures "$F" --profile nginx --sni localhost \
  --cacert "$F/trust/root.pem" --expect 'revoked=http 200' --name staging \
  "https://127.0.0.1:$p/sni"
expect_grep '^== staging ' "$T/out"
expect_grep '^ok-root-leaf-p256 +http 2xx +http 200 +met' "$T/out"
# --connect-to and --resolve reach the same server under another name.
expect_status 0 mtlskit probe --fixtures "$F" --profile nginx \
  --connect-to "example.test:443:127.0.0.1:$p" --cacert "$F/trust/root.pem" \
  --expect 'revoked=http 200' --insecure https://example.test/
expect_status 0 mtlskit probe --fixtures "$F" --profile nginx \
  --resolve "localhost:$p:127.0.0.1" --cacert "$F/trust/root.pem" \
  --expect 'revoked=http 200' --http 1.1 --method HEAD -H 'X-Probe: 1' \
  "https://localhost:$p/"
pass "--sni, --connect-to, --resolve, --insecure, --http, --method, --header"

done_testing
