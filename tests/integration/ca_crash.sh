# A CA survives SIGKILL at any moment: `ca issue --batch`, `ca issue`,
# `ca revoke`, `ca crl` and `ca init` killed after a random delay, then
# `ca check` (which may report the killed command, and nothing else), then
# the interrupted command run again, which must succeed (or find its work
# committed), then `ca check`, which must report a consistent directory:
# every index line with its newcerts file, no signed certificate the index
# does not record. MTK_CRASH_TRIALS (default 100) sets the number of
# trials; a long run: MTK_CRASH_TRIALS=2000.
. "$MTK_SRC/tests/lib/testlib.sh"

trials=${MTK_CRASH_TRIALS:-100}
mtlskit-ca init "$T/tmpl" --subject "/O=t/CN=crash Root CA" --quiet ||
  fail "ca init"
cp -a "$T/tmpl" "$T/tmpl10"
for i in $(seq 1 100); do echo "u$i --subject /O=t/CN=u$i"; done >"$T/batch"
head -10 "$T/batch" >"$T/batch10"
mtlskit-ca issue "$T/tmpl10" --batch "$T/batch10" --quiet || fail "issue"

# killed MAX_MS CMD...: run CMD, SIGKILL it after 0..MAX_MS ms (it may
# finish first).
killed() {
  local max=$1 pid
  shift
  "$@" >/dev/null 2>&1 &
  pid=$!
  sleep "$(printf '0.%03d' $((RANDOM % max)))"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# after_kill: ca check may report only what the killed command left.
after_kill() {
  local rc=0
  mtlskit-ca check "$T/ca" >"$T/check" 2>&1 || rc=$?
  [ "$rc" = 0 ] || [ "$rc" = 1 ] || { cat "$T/check" >&2; fail "$1: check exited $rc"; }
  if grep '^problem:' "$T/check" | grep -v -e '.mtlskit-journal: a command' \
    -e 'newcerts/[0-9A-F]*.pem: a certificate the index does not record' >&2; then
    fail "$1: ca check found more than the killed command's leftovers"
  fi
}

consistent() {
  expect_status 0 mtlskit-ca check "$T/ca"
  expect_grep '^consistent: ' "$T/out"
}

interrupted=0
for ((t = 0; t < trials; t++)); do
  rm -rf "$T/ca"
  case $((t % 10)) in
  0 | 1 | 2 | 3) # a batch of 100
    kind=batch
    cp -a "$T/tmpl" "$T/ca"
    killed 400 mtlskit-ca issue "$T/ca" --batch "$T/batch" --quiet
    after_kill $kind
    if [ "$(wc -l <"$T/ca/index.txt")" = 0 ]; then
      expect_status 0 mtlskit-ca issue "$T/ca" --batch "$T/batch" --quiet
      interrupted=$((interrupted + 1))
    fi
    [ "$(wc -l <"$T/ca/index.txt")" = 100 ] || fail "batch: index not whole"
    ;;
  4 | 5) # one identity with a .pfx outside the CA directory
    kind=issue
    cp -a "$T/tmpl" "$T/ca"
    rm -f "$T/one.pfx"
    killed 60 mtlskit-ca issue "$T/ca" one --subject /O=t/CN=one \
      --p12 "$T/one.pfx" --p12-password pass:x
    after_kill $kind
    if [ "$(wc -l <"$T/ca/index.txt")" = 0 ]; then
      # Whatever it left (certificate, key, .pfx) is removed by the re-run's
      # recovery, else the name and the .pfx would be refused as taken.
      expect_status 0 mtlskit-ca issue "$T/ca" one --subject /O=t/CN=one \
        --p12 "$T/one.pfx" --p12-password pass:x
      interrupted=$((interrupted + 1))
    fi
    ;;
  6 | 7) # revoke
    kind=revoke
    cp -a "$T/tmpl10" "$T/ca"
    killed 20 mtlskit-ca revoke "$T/ca" u5 --quiet
    after_kill $kind
    if ! grep -q '^R' "$T/ca/index.txt"; then
      expect_status 0 mtlskit-ca revoke "$T/ca" u5 --quiet
      interrupted=$((interrupted + 1))
    fi
    ;;
  8) # crl
    kind=crl
    cp -a "$T/tmpl10" "$T/ca"
    killed 30 mtlskit-ca crl "$T/ca" --quiet
    after_kill $kind
    expect_status 0 mtlskit-ca crl "$T/ca" --quiet
    ;;
  9) # init
    kind=init
    killed 60 mtlskit-ca init "$T/ca" --subject "/O=t/CN=i Root CA" --quiet
    if ! mtlskit-ca list "$T/ca" >/dev/null 2>&1; then
      expect_status 0 mtlskit-ca init "$T/ca" --subject "/O=t/CN=i Root CA" \
        --quiet
      interrupted=$((interrupted + 1))
    fi
    ;;
  esac
  consistent
done
pass "$trials trials, $interrupted interrupted before their commit: every re-run succeeded, every directory consistent"

# --repair does the recovery on its own, and a stray signed certificate is
# reported even without a journal (as `openssl ca` or a copy could leave).
rm -rf "$T/ca"
cp -a "$T/tmpl" "$T/ca"
while :; do
  killed 300 mtlskit-ca issue "$T/ca" --batch "$T/batch" --quiet
  [ -e "$T/ca/.mtlskit-journal" ] && break
  rm -rf "$T/ca"
  cp -a "$T/tmpl" "$T/ca"
done
expect_status 1 mtlskit-ca check "$T/ca"
expect_grep '^problem: .*\.mtlskit-journal: a command that creates files was killed' "$T/out"
expect_grep '^inconsistent: [0-9]+ problem' "$T/out"
expect_status 0 mtlskit-ca check "$T/ca" --repair
expect_grep '^repaired: [0-9]+ unrecorded certificate\(s\), [0-9]+ file\(s\) removed$' "$T/out"
expect_grep '^consistent: 0 certificates' "$T/out"
[ -z "$(ls "$T/ca/newcerts")" ] || fail "--repair left newcerts files"
# A stray certificate without a journal (a copy, `openssl ca` killed):
# reported, exit 1; and index lines whose newcerts files are gone.
cp -a "$T/tmpl" "$T/ca2"
stray=$(ls "$T/tmpl10/newcerts" | head -1)
cp "$T/tmpl10/newcerts/$stray" "$T/ca2/newcerts/"
expect_status 1 mtlskit-ca check "$T/ca2"
expect_grep "^problem: .*/newcerts/$stray: a certificate the index does not record" "$T/out"
cp -a "$T/tmpl10" "$T/ca3"
rm -f "$T/ca3/newcerts"/*.pem
expect_status 1 mtlskit-ca check "$T/ca3"
[ "$(grep -c 'newcerts/.*is missing' "$T/out")" = 10 ] || fail "10 missing files expected"
pass "check --repair; a stray certificate and missing newcerts files reported"
done_testing
