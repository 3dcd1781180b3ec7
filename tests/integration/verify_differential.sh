# mtlskit verify --platform nginx|haproxy against the real servers: each
# edge-case chain below (made by openssl commands, the way a private CA
# makes them) is verified offline and presented to a real nginx and a real
# HAProxy trusting the same root, over TLS 1.2 and 1.3 on loopback. The offline
# verdict must be what the server did (docs/verify.md).
. "$MTK_SRC/tests/lib/testlib.sh"
. "$MTK_SRC/tests/lib/servers.sh"

D="$T/ca"
mkdir -p "$D"
cat >"$D/ext.cnf" <<'CNF'
[root]
basicConstraints=critical,CA:true
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash
[int]
basicConstraints=critical,CA:true
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
[int_nc]
basicConstraints=critical,CA:true
keyUsage=critical,keyCertSign,cRLSign
nameConstraints=critical,permitted;DNS:example.com
subjectKeyIdentifier=hash
[int_no_ku]
basicConstraints=critical,CA:true
subjectKeyIdentifier=hash
[int_ku_no_certsign]
basicConstraints=critical,CA:true
keyUsage=critical,digitalSignature,cRLSign
[int_unknown_critical]
basicConstraints=critical,CA:true
keyUsage=critical,keyCertSign,cRLSign
1.3.6.1.4.1.55555.1=critical,ASN1:NULL
[int_eku_server]
basicConstraints=critical,CA:true
keyUsage=critical,keyCertSign,cRLSign
extendedKeyUsage=serverAuth
[int_pathlen0]
basicConstraints=critical,CA:true,pathlen:0
keyUsage=critical,keyCertSign,cRLSign
[leaf]
basicConstraints=CA:false
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth
[leaf_san_outside]
basicConstraints=CA:false
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth
subjectAltName=DNS:client.example.net
[leaf_ca]
basicConstraints=critical,CA:true
keyUsage=critical,digitalSignature,keyCertSign
extendedKeyUsage=clientAuth
[server]
subjectAltName=IP:127.0.0.1
extendedKeyUsage=serverAuth
CNF

# key NAME: a new P-256 key $D/NAME.key.
key() {
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
    -out "$D/$1.key" 2>/dev/null || fail "genpkey $1"
}
# sign NAME SUBJECT ISSUER SECTION: $D/NAME.pem for a new key, issued by
# ISSUER (its .pem and .key) with the extensions of SECTION.
sign() {
  local name=$1 subject=$2 issuer=$3 section=$4
  key "$name"
  openssl req -new -key "$D/$name.key" -subj "$subject" \
    -out "$D/$name.csr" 2>/dev/null || fail "req $name"
  openssl x509 -req -in "$D/$name.csr" -CA "$D/$issuer.pem" \
    -CAkey "$D/$issuer.key" -days 30 -extfile "$D/ext.cnf" \
    -extensions "$section" -out "$D/$name.pem" 2>/dev/null ||
    fail "x509 $name"
}

key root
openssl req -new -key "$D/root.key" -subj /CN=diff-root -out "$D/root.csr" &&
  openssl x509 -req -in "$D/root.csr" -signkey "$D/root.key" -days 30 \
    -extfile "$D/ext.cnf" -extensions root -out "$D/root.pem" 2>/dev/null ||
  fail "root"
sign server /CN=127.0.0.1 root server

# case NAME INT_SECTION LEAF_SECTION LEAF_SUBJECT: a leaf under an
# intermediate, the client's PEM (leaf + intermediate) in $D/NAME.chain.
cases=()
case_of() {
  local name=$1 int=$2 leaf=$3 subject=$4
  sign "$name-int" "/CN=$name intermediate" root "$int"
  sign "$name-leaf" "$subject" "$name-int" "$leaf"
  cat "$D/$name-leaf.pem" "$D/$name-int.pem" >"$D/$name.chain"
  cp "$D/$name-leaf.key" "$D/$name.chain.key"
  cases+=("$name")
}
case_of ok int leaf /CN=ok
case_of nc-cn-only int_nc leaf /CN=client.example.com
case_of nc-san-outside int_nc leaf_san_outside /CN=client.example.com
case_of int-no-keyusage int_no_ku leaf /CN=no-ku
case_of int-ku-no-certsign int_ku_no_certsign leaf /CN=no-certsign
case_of int-unknown-critical int_unknown_critical leaf /CN=crit
case_of int-eku-server int_eku_server leaf /CN=int-eku
case_of leaf-is-ca int leaf_ca /CN=leaf-ca
# Two intermediates: beyond nginx's default depth 1.
sign deep-int2 "/CN=deep intermediate 2" ok-int int
sign deep-leaf /CN=deep deep-int2 leaf
cat "$D/deep-leaf.pem" "$D/deep-int2.pem" "$D/ok-int.pem" >"$D/deep.chain"
cp "$D/deep-leaf.key" "$D/deep.chain.key"
cases+=(deep)
# Two intermediates under one with pathLenConstraint 0 (HAProxy's depth
# allows the chain, the constraint does not).
case_of pathlen0 int_pathlen0 leaf /CN=pathlen0-unused
sign pathlen0-int2 "/CN=pathlen0 intermediate 2" pathlen0-int int
sign pathlen0-leaf2 /CN=pathlen0 pathlen0-int2 leaf
cat "$D/pathlen0-leaf2.pem" "$D/pathlen0-int2.pem" "$D/pathlen0-int.pem" \
  >"$D/pathlen0.chain"
cp "$D/pathlen0-leaf2.key" "$D/pathlen0.chain.key"
# A version 1 intermediate (no extensions at all, so no basicConstraints).
key v1-int
openssl req -new -key "$D/v1-int.key" -subj "/CN=v1 intermediate" \
  -out "$D/v1-int.csr" 2>/dev/null || fail "req v1-int"
openssl x509 -req -in "$D/v1-int.csr" -CA "$D/root.pem" -CAkey "$D/root.key" \
  -days 30 -out "$D/v1-int.pem" 2>/dev/null || fail "x509 v1-int"
sign v1-leaf /CN=v1 v1-int leaf
cat "$D/v1-leaf.pem" "$D/v1-int.pem" >"$D/v1.chain"
cp "$D/v1-leaf.key" "$D/v1.chain.key"
cases+=(v1)

nginx_port=$(free_port)
start_nginx diff "$nginx_port" "
    ssl_certificate $D/server.pem;
    ssl_certificate_key $D/server.key;
    ssl_client_certificate $D/root.pem;
    ssl_verify_client on;
    ssl_protocols TLSv1.2 TLSv1.3;
    location / { return 200 ok; }" || fail "nginx did not start"
cat "$D/server.pem" "$D/server.key" >"$D/server-haproxy.pem"
haproxy_port=$(free_port)
start_haproxy diff "$haproxy_port" \
  "ssl crt $D/server-haproxy.pem ca-file $D/root.pem verify required ssl-min-ver TLSv1.2" ||
  fail "haproxy did not start"

# server_verdict PORT CASE VERSION: accept when the server answered 200 to
# the client certificate over TLS VERSION (1.2 or 1.3), refuse otherwise.
server_verdict() {
  local code
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 \
    "--tlsv$3" --tls-max "$3" \
    --cacert "$D/root.pem" --cert "$D/$2.chain" --key "$D/$2.chain.key" \
    "https://127.0.0.1:$1/") || true
  if [ "$code" = 200 ]; then echo accept; else echo refuse; fi
}

# offline_verdict PLATFORM CASE
offline_verdict() {
  local got=0
  mtlskit verify --platform "$1" --truststore "$D/root.pem" "$D/$2.chain" \
    >"$T/v.out" 2>"$T/v.err" || got=$?
  case $got in
    0) echo accept ;;
    1) echo refuse ;;
    *) cat "$T/v.err" >&2; echo "exit-$got" ;;
  esac
}

for c in "${cases[@]}"; do
  for platform in nginx haproxy; do
    port=$nginx_port
    [ "$platform" = haproxy ] && port=$haproxy_port
    offline=$(offline_verdict "$platform" "$c")
    for version in 1.2 1.3; do
      real=$(server_verdict "$port" "$c" "$version")
      [ "$offline" = "$real" ] ||
        fail "$platform $c TLS $version: mtlskit verify says $offline, the server did $real ($(cat "$T/v.out"))"
      pass "$platform $c TLS $version: $real, as the server"
    done
  done
done

# The verdict names the library and the server source it follows.
mtlskit verify --json --platform nginx --truststore "$D/root.pem" \
  "$D/nc-cn-only.chain" >"$T/j.json"
jq -e '.library | startswith("OpenSSL 3")' "$T/j.json" >/dev/null ||
  fail "nginx verdict not by OpenSSL 3: $(cat "$T/j.json")"
jq -e '.source | contains("nginx")' "$T/j.json" >/dev/null ||
  fail "nginx verdict names no nginx source"
pass "--json names OpenSSL 3 and the nginx source"
mtlskit verify --explain --platform nginx --truststore "$D/root.pem" \
  "$D/deep.chain" >"$T/x.out" || true
expect_grep '^settings: .*verify depth 1' "$T/x.out"
expect_grep 'refused .nginx.: depth-exceeded' "$T/x.out"
pass "--explain prints the settings"
done_testing
