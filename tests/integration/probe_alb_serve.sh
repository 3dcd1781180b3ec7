# mtlskit probe --alb-headers against mtlskit serve's ALB emulation on
# 127.0.0.1, under TLS 1.2 and 1.3: verify mode gets the five
# X-Amzn-Mtls-Clientcert-* headers of every accepted fixture, passthrough
# the URL-encoded chain (none without a certificate), forged client headers
# are stripped, so the probe exits 0 and says every 2xx was checked. The
# wrong mode for the server fails each accepted case with exactly the
# missing header, in the table, --json and --junit. Also the option's usage
# errors and its config-file key.
. "$MTK_SRC/tests/lib/testlib.sh"
. "$MTK_SRC/tests/integration/serve_common.sh"

F="$T/fx"
serve_fixtures "$F"
common=(--cert "$F/server/server.cert.pem" --key "$F/server/server.key.pem"
  --truststore "$F/trust/root.pem")

# alb_results FILE: one line per attempt of a --json document:
# "case result observed checked=BOOL failures" (failures joined by " | ").
alb_results() {
  python3 - "$1" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["schema_version"] == 3
for t in doc["targets"]:
    for r in t["results"]:
        if "observed" not in r:
            print(r["case"], r["result"], "-", "skipped")
            continue
        a = r["alb_headers"]
        assert a["num_failures"] == len(a["failures"]), a
        print(r["case"], r["result"], r["observed"]["text"].replace(" ", "-"),
              "checked=%s" % str(a["checked"]).lower(), " | ".join(a["failures"]))
PY
}

# all_checked FILE MIN: every http 2xx was checked and passed, every other
# outcome was not checked, and at least MIN attempts were 2xx.
all_checked() {
  python3 - "$1" "$2" <<'PY'
import sys
n = 0
for line in open(sys.argv[1]):
    f = line.rstrip("\n").split(" ", 4)
    if f[3] == "skipped":
        continue
    ok2xx = f[2].startswith("http-2")
    assert f[3] == ("checked=true" if ok2xx else "checked=false"), line
    assert f[4] == "", line
    n += ok2xx
assert n >= int(sys.argv[2]), "only %d attempts were http 2xx" % n
PY
}

# --- usage ---------------------------------------------------------------
expect_status 2 mtlskit probe --fixtures "$F" --profile alb-verify \
  --alb-headers on https://127.0.0.1:1/
expect_grep "^mtlskit probe: error: --alb-headers must be verify or passthrough, not 'on'" "$T/err"
expect_status 2 mtlskit probe --fixtures "$F" --profile alb-verify \
  --alb-headers verify --method HEAD https://127.0.0.1:1/
expect_grep 'HEAD does not get' "$T/err"
expect_grep "^try .mtlskit probe --help.$" "$T/err"
echo '{"schema_version": 1, "targets": [{"url": "https://127.0.0.1:1/", "profile": "alb-verify"}]}' >"$T/c.json"
expect_status 2 mtlskit probe --fixtures "$F" --config "$T/c.json" --alb-headers verify
expect_grep "'--alb-headers' apply to URLs on the command line" "$T/err"
mtlskit probe --help >"$T/help"
expect_grep '^  --alb-headers verify\|passthrough' "$T/help"
pass "usage: bad mode, HEAD, option without URLs, --help"

for tls in 1.2 1.3; do
  # --- verify: the five headers of every accepted fixture ----------------
  start_serve "verify-$tls" "${common[@]}" --profile alb-verify --tls "$tls" \
    --crl "$F/crl/default.pem"
  pid=$SERVE_PID
  expect_status 0 mtlskit probe --fixtures "$F" --profile alb-verify \
    --cacert "$F/trust/root.pem" --tls "$tls" --timeout 20s --json \
    --alb-headers verify "https://127.0.0.1:$SERVE_PORT/"
  alb_results "$T/out" >"$T/v-$tls"
  all_checked "$T/v-$tls" 6
  for c in ok-root-leaf ok-int-chain ok-keytype-rsa2048 ok-keytype-p384; do
    expect_grep "^$c met http-200 checked=true $" "$T/v-$tls"
  done
  expect_grep '^expired-1y met (closed|reset) checked=false $' "$T/v-$tls"
  expect_grep '^no-certificate met (closed|reset) checked=false $' "$T/v-$tls"
  expect_grep '"alb_headers": "verify"' "$T/out"
  # The table says the headers were checked.
  expect_status 0 mtlskit probe --fixtures "$F" --profile alb-verify \
    --cacert "$F/trust/root.pem" --tls "$tls" --timeout 20s \
    --alb-headers verify "https://127.0.0.1:$SERVE_PORT/"
  expect_grep "^== https://127.0.0.1:$SERVE_PORT/  \(profile alb-verify, trust default, tls $tls, alb-headers verify\)" "$T/out"
  expect_grep '^ok-int-chain +http 2xx +http 200 +met +at http .*; ALB verify headers match$' "$T/out"

  # The wrong mode for this server: each accepted case names the header.
  expect_status 1 mtlskit probe --fixtures "$F" --profile alb-verify \
    --cacert "$F/trust/root.pem" --tls "$tls" --timeout 20s --json \
    --junit "$T/j-$tls.xml" --alb-headers passthrough \
    "https://127.0.0.1:$SERVE_PORT/"
  alb_results "$T/out" >"$T/vp-$tls"
  expect_grep '^ok-int-chain not-met http-200 checked=true X-Amzn-Mtls-Clientcert missing$' "$T/vp-$tls"
  # Every 2xx fails with exactly that, nothing else fails.
  python3 - "$T/vp-$tls" <<'PY'
import sys
for line in open(sys.argv[1]):
    f = line.rstrip("\n").split(" ", 4)
    if f[2].startswith("http-2"):
        assert f[1] == "not-met" and f[4] == "X-Amzn-Mtls-Clientcert missing", line
    else:
        assert f[1] != "not-met", line
PY
  python3 - "$T/j-$tls.xml" <<'PY'
import sys, xml.etree.ElementTree as ET
cases = {tc.get("name"): tc for tc in ET.parse(sys.argv[1]).iter("testcase")}
f = cases["ok-root-leaf"].find("failure")
assert f is not None
assert f.get("message") == "ALB headers: X-Amzn-Mtls-Clientcert missing", f.attrib
assert "alb headers: X-Amzn-Mtls-Clientcert missing\n" in f.text, f.text
assert cases["expired-1y"].find("failure") is None
PY
  stop_serve "$pid"
  pass "verify, TLS $tls: every 2xx carries the fixture's five headers; passthrough mode names the missing header"

  # --- passthrough: the chain, and nothing without a certificate --------
  start_serve "pass-$tls" "${common[@]}" --profile alb-passthrough --tls "$tls"
  pid=$SERVE_PID
  expect_status 0 mtlskit probe --fixtures "$F" --profile alb-passthrough \
    --cacert "$F/trust/root.pem" --tls "$tls" --timeout 20s --json \
    --alb-headers passthrough "https://127.0.0.1:$SERVE_PORT/"
  alb_results "$T/out" >"$T/p-$tls"
  all_checked "$T/p-$tls" 20
  for c in ok-root-leaf ok-int-chain chain-too-deep unknown-ca expired-1y \
      no-certificate; do
    expect_grep "^$c (met|unspecified) http-200 checked=true $" "$T/p-$tls"
  done
  stop_serve "$pid"
  pass "passthrough, TLS $tls: every 2xx carries the chain sent (leaf first), none without a certificate"
done

# The config file's "alb_headers" key does the same per target.
start_serve cfg "${common[@]}" --profile alb-verify --crl "$F/crl/default.pem"
pid=$SERVE_PID
cat >"$T/probe.json" <<JSON
{"schema_version": 1, "fixtures": "$F", "targets": [
  {"name": "alb", "url": "https://127.0.0.1:$SERVE_PORT/", "profile": "alb-verify",
   "cacert": "$F/trust/root.pem", "alb_headers": "verify"},
  {"name": "wrong-mode", "url": "https://127.0.0.1:$SERVE_PORT/x", "profile": "alb-verify",
   "cacert": "$F/trust/root.pem", "alb_headers": "passthrough"},
  {"name": "plain", "url": "https://127.0.0.1:$SERVE_PORT/y", "profile": "alb-verify",
   "cacert": "$F/trust/root.pem"}]}
JSON
expect_status 1 mtlskit probe --config "$T/probe.json" --timeout 20s --json
python3 - "$T/out" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
t = {x["name"]: x for x in doc["targets"]}
assert [t[n]["alb_headers"] for n in ("alb", "wrong-mode", "plain")] == ["verify", "passthrough", "off"]
def res(name, case):
    return [r for r in t[name]["results"] if r["case"] == case][0]
assert res("alb", "ok-int-chain")["result"] == "met"
assert res("alb", "ok-int-chain")["alb_headers"]["checked"] is True
assert res("wrong-mode", "ok-int-chain")["alb_headers"]["failures"] == ["X-Amzn-Mtls-Clientcert missing"]
assert "alb_headers" not in res("plain", "ok-int-chain")
assert all(r["result"] != "not-met" for r in t["alb"]["results"] + t["plain"]["results"])
PY
stop_serve "$pid"
pass "config file: alb_headers per target (verify, passthrough, off)"

done_testing
