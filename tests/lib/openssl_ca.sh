# Small certificate factory on the real openssl binary, for tests that need
# hand-made (often deliberately broken) certificates. Source after
# testlib.sh. Keys are P-256 unless a function says otherwise.

# ossl_root NAME [openssl req args...]: self-signed CA $T/NAME.pem + .key
ossl_root() {
  local name=$1
  shift
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$T/$name.key" -out "$T/$name.pem" -subj "/CN=$name" -days 365 \
    -addext "basicConstraints=critical,CA:true" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" "$@" 2>/dev/null
}

# ossl_sign NAME ISSUER EXTFILE_TEXT [openssl x509 args...]: a certificate
# for a new P-256 key (or $T/NAME.key if it exists), signed by ISSUER.
ossl_sign() {
  local name=$1 issuer=$2 ext=$3
  shift 3
  if [ ! -f "$T/$name.key" ]; then
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
      -out "$T/$name.key" 2>/dev/null
  fi
  openssl req -new -key "$T/$name.key" -subj "/CN=$name" \
    -out "$T/$name.csr" 2>/dev/null
  printf '%s\n' "$ext" >"$T/$name.ext"
  openssl x509 -req -in "$T/$name.csr" -CA "$T/$issuer.pem" \
    -CAkey "$T/$issuer.key" -set_serial "0x$(openssl rand -hex 8)" \
    -days 365 -extfile "$T/$name.ext" -out "$T/$name.pem" "$@" 2>/dev/null
}

OSSL_CA_EXT=$'basicConstraints=critical,CA:true\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid'
OSSL_CLIENT_EXT=$'basicConstraints=critical,CA:false\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth'

# ossl_crl ISSUER OUT [SERIAL_HEX...] [-- extra openssl ca args]: a CRL
# from ISSUER revoking the given serials, via a throwaway openssl ca
# database.
ossl_crl() {
  local issuer=$1 out=$2
  shift 2
  local db="$T/crldb-$issuer"
  rm -rf "$db"
  mkdir -p "$db"
  : >"$db/index.txt"
  echo 01 >"$db/crlnumber"
  local extra=()
  while [ $# -gt 0 ]; do
    if [ "$1" = "--" ]; then shift; extra=("$@"); break; fi
    printf 'R\t301231235959Z\t%s\t%s\tunknown\t/CN=revoked\n' \
      "$(date -u +%y%m%d%H%M%SZ)" "$1" >>"$db/index.txt"
    shift
  done
  cat >"$db/ca.cnf" <<CNF
[ca]
default_ca = d
[d]
database = $db/index.txt
crlnumber = $db/crlnumber
default_md = sha256
default_crl_days = 30
CNF
  openssl ca -config "$db/ca.cnf" -gencrl -keyfile "$T/$issuer.key" \
    -cert "$T/$issuer.pem" -out "$out" "${extra[@]}" 2>/dev/null
}
