# Interop, direction (a): a CA directory built by the usual openssl recipe
# (openssl.cnf with [CA_default], v3_ca, v3_client; openssl req -x509;
# openssl ca) is operated by mtlskit ca, and openssl ca keeps working on it
# afterwards. Each tool sees the other's entries.
. "$MTK_SRC/tests/lib/testlib.sh"

CA=$T/webservicename-ca
O=/C=JP/ST=Osaka/L=Osaka/O=webservicename
export ROOT_PASS='root pass'
mkdir -p "$CA"/{certs,crl,newcerts,private,csr}
chmod 700 "$CA/private"
touch "$CA/index.txt"
echo 1000 >"$CA/serial"
echo 1000 >"$CA/crlnumber"
cat >"$CA/openssl.cnf" <<CNF
[ ca ]
default_ca = CA_default

[ CA_default ]
dir               = $CA
certs             = \$dir/certs
crl_dir           = \$dir/crl
new_certs_dir     = \$dir/newcerts
database          = \$dir/index.txt
serial            = \$dir/serial
crlnumber         = \$dir/crlnumber
private_key       = \$dir/private/ca.key.pem
certificate       = \$dir/certs/ca.cert.pem
crl               = \$dir/crl/ca.crl.pem
crl_extensions    = crl_ext
default_crl_days  = 30
default_md        = sha256
name_opt          = ca_default
cert_opt          = ca_default
default_days      = 375
preserve          = no
policy            = policy_strict

[ policy_strict ]
countryName             = match
stateOrProvinceName     = match
organizationName        = match
organizationalUnitName  = optional
commonName              = supplied
emailAddress            = optional

[ req ]
default_bits        = 2048
distinguished_name  = req_distinguished_name
string_mask         = utf8only
default_md          = sha256
x509_extensions     = v3_ca

[ req_distinguished_name ]
commonName = Common Name

[ v3_ca ]
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always,issuer
basicConstraints = critical, CA:true, pathlen:0
keyUsage = critical, digitalSignature, cRLSign, keyCertSign

[ v3_client ]
basicConstraints = critical, CA:FALSE
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid,issuer
keyUsage = critical, nonRepudiation, digitalSignature, keyEncipherment
extendedKeyUsage = clientAuth

[ crl_ext ]
authorityKeyIdentifier=keyid:always
CNF

(
  cd "$CA"
  openssl genrsa -aes256 -passout env:ROOT_PASS -out private/ca.key.pem 4096
  chmod 400 private/ca.key.pem
  openssl req -config openssl.cnf -key private/ca.key.pem -passin env:ROOT_PASS \
    -new -x509 -days 3650 -sha256 -extensions v3_ca \
    -subj "$O/CN=webservicename Root CA" -out certs/ca.cert.pem
  openssl req -new -newkey rsa:2048 -nodes \
    -keyout private/client-internal.key.pem \
    -subj "$O/OU=Internal Client/CN=internal.user" \
    -out csr/client-internal.csr.pem
  openssl ca -batch -config openssl.cnf -passin env:ROOT_PASS \
    -extensions v3_client -days 3650 -notext -md sha256 \
    -in csr/client-internal.csr.pem -out certs/client-internal.cert.pem
) >"$T/recipe.log" 2>&1 || { cat "$T/recipe.log"; fail "openssl recipe"; }
expect_grep '^V	.*	1000	unknown	.*CN=internal.user$' "$CA/index.txt"
pass "openssl recipe CA built (encrypted RSA-4096 root, serial 1000)"

# mtlskit reads the recipe's [CA_default], index, serial and encrypted key.
expect_status 0 mtlskit-ca list "$CA" --json
python3 - "$T/out" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))["certificates"]
assert len(c) == 1 and c[0]["serial"] == "1000" and c[0]["name"] == "client-internal", c
PY
expect_status 0 mtlskit-ca issue "$CA" client-external \
  --subject "$O/OU=External Client/CN=external.user" --days 185 \
  --ca-password env:ROOT_PASS
ext_serial=$(sed -n 's/^issued client-external serial \([0-9A-F]*\) .*/\1/p' "$T/out")
[ -n "$ext_serial" ] || fail "no serial printed"
expect_grep "^V	[0-9]{12}Z		$ext_serial	unknown	$O/OU=External Client/CN=external.user\$" \
  "$CA/index.txt"
[ "$(cat "$CA/serial")" = 1001 ] || fail "mtlskit must not touch serial"
pass "mtlskit issues into the recipe directory (encrypted OpenSSL 3 key, index line)"

# openssl ca sees mtlskit's entry, mtlskit sees openssl's.
(cd "$CA" && openssl ca -config openssl.cnf -passin env:ROOT_PASS \
  -status "$ext_serial") >"$T/status" 2>&1 || true
expect_grep "$ext_serial=Valid" "$T/status"
expect_status 0 mtlskit-ca revoke "$CA" client-internal --reason superseded
expect_grep '^R	.*,superseded	1000	unknown	' "$CA/index.txt"
expect_status 0 mtlskit-ca crl "$CA" --ca-password env:ROOT_PASS
expect_grep 'CRL number 1000, 1 revoked' "$T/out"
(
  cd "$CA"
  openssl ca -config openssl.cnf -passin env:ROOT_PASS \
    -revoke certs/client-external.cert.pem -crl_reason keyCompromise
  openssl ca -config openssl.cnf -passin env:ROOT_PASS -gencrl \
    -out crl/ca.crl.pem
) >"$T/o.log" 2>&1 || { cat "$T/o.log"; fail "openssl ca on the shared db"; }
[ "$(openssl crl -in "$CA/crl/ca.crl.pem" -noout -crlnumber)" = crlNumber=0x1001 ] ||
  fail "openssl did not continue the CRL numbering"
openssl crl -in "$CA/crl/ca.crl.pem" -noout -text >"$T/crl.txt"
expect_grep "Serial Number: 1000" "$T/crl.txt"
expect_grep "Serial Number: $ext_serial" "$T/crl.txt"
cat "$CA/certs/ca.cert.pem" "$CA/crl/ca.crl.pem" >"$T/trust.pem"
for n in client-internal client-external; do
  expect_status 2 openssl verify -crl_check -CAfile "$T/trust.pem" \
    "$CA/certs/$n.cert.pem"
  expect_grep 'certificate revoked' "$T/err"
done
expect_status 0 mtlskit-ca crl "$CA" --ca-password env:ROOT_PASS
expect_grep 'CRL number 1002, 2 revoked' "$T/out"
pass "revocations by either tool land in either tool's CRL; numbering shared"

# unique_subject: openssl wrote index.txt.attr (yes); mtlskit honours it.
expect_grep 'unique_subject = yes' "$CA/index.txt.attr"
expect_status 0 mtlskit-ca issue "$CA" client-external-v2 \
  --subject "$O/OU=External Client/CN=external.user" --days 185 \
  --ca-password env:ROOT_PASS
expect_status 2 mtlskit-ca issue "$CA" client-external-v3 \
  --subject "$O/OU=External Client/CN=external.user" --days 185 \
  --ca-password env:ROOT_PASS
expect_grep 'unique_subject = yes' "$T/err"
cat "$CA/certs/ca.cert.pem" "$CA/crl/ca.crl.pem" >"$T/trust.pem"
expect_status 0 openssl verify -crl_check -CAfile "$T/trust.pem" \
  "$CA/certs/client-external-v2.cert.pem"
pass "re-issue after revocation; a second valid cert for a subject is refused under unique_subject = yes"

# openssl ca still works on the database mtlskit rewrote.
(
  cd "$CA"
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout private/late.key.pem -subj "$O/CN=late.user" -out csr/late.csr.pem
  openssl ca -batch -config openssl.cnf -passin env:ROOT_PASS \
    -extensions v3_client -days 30 -notext -in csr/late.csr.pem \
    -out certs/late.cert.pem
) >"$T/late.log" 2>&1 || { cat "$T/late.log"; fail "openssl ca after mtlskit"; }
expect_grep '^V	.*	1001	unknown	.*CN=late.user$' "$CA/index.txt"
expect_status 0 mtlskit-ca list "$CA"
expect_grep '^valid +1001 .* late ' "$T/out"
[ "$(wc -l <"$CA/index.txt")" -eq 4 ] || fail "index should have 4 entries"
pass "openssl ca keeps working after mtlskit (serial 1001, list sees it)"

done_testing
