# mtlskit fixtures refresh keeps the set's identity against what endpoints
# were given: the revoked cases keep their serials, the CRLs
# are written again byte for byte while they serve, and when they no
# longer do, refresh names the files to re-upload and --check exits 1.
# The PKCS#12 password from env:/file: never lands in manifest.json.
. "$MTK_SRC/tests/lib/testlib.sh"

F="$T/fx"
E="$T/endpoint"  # what an endpoint was given once: trust/ and crl/
day=86400
t1=$(date -u +%s)
expect_status 0 mtlskit fixtures "$F" --now "@$t1" --only ok-root-leaf,revoked --quiet
mkdir "$E"
cp "$F"/trust/*.pem "$F"/crl/*.pem "$E/"
serials() { jq -r '.cases[] | select(.revocation_reason != null or (.defects | index("revoked"))) | "\(.name) \(.serial)"' "$F/manifest.json"; }
serials >"$T/serials1"
[ "$(wc -l <"$T/serials1")" -eq 4 ] || fail "expected four revoked cases"

# revoked_by_endpoint AT: every revoked leaf of the set is refused by the
# CRL the endpoint holds, per the real openssl and mtlskit verify; the
# valid leaf is accepted.
revoked_by_endpoint() {
  local at=$1 name
  for name in revoked-keycompromise revoked-superseded revoked-no-reason revoked-int-cessation; do
    local cert="$F/cases/$name/cert.pem"
    openssl verify -attime "$at" -purpose sslclient -crl_check_all \
      -CAfile "$E/root.pem" -CRLfile "$E/default.pem" \
      -untrusted "$cert" "$cert" >"$T/ov" 2>&1 && { cat "$T/ov" >&2; fail "$name accepted by openssl with the endpoint's CRL"; }
    grep -q 'certificate revoked' "$T/ov" || { cat "$T/ov" >&2; fail "$name: openssl did not say revoked"; }
    expect_status 1 mtlskit verify --at "@$at" --truststore "$E/root.pem" --crl "$E/default.pem" "$cert"
    expect_grep 'revoked' "$T/out"
  done
  expect_status 0 mtlskit verify --at "@$at" --truststore "$E/root.pem" --crl "$E/default.pem" \
    "$F/cases/ok-root-leaf/cert.pem"
}

# --- nights 2 and 3: nothing to re-upload ---------------------------------------
for night in 1 2; do
  at=$((t1 + night * day))
  expect_status 0 mtlskit fixtures refresh "$F" --now "@$at" --check
  expect_grep "^$F: nothing to re-upload: trust/ and crl/ are unchanged \\(CRLs valid until " "$T/out"
  [ ! -s "$T/err" ] || { cat "$T/err" >&2; fail "refresh --check printed a diagnostic"; }
  for f in "$E"/*.pem; do
    b=$(basename "$f")
    src="$F/crl/$b"; [ -f "$src" ] || src="$F/trust/$b"
    cmp -s "$f" "$src" || fail "night $night: $b differs from what the endpoint holds"
  done
  serials | diff -u "$T/serials1" - || fail "night $night: a revoked case changed serial"
  for name in revoked-keycompromise revoked-int-cessation; do
    want=$(jq -r --arg n "$name" '.cases[] | select(.name == $n) | .serial' "$F/manifest.json")
    got=$(openssl x509 -in "$F/cases/$name/cert.pem" -noout -serial | cut -d= -f2)
    [ "$got" = "$want" ] || fail "$name: certificate serial $got, manifest $want"
  done
  [ "$(openssl x509 -in "$F/cases/revoked-superseded/cert.pem" -noout -startdate)" = \
    "notBefore=$(date -u -d "@$((at - 3600))" '+%b %e %H:%M:%S %Y GMT')" ] ||
    fail "night $night: the revoked leaf was not re-issued for the night"
  revoked_by_endpoint "$at"
done
pass "refresh keeps the revoked serials and the CRLs byte for byte: the endpoint's copy still refuses them"

# --- inside the last 30 days: a warning naming --renew-crls ---------------------
at=$((t1 + 350 * day))
expect_status 0 mtlskit fixtures refresh "$F" --now "@$at" --check
expect_grep "warning: $F: the CRLs endpoints hold expire at .*--renew-crls" "$T/err"
expect_grep "nothing to re-upload" "$T/out"
revoked_by_endpoint "$at"
pass "a CRL about to expire is announced, still kept"

# --- --renew-crls: new CRLs, the old copy still serves ----------------------------
cp -r "$F" "$T/renew"
expect_status 0 mtlskit fixtures refresh "$T/renew" --now "@$at" --renew-crls --check
expect_grep "^$T/renew: re-upload crl/default.pem .*crl/root.crl.pem.*: new CRLs valid until .* \\(the ones endpoints hold stay valid until " "$T/out"
! cmp -s "$E/default.pem" "$T/renew/crl/default.pem" || fail "--renew-crls kept the CRLs"
n_old=$(openssl crl -in "$E/root.crl.pem" -noout -crlnumber | cut -d= -f2)
n_new=$(openssl crl -in "$T/renew/crl/root.crl.pem" -noout -crlnumber | cut -d= -f2)
[ $((16#$n_new)) -gt $((16#$n_old)) ] || fail "CRL number did not grow: $n_old -> $n_new"
pass "--renew-crls issues new CRLs with a higher number"

# --- past nextUpdate: the endpoint's copy is stale -------------------------------
at=$((t1 + 370 * day))
expect_status 1 mtlskit fixtures refresh "$F" --now "@$at" --check
expect_one_line "$T/err"
expect_grep "^mtlskit fixtures: error: $F: the CRLs endpoints hold expired \\(nextUpdate [0-9TZ:-]+\\): re-upload crl/default.pem crl/wrong-signer.pem crl/missing-intermediate.pem crl/root.crl.pem crl/intermediate.crl.pem" "$T/err"
expect_grep "^$F: re-upload crl/default.pem " "$T/out"
[ "$(jq -r .now "$F/manifest.json")" = "$(date -u -d "@$at" +%Y-%m-%dT%H:%M:%SZ)" ] ||
  fail "--check did not refresh the set"
# The new CRLs list the same serials, so re-uploading them is all it takes.
cp "$F"/crl/*.pem "$E/"
revoked_by_endpoint "$at"
# The night after, the new CRLs serve again.
expect_status 0 mtlskit fixtures refresh "$F" --now "@$((at + day))" --check
expect_grep "nothing to re-upload" "$T/out"
pass "an expired CRL makes --check exit 1 naming the files to re-upload"

# Without --check the same is a warning and exit 0.
at=$((t1 + 800 * day))
expect_status 0 mtlskit fixtures refresh "$F" --now "@$at" --quiet
[ ! -s "$T/out" ] || fail "--quiet printed on stdout"
expect_grep "^mtlskit fixtures: warning: $F: the CRLs endpoints hold expired" "$T/err"
pass "without --check a stale copy is a warning"

# A CRL file that is missing from the set: the endpoint's copy cannot be
# known to match; --check says so.
rm "$F/crl/intermediate.crl.pem"
expect_status 1 mtlskit fixtures refresh "$F" --now "@$((at + day))" --check
expect_grep "do not list the set's revocations: re-upload crl/default.pem .*crl/intermediate.crl.pem" "$T/err"
expect_no_grep "crl/root.crl.pem" "$T/err"
pass "a CRL that no longer matches is named"

# --- 20.7: a password kept out of argv stays out of manifest.json -----------------
# world_readable_hits WORD DIR: files under DIR others can read that hold WORD.
world_readable_hits() { find "$2" -type f -perm -o=r -exec grep -l -F "$1" {} + || true; }
export FX_P12_PW="s3cret-from-env-$$"
expect_status 0 mtlskit fixtures "$T/pw" --only ok-root-leaf --p12-password env:FX_P12_PW --quiet
[ -z "$(world_readable_hits "$FX_P12_PW" "$T/pw")" ] || fail "the password is in a world-readable file"
[ "$(jq -c '[.p12_password, .p12_password_source]' "$T/pw/manifest.json")" = '[null,"env:FX_P12_PW"]' ] ||
  fail "manifest: $(jq -c '[.p12_password, .p12_password_source]' "$T/pw/manifest.json")"
openssl pkcs12 -in "$T/pw/cases/ok-root-leaf/identity.p12" -passin env:FX_P12_PW -nokeys -out /dev/null ||
  fail "identity.p12 does not open with the password"
# A refresh reads it again from where it came from.
expect_status 0 mtlskit fixtures refresh "$T/pw" --quiet
openssl pkcs12 -in "$T/pw/cases/ok-root-leaf/identity.p12" -passin env:FX_P12_PW -nokeys -out /dev/null ||
  fail "identity.p12 after refresh does not open with the password"
[ -z "$(world_readable_hits "$FX_P12_PW" "$T/pw")" ] || fail "refresh wrote the password"
unset FX_P12_PW
expect_status 2 mtlskit fixtures refresh "$T/pw" --quiet
expect_grep "FX_P12_PW" "$T/err"

printf 'from-a-file-%s\n' "$$" >"$T/pw.txt"
expect_status 0 mtlskit fixtures "$T/pwf" --only ok-root-leaf --p12-password "file:$T/pw.txt" --quiet
[ -z "$(world_readable_hits "from-a-file-$$" "$T/pwf")" ] || fail "the file: password is in a world-readable file"
[ "$(jq -r .p12_password_source "$T/pwf/manifest.json")" = "file:$T/pw.txt" ] || fail "file: source not recorded"

expect_status 0 mtlskit fixtures "$T/pwp" --only ok-root-leaf --p12-password pass:argv-pw-$$ --quiet
expect_grep "pass: shows in ps" "$T/err"
[ -z "$(world_readable_hits "argv-pw-$$" "$T/pwp")" ] || fail "the pass: password is in a world-readable file"
[ "$(jq -c '[.p12_password, .p12_password_source]' "$T/pwp/manifest.json")" = '[null,null]' ] ||
  fail "pass: recorded"
expect_status 2 mtlskit fixtures refresh "$T/pwp"
expect_grep "give --p12-password" "$T/err"
expect_status 0 mtlskit fixtures refresh "$T/pwp" --p12-password pass:argv-pw-$$ --quiet
openssl pkcs12 -in "$T/pwp/cases/ok-root-leaf/identity.p12" -passin "pass:argv-pw-$$" -nokeys -out /dev/null ||
  fail "identity.p12 after refresh with --p12-password"

# The default is test material and is recorded.
[ "$(jq -r .p12_password "$F/manifest.json")" = mtlskit ] || fail "the default password is not recorded"
pass "the PKCS#12 password from env:/file:/pass: never lands in a world-readable file"

done_testing
