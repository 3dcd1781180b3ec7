# mtlskit demo, the README's first command: a private CA walkthrough, then
# the conformance check (fixtures, a local ALB verify-mode endpoint, the
# probe) — all of it must succeed and say so.
. "$MTK_SRC/tests/lib/testlib.sh"

expect_status 0 mtlskit demo
dir=$(sed -n 's/^Everything the demo made is in //p' "$T/out")
[ -n "$dir" ] && [ -d "$dir" ] || fail "the demo did not say where its files are"
on_exit "rm -rf '$dir'"

# Part 1: the CA recipe, ending with the list of what it issued.
expect_grep '^== 1\. A private CA' "$T/out"
expect_grep '^\$ mtlskit ca revoke .* client-external --reason keyCompromise$' "$T/out"
expect_grep 'client-external-v2' "$T/out"
[ -f "$dir/internal.user.pfx" ] || fail "no .pfx"
[ -f "$dir/truststore.pem" ] || fail "no trust-store bundle"
pass "CA walkthrough"

# Part 2: every fixture judged against the alb-verify profile, none failed.
expect_grep '^== 2\. ' "$T/out"
expect_grep '^\$ mtlskit probe --fixtures .* --profile alb-verify ' "$T/out"
expect_grep '^ok-root-leaf +http 2xx +http 200 +met' "$T/out"
expect_grep '^revoked-keycompromise +tls-alert\|reset\|closed +(tls-alert|reset|closed)[^ ]* +met' "$T/out"
expect_grep '^no-certificate +.* met ' "$T/out"
expect_grep '^[0-9]+ met, 0 not met, [0-9]+ unspecified, [0-9]+ skipped' "$T/out"
met=$(sed -n 's/^\([0-9]*\) met, 0 not met.*/\1/p' "$T/out")
[ "$met" -ge 20 ] || fail "only $met cases met"
# The local endpoint was stopped.
! pgrep -f "mtlskit-serve .*$dir" >/dev/null || fail "mtlskit serve still runs"
pass "conformance check: $met cases met, none failed"

done_testing
