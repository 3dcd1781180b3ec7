# mtlskit verify --platform nginx|haproxy|apache|node|go against the real
# servers: each edge-case chain below (made by openssl commands, the way a
# private CA makes them) is verified offline and presented to a real nginx,
# HAProxy, Apache httpd (mod_ssl), Node https server and Caddy (Go
# crypto/tls) trusting the same root, over TLS 1.2 and 1.3 on loopback. The offline verdict must be what
# the server did (docs/verify.md).
. "$MTK_SRC/tests/lib/testlib.sh"
. "$MTK_SRC/tests/lib/servers.sh"
# For mtlskit verify in the sanitized build: the policy shapes meet a leak
# in Debian's BoringSSL under --platform strict (tests/lsan.supp says which).
lsan=$VERIFY_LSAN_OPTIONS

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
[int_nc_excluded]
basicConstraints=critical,CA:true
keyUsage=critical,keyCertSign,cRLSign
nameConstraints=critical,excluded;DNS:example.com
[int_nc_email]
basicConstraints=critical,CA:true
keyUsage=critical,keyCertSign,cRLSign
nameConstraints=critical,permitted;email:example.com
[int_nc_uri]
basicConstraints=critical,CA:true
keyUsage=critical,keyCertSign,cRLSign
nameConstraints=critical,permitted;URI:example.com
[int_nc_ip]
basicConstraints=critical,CA:true
keyUsage=critical,keyCertSign,cRLSign
nameConstraints=critical,permitted;IP:10.0.0.0/255.0.0.0
[int_require_policy]
basicConstraints=critical,CA:true
keyUsage=critical,keyCertSign,cRLSign
policyConstraints=critical,requireExplicitPolicy:0
[int_inhibit_any]
basicConstraints=critical,CA:true
keyUsage=critical,keyCertSign,cRLSign
certificatePolicies=2.5.29.32.0
policyConstraints=critical,requireExplicitPolicy:0
inhibitAnyPolicy=critical,0
[leaf]
basicConstraints=CA:false
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth
[leaf_san_outside]
basicConstraints=CA:false
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth
subjectAltName=DNS:client.example.net
[leaf_san_inside]
basicConstraints=CA:false
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth
subjectAltName=DNS:client.example.com
[leaf_email_outside]
basicConstraints=CA:false
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth
subjectAltName=email:user@example.net
[leaf_email_inside]
basicConstraints=CA:false
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth
subjectAltName=email:user@example.com
[leaf_uri_outside]
basicConstraints=CA:false
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth
subjectAltName=URI:https://client.example.net/
[leaf_ip_outside]
basicConstraints=CA:false
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth
subjectAltName=IP:192.168.1.1
[leaf_any_policy]
basicConstraints=CA:false
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth
certificatePolicies=2.5.29.32.0
[leaf_aki_mismatch]
basicConstraints=CA:false
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth
authorityKeyIdentifier=none
2.5.29.35=DER:3016801400112233445566778899AABBCCDDEEFF00112233
[leaf_no_aki]
basicConstraints=CA:false
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth
authorityKeyIdentifier=none
[leaf_keycertsign]
basicConstraints=CA:false
keyUsage=critical,digitalSignature,keyCertSign
extendedKeyUsage=clientAuth
[leaf_empty_subject]
basicConstraints=CA:false
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth
subjectAltName=critical,DNS:client.example.com
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
# sign NAME SUBJECT ISSUER SECTION [X509_OPTION...]: $D/NAME.pem for a new
# key, issued by ISSUER (its .pem and .key) with the extensions of SECTION.
sign() {
  local name=$1 subject=$2 issuer=$3 section=$4
  shift 4
  key "$name"
  openssl req -new -key "$D/$name.key" -subj "$subject" \
    -out "$D/$name.csr" 2>/dev/null || fail "req $name"
  openssl x509 -req -in "$D/$name.csr" -CA "$D/$issuer.pem" \
    -CAkey "$D/$issuer.key" -days 30 -extfile "$D/ext.cnf" \
    -extensions "$section" "$@" -out "$D/$name.pem" 2>/dev/null ||
    fail "x509 $name"
}

# chain NAME LEAF [CERT...]: the client's PEM $D/NAME.chain (LEAF then the
# CERTs it sends) and its key, and NAME joins the cases.
chain() {
  local name=$1 leaf=$2 c
  shift 2
  cat "$D/$leaf.pem" >"$D/$name.chain"
  for c in "$@"; do cat "$D/$c.pem" >>"$D/$name.chain"; done
  cp "$D/$leaf.key" "$D/$name.chain.key"
  cases+=("$name")
}

key root
openssl req -new -key "$D/root.key" -subj /CN=diff-root -out "$D/root.csr" &&
  openssl x509 -req -in "$D/root.csr" -signkey "$D/root.key" -days 30 \
    -extfile "$D/ext.cnf" -extensions root -out "$D/root.pem" 2>/dev/null ||
  fail "root"
sign server /CN=127.0.0.1 root server

# A leaf directly under the root (no intermediate: Apache's default depth).
sign direct-leaf /CN=direct root leaf
cp "$D/direct-leaf.pem" "$D/direct.chain"
cp "$D/direct-leaf.key" "$D/direct.chain.key"
cases=(direct)

# case NAME INT_SECTION LEAF_SECTION LEAF_SUBJECT: a leaf under an
# intermediate, the client's PEM (leaf + intermediate) in $D/NAME.chain.
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

# Name constraints of other forms, excluded subtrees, CN-only leaves.
case_of nc-san-inside int_nc leaf_san_inside /CN=client.example.com
case_of nc-cn-outside int_nc leaf /CN=client.example.net
case_of nc-excluded-san int_nc_excluded leaf_san_inside /CN=excluded
case_of nc-excluded-cn-only int_nc_excluded leaf /CN=client.example.com
case_of nc-email-outside int_nc_email leaf_email_outside /CN=email-out
case_of nc-email-inside int_nc_email leaf_email_inside /CN=email-in
case_of nc-email-dn-outside int_nc_email leaf "/CN=email-dn/emailAddress=user@example.net"
case_of nc-uri-outside int_nc_uri leaf_uri_outside /CN=uri-out
case_of nc-ip-outside int_nc_ip leaf_ip_outside /CN=ip-out
# Policy constraints: an explicit policy required, the leaf has none; and
# inhibitAnyPolicy 0 with a leaf asserting only anyPolicy.
case_of require-policy int_require_policy leaf /CN=no-policy
case_of inhibit-any-policy int_inhibit_any leaf_any_policy /CN=any-policy
# The leaf's authorityKeyIdentifier names no key of its issuer.
case_of aki-mismatch int leaf_aki_mismatch /CN=aki-mismatch
case_of leaf-keycertsign int leaf_keycertsign /CN=leaf-keycertsign
case_of empty-subject int leaf_empty_subject /
# Odd serial numbers on the leaf: zero, negative, 21 octets.
sign serial-zero-leaf /CN=serial-zero ok-int leaf -set_serial 0
chain serial-zero serial-zero-leaf ok-int
sign serial-negative-leaf /CN=serial-negative ok-int leaf -set_serial -1
chain serial-negative serial-negative-leaf ok-int
sign serial-21-leaf /CN=serial-21 ok-int leaf \
  -set_serial 0x0102030405060708090a0b0c0d0e0f101112131415
chain serial-21 serial-21-leaf ok-int
# Two intermediates with the same name and different keys, the wrong one
# sent first: found by the leaf's authorityKeyIdentifier, and without one.
sign twin-a "/CN=twin intermediate" root int
sign twin-b "/CN=twin intermediate" root int
sign twin-leaf /CN=twin twin-b leaf
chain twin-aki twin-leaf twin-a twin-b
sign twin-noaki-leaf /CN=twin-noaki twin-b leaf_no_aki
chain twin-noaki twin-noaki-leaf twin-a twin-b
# An expired root (trusted), and a trusted CA that is not self-signed (its
# issuer is not trusted): the servers run without partial-chain.
key old-root
mkdir -p "$D/old-ca"
: >"$D/old-ca/index.txt"
echo 01 >"$D/old-ca/serial"
cat >"$D/old-ca.cnf" <<CNF
[ca]
default_ca = old
[old]
database = $D/old-ca/index.txt
new_certs_dir = $D/old-ca
serial = $D/old-ca/serial
default_md = sha256
policy = any
[any]
commonName = supplied
CNF
openssl req -new -key "$D/old-root.key" -subj /CN=diff-expired-root \
  -out "$D/old-root.csr" 2>/dev/null || fail "req old-root"
openssl ca -batch -config "$D/old-ca.cnf" -selfsign -keyfile "$D/old-root.key" \
  -in "$D/old-root.csr" -startdate 20200101000000Z -enddate 20210101000000Z \
  -extfile "$D/ext.cnf" -extensions root -out "$D/old-root.pem" \
  2>/dev/null || fail "ca old-root"
sign expired-root-int "/CN=under expired root" old-root int
sign expired-root-leaf /CN=expired-root expired-root-int leaf
chain expired-root expired-root-leaf expired-root-int
key outside-root
openssl req -x509 -new -key "$D/outside-root.key" \
  -subj /CN=diff-untrusted-root -days 30 \
  -addext basicConstraints=critical,CA:true \
  -addext keyUsage=critical,keyCertSign,cRLSign \
  -out "$D/outside-root.pem" 2>/dev/null || fail "outside-root"
sign partial-anchor "/CN=trusted but not self-signed" outside-root int
sign partial-leaf /CN=partial partial-anchor leaf
chain partial partial-leaf
cat "$D/root.pem" "$D/old-root.pem" "$D/partial-anchor.pem" >"$D/trust.pem"

# A 1024-bit RSA leaf: below OpenSSL's security level 2 (nginx, HAProxy,
# Apache on Debian), within level 1 (Node).
sign weak-rsa-int "/CN=weak-rsa intermediate" root int
openssl req -new -newkey rsa:1024 -nodes -keyout "$D/weak-rsa.chain.key" \
  -subj /CN=weak-rsa -out "$D/weak-rsa.csr" 2>/dev/null || fail "req weak-rsa"
openssl x509 -req -in "$D/weak-rsa.csr" -CA "$D/weak-rsa-int.pem" \
  -CAkey "$D/weak-rsa-int.key" -days 30 -extfile "$D/ext.cnf" \
  -extensions leaf -out "$D/weak-rsa-leaf.pem" 2>/dev/null || fail "x509 weak-rsa"
cat "$D/weak-rsa-leaf.pem" "$D/weak-rsa-int.pem" >"$D/weak-rsa.chain"
cases+=(weak-rsa)
# curl refuses to load a client key below its own security level: the
# client side runs at level 0 so that the server decides.
cat >"$T/client-openssl.cnf" <<'CNF'
openssl_conf = init
[init]
ssl_conf = ssl_sect
[ssl_sect]
system_default = sys
[sys]
CipherString = DEFAULT:@SECLEVEL=0
CNF

nginx_port=$(free_port)
start_nginx diff "$nginx_port" "
    ssl_certificate $D/server.pem;
    ssl_certificate_key $D/server.key;
    ssl_client_certificate $D/trust.pem;
    ssl_verify_client on;
    ssl_protocols TLSv1.2 TLSv1.3;
    location / { return 200 ok; }" || fail "nginx did not start"
cat "$D/server.pem" "$D/server.key" >"$D/server-haproxy.pem"
haproxy_port=$(free_port)
start_haproxy diff "$haproxy_port" \
  "ssl crt $D/server-haproxy.pem ca-file $D/trust.pem verify required ssl-min-ver TLSv1.2" ||
  fail "haproxy did not start"
apache_vhost="
  SSLCertificateFile $D/server.pem
  SSLCertificateKeyFile $D/server.key
  SSLCACertificateFile $D/trust.pem
  SSLVerifyClient require
  SSLProtocol -all +TLSv1.2 +TLSv1.3"
# SSLVerifyDepth 3 allows two intermediates (--verify-depth 2); a second
# Apache keeps the default SSLVerifyDepth 1.
apache_port=$(free_port)
start_apache diff "$apache_port" "$apache_vhost
  SSLVerifyDepth 3" || fail "apache did not start"
apache_default_port=$(free_port)
start_apache default "$apache_default_port" "$apache_vhost" ||
  fail "apache (default depth) did not start"
node_port=$(free_port)
start_node diff "$node_port" "$D/server.key" "$D/server.pem" "$D/trust.pem" ||
  fail "node did not start"

# server_verdict PORT CASE VERSION: accept when the server answered 200 to
# the client certificate over TLS VERSION (1.2 or 1.3), refuse otherwise.
# The URL names $server_name when set (resolved to 127.0.0.1), for a server
# that picks its certificate by SNI.
server_verdict() {
  local code host=${server_name:-127.0.0.1}
  code=$(OPENSSL_CONF="$T/client-openssl.cnf" curl -s -o /dev/null -w '%{http_code}' --max-time 5 \
    "--tlsv$3" --tls-max "$3" --resolve "$host:$1:127.0.0.1" \
    --cacert "$D/root.pem" --cert "$D/$2.chain" --key "$D/$2.chain.key" \
    "https://$host:$1/") || true
  if [ "$code" = 200 ]; then echo accept; else echo refuse; fi
}

# offline_verdict PLATFORM CASE [OPTION...]
offline_verdict() {
  local got=0 platform=$1 c=$2
  shift 2
  LSAN_OPTIONS=$lsan mtlskit verify --platform "$platform" "$@" --truststore "$D/trust.pem" "$D/$c.chain" \
    >"$T/v.out" 2>"$T/v.err" || got=$?
  case $got in
    0) echo accept ;;
    1) echo refuse ;;
    *) cat "$T/v.err" >&2; echo "exit-$got" ;;
  esac
}

# check PLATFORM PORT CASE [OPTION...]: the offline verdict (with OPTIONs)
# is what the server on PORT did, under TLS 1.2 and 1.3.
check() {
  local platform=$1 port=$2 c=$3 offline real version
  shift 3
  offline=$(offline_verdict "$platform" "$c" "$@")
  for version in 1.2 1.3; do
    real=$(server_verdict "$port" "$c" "$version")
    [ "$offline" = "$real" ] ||
      fail "$platform $* $c TLS $version: mtlskit verify says $offline, the server did $real ($(cat "$T/v.out"))"
    pass "$platform $* $c TLS $version: $real, as the server"
  done
}

for c in "${cases[@]}"; do
  check nginx "$nginx_port" "$c"
  check haproxy "$haproxy_port" "$c"
  check apache "$apache_port" "$c" --verify-depth 2
  check node "$node_port" "$c"
done
check apache "$apache_default_port" direct
check apache "$apache_default_port" ok

# --- Caddy (Go crypto/tls): mtlskit verify --platform go -------------------
# One Caddy trusting the same CAs (a trusted_ca_cert_file line each: Caddy
# 2.6 reads the first certificate of a file only), serving a certificate for
# "localhost" (Caddy picks it by SNI). Every case is presented over TLS 1.2
# and 1.3; --platform go must say what Caddy did.
caddy_differential() {
  local port c go_cases
  command -v caddy >/dev/null || fail "caddy is not installed (scripts/install-deps)"
  mkdir -p "$D/caddy/server" "$D/caddy/ca"
  openssl req -new -key "$D/server.key" -subj /CN=localhost \
    -out "$D/caddy/server.csr" 2>/dev/null || fail "req caddy server"
  printf 'subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n' \
    >"$D/caddy/server.ext"
  openssl x509 -req -in "$D/caddy/server.csr" -CA "$D/root.pem" \
    -CAkey "$D/root.key" -days 30 -extfile "$D/caddy/server.ext" \
    -out "$D/caddy/server/server.cert.pem" 2>/dev/null || fail "x509 caddy server"
  cp "$D/server.key" "$D/caddy/server/server.key.pem"
  awk '/BEGIN/{n++} {print > "'"$D"'/caddy/ca/" n ".pem"}' "$D/trust.pem"
  # Shapes where Go's rules are its own (docs/verify.md GO RULES), checked
  # against Caddy only.
  cat >>"$D/ext.cnf" <<'CNF'
[go_int_nc_dot]
basicConstraints=critical,CA:true
keyUsage=critical,keyCertSign,cRLSign
nameConstraints=critical,permitted;DNS:.example.com
[go_int_nc_dirname]
basicConstraints=critical,CA:true
keyUsage=critical,keyCertSign,cRLSign
nameConstraints=critical,permitted;dirName:go_dir
[go_dir]
CN=go dirname
[go_int_ca_false]
basicConstraints=critical,CA:false
keyUsage=critical,keyCertSign,cRLSign
[go_leaf_apex]
basicConstraints=CA:false
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth
subjectAltName=DNS:example.com
[go_leaf_othername]
basicConstraints=CA:false
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth
subjectAltName=critical,otherName:1.3.6.1.4.1.311.20.2.3;UTF8:user@example.com
[go_leaf_uri_port]
basicConstraints=CA:false
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth
subjectAltName=URI:https://client.example.com:8443/x
CNF
  local before=${#cases[@]}
  # A DNS constraint with a leading period (Go: a label more is needed).
  case_of go-nc-dot-apex go_int_nc_dot go_leaf_apex /CN=apex
  case_of go-nc-dot-below go_int_nc_dot leaf_san_inside /CN=below
  # A directoryName constraint: Go handles none, so it is an unhandled
  # critical extension.
  case_of go-nc-dirname go_int_nc_dirname leaf "/CN=go dirname"
  # An intermediate with cA=FALSE; one signed with SHA-1.
  case_of go-int-ca-false go_int_ca_false leaf /CN=ca-false
  sign go-sha1-int "/CN=go sha1 intermediate" root int -sha1
  sign go-sha1-leaf /CN=sha1-int go-sha1-int leaf
  chain go-int-sha1 go-sha1-leaf go-sha1-int
  # A critical SAN holding only an otherName: nothing Go records.
  case_of go-san-othername int go_leaf_othername /CN=othername
  # A URI SAN with a port under a URI constraint on its host.
  case_of go-uri-port int_nc_uri go_leaf_uri_port /CN=uri-port
  go_cases=("${cases[@]:$before}")
  cases=("${cases[@]:0:$before}")
  port=$(free_port)
  start_caddy diff "$port" "$D/caddy" "$D/caddy/ca/"*.pem ||
    fail "caddy did not start"
  server_name=localhost
  for c in "${cases[@]}" "${go_cases[@]}"; do
    check go "$port" "$c"
  done
  server_name=
}

caddy_differential

# Batch: one run over every case gives, line by line, the verdicts of one
# run per case (on each verifier), and exit 1 because some are refused.
chains=()
for c in "${cases[@]}"; do chains+=("$D/$c.chain"); done
for platform in nginx node strict alb; do
  got=0
  LSAN_OPTIONS=$lsan mtlskit verify --platform "$platform" \
    --truststore "$D/trust.pem" "${chains[@]}" >"$T/batch.out" 2>"$T/batch.err" || got=$?
  [ "$got" = 1 ] || fail "batch $platform: exit $got ($(cat "$T/batch.err"))"
  [ "$(wc -l <"$T/batch.out")" = "${#cases[@]}" ] ||
    fail "batch $platform: $(wc -l <"$T/batch.out") lines for ${#cases[@]} cases"
  i=0
  for c in "${cases[@]}"; do
    i=$((i + 1))
    single=$(offline_verdict "$platform" "$c")
    line=$(sed -n "${i}p" "$T/batch.out")
    case $line in
      "$D/$c.chain: accepted"*) batch=accept ;;
      "$D/$c.chain: refused"*) batch=refuse ;;
      *) fail "batch $platform line $i: $line" ;;
    esac
    [ "$batch" = "$single" ] ||
      fail "batch $platform $c: $batch, alone: $single"
  done
  pass "batch $platform: ${#cases[@]} verdicts, each as when run alone"
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

# --explain names the failed check, the certificate and the rule, on the
# BoringSSL platforms as on the OpenSSL ones.
# explain PLATFORM CASE: --explain output in $T/x.out
explain() {
  mtlskit verify --explain --platform "$1" --truststore "$D/trust.pem" \
    "$D/$2.chain" >"$T/x.out" || true
}
explain strict serial-zero
expect_grep '^failed check: certificate profile .malformed. on the certificate at depth 0, /CN=serial-zero$' "$T/x.out"
expect_grep '^rule: RFC 5280 §4.1$' "$T/x.out"
expect_grep '^  depth 1: /CN=ok intermediate$' "$T/x.out"
explain alb weak-rsa
expect_grep '^failed check: keys .unsupported-key-type. on the certificate at depth 0, /CN=weak-rsa$' "$T/x.out"
expect_grep '^rule: https://docs.aws.amazon.com/elasticloadbalancing/.*mutual-authentication' "$T/x.out"
explain alb nc-cn-only
expect_grep '^failed check: name constraints .name-constraints. on the certificate at depth 0, /CN=client.example.com$' "$T/x.out"
expect_grep '^rule: RFC 5280 §4.2.1.10' "$T/x.out"
explain apigw int-unknown-critical
expect_grep '^failed check: critical extensions .unhandled-critical-extension. on the certificate at depth 1, /CN=int-unknown-critical intermediate$' "$T/x.out"
explain node nc-cn-outside
expect_grep '^failed check: name constraints .name-constraints. on the certificate at depth 0, /CN=client.example.net$' "$T/x.out"
explain strict ok
expect_no_grep '^failed check' "$T/x.out"
pass "--explain names the failed check, its certificate and rule"
LSAN_OPTIONS=$lsan mtlskit verify --json --platform strict \
  --truststore "$D/trust.pem" "$D/require-policy.chain" >"$T/j.json" || true
jq -e '.failed_check.check == "certificate policies" and .failed_check.depth == 0
  and .failed_check.subject == "/CN=no-policy"
  and (.failed_check.rule | contains("6.1.5"))' "$T/j.json" >/dev/null ||
  fail "--json failed_check: $(cat "$T/j.json")"
pass "--json failed_check names the check, certificate and rule"
done_testing
