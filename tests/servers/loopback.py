"""Accept loop of the small Python servers the integration tests script
inline: accept(port, handler) listens on 127.0.0.1:port and runs
handler(conn) on a thread of its own for every connection, for at most
`lifetime` seconds, so that a broken test never leaves a server behind."""
import socket
import threading
import time


def accept(port, handler, lifetime=60):
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(64)
    deadline = time.time() + lifetime
    srv.settimeout(1)
    while time.time() < deadline:
        try:
            conn, _ = srv.accept()
        except socket.timeout:
            continue
        threading.Thread(target=handler, args=(conn,), daemon=True).start()
