# Shared helpers for the integration tests (bash). Source it first:
#   . "$MTK_SRC/tests/lib/testlib.sh"
# It sets -euo pipefail, makes $T (a temporary directory removed on exit)
# and provides assertions that name what failed.
set -euo pipefail

: "${MTK_BIN:?MTK_BIN must name the bin directory of a build}"
: "${MTK_SRC:?MTK_SRC must point at the source tree}"
PATH="$MTK_BIN:$PATH"
T=$(mktemp -d "${TMPDIR:-/tmp}/mtk-it.XXXXXX")
mtk_cleanup_hooks=()
mtk_cleanup() {
  local h
  for h in "${mtk_cleanup_hooks[@]}"; do eval "$h" || true; done
  rm -rf "$T"
}
trap mtk_cleanup EXIT
mtk_tests_run=0

# on_exit CMD: run CMD when the test ends (servers to stop, ...).
on_exit() { mtk_cleanup_hooks+=("$1"); }

fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { mtk_tests_run=$((mtk_tests_run + 1)); echo "ok: $*"; }

# expect_status N CMD...: run CMD, fail unless it exits with N. Its stdout
# and stderr are kept in $T/out and $T/err.
expect_status() {
  local want=$1
  shift
  local got=0
  "$@" >"$T/out" 2>"$T/err" || got=$?
  if [ "$got" -ne "$want" ]; then
    echo "--- stdout" >&2; cat "$T/out" >&2
    echo "--- stderr" >&2; cat "$T/err" >&2
    fail "'$*' exited $got, expected $want"
  fi
}

# expect_grep PATTERN FILE: FILE must contain PATTERN (extended regex).
expect_grep() {
  grep -Eq -- "$1" "$2" || { cat "$2" >&2; fail "'$1' not in $2"; }
}

# expect_no_grep PATTERN FILE: FILE must not contain PATTERN.
expect_no_grep() {
  if grep -Eq -- "$1" "$2"; then cat "$2" >&2; fail "'$1' found in $2"; fi
}

# expect_one_line FILE: FILE holds exactly one line (one-line errors).
expect_one_line() {
  local n
  n=$(wc -l <"$1")
  [ "$n" -eq 1 ] || { cat "$1" >&2; fail "$1 has $n lines, expected 1"; }
}

# tree_digest DIR: a digest of every path and mode under DIR and of every
# file's size and content, to prove a failed command changed nothing. A
# directory's size is left out: on ext4 it is the space its entries once
# took, which never shrinks, so a batch that created files and removed
# them again when it failed (leaving every file as it was) grows it.
tree_digest() {
  (cd "$1" && find . \( -type d -printf '%p %m dir\0' \) -o \
    \( ! -type d -printf '%p %m %s\0' \) | LC_ALL=C sort -z | tr '\0' '\n' &&
    find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) |
    sha256sum | cut -d' ' -f1
}

# free_port: a TCP port on 127.0.0.1 that nothing uses now, drawn at random
# below the kernel's ephemeral range (ip_local_port_range), so that no
# client connection and no other test's bind to port 0 is given it before
# the server of this test binds it (a port from bind(0) was, once, taken by
# another test's server in the parallel sanitized run).
free_port() {
  python3 - <<'PY'
import random, socket
low = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
for _ in range(200):
    port = random.randint(10000, max(10001, low - 1))
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port))
    except OSError:
        continue
    finally:
        s.close()
    print(port)
    break
else:
    raise SystemExit("free_port: no free port below %d" % low)
PY
}

# VERIFY_LSAN_OPTIONS: LSAN_OPTIONS for `mtlskit verify` in the sanitized
# build on certificates with policy extensions (tests/lsan.supp says why).
VERIFY_LSAN_OPTIONS="suppressions=$MTK_SRC/tests/lsan.supp:fast_unwind_on_malloc=0:print_suppressions=0"

# wait_port PORT [SECONDS]: wait until something accepts on 127.0.0.1:PORT.
wait_port() {
  local port=$1 limit=${2:-10} i
  for ((i = 0; i < limit * 20; i++)); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    sleep 0.05
  done
  fail "nothing listens on 127.0.0.1:$port after ${limit}s"
}

# done_testing: print the closing line CI reads.
done_testing() { echo "$mtk_tests_run passed, 0 failed"; }
