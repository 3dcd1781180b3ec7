#!/usr/bin/env python3
"""A listener on 127.0.0.1 that is hostile to TLS clients in one fixed way,
to check that a client ends every connection within its own timeout, says
precisely what happened, and keeps its memory bounded.

usage: hostile_tls.py MODE PORT CERT KEY [CHAIN_MB]

MODE:
  stall        accept, read the ClientHello, never answer
  garbage      read the ClientHello, answer with 64 KiB of bytes that are
               not TLS records, then hold the connection
  trickle      answer the ClientHello with a real server flight, one byte
               every 100 ms
  huge-chain   a real TLS server whose certificate chain is CERT and
               CHAIN_MB certificates of 1 MiB each (default 12; TLS allows
               a Certificate message of up to 16 MiB)
  rst-mid-hs   send the first 100 bytes of a real server flight, then
               reset the connection (SO_LINGER 0)

The server requests no client certificate. Runs until killed; every
connection is handled on its own thread and closed after 60 s at most.
"""
import os
import random
import shutil
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import threading
import time


JUNK = random.Random(13).randbytes(65536)


def reset(conn):
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


def server_flight(ctx, conn):
    """Reads the ClientHello from conn and returns the server's first
    flight (ServerHello onwards) as the TLS library produced it."""
    inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = ctx.wrap_bio(inc, out, server_side=True)
    while True:
        data = conn.recv(65536)
        if not data:
            return b""
        inc.write(data)
        try:
            tls.do_handshake()
        except ssl.SSLWantReadError:
            pass
        if out.pending:
            return out.read()


def handle(mode, ctx, conn):
    conn.settimeout(60)
    try:
        if mode == "huge-chain":
            tls = ctx.wrap_socket(conn, server_side=True)
            tls.recv(65536)
            tls.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
            time.sleep(1)
            tls.close()
            return
        if mode == "stall":
            conn.recv(65536)
            time.sleep(60)
        elif mode == "garbage":
            conn.recv(65536)
            # 0x7f is no TLS content type: not even a lenient reader can
            # take the first byte for a record.
            conn.sendall(b"\x7f" + JUNK)
            time.sleep(60)
        elif mode == "trickle":
            flight = server_flight(ctx, conn)
            end = time.monotonic() + 60
            for i in range(len(flight)):
                if time.monotonic() > end:
                    break
                conn.sendall(flight[i : i + 1])
                time.sleep(0.1)
        elif mode == "rst-mid-hs":
            flight = server_flight(ctx, conn)
            conn.sendall(flight[:100])
            time.sleep(0.2)
            reset(conn)
            return
        conn.close()
    except (ssl.SSLError, OSError):
        pass


def chain_file(cert, key, megabytes):
    """Writes CERT followed by MEGABYTES copies of a certificate of about
    1 MiB (CERT re-signed by KEY with a 1 MB comment extension; a chain of
    few large certificates loads fast) and returns the file's name."""
    tmp = tempfile.mkdtemp()
    cnf, big = os.path.join(tmp, "ext.cnf"), os.path.join(tmp, "big.pem")
    with open(cnf, "w") as f:
        f.write("[ext]\nnsComment = " + "A" * 1000000 + "\n")
    subprocess.run(["openssl", "x509", "-in", cert, "-signkey", key, "-days", "2",
                    "-extfile", cnf, "-extensions", "ext", "-out", big],
                   check=True, stderr=subprocess.DEVNULL)
    name = os.path.join(tmp, "chain.pem")
    with open(name, "wb") as f:
        f.write(open(cert, "rb").read())
        f.write(open(big, "rb").read() * megabytes)
    return name


def main():
    mode, port, cert, key = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    if mode == "huge-chain":
        megabytes = int(sys.argv[5]) if len(sys.argv) > 5 else 12
        name = chain_file(cert, key, megabytes)
        ctx.load_cert_chain(name, key)
        shutil.rmtree(os.path.dirname(name))
    else:
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
