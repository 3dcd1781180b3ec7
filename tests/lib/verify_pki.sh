# Certificates of any shape, made with the real openssl command, for the
# verifier's tests. Source after testlib.sh; everything goes under $P
# (default $T/pki).
#
#   vp_key NAME TYPE        $P/NAME.key: p256, rsa1024, rsa2048, ed25519, dsa2048
#   vp_cert NAME ISSUER SUBJECT [EXT...]
#                           $P/NAME.crt for key $P/NAME.key (a P-256 key is
#                           made if there is none), signed by ISSUER's key
#                           ("self": its own), with exactly the extension
#                           lines EXT (openssl x509v3_config syntax). Serial
#                           $VP_SERIAL (default random), valid 30 days from
#                           now.
#   vp_ca_ext / vp_leaf_ext print the extensions of a conforming CA / client
#                           certificate, one per line, for "${ext[@]}".
#   (for `mtlskit verify` in the sanitized build: $VERIFY_LSAN_OPTIONS of
#   tests/lib/testlib.sh)
P=${P:-$T/pki}
mkdir -p "$P"

vp_key() {
  local name=$1 type=$2
  case $type in
    p256) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
      -out "$P/$name.key" 2>/dev/null ;;
    rsa1024 | rsa2048) openssl genpkey -algorithm RSA \
      -pkeyopt "rsa_keygen_bits:${type#rsa}" -out "$P/$name.key" 2>/dev/null ;;
    ed25519) openssl genpkey -algorithm ED25519 -out "$P/$name.key" ;;
    dsa2048)
      [ -s "$P/dsa.params" ] || openssl genpkey -genparam -algorithm DSA \
        -pkeyopt dsa_paramgen_bits:2048 -out "$P/dsa.params" 2>/dev/null
      openssl genpkey -paramfile "$P/dsa.params" -out "$P/$name.key" ;;
    *) fail "vp_key: unknown key type $type" ;;
  esac
}

vp_cert() {
  local name=$1 issuer=$2 subject=$3
  shift 3
  [ -s "$P/$name.key" ] || vp_key "$name" p256
  printf '%s\n' "$@" >"$P/$name.ext"
  openssl req -new -key "$P/$name.key" -subj "$subject" -out "$P/$name.csr" \
    2>"$P/$name.err" || { cat "$P/$name.err" >&2; fail "vp_cert $name: req"; }
  local serial=${VP_SERIAL:-0x$(openssl rand -hex 12)}
  local sign=(-signkey "$P/$name.key")
  [ "$issuer" = self ] || sign=(-CA "$P/$issuer.crt" -CAkey "$P/$issuer.key")
  openssl x509 -req -in "$P/$name.csr" "${sign[@]}" -set_serial "$serial" \
    -days 30 \
    -extfile "$P/$name.ext" -out "$P/$name.crt" 2>"$P/$name.err" ||
    { cat "$P/$name.err" >&2; fail "vp_cert $name: x509"; }
  rm -f "$P/$name.csr" "$P/$name.ext" "$P/$name.err"
}

vp_ca_ext() {
  printf '%s\n' "basicConstraints=critical,CA:TRUE" \
    "keyUsage=critical,keyCertSign,cRLSign" "subjectKeyIdentifier=hash" \
    "authorityKeyIdentifier=keyid"
}

vp_leaf_ext() {
  printf '%s\n' "basicConstraints=critical,CA:FALSE" \
    "keyUsage=critical,digitalSignature" "extendedKeyUsage=clientAuth" \
    "subjectKeyIdentifier=hash" "authorityKeyIdentifier=keyid"
}
