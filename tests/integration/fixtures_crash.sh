# `mtlskit fixtures` killed (SIGKILL) at several moments of a build, a
# refresh and a --force rebuild. After each kill DIR is absent or a whole
# set (never a partial one), a --ca directory is unchanged byte for byte
# and `ca check` calls it consistent, and the re-run succeeds and leaves no
# DIR.new-* behind (the partial build is removed; a whole set a killed run
# left is kept as DIR.replaced-TIME). A build in progress (its DIR.new-*
# locked) is never touched by another run's recovery.
. "$MTK_SRC/tests/lib/testlib.sh"

CA="$T/ca"
expect_status 0 mtlskit ca init "$CA" --intermediate --subject "/CN=Crash CA"
ca_digest=$(tree_digest "$CA")

# kill_after MS CMD...: start CMD, SIGKILL it after MS ms (if still running).
kill_after() {
  local ms=$1
  shift
  "$@" >/dev/null 2>&1 &
  local pid=$!
  sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# whole_set DIR: DIR holds a complete fixture set (every file the manifest
# names is there).
whole_set() {
  python3 - "$1" <<'PY' || fail "$1 is not a whole fixture set"
import json, os, sys
d = sys.argv[1]
doc = json.load(open(os.path.join(d, "manifest.json")))
assert doc["generator"].startswith("mtlskit ") and doc["cases"], doc
paths = []
def walk(v):
    if isinstance(v, dict):
        v = list(v.values())
    if isinstance(v, list):
        for x in v:
            walk(x)
    elif isinstance(v, str) and v.split("/")[0] in ("ca", "trust", "crl", "server", "cases"):
        paths.append(v)
walk(doc)
assert len(paths) > 5, len(paths)
missing = [p for p in paths if not os.path.isfile(os.path.join(d, p))]
assert not missing, missing
PY
}

# no_staging DIR: nothing named DIR.new-* is left.
no_staging() {
  local left
  left=$(compgen -G "$1.new-*" || true)
  [ -z "$left" ] || fail "left behind: $left"
}

ca_unchanged() {
  [ "$(tree_digest "$CA")" = "$ca_digest" ] || fail "the CA directory changed"
  expect_status 0 mtlskit ca check "$CA"
  expect_grep '^consistent' "$T/out"
}

# A new set under --ca, killed early, midway and late.
for ms in 50 150 400; do
  D="$T/fresh-$ms"
  kill_after "$ms" mtlskit fixtures --ca "$CA" "$D"
  [ ! -e "$D" ] || whole_set "$D"
  ca_unchanged
  if [ -e "$D" ]; then
    expect_status 0 mtlskit fixtures refresh "$D"
  else
    expect_status 0 mtlskit fixtures --ca "$CA" "$D"
    if compgen -G "$D.new-*" >/dev/null; then fail "the re-run left $D.new-*"; fi
  fi
  whole_set "$D"
  no_staging "$D"
  ca_unchanged
  pass "fixtures --ca killed after $ms ms: the CA untouched, the re-run succeeds, nothing left"
done

# A refresh and a --force rebuild killed: DIR is a whole set at every
# moment, with the same trust anchors after a refresh.
D="$T/set"
# A few cases keep these builds short.
expect_status 0 mtlskit fixtures --only ok-root-leaf,expired,revoked "$D"
ms=150
anchors=$(sha256sum <"$D/trust/root.pem")
kill_after "$ms" mtlskit fixtures refresh "$D"
whole_set "$D"
[ "$(sha256sum <"$D/trust/root.pem")" = "$anchors" ] || fail "refresh changed the anchors"
expect_status 0 mtlskit fixtures refresh "$D"
whole_set "$D"
no_staging "$D"
pass "fixtures refresh killed after $ms ms: the set whole, the re-run succeeds"
kill_after 300 mtlskit fixtures --force "$D"
whole_set "$D"
expect_status 0 mtlskit fixtures --force "$D"
whole_set "$D"
no_staging "$D"
for old in "$D".replaced-*; do whole_set "$old"; done
pass "fixtures --force killed after 300 ms: the set whole, old sets whole, the re-run succeeds"

# Recovery itself: a partial (or empty) DIR.new-* is removed, a whole one kept as
# DIR.replaced-TIME, a locked one (a build in progress) left alone. A set
# with its manifest but not every file it names (the old copy of a refreshed
# set, cut short while being removed) is partial.
E="$T/rec"
mkdir "$E.new-AAAAAA" "$E.new-BBBBBB" "$E.new-DDDDDD" "$E.new-EEEEEE"
echo partial >"$E.new-AAAAAA/manifest.json"
cp -r "$D/." "$E.new-BBBBBB/"
cp -r "$D/." "$E.new-EEEEEE/"
rm -r "$E.new-EEEEEE/server"
mkdir "$E.new-CCCCCC"
echo busy >"$E.new-CCCCCC/file"
exec {lock}<"$E.new-CCCCCC"
flock -x "$lock"
expect_status 0 mtlskit fixtures --only ok-root-leaf "$E"
exec {lock}<&-
whole_set "$E"
[ ! -e "$E.new-AAAAAA" ] && [ ! -e "$E.new-DDDDDD" ] || fail "a partial build was kept"
[ ! -e "$E.new-EEEEEE" ] || fail "a set missing files was kept"
[ ! -e "$E.new-BBBBBB" ] || fail "a whole set was left at its staging name"
kept=$(compgen -G "$E.replaced-*")
whole_set "$kept"
[ -f "$E.new-CCCCCC/file" ] || fail "a locked build was touched"
expect_grep "removed 3 partial builds of $E left by a killed run" "$T/err"
expect_grep "a whole set a killed run left beside $E, keys included, is now $kept" "$T/err"
pass "recovery removes partial builds, keeps whole sets, leaves locked ones"

done_testing
