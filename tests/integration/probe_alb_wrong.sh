# mtlskit probe --alb-headers against header-echo backends that are not
# mtlskit: a Node https server (tests/servers/alb_echo.js) standing in for
# ALB + echo backend, with header values computed by openssl and Python
# (tests/servers/alb_table.py), not by mtlskit.
#  - done right, in each echo shape (serve-style pairs, httpbin object,
#    raw "Name: value" lines) and with '=' sent as %3D (§1.3's example),
#    the probe exits 0;
#  - passing client-sent X-Amzn-Mtls-* through and formatting the serial
#    with a leading 00 byte, or sending only the leaf in passthrough, or a
#    body without echoed headers: exit 1, and exactly those checks are
#    named for exactly the cases they affect, in --json, the table and
#    --junit.
. "$MTK_SRC/tests/lib/testlib.sh"
. "$MTK_SRC/tests/lib/servers.sh"

F="$T/fx"
# Valid identities (root- and intermediate-issued, RSA and ECDSA keys), an
# expired one and a client without a certificate.
mtlskit fixtures "$F" --quiet \
  --only ok-root-leaf,ok-int-chain,ok-keytype-rsa2048,ok-keytype-rsa4096,ok-keytype-p256,ok-keytype-p384,expired-1y,no-certificate \
  >/dev/null || fail "mtlskit fixtures failed"
python3 "$MTK_SRC/tests/servers/alb_table.py" "$F" >"$T/table.json"
# The '=' check needs a leaf whose base64 ends in padding.
python3 - "$T/table.json" <<'PY' || fail "no fixture leaf with base64 padding"
import json, sys
t = json.load(open(sys.argv[1]))
assert any("=%0A-----END" in e["leaf"] for e in t.values())
PY

# start_echo NAME MODE FORMAT [FAULTS]: sets ECHO_PORT.
start_echo() {
  local name=$1 mode=$2 format=$3 faults=${4:-}
  ECHO_PORT=$(free_port)
  node "$MTK_SRC/tests/servers/alb_echo.js" "$ECHO_PORT" \
    "$F/server/server.key.pem" "$F/server/server.cert.pem" "$T/table.json" \
    "$mode" "$format" "$faults" >"$T/echo-$name.log" 2>&1 &
  local pid=$!
  on_exit "kill $pid 2>/dev/null; wait $pid 2>/dev/null"
  wait_port "$ECHO_PORT" 10
}

# The stand-in accepts every client: ALB verify would refuse these two,
# here only the headers are judged.
accept_all=(--expect 'expired-1y=http 200' --expect 'no-certificate=http 200')

# probe MODE TLS ARGS...: one run against $ECHO_PORT, --json in $T/out.
probe() {
  local mode=$1 tls=$2
  shift 2
  local profile=alb-verify
  [ "$mode" = verify ] || profile=alb-passthrough
  mtlskit probe --fixtures "$F" --profile "$profile" --alb-headers "$mode" \
    --cacert "$F/trust/root.pem" --tls "$tls" --timeout 10s \
    ${accept_all[@]+"${accept_all[@]}"} "$@" "https://127.0.0.1:$ECHO_PORT/"
}

# failures FILE: "case result<TAB>failure<TAB>failure..." per attempt.
failures() {
  python3 - "$1" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
for r in doc["targets"][0]["results"]:
    a = r["alb_headers"]
    assert a["checked"] and r["observed"]["text"] == "http 200", r
    print("\t".join([r["case"] + " " + r["result"]] + a["failures"]))
PY
}

# --- done right: exit 0 in every shape ----------------------------------
for mode in verify passthrough; do
  for format in pairs object lines; do
    start_echo "$mode-$format" "$mode" "$format"
    expect_status 0 probe "$mode" 1.3 --json
    failures "$T/out" >"$T/ok-$mode-$format"
    [ "$(grep -c ' met$' "$T/ok-$mode-$format")" -eq 8 ] ||
      { cat "$T/ok-$mode-$format" >&2; fail "$mode/$format: not 8 cases met"; }
  done
  start_echo "$mode-equals" "$mode" pairs equals-encoded
  expect_status 0 probe "$mode" 1.3 --json
  pass "$mode: pairs, httpbin object and raw lines echoes pass; '=' as %3D is accepted"
done

# --- client headers passed through, serial with a 00 byte ---------------
start_echo forged verify pairs pass-forged,serial-leading-zero
for tls in 1.2 1.3; do
  expect_status 1 probe verify "$tls" --json --junit "$T/forged.xml"
  failures "$T/out" >"$T/forged-$tls"
  python3 - "$T/forged-$tls" "$T/table.json" <<'PY'
import json, sys
serial = {e["case"]: e["serial"] for e in json.load(open(sys.argv[2])).values()}
forged = ["forged X-Amzn-Mtls-Clientcert-Subject reached the backend",
          "forged X-Amzn-Mtls-Clientcert reached the backend"]
seen = 0
for line in open(sys.argv[1]):
    head, *got = line.rstrip("\n").split("\t")
    case, result = head.split(" ")
    want = list(forged)
    if case != "no-certificate":
        want.append("X-Amzn-Mtls-Clientcert-Serial-Number: expected %s, got 00%s"
                    % (serial[case], serial[case]))
    assert result == "not-met" and got == want, (case, got, want)
    seen += 1
assert seen == 8, seen
PY
done
python3 - "$T/forged.xml" <<'PY'
import sys, xml.etree.ElementTree as ET
cases = {tc.get("name"): tc for tc in ET.parse(sys.argv[1]).iter("testcase")}
m = cases["no-certificate"].find("failure").get("message")
assert m == ("ALB headers: forged X-Amzn-Mtls-Clientcert-Subject reached the backend; "
             "forged X-Amzn-Mtls-Clientcert reached the backend"), m
assert "X-Amzn-Mtls-Clientcert-Serial-Number: expected" in cases["ok-int-chain"].find("failure").get("message")
PY
expect_status 1 probe verify 1.3
expect_grep '^ok-root-leaf +http 2xx +http 200 +NOT-MET +ALB headers: forged X-Amzn-Mtls-Clientcert-Subject reached the backend; forged X-Amzn-Mtls-Clientcert reached the backend; X-Amzn-Mtls-Clientcert-Serial-Number: expected [0-9A-F]+, got 00[0-9A-F]+; at http ' "$T/out"
expect_grep '^0 met, 8 not met' "$T/out"
pass "verify: forged headers passed through and a 00-prefixed serial are named, exactly, for every case (TLS 1.2, 1.3; table, json, junit)"

# The forged headers alone, under passthrough.
start_echo forged-pass passthrough lines pass-forged
expect_status 1 probe passthrough 1.3 --json
failures "$T/out" >"$T/forged-pass"
python3 - "$T/forged-pass" <<'PY'
import sys
lines = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
assert len(lines) == 8
for head, *got in lines:
    assert head.endswith(" not-met"), head
    assert got == ["forged X-Amzn-Mtls-Clientcert-Subject reached the backend",
                   "forged X-Amzn-Mtls-Clientcert reached the backend"], (head, got)
PY
pass "passthrough: forged headers in a raw-lines echo are named, the chain still checked"

# --- passthrough with the leaf only ---------------------------------------
start_echo leafonly passthrough pairs chain-leaf-only
expect_status 1 probe passthrough 1.3 --json
failures "$T/out" >"$T/leafonly"
# Only the case that sends an intermediate is wrong; the message says where.
expect_grep $'^ok-int-chain not-met\tX-Amzn-Mtls-Clientcert: differs at byte [0-9]+ of [0-9]+ \\(received [0-9]+\\): expected "\\.\\.\\.-----%0A-----BEGIN%20CERTIFICATE\\.\\.\\.", got "\\.\\.\\.-----%0A"$' "$T/leafonly"
[ "$(grep -c ' met$' "$T/leafonly")" -eq 7 ] || { cat "$T/leafonly" >&2; fail "leaf-only: other cases not met"; }
pass "passthrough: a chain cut to the leaf fails exactly the intermediate-issued case"

# --- no echoed headers -----------------------------------------------------
start_echo none verify none
expect_status 1 probe verify 1.3 --json
failures "$T/out" >"$T/none"
[ "$(grep -c $' not-met\tno echoed request headers in the response body$' "$T/none")" -eq 8 ] ||
  { cat "$T/none" >&2; fail "a body without headers was not reported for every case"; }
pass "a 2xx whose body echoes no headers is reported, not passed"

done_testing
