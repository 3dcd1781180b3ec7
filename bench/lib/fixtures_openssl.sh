# The same fixture set as `mtlskit fixtures`, built the way users script it
# today: one openssl process per key, request, certificate, CRL and
# PKCS#12. Same counts and key types: 11 CA certificates, a server
# certificate, 36 client certificates (RSA-2048, RSA-4096, RSA-1024, P-384
# and Ed25519 where mtlskit uses them, P-256 elsewhere), a compat PKCS#12
# per client, and 23 CRLs (current and expired per CA, one wrong signer).
# With P256_ONLY=1 the key-type cases that are not P-256 are left out, as
# `mtlskit fixtures --exclude` leaves them out on the other side.
# Usage: bash fixtures_openssl.sh OUTDIR
set -euo pipefail
out=$1
p256_only=${P256_ONLY:-0}
mkdir -p "$out"/{ca,cases,crl,server}
cd "$out"

key() {  # key FILE TYPE
  case $2 in
    p256) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" ;;
    p384) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$1" ;;
    ed25519) openssl genpkey -algorithm ED25519 -out "$1" ;;
    rsa*) openssl genpkey -algorithm RSA -pkeyopt "rsa_keygen_bits:${2#rsa}" -out "$1" ;;
  esac 2>/dev/null
}

ca_ext=$'basicConstraints=critical,CA:true\nkeyUsage=critical,digitalSignature,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid'
client_ext=$'basicConstraints=critical,CA:false\nkeyUsage=critical,digitalSignature,nonRepudiation\nextendedKeyUsage=clientAuth\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid'
server_ext=$'basicConstraints=critical,CA:false\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1'
printf '%s\n' "$ca_ext" >ca.ext
printf '%s\n' "$client_ext" >client.ext
printf '%s\n' "$server_ext" >server.ext

sign() {  # sign NAME ISSUER EXTFILE DIR
  openssl req -new -key "$4/$1.key" -subj "/O=bench/CN=$1" -out "$4/$1.csr" 2>/dev/null
  openssl x509 -req -in "$4/$1.csr" -CA "ca/$2.pem" -CAkey "ca/$2.key" \
    -set_serial "0x$(openssl rand -hex 16)" -days 365 -extfile "$3" \
    -out "$4/$1.pem" 2>/dev/null
}

for root in root wrong-root; do
  key "ca/$root.key" p256
  openssl req -x509 -key "ca/$root.key" -subj "/O=bench/CN=$root" -days 3650 \
    -addext "basicConstraints=critical,CA:true" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" -out "ca/$root.pem" 2>/dev/null
done
for pair in intermediate:root int-expired:root int-serverauth:root \
  not-a-ca:root below-pathlen0:intermediate deep1:root deep2:deep1 \
  deep3:deep2 deep4:deep3; do
  name=${pair%%:*}
  key "ca/$name.key" p256
  sign "$name" "${pair#*:}" ca.ext ca
done
key server/server.key p256
sign server root server.ext server

cases=(ok-root-leaf:root:p256 ok-int-chain:intermediate:p256
  ok-int-trusted-intermediate:intermediate:p256 ok-keytype-rsa2048:root:rsa2048
  ok-keytype-rsa4096:root:rsa4096 ok-keytype-p256:root:p256
  ok-keytype-p384:root:p384 ok-keytype-ed25519:root:ed25519
  expired-1s:root:p256 expired-1y:root:p256 not-yet-valid:root:p256
  validity-ends-now:root:p256 revoked-keycompromise:root:p256
  revoked-superseded:root:p256 revoked-no-reason:root:p256
  revoked-int-cessation:intermediate:p256 unknown-ca:wrong-root:p256
  self-signed:root:p256 eku-server-only:root:p256 eku-missing:root:p256
  eku-any-only:root:p256 missing-intermediate:intermediate:p256
  intermediate-expired:int-expired:p256
  intermediate-eku-server-only:int-serverauth:p256 issuer-not-ca:not-a-ca:p256
  pathlen-violated:below-pathlen0:p256 chain-too-deep:deep4:p256
  leaf-is-ca:root:p256 unknown-critical-extension:root:p256
  bad-signature:root:p256 sha1-signature:root:p256
  weak-key-rsa1024:root:rsa1024 oversized:root:p256 crl-expired:root:p256
  crl-wrong-signer:intermediate:p256 crl-missing-intermediate:intermediate:p256)
for c in "${cases[@]}"; do
  IFS=: read -r name issuer type <<<"$c"
  if [ "$p256_only" = 1 ] && [ "$type" != p256 ]; then continue; fi
  key "cases/$name.key" "$type"
  sign "$name" "$issuer" client.ext cases
  openssl pkcs12 -export -in "cases/$name.pem" -inkey "cases/$name.key" \
    -certpbe PBE-SHA1-3DES -keypbe PBE-SHA1-3DES -macalg sha1 \
    -passout pass:mtlskit -out "cases/$name.p12" 2>/dev/null
done

crl() {  # crl CA-NAME SIGNER OUT
  local db="crl/db-$1"
  mkdir -p "$db"
  [ -f "$db/index.txt" ] || : >"$db/index.txt"
  [ -f "$db/crlnumber" ] || echo 01 >"$db/crlnumber"
  printf '[ca]\ndefault_ca=d\n[d]\ndatabase=%s/index.txt\ncrlnumber=%s/crlnumber\ndefault_md=sha256\ndefault_crl_days=30\n' \
    "$db" "$db" >"$db/ca.cnf"
  openssl ca -config "$db/ca.cnf" -gencrl -keyfile "ca/$2.key" \
    -cert "ca/$1.pem" -out "$3" 2>/dev/null
}
for ca in root intermediate wrong-root int-expired int-serverauth not-a-ca \
  below-pathlen0 deep1 deep2 deep3 deep4; do
  crl "$ca" "$ca" "crl/$ca.crl.pem"
  crl "$ca" "$ca" "crl/$ca-expired.crl.pem"
done
# The wrong-signer CRL: the intermediate's name, the untrusted root's key
# (openssl ca refuses a key that does not match -cert, so a stand-in
# certificate with that name and key signs it).
openssl req -x509 -key ca/wrong-root.key -subj "/O=bench/CN=intermediate" \
  -days 30 -out ca/intermediate-wrong.pem 2>/dev/null
crl intermediate-wrong wrong-root crl/intermediate-wrong-signer.crl.pem
