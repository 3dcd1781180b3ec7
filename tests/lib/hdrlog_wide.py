#!/usr/bin/env python3
"""Write an HdrHistogram log (V2 compressed intervals) whose histograms
declare a range and precision as wide as the format allows.

usage: hdrlog_wide.py INTERVALS [LOWEST HIGHEST SIGFIGS]

Each interval holds a few counts spread from the bottom to the top of the
range, so its encoding is a few dozen bytes while a dense histogram of the
same layout has millions of counts: a reader whose work follows the layout
instead of the data is slow on it. Defaults: 1, 2^62, 5 digits.
"""
import base64
import struct
import sys
import zlib


def zigzag(v):
    z = (v << 1) ^ (v >> 63)
    out = bytearray()
    for _ in range(8):
        if z < 0x80:
            out.append(z)
            return bytes(out)
        out.append((z & 0x7F) | 0x80)
        z >>= 7
    out.append(z & 0xFF)
    return bytes(out)


def encode(lowest, highest, sigfigs, runs):
    payload = b"".join(zigzag(v) for v in runs)
    header = struct.pack(">IIIIqqd", 0x1C849313, len(payload), 0, sigfigs,
                         lowest, highest, 1.0)
    comp = zlib.compress(header + payload)
    return base64.b64encode(struct.pack(">II", 0x1C849314, len(comp)) + comp)


def main():
    n = int(sys.argv[1])
    lowest, highest, sigfigs = 1, 2**62, 5
    if len(sys.argv) > 2:
        lowest, highest, sigfigs = (int(sys.argv[2]), int(sys.argv[3]),
                                    int(sys.argv[4]))
    # A count at index 0, one a million counts on, one 5 million on.
    runs = [3, -(10**6), 2, -(4 * 10**6), 1]
    if lowest > 2**40:
        runs = [1]
    line = encode(lowest, highest, sigfigs, runs).decode()
    out = sys.stdout
    out.write("#[Histogram log format version 1.3]\n")
    out.write("#[StartTime: 1764000000.000 (seconds since epoch)]\n")
    out.write('"StartTimestamp","Interval_Length","Interval_Max",'
              '"Interval_Compressed_Histogram"\n')
    for i in range(n):
        out.write("Tag=handshake,%d.000,1.000,1.000,%s\n" % (i, line))


main()
