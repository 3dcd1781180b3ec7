# One vocabulary across commands: the same
# platform names everywhere, errors that list the valid choices, -h in
# every command, unknown short options reported as unknown, file errors
# in words ("no such file: PATH") rather than a library's error string,
# `ca crl` naming the file it wrote, `mtlskit demo --help`.
# (loadgen's options are tested with loadgen.)
. "$MTK_SRC/tests/lib/testlib.sh"
. "$MTK_SRC/tests/lib/servers.sh"

F="$T/fx"
expect_status 0 mtlskit fixtures "$F" --quiet --only ok-root-leaf,revoked-keycompromise,expired-1s

# --- -h prints the usage, on stdout, exit 0, in every command -----------------
for cmd in "ca" "ca init" "ca crl" "fixtures" "verify" "lint" "lint truststore" \
  "probe" "serve" "report" "report merge" "demo"; do
  # shellcheck disable=SC2086
  expect_status 0 mtlskit $cmd -h
  expect_grep "^usage: mtlskit ${cmd%% *}" "$T/out"
  [ ! -s "$T/err" ] || { cat "$T/err" >&2; fail "'$cmd -h' wrote to stderr"; }
done
expect_status 0 mtlskit help demo
expect_grep '^usage: mtlskit demo' "$T/out"
expect_status 2 mtlskit demo --frob
expect_grep "^mtlskit demo: error: unknown option '--frob'$" "$T/err"
pass "-h everywhere, demo --help prints usage (and runs nothing)"

# --- unknown options and missing values, told apart --------------------------
for cmd in "fixtures" "verify" "lint truststore" "probe" "serve" "report merge"; do
  # shellcheck disable=SC2086
  expect_status 2 mtlskit $cmd -Z
  expect_grep "error: unknown option '-Z'$" "$T/err"
  expect_no_grep 'needs a value|missing argument' "$T/err"
done
expect_status 2 mtlskit verify --truststore
expect_grep "error: option '--truststore' needs a value$" "$T/err"
expect_status 2 mtlskit probe --fixtures "$F" --profile nginx -H
expect_grep "error: option '-H' needs a value$" "$T/err"
expect_status 2 mtlskit fixtures --quiet=yes "$T/x"
expect_grep "error: option '--quiet' takes no value$" "$T/err"
expect_status 2 mtlskit report merge --bogus x.hlog
expect_grep "error: unknown option '--bogus'$" "$T/err"
expect_status 2 mtlskit ca issue "$T/ca" x --subject
expect_grep "option '--subject' needs a value" "$T/err"
pass "unknown options and missing values are named as such"

# --- one set of platform names ----------------------------------------------------
args=(--truststore "$F/trust/root.pem" --crl "$F/crl/default.pem")
for pair in alb:alb-verify cloudflare:ibm-cis nginx:nginx-optional go:caddy; do
  a=${pair%%:*} b=${pair#*:}
  for c in ok-root-leaf revoked-keycompromise expired-1s; do
    st_a=0 st_b=0
    mtlskit verify --platform "$a" "${args[@]}" "$F/cases/$c/cert.pem" >"$T/a" 2>&1 || st_a=$?
    mtlskit verify --platform "$b" "${args[@]}" "$F/cases/$c/cert.pem" >"$T/b" 2>&1 || st_b=$?
    [ "$st_a" = "$st_b" ] || fail "verify $c: --platform $a exits $st_a, $b $st_b"
    sed "s/($a)/(X)/; s/($b)/(X)/" "$T/a" >"$T/a2"
    sed "s/($a)/(X)/; s/($b)/(X)/" "$T/b" >"$T/b2"
    diff -u "$T/a2" "$T/b2" || fail "verify $c: --platform $a and $b differ"
  done
  expect_status 0 mtlskit lint truststore --platform "$b" "$F/trust/root.pem"
done
expect_status 2 mtlskit verify --platform mars "${args[@]}" "$F/cases/ok-root-leaf/cert.pem"
expect_grep "unknown platform 'mars' \(strict, alb \(or alb-verify\), apigw, nginx \(or nginx-optional\), haproxy, cloudflare \(or ibm-cis\), apache, node, go \(or caddy\), stunnel\)" "$T/err"
expect_status 2 mtlskit lint truststore --platform mars "$F/trust/root.pem"
expect_grep "unknown platform 'mars' \(strict, alb" "$T/err"
expect_status 2 mtlskit probe --fixtures "$F" --profile mars https://127.0.0.1:1/
expect_grep "unknown profile 'mars' \(.*alb-verify \(or alb\), .*nginx, .*strict\)" "$T/err"
expect_status 2 mtlskit serve --profile mars --cert "$F/server/server.cert.pem" \
  --key "$F/server/server.key.pem"
expect_grep "'mars' is not alb-verify \(or alb\), alb-passthrough, apigw or cloudflare" "$T/err"

# `--profile alb` is ALB's verify mode in serve and probe alike.
port=$(free_port)
run_server "$port" "$T/serve.log" mtlskit serve --profile alb --cert "$F/server/server.cert.pem" \
  --key "$F/server/server.key.pem" --truststore "$F/trust/root.pem" \
  --crl "$F/crl/default.pem" --listen "127.0.0.1:$port" --duration 60s
expect_status 0 mtlskit probe --fixtures "$F" --profile alb --cacert "$F/trust/root.pem" \
  "https://127.0.0.1:$port/"
expect_grep '^3 met, 0 not met' "$T/out"
pass "verify, lint, probe and serve take the same platform names; errors list them"

# --- file errors in words ----------------------------------------------------------
echo "not pem" >"$T/junk.pem"
expect_status 3 mtlskit serve --profile alb-verify --cert "$T/nope.pem" \
  --key "$F/server/server.key.pem" --truststore "$F/trust/root.pem"
expect_grep "^mtlskit serve: error: no such file: $T/nope.pem$" "$T/err"
expect_status 2 mtlskit serve --profile alb-verify --cert "$F/server/server.cert.pem" \
  --key "$T/junk.pem" --truststore "$F/trust/root.pem"
expect_grep "^mtlskit serve: error: cannot load private key $T/junk.pem: no PEM block in it$" "$T/err"
expect_no_grep 'OPENSSL_internal|error:[0-9a-f]{8}:' "$T/err"
expect_status 3 mtlskit verify --truststore "$T/nope.pem" "$F/cases/ok-root-leaf/cert.pem"
expect_grep "$T/nope.pem: no such file" "$T/err"
expect_no_grep 'OPENSSL_internal|error:[0-9a-f]{8}:' "$T/err"
pass "file errors name the file in words"

# --- ca crl names the file it wrote ---------------------------------------------------
expect_status 0 mtlskit ca init "$T/ca" --subject /CN=vocab
expect_status 0 mtlskit ca crl "$T/ca"
expect_grep "^wrote $T/ca/crl/ca.crl.pem: CRL number " "$T/out"
[ -f "$T/ca/crl/ca.crl.pem" ] || fail "the CRL is not where ca crl says"
pass "ca crl names the file it wrote"

done_testing
