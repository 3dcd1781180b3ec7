# The mtlskit front-end: help, version, dispatch and exit statuses.
. "$MTK_SRC/tests/lib/testlib.sh"

expect_status 0 mtlskit --help
expect_grep '^usage: mtlskit' "$T/out"
for cmd in ca fixtures verify lint probe serve loadgen report demo; do
  expect_grep "^  $cmd " "$T/out"
done
pass "--help lists every command"

expect_status 2 mtlskit
expect_grep '^usage: mtlskit' "$T/err"
pass "no command is a usage error"

expect_status 0 mtlskit --version
expect_grep '^mtlskit [0-9]+\.[0-9]+\.[0-9]+$' "$T/out"
pass "--version"

expect_status 2 mtlskit frobnicate
expect_grep "^mtlskit: error: 'frobnicate' is not an mtlskit command$" "$T/err"
expect_grep "^try 'mtlskit --help'$" "$T/err"
pass "unknown command"

expect_status 2 mtlskit --frob
expect_grep "unknown option '--frob'" "$T/err"
pass "unknown option"

# A subcommand executable missing from every search path is a runtime error.
mkdir "$T/empty"
cp "$MTK_BIN/mtlskit" "$T/empty/mtlskit"
expect_status 3 env MTLSKIT_EXEC_PATH="$T/empty" "$T/empty/mtlskit" ca --help
expect_grep "mtlskit-ca is not installed" "$T/err"
pass "missing subcommand executable"

# MTLSKIT_EXEC_PATH is searched first and the child's status comes back.
cat >"$T/empty/mtlskit-probe" <<'SH'
#!/bin/sh
echo "args:$*"
exit 7
SH
chmod +x "$T/empty/mtlskit-probe"
expect_status 7 env MTLSKIT_EXEC_PATH="$T/empty" "$T/empty/mtlskit" probe a b
expect_grep '^args:a b$' "$T/out"
pass "dispatch passes arguments and exit status through"

# The front-end becomes the subcommand (exec, as git runs dashed
# externals): a signal sent to the mtlskit pid reaches the subcommand, and
# nothing is left behind.
cat >"$T/empty/mtlskit-serve" <<'SH'
#!/bin/sh
trap 'echo got-term; exit 0' TERM
echo "pid $$"
while :; do sleep 0.1; done
SH
chmod +x "$T/empty/mtlskit-serve"
MTLSKIT_EXEC_PATH="$T/empty" "$T/empty/mtlskit" serve >"$T/serve.out" 2>&1 &
front=$!
# Whatever happens below, nothing of this test survives it.
on_exit "kill -KILL $front 2>/dev/null; pkill -KILL -f '$T/empty/mtlskit-serve'"
for i in $(seq 1 50); do grep -q '^pid' "$T/serve.out" && break; sleep 0.05; done
[ "$(sed -n 's/^pid //p' "$T/serve.out")" = "$front" ] ||
  fail "the subcommand runs under another pid than mtlskit ($(cat "$T/serve.out"))"
kill -TERM "$front"
wait "$front" || fail "the subcommand did not exit 0 on SIGTERM"
expect_grep '^got-term$' "$T/serve.out"
pass "signals reach the subcommand"

done_testing
