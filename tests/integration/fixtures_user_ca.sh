# mtlskit fixtures DIR --ca CADIR: the catalogue issued
# under a user's own CA. The CA's directory is only read (byte for byte
# unchanged, its key never copied); the manifest records it; lint and the
# probe work unchanged; and the set passes the probe against a real nginx
# that trusts only that CA (its own certificate file) and holds the set's
# CRLs. Cases needing more CAs below it than its pathLenConstraint allows
# are left out and named.
. "$MTK_SRC/tests/lib/testlib.sh"
. "$MTK_SRC/tests/lib/servers.sh"

CA="$T/corp"
F="$T/fx"
# A root with room for one CA below it (init --intermediate: pathlen 1),
# one identity of its own, revoked.
expect_status 0 mtlskit ca init "$CA" --intermediate --subject "/O=corp/CN=Corp Root CA"
expect_status 0 mtlskit ca issue "$CA" staff --subject /O=corp/CN=staff
expect_status 0 mtlskit ca revoke "$CA" staff --reason superseded
staff_serial=$(openssl x509 -in "$CA/certs/staff.cert.pem" -noout -serial | cut -d= -f2)
before=$(tree_digest "$CA")

expect_status 0 mtlskit fixtures "$F" --ca "$CA"
expect_grep "^mtlskit fixtures: warning: --ca $CA allows 1 CA below it \(pathLenConstraint\): left out pathlen-violated chain-too-deep$" "$T/err"
[ "$(tree_digest "$CA")" = "$before" ] || fail "fixtures --ca changed the CA directory"
! grep -rqF "$(sed -n 2p "$CA/private/ca.key.pem")" "$F" || fail "the CA's key was copied into the set"
[ ! -e "$F/ca/root.key.pem" ] || fail "ca/root.key.pem exists"
M="$F/manifest.json"
[ "$(jq -r .options.ca_dir "$M")" = "$CA" ] || fail "options.ca_dir: $(jq -r .options.ca_dir "$M")"
[ "$(jq -c '.cas[] | select(.name == "root") | [.key, .ca_dir]' "$M")" = "[null,\"$CA\"]" ] ||
  fail "manifest root entry: $(jq -c '.cas[0]' "$M")"
[ "$(jq -c .excluded "$M")" = '["pathlen-violated","chain-too-deep"]' ] || fail "excluded: $(jq -c .excluded "$M")"
jq -e '.cases[] | select(.name == "ok-int-chain")' "$M" >/dev/null || fail "ok-int-chain missing"
cmp -s <(openssl x509 -in "$CA/certs/ca.cert.pem" -outform der) \
  <(openssl x509 -in "$F/ca/root.cert.pem" -outform der) || fail "the set's root is not the CA"
pass "the catalogue is issued under the user's CA; the CA is untouched and recorded"

# The root's CRL is a complete CRL of that CA: its own revocation and the
# set's, signed by it.
openssl crl -in "$F/crl/root.crl.pem" -noout -text >"$T/crl.txt"
expect_grep "Serial Number: $staff_serial" "$T/crl.txt"
for c in revoked-keycompromise revoked-superseded revoked-no-reason; do
  s=$(jq -r --arg c "$c" '.cases[] | select(.name == $c) | .serial' "$M")
  expect_grep "Serial Number: $s" "$T/crl.txt"
done
openssl crl -in "$F/crl/root.crl.pem" -CAfile "$CA/certs/ca.cert.pem" -noout 2>&1 |
  grep -q 'verify OK' || fail "the root CRL is not signed by the CA"
# The strict verdicts hold with the CA's own certificate as the anchor.
for c in ok-root-leaf ok-int-chain revoked-int-cessation expired-1s unknown-ca; do
  want=$(jq -r --arg c "$c" '.cases[] | select(.name == $c) | .verdict.strict' "$M")
  st=0
  mtlskit verify --platform strict --truststore "$CA/certs/ca.cert.pem" \
    --crl "$F/crl/default.pem" "$F/cases/$c/cert.pem" >"$T/v" 2>&1 || st=$?
  case $want in
    accept) [ "$st" -eq 0 ] || { cat "$T/v"; fail "$c: verify exit $st, want accept"; } ;;
    reject) [ "$st" -eq 1 ] || { cat "$T/v"; fail "$c: verify exit $st, want reject"; } ;;
  esac
done
expect_status 0 mtlskit lint truststore --platform nginx "$F/trust/root+intermediate.pem" \
  --crl "$F/crl/root.crl.pem" --crl "$F/crl/intermediate.crl.pem"
pass "the CA's CRL lists its own revocations and the set's; verify and lint work unchanged"

# --- the probe against nginx trusting only that CA --------------------------------
port=$(free_port)
start_nginx userca "$port" "
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_certificate $F/server/server.cert.pem;
    ssl_certificate_key $F/server/server.key.pem;
    ssl_client_certificate $CA/certs/ca.cert.pem;
    ssl_verify_depth 2;
    ssl_crl $F/crl/default.pem;
    ssl_verify_client on;
    location / { return 200 \"ok\n\"; }"
expect_status 0 mtlskit probe --fixtures "$F" --profile nginx \
  --cacert "$CA/certs/ca.cert.pem" "https://127.0.0.1:$port/"
expect_grep '^ok-int-chain +http 2xx +http 200 +met' "$T/out"
expect_grep '^revoked-keycompromise .* met' "$T/out"
expect_grep '^[0-9]+ met, 0 not met, ' "$T/out"
pass "the set passes the probe against nginx trusting only the user's CA ($(grep -Eo '^[0-9]+ met' "$T/out"))"

# --- refresh: the same CA, nothing to re-upload; a new revocation in the CA
# is a CRL to re-upload -------------------------------------------------------------
expect_status 0 mtlskit fixtures refresh "$F" --check
expect_grep "nothing to re-upload" "$T/out"
[ "$(tree_digest "$CA")" = "$before" ] || fail "refresh changed the CA directory"
expect_status 0 mtlskit ca issue "$CA" temp --subject /O=corp/CN=temp
expect_status 0 mtlskit ca revoke "$CA" temp
expect_status 1 mtlskit fixtures refresh "$F" --check
expect_grep "do not list the set's revocations: re-upload crl/default.pem .*crl/root.crl.pem" "$T/err"
expect_grep "Serial Number: $(openssl x509 -in "$CA/certs/temp.cert.pem" -noout -serial | cut -d= -f2)" \
  <(openssl crl -in "$F/crl/root.crl.pem" -noout -text)
expect_status 2 mtlskit fixtures refresh "$F" --ca "$T/other"
expect_grep "[-]-ca applies to a new set" "$T/err"
pass "refresh reuses the CA; a revocation in it makes --check name the CRLs to re-upload"

# --- a CA with no room below it; an encrypted CA key ---------------------------------
expect_status 0 mtlskit ca init "$T/lone" --subject "/CN=Lone CA"
expect_status 0 mtlskit fixtures "$T/fx-lone" --ca "$T/lone" --quiet
expect_grep "allows 0 CAs below it .*left out ok-int-chain ok-int-trusted-intermediate revoked-int-cessation" "$T/err"
! jq -e '.cases[] | select(.issuer == "intermediate")' "$T/fx-lone/manifest.json" >/dev/null ||
  fail "a case under the intermediate was built under a pathlen-0 CA"
export CA_PW="ca-secret-$$"
expect_status 0 mtlskit ca init "$T/enc" --subject "/CN=Enc CA" --key-password env:CA_PW
expect_status 3 mtlskit fixtures "$T/fx-enc" --ca "$T/enc"
expect_grep "^mtlskit fixtures: error: --ca $T/enc: " "$T/err"
[ ! -e "$T/fx-enc" ] || fail "a failed --ca build left a directory"
expect_status 0 mtlskit fixtures "$T/fx-enc" --ca "$T/enc" --ca-password env:CA_PW --quiet
[ "$(jq -r .options.ca_password_source "$T/fx-enc/manifest.json")" = env:CA_PW ] || fail "ca_password_source"
! grep -rqF "$CA_PW" "$T/fx-enc" || fail "the CA password landed in the set"
expect_status 0 mtlskit fixtures refresh "$T/fx-enc" --quiet
unset CA_PW
expect_status 2 mtlskit fixtures refresh "$T/fx-enc" --quiet
expect_grep "CA_PW" "$T/err"
expect_status 3 mtlskit fixtures "$T/fx-none" --ca "$T/no-such-ca"
expect_grep "no-such-ca" "$T/err"
pass "pathlen-0 CAs leave the deeper cases out; encrypted CA keys take --ca-password"

done_testing
