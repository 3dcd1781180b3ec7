# mtlskit probe --record-profile: the catalogue against a real nginx
# (Debian's, `ssl_verify_client on` with every CA's CRL) written as a
# profile; probing the same nginx with it meets every case; an nginx whose
# only difference is a missing ssl_crl fails exactly the revoked cases.
. "$MTK_SRC/tests/lib/testlib.sh"
. "$MTK_SRC/tests/lib/servers.sh"

F="$T/fx"
mtlskit fixtures "$F" --quiet
common="
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_certificate $F/server/server.cert.pem;
    ssl_certificate_key $F/server/server.key.pem;
    ssl_client_certificate $F/trust/root.pem;
    ssl_verify_depth 2;
    ssl_verify_client on;
    location / { return 200 \"ok\n\"; }"
p_crl=$(free_port)
start_nginx crl "$p_crl" "$common
    ssl_crl $F/crl/default.pem;"
p_nocrl=$(free_port)
start_nginx nocrl "$p_nocrl" "$common"

for tls in 1.3 1.2; do
  rec="$T/lab-nginx-$tls.json"
  expect_status 0 mtlskit probe --fixtures "$F" --record-profile "$rec" \
    --cacert "$F/trust/root.pem" --tls "$tls" --timeout 10s \
    "https://127.0.0.1:$p_crl/"
  expect_grep "recorded profile lab-nginx-$tls in $rec" "$T/err"
  [ "$(jq -r .recorded.tls "$rec")" = "$tls" ] || fail "recorded TLS version"
  [ "$(jq -r .recorded.target "$rec")" = "https://127.0.0.1:$p_crl/" ] ||
    fail "recorded target"
  jq -e '[.cells[].basis] | all(. == "O")' "$rec" >/dev/null ||
    fail "a recorded cell is not basis O"
  jq -e '.cells.revoked.expect == "http 400"' "$rec" >/dev/null ||
    fail "revoked: $(jq -c .cells.revoked "$rec")"
  pass "TLS $tls: recorded $(jq '.cells | length' "$rec") cells"

  # The recorded behaviour holds against the endpoint it came from.
  expect_status 0 mtlskit probe --fixtures "$F" --profile "$rec" \
    --cacert "$F/trust/root.pem" --tls "$tls" --timeout 10s \
    "https://127.0.0.1:$p_crl/"
  expect_grep '^[0-9]+ met, 0 not met, 0 unspecified' "$T/out"
  pass "TLS $tls: the recorded profile is met by the nginx it came from"

  # Without ssl_crl: exactly the revoked cases are not met.
  expect_status 1 mtlskit probe --fixtures "$F" --profile "$rec" --json \
    --cacert "$F/trust/root.pem" --tls "$tls" --timeout 10s \
    "https://127.0.0.1:$p_nocrl/"
  jq -r '.targets[].results[] | select(.result == "not-met") | .case' \
    "$T/out" | sort >"$T/not-met"
  jq -r '.cases[] | select(.trust == "default" and
      (.defects | index("revoked"))) | .name' "$F/manifest.json" |
    sort >"$T/revoked"
  [ -s "$T/revoked" ] || fail "no revoked case in the catalogue"
  diff "$T/revoked" "$T/not-met" >&2 ||
    fail "TLS $tls: not-met cases differ from the revoked ones"
  pass "TLS $tls: without ssl_crl exactly $(wc -l <"$T/revoked") revoked cases are not met"
done

# A record needs one target whose every case ended in an outcome.
expect_status 2 mtlskit probe --fixtures "$F" --record-profile "$T/x.json" \
  "https://127.0.0.1:$p_crl/" "https://127.0.0.1:$p_nocrl/"
expect_grep 'needs exactly one target' "$T/err"
pass "--record-profile refuses two targets"

done_testing
