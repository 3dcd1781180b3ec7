# Interop, direction (b): `openssl ca -config DIR/openssl.cnf` signs,
# revokes and generates CRLs on directories mtlskit created (root and
# intermediate); the results pass openssl verify -crl_check(_all), and
# mtlskit sees openssl's entries and vice versa.
. "$MTK_SRC/tests/lib/testlib.sh"

CA=$T/ca
expect_status 0 mtlskit-ca init "$CA" --intermediate \
  --subject "/C=JP/O=example/CN=example Root CA" --key-type p384
I=$CA/intermediate
expect_status 0 mtlskit-ca issue "$I" m-user --subject /C=JP/O=example/CN=m.user

osign() { # osign CADIR NAME SUBJECT
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$1/private/$2.key.pem" -subj "$3" -out "$1/csr/$2.csr.pem" \
    2>/dev/null
  (cd "$T" && openssl ca -batch -config "$1/openssl.cnf" -extensions v3_client \
    -days 30 -notext -in "$1/csr/$2.csr.pem" -out "$1/certs/$2.cert.pem") \
    >"$T/osign.log" 2>&1 || { cat "$T/osign.log"; fail "openssl ca -config $1/openssl.cnf"; }
}
osign "$I" o-user "/C=JP/O=example/CN=o.user"
osign "$CA" o-root-user "/C=JP/O=example/CN=o.root.user"
expect_grep '^V	.*	1000	unknown	/C=JP/O=example/CN=o.user$' "$I/index.txt"
openssl x509 -in "$I/certs/o-user.cert.pem" -noout -text >"$T/o.txt"
expect_grep 'TLS Web Client Authentication' "$T/o.txt"
expect_status 0 mtlskit-ca list "$I" --json
python3 - "$T/out" <<'PY'
import json, sys
names = {c["name"]: c for c in json.load(open(sys.argv[1]))["certificates"]}
assert names["o-user"]["serial"] == "1000" and names["o-user"]["status"] == "valid", names
assert names["m-user"]["status"] == "valid"
PY
pass "openssl ca signs with the cnf mtlskit wrote (default_ca, v3_client); mtlskit lists it"

# Revocations by both tools; CRLs by both tools.
(cd "$T" && openssl ca -config "$I/openssl.cnf" \
  -revoke "$I/certs/m-user.cert.pem" -crl_reason cessationOfOperation) \
  >"$T/r.log" 2>&1 || { cat "$T/r.log"; fail "openssl ca -revoke"; }
expect_grep '^R	.*,cessationOfOperation	' "$I/index.txt"
expect_status 2 mtlskit-ca revoke "$I" m-user
expect_grep 'already revoked' "$T/err"
expect_status 0 mtlskit-ca revoke "$I" --serial 1000 --reason keyCompromise
(cd "$T" && openssl ca -config "$I/openssl.cnf" -gencrl \
  -out "$I/crl/ca.crl.pem") >"$T/g.log" 2>&1 || { cat "$T/g.log"; fail "gencrl"; }
openssl crl -in "$I/crl/ca.crl.pem" -noout -text >"$T/crl.txt"
expect_grep 'Key Compromise' "$T/crl.txt"
expect_grep 'Cessation Of Operation' "$T/crl.txt"
[ "$(openssl crl -in "$I/crl/ca.crl.pem" -noout -crlnumber)" = crlNumber=0x1000 ] ||
  fail "openssl gencrl numbering"
expect_status 0 mtlskit-ca crl "$I"
expect_grep 'CRL number 1001, 2 revoked' "$T/out"
expect_status 0 mtlskit-ca crl "$CA"
expect_status 0 mtlskit-ca export "$CA" --truststore "$T/bundle.pem"
cat "$T/bundle.pem" "$CA/crl/ca.crl.pem" "$I/crl/ca.crl.pem" >"$T/all.pem"
for n in m-user o-user; do
  expect_status 2 openssl verify -crl_check_all -CAfile "$T/all.pem" \
    "$I/certs/$n.cert.pem"
  expect_grep 'certificate revoked' "$T/err"
done
expect_status 0 mtlskit-ca issue "$I" m-user-v2 --subject /C=JP/O=example/CN=m.user
expect_status 0 openssl verify -crl_check_all -CAfile "$T/all.pem" \
  "$I/certs/m-user-v2.cert.pem"
expect_status 0 openssl verify -crl_check -CAfile "$T/all.pem" \
  "$CA/certs/o-root-user.cert.pem"
pass "revoke/gencrl by openssl and mtlskit on one database; -crl_check_all"

# Expired entries: openssl ca -updatedb writes E lines, mtlskit reads them.
expect_status 0 mtlskit-ca issue "$I" old --subject /CN=old \
  --not-before 2020-01-01T00:00:00Z --not-after 2020-06-01T00:00:00Z
(cd "$T" && openssl ca -config "$I/openssl.cnf" -updatedb) >"$T/u.log" 2>&1 ||
  { cat "$T/u.log"; fail "updatedb"; }
expect_grep '^E	200601000000Z		' "$I/index.txt"
expect_status 0 mtlskit-ca list "$I"
expect_grep '^expired .* old ' "$T/out"
expect_status 0 mtlskit-ca issue "$I" after-e --subject /CN=after-e
pass "E lines from openssl ca -updatedb"

# A CRL with reason-less and unspecified entries: no reasonCode extension.
expect_status 0 mtlskit-ca revoke "$I" after-e --reason unspecified
expect_grep ',unspecified	' "$I/index.txt"
expect_status 0 mtlskit-ca crl "$I"
s=$(openssl x509 -in "$I/certs/after-e.cert.pem" -noout -serial | cut -d= -f2)
openssl crl -in "$I/crl/ca.crl.pem" -noout -text |
  grep -A3 "Serial Number: $s" >"$T/entry"
expect_no_grep 'Reason' "$T/entry"
pass "no reasonCode for unspecified (RFC 5280 5.3.1)"

done_testing
