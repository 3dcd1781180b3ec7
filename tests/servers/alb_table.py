"""The ALB header values of every fixture case, computed without mtlskit.

usage: python3 alb_table.py FIXTURE_DIR > table.json

For each case of FIXTURE_DIR/manifest.json that sends a certificate: the
SHA-256 fingerprint of the leaf as Node prints it (AB:CD:...) -> the values
AWS ALB adds (docs/platforms.md §1.3): serial and validity from the
manifest (cross-checked with `openssl x509 -serial`), issuer and subject as
`openssl x509 -nameopt RFC2253` prints them, the leaf's PEM and the whole
chain the client sends, URL-encoded with "+=/" left as they are. Used by
tests/servers/alb_echo.js and the probe_alb_* tests.
"""
import base64
import hashlib
import json
import re
import subprocess
import sys
import urllib.parse

BLOCK = re.compile(r"-----BEGIN CERTIFICATE-----\n.*?-----END CERTIFICATE-----\n", re.S)


def openssl_field(pem, flag):
    out = subprocess.run(
        ["openssl", "x509", "-noout", flag, "-nameopt", "RFC2253"],
        input=pem, capture_output=True, text=True, check=True).stdout.strip()
    return out.split("=", 1)[1]


def main(fx):
    manifest = json.load(open(fx + "/manifest.json"))
    table = {}
    for case in manifest["cases"]:
        cert = case.get("files", {}).get("cert")
        if not cert:
            continue
        blocks = BLOCK.findall(open(fx + "/" + cert).read())
        leaf = blocks[0]
        b64 = "".join(leaf.splitlines()[1:-1])
        digest = hashlib.sha256(base64.b64decode(b64)).hexdigest().upper()
        fingerprint = ":".join(digest[i:i + 2] for i in range(0, len(digest), 2))
        serial = openssl_field(leaf, "-serial")
        assert serial == case["serial"], (case["name"], serial, case["serial"])
        table[fingerprint] = {
            "case": case["name"],
            "serial": case["serial"],
            "issuer": openssl_field(leaf, "-issuer"),
            "subject": openssl_field(leaf, "-subject"),
            "validity": "NotBefore=%s;NotAfter=%s" % (case["not_before"], case["not_after"]),
            "leaf": urllib.parse.quote(leaf, safe="+=/"),
            "chain": urllib.parse.quote("".join(blocks), safe="+=/"),
        }
    json.dump(table, sys.stdout, indent=1)


if __name__ == "__main__":
    main(sys.argv[1])
