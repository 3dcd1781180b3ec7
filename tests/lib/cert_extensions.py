#!/usr/bin/env python3
"""Print the extensions field ([3] of TBSCertificate) of a DER certificate
as hex, so that two certificates can be compared byte for byte.

usage: cert_extensions.py CERT.der
"""
import sys
def tlv(b, i):
    tag = b[i]; i += 1
    l = b[i]; i += 1
    if l & 0x80:
        n = l & 0x7f; l = int.from_bytes(b[i:i+n], 'big'); i += n
    return tag, i, i + l
der = open(sys.argv[1], 'rb').read()
_, s, e = tlv(der, 0)          # Certificate
_, s, e = tlv(der, s)          # TBSCertificate
i = s
while i < e:
    tag, cs, ce = tlv(der, i)
    if tag == 0xA3:
        print(der[i:ce].hex())
    i = ce
