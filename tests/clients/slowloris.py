#!/usr/bin/env python3
"""Many half-open TLS connections to 127.0.0.1 (slowloris at the
handshake): each connection sends the start of a ClientHello one byte at a
time, every connection one byte per second, never finishing it, to check
that a server keeps serving others and closes these by its own timeout.

usage: slowloris.py PORT COUNT SECONDS READY_FILE

Opens COUNT connections (one thread, non-blocking sockets), creates
READY_FILE once all are open, then dribbles bytes until the server has
closed every connection or SECONDS pass. Prints one JSON line:
{"opened": N, "closed": K, "first_close_s": A, "last_close_s": B,
 "sent": BYTES}, each connection's close time counted from its own
opening (the server's timeout runs from there, and opening a thousand
connections to a sanitized server on a loaded machine can take longer than
that timeout). Exit status 0 when the server closed all COUNT connections,
1 otherwise.
"""
import json
import selectors
import socket
import sys
import time

# A TLS record header announcing a 512-byte handshake message, then the
# start of a ClientHello: the server must wait for the rest.
PREFIX = b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 64


def main():
    port, count, limit, ready = (int(sys.argv[1]), int(sys.argv[2]),
                                 float(sys.argv[3]), sys.argv[4])
    sel = selectors.DefaultSelector()
    conns = []
    opened_at = []
    for _ in range(count):
        opened_at.append(time.monotonic())
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        s.setblocking(False)
        s.send(PREFIX[:1])
        conns.append(s)
        sel.register(s, selectors.EVENT_READ, len(conns) - 1)
    sent = [1] * count
    open(ready, "w").close()
    start = time.monotonic()
    closed = {}
    next_byte = start + 1.0
    while len(closed) < count and time.monotonic() - start < limit:
        for key, _ in sel.select(timeout=0.05):
            i = key.data
            try:
                data = conns[i].recv(4096)
            except OSError:
                data = b""
            if not data:  # EOF or reset: the server ended it
                closed[i] = time.monotonic() - opened_at[i]
                sel.unregister(conns[i])
                conns[i].close()
        if time.monotonic() >= next_byte:
            next_byte += 1.0
            for i, s in enumerate(conns):
                if i in closed or sent[i] >= len(PREFIX):
                    continue
                try:
                    s.send(PREFIX[sent[i]:sent[i] + 1])
                    sent[i] += 1
                except OSError:
                    pass  # noticed as a close by the reader
    times = sorted(closed.values())
    print(json.dumps({
        "opened": count,
        "closed": len(closed),
        "first_close_s": round(times[0], 2) if times else None,
        "last_close_s": round(times[-1], 2) if times else None,
        "sent": sum(sent),
    }))
    return 0 if len(closed) == count else 1


if __name__ == "__main__":
    sys.exit(main())
