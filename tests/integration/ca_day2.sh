# Day-2 work on a CA: `ca show` (checked against openssl x509), `ca
# expiring` as a gate (exit 1 naming what is due), `ca renew` (openssl
# verify, same subject/SANs/extensions, same or new key, the old serial in
# the next CRL with --revoke-old, lineage in `ca show`), and named profiles
# of openssl.cnf that give the same extension bytes as `openssl ca
# -extensions NAME`.
. "$MTK_SRC/tests/lib/testlib.sh"

CA=$T/ca
expect_status 0 mtlskit-ca init "$CA" --subject "/O=day2/CN=Day2 Root"
expect_status 0 mtlskit-ca issue "$CA" alice --subject /O=day2/CN=alice \
  --san DNS:alice.example,IP:192.0.2.7 --days 10
expect_status 0 mtlskit-ca issue "$CA" bob --subject /O=day2/CN=bob --days 100
expect_status 0 mtlskit-ca issue "$CA" carol --subject /O=day2/CN=carol --days 5
expect_status 0 mtlskit-ca revoke "$CA" carol

# --- show ------------------------------------------------------------------
cert=$CA/certs/alice.cert.pem
expect_status 0 mtlskit-ca show "$CA" alice
cp "$T/out" "$T/show.txt"
fp=$(openssl x509 -in "$cert" -noout -fingerprint -sha256 | cut -d= -f2)
serial=$(openssl x509 -in "$cert" -noout -serial | cut -d= -f2)
expect_grep "^sha256 +$fp$" "$T/show.txt"
expect_grep "^serial +$serial$" "$T/show.txt"
expect_grep "^state +valid$" "$T/show.txt"
expect_grep "^SANs +DNS:alice.example, IP:192.0.2.7$" "$T/show.txt"
expect_grep "^ext key usage +clientAuth$" "$T/show.txt"
expect_grep "^key +EC P-256 \(256 bits\)$" "$T/show.txt"
expect_status 0 mtlskit-ca show "$CA" alice --json
python3 - "$T/out" "$serial" "$fp" "$cert" <<'PY' || fail "show --json disagrees with openssl"
import json, subprocess, sys
doc = json.load(open(sys.argv[1]))["certificate"]
assert doc["serial"] == sys.argv[2], doc["serial"]
assert doc["sha256_fingerprint"] == sys.argv[3]
sha1 = subprocess.run(["openssl", "x509", "-in", sys.argv[4], "-noout",
                       "-fingerprint", "-sha1"], capture_output=True,
                      text=True).stdout.strip().split("=")[1]
assert doc["sha1_fingerprint"] == sha1, (doc["sha1_fingerprint"], sha1)
assert doc["sans"] == ["DNS:alice.example", "IP:192.0.2.7"], doc["sans"]
assert doc["state"] == "valid" and doc["name"] == "alice"
assert doc["key"] == {"type": "EC", "bits": 256, "curve": "P-256"}, doc["key"]
assert doc["chain"] == ["/O=day2/CN=Day2 Root"], doc["chain"]
PY
pass "ca show: fields, fingerprints and SANs as openssl prints them"

expect_status 0 mtlskit-ca show "$CA" --serial "$serial"
expect_grep "^name|^state +valid$" "$T/out"
expect_status 0 mtlskit-ca show "$CA" carol
expect_grep "^state +revoked at .*Z$" "$T/out"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
  -keyout "$T/foreign.key" -out "$T/foreign.pem" -subj /CN=foreign \
  -days 1 2>/dev/null
expect_status 0 mtlskit-ca show "$CA" "$T/foreign.pem"
expect_grep "^state +not issued by this CA$" "$T/out"
expect_status 2 mtlskit-ca show "$CA" nobody
expect_grep "no certificate named 'nobody'" "$T/err"
pass "ca show by serial and by file; revoked and foreign certificates say so"

# --- expiring ----------------------------------------------------------------
before=$(tree_digest "$CA")
expect_status 1 mtlskit-ca expiring "$CA" --within 30d
expect_grep "^alice +$serial " "$T/out"
expect_no_grep "bob|carol" "$T/out"
expect_status 0 mtlskit-ca expiring "$CA" --within 1d
expect_grep "^nothing expires within 1d$" "$T/out"
expect_status 1 mtlskit-ca expiring "$CA" --within 200d --json
python3 - "$T/out" <<'PY' || fail "expiring --json"
import json, sys
due = json.load(open(sys.argv[1]))["due"]
assert [d["name"] for d in due] == ["alice", "bob"], due
assert due[0]["days_left"] in (9, 10) and due[1]["days_left"] in (99, 100)
PY
expect_status 2 mtlskit-ca expiring "$CA" --within soon
expect_one_line "$T/err"
[ "$before" = "$(tree_digest "$CA")" ] || fail "show or expiring changed $CA"
pass "ca expiring: exit 1 naming only what is due (revoked ones left out), 0 when nothing is"

# --- renew -------------------------------------------------------------------
expect_status 0 mtlskit-ca renew "$CA" alice
expect_grep "^renewed alice as alice-v2 serial [0-9A-F]+ .*\(same key\)$" "$T/out"
expect_status 0 mtlskit-ca renew "$CA" alice-v2 --new-key --revoke-old
expect_grep "^renewed alice-v2 as alice-v3 " "$T/out"
v2_serial=$(openssl x509 -in "$CA/certs/alice-v2.cert.pem" -noout -serial | cut -d= -f2)
for n in alice-v2 alice-v3; do
  openssl verify -CAfile "$CA/certs/ca.cert.pem" "$CA/certs/$n.cert.pem" \
    >/dev/null || fail "$n does not verify"
  for what in subject "ext subjectAltName,extendedKeyUsage,keyUsage,basicConstraints"; do
    # shellcheck disable=SC2086
    [ "$(openssl x509 -in "$cert" -noout -$what)" = \
      "$(openssl x509 -in "$CA/certs/$n.cert.pem" -noout -$what)" ] ||
      fail "$n: $what differs from alice's"
  done
done
pub() { openssl x509 -in "$CA/certs/$1.cert.pem" -noout -pubkey; }
[ "$(pub alice)" = "$(pub alice-v2)" ] || fail "renew without --new-key changed the key"
[ "$(pub alice-v2)" != "$(pub alice-v3)" ] || fail "--new-key kept the key"
ski() { openssl x509 -in "$CA/certs/$1.cert.pem" -noout -ext subjectKeyIdentifier | tail -1; }
[ "$(ski alice)" = "$(ski alice-v2)" ] && [ "$(ski alice-v2)" != "$(ski alice-v3)" ] ||
  fail "subjectKeyIdentifier does not follow the key"
cmp -s "$CA/private/alice.key.pem" "$CA/private/alice-v2.key.pem" ||
  fail "the same key was not written for alice-v2"
[ "$(stat -c %a "$CA/private/alice-v3.key.pem")" = 600 ] || fail "new key not 0600"
expect_status 0 mtlskit-ca crl "$CA"
openssl crl -in "$CA/crl/ca.crl.pem" -noout -text >"$T/crl.txt"
expect_grep "Serial Number: $v2_serial" "$T/crl.txt"
grep -A4 "Serial Number: $v2_serial" "$T/crl.txt" | grep -q "Superseded" ||
  fail "alice-v2 is not in the CRL as superseded"
expect_status 0 mtlskit-ca show "$CA" alice-v3 --json
python3 - "$T/out" "$v2_serial" <<'PY' || fail "lineage not shown"
import json, sys
doc = json.load(open(sys.argv[1]))["certificate"]
assert doc["renews"] == sys.argv[2], doc
PY
expect_status 2 mtlskit-ca renew "$CA" alice-v2
expect_grep "'alice-v2' is revoked" "$T/err"
expect_status 0 mtlskit-ca check "$CA"
pass "ca renew: verifies, same subject/SANs/extensions, same or new key, --revoke-old lands in the CRL, lineage recorded"

# --- named profiles ------------------------------------------------------------
expect_grep '^\[ internal \]$' "$CA/openssl.cnf"
expect_status 0 mtlskit-ca issue "$CA" int1 --subject /O=day2/CN=int1 --profile internal
expect_status 0 mtlskit-ca issue "$CA" ext1 --subject /O=day2/CN=ext1 --profile external
days() {
  local nb na
  nb=$(date -d "$(openssl x509 -in "$1" -noout -startdate | cut -d= -f2)" +%s)
  na=$(date -d "$(openssl x509 -in "$1" -noout -enddate | cut -d= -f2)" +%s)
  echo $(((na - nb) / 86400))
}
[ "$(days "$CA/certs/int1.cert.pem")" = 3650 ] || fail "internal is not 3650 days"
[ "$(days "$CA/certs/ext1.cert.pem")" = 185 ] || fail "external is not 185 days"
for p in internal external; do
  n=${p:0:3}1
  openssl req -new -key "$CA/private/$n.key.pem" -subj "/O=day2/CN=$n" \
    -out "$T/$n.csr" 2>/dev/null
  openssl ca -batch -config "$CA/openssl.cnf" -extensions "$p" -days 30 \
    -in "$T/$n.csr" -out "$T/$n.ossl.pem" >/dev/null 2>&1 ||
    fail "openssl ca -extensions $p failed"
  for f in "$CA/certs/$n.cert.pem" "$T/$n.ossl.pem"; do
    openssl x509 -in "$f" -outform DER |
      python3 "$MTK_SRC/tests/lib/cert_extensions.py" /dev/stdin
  done >"$T/$p.exts"
  [ "$(sort -u "$T/$p.exts" | wc -l)" = 1 ] && [ "$(wc -l <"$T/$p.exts")" = 2 ] ||
    { cat "$T/$p.exts" >&2; fail "profile $p: extensions differ from openssl ca's"; }
done
printf 'b1 --subject /O=day2/CN=b1 --profile internal\nb2 --subject /O=day2/CN=b2\n' >"$T/batch"
expect_status 0 mtlskit-ca issue "$CA" --batch "$T/batch"
[ "$(days "$CA/certs/b1.cert.pem")" = 3650 ] || fail "batch line profile ignored"
expect_status 0 mtlskit-ca check "$CA"
pass "named profiles: the same extension bytes as openssl ca -extensions, their days, in batches too"

before=$(tree_digest "$CA")
expect_status 2 mtlskit-ca issue "$CA" x --subject /CN=x --profile nosuch
expect_one_line "$T/err"
expect_grep "has no section \[ nosuch \]" "$T/err"
expect_status 2 mtlskit-ca issue "$CA" x --subject /CN=x --profile 'a b'
printf '\n[ broken ]\nkeyUsage = critical, notAUsage\n' >>"$CA/openssl.cnf"
before=$(tree_digest "$CA")
expect_status 2 mtlskit-ca issue "$CA" x --subject /CN=x --profile broken
expect_grep "\[ broken \] is not a valid extensions section" "$T/err"
[ "$before" = "$(tree_digest "$CA")" ] || fail "a refused profile changed $CA"
pass "unknown or broken profiles: one-line error, exit 2, nothing changed"
done_testing
