#!/usr/bin/env python3
"""A TLS listener on 127.0.0.1 that turns clients away in one fixed way,
to check how the probe classifies resets, closes and silence.

usage: tls_refuser.py MODE PORT CERT KEY

MODE:
  rst-at-accept      accept, then reset (SO_LINGER 0) before any TLS byte
  close-in-hs        read the ClientHello, then close (FIN, nothing unread,
                     so no RST)
  rst-after-hs       finish the TLS handshake, then reset
  close-after-hs     finish the TLS handshake, then FIN without close_notify
  notify-after-hs    finish the TLS handshake, then close_notify and FIN
  silent             accept and never answer (the client must time out)

Runs until killed; every connection is handled on its own thread.
"""
import socket
import ssl
import struct
import sys
import threading
import time


def reset(conn):
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


def handle(mode, ctx, conn):
    try:
        if mode == "rst-at-accept":
            reset(conn)
            return
        if mode == "close-in-hs":
            conn.settimeout(5)
            conn.recv(65536)
            conn.close()
            return
        if mode == "silent":
            time.sleep(60)
            conn.close()
            return
        tls = ctx.wrap_socket(conn, server_side=True)
        # Read the request, so TLS 1.3 clients have finished too and no
        # unread bytes turn a plain close into a reset.
        tls.settimeout(5)
        try:
            tls.recv(65536)
        except (ssl.SSLError, OSError):
            pass
        if mode == "rst-after-hs":
            reset(tls)
        elif mode == "close-after-hs":
            tls.close()  # Python sends no close_notify on close()
        elif mode == "notify-after-hs":
            tls.unwrap().close()
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
