# Every example in README.md, docs/*.md and docs/*/*.md runs as written from an
# installed copy: each ```sh block is read from the
# document and run, the blocks of one document in order in one bash, in a
# directory of its own, with the package this build made unpacked on PATH
# and nothing of the build tree. Examples talk to local endpoints they
# start themselves.
#
# A command that exits 0 or 1 ran ("1: ran, a check failed" is what an
# example of a refused certificate shows); 2 and above (usage, runtime,
# internal error, command not found) fail the test with the command named.
# A block marked with the line "<!-- not run by tests: REASON -->" just
# before it is skipped; the reasons allowed are listed below, and a block
# with another reason fails the test.
. "$MTK_SRC/tests/lib/testlib.sh"

build=$(cd "$(dirname "$MTK_BIN")" && pwd)
deb=$(ls "$build"/package/mtlskit_*_amd64.deb 2>/dev/null | head -n 1)
[ -f "$deb" ] || fail "no package in $build/package (integration.package_build makes it)"
dpkg-deb -x "$deb" "$T/root"

# Blocks that are about the source tree or need what a test cannot have.
allowed_reasons='^(source tree|installs system-wide|needs a checkout of x509-limbo|needs an AWS account)$'

# blocks DOC: the ```sh blocks of DOC as one script, each block preceded by
# a line "#@ block LINE" (or "#@ skip LINE REASON").
blocks() {
  awk '
    /^<!-- not run by tests: .* -->$/ { skip = $0; sub(/^<!-- not run by tests: /, "", skip); sub(/ -->$/, "", skip); next }
    !in_block && /^```sh$/ {
      in_block = 1
      if (skip != "") { print "#@ skip " NR " " skip } else { print "#@ block " NR }
      next
    }
    in_block && /^```/ { in_block = 0; skip = ""; next }
    in_block && skip == "" { print; next }
    !in_block && !/^[[:space:]]*$/ { skip = "" }' "$1"
}

# The harness each document's blocks run in: a failing command (status 2
# or more) stops the document with its line; background jobs end with it.
cat >"$T/prelude.sh" <<'SH'
set -E -o pipefail
example_line=0
trap 'st=$?; if [ "$st" -ge 2 ]; then echo "example at line $example_line failed ($st): $BASH_COMMAND" >&2; exit "$st"; fi' ERR
trap 'trap - ERR; j=$(jobs -p); if [ -n "$j" ]; then kill $j 2>/dev/null; wait; fi' EXIT
SH

num_docs=0
num_blocks=0
for doc in "$MTK_SRC/README.md" "$MTK_SRC"/docs/*.md "$MTK_SRC"/docs/*/*.md; do
  name=$(basename "$doc" .md)
  blocks "$doc" >"$T/$name.blocks"
  [ -s "$T/$name.blocks" ] || continue
  while read -r _ kind line reason; do
    if [ "$kind" = skip ] && ! [[ "$reason" =~ $allowed_reasons ]]; then
      fail "$name.md line $line: '$reason' is not a reason to skip an example"
    fi
  done < <(grep '^#@ ' "$T/$name.blocks")
  grep -q '^#@ block' "$T/$name.blocks" || continue
  { cat "$T/prelude.sh"
    sed 's/^#@ block \([0-9]*\)$/example_line=\1/; /^#@ skip /d' "$T/$name.blocks"
    echo "exit 0"; } >"$T/$name.sh"
  mkdir "$T/run-$name"
  st=0
  # stdin: what a user types at a prompt (read -rs PFX_PASSWORD).
  (cd "$T/run-$name" && printf 'example-password\nexample-password\n' |
    env -u MTLSKIT_EXEC_PATH HOME="$T/run-$name" TMPDIR="$T/run-$name" \
      PATH="$T/root/usr/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
      timeout 240 bash "$T/$name.sh") >"$T/$name.out" 2>&1 || st=$?
  if [ "$st" -ne 0 ]; then
    tail -n 30 "$T/$name.out" >&2
    fail "$name.md: an example failed (exit $st)"
  fi
  num_docs=$((num_docs + 1))
  num_blocks=$((num_blocks + $(grep -c '^#@ block' "$T/$name.blocks")))
  pass "$name.md: $(grep -c '^#@ block' "$T/$name.blocks") example block(s) ran"
done
[ "$num_blocks" -ge 10 ] || fail "only $num_blocks example blocks found"
echo "$num_blocks blocks in $num_docs documents"

done_testing
