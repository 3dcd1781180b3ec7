#!/usr/bin/env bash
# bench/verify_calls.sh [BUILD_BIN_DIR]: shows that the clients compared by
# bench/loadgen.sh really verify the server. Each runs under gdb against
# nginx on loopback (TLS 1.3, mTLS, P-256 everywhere) with breakpoints that
# count calls of X509_verify_cert (chain verification) and ECDSA_do_verify
# (every ECDSA signature checked: the server's CertificateVerify and, when
# a chain is verified, the certificate signatures), in the library each
# client links (OpenSSL 3 for s_time, BoringSSL for mtlskit and the floor).
# Prints handshakes and counts; divide to get calls per handshake.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export MTK_SRC=${MTK_SRC:-$(dirname "$here")}
export MTK_BIN=${1:-${MTK_BIN:-$MTK_SRC/build/bin}}
. "$MTK_SRC/tests/lib/testlib.sh"
. "$MTK_SRC/tests/lib/servers.sh"
. "$MTK_SRC/tests/lib/openssl_pki.sh"
for t in gdb openssl nginx; do command -v "$t" >/dev/null || fail "$t is needed"; done

make_pki "$T/pki"
PKI=$T/pki
MTLS=$(free_port)
start_nginx mtls "$MTLS" "
    ssl_certificate $PKI/server.crt;
    ssl_certificate_key $PKI/server.key;
    ssl_client_certificate $PKI/ca.crt;
    ssl_verify_client on;
    ssl_protocols TLSv1.3;
    ssl_session_tickets off;
    ssl_session_cache off;
    location / { return 200 'ok\n'; }
"
cat >"$T/count.gdb" <<'GDB'
set pagination off
set breakpoint pending on
set print thread-events off
set $chains = 0
set $sigs = 0
break X509_verify_cert
commands
silent
set $chains = $chains + 1
continue
end
break ECDSA_do_verify
commands
silent
set $sigs = $sigs + 1
continue
end
run
printf "X509_verify_cert %d, ECDSA_do_verify %d\n", $chains, $sigs
quit
GDB
counted() { gdb -q -batch -x "$T/count.gdb" --args "$@" 2>&1; }
ID=(-cert "$PKI/client.crt" -key "$PKI/client.key")
echo "s_time -new -tls1_3 -CAfile -verify 4: $(counted openssl s_time \
  -connect "127.0.0.1:$MTLS" -new -tls1_3 "${ID[@]}" -time 2 -CAfile "$PKI/ca.crt" \
  -verify 4 | grep -E 'real seconds|X509_verify_cert' | sed 's/ connections in .*real seconds.*/ handshakes,/' | tr '\n' ' ')"
echo "s_time -new -tls1_3 (no -CAfile):      $(counted openssl s_time \
  -connect "127.0.0.1:$MTLS" -new -tls1_3 "${ID[@]}" -time 2 \
  | grep -E 'real seconds|X509_verify_cert' | sed 's/ connections in .*real seconds.*/ handshakes,/' | tr '\n' ' ')"
for extra in "--cacert $PKI/ca.crt" "--cacert $PKI/ca.crt --verify-each" "--insecure"; do
  # shellcheck disable=SC2086
  printf '%-38s %s\n' "mtlskit ${extra/$PKI\//}:" "$(counted "$MTK_BIN/mtlskit-loadgen" \
    --cert "$PKI/client.crt" --key "$PKI/client.key" $extra --tls 1.3 \
    --keepalive 0 --connections 50 --quiet "https://127.0.0.1:$MTLS/" |
    grep -E 'X509_verify_cert' | sed 's/^/50 handshakes, /')"
done
echo "handshake_floor --cacert:              $(counted "$MTK_BIN/handshake_floor" \
  127.0.0.1 "$MTLS" 2 "$PKI/client.crt" "$PKI/client.key" --tls 1.3 \
  --cacert "$PKI/ca.crt" | grep -E '^handshakes|^X509_verify_cert' |
  sed 's/^handshakes \([0-9]*\) .*/\1 handshakes,/' | tr '\n' ' ')"
