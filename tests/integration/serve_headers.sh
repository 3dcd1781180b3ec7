# mtlskit serve, seen with the real curl and openssl s_client on 127.0.0.1:
# the ALB verify headers match the fixture (serial from the manifest,
# RFC 2253 names as openssl prints them, validity, URL-encoded leaf), the
# passthrough header is the URL-encoded chain, forged X-Amzn-Mtls-* headers
# never reach the backend, 403 bodies, keep-alive, CA-name advertisement,
# and the s2n-style close_notify on the wire.
. "$MTK_SRC/tests/lib/testlib.sh"
. "$MTK_SRC/tests/integration/serve_common.sh"

F="$T/fx"
serve_fixtures "$F"
common=(--cert "$F/server/server.cert.pem" --key "$F/server/server.key.pem"
  --truststore "$F/trust/root.pem")

# get CASE URL [CURL ARGS...]: one curl request with the case's identity
# ("none": no certificate); body in $T/body, status in $T/code.
get() {
  local kase=$1 url=$2
  shift 2
  local id=()
  if [ "$kase" != none ]; then
    id=(--cert "$F/cases/$kase/cert.pem" --key "$F/cases/$kase/key.pem")
  fi
  local rc=0
  curl -sS --max-time 20 --cacert "$F/trust/root.pem" ${id[@]+"${id[@]}"} \
    -o "$T/body" -w '%{http_code}' "$@" "$url" >"$T/code" 2>"$T/curl.err" ||
    rc=$?
  echo "$rc" >"$T/curl.rc"
}

forged=(-H 'X-Amzn-Mtls-Clientcert-Subject: CN=forged'
  -H 'x-amzn-mtls-clientcert: forged-chain'
  -H 'X-AMZN-MTLS-CLIENTCERT-SERIAL-NUMBER: 00')

# --- ALB verify: the five headers --------------------------------------
start_serve verify "${common[@]}" --profile alb-verify \
  --crl "$F/crl/default.pem"
verify_pid=$SERVE_PID
# The intermediate-issued case, and a valid case whose PEM has base64
# padding: "=" must stay unencoded (§1.3 "+=/ safe"). Whether a leaf's DER
# length leaves padding depends on its random serial and signature, so
# refresh the set (new serials and signatures, same keys and CAs, which
# serve has loaded) until one does; each refresh fails to pad all of them
# with probability about (1/3)^6.
find_padded() {
  python3 - "$F" <<'PY'
import sys
fx = sys.argv[1]
for c in ("ok-root-leaf", "ok-int-chain", "ok-keytype-p256",
          "ok-keytype-p384", "ok-keytype-rsa2048", "ok-keytype-rsa4096",
          "eku-missing", "leaf-is-ca"):
    pem = open("%s/cases/%s/cert.pem" % (fx, c)).read()
    leaf = pem.split("-----END CERTIFICATE-----")[0]
    if "=" in leaf:
        print(c)
        break
PY
}
padded=$(find_padded)
for attempt in 1 2 3 4 5; do
  [ -z "$padded" ] || break
  mtlskit fixtures refresh "$F" --quiet
  padded=$(find_padded)
done
[ -n "$padded" ] || fail "no valid fixture leaf with base64 padding"
for kase in ok-int-chain "$padded"; do
get "$kase" "https://127.0.0.1:$SERVE_PORT/path?q=1" "${forged[@]}"
[ "$(cat "$T/code")" = 200 ] || { cat "$T/curl.err" >&2; fail "verify: not 200"; }
openssl x509 -in "$F/cases/$kase/cert.pem" -noout -subject \
  -nameopt RFC2253 | sed 's/^subject=//' >"$T/want-subject"
openssl x509 -in "$F/cases/$kase/cert.pem" -noout -issuer \
  -nameopt RFC2253 | sed 's/^issuer=//' >"$T/want-issuer"
python3 - "$T/body" "$F" "$kase" "$T/want-subject" "$T/want-issuer" <<'PY'
import json, re, sys, urllib.parse
body, fx, case, subj_file, iss_file = sys.argv[1:]
doc = json.load(open(body))
assert doc["schema_version"] == 1 and doc["profile"] == "alb-verify", doc
assert doc["method"] == "GET" and doc["target"] == "/path?q=1", doc
headers = doc["headers"]
names = [n.lower() for n, _ in headers]
def one(name):
    vals = [v for n, v in headers if n.lower() == name.lower()]
    assert len(vals) == 1, (name, vals)
    return vals[0]
m = json.load(open(fx + "/manifest.json"))
k = [c for c in m["cases"] if c["name"] == case][0]
assert one("X-Amzn-Mtls-Clientcert-Serial-Number") == k["serial"], k["serial"]
assert re.fullmatch(r"[0-9A-F]+", k["serial"])
want_subject = open(subj_file).read().strip()
want_issuer = open(iss_file).read().strip()
assert one("X-Amzn-Mtls-Clientcert-Subject") == want_subject, want_subject
assert one("X-Amzn-Mtls-Clientcert-Issuer") == want_issuer, want_issuer
assert want_subject.startswith("CN=%s," % case), want_subject
validity = one("X-Amzn-Mtls-Clientcert-Validity")
assert validity == "NotBefore=%s;NotAfter=%s" % (k["not_before"], k["not_after"]), validity
assert re.fullmatch(r"NotBefore=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ;NotAfter=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", validity)
pem = open(fx + "/cases/" + case + "/cert.pem").read()
leaf = re.findall(r"-----BEGIN CERTIFICATE-----\n.*?-----END CERTIFICATE-----\n", pem, re.S)[0]
want_leaf = urllib.parse.quote(leaf, safe="+=/")
assert one("X-Amzn-Mtls-Clientcert-Leaf") == want_leaf
assert one("X-Amzn-Mtls-Clientcert-Leaf").startswith("-----BEGIN%20CERTIFICATE-----%0A")
assert "=" not in leaf or "=%0A-----END%20CERTIFICATE" in one("X-Amzn-Mtls-Clientcert-Leaf")
# Forged client headers are gone; the passthrough header is not a verify one.
assert "x-amzn-mtls-clientcert" not in names, names
assert all(v not in ("CN=forged", "forged-chain", "00") for _, v in headers), headers
assert one("Host").startswith("127.0.0.1:")
PY
done
pass "verify: serial, issuer, subject, validity and leaf match the fixture; forged headers stripped"

# Keep-alive: two requests on one connection, both answered.
curl -sS --max-time 20 --cacert "$F/trust/root.pem" \
  --cert "$F/cases/ok-root-leaf/cert.pem" --key "$F/cases/ok-root-leaf/key.pem" \
  -w '%{http_code}%{num_connects}\n' \
  -o "$T/one" "https://127.0.0.1:$SERVE_PORT/one" \
  -o "$T/two" "https://127.0.0.1:$SERVE_PORT/two" >"$T/codes"
[ "$(tr '\n' ' ' <"$T/codes")" = "2001 2000 " ] ||
  fail "keep-alive: $(cat "$T/codes") (status, new connections)"
expect_grep '"target":"/one"' "$T/one"
expect_grep '"target":"/two"' "$T/two"

# A refused client gets no HTTP response at all (TLS 1.2: in the handshake).
get expired-1y "https://127.0.0.1:$SERVE_PORT/" --tlsv1.2 --tls-max 1.2
[ "$(cat "$T/curl.rc")" = 35 ] || fail "expired, TLS 1.2: curl $(cat "$T/curl.rc"), expected 35"
get none "https://127.0.0.1:$SERVE_PORT/" --tlsv1.3
case $(cat "$T/curl.rc") in 52 | 56) ;; *) fail "no certificate, TLS 1.3: curl $(cat "$T/curl.rc")" ;; esac
stop_serve "$verify_pid"
# One log line per connection, ALB connection-log order (§1.4).
expect_grep '"CN=ok-int-chain,OU=Clients,O=mtlskit fixtures" NotBefore=[^ ]+;NotAfter=[^ ]+ [0-9A-F]+ Success TID_[0-9a-f]+ action=forward http=200 requests=1 ' "$T/serve-verify.log"
expect_grep ' TLSv1.3 [A-Z0-9_]+ [0-9.]+ "CN=ok-root-leaf,[^"]*" .* Success .* requests=2 ' "$T/serve-verify.log"
expect_grep ' TLSv1.2 [A-Z0-9_-]+ - "CN=expired-1y,[^"]*" .* Failed:ClientCertExpired .* action=refuse-tls http=- requests=0 end=refused$' "$T/serve-verify.log"
expect_grep ' "-" - - Failed:UnmappedConnectionError .* action=refuse-tls ' "$T/serve-verify.log"
pass "verify: keep-alive, refusals without HTTP, connection log"

# --- the wire: close_notify, no named alert; CA names on request --------
# Also with --blinding-delay: the refusal is held, then the same close_notify
# (TLS 1.2: a plaintext record after the server's flight was withheld).
for blind in 0 200ms; do
  bargs=()
  [ "$blind" = 0 ] || bargs=(--blinding-delay "$blind")
  start_serve "wire-$blind" "${common[@]}" --profile alb-verify \
    --advertise-ca-names ${bargs[@]+"${bargs[@]}"}
  wire_pid=$SERVE_PID
  for v in tls1_2 tls1_3; do
    printf 'GET / HTTP/1.1\r\nHost: x\r\n\r\n' |
      timeout 20 openssl s_client -connect "127.0.0.1:$SERVE_PORT" -"$v" -msg -ign_eof \
        -CAfile "$F/trust/root.pem" -cert "$F/cases/unknown-ca/cert.pem" \
        -key "$F/cases/unknown-ca/key.pem" >"$T/sclient-$v" 2>&1 || true
    expect_grep '^<<< TLS 1\.[23], Alert \[length 0002\], warning close_notify' "$T/sclient-$v"
    expect_no_grep '^<<< TLS 1\.[23], Alert .*fatal' "$T/sclient-$v"
    expect_no_grep '^HTTP/1' "$T/sclient-$v"
    # TLS 1.2: refused before the server's Finished, so no session.
    [ "$v" = tls1_3 ] || expect_no_grep '^<<< TLS 1\.2, Handshake \[length [0-9a-f]+\], Finished' "$T/sclient-$v"
  done
  grep -A1 '^Acceptable client certificate CA names' "$T/sclient-tls1_3" >"$T/ca-names"
  expect_grep 'CN = mtlskit Fixture Root CA' "$T/ca-names"
  stop_serve "$wire_pid"
  expect_grep ' "CN=unknown-ca,[^"]*" .* Failed:ClientCertUntrusted .* end=refused$' "$T/serve-wire-$blind.log"
done
start_serve noca "${common[@]}" --profile alb-verify
noca_pid=$SERVE_PID
printf '' | timeout 20 openssl s_client -connect "127.0.0.1:$SERVE_PORT" \
  -tls1_3 -CAfile "$F/trust/root.pem" >"$T/sclient-noca" 2>&1 || true
expect_grep '^No client certificate CA names sent' "$T/sclient-noca"
stop_serve "$noca_pid"
pass "wire: warning close_notify, no fatal alert, TLS 1.2 before Finished, with and without blinding; CA names only with --advertise-ca-names"

# --- ALB passthrough: the URL-encoded chain -----------------------------
start_serve pass "${common[@]}" --profile alb-passthrough
pass_pid=$SERVE_PID
get ok-int-chain "https://127.0.0.1:$SERVE_PORT/" "${forged[@]}"
[ "$(cat "$T/code")" = 200 ] || fail "passthrough: not 200"
python3 - "$T/body" "$F/cases/ok-int-chain/cert.pem" <<'PY'
import json, re, sys, urllib.parse
doc = json.load(open(sys.argv[1]))
pem = open(sys.argv[2]).read()
blocks = re.findall(r"-----BEGIN CERTIFICATE-----\n.*?-----END CERTIFICATE-----\n", pem, re.S)
assert len(blocks) == 2, len(blocks)  # leaf, then the intermediate
chain = [v for n, v in doc["headers"] if n.lower() == "x-amzn-mtls-clientcert"]
assert chain == [urllib.parse.quote("".join(blocks), safe="+=/")], chain[:1]
assert chain[0].count("-----BEGIN%20CERTIFICATE-----") == 2
names = [n.lower() for n, _ in doc["headers"]]
assert not [n for n in names if n.startswith("x-amzn-mtls-clientcert-")], names
assert all(v not in ("CN=forged", "forged-chain", "00") for _, v in doc["headers"])
PY
get expired-1y "https://127.0.0.1:$SERVE_PORT/"
[ "$(cat "$T/code")" = 200 ] || fail "passthrough, expired: not 200"
get none "https://127.0.0.1:$SERVE_PORT/" "${forged[@]}"
[ "$(cat "$T/code")" = 200 ] || fail "passthrough, no certificate: not 200"
python3 - "$T/body" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
assert not [n for n, _ in doc["headers"] if n.lower().startswith("x-amzn-mtls-")], doc
PY
stop_serve "$pass_pid"
pass "passthrough: URL-encoded chain leaf first, no verification, forged headers stripped"

# --- API Gateway and Cloudflare 403s ------------------------------------
start_serve apigw "${common[@]}" --profile apigw --crl "$F/crl/default.pem"
apigw_pid=$SERVE_PID
expect_grep 'apigw does not check revocation' "$T/serve-apigw.err"
get unknown-ca "https://127.0.0.1:$SERVE_PORT/"
[ "$(cat "$T/code")" = 403 ] || fail "apigw, unknown CA: not 403"
[ "$(cat "$T/body")" = '{"message":"Forbidden"}' ] || fail "apigw 403 body: $(cat "$T/body")"
get revoked-keycompromise "https://127.0.0.1:$SERVE_PORT/"
[ "$(cat "$T/code")" = 200 ] || fail "apigw, revoked: not 200 (no revocation check)"
stop_serve "$apigw_pid"

start_serve cf "${common[@]}" --profile cloudflare
cf_pid=$SERVE_PID
get none "https://127.0.0.1:$SERVE_PORT/"
[ "$(cat "$T/code")" = 403 ] || fail "cloudflare, no certificate: not 403"
expect_grep '\(NONE\)' "$T/body"
get expired-1y "https://127.0.0.1:$SERVE_PORT/"
[ "$(cat "$T/code")" = 403 ] || fail "cloudflare, expired: not 403"
expect_grep 'FAILED:certificate has expired' "$T/body"
get ok-root-leaf "https://127.0.0.1:$SERVE_PORT/"
[ "$(cat "$T/code")" = 200 ] || fail "cloudflare, valid: not 200"
stop_serve "$cf_pid"
pass "apigw and cloudflare: 403 bodies, apigw ignores CRLs"

done_testing
