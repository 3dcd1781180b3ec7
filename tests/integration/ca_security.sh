# Regression tests for the CA defects of the hostile review (docs/security.md,
# section CA): one issuance policy for names and keys whatever their source,
# an index that is refused rather than half read, openssl.cnf values held to
# the command line's rules, temporary files nobody can plant, CA files that
# must be regular files, CRL and serial numbers within RFC 5280, passwords
# read whole, and an init that a kill or a second init cannot strand.
. "$MTK_SRC/tests/lib/testlib.sh"

CA=$T/ca
export PFX=pfx-secret
mtlskit-ca init "$CA" --subject "/O=t/CN=t Root CA" >/dev/null
mtlskit-ca issue "$CA" alice --subject /O=t/CN=alice >/dev/null

# unchanged CMD...: run CMD (status in $got, output in $T/out, $T/err) and
# fail if anything under $CA changed.
unchanged() {
  local before
  before=$(tree_digest "$CA")
  got=0
  "$@" >"$T/out" 2>"$T/err" || got=$?
  [ "$before" = "$(tree_digest "$CA")" ] || fail "'$*' changed $CA"
}

# refused STATUS MESSAGE CMD...: CMD exits STATUS with one error line that
# contains MESSAGE (a fixed string) and leaves $CA as it was.
refused() {
  local status=$1 msg=$2
  shift 2
  unchanged "$@"
  [ "$got" -eq "$status" ] || { cat "$T/err" >&2; fail "'$*' exited $got, expected $status"; }
  expect_one_line "$T/err"
  grep -qF -- "$msg" "$T/err" || { cat "$T/err" >&2; fail "'$msg' not in the error of '$*'"; }
}

# message CMD...: the error message (after "error: ") that CMD prints.
message() {
  "$@" >/dev/null 2>"$T/msg" && fail "'$*' succeeded"
  sed -n 's/^mtlskit ca [a-z]*: error: //p' "$T/msg"
}

# csr NAME SUBJECT [openssl req options...]: a P-256 request in $T/NAME.csr.
csr() {
  local name=$1 subj=$2
  shift 2
  openssl req -new -key "$T/p256.key" -subj "$subj" -out "$T/$name.csr" "$@" \
    2>"$T/req.err" || { cat "$T/req.err"; fail "openssl req for $name"; }
}

openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
  -out "$T/p256.key" 2>/dev/null

# der_san HEXNAME: subjectAltName=DER:... for one dNSName of bytes HEXNAME.
der_san() {
  python3 -c "
import sys
n = bytes.fromhex(sys.argv[1])
inner = bytes([0x82, len(n)]) + n
print('subjectAltName=DER:' + (bytes([0x30, len(inner)]) + inner).hex())" "$1"
}

# ---- a CSR meets the policy typed names and keys meet ---------

# Each bad value, typed on the command line, in a batch file, and requested
# in a CSR: refused with the same message, exit 2, nothing written.
python3 - "$T" <<'PY'
# Requests openssl req will not make (a NUL or a tab in the CN, a CN of 65
# characters, a 60,000-byte extension), signed with a real key: built with
# the cryptography package.
import sys
import warnings
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import NameOID
warnings.simplefilter("ignore")  # it warns about the 65-character CN
t = sys.argv[1]
key = serialization.load_pem_private_key(open(t + "/p256.key", "rb").read(), None)
def write(name, cn, ext=None):
    b = x509.CertificateSigningRequestBuilder().subject_name(x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, cn, _validate=False)]))
    if ext is not None:
        b = b.add_extension(ext, critical=False)
    req = b.sign(key, hashes.SHA256())
    open(f"{t}/{name}.csr", "wb").write(req.public_bytes(serialization.Encoding.PEM))
write("cn-nul", "admin\x00.evil")
write("long-cn", "c" * 65)
write("cn-ctl", "a\tb")
write("huge", "huge", x509.UnrecognizedExtension(
    x509.ObjectIdentifier("1.2.3.5"), b"\x04\x82\xea\x60" + b"x" * 60000))
PY
long_cn=$(printf 'c%.0s' $(seq 1 65))
check_same() {  # what, --san/--subject value, openssl req arguments
  local what=$1 typed=$2
  shift 2
  local want
  if [ "${typed#/}" != "$typed" ]; then
    want=$(message mtlskit-ca issue "$CA" x --subject "$typed")
    printf 'b1 --subject %q\n' "$typed" >"$T/b.txt"
  else
    want=$(message mtlskit-ca issue "$CA" x --subject /CN=x --san "$typed")
    printf 'b1 --subject /CN=x --san %q\n' "$typed" >"$T/b.txt"
  fi
  [ -n "$want" ] || fail "no command-line message for $what"
  refused 2 "$want" mtlskit-ca issue "$CA" --batch "$T/b.txt"
  refused 2 "$want" mtlskit-ca sign "$CA" --csr "$T/$what.csr" "$what"
  refused 2 "$want" mtlskit-ca sign "$CA" --csr "$T/$what.csr"
}
csr dns-space /CN=x -addext "subjectAltName=DNS:a b.example"
check_same dns-space "DNS:a b.example"
csr email-no-at /CN=x -addext "subjectAltName=email:nobody"
check_same email-no-at "email:nobody"
check_same long-cn "/CN=$long_cn"
csr uri-no-scheme /CN=x -addext "subjectAltName=URI:noscheme"
check_same uri-no-scheme "URI:noscheme"
pass "bad SANs and an over-long CN: one message for command line, batch and CSR"

# A NUL inside a dNSName: the classic name-confusion attack. The command
# line cannot carry it; the message shows it escaped.
csr dns-nul /CN=x -addext "$(der_san "$(printf 'a\0.evil.example' | xxd -p)")"
refused 2 "SAN 'DNS:a\\x00.evil.example': not a DNS name" \
  mtlskit-ca sign "$CA" --csr "$T/dns-nul.csr" n
refused 2 "subject '/CN=admin\\x00.evil': CN contains a control character" \
  mtlskit-ca sign "$CA" --csr "$T/cn-nul.csr" n
want=$(message mtlskit-ca issue "$CA" x --subject "/CN=a	b")
refused 2 "$want" mtlskit-ca sign "$CA" --csr "$T/cn-ctl.csr" n
pass "a NUL or a control character in a CSR's dNSName or CN is refused"

# Keys: RSA-1024 from a CSR and from --key-type get one message.
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 \
  -out "$T/rsa1024.key" 2>/dev/null
openssl req -new -key "$T/rsa1024.key" -subj /CN=weak -out "$T/weak.csr"
want=$(message mtlskit-ca issue "$CA" x --subject /CN=x --key-type rsa1024)
want=${want#*: }  # drop "--key-type 'rsa1024': "
[ "$want" != "" ] || fail "no --key-type message"
refused 2 "$want" mtlskit-ca sign "$CA" --csr "$T/weak.csr" weak
refused 2 "key RSA-1024 is not allowed" \
  mtlskit-ca sign "$CA" --csr "$T/weak.csr" weak --subject /CN=other
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-521 \
  -out "$T/p521.key" 2>/dev/null
openssl req -new -key "$T/p521.key" -subj /CN=p521 -out "$T/p521.csr"
refused 2 "key EC secp521r1 is not allowed" \
  mtlskit-ca sign "$CA" --csr "$T/p521.csr" p521
pass "an RSA-1024 or P-521 key in a CSR is refused as --key-type refuses it"

# Proof of possession: a CSR whose signature does not verify.
openssl req -in "$T/dns-space.csr" -outform DER -out "$T/good.der"
python3 - "$T/good.der" "$T/badsig.der" <<'PY'
import sys
d = bytearray(open(sys.argv[1], "rb").read())
d[-3] ^= 0x01  # inside the signature's last INTEGER
open(sys.argv[2], "wb").write(d)
PY
refused 2 "certificate request signature does not verify" \
  mtlskit-ca sign "$CA" --csr "$T/badsig.der" n
pass "a CSR with a bad self-signature is refused"

# Unknown critical extensions: refused unless asked, then left out.
csr crit /CN=crit -addext "1.2.3.4=critical,DER:0500"
refused 2 "requests critical extension 1.2.3.4" \
  mtlskit-ca sign "$CA" --csr "$T/crit.csr" crit
csr keyusage /CN=ku -addext "keyUsage=critical,digitalSignature"
expect_status 0 mtlskit-ca sign "$CA" --csr "$T/keyusage.csr" ku
expect_status 0 mtlskit-ca sign "$CA" --csr "$T/crit.csr" crit \
  --drop-unknown-critical
openssl x509 -in "$CA/certs/crit.cert.pem" -noout -text >"$T/crit.txt"
expect_no_grep "1\.2\.3\.4" "$T/crit.txt"
pass "an unknown critical extension needs --drop-unknown-critical (a critical keyUsage does not)"

# Huge requests (huge.csr: a 60,000-byte extension, made above).
refused 2 "is larger than 65536 bytes" mtlskit-ca sign "$CA" --csr "$T/huge.csr" h
san=$(for i in $(seq 1 70); do printf 'DNS:h%d.example,' "$i"; done)
csr many-sans /CN=many -addext "subjectAltName=${san%,}"
refused 2 "has more than 64 SANs" mtlskit-ca sign "$CA" --csr "$T/many-sans.csr" m
pass "a request over 64 KiB or with more than 64 SANs is refused"

# ---- NUL in index.txt ------------------------------

cp "$CA/index.txt" "$T/index.good"
# alice is revoked from here on: her exports below say --allow-revoked.
mtlskit-ca revoke "$CA" alice --reason keyCompromise >/dev/null 2>&1
mtlskit-ca issue "$CA" bob --subject /CN=bob >/dev/null
{ printf '\0\n'; cat "$CA/index.txt"; } >"$T/index.nul-first"
{ printf 'V\0\n'; cat "$CA/index.txt"; } >"$T/index.nul-inside"
sed '2s/^V/V\x00/' "$CA/index.txt" >"$T/index.nul-line2"
cp "$CA/index.txt" "$T/index.before"
for f in nul-first nul-inside nul-line2; do
  cp "$T/index.$f" "$CA/index.txt"
  line=1
  [ "$f" = nul-line2 ] && line=2
  for cmd in "issue $CA c --subject /CN=c" "revoke $CA bob" "crl $CA" \
    "list $CA" "sign $CA --csr $T/keyusage.csr k2" \
    "export $CA --truststore $T/t.pem" \
    "export $CA bob --p12 $T/b.pfx --p12-password env:PFX"; do
    # shellcheck disable=SC2086
    refused 3 "index.txt line $line: NUL byte" mtlskit-ca $cmd
  done
done
cp "$T/index.before" "$CA/index.txt"
pass "a NUL anywhere in index.txt: every command refuses with file and line, nothing is rewritten"

# ---- openssl.cnf values bypassing validation -------------------

cp "$CA/openssl.cnf" "$T/cnf.good"
cnf_refused() {  # KEY VALUE MESSAGE CMD...
  local key=$1 value=$2 msg=$3
  shift 3
  sed "s/^$key .*/$key = $value/" "$T/cnf.good" >"$CA/openssl.cnf"
  grep -q "^$key = $value\$" "$CA/openssl.cnf" || fail "sed did not set $key"
  local line
  line=$(grep -n "^$key = " "$CA/openssl.cnf" | cut -d: -f1)
  refused 3 "openssl.cnf line $line: $key = $value: $msg" "$@"
}
cnf_refused default_md sha1 "SHA-1 signatures are refused" \
  mtlskit-ca issue "$CA" x --subject /CN=x
cnf_refused default_md md5 "use sha256, sha384 or sha512" \
  mtlskit-ca sign "$CA" --csr "$T/keyusage.csr" k3
cnf_refused default_days 0 "must be a whole number of days, 1 to 36500" mtlskit-ca issue "$CA" x --subject /CN=x
cnf_refused default_days 99999 "must be a whole number of days, 1 to 36500" mtlskit-ca issue "$CA" x --subject /CN=x
cnf_refused default_days -5 "must be a whole number of days, 1 to 36500" mtlskit-ca list "$CA"
cnf_refused default_crl_days 0 "must be a whole number of days, 1 to 36500" mtlskit-ca crl "$CA"
cnf_refused default_crl_days 7x "must be a whole number of days, 1 to 36500" mtlskit-ca crl "$CA"
cnf_refused unique_subject maybe "use yes or no" mtlskit-ca issue "$CA" x --subject /CN=x
cp "$T/cnf.good" "$CA/openssl.cnf"
pass "openssl.cnf's default_md, default_days, default_crl_days, unique_subject meet the command line's rules"

# ---- temporary files nobody can plant ---------------------------

# The front-end execs its subcommand, so `exec` here gives mtlskit-ca the
# PID the old PATH.tmp.PID names used; plant a symlink and a 0644 file there.
echo victim >"$T/victim"
plant() {  # PATH: bash -c that plants at PATH.tmp.$$ then execs the rest
  local path=$1
  shift
  bash -c 'p=$1.tmp.$$; shift; ln -s "'"$T"'/victim" "$p"; exec "$@"' _ "$path" "$@" \
    >/dev/null 2>&1
}
plant "$T/a.pfx" mtlskit-ca export "$CA" bob --p12 "$T/a.pfx" --p12-password env:PFX ||
  fail "export with a planted temp name"
plant "$CA/index.txt" mtlskit-ca revoke "$CA" bob || fail "revoke with a planted temp name"
plant "$T/out.crl" mtlskit-ca crl "$CA" --output "$T/out.crl" || fail "crl with a planted temp name"
plant "$CA/crlnumber" mtlskit-ca crl "$CA" || fail "crl with a planted crlnumber temp"
[ "$(cat "$T/victim")" = victim ] || fail "a planted symlink was written through"
[ "$(stat -c %a "$T/a.pfx")" = 600 ] || fail "a.pfx is $(stat -c %a "$T/a.pfx")"
grep -q "^R.*/CN=bob$" "$CA/index.txt" || fail "the revocation was not written"
openssl crl -in "$T/out.crl" -noout || fail "crl --output unreadable"
# A world-readable file at the old name does not lend the .pfx its mode.
bash -c 'p=$1.tmp.$$; shift; : >"$p"; chmod 644 "$p"; exec "$@"' _ "$T/c.pfx" \
  mtlskit-ca export "$CA" alice --allow-revoked --p12 "$T/c.pfx" --p12-password env:PFX \
  >/dev/null 2>&1 || fail "export beside a planted 0644 file"
[ "$(stat -c %a "$T/c.pfx")" = 600 ] || fail "c.pfx is $(stat -c %a "$T/c.pfx")"
# The destination itself a symlink: replaced, never written through.
ln -s "$T/victim" "$T/d.pfx"
expect_status 0 mtlskit-ca export "$CA" alice --allow-revoked --p12 "$T/d.pfx" --p12-password env:PFX
[ "$(cat "$T/victim")" = victim ] && [ ! -L "$T/d.pfx" ] ||
  fail "export wrote through a symlink at its destination"
# New files are exclusive: a dangling symlink at --p12 or --output refuses.
ln -s "$T/elsewhere.pfx" "$T/e.pfx"
refused 3 "cannot create $T/e.pfx" mtlskit-ca issue "$CA" eve --subject /CN=eve \
  --p12 "$T/e.pfx" --p12-password env:PFX
[ ! -e "$T/elsewhere.pfx" ] || fail "issue --p12 followed a symlink"
ls -A "$CA" "$CA/crl" "$T" | grep -v "\.tmp\.[0-9]*$" | grep "\.tmp" && fail "temporary file left"
pass "planted symlinks and files at temporary names change nothing; .pfx files stay 0600"

# ---- CA files that are FIFOs ----------------------------------

for f in index.txt openssl.cnf serial crlnumber certs/ca.cert.pem \
  private/ca.key.pem index.txt.attr; do
  mv "$CA/$f" "$T/saved"
  mkfifo "$CA/$f"
  cmd="issue $CA x --subject /CN=x"
  [ "$f" = crlnumber ] && cmd="crl $CA"
  # shellcheck disable=SC2086
  refused 3 "is not a regular file" timeout 20 mtlskit-ca $cmd
  rm "$CA/$f"
  mv "$T/saved" "$CA/$f"
done
pass "a FIFO in place of any CA file is refused at once (exit 3), never waited on"

# ---- CRL number and serial file within RFC 5280 --------------

cp "$CA/crlnumber" "$T/crlnumber.good"
printf '%s\n' "010000000000000000000000000000000000000000" >"$CA/crlnumber"
refused 3 "crlnumber: 010000000000000000000000000000000000000000 is out of range: more than 20 octets" \
  mtlskit-ca crl "$CA"
printf '%s\n' "8000000000000000000000000000000000000000" >"$CA/crlnumber"
refused 3 "is out of range: more than 20 octets" mtlskit-ca crl "$CA"
printf '%s\n' "7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF" >"$CA/crlnumber"
refused 3 "is the last CRL number RFC 5280 5.2.3 allows" mtlskit-ca crl "$CA"
printf '0\n' >"$CA/crlnumber"
refused 3 "crlnumber: 0 is out of range: must be positive" mtlskit-ca crl "$CA"
printf '%s\n' "7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFE" >"$CA/crlnumber"
expect_status 0 mtlskit-ca crl "$CA" --output "$T/last.crl"
openssl crl -in "$T/last.crl" -noout -crlnumber | grep -q '=0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFE$' ||
  fail "the 20-octet CRL number"
cp "$T/crlnumber.good" "$CA/crlnumber"
cp "$CA/serial" "$T/serial.good"
printf '%s\n' "01000000000000000000000000000000000000000000" >"$CA/serial"
refused 3 "serial: 01000000000000000000000000000000000000000000 is out of range" \
  mtlskit-ca issue "$CA" x --subject /CN=x
printf '0\n' >"$CA/serial"
refused 3 "serial: 0 is out of range" mtlskit-ca issue "$CA" x --subject /CN=x
cp "$T/serial.good" "$CA/serial"
pass "crlnumber and serial over 20 octets or zero are refused with file and value"

# ---- passwords read whole, empty ones refused -----------------

python3 -c "print('p' * 5000)" >"$T/long.pw"
refused 2 "password file $T/long.pw: the password is longer than 4096 bytes" \
  mtlskit-ca export "$CA" alice --allow-revoked --p12 "$T/l.pfx" --p12-password "file:$T/long.pw"
python3 -c "print('q' * 4096)" >"$T/max.pw"
expect_status 0 mtlskit-ca export "$CA" alice --allow-revoked --p12 "$T/m.pfx" \
  --p12-password "file:$T/max.pw"
# openssl -passin reads at most 1023 bytes; Python's reader takes it whole.
python3 -c "
import sys
from cryptography.hazmat.primitives.serialization import pkcs12
pw = open(sys.argv[1], 'rb').read().rstrip(b'\n')
assert len(pw) == 4096
pkcs12.load_key_and_certificates(open(sys.argv[2], 'rb').read(), pw)
try:
    pkcs12.load_key_and_certificates(open(sys.argv[2], 'rb').read(), pw[:4095])
except ValueError:
    sys.exit(0)
sys.exit(1)" "$T/max.pw" "$T/m.pfx" || fail "a 4096-byte password was not used whole"
LONGPW=$(python3 -c "print('v' * 4097)") expect_status 2 \
  mtlskit-ca export "$CA" alice --allow-revoked --p12 "$T/l.pfx" --p12-password env:LONGPW
expect_grep "password variable LONGPW: the password is longer than 4096 bytes" "$T/err"
: >"$T/empty.pw"
refused 2 "the PKCS#12 password is empty" \
  mtlskit-ca export "$CA" alice --allow-revoked --p12 "$T/e2.pfx" --p12-password "file:$T/empty.pw"
refused 2 "--allow-empty-password" mtlskit-ca issue "$CA" frank --subject /CN=f \
  --p12 "$T/f.pfx" --p12-password "file:$T/empty.pw"
expect_status 0 mtlskit-ca export "$CA" alice --allow-revoked --p12 "$T/e3.pfx" \
  --p12-password "file:$T/empty.pw" --allow-empty-password
openssl pkcs12 -in "$T/e3.pfx" -passin pass: -nokeys -noout || fail "empty-password .pfx"
expect_status 2 mtlskit-ca init "$T/eca" --key-password "file:$T/empty.pw"
expect_grep "the CA key passphrase is empty" "$T/err"
[ ! -e "$T/eca" ] || fail "init left $T/eca"
python3 -c "print('k' * 1024)" >"$T/k1024.pw"
expect_status 2 mtlskit-ca init "$T/kca" --key-password "file:$T/k1024.pw"
expect_grep "a key passphrase may be at most 1023 bytes" "$T/err"
[ ! -e "$T/kca" ] || fail "init left $T/kca"
pass "passwords over 4096 bytes refused (never cut), empty ones need --allow-empty-password"

# ---- an interrupted or concurrent init ------------------------

I=$T/initca
mkdir "$I"
echo "mtlskit ca init is creating this CA" >"$I/.mtlskit-init"
mkdir "$I/certs" && echo half >"$I/openssl.cnf"
expect_status 3 mtlskit-ca list "$I"
expect_grep "is incomplete: .mtlskit ca init. was interrupted" "$T/err"
expect_status 0 mtlskit-ca init "$I" --subject /CN=redo
[ ! -e "$I/.mtlskit-init" ] || fail "marker left"
expect_status 0 mtlskit-ca issue "$I" u1 --subject /CN=u1
pass "ca init redoes the directory an interrupted init left; other commands refuse it"

for trial in 1 2 3 4 5 6; do
  C=$T/race$trial
  mtlskit-ca init "$C" --subject /CN=a >"$T/a.out" 2>"$T/a.err" & a=$!
  mtlskit-ca init "$C" --subject /CN=b >"$T/b.out" 2>"$T/b.err" & b=$!
  sa=0 sb=0
  wait $a || sa=$?
  wait $b || sb=$?
  [ $((sa + sb)) -eq 3 ] || { cat "$T/a.err" "$T/b.err"; fail "two inits: $sa and $sb"; }
  grep -qh "already exists and is not an empty directory" "$T/a.err" "$T/b.err" ||
    fail "the losing init's message"
  openssl verify -CAfile "$C/certs/ca.cert.pem" "$C/certs/ca.cert.pem" >/dev/null ||
    fail "race $trial left a broken CA"
  expect_status 0 mtlskit-ca issue "$C" u --subject /CN=u
done
pass "two concurrent inits: one creates the CA, the other says it exists (6 trials)"

for trial in $(seq 1 8); do
  C=$T/killed$trial
  mtlskit-ca init "$C" --intermediate --key-type rsa2048 >/dev/null 2>&1 & p=$!
  sleep "0.0$((RANDOM % 9))"
  kill -9 $p 2>/dev/null || true
  wait $p 2>/dev/null || true
  expect_status 0 mtlskit-ca init "$C" --intermediate --key-type p256
  expect_status 0 mtlskit-ca issue "$C/intermediate" u --subject /CN=u
done
pass "ca init killed at random moments: the next init succeeds (8 trials)"

done_testing
