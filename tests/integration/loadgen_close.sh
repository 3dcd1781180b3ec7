# mtlskit loadgen closes a connection the way --close says, as the server
# sees it: `clean` sends a TLS close_notify before its FIN, `fin` a FIN
# alone (as openssl s_time does), `rst` a TCP reset. The server is Python's
# ssl module on loopback (OpenSSL); once the handshake is done it peeks at
# the socket underneath, where a close_notify is a TLS record, a bare FIN
# is end of stream and a reset is ECONNRESET. It sends no session tickets,
# so the client has nothing unread when it closes (unread bytes would turn
# any close into a reset).
. "$MTK_SRC/tests/lib/testlib.sh"
. "$MTK_SRC/tests/lib/openssl_pki.sh"

make_pki "$T/pki"
cat >"$T/server.py" <<'PY'
import socket, ssl, sys, threading
port, pki, log = int(sys.argv[1]), sys.argv[2], sys.argv[3]
sys.path.insert(0, sys.argv[4])
import loopback
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(pki + "/server.crt", pki + "/server.key")
ctx.load_verify_locations(pki + "/ca.crt")
ctx.verify_mode = ssl.CERT_REQUIRED
ctx.num_tickets = 0
lock = threading.Lock()
def note(what):
    with lock, open(log, "a") as f:
        f.write(what + "\n")
def serve(c):
    c.settimeout(10)
    try:
        s = ctx.wrap_socket(c, server_side=True)
    except (ssl.SSLError, OSError) as e:
        return                      # wait_port's probe, for one
    try:
        raw = socket.fromfd(s.fileno(), socket.AF_INET, socket.SOCK_STREAM)
        raw.settimeout(10)
        head = raw.recv(5, socket.MSG_PEEK)
        note("eof" if head == b"" else "record" if head[0] in (21, 23) else "other")
    except ConnectionResetError:
        note("reset")
    except OSError as e:
        note("other %s" % e)
    s.close()
loopback.accept(port, serve)
PY
port=$(free_port)
python3 "$T/server.py" "$port" "$T/pki" "$T/seen" "$MTK_SRC/tests/servers" >/dev/null 2>&1 &
pid=$!
on_exit "kill $pid 2>/dev/null; wait $pid 2>/dev/null"
wait_port "$port" 10
ID=(--cert "$T/pki/client.crt" --key "$T/pki/client.key" --cacert "$T/pki/ca.crt")

# seen_after MODE EXPECTED: three handshake-only connections closed with
# --close MODE (none for the default) make the server see EXPECTED three
# times.
seen_after() {
  local mode=$1 want=$2 opt=()
  [ "$mode" = default ] || opt=(--close "$mode")
  : >"$T/seen"
  expect_status 0 timeout 30 mtlskit-loadgen "${ID[@]}" --tls 1.3 --keepalive 0 \
    --connections 3 --json "${opt[@]}" "https://127.0.0.1:$port/"
  local close
  close=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['config']['close'])" "$T/out")
  [ "$close" = "${mode/default/clean}" ] || fail "--close $mode: the JSON says close=$close"
  for _ in $(seq 1 50); do
    [ "$(wc -l <"$T/seen")" -ge 3 ] && break
    sleep 0.1
  done
  local got
  got=$(sort "$T/seen" | uniq -c | awk '{print $2 "x" $1}' | paste -sd' ')
  [ "$got" = "${want}x3" ] || fail "--close $mode: the server saw '$got', expected 3 x $want"
  pass "--close $mode: the server saw $want"
}
seen_after default record
seen_after clean record
seen_after fin eof
seen_after rst reset

expect_status 2 mtlskit-loadgen "${ID[@]}" --close linger "https://127.0.0.1:$port/"
expect_grep "^mtlskit loadgen: error: --close: 'linger' is not clean, fin or rst$" "$T/err"
pass "--close with an unknown mode is a usage error"
