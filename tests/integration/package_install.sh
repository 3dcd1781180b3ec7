# The Debian package installs into a clean root and runs there: the root
# holds only what the package's Depends name (their
# closure, copied from this Debian bookworm machine's packages, with a dpkg
# status file listing exactly them, /usr merged as on bookworm), so
# `dpkg --root ROOT -i` checks the Depends and a missing one fails; then
# `mtlskit --version` and `mtlskit demo` run inside it (chroot).
# scripts/package-check-debootstrap does the same in a root that
# debootstrap makes from Debian's archive (minutes: outside CI).
# Needs root (chroot, mount); exits 77 (skipped) without it.
. "$MTK_SRC/tests/lib/testlib.sh"

if [ "$(id -u)" -ne 0 ]; then
  echo "skipped: chroot and mount need root"
  exit 77
fi
build=$(cd "$(dirname "$MTK_BIN")" && pwd)
deb=$(ls "$build"/package/mtlskit_*_amd64.deb 2>/dev/null | head -n 1)
[ -f "$deb" ] || fail "no package in $build/package (integration.package_build makes it)"

R="$T/root"
mkdir -p "$R"/usr/{bin,sbin,lib,lib64} "$R"/{etc,tmp,proc,dev,var/lib/dpkg/info,var/lib/dpkg/updates}
for d in bin sbin lib lib64; do ln -s "usr/$d" "$R/$d"; done
chmod 1777 "$R/tmp"

# The closure of the package's Depends over the packages installed here.
python3 - "$(dpkg-deb -f "$deb" Depends)" >"$T/closure" <<'PY'
import subprocess, sys

def installed(name):
    r = subprocess.run(["dpkg-query", "-W", "-f=${Status}", name],
                       capture_output=True, text=True)
    return r.returncode == 0 and r.stdout.endswith("install ok installed")

def depends(name):
    r = subprocess.run(["dpkg-query", "-W", "-f=${Pre-Depends}, ${Depends}", name],
                       capture_output=True, text=True, check=True)
    return r.stdout

def names(field):
    for group in field.split(","):
        alts = [a.split("(")[0].split(":")[0].strip() for a in group.split("|")]
        alts = [a for a in alts if a]
        if not alts:
            continue
        pick = next((a for a in alts if installed(a)), None)
        if pick is None:
            sys.exit("dependency %s is not installed here" % group.strip())
        yield pick

seen, todo = set(), list(names(sys.argv[1]))
while todo:
    p = todo.pop()
    if p in seen:
        continue
    seen.add(p)
    todo.extend(names(depends(p)))
print("\n".join(sorted(seen)))
PY
[ "$(wc -l <"$T/closure")" -ge 5 ] || fail "closure: $(cat "$T/closure")"
grep -qx android-libboringssl "$T/closure" || fail "android-libboringssl is not in the closure"

# Their files (those that exist here; dpkg lists directories too), and a
# status file that says they are installed.
while read -r p; do
  dpkg -L "$p" 2>/dev/null | while read -r f; do
    [ -e "$f" ] || [ -L "$f" ] || continue
    [ -d "$f" ] && [ ! -L "$f" ] && continue
    printf '%s\n' "${f#/}"
  done
  dpkg-query -s "$p" >>"$R/var/lib/dpkg/status"
  echo >>"$R/var/lib/dpkg/status"
done <"$T/closure" >"$T/files"
(cd / && tar -cf - --no-recursion -T "$T/files") |
  tar -xf - -C "$R" --keep-directory-symlink
: >"$R/var/lib/dpkg/available"
pass "a clean root with the $(wc -l <"$T/closure") packages the Depends need ($(wc -l <"$T/files") files)"

expect_status 0 dpkg --root="$R" --force-script-chrootless -i "$deb"
dpkg-query --admindir="$R/var/lib/dpkg" -W -f='${Status}' mtlskit | grep -q 'install ok installed' ||
  fail "dpkg does not record mtlskit as installed"
[ -x "$R/usr/bin/mtlskit" ] && [ -x "$R/usr/libexec/mtlskit/mtlskit-probe" ] || fail "not unpacked"
# A package that needs more than it declares would not run below; one that
# declares what is missing is refused by dpkg: check dpkg refuses a root
# without android-libboringssl.
mkdir "$T/bare"
cp -a "$R/var" "$T/bare/"
python3 - "$T/bare/var/lib/dpkg/status" <<'PY'
import sys
path = sys.argv[1]
entries = open(path).read().split("\n\n")
keep = [e for e in entries if e.strip() and not e.startswith("Package: android-libboringssl\n")
        and not e.startswith("Package: mtlskit\n")]
open(path, "w").write("\n\n".join(keep) + "\n\n")
PY
expect_status 1 dpkg --root="$T/bare" --force-script-chrootless -i "$deb"
expect_grep 'depends on android-libboringssl' "$T/err"
pass "dpkg -i into the clean root; without android-libboringssl dpkg refuses it"

mount -t proc proc "$R/proc"
on_exit "umount -l '$R/proc'"
for n in null zero urandom random; do
  touch "$R/dev/$n"
  mount --bind "/dev/$n" "$R/dev/$n"
  on_exit "umount -l '$R/dev/$n'"
done
in_root() { env -i PATH=/usr/bin:/bin HOME=/tmp TMPDIR=/tmp "$(command -v chroot)" "$R" "$@"; }
expect_status 0 in_root mtlskit --version
version=$(sed -n 's/^project(mtlskit VERSION \([0-9.]*\).*/\1/p' "$MTK_SRC/CMakeLists.txt")
expect_grep "^mtlskit $version$" "$T/out"
expect_status 0 in_root mtlskit fixtures --version
expect_grep 'BoringSSL' "$T/out"
pass "mtlskit --version in the clean root"

expect_status 0 in_root mtlskit demo
expect_grep '^[0-9]+ met, 0 not met' "$T/out"
dir=$(sed -n 's/^Everything the demo made is in //p' "$T/out")
[ -f "$R$dir/internal.user.pfx" ] || fail "the demo's files are not in the root's $dir"
pass "mtlskit demo in the clean root: $(grep -E '^[0-9]+ met' "$T/out" | cut -d, -f1-2)"

done_testing
