# The project stands on its own: no file of the source tree refers to a path
# outside the repository (the team's notes, a home or work directory) or to
# an internal issue number, and
# every "docs/platforms.md §N" citation in the tree — code, docs, tests, the
# probe's source strings — names a section that docs/platforms.md has.
. "$MTK_SRC/tests/lib/testlib.sh"

cd "$MTK_SRC"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  git ls-files -z >"$T/files"
else
  find . -path ./.git -prune -o -type f -print0 >"$T/files"
fi

# The patterns are assembled so that this file does not match itself.
notes='endpoint''-behaviour\.md|ca-and''-fixtures\.md|loadgen''-anchors\.md'
outside="$notes|\.\./sha""red|/sha""red/docs|/wo""rk/"
if xargs -0 grep -I -n -E "$outside" -- <"$T/files" >"$T/hits" 2>/dev/null; then
  cat "$T/hits" >&2
  fail "files above refer to a path outside the repository"
fi
pass "no reference to a path outside the repository"

# Users do not know the team's issue numbers: no file names one (the word
# followed by a number). The pattern is split so this file does not match.
if xargs -0 grep -I -n -i -E '\<iss''ues? #?[0-9]+' -- <"$T/files" >"$T/issues" 2>/dev/null; then
  cat "$T/issues" >&2
  fail "files above cite internal issue numbers"
fi
pass "no internal issue number in the tree"

# Every section a citation names exists as a heading of docs/platforms.md.
grep -o -E '^#{2,3} §[0-9]+(\.[0-9]+)?' docs/platforms.md |
  sed 's/^#* //' | sort -u >"$T/sections"
[ -s "$T/sections" ] || fail "docs/platforms.md has no numbered sections"
xargs -0 grep -I -h -o -E 'platforms\.md (§[0-9]+(\.[0-9]+)?(, )?)+' -- \
  <"$T/files" | grep -o -E '§[0-9]+(\.[0-9]+)?' | sort -u >"$T/cited"
[ -s "$T/cited" ] || fail "nothing cites docs/platforms.md sections"
missing=$(comm -23 "$T/cited" "$T/sections")
[ -z "$missing" ] || fail "cited sections missing from docs/platforms.md: $missing"
pass "$(wc -l <"$T/cited") cited sections of docs/platforms.md all exist"

# The installed probe profiles cite sections in their "source" fields: each
# of them must exist too (unit.probe_profile checks every cell in detail).
cat probe/profiles/*.json | grep -o -E '§[0-9]+(\.[0-9]+)?' | sort -u >"$T/profile"
[ -s "$T/profile" ] || fail "probe/profiles/*.json cite no section"
missing=$(comm -23 "$T/profile" "$T/sections")
[ -z "$missing" ] || fail "probe/profiles/*.json cite sections docs/platforms.md lacks: $missing"
pass "the probe profiles' $(wc -l <"$T/profile") cited sections all exist"
