# mtlskit verify --platform strict does what docs/verify.md says, on
# certificates made here with the real openssl: key rules at every depth
# (anchor included), the RFC 5280 section 4 profile checks, name
# constraints of every GeneralName form, CRL profile, the named reasons in
# text and --json, and the --at and --verify-depth forms.
. "$MTK_SRC/tests/lib/testlib.sh"
. "$MTK_SRC/tests/lib/verify_pki.sh"

mapfile -t CA < <(vp_ca_ext)
mapfile -t LEAF < <(vp_leaf_ext)

# got PLATFORM LEAF TRUST [CHAIN] [ARGS...]: "accept", or REASON@DEPTH.
got() {
  local platform=$1 leaf=$2 trust=$3 chain=${4:-}
  shift 4 || shift $#
  local args=(--platform "$platform" --json --truststore "$P/$trust.crt")
  [ -z "$chain" ] || args+=(--chain "$P/$chain.crt")
  local st=0
  LSAN_OPTIONS=$VERIFY_LSAN_OPTIONS \
    mtlskit verify "${args[@]}" "$@" "$P/$leaf.crt" >"$T/v.json" 2>"$T/v.err" ||
    st=$?
  case $st in
    0) echo accept ;;
    1) jq -r '"\(.reason)@\(.error_depth)"' "$T/v.json" ;;
    *) echo "exit-$st: $(cat "$T/v.err")" ;;
  esac
}

# expect WANT PLATFORM LEAF TRUST [CHAIN] [ARGS...]
expect() {
  local want=$1
  shift
  local have
  have=$(got "$@")
  [ "$have" = "$want" ] || fail "$*: got $have, want $want"
  pass "$1 $2: $want"
}

# chain3 NAME ROOT_KEY INT_KEY LEAF_KEY: a root -> intermediate -> leaf
# chain $P/NAME-{root,int,leaf}.crt with the given key types. The arrays
# RX, IX, LX, when set, replace the default extensions of root,
# intermediate and leaf; SUBJ the leaf's subject. All four are reset after.
chain3() {
  local n=$1
  [ ${#RX[@]} -gt 0 ] || RX=("${CA[@]}")
  [ ${#IX[@]} -gt 0 ] || IX=("${CA[@]}")
  [ ${#LX[@]} -gt 0 ] || LX=("${LEAF[@]}")
  vp_key "$n-root" "$2"
  vp_key "$n-int" "$3"
  vp_key "$n-leaf" "$4"
  vp_cert "$n-root" self "/CN=$n root" "${RX[@]}"
  vp_cert "$n-int" "$n-root" "/CN=$n int" "${IX[@]}"
  vp_cert "$n-leaf" "$n-int" "${SUBJ:-/CN=$n leaf}" "${LX[@]}"
  RX=() IX=() LX=() SUBJ=
}
RX=() IX=() LX=() SUBJ= NC_SECTION=()

# A conforming chain is accepted everywhere.
chain3 good p256 p256 p256
expect accept strict good-leaf good-root good-int
expect accept alb good-leaf good-root good-int

# Key rules at each depth (0 leaf, 1 intermediate, 2 anchor): DSA refused,
# RSA-1024 too weak, Ed25519 accepted by strict (RFC 8410) but not by AWS.
for kt in dsa2048 rsa1024 ed25519; do
  chain3 "$kt-0" p256 p256 "$kt"
  chain3 "$kt-1" p256 "$kt" p256
  chain3 "$kt-2" "$kt" p256 p256
  for d in 0 1 2; do
    case $kt in
      dsa2048) want=unsupported-key-type@$d ;;
      rsa1024) want=weak-key@$d ;;
      ed25519) want=accept ;;
    esac
    expect "$want" strict "$kt-$d-leaf" "$kt-$d-root" "$kt-$d-int"
    expect "unsupported-key-type@$d" alb "$kt-$d-leaf" "$kt-$d-root" "$kt-$d-int"
    expect "unsupported-key-type@$d" apigw "$kt-$d-leaf" "$kt-$d-root" "$kt-$d-int"
  done
done
# The detail names the key and its place.
got strict rsa1024-2-leaf rsa1024-2-root rsa1024-2-int >/dev/null
[ "$(jq -r .detail "$T/v.json")" = "trust anchor RSA-1024: too weak" ] ||
  fail "anchor key detail: $(jq -r .detail "$T/v.json")"
pass "weak anchor key detail"

# RFC 5280 section 4 structural checks, as errors.
unknown="1.3.6.1.4.1.55555.1.1=critical,DER:0500"
RX=("${CA[@]:0:3}" "$unknown")
chain3 crit-root p256 p256 p256
expect unhandled-critical-extension@2 strict crit-root-leaf crit-root-root crit-root-int
IX=("${CA[@]}" "$unknown")
chain3 crit-int p256 p256 p256
expect unhandled-critical-extension@1 strict crit-int-leaf crit-int-root crit-int-int
RX=("${CA[@]:1:2}")
chain3 nobc-root p256 p256 p256
expect invalid-ca@2 strict nobc-root-leaf nobc-root-root nobc-root-int
RX=("basicConstraints=CA:TRUE" "${CA[@]:1:2}")
chain3 bcnc-root p256 p256 p256
expect bad-extension@2 strict bcnc-root-leaf bcnc-root-root bcnc-root-int
IX=("basicConstraints=CA:TRUE" "${CA[@]:1}")
chain3 bcnc-int p256 p256 p256
expect bad-extension@1 strict bcnc-int-leaf bcnc-int-root bcnc-int-int
LX=("${LEAF[0]}" "keyUsage=critical,digitalSignature,keyCertSign" "${LEAF[@]:2}")
chain3 kcs-leaf p256 p256 p256
expect bad-extension@0 strict kcs-leaf-leaf kcs-leaf-root kcs-leaf-int
LX=("${LEAF[@]:0:4}" "authorityKeyIdentifier=critical,keyid")
chain3 akic p256 p256 p256
expect bad-extension@0 strict akic-leaf akic-root akic-int
LX=("${LEAF[@]:0:4}" "authorityKeyIdentifier=none")
chain3 noaki-leaf p256 p256 p256
expect bad-extension@0 strict noaki-leaf-leaf noaki-leaf-root noaki-leaf-int
IX=("${CA[@]:0:3}" "authorityKeyIdentifier=none")
chain3 noaki-int p256 p256 p256
expect bad-extension@1 strict noaki-int-leaf noaki-int-root noaki-int-int
# No SKI in a CA: its child's AKI keyIdentifier is written raw, the SHA-1
# of the CA's P-256 public key (the last 65 octets of its SPKI).
aki_raw() {
  echo "2.5.29.35=DER:30168014$(openssl x509 -in "$P/$1.crt" -noout -pubkey |
    openssl pkey -pubin -outform DER | tail -c 65 | sha1sum | cut -c1-40)"
}
vp_cert noski-root self "/CN=noski root" "${CA[@]:0:2}" "subjectKeyIdentifier=none"
vp_cert noski-rint noski-root "/CN=noski rint" "${CA[@]:0:3}" "$(aki_raw noski-root)"
vp_cert noski-rleaf noski-rint "/CN=noski rleaf" "${LEAF[@]}"
expect bad-extension@2 strict noski-rleaf noski-root noski-rint
vp_cert noski-int good-root "/CN=noski int" "${CA[@]:0:2}" \
  "subjectKeyIdentifier=none" "${CA[3]}"
vp_cert noski-leaf noski-int "/CN=noski leaf" "${LEAF[@]:0:4}" "$(aki_raw noski-int)"
expect bad-extension@1 strict noski-leaf good-root noski-int
SUBJ=/ chain3 empty-nc p256 p256 p256
expect bad-extension@0 strict empty-nc-leaf empty-nc-root empty-nc-int
LX=("${LEAF[@]}" "subjectAltName=critical,email:a@example.com")
SUBJ=/ chain3 empty-c p256 p256 p256
expect accept strict empty-c-leaf empty-c-root empty-c-int
IX=("${CA[@]}" "nameConstraints=permitted;DNS:example.com")
chain3 ncnc p256 p256 p256
expect bad-extension@1 strict ncnc-leaf ncnc-root ncnc-int
LX=("${LEAF[@]}" "nameConstraints=critical,permitted;DNS:example.com")
chain3 ncleaf p256 p256 p256
expect bad-extension@0 strict ncleaf-leaf ncleaf-root ncleaf-int
IX=("${CA[@]}" "policyConstraints=inhibitPolicyMapping:0")
chain3 pcnc p256 p256 p256
expect bad-extension@1 strict pcnc-leaf pcnc-root pcnc-int
LX=("${LEAF[@]}" "subjectAltName=DNS:bad_name.example")
chain3 badsan p256 p256 p256
expect bad-extension@0 strict badsan-leaf badsan-root badsan-int
# A CA without keyUsage: RFC 5280 6.1.4 (n) checks keyCertSign only when
# keyUsage is present; strict follows it (OpenSSL -x509_strict refuses).
IX=("${CA[0]}" "${CA[@]:2}")
chain3 noku-int p256 p256 p256
expect accept strict noku-int-leaf noku-int-root noku-int-int
IX=("${CA[0]}" "keyUsage=critical,cRLSign" "${CA[@]:2}")
chain3 nokcs-int p256 p256 p256
expect invalid-ca@1 strict nokcs-int-leaf nokcs-int-root nokcs-int-int
# Certificate policies (6.1.3 (d)-(f)) with the any-policy initial set:
# requireExplicitPolicy needs a policy all the way down; inhibitAnyPolicy
# stops anyPolicy from standing in for one.
pol=1.3.6.1.4.1.55555.9
IX=("${CA[@]}" "policyConstraints=critical,requireExplicitPolicy:0")
chain3 pol-none p256 p256 p256
expect policy@0 strict pol-none-leaf pol-none-root pol-none-int
IX=("${CA[@]}" "policyConstraints=critical,requireExplicitPolicy:0" "certificatePolicies=$pol")
LX=("${LEAF[@]}" "certificatePolicies=$pol")
chain3 pol-ok p256 p256 p256
expect accept strict pol-ok-leaf pol-ok-root pol-ok-int
IX=("${CA[@]}" "policyConstraints=critical,requireExplicitPolicy:0"
  "inhibitAnyPolicy=critical,0" "certificatePolicies=2.5.29.32.0")
LX=("${LEAF[@]}" "certificatePolicies=2.5.29.32.0")
chain3 pol-inhibit p256 p256 p256
expect policy@0 strict pol-inhibit-leaf pol-inhibit-root pol-inhibit-int
# Serial numbers: positive, at most 20 octets (4.1.2.2).
for s in 0 -5 0x0102030405060708090a0b0c0d0e0f101112131415; do
  VP_SERIAL=$s vp_cert "serial$s" good-int "/CN=serial $s" "${LEAF[@]}"
  expect malformed@0 strict "serial$s" good-root good-int
done

# Name constraints, every form, on the intermediate (critical).
# nc NAME CONSTRAINT LEAF-SUBJECT WANT [LEAF-EXT...]
nc() {
  local n=$1 c=$2 subj=$3 want=$4
  shift 4
  IX=("${CA[@]}" "nameConstraints=critical,$c" "${NC_SECTION[@]}")
  LX=("${LEAF[@]}" "$@")
  SUBJ=$subj chain3 "nc-$n" p256 p256 p256
  expect "$want" strict "nc-$n-leaf" "nc-$n-root" "nc-$n-int"
}
nc dns-in "permitted;DNS:example.com" /CN=x accept subjectAltName=DNS:a.example.com
nc dns-out "permitted;DNS:example.com" /CN=x name-constraints@0 subjectAltName=DNS:a.example.org
nc dns-suffix "permitted;DNS:example.com" /CN=x name-constraints@0 subjectAltName=DNS:badexample.com
nc dns-excl "excluded;DNS:bad.example.com" /CN=x name-constraints@0 subjectAltName=DNS:x.bad.example.com
nc dns-malformed "permitted;DNS:.example.com" /CN=x name-constraints@1 subjectAltName=DNS:a.example.com
nc cn-only "permitted;DNS:example.com" /CN=host.example.org accept
nc mail-in "permitted;email:example.com" /CN=x accept subjectAltName=email:u@example.com
nc mail-out "permitted;email:example.com" /CN=x name-constraints@0 subjectAltName=email:u@example.org
nc mail-subject "permitted;email:example.com" /CN=x/emailAddress=u@example.org name-constraints@0
nc mail-box "excluded;email:boss@example.com" /CN=x name-constraints@0 subjectAltName=email:boss@example.com
nc uri-in "permitted;URI:.example.com" /CN=x accept subjectAltName=URI:https://h.example.com/x
nc uri-out "permitted;URI:.example.com" /CN=x name-constraints@0 subjectAltName=URI:https://h.example.org/x
nc ip4-in "permitted;IP:10.0.0.0/255.0.0.0" /CN=x accept subjectAltName=IP:10.1.2.3
nc ip4-out "permitted;IP:10.0.0.0/255.0.0.0" /CN=x name-constraints@0 subjectAltName=IP:192.168.1.1
nc ip6-in "permitted;IP:fd00::/ff00::" /CN=x accept subjectAltName=IP:fd00::1
nc ip6-excl "excluded;IP:fd00::/ff00::" /CN=x name-constraints@0 subjectAltName=IP:fd00::1
nc ip-mask "permitted;IP:10.0.0.0/255.0.255.0" /CN=x name-constraints@1 subjectAltName=IP:10.0.0.1
# A directoryName constraint names a section of the extension file.
NC_SECTION=("[dir_good]" "O=Good")
nc dir-in "permitted;dirName:dir_good" /O=Good/CN=x accept
nc dir-out "permitted;dirName:dir_good" /O=Bad/CN=x name-constraints@0
NC_SECTION=()
nc other "excluded;otherName:1.3.6.1.4.1.55555.2;UTF8:x" /CN=x name-constraints@0 \
  "subjectAltName=otherName:1.3.6.1.4.1.55555.2;UTF8:y"
nc other-noop "excluded;otherName:1.3.6.1.4.1.55555.2;UTF8:x" /CN=x accept \
  subjectAltName=DNS:a.example.com
nc rid "permitted;RID:1.3.6.1.4.1.55555.3" /CN=x name-constraints@0 \
  subjectAltName=RID:1.3.6.1.4.1.55555.3
# The detail names the name and the constraining certificate.
got strict nc-ip4-out-leaf nc-ip4-out-root nc-ip4-out-int >/dev/null
[ "$(jq -r .detail "$T/v.json")" = \
  "a iPAddress is outside the name constraints of the certificate at depth 1" ] ||
  fail "nc detail: $(jq -r .detail "$T/v.json")"
pass "name-constraints detail"

# CRL profile: a CRL without cRLNumber is refused (RFC 5280 5.2.3).
mkdir -p "$P/ca"
: >"$P/ca/index.txt"
cat >"$P/ca.cnf" <<EOF
[ca]
default_ca = d
[d]
database = $P/ca/index.txt
default_md = sha256
default_crl_days = 30
EOF
openssl ca -config "$P/ca.cnf" -gencrl -keyfile "$P/good-int.key" \
  -cert "$P/good-int.crt" -out "$P/v1.crl" 2>/dev/null
echo 01 >"$P/ca/crlnumber"
echo "crlnumber = $P/ca/crlnumber" >>"$P/ca.cnf"
openssl ca -config "$P/ca.cnf" -gencrl -keyfile "$P/good-int.key" \
  -cert "$P/good-int.crt" -out "$P/v2.crl" 2>/dev/null
openssl ca -config "$P/ca.cnf" -gencrl -keyfile "$P/good-root.key" \
  -cert "$P/good-root.crt" -out "$P/root.crl" 2>/dev/null
cat "$P/v1.crl" "$P/root.crl" >"$P/bad.crl"
cat "$P/v2.crl" "$P/root.crl" >"$P/good.crl"
expect crl-invalid@0 strict good-leaf good-root good-int --crl "$P/bad.crl"
expect accept strict good-leaf good-root good-int --crl "$P/good.crl"

# Text output carries the same reason and depth.
expect_status 1 mtlskit verify --truststore "$P/nc-dns-out-root.crt" \
  --chain "$P/nc-dns-out-int.crt" "$P/nc-dns-out-leaf.crt"
expect_grep "refused \(strict\): name-constraints at depth 0: dNSName 'a.example.org' is outside" "$T/out"
pass "text output"

# --at: RFC 3339 with offsets and fractions (floored), @unix, now-forms.
nb=$(date -u -d "$(openssl x509 -in "$P/good-leaf.crt" -noout -startdate |
  cut -d= -f2)" +%s)
for at in "@$nb" "$(date -u -d "@$nb" +%Y-%m-%dT%H:%M:%SZ)" \
  "$(date -u -d "@$nb" +%Y-%m-%dT%H:%M:%S.999Z)" \
  "$(TZ=Etc/GMT-2 date -d "@$nb" +%Y-%m-%dT%H:%M:%S+02:00)" \
  "$(TZ=Etc/GMT+5 date -d "@$nb" +%Y-%m-%dt%H:%M:%S.5-05:00)" \
  "$(date -u -d "@$nb" '+%Y-%m-%d %H:%M:%Sz')" now now+1d; do
  expect accept strict good-leaf good-root good-int --at "$at"
done
for at in "@$((nb - 1))" "$(date -u -d "@$((nb - 1))" +%Y-%m-%dT%H:%M:%S.999Z)" \
  "$(TZ=Etc/GMT-1 date -d "@$((nb - 1))" +%Y-%m-%dT%H:%M:%S+01:00)"; do
  # The three certificates may start a second apart: any depth will do.
  have=$(got strict good-leaf good-root good-int --at "$at")
  [ "${have%@*}" = not-yet-valid ] || fail "--at $at: got $have"
done
for at in 2026-11-23T17:00:00 2026-11-23T17:00:00+0100 2026-11-23T17:00Z \
  2026-13-01T00:00:00Z 2026-11-23T17:00:00.Z yesterday; do
  expect_status 2 mtlskit verify --at "$at" --truststore "$P/good-root.crt" \
    "$P/good-leaf.crt"
  grep -qxF "mtlskit verify: error: --at: cannot read time '$at'" "$T/err" ||
    { cat "$T/err" >&2; fail "--at $at: error line"; }
done
pass "--at forms"

# --verify-depth: 0..255, said in --help and in the error.
expect accept strict good-leaf good-root good-int --verify-depth 255
expect depth-exceeded@2 strict good-leaf good-root good-int --verify-depth 0
expect_status 2 mtlskit verify --verify-depth 256 --truststore "$P/good-root.crt" \
  "$P/good-leaf.crt"
expect_grep "wants 0\.\.255, not '256'" "$T/err"
expect_status 0 mtlskit verify --help
expect_grep "max intermediates, 0\.\.255" "$T/out"
expect_grep "at most 64 files" "$T/out"
pass "--verify-depth limits"

done_testing
