# mtlskit loadgen --identities takes the directories the other commands
# make: a fixture set (its defect-free, default-trust cases) and a CA
# directory (its valid certificates with their keys, revoked and expired
# ones left out), not only a folder of NAME.crt/NAME.key; a PKCS#12 file
# opened with the wrong password, or none, names --p12-password. Against
# `mtlskit serve --profile alb-verify` on 127.0.0.1, which refuses any
# identity its trust store and CRL do not accept, so every connection
# succeeding shows that only good identities were used.
. "$MTK_SRC/tests/lib/testlib.sh"
. "$MTK_SRC/tests/integration/serve_common.sh"

F="$T/fx"
expect_status 0 mtlskit fixtures "$F" --quiet \
  --only ok-root-leaf,ok-int-chain,expired-1s,revoked-keycompromise,unknown-ca
start_serve fx --cert "$F/server/server.cert.pem" \
  --key "$F/server/server.key.pem" --truststore "$F/trust/root.pem" \
  --crl "$F/crl/default.pem" --profile alb-verify
expect_status 0 mtlskit loadgen --identities "$F" --cacert "$F/trust/root.pem" \
  --sni localhost --connections 8 --json "https://127.0.0.1:$SERVE_PORT/"
expect_grep 'identities '"$F"': 2 valid cases of the fixture set \(3 cases with defects or another trust left out\)' "$T/err"
python3 - "$T/out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["config"]["identities"] == 2, d["config"]
assert [(o["outcome"], o["count"]) for o in d["outcomes"]] == [("http 200", 8)], d["outcomes"]
PY
pass "--identities FIXTURE-SET: its 2 valid cases, 8 x http 200"

CA="$T/ca"
mtlskit-ca init "$CA" --subject "/O=t/CN=lg Root CA" >/dev/null
for n in a b c; do mtlskit-ca issue "$CA" "$n" --subject "/O=t/CN=$n" >/dev/null; done
mtlskit-ca issue "$CA" old --subject /O=t/CN=old --not-before 2020-01-01T00:00:00Z \
  --not-after 2020-02-01T00:00:00Z >/dev/null
mtlskit-ca revoke "$CA" b >/dev/null
mtlskit-ca crl "$CA" >/dev/null
start_serve ca --cert "$F/server/server.cert.pem" \
  --key "$F/server/server.key.pem" --truststore "$CA/certs/ca.cert.pem" \
  --crl "$CA/crl/ca.crl.pem" --profile alb-verify
expect_status 0 mtlskit loadgen --identities "$CA" --cacert "$F/trust/root.pem" \
  --sni localhost --connections 6 --json "https://127.0.0.1:$SERVE_PORT/"
expect_grep 'identities '"$CA"': 2 certificates of the CA directory \(2 revoked, expired or without a key left out\)' "$T/err"
python3 - "$T/out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["config"]["identities"] == 2, d["config"]
assert [(o["outcome"], o["count"]) for o in d["outcomes"]] == [("http 200", 6)], d["outcomes"]
PY
pass "--identities CA-DIR: a and c (b revoked, old expired), 6 x http 200"

expect_status 3 mtlskit loadgen --p12 "$F/cases/ok-root-leaf/identity.p12" \
  --cacert "$F/trust/root.pem" --connections 1 "https://127.0.0.1:$SERVE_PORT/"
expect_one_line "$T/err"
expect_grep 'identity.p12: wrong PKCS#12 password \(none was given: use --p12-password SRC' "$T/err"
PW=nope expect_status 3 mtlskit loadgen --p12 "$F/cases/ok-root-leaf/identity.p12" \
  --p12-password env:PW --cacert "$F/trust/root.pem" --connections 1 \
  "https://127.0.0.1:$SERVE_PORT/"
expect_grep 'wrong PKCS#12 password \(check --p12-password\)' "$T/err"
pass "a wrong or missing PKCS#12 password names --p12-password"
done_testing
