# mtlskit ca end to end: the README workflow (init, internal and external
# client certificates, .pfx, CRL, revoke, new CRL, -v2 re-issue), checked
# with the real openssl binary against RFC 5280, plus the intermediate,
# batch, sign, list and the help of every subcommand.
. "$MTK_SRC/tests/lib/testlib.sh"

for cmd in init issue sign revoke crl list export; do
  expect_status 0 mtlskit-ca "$cmd" --help
  expect_grep "^usage: mtlskit ca $cmd " "$T/out"
done
expect_status 0 mtlskit-ca --help
expect_grep '^  batch|--batch|issue DIR NAME' "$T/out"
pass "--help for every subcommand"

CA=$T/webservicename-ca
export PFX_PASSWORD='pfx pass'
O=/C=JP/ST=Osaka/L=Osaka/O=webservicename
expect_status 0 mtlskit-ca init "$CA" --subject "$O/CN=webservicename Root CA" \
  --key-type rsa4096 --days 3650
for f in openssl.cnf index.txt index.txt.attr serial crlnumber \
  private/ca.key.pem certs/ca.cert.pem; do
  [ -f "$CA/$f" ] || fail "init did not write $f"
done
for d in certs crl newcerts private csr; do
  [ -d "$CA/$d" ] || fail "init did not make $d/"
done
[ "$(stat -c %a "$CA/private/ca.key.pem")" = 600 ] || fail "CA key not 0600"
expect_grep '^unique_subject = no$' "$CA/index.txt.attr"
expect_grep '^1000$' "$CA/serial"
openssl x509 -in "$CA/certs/ca.cert.pem" -noout -text >"$T/ca.txt"
expect_grep 'Public-Key: \(4096 bit\)' "$T/ca.txt"
grep -A1 'X509v3 Basic Constraints: critical' "$T/ca.txt" |
  grep -q 'CA:TRUE, pathlen:0' || fail "root basicConstraints"
grep -A1 'X509v3 Key Usage: critical' "$T/ca.txt" |
  grep -q 'Digital Signature, Certificate Sign, CRL Sign' || fail "root KU"
expect_grep 'X509v3 Subject Key Identifier' "$T/ca.txt"
expect_grep 'X509v3 Authority Key Identifier' "$T/ca.txt"
expect_no_grep 'Extended Key Usage' "$T/ca.txt"
pass "init: layout, RSA-4096 root with critical CA:true pathlen:0 and KU"

expect_status 0 mtlskit-ca issue "$CA" client-internal \
  --subject "$O/OU=Internal Client/CN=internal.user" --days 3650 \
  --p12 "$T/internal.user.pfx" --p12-password env:PFX_PASSWORD
expect_grep '^issued client-internal serial [0-9A-F]{32} not after ' "$T/out"
expect_status 0 mtlskit-ca issue "$CA" client-external \
  --subject "$O/OU=External Client/CN=external.user" --days 185 \
  --key-type rsa2048
for f in private/client-internal.key.pem csr/client-internal.csr.pem \
  certs/client-internal.cert.pem; do
  [ -f "$CA/$f" ] || fail "issue did not write $f"
done
[ "$(stat -c %a "$CA/private/client-internal.key.pem")" = 600 ] ||
  fail "leaf key not 0600"
serial=$(openssl x509 -in "$CA/certs/client-internal.cert.pem" -noout -serial |
  cut -d= -f2)
[ -f "$CA/newcerts/$serial.pem" ] || fail "newcerts/$serial.pem missing"
cmp -s "$CA/newcerts/$serial.pem" "$CA/certs/client-internal.cert.pem" ||
  fail "newcerts copy differs"
openssl req -in "$CA/csr/client-internal.csr.pem" -noout -verify 2>&1 |
  grep -q 'verify OK' || fail "CSR does not verify"
[ "$(wc -l <"$CA/index.txt")" -eq 2 ] || fail "index.txt should have 2 lines"
expect_grep "^V	[0-9]{12}Z		$serial	unknown	$O/OU=Internal Client/CN=internal.user\$" \
  "$CA/index.txt"
pass "issue: key 0600, CSR, cert, newcerts/SERIAL.pem, index line as openssl writes it"

for name in client-internal client-external; do
  c=$CA/certs/$name.cert.pem
  openssl x509 -in "$c" -noout -text >"$T/leaf.txt"
  s=$(openssl x509 -in "$c" -noout -serial | cut -d= -f2)
  [ ${#s} -ge 16 ] && [ ${#s} -le 40 ] || fail "$name serial length ${#s}"
  case $s in [0-7]*) ;; *) fail "$name serial $s has the top bit set" ;; esac
  grep -A1 'X509v3 Basic Constraints: critical' "$T/leaf.txt" |
    grep -q 'CA:FALSE' || fail "$name basicConstraints"
  grep -A1 'X509v3 Extended Key Usage' "$T/leaf.txt" |
    grep -q 'TLS Web Client Authentication' || fail "$name EKU"
  expect_grep 'X509v3 Key Usage: critical' "$T/leaf.txt"
  expect_grep 'X509v3 Subject Key Identifier' "$T/leaf.txt"
  expect_grep 'X509v3 Authority Key Identifier' "$T/leaf.txt"
  expect_grep 'Signature Algorithm: sha256WithRSAEncryption' "$T/leaf.txt"
done
grep -A1 'X509v3 Key Usage: critical' "$T/leaf.txt" |
  grep -q 'Digital Signature, Non Repudiation, Key Encipherment' ||
  fail "RSA client KU"
openssl x509 -in "$CA/certs/client-external.cert.pem" -noout -enddate \
  >"$T/end"
grep -q "$(date -u -d '+185 days' '+%b %e') .* $(date -u -d '+185 days' +%Y) GMT" \
  "$T/end" || fail "external cert should end in 185 days: $(cat "$T/end")"
pass "leaves: random positive serial of 8-20 octets, critical CA:FALSE, KU, EKU clientAuth, SKI, AKI"

openssl pkcs12 -in "$T/internal.user.pfx" -passin env:PFX_PASSWORD -info \
  -noout >"$T/p12" 2>&1 || { cat "$T/p12"; fail "openssl cannot open the pfx"; }
expect_grep '^MAC: sha1, Iteration 2048' "$T/p12"
expect_grep 'PKCS7 Encrypted data: pbeWithSHA1And3-KeyTripleDES-CBC, Iteration 2048' "$T/p12"
expect_grep 'Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC, Iteration 2048' "$T/p12"
[ "$(grep -c '^Certificate bag' "$T/p12")" -eq 2 ] || fail "pfx: leaf + CA"
openssl pkcs12 -in "$T/internal.user.pfx" -passin env:PFX_PASSWORD -nodes \
  -nocerts 2>/dev/null | openssl pkey -pubout >"$T/p12.pub"
openssl pkey -in "$CA/private/client-internal.key.pem" -pubout >"$T/key.pub"
cmp -s "$T/p12.pub" "$T/key.pub" || fail "pfx key differs"
expect_status 0 mtlskit-ca export "$CA" client-internal --p12 "$T/modern.pfx" \
  --p12-profile modern --p12-password env:PFX_PASSWORD
openssl pkcs12 -in "$T/modern.pfx" -passin env:PFX_PASSWORD -info -noout \
  >"$T/p12m" 2>&1 || { cat "$T/p12m"; fail "openssl cannot open modern"; }
expect_grep '^MAC: sha256, Iteration 2048' "$T/p12m"
expect_grep 'PKCS7 Encrypted data: PBES2, PBKDF2, AES-256-CBC, Iteration 2048, PRF hmacWithSHA256' "$T/p12m"
expect_grep 'Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC, Iteration 2048, PRF hmacWithSHA256' "$T/p12m"
expect_status 1 openssl pkcs12 -in "$T/modern.pfx" -passin pass:wrong -noout
[ "$(stat -c %a "$T/modern.pfx")" = 600 ] || fail "pfx not 0600"
pass "PKCS#12: compat = 3DES + SHA-1 MAC, modern = PBES2 AES-256 + SHA-256, both open in OpenSSL 3 without -legacy"

expect_status 0 mtlskit-ca crl "$CA"
expect_grep "^wrote $(cd "$CA" && pwd)/crl/ca.crl.pem: CRL number 1000, 0 revoked" "$T/out"
openssl crl -in "$CA/crl/ca.crl.pem" -noout -text >"$T/crl.txt"
expect_grep 'Version 2 \(0x1\)' "$T/crl.txt"
expect_grep 'X509v3 Authority Key Identifier' "$T/crl.txt"
expect_grep 'Next Update: ' "$T/crl.txt"
expect_grep 'No Revoked Certificates' "$T/crl.txt"
openssl asn1parse -in "$CA/crl/ca.crl.pem" >"$T/crl.asn1"
expect_no_grep 'l= *0 cons: SEQUENCE' "$T/crl.asn1"
[ "$(openssl crl -in "$CA/crl/ca.crl.pem" -noout -crlnumber)" = crlNumber=0x1000 ] ||
  fail "first CRL number"
cat "$CA/certs/ca.cert.pem" "$CA/crl/ca.crl.pem" >"$T/trust+crl.pem"
expect_status 0 openssl verify -crl_check -CAfile "$T/trust+crl.pem" \
  "$CA/certs/client-internal.cert.pem" "$CA/certs/client-external.cert.pem"
pass "empty CRL: v2, AKI, nextUpdate, CRLNumber 0x1000, no revokedCertificates; both certs verify"

expect_status 0 mtlskit-ca revoke "$CA" client-external --reason keyCompromise
expect_grep '^R	[0-9]{12}Z	[0-9]{12}Z,keyCompromise	' "$CA/index.txt"
expect_status 0 mtlskit-ca crl "$CA" --days 7
expect_grep 'CRL number 1001, 1 revoked' "$T/out"
[ "$(openssl crl -in "$CA/crl/ca.crl.pem" -noout -crlnumber)" = crlNumber=0x1001 ] ||
  fail "CRL number did not increase"
openssl crl -in "$CA/crl/ca.crl.pem" -noout -text >"$T/crl.txt"
expect_grep 'Key Compromise' "$T/crl.txt"
cat "$CA/certs/ca.cert.pem" "$CA/crl/ca.crl.pem" >"$T/trust+crl.pem"
expect_status 2 openssl verify -crl_check -CAfile "$T/trust+crl.pem" \
  "$CA/certs/client-external.cert.pem"
expect_grep 'certificate revoked' "$T/err"
expect_status 0 openssl verify -crl_check -CAfile "$T/trust+crl.pem" \
  "$CA/certs/client-internal.cert.pem"
pass "revoke + CRL: reason code, CRLNumber increments, revoked cert fails 'certificate revoked'"

# A revoked certificate is not exported as a .pfx without being asked to:
# one line that says why and names the way out, exit 2, nothing written.
serial=$(openssl x509 -in "$CA/certs/client-external.cert.pem" -noout -serial | cut -d= -f2)
expect_status 2 mtlskit-ca export "$CA" client-external --p12 "$T/revoked.pfx" \
  --p12-password env:PFX_PASSWORD
expect_one_line "$T/err"
expect_grep "certificate 'client-external' \(serial $serial\) is revoked \([0-9]{12}Z,keyCompromise\): give --allow-revoked to export it anyway" "$T/err"
[ ! -e "$T/revoked.pfx" ] || fail "a .pfx was written for a revoked certificate"
expect_status 0 mtlskit-ca export "$CA" client-external --p12 "$T/revoked.pfx" \
  --p12-password env:PFX_PASSWORD --allow-revoked
[ -s "$T/revoked.pfx" ] || fail "--allow-revoked: no .pfx"
expect_status 0 mtlskit-ca init "$T/old-ca" --subject "/O=t/CN=old Root CA"
expect_status 0 mtlskit-ca issue "$T/old-ca" client-old --subject "/O=t/CN=old.user" \
  --not-before 2020-01-01T00:00:00Z --not-after 2020-02-01T00:00:00Z
expect_status 2 mtlskit-ca export "$T/old-ca" client-old --p12 "$T/old.pfx" \
  --p12-password env:PFX_PASSWORD
expect_grep "certificate 'client-old' \(serial [0-9A-F]+\) has expired: give --allow-revoked" "$T/err"
[ ! -e "$T/old.pfx" ] || fail "a .pfx was written for an expired certificate"
pass "export of a revoked or expired certificate: refused (exit 2) unless --allow-revoked"

expect_status 0 mtlskit-ca issue "$CA" client-external-v2 \
  --subject "$O/OU=External Client/CN=external.user" --days 185
expect_status 0 openssl verify -crl_check -CAfile "$T/trust+crl.pem" \
  "$CA/certs/client-external-v2.cert.pem"
[ "$(grep -c 'CN=external.user$' "$CA/index.txt")" -eq 2 ] ||
  fail "re-issue should add a second line for the subject"
pass "re-issue of a revoked subject (client-external-v2)"

# A notAfter in 2050 or later is GeneralizedTime; before, UTCTime.
expect_status 0 mtlskit-ca issue "$CA" far --subject /CN=far \
  --not-before 2049-12-31T23:59:59Z --not-after 2050-01-01T00:00:00Z
openssl asn1parse -in "$CA/certs/far.cert.pem" >"$T/far.asn1"
expect_grep 'UTCTIME +:491231235959Z' "$T/far.asn1"
expect_grep 'GENERALIZEDTIME +:20500101000000Z' "$T/far.asn1"
expect_grep '	20500101000000Z		' "$CA/index.txt"
pass "UTCTime through 2049, GeneralizedTime from 2050 (cert and index.txt)"

expect_status 0 mtlskit-ca list "$CA"
expect_grep '^revoked +[0-9A-F]+ .* client-external ' "$T/out"
expect_grep '^valid +[0-9A-F]+ .* client-external-v2 ' "$T/out"
expect_status 0 mtlskit-ca list "$CA" --json
python3 - "$T/out" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["schema_version"] == 1
certs = {c["name"]: c for c in doc["certificates"]}
assert certs["client-external"]["status"] == "revoked", certs
assert certs["client-external"]["reason"] == "keyCompromise"
assert certs["client-internal"]["status"] == "valid"
assert certs["client-internal"]["not_before"] and certs["client-internal"]["not_after"]
assert len(doc["certificates"]) == 4
PY
pass "list and list --json"

# Intermediate: root -> intermediate -> leaf, CRLs for both (crl_check_all).
I=$T/two-tier
expect_status 0 mtlskit-ca init "$I" --intermediate --subject "/O=t/CN=t Root CA"
expect_status 0 mtlskit-ca issue "$I/intermediate" dev1 --subject /O=t/CN=dev1
expect_status 0 mtlskit-ca issue "$I/intermediate" dev2 --subject /O=t/CN=dev2
expect_status 0 mtlskit-ca revoke "$I/intermediate" dev2
expect_status 0 mtlskit-ca crl "$I"
expect_status 0 mtlskit-ca crl "$I/intermediate"
expect_status 0 mtlskit-ca export "$I" --truststore "$T/bundle.pem"
[ "$(grep -c 'BEGIN CERTIFICATE' "$T/bundle.pem")" -eq 2 ] || fail "bundle"
openssl crl2pkcs7 -nocrl -certfile "$T/bundle.pem" | openssl pkcs7 -print_certs \
  -noout | grep '^subject' >"$T/order"
head -1 "$T/order" | grep -q 'CN = t Intermediate CA' || fail "intermediate first"
tail -1 "$T/order" | grep -q 'CN = t Root CA' || fail "root last"
openssl x509 -in "$I/intermediate/certs/ca.cert.pem" -noout -text |
  grep -A1 'Basic Constraints: critical' | grep -q 'CA:TRUE, pathlen:0' ||
  fail "intermediate pathlen"
openssl x509 -in "$I/certs/ca.cert.pem" -noout -text |
  grep -A1 'Basic Constraints: critical' | grep -q 'CA:TRUE, pathlen:1' ||
  fail "root pathlen with an intermediate"
cat "$T/bundle.pem" "$I/crl/ca.crl.pem" "$I/intermediate/crl/ca.crl.pem" \
  >"$T/all.pem"
expect_status 0 openssl verify -crl_check_all -CAfile "$T/all.pem" \
  "$I/intermediate/certs/dev1.cert.pem"
expect_status 2 openssl verify -crl_check_all -CAfile "$T/all.pem" \
  "$I/intermediate/certs/dev2.cert.pem"
expect_grep 'certificate revoked' "$T/err"
pass "intermediate: bundle intermediate-then-root, pathlen 1/0, -crl_check_all"

# Batch: one lock, one index write; defaults from the command line.
cat >"$T/batch.txt" <<'B'
# fleet
dev-001 --subject "/O=fleet/CN=dev 001" --san DNS:dev-001.example
dev-002 --subject '/O=fleet/CN=dev 002' --profile server --days 30
dev-003 --subject /O=fleet/CN=dev-003 --key-type rsa2048 --p12 PFX
B
sed -i "s|PFX|$T/dev-003.pfx|" "$T/batch.txt"
expect_status 0 mtlskit-ca issue "$I/intermediate" --batch "$T/batch.txt" \
  --days 90 --p12-password env:PFX_PASSWORD
[ "$(grep -c '^issued dev-' "$T/out")" -eq 3 ] || fail "batch output"
openssl x509 -in "$I/intermediate/certs/dev-002.cert.pem" -noout -text \
  >"$T/d2.txt"
expect_grep 'TLS Web Server Authentication' "$T/d2.txt"
openssl x509 -in "$I/intermediate/certs/dev-001.cert.pem" -noout -ext \
  subjectAltName | grep -q 'DNS:dev-001.example' || fail "batch SAN"
openssl x509 -in "$I/intermediate/certs/dev-001.cert.pem" -noout -enddate |
  grep -q "$(date -u -d '+90 days' '+%b %e')" || fail "batch default --days"
openssl pkcs12 -in "$T/dev-003.pfx" -passin env:PFX_PASSWORD -noout ||
  fail "batch pfx"
[ "$(wc -l <"$I/intermediate/index.txt")" -eq 5 ] || fail "batch index"
pass "batch issuance with per-line options and command-line defaults"

# A batch large enough to run on every core: index in batch order.
for i in $(seq -w 1 60); do
  echo "fleet-$i --subject /O=fleet/CN=fleet-$i"
done >"$T/fleet.txt"
expect_status 0 mtlskit-ca issue "$I/intermediate" --batch "$T/fleet.txt" \
  --key-type ed25519
[ "$(grep -c '^issued fleet-' "$T/out")" -eq 60 ] || fail "fleet output"
grep 'CN=fleet-' "$I/intermediate/index.txt" | sed 's/.*CN=//' >"$T/order"
seq -f 'fleet-%02g' 1 60 | cmp -s - "$T/order" || fail "index not in batch order"
[ "$(cut -f4 "$I/intermediate/index.txt" | sort -u | wc -l)" -eq \
  "$(wc -l <"$I/intermediate/index.txt")" ] || fail "duplicate serial"
expect_status 0 openssl verify -crl_check_all -CAfile "$T/all.pem" \
  "$I/intermediate/certs/fleet-01.cert.pem" "$I/intermediate/certs/fleet-60.cert.pem"
openssl x509 -in "$I/intermediate/certs/fleet-33.cert.pem" -noout -text |
  grep -q 'Public Key Algorithm: ED25519' || fail "ed25519 key"
pass "60-identity batch on every core: batch order, unique serials, verifiable"

# sign: a CSR whose key stays with its owner; subject and SAN copied.
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes \
  -keyout "$T/device.key" -subj "/O=t/CN=device" \
  -addext subjectAltName=DNS:device.example -out "$T/device.csr" 2>/dev/null
expect_status 0 mtlskit-ca sign "$I/intermediate" --csr "$T/device.csr" device
openssl x509 -in "$I/intermediate/certs/device.cert.pem" -noout -text \
  >"$T/dev.txt"
expect_grep 'Subject: O = t, CN = device' "$T/dev.txt"
expect_grep 'DNS:device.example' "$T/dev.txt"
expect_grep 'TLS Web Client Authentication' "$T/dev.txt"
[ ! -e "$I/intermediate/private/device.key.pem" ] || fail "sign wrote a key"
cmp -s "$T/device.csr" "$I/intermediate/csr/device.csr.pem" || fail "csr kept"
expect_status 0 mtlskit-ca sign "$I/intermediate" --csr "$T/device.csr" \
  --subject /CN=override --profile server
expect_grep '^-----BEGIN CERTIFICATE-----' "$T/out"
openssl x509 -in "$T/out" -noout -subject | grep -q 'CN = override' ||
  fail "--subject override"
pass "sign: CSR subject/SAN copied, no key written; anonymous sign prints PEM"

# The front-end's demo runs these very commands.
expect_status 0 mtlskit demo
expect_grep '^\$ mtlskit ca list ' "$T/out"
expect_grep 'client-external-v2' "$T/out"
rm -rf "$(sed -n 's/^Everything the demo made is in //p' "$T/out")"
pass "mtlskit demo"

done_testing
