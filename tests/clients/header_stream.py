#!/usr/bin/env python3
"""A TLS client for 127.0.0.1 that sends a request line and then header
lines without end, to check that a server closes such a connection on time
instead of letting it hold a connection (or its event loop).

usage: header_stream.py MODE PORT CA CERT KEY SECONDS

MODE:
  fast  header lines as fast as the connection takes them (the server's
        header size limit must end it)
  slow  one short header line every 100 ms (the server's per-request
        timeout must end it)

Prints one line: "closed AFTER_SECONDS SENT_BYTES RESPONSE_STATUS" when
the server ended the connection, or "open SECONDS SENT_BYTES -" when it
was still open after SECONDS (then exits 1).
"""
import select
import socket
import ssl
import sys
import time


def main():
    mode, port, ca, cert, key, limit = sys.argv[1:7]
    ctx = ssl.create_default_context(cafile=ca)
    ctx.load_cert_chain(cert, key)
    ctx.check_hostname = False
    raw = socket.create_connection(("127.0.0.1", int(port)), timeout=5)
    tls = ctx.wrap_socket(raw)
    tls.settimeout(0.05)
    start = time.monotonic()
    end = start + float(limit)
    sent = 0
    got = b""
    tls.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    line = b"X-Stream: " + (b"a" * 1000 if mode == "fast" else b"a") + b"\r\n"
    closed = False
    while time.monotonic() < end and not closed:
        try:
            tls.sendall(line)
            sent += len(line)
        except (OSError, ssl.SSLError):
            closed = True
            break
        if not select.select([tls], [], [], 0)[0]:
            pass
        else:
            try:
                data = tls.recv(4096)
                if not data:
                    closed = True
                got += data
            except (socket.timeout, ssl.SSLWantReadError):
                pass
            except (OSError, ssl.SSLError):
                closed = True
        if mode == "slow":
            time.sleep(0.1)
    # Read what the server said before it closed, if anything.
    if closed or got:
        tls.settimeout(0.5)
        try:
            while True:
                data = tls.recv(4096)
                if not data:
                    break
                got += data
        except (OSError, ssl.SSLError):
            pass
        closed = True if not closed and got else closed
    status = got.split(b" ", 2)[1].decode() if got.startswith(b"HTTP/") else "-"
    took = time.monotonic() - start
    print("%s %.2f %d %s" % ("closed" if closed else "open", took, sent, status))
    return 0 if closed else 1


if __name__ == "__main__":
    sys.exit(main())
