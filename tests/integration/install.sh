# cmake --install puts bin/mtlskit and its subcommand executables in
# libexec/mtlskit, and the installed front-end finds them there.
. "$MTK_SRC/tests/lib/testlib.sh"

build=$(dirname "$MTK_BIN")
expect_status 0 cmake --install "$build" --prefix "$T/prefix"
[ -x "$T/prefix/bin/mtlskit" ] || fail "bin/mtlskit not installed"
for cmd in ca fixtures verify lint probe loadgen report; do
  [ -x "$T/prefix/libexec/mtlskit/mtlskit-$cmd" ] ||
    fail "libexec/mtlskit/mtlskit-$cmd not installed"
done
[ -z "$(ls "$T/prefix/bin" | grep -v '^mtlskit$')" ] ||
  fail "helpers leaked into bin/: $(ls "$T/prefix/bin")"
pass "layout: bin/mtlskit, libexec/mtlskit/mtlskit-*"

# Run the installed copy with the build tree out of the way: PATH and the
# exec path must not point back into the build.
installed() { env -u MTLSKIT_EXEC_PATH PATH=/usr/bin:/bin "$T/prefix/bin/mtlskit" "$@"; }
expect_status 0 installed fixtures "$T/fx" --only ok-root-leaf --quiet
[ -f "$T/fx/manifest.json" ] || fail "installed mtlskit fixtures did nothing"
expect_status 0 installed verify --truststore "$T/fx/trust/root.pem" \
  "$T/fx/cases/ok-root-leaf/cert.pem"
expect_grep 'accepted' "$T/out"
pass "the installed mtlskit runs its subcommands from libexec"

# BoringSSL and OpenSSL never share an executable.
for f in "$T/prefix/bin/mtlskit" "$T"/prefix/libexec/mtlskit/*; do
  libs=$(ldd "$f")
  if grep -q 'android/libcrypto' <<<"$libs" && grep -q 'libcrypto.so.3' <<<"$libs"; then
    fail "$f loads both BoringSSL and OpenSSL"
  fi
done
grep -q 'libcurl' <<<"$(ldd "$T/prefix/libexec/mtlskit/mtlskit-probe")" ||
  fail "mtlskit-probe does not use libcurl"
! grep -q 'android/libcrypto' <<<"$(ldd "$T/prefix/libexec/mtlskit/mtlskit-probe")" ||
  fail "mtlskit-probe loads BoringSSL"
pass "no executable loads both BoringSSL and OpenSSL"

done_testing
