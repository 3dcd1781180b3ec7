# mtlskit probe with the fixture set of `mtlskit fixtures` (every case of
# the catalogue) against real servers from Debian packages on loopback —
# nginx on/optional, HAProxy, Apache httpd, Node, stunnel — under TLS 1.2
# and 1.3:
# every case meets the matching profile. The profile cells marked
# "observed" in probe/profiles/*.json were decided by this test.
. "$MTK_SRC/tests/lib/testlib.sh"
. "$MTK_SRC/tests/lib/servers.sh"

F="$T/fx"
mtlskit fixtures "$F" --quiet
# Node loads one CRL per file, so it gets every CA's CRL file.
start_mtls_servers "$F" "$F/crl/default.pem" "$F"/crl/*.crl.pem
p_stunnel=$(free_port)
start_stunnel fixtures "$p_stunnel" "$F/server/server.cert.pem" \
  "$F/server/server.key.pem" "$F/trust/root.pem" "$F/crl/default.pem" ||
  fail "stunnel did not start"

total=$(jq '[.cases[] | select(.trust == "default")] | length' "$F/manifest.json")
for tls in 1.2 1.3; do
  for target in nginx:$p_nginx nginx-optional:$p_opt haproxy:$p_haproxy \
      apache:$p_apache node:$p_node stunnel:$p_stunnel; do
    profile=${target%%:*}
    port=${target##*:}
    expect_status 0 mtlskit probe --fixtures "$F" --profile "$profile" \
      --cacert "$F/trust/root.pem" --tls "$tls" --timeout 10s \
      "https://127.0.0.1:$port/"
    # Every case of the default trust variant has a cell and met it, except
    # Node's weak key: Node bundles its own OpenSSL, whose security level
    # depends on the Node build, so the profile leaves it unspecified.
    unspecified=0
    [ "$profile" = node ] && unspecified=1
    expect_grep "^$((total - unspecified)) met, 0 not met, $unspecified unspecified, [0-9]+ skipped" "$T/out"
    pass "$profile under TLS $tls: $((total - unspecified)) cases met"
  done
done

done_testing
