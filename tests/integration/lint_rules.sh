# mtlskit lint truststore: every rule has a bundle that breaks it, and
# clean bundles pass on every platform. Material is made with real openssl.
. "$MTK_SRC/tests/lib/testlib.sh"
. "$MTK_SRC/tests/lib/openssl_ca.sh"

lint() { mtlskit lint truststore "$@"; }

# expect_rule PLATFORM SEVERITY RULE LINT_ARGS...: the rule fires with that
# severity, and the exit status says whether an error was found.
expect_rule() {
  local platform=$1 severity=$2 rule=$3
  shift 3
  local want=0
  [ "$severity" = error ] && want=1
  expect_status "$want" lint --platform "$platform" --json "$@"
  local hits
  hits=$(jq --arg r "$rule" --arg s "$severity" \
    '[.findings[] | select(.rule == $r and .severity == $s)] | length' \
    "$T/out")
  [ "$hits" -ge 1 ] || { cat "$T/out" >&2; fail "$platform: no $severity $rule"; }
  pass "$platform: $rule ($severity)"
}

# expect_clean PLATFORM LINT_ARGS...: no finding at all.
expect_clean() {
  local platform=$1
  shift
  expect_status 0 lint --platform "$platform" --json "$@"
  [ "$(jq '.findings | length' "$T/out")" -eq 0 ] ||
    { cat "$T/out" >&2; fail "$platform: findings on a clean bundle"; }
  pass "$platform: clean bundle passes"
}

# A clean two-level PKI: root + intermediate, with current CRLs for both.
ossl_root root
ossl_sign int root "$OSSL_CA_EXT"
cat "$T/root.pem" "$T/int.pem" >"$T/good.pem"
ossl_crl root "$T/root.crl"
ossl_crl int "$T/int.crl"
for p in alb apigw nginx haproxy cloudflare strict; do
  expect_clean "$p" "$T/good.pem"
done
for p in alb nginx haproxy strict; do
  expect_clean "$p" "$T/good.pem" --crl "$T/root.crl" --crl "$T/int.crl"
done

# --- bundle layout (ALB's parser) ------------------------------------------
{ cat "$T/root.pem"; echo; cat "$T/int.pem"; } >"$T/blank.pem"
expect_rule alb error alb.blank-line "$T/blank.pem"
expect_clean nginx "$T/blank.pem"

{ echo "# issued 2026-11-23"; cat "$T/good.pem"; } >"$T/dash.pem"
expect_rule alb error alb.comment-dash "$T/dash.pem"
{ echo "# issued today"; cat "$T/good.pem"; } >"$T/comment.pem"
expect_clean alb "$T/comment.pem"

cat "$T/good.pem" "$T/root.crl" >"$T/withcrl.pem"
expect_rule alb error alb.pem-only "$T/withcrl.pem"

cat "$T/good.pem" "$T/int.key" >"$T/withkey.pem"
expect_rule nginx error private-key "$T/withkey.pem"

{ cat "$T/good.pem"; echo "Subject: root"; } >"$T/stray.pem"
expect_rule alb error stray-text "$T/stray.pem"
expect_rule nginx warning stray-text "$T/stray.pem"

{ cat "$T/root.pem"; head -n 3 "$T/int.pem"; } >"$T/cut.pem"
expect_rule nginx error pem-unterminated "$T/cut.pem"

echo "# nothing here" >"$T/empty.pem"
expect_rule nginx error empty "$T/empty.pem"

# --- counts and sizes ------------------------------------------------------
: >"$T/many.pem"
for i in $(seq 1 26); do
  ossl_root "ca$i"
  cat "$T/ca$i.pem" >>"$T/many.pem"
done
expect_rule alb error alb.ca-count "$T/many.pem"
cat "$T"/ca{1,2,3,4,5,6}.pem >"$T/six.pem"
expect_rule cloudflare error cloudflare.ca-count "$T/six.pem"
cat "$T"/ca{1,2,3,4,5}.pem >"$T/five.pem"
expect_clean cloudflare "$T/five.pem"
expect_rule go warning caddy.one-ca-per-file "$T/good.pem"
expect_clean go "$T/root.pem"

ossl_root big -addext "1.3.6.1.4.1.55555.1=ASN1:UTF8String:$(head -c 17000 /dev/zero | tr '\0' x)"
expect_rule alb error alb.ca-size "$T/big.pem"
expect_clean nginx "$T/big.pem"

{ cat "$T/good.pem"; for i in $(seq 1 14000); do echo "# padding line of a large bundle file ......................................"; done; } >"$T/huge.pem"
expect_rule apigw warning apigw.file-size "$T/huge.pem"

# --- certificate rules -----------------------------------------------------
ossl_sign notca root "basicConstraints=critical,CA:false"
cat "$T/root.pem" "$T/notca.pem" >"$T/notca-bundle.pem"
expect_rule nginx error not-ca "$T/notca-bundle.pem"

expect_rule alb error expired "$T/good.pem" --at now+400d
expect_rule apigw warning expired "$T/good.pem" --at now+400d
expect_rule nginx warning expires-soon "$T/good.pem" --at now+350d
expect_rule nginx error not-yet-valid "$T/good.pem" --at now-2d

openssl req -x509 -newkey rsa:1024 -nodes -keyout "$T/rsa1024.key" \
  -out "$T/rsa1024.pem" -subj /CN=rsa1024 -days 30 \
  -addext "basicConstraints=critical,CA:true" 2>/dev/null
expect_rule alb error alb.key-type "$T/rsa1024.pem"
expect_rule apigw error apigw.key-type "$T/rsa1024.pem"
expect_rule nginx warning weak-key "$T/rsa1024.pem"
openssl req -x509 -newkey ed25519 -nodes -keyout "$T/ed.key" -out "$T/ed.pem" \
  -subj /CN=ed -days 30 -addext "basicConstraints=critical,CA:true" 2>/dev/null
expect_rule cloudflare error cloudflare.key-type "$T/ed.pem"
expect_rule alb error alb.key-type "$T/ed.pem"

ossl_root sha1root -sha1
expect_rule alb error weak-signature "$T/sha1root.pem"
expect_rule nginx warning weak-signature "$T/sha1root.pem"

ossl_root dup
cp "$T/dup.pem" "$T/dup1.pem"
rm "$T/dup.key"
ossl_root dup
cat "$T/dup1.pem" "$T/dup.pem" >"$T/dups.pem"
expect_rule apigw error duplicate-subject "$T/dups.pem"
expect_rule nginx warning duplicate-subject "$T/dups.pem"

# root -> i1 -> i2 -> i3 -> i4: five CA certificates in one path.
ossl_sign i1 root "$OSSL_CA_EXT"
ossl_sign i2 i1 "$OSSL_CA_EXT"
ossl_sign i3 i2 "$OSSL_CA_EXT"
cat "$T"/{root,i1,i2,i3}.pem >"$T/depth4.pem"
expect_clean alb "$T/depth4.pem"
ossl_sign i4 i3 "$OSSL_CA_EXT"
cat "$T"/{root,i1,i2,i3,i4}.pem >"$T/depth5.pem"
expect_rule alb error aws.chain-depth "$T/depth5.pem"
expect_rule apigw error aws.chain-depth "$T/depth5.pem"

# --- CRL rules -------------------------------------------------------------
ossl_root other
ossl_crl other "$T/other.crl"
expect_rule nginx error crl-signer "$T/good.pem" --crl "$T/root.crl" \
  --crl "$T/int.crl" --crl "$T/other.crl"
expect_rule nginx error crl-expired "$T/good.pem" --crl "$T/root.crl" \
  --crl "$T/int.crl" --at now+31d
expect_rule nginx warning crl-expires-soon "$T/good.pem" --crl "$T/root.crl" \
  --crl "$T/int.crl" --at now+25d
echo "not a crl" >"$T/garbage.crl"
expect_rule alb error crl-parse "$T/good.pem" --crl "$T/garbage.crl"
expect_rule nginx error crl-missing "$T/good.pem" --crl "$T/root.crl"
expect_rule haproxy error crl-missing "$T/good.pem" --crl "$T/root.crl"
expect_clean alb "$T/good.pem" --crl "$T/root.crl"
expect_rule apigw warning crl-ignored "$T/good.pem" --crl "$T/root.crl"
expect_rule cloudflare warning crl-ignored "$T/good.pem" --crl "$T/root.crl"
expect_rule go warning crl-ignored "$T/good.pem" --crl "$T/root.crl"
crl_args=()
for i in $(seq 1 31); do crl_args+=(--crl "$T/root.crl"); done
expect_rule alb error alb.crl-count "$T/good.pem" "${crl_args[@]}"

# --- bad invocations ---------------------------------------------------------
expect_status 2 lint "$T/good.pem"
expect_grep 'platform is required' "$T/err"
expect_one_line <(grep -v '^try' "$T/err")
expect_status 2 lint --platform mars "$T/good.pem"
expect_grep "unknown platform 'mars'" "$T/err"
expect_status 3 lint --platform alb "$T/missing.pem"
expect_grep 'missing.pem' "$T/err"
expect_one_line "$T/err"
expect_status 2 lint --platform alb --crl
expect_grep "^mtlskit lint: error: option '--crl' needs a value$" "$T/err"
expect_no_grep 'unrecognized option|requires an argument' "$T/err"
pass "usage and input errors"

# A bundle whose last line ends in CR without LF (a Windows file cut
# short): lint used to loop on the CR for ever (found by fuzz_cert).
{ tr -d '\r' <"$T/good.pem" | sed 's/$/\r/'; } | head -c -1 >"$T/cr-end.pem"
expect_status 0 timeout 10 mtlskit-lint truststore --platform nginx "$T/cr-end.pem"
pass "a last line ending in CR alone"

done_testing
