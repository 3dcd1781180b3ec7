# Builds the Debian package of this build (cpack, docs/... README "Build and
# install") once, into BUILD/package/, for the tests that install it
# (integration.package_install, integration.ci_examples). CTest runs it as
# their fixture.
. "$MTK_SRC/tests/lib/testlib.sh"

build=$(cd "$(dirname "$MTK_BIN")" && pwd)
rm -rf "$build/package"
expect_status 0 cpack -G DEB -B "$build/package" --config "$build/CPackConfig.cmake"
debs=("$build"/package/mtlskit_*_amd64.deb)
[ "${#debs[@]}" -eq 1 ] && [ -f "${debs[0]}" ] || fail "cpack made no .deb: $(ls "$build/package")"
version=$(sed -n 's/^project(mtlskit VERSION \([0-9.]*\).*/\1/p' "$MTK_SRC/CMakeLists.txt")
[ "$(dpkg-deb -f "${debs[0]}" Package)" = mtlskit ] &&
  [ "$(dpkg-deb -f "${debs[0]}" Version)" = "$version" ] ||
  fail "package fields: $(dpkg-deb -f "${debs[0]}" Package Version)"
pass "cpack built ${debs[0]##*/}"

# What it holds: the front-end in bin/, every helper in libexec/mtlskit/,
# a man page per command, the docs; nothing of the build tree.
dpkg-deb -c "${debs[0]}" | awk '{print $6}' | sed 's|^\./||' >"$T/files"
for f in usr/bin/mtlskit usr/share/man/man1/mtlskit.1.gz usr/share/doc/mtlskit/README.md \
  usr/share/doc/mtlskit/fixtures.md; do
  grep -qx "$f" "$T/files" || fail "$f is not in the package"
done
for cmd in ca fixtures verify lint probe serve loadgen report; do
  grep -qx "usr/libexec/mtlskit/mtlskit-$cmd" "$T/files" || fail "mtlskit-$cmd is not in the package"
done
for cmd in ca fixtures verify lint probe serve loadgen demo; do
  grep -qx "usr/share/man/man1/mtlskit-$cmd.1.gz" "$T/files" || fail "no man page for $cmd"
done
! grep -E 'test_|handshake_floor|/build/' "$T/files" || fail "build-tree files in the package"
depends=$(dpkg-deb -f "${debs[0]}" Depends)
for dep in android-libboringssl libcurl4 libuv1 libjansson4 libsimdjson14; do
  grep -q "$dep" <<<"$depends" || fail "Depends lacks $dep: $depends"
done
pass "the package holds bin/, libexec/mtlskit/, man pages and docs, and depends on what was linked"

done_testing
