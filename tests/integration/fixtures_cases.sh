# mtlskit fixtures: every case is what the manifest says. The real
# `openssl verify` (client purpose, security level 2, CRLs for every CA) and
# `mtlskit verify --platform strict` must both reach the manifest's verdict;
# for "divergent" cases the openssl result is recorded, not asserted.
. "$MTK_SRC/tests/lib/testlib.sh"

now=$(date -u +%s)
F="$T/fx"
expect_status 0 mtlskit fixtures "$F" --now "@$now"
expect_grep "cases as of" "$T/out"
M="$F/manifest.json"
[ "$(jq -r .schema_version "$M")" = 1 ] || fail "schema_version"
[ "$(jq -r .now "$M")" = "$(date -u -d "@$now" +%Y-%m-%dT%H:%M:%SZ)" ] ||
  fail "manifest now is not --now"
num=$(jq '.cases | length' "$M")
[ "$num" -eq "$(mtlskit fixtures list | wc -l)" ] || fail "not every case built"
pass "built $num cases"

# Private keys are 0600; nothing else is world-writable.
bad=$(find "$F" -name '*key.pem' ! -perm 600 | head -n 1)
[ -z "$bad" ] || fail "$bad is not 0600"
bad=$(find "$F" -name 'identity.p12' ! -perm 600 | head -n 1)
[ -z "$bad" ] || fail "$bad is not 0600"
pass "key files are 0600"

# The defect names are the shared vocabulary, and every defect of the
# vocabulary that a case can carry appears.
for d in none no-certificate expired not-yet-valid validity-ends-now revoked \
  unknown-ca self-signed eku-server-only eku-missing eku-any-only \
  missing-intermediate intermediate-expired intermediate-eku-server-only \
  issuer-not-ca pathlen-violated chain-too-deep leaf-is-ca \
  unknown-critical-extension bad-signature sha1-signature weak-key oversized \
  crl-expired crl-wrong-signer crl-missing-intermediate \
  name-constraints-violated name-constraints-no-san name-constraints-ip \
  intermediate-no-key-usage intermediate-no-keycertsign leaf-keycertsign \
  explicit-policy-missing any-policy-inhibited aki-mismatch intermediate-v1 \
  intermediate-unknown-critical-extension root-expired \
  anchor-not-self-signed same-name-intermediates serial-zero \
  serial-negative empty-subject; do
  jq -e --arg d "$d" '[.cases[].defects[] | select(. == $d)] | length > 0' \
    "$M" >/dev/null || fail "no case with defect $d"
done
pass "every defect has a case"

# openssl's X509_V_ERR codes for each strict reason (the codes are the same
# in OpenSSL and BoringSSL, include/openssl/x509_vfy.h).
codes_for() {
  case $1 in
    expired) echo "10" ;;
    not-yet-valid) echo "9" ;;
    revoked) echo "23" ;;
    unknown-issuer) echo "2 20 21 27" ;;
    self-signed) echo "18 19" ;;
    bad-eku) echo "26" ;;
    invalid-ca) echo "24 79" ;;  # 79: the same under -x509_strict
    pathlen-exceeded) echo "25" ;;
    unhandled-critical-extension) echo "34" ;;
    bad-signature) echo "7" ;;
    weak-signature) echo "68" ;;
    weak-key) echo "66" ;;
    crl-missing) echo "3" ;;
    crl-expired) echo "12" ;;
    crl-bad-signature) echo "8" ;;
    name-constraints) echo "47 48" ;;  # not permitted, excluded
    *) echo "none" ;;
  esac
}

attime=$now
# mtlskit verify, strict: one batch run per trust variant ("NAME verdict
# reason" per case with a certificate in $T/strict).
: >"$T/strict"
for trust in $(jq -r '[.cases[].trust] | unique | .[]' "$M"); do
  bundle="$F/$(jq -r --arg t "$trust" '.trust[$t].bundle' "$M")"
  crls="$F/$(jq -r --arg t "$trust" '.trust[$t].crls[0]' "$M")"
  jq -r --arg t "$trust" '.cases[] | select(.trust == $t and .files.cert) |
    "\(.name) \(.files.cert)"' "$M" >"$T/variant"
  [ -s "$T/variant" ] || continue
  got=0
  # The policy cases meet a leak of Debian's BoringSSL (tests/lsan.supp).
  LSAN_OPTIONS=$VERIFY_LSAN_OPTIONS mtlskit verify --json --at "@$attime" \
    --truststore "$bundle" --crl "$crls" $(awk -v d="$F" '{print d "/" $2}' "$T/variant") >"$T/mv.json" \
    2>"$T/mv.err" || got=$?
  [ "$got" -le 1 ] || fail "mtlskit verify ($trust): exit $got ($(cat "$T/mv.err"))"
  jq -r '"\(.verdict) \(.reason)"' "$T/mv.json" >"$T/verdicts"
  [ "$(wc -l <"$T/verdicts")" = "$(wc -l <"$T/variant")" ] ||
    fail "mtlskit verify ($trust): $(wc -l <"$T/verdicts") verdicts"
  paste -d' ' <(cut -d' ' -f1 "$T/variant") "$T/verdicts" >>"$T/strict"
done

# One line per case: name, strict verdict and reason, the trust variant's
# bundle and CRLs, the certificate ("-" for none), the OpenSSL verdict ("-"
# when the manifest records none).
jq -r '.trust as $t | .cases[] | [.name, .verdict.strict, .verdict.reason,
  $t[.trust].bundle, $t[.trust].crls[0], (.files.cert // "-"),
  (.verdict.libraries.openssl // "-")] | @tsv' "$M" >"$T/case-lines"
[ "$(wc -l <"$T/case-lines")" = "$num" ] || fail "case lines"
while IFS=$'\t' read -r name verdict reason bundle crls cert libo; do
  bundle="$F/$bundle"
  crls="$F/$crls"
  [ "$cert" != - ] || cert=""

  # mtlskit verify, strict (the batch above, or --no-cert).
  if [ -z "$cert" ]; then
    mtlskit verify --json --at "@$attime" --truststore "$bundle" \
      --crl "$crls" --no-cert >"$T/mv.json" 2>"$T/mv.err" </dev/null || true
    read -r mv mv_reason < <(jq -r '"\(.verdict) \(.reason)"' "$T/mv.json")
  else
    read -r mv mv_reason < <(awk -v n="$name" '$1 == n {print $2, $3}' "$T/strict")
  fi
  # The strict verifier's verdict is the manifest's, divergent cases too
  # (the reason says which way strict goes).
  if [ "$reason" = ok ]; then
    [ "$mv" = accept ] || fail "$name: mtlskit verify refused ($mv_reason)"
  else
    [ "$mv" = reject ] && [ "$mv_reason" = "$reason" ] ||
      fail "$name: mtlskit verify gave $mv/$mv_reason, manifest $reason"
  fi

  # The real openssl.
  [ -n "$cert" ] || { pass "$name: $verdict ($reason)"; continue; }
  # Cases with per-library verdicts: OpenSSL as the servers run it (client
  # purpose, security level 2, CRLs for every CA, no -x509_strict) reaches
  # the recorded one; mtlskit verify's platforms are checked below.
  if [ "$libo" != - ]; then
    lgot=0
    openssl verify -attime "$attime" -purpose sslclient -auth_level 2 \
      -CAfile "$bundle" -CRLfile "$crls" -crl_check_all \
      -untrusted "$F/$cert" "$F/$cert" >"$T/lv.out" 2>&1 </dev/null || lgot=$?
    [ "$lgot" = 0 ] && lgot=accept || lgot=reject
    [ "$lgot" = "$libo" ] ||
      { cat "$T/lv.out" >&2; fail "$name: openssl verify gave $lgot, manifest openssl $libo"; }
  fi
  ogot=0
  openssl verify -attime "$attime" -purpose sslclient -auth_level 2 \
    -x509_strict -CAfile "$bundle" -CRLfile "$crls" -crl_check_all \
    -untrusted "$F/$cert" "$F/$cert" >"$T/ov.out" 2>&1 </dev/null || ogot=$?
  ocode=$(sed -n 's/^error \([0-9]*\) at .*/\1/p' "$T/ov.out" | head -n 1)
  case $verdict in
    accept)
      [ "$ogot" -eq 0 ] || { cat "$T/ov.out" >&2; fail "$name: openssl refused"; } ;;
    reject)
      [ "$ogot" -ne 0 ] || fail "$name: openssl accepted"
      # A library case names its own reading (aki-mismatch: OpenSSL finds
      # no issuer); the verdicts were checked above.
      [ "$libo" = - ] || { pass "$name: $verdict ($reason)"; continue; }
      want=$(codes_for "$reason")
      [[ " $want " == *" $ocode "* ]] ||
        { cat "$T/ov.out" >&2; fail "$name: openssl error $ocode, want $want ($reason)"; } ;;
    divergent)
      echo "record: $name: openssl exit $ogot${ocode:+ (error $ocode)}, strict $reason" ;;
  esac
  pass "$name: $verdict ($reason)"
done <"$T/case-lines"

# mtlskit verify on the OpenSSL and BoringSSL platforms gives each case
# with per-library verdicts the one recorded for its library: one batch run
# per trust variant and platform.
for trust in $(jq -r '[.cases[] | select(.verdict.libraries) | .trust] | unique | .[]' "$M"); do
  bundle="$F/$(jq -r --arg t "$trust" '.trust[$t].bundle' "$M")"
  crls="$F/$(jq -r --arg t "$trust" '.trust[$t].crls[0]' "$M")"
  jq -r --arg t "$trust" '.cases[] | select(.verdict.libraries and .trust == $t) |
    "\(.name) \(.files.cert) \(.verdict.libraries.openssl) \(.verdict.libraries.boringssl)"' \
    "$M" >"$T/lib-cases"
  for platform in nginx alb; do
    got=0
    mtlskit verify --at "@$attime" --platform "$platform" --truststore "$bundle" \
      --crl "$crls" $(awk -v d="$F" '{print d "/" $2}' "$T/lib-cases") \
      >"$T/lib.out" 2>"$T/lib.err" || got=$?
    [ "$got" -le 1 ] || fail "batch $platform ($trust): exit $got ($(cat "$T/lib.err"))"
    i=0
    while read -r name cert o b; do
      i=$((i + 1))
      want=$o
      [ "$platform" = alb ] && want=$b
      case $(sed -n "${i}p" "$T/lib.out") in
        "$F/$cert: accepted"*) v=accept ;;
        "$F/$cert: refused"*) v=reject ;;
        *) fail "batch $platform line $i: $(sed -n "${i}p" "$T/lib.out")" ;;
      esac
      [ "$v" = "$want" ] ||
        fail "$name: mtlskit verify --platform $platform gave $v, manifest $want"
    done <"$T/lib-cases"
  done
  pass "$trust: mtlskit verify nginx and alb give every library verdict"
done

# The identities load in the tools users have: curl-style PEM pairs match
# their keys, and identity.p12 opens with OpenSSL 3 without -legacy.
pw=$(jq -r .p12_password "$M")
for name in ok-root-leaf ok-int-chain ok-keytype-ed25519; do
  d="$F/cases/$name"
  [ "$(openssl x509 -in "$d/cert.pem" -noout -pubkey | sha256sum)" = \
    "$(openssl pkey -in "$d/key.pem" -pubout | sha256sum)" ] ||
    fail "$name: key does not match certificate"
  openssl pkcs12 -in "$d/identity.p12" -passin "pass:$pw" -nokeys \
    -out "$T/p12.pem" 2>"$T/p12.err" || { cat "$T/p12.err" >&2; fail "$name: p12"; }
  [ "$(grep -c 'BEGIN CERTIFICATE' "$T/p12.pem")" -eq \
    "$(grep -c 'BEGIN CERTIFICATE' "$d/cert.pem")" ] || fail "$name: p12 chain"
done
pass "PEM pairs and PKCS#12 open with openssl"

done_testing
