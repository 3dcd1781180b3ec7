# Test certificates made with the real openssl command, P-256 keys.
# Source after testlib.sh.
#
# make_pki DIR: writes into DIR
#   ca.crt ca.key             root CA "mtk test root"
#   server.crt server.key     for 127.0.0.1 and localhost, signed by the root
#   client.crt client.key     a good client (clientAuth), signed by the root
#   client2.crt client2.key   a second good client, for identity pools
#   rogue-ca.crt rogue.crt rogue.key   a client from a CA nobody trusts
make_pki() {
  local d=$1
  mkdir -p "$d"
  local ossl=(openssl)
  _pki_key() { "${ossl[@]}" genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
  _pki_ca() { # NAME CN
    _pki_key "$d/$1.key"
    "${ossl[@]}" req -x509 -new -key "$d/$1.key" -subj "/CN=$2" -days 2 \
      -addext basicConstraints=critical,CA:TRUE \
      -addext keyUsage=critical,keyCertSign,cRLSign \
      -out "$d/$1.crt" 2>/dev/null
  }
  _pki_leaf() { # NAME CN CA EXT...
    local name=$1 cn=$2 ca=$3
    shift 3
    _pki_key "$d/$name.key"
    "${ossl[@]}" req -new -key "$d/$name.key" -subj "/CN=$cn" -out "$d/$name.csr" 2>/dev/null
    printf '%s\n' "$@" >"$d/$name.ext"
    "${ossl[@]}" x509 -req -in "$d/$name.csr" -CA "$d/$ca.crt" -CAkey "$d/$ca.key" \
      -CAcreateserial -days 2 -extfile "$d/$name.ext" -out "$d/$name.crt" 2>/dev/null
    rm -f "$d/$name.csr" "$d/$name.ext"
  }
  _pki_ca ca "mtk test root"
  _pki_ca rogue-ca "mtk rogue root"
  _pki_leaf server localhost ca "basicConstraints=CA:FALSE" \
    "extendedKeyUsage=serverAuth" "subjectAltName=IP:127.0.0.1,DNS:localhost"
  _pki_leaf client "mtk client 1" ca "basicConstraints=CA:FALSE" "extendedKeyUsage=clientAuth"
  _pki_leaf client2 "mtk client 2" ca "basicConstraints=CA:FALSE" "extendedKeyUsage=clientAuth"
  _pki_leaf rogue "mtk rogue client" rogue-ca "basicConstraints=CA:FALSE" "extendedKeyUsage=clientAuth"
  [ -s "$d/server.crt" ] && [ -s "$d/client.crt" ] && [ -s "$d/rogue.crt" ] ||
    { echo "make_pki: openssl failed" >&2; return 1; }
}
