# mtlskit fixtures: refresh keeps keys and CA certificates, selection works,
# and a failed command leaves the directory exactly as it was.
. "$MTK_SRC/tests/lib/testlib.sh"

F="$T/fx"
t1=$(date -u +%s)
expect_status 0 mtlskit fixtures "$F" --now "@$t1" --only ok-root-leaf,expired,revoked --quiet
[ ! -s "$T/out" ] || fail "--quiet printed something"
jq -r '.cases[].name' "$F/manifest.json" | sort >"$T/names"
printf '%s\n' expired-1s expired-1y ok-root-leaf revoked-int-cessation \
  revoked-keycompromise revoked-no-reason revoked-superseded >"$T/want"
diff -u "$T/want" "$T/names" || fail "--only by case and defect names"
pass "--only selects cases by name and by defect"

expect_status 0 mtlskit fixtures "$T/ex" --exclude revoked,crl-expired,oversized --quiet
! jq -e '.cases[] | select(.defects[] == "revoked" or .name == "oversized")' \
  "$T/ex/manifest.json" >/dev/null || fail "--exclude"
pass "--exclude"

# --- refresh -------------------------------------------------------------------
key_sums() { (cd "$F" && find . -name '*key.pem' -print0 | sort -z | xargs -0 sha256sum); }
ca_sums() { (cd "$F" && sha256sum ca/*.cert.pem); }
key_sums >"$T/keys1"
ca_sums >"$T/cas1"
na1=$(openssl x509 -in "$F/cases/expired-1s/cert.pem" -noout -enddate)
t2=$((t1 + 86400))
expect_status 0 mtlskit fixtures refresh "$F" --now "@$t2"
key_sums >"$T/keys2"
ca_sums >"$T/cas2"
diff -q "$T/keys1" "$T/keys2" >/dev/null || fail "refresh re-keyed something"
diff -q "$T/cas1" "$T/cas2" >/dev/null || fail "refresh re-issued a CA"
na2=$(openssl x509 -in "$F/cases/expired-1s/cert.pem" -noout -enddate)
[ "$na2" = "notAfter=$(date -u -d "@$((t2 - 1))" '+%b %e %H:%M:%S %Y GMT')" ] ||
  fail "expired-1s after refresh: $na2"
[ "$na1" != "$na2" ] || fail "refresh did not move the validity window"
[ "$(jq -r '.cases | length' "$F/manifest.json")" -eq 7 ] ||
  fail "refresh did not keep the selection"
[ "$(jq -r .now "$F/manifest.json")" = "$(date -u -d "@$t2" +%Y-%m-%dT%H:%M:%SZ)" ] ||
  fail "refresh manifest time"
# The refreshed revocations still revoke, and the old trust bundle still
# verifies the new leaves.
expect_status 1 mtlskit verify --at "@$t2" --truststore "$F/trust/root.pem" \
  --crl "$F/crl/default.pem" "$F/cases/revoked-keycompromise/cert.pem"
expect_grep 'revoked' "$T/out"
expect_status 0 mtlskit verify --at "@$t2" --truststore "$F/trust/root.pem" \
  --crl "$F/crl/default.pem" "$F/cases/ok-root-leaf/cert.pem"
pass "refresh keeps keys and CA certificates and moves validity windows"

# --- an existing set is never rebuilt by accident ---------------------------
before=$(tree_digest "$F")
expect_status 2 mtlskit fixtures "$F" --only ok-root-leaf
expect_one_line "$T/err"
expect_grep "is a fixture set already: 'mtlskit fixtures refresh $F' renews it" "$T/err"
expect_grep ' --force ' "$T/err"
[ "$(tree_digest "$F")" = "$before" ] || fail "a refused build changed $F"
pass "building over an existing set is refused, naming refresh and --force"

# refresh takes only what keeps the set's identity.
expect_status 2 mtlskit fixtures refresh "$F" --key-type rsa2048
expect_grep "[-]-key-type applies to a new set" "$T/err"
expect_status 2 mtlskit fixtures "$T/nf" --check
expect_grep "[-]-check applies to 'mtlskit fixtures refresh'" "$T/err"
[ ! -e "$T/nf" ] || fail "a refused build created a directory"
[ "$(tree_digest "$F")" = "$before" ] || fail "a refused refresh changed $F"
pass "refresh refuses options that would change the set"

# --- failures change nothing -----------------------------------------------------
before=$(tree_digest "$F")
expect_status 2 mtlskit fixtures "$F" --force --only no-such-case
expect_grep "'no-such-case' is neither a fixture case nor a defect" "$T/err"
expect_one_line "$T/err"
expect_status 2 mtlskit fixtures "$F" --key-type rsa1024
expect_grep "unknown key type 'rsa1024'" "$T/err"
expect_status 2 mtlskit fixtures refresh "$F" --now yesterday
expect_grep "cannot read time 'yesterday'" "$T/err"
expect_status 2 mtlskit fixtures "$F" --force --subject-template '/CN={name}/bogus'
expect_one_line "$T/err"
expect_status 2 mtlskit fixtures "$F" --no-such-option p256
expect_grep "^mtlskit fixtures: error: unknown option '--no-such-option'$" "$T/err"
expect_no_grep 'unrecognized option' "$T/err"
[ "$(tree_digest "$F")" = "$before" ] || fail "a failed command changed $F"
[ -z "$(ls -d "$F".new-* "$F".old-* 2>/dev/null)" ] || fail "leftover directories"
pass "bad input: one-line errors, directory unchanged"

# Nothing but a fixture set is ever replaced, not even with --force, and
# what --force replaces is moved aside, keys and all.
mkdir "$T/other"
echo "precious" >"$T/other/notes.txt"
echo '{"name": "not ours"}' >"$T/other/manifest.json"
before=$(tree_digest "$T/other")
expect_status 2 mtlskit fixtures "$T/other"
expect_one_line "$T/err"
expect_grep 'is not a fixture set' "$T/err"
expect_status 2 mtlskit fixtures "$T/other" --force --only ok-root-leaf
expect_grep '[-]-force replaces only a fixture set' "$T/err"
expect_status 3 mtlskit fixtures refresh "$T/other"
expect_grep 'not a fixture set' "$T/err"
[ "$(tree_digest "$T/other")" = "$before" ] || fail "a foreign directory was touched"
pass "foreign directories are refused, even with --force"

expect_status 0 mtlskit ca init "$T/myca" --subject "/CN=Precious CA" --key-type p256
expect_status 0 mtlskit ca issue "$T/myca" alice --subject /CN=alice
before=$(tree_digest "$T/myca")
expect_status 2 mtlskit fixtures "$T/myca" --force
expect_one_line "$T/err"
expect_grep "is a CA directory" "$T/err"
expect_status 2 mtlskit fixtures "$T/myca"
expect_status 3 mtlskit fixtures refresh "$T/myca"
[ "$(tree_digest "$T/myca")" = "$before" ] || fail "fixtures touched a CA directory"
[ -z "$(ls -d "$T"/myca.* 2>/dev/null)" ] || fail "leftovers beside the CA"
pass "fixtures --force on a CA directory exits 2 and leaves it byte-for-byte intact"

old_root=$(sha256sum <"$F/ca/root.key.pem")
before=$(tree_digest "$F")
expect_status 0 mtlskit fixtures "$F" --force --only ok-root-leaf
expect_grep "the previous set, keys included, is now $F\.replaced-[0-9]{8}T[0-9]{6}Z" "$T/err"
aside=$(ls -d "$F".replaced-*)
[ "$(tree_digest "$aside")" = "$before" ] || fail "the replaced set was not kept intact"
[ "$(sha256sum <"$F/ca/root.key.pem")" != "$old_root" ] || fail "--force kept the root key"
[ "$(jq '.cases | length' "$F/manifest.json")" -eq 1 ] || fail "--force did not build the new set"
pass "--force moves the previous set aside intact and builds a new one"

# An unwritable parent: the error names the path, nothing is created.
mkdir "$T/ro"
chmod 0555 "$T/ro"
if [ "$(id -u)" -ne 0 ]; then
  expect_status 3 mtlskit fixtures "$T/ro/fx"
  expect_one_line "$T/err"
  [ ! -e "$T/ro/fx" ] || fail "created under a read-only directory"
  pass "unwritable path"
fi

done_testing
