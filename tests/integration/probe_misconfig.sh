# mtlskit probe catches misconfigured servers: each deliberately wrong
# nginx makes the probe exit 1 and name exactly the cases that failed.
. "$MTK_SRC/tests/lib/testlib.sh"
. "$MTK_SRC/tests/lib/servers.sh"
. "$MTK_SRC/tests/lib/probe_pki.sh"

F="$T/fx"
probe_pki "$F"

tls_base="
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_certificate $F/server/server.cert.pem;
    ssl_certificate_key $F/server/server.key.pem;"
ok_location='location / { return 200 "ok\n"; }'

# not_met FILE: the not-met case names in a --json document, sorted, one
# line, space-separated.
not_met() {
  python3 - "$1" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
print(" ".join(sorted(r["case"] for t in doc["targets"]
                      for r in t["results"] if r["result"] == "not-met")))
PY
}

# check_not_met PORT "CASES" WHAT: probe with the nginx profile under both
# TLS versions; exit status 1 and exactly CASES not met.
check_not_met() {
  local port=$1 want=$2 what=$3 tls got
  for tls in 1.2 1.3; do
    expect_status 1 mtlskit probe --fixtures "$F" --profile nginx \
      --cacert "$F/trust/root.pem" --tls "$tls" --timeout 10s --json \
      "https://127.0.0.1:$port/"
    got=$(not_met "$T/out")
    [ "$got" = "$want" ] || fail "$what (TLS $tls): not met '$got', want '$want'"
  done
  pass "$what: exit 1, not met exactly: $want"
}

p=$(free_port)
start_nginx no-crl "$p" "$tls_base
    ssl_client_certificate $F/trust/root.pem;
    ssl_verify_depth 2;
    ssl_verify_client on;
    $ok_location"
check_not_met "$p" "revoked" "nginx without ssl_crl"
# The table says why: the revoked client got in.
expect_status 1 mtlskit probe --fixtures "$F" --profile nginx \
  --cacert "$F/trust/root.pem" --junit "$T/junit.xml" "https://127.0.0.1:$p/"
expect_grep '^revoked +http 400 +http 200 +NOT-MET ' "$T/out"
expect_grep '^10 met, 1 not met, 0 unspecified, 1 skipped, 0 incomplete, 0 error in ' "$T/out"
python3 - "$T/junit.xml" <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
failed = [c for c in root.iter("testcase") if c.find("failure") is not None]
assert [c.get("name") for c in failed] == ["revoked"], failed
f = failed[0].find("failure")
assert f.get("message") == "expected http 400, observed http 200", f.attrib
assert "expected: http 400" in f.text and "observed: http 200" in f.text
PY
pass "nginx without ssl_crl: table row and JUnit failure carry expected vs observed"

p=$(free_port)
start_nginx depth1 "$p" "$tls_base
    ssl_client_certificate $F/trust/root.pem;
    ssl_crl $F/crl/all.crl.pem;
    ssl_verify_client on;
    $ok_location"
check_not_met "$p" "ok-two-intermediates-p256" \
  "nginx with the default ssl_verify_depth 1"

p=$(free_port)
start_nginx wrong-ca "$p" "$tls_base
    ssl_client_certificate $F/trust/other.pem;
    ssl_verify_depth 2;
    ssl_verify_client on;
    $ok_location"
check_not_met "$p" \
  "ok-intermediate-leaf-p256 ok-root-leaf-p256 ok-two-intermediates-p256 unknown-ca" \
  "nginx trusting the wrong CA"

p=$(free_port)
start_nginx no-request "$p" "$tls_base
    $ok_location"
check_not_met "$p" \
  "eku-server-only expired no-certificate not-yet-valid revoked self-signed unknown-ca weak-key-rsa1024" \
  "nginx that never requests a certificate"
# The trace shows the server never sent a CertificateRequest.
python3 - "$T/out" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
assert all(not r["facts"]["cert_requested"] for t in doc["targets"]
           for r in t["results"] if r["result"] != "skipped")
PY
pass "no CertificateRequest seen from a server that does not ask"

done_testing
