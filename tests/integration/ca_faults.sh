# Fault injection: `mtlskit ca issue`, `issue --batch`, `revoke` and `crl`
# run under strace, which makes the Nth write, fsync, rename or link fail
# with ENOSPC, EIO or EINTR (for N from 1 to each command's count of that
# call). Whenever the command fails it must say so in one line on stderr,
# and the CA directory must be as it was, byte for byte, with nothing left
# for `ca check` to report; when the fault missed what matters (the command
# still succeeded), the directory must be consistent.
. "$MTK_SRC/tests/lib/testlib.sh"

command -v strace >/dev/null || fail "strace is missing (scripts/install-deps installs it)"
strace -f -o /dev/null true 2>/dev/null || fail "strace cannot trace here (ptrace refused)"

BASE=$T/base
expect_status 0 mtlskit-ca init "$BASE" --subject "/O=faults/CN=Faults Root"
expect_status 0 mtlskit-ca issue "$BASE" victim --subject /O=faults/CN=victim
printf 'b1 --subject /CN=b1\nb2 --subject /CN=b2\nb3 --subject /CN=b3\n' >"$T/batch"
base_digest=$(tree_digest "$BASE")
bin=$(command -v mtlskit-ca)
# LeakSanitizer stops itself under ptrace (it uses ptrace too); the other
# tests of the sanitized build check for leaks.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"

failed=0 succeeded=0 late=0
# trial NAME SYSCALL ERRNO N ARGS...: one run with the Nth SYSCALL failing.
trial() {
  local name=$1 sc=$2 errno=$3 n=$4 rc=0
  shift 4
  rm -rf "$T/ca"
  cp -a "$BASE" "$T/ca"
  strace -f -o /dev/null -e trace="$sc" -e inject="$sc:error=$errno:when=$n" \
    "$bin" "$@" >"$T/out" 2>"$T/err" || rc=$?
  if [ "$rc" -ne 0 ]; then
    failed=$((failed + 1))
    [ "$(wc -l <"$T/err")" -eq 1 ] && grep -q "^mtlskit ca [a-z]*: error: " "$T/err" ||
      { cat "$T/err" >&2; fail "$name, $sc #$n $errno: exit $rc without a one-line error"; }
    # After the commit point (index.txt renamed into place) only the sync
    # of its directory can fail: the change is visible, and the error says
    # the sync failed (docs/ca.md, Durability).
    if grep -Eq "cannot sync the directory of .*/(index.txt|crlnumber|crl/ca.crl.pem):" "$T/err"; then
      late=$((late + 1))
    else
      [ "$(tree_digest "$T/ca")" = "$base_digest" ] ||
      { diff <(cd "$BASE" && find . | sort) <(cd "$T/ca" && find . | sort) >&2 || true
        fail "$name, $sc #$n $errno: exit $rc ($(cat "$T/err")) but the directory changed"; }
    fi
  else
    succeeded=$((succeeded + 1))
  fi
  "$bin" check "$T/ca" >"$T/check" 2>&1 ||
    { cat "$T/check" >&2; fail "$name, $sc #$n $errno: ca check reports problems"; }
}

for sc in write fsync renameat linkat; do
  for errno in ENOSPC EIO EINTR; do
    for n in 1 2 3 5 8 12; do
      trial issue "$sc" "$errno" "$n" issue "$T/ca" newone --subject /CN=newone
      trial batch "$sc" "$errno" "$n" issue "$T/ca" --batch "$T/batch"
      trial revoke "$sc" "$errno" "$n" revoke "$T/ca" victim
      trial crl "$sc" "$errno" "$n" crl "$T/ca"
    done
  done
done
[ "$failed" -gt 100 ] || fail "only $failed of the injected faults made a command fail"
pass "$failed injected faults failed cleanly (one-line error, directory unchanged but for $late failed syncs after the commit point, ca check clean); $succeeded missed what matters and succeeded consistently"
done_testing
