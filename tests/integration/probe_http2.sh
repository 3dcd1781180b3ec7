# mtlskit probe over HTTP/2, libcurl's default when a server offers it:
# the whole `mtlskit fixtures` catalogue against real servers with HTTP/2
# on (nginx `listen ... ssl http2`, HAProxy `alpn h2,http/1.1`, Apache
# httpd with mod_http2), under TLS 1.2 and 1.3. With --http 2 every case
# meets its profile and every HTTP response came over HTTP/2
# (facts.http_version); --http 1.1 gets 1.1 from the same servers, and
# Node, whose https module offers no HTTP/2, falls back to 1.1.
. "$MTK_SRC/tests/lib/testlib.sh"
. "$MTK_SRC/tests/lib/servers.sh"

F="$T/fx"
mtlskit fixtures "$F" --quiet
start_mtls_servers --http2 "$F" "$F/crl/default.pem" "$F"/crl/*.crl.pem

total=$(jq '[.cases[] | select(.trust == "default")] | length' "$F/manifest.json")

# versions FILE: the distinct facts.http_version of the attempts that got
# an HTTP response, one per line.
versions() {
  jq -r '[.targets[].results[] | select(.observed.kind == "http")
          | .facts.http_version] | unique | .[]' "$1"
}

# probe_json PROFILE PORT TLS HTTP: run the probe with --json, which must
# exit 0 (no case not met), and set $out to the copy of its output,
# $T/PROFILE-TLS-HTTP.json.
probe_json() {
  out="$T/$1-$3-$4.json"
  expect_status 0 mtlskit probe --fixtures "$F" --profile "$1" \
    --cacert "$F/trust/root.pem" --tls "$3" --http "$4" --timeout 10s \
    --json "https://127.0.0.1:$2/"
  cp "$T/out" "$out"
}

for tls in 1.2 1.3; do
  for target in nginx:$p_nginx nginx-optional:$p_opt haproxy:$p_haproxy \
      apache:$p_apache; do
    profile=${target%%:*}
    port=${target##*:}
    probe_json "$profile" "$port" "$tls" 2
    [ "$(jq .summary.met "$out")" -eq "$total" ] ||
      fail "$profile TLS $tls HTTP/2: $(jq -c .summary "$out"), want $total met"
    [ "$(versions "$out")" = 2 ] ||
      fail "$profile TLS $tls: HTTP versions '$(versions "$out" | tr '\n' ' ')', want only 2"
    pass "$profile under TLS $tls over HTTP/2: $total cases met, every response HTTP/2"
  done
  probe_json haproxy "$p_haproxy" "$tls" 1.1
  [ "$(versions "$out")" = 1.1 ] ||
    fail "haproxy TLS $tls --http 1.1: HTTP versions '$(versions "$out" | tr '\n' ' ')'"
  pass "--http 1.1 under TLS $tls: the same server answers over HTTP/1.1"
done

# Node offers no HTTP/2: ALPN falls back to 1.1 and the cases still meet
# Node's profile (its weak-key cell is unspecified, as elsewhere).
probe_json node "$p_node" 1.3 2
[ "$(versions "$out")" = 1.1 ] ||
  fail "node --http 2: HTTP versions '$(versions "$out" | tr '\n' ' ')', want 1.1"
[ "$(jq '.summary.met + .summary.unspecified' "$out")" -eq "$total" ] ||
  fail "node --http 2: $(jq -c .summary "$out")"
pass "node --http 2: falls back to HTTP/1.1, every case met or unspecified"

# No HTTP response, no version: a refused attempt says null.
[ "$(jq -r '[.targets[].results[] | select(.case == "expired")][0].facts.http_version' \
  "$T/haproxy-1.3-2.json")" = null ] || fail "refused attempt has an http_version"
pass "a refused attempt has http_version null"

done_testing
