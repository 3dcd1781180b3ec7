#!/usr/bin/env python3
"""A TLS + HTTP/1.1 listener on 127.0.0.1 that starts a 200 response and
never completes it in one fixed way, to check that the probe calls such a
response broken rather than a success, and that it bounds what it reads.

usage: http_abort.py MODE PORT CERT KEY

MODE:
  ok              a complete 200 response (the control)
  endless-header  the status line, then one header line that never ends
  many-headers    the status line, then header lines without end
  stalled-body    Content-Length 1000, 10 bytes of body, then silence
  short-body      Content-Length 1000, 10 bytes of body, then close
  endless-body    chunked body without end
  tiny-chunks     chunked body without end, one byte per chunk (costly to
                  parse: a reader that keeps up with it starves its loop)

The server requests no client certificate. Runs until killed; every
connection is handled on its own thread, and stops writing after 60 s.
"""
import socket
import ssl
import sys
import threading
import time


def read_request(tls):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = tls.recv(65536)
        if not chunk:
            return False
        data += chunk
    return True


def stream(tls, piece):
    end = time.monotonic() + 60
    while time.monotonic() < end:
        tls.sendall(piece)


def handle(mode, ctx, conn):
    try:
        tls = ctx.wrap_socket(conn, server_side=True)
        tls.settimeout(70)
        if not read_request(tls):
            return
        if mode == "ok":
            tls.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n"
                        b"Connection: close\r\n\r\nok\n")
        elif mode == "endless-header":
            tls.sendall(b"HTTP/1.1 200 OK\r\nX-Endless: ")
            stream(tls, b"a" * 16384)
        elif mode == "many-headers":
            tls.sendall(b"HTTP/1.1 200 OK\r\n")
            stream(tls, b"".join(b"X-Flood-%04d: %s\r\n" % (i, b"v" * 100)
                                 for i in range(100)))
        elif mode in ("stalled-body", "short-body"):
            tls.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"
                        b"0123456789")
            if mode == "stalled-body":
                time.sleep(60)
        elif mode == "endless-body":
            tls.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
            stream(tls, b"4000\r\n" + b"b" * 16384 + b"\r\n")
        elif mode == "tiny-chunks":
            tls.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
            stream(tls, b"1\r\nb\r\n" * 10000)
        tls.close()
    except (ssl.SSLError, OSError):
        pass


def main():
    mode, port, cert, key = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(64)
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=handle, args=(mode, ctx, conn), daemon=True).start()


if __name__ == "__main__":
    main()
