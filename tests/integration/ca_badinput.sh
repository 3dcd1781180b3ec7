# Bad input to mtlskit ca: each case gets a one-line error, its documented
# exit status (2 bad input, 3 missing/corrupt CA, wrong passphrase,
# unwritable path), and leaves the CA directory exactly as it was.
. "$MTK_SRC/tests/lib/testlib.sh"

CA=$T/ca
export CA_PASS='right horse battery' WRONG_PASS=nope PFX=pfx
mtlskit-ca init "$CA" --subject "/O=t/CN=t Root CA" >/dev/null
mtlskit-ca issue "$CA" alice --subject /O=t/CN=alice >/dev/null

# bad STATUS PATTERN CMD...: CMD must exit STATUS with one error line
# matching PATTERN, and change nothing under $CA.
bad() {
  local status=$1 pattern=$2
  shift 2
  local before after
  before=$(tree_digest "$CA")
  expect_status "$status" "$@"
  expect_one_line "$T/err"
  expect_grep "^mtlskit ca [a-z]+: error: .*$pattern" "$T/err"
  after=$(tree_digest "$CA")
  [ "$before" = "$after" ] || fail "'$*' changed $CA"
}

# usage_bad PATTERN CMD...: a command-line error (exit 2, error + try line).
usage_bad() {
  local pattern=$1
  shift
  local before
  before=$(tree_digest "$CA")
  expect_status 2 "$@"
  expect_grep "^mtlskit ca [a-z]+: error: .*$pattern" "$T/err"
  expect_grep "^try 'mtlskit ca [a-z]+ --help'$" "$T/err"
  [ "$before" = "$(tree_digest "$CA")" ] || fail "'$*' changed $CA"
}

bad 2 "no certificate named 'bob'" mtlskit-ca revoke "$CA" bob
bad 2 "serial 0BADBEEF is not in" mtlskit-ca revoke "$CA" --serial 0badbeef
pass "unknown NAME or serial"

bad 2 "certificate name 'alice' is already used" \
  mtlskit-ca issue "$CA" alice --subject /CN=other
bad 2 "bad certificate name '../evil'" \
  mtlskit-ca issue "$CA" ../evil --subject /CN=x
bad 2 "reserved for the CA" mtlskit-ca issue "$CA" ca --subject /CN=x
pass "duplicate or invalid NAME"

bad 2 "must start with '/'" mtlskit-ca issue "$CA" x --subject CN=x
bad 2 "C must be 2 characters" mtlskit-ca issue "$CA" x --subject /C=JPN/CN=x
bad 2 "unknown attribute type 'XX'" mtlskit-ca issue "$CA" x --subject /XX=1
bad 2 "has no value" mtlskit-ca issue "$CA" x --subject /O=/CN=x
bad 2 "--subject is required" mtlskit-ca issue "$CA" x
pass "malformed subject"

bad 2 "not an IPv4 or IPv6" mtlskit-ca issue "$CA" x --subject /CN=x \
  --san IP:999.1.1.1
bad 2 "unknown type 'foo'" mtlskit-ca issue "$CA" x --subject /CN=x \
  --san foo:bar
bad 2 "not a DNS name" mtlskit-ca issue "$CA" x --subject /CN=x \
  --san DNS:a..b
bad 2 "not an email" mtlskit-ca issue "$CA" x --subject /CN=x --san email:x
pass "malformed SAN"

bad 3 "CA directory $T/nope: no such file or directory" \
  mtlskit-ca issue "$T/nope" x --subject /CN=x
[ ! -e "$T/nope" ] || fail "a missing CA directory was created"
mkdir "$T/empty"
bad 3 "is not a CA directory" mtlskit-ca issue "$T/empty" x --subject /CN=x
bad 3 "is not a CA directory" mtlskit-ca list "$T/empty"
pass "missing CA directory"

cp "$CA/index.txt" "$T/index.good"
printf 'V\t361120173151Z\t\t12ZZ\tunknown\t/CN=broken\n' >>"$CA/index.txt"
for cmd in "issue $CA x --subject /CN=x" "revoke $CA alice" "crl $CA" \
  "list $CA"; do
  # shellcheck disable=SC2086
  bad 3 "index.txt line 2: malformed serial" mtlskit-ca $cmd
done
printf 'V\t361120173151Z\t\t1234\tunknown\n' >"$CA/index.txt"
bad 3 "index.txt line 1: expected 6 tab-separated fields" \
  mtlskit-ca issue "$CA" x --subject /CN=x
printf 'V\t361120173151Z\t\t1234\tunknown\t/CN=half' >"$CA/index.txt"
bad 3 "last line is incomplete" mtlskit-ca issue "$CA" x --subject /CN=x
cp "$T/index.good" "$CA/index.txt"
pass "corrupt index.txt line"

cp "$CA/serial" "$T/serial.good"
echo "10zz" >"$CA/serial"
bad 3 "serial: not a hex number" mtlskit-ca issue "$CA" x --subject /CN=x
cp "$T/serial.good" "$CA/serial"
echo "nope" >"$CA/crlnumber"
bad 3 "crlnumber: not a hex number" mtlskit-ca crl "$CA"
echo 1000 >"$CA/crlnumber"
cp "$CA/certs/ca.cert.pem" "$T/cacert.good"
echo garbage >"$CA/certs/ca.cert.pem"
bad 3 "CA certificate" mtlskit-ca issue "$CA" x --subject /CN=x
cp "$T/cacert.good" "$CA/certs/ca.cert.pem"
pass "bad serial, crlnumber or CA certificate file"

# Every file of the CA directory, damaged in each way that matters: one
# error line naming the file (and the line, for line-based files), exit 3
# whichever file it is (docs/exit-status.md: a corrupt CA directory is a
# runtime error), and nothing changed on disk.
# damaged FILE MESSAGE CMD...: put $T/content at $CA/FILE (or, for the
# words fifo/dir/missing, a FIFO, a directory or nothing), run CMD, restore.
damaged() {
  local file=$1 msg=$2
  shift 2
  cp -a "$CA/$file" "$T/saved"
  rm "$CA/$file"
  case $(tr -d '\000' <"$T/content") in
    fifo) mkfifo "$CA/$file" ;;
    dir) mkdir "$CA/$file" ;;
    missing) ;;
    *) cp "$T/content" "$CA/$file" ;;
  esac
  bad 3 "$msg" timeout 20 "$@"
  rm -rf "${CA:?}/$file"
  cp -a "$T/saved" "$CA/$file"
}
content() { printf "$@" >"$T/content"; }
ISSUE=(mtlskit-ca issue "$CA" x --subject /CN=x)
ok_line=$(head -1 "$CA/index.txt")
serial=$(cut -f4 <<<"$ok_line")
content '%s\nV\t3611201731Z\t\t1234\tunknown\t/CN=baddate\n' "$ok_line"
damaged index.txt "index.txt line 2: malformed expiry time" "${ISSUE[@]}"
content '%s\n%s\n' "$ok_line" "$ok_line"
damaged index.txt "index.txt line 2: duplicate serial $serial" "${ISSUE[@]}"
content 'R\t361120173151Z\t\t1234\tunknown\t/CN=norevtime\n'
damaged index.txt "index.txt line 1: malformed revocation field" "${ISSUE[@]}"
content 'V\t361120173151Z\t261120173151Z\t1234\tunknown\t/CN=x\n'
damaged index.txt "index.txt line 1: revocation field on an unrevoked entry" \
  mtlskit-ca list "$CA"
# Tabs too: junk with exactly five would be a six-field line, refused
# for another reason (the test failed so about once in 70 runs).
head -c 3000 /dev/urandom | tr -d '\000\n\t' >"$T/content"
echo >>"$T/content"
damaged index.txt "index.txt line 1: expected 6 tab-separated fields" \
  mtlskit-ca crl "$CA"
content '%s\nV\t36112\0' "$ok_line"
damaged index.txt "index.txt line 2: NUL byte" mtlskit-ca revoke "$CA" alice
content fifo
damaged index.txt "index.txt is not a regular file" "${ISSUE[@]}"
content dir
damaged index.txt "index.txt is not a regular file" mtlskit-ca list "$CA"
content missing
damaged index.txt "index.txt is missing" "${ISSUE[@]}"
pass "index.txt: bad dates, duplicate serial, bad revocation, binary junk, NUL, FIFO, directory, missing"

for v in '' '10 00\n' '0x1000\n' '1000\n2000\n' '\377\376\n'; do
  content "$v"
  damaged serial "serial: not a hex number" "${ISSUE[@]}"
  damaged crlnumber "crlnumber: not a hex number" mtlskit-ca crl "$CA"
done
content '10\0000\n'
damaged serial "serial line 1: NUL byte" "${ISSUE[@]}"
content '%s\n' "$(printf 'F%.0s' $(seq 1 41))"
damaged crlnumber "is out of range: more than 20 octets" mtlskit-ca crl "$CA"
content fifo
damaged crlnumber "crlnumber is not a regular file" mtlskit-ca crl "$CA"
pass "serial and crlnumber: empty, spaces, 0x, two lines, binary, NUL, too long, FIFO"

content '[ CA_default \n'
damaged openssl.cnf "openssl.cnf line 1: unterminated section" "${ISSUE[@]}"
# Junk that starts with a letter: a first byte of '[' would open a section
# and '#' or ';' a comment (each about 1 in 256 runs), another error.
{ printf 'x'; head -c 2000 /dev/urandom | tr -d '\000=\n'; } >"$T/content"
damaged openssl.cnf "openssl.cnf line 1: expected NAME = VALUE" mtlskit-ca list "$CA"
content '[ CA_default ]\ndefault_days = 30\0\n'
damaged openssl.cnf "openssl.cnf line 2: NUL byte" "${ISSUE[@]}"
content '[ CA_default ]\ndatabase = $nowhere/index.txt\n'
damaged openssl.cnf "openssl.cnf line 2: database = [$]nowhere/index.txt: cannot expand" \
  mtlskit-ca list "$CA"
head -c 1100000 /dev/zero | tr '\0' '#' >"$T/content"
damaged openssl.cnf "openssl.cnf is larger than" "${ISSUE[@]}"
content 'unique_subject = perhaps\n'
damaged index.txt.attr "index.txt.attr line 1: unique_subject must be yes or no" \
  "${ISSUE[@]}"
pass "openssl.cnf and index.txt.attr: bad sections, junk, NUL, bad variables, huge, bad values"

content 'garbage\n'
damaged private/ca.key.pem "ca.key.pem holds no readable private key" "${ISSUE[@]}"
content missing
damaged private/ca.key.pem "ca.key.pem" mtlskit-ca crl "$CA"
content fifo
damaged private/ca.key.pem "ca.key.pem is not a regular file" "${ISSUE[@]}"
content missing
damaged certs/ca.cert.pem "CA certificate" mtlskit-ca list "$CA"
content 'garbage\n'
damaged certs/alice.cert.pem "alice.cert.pem" mtlskit-ca revoke "$CA" alice
damaged private/alice.key.pem "alice.key.pem holds no readable private key" \
  mtlskit-ca export "$CA" alice --p12 "$T/a.pfx" --p12-password env:PFX
[ ! -e "$T/a.pfx" ] || fail "a.pfx written from a damaged key"
pass "CA key and certificates: garbage, missing, FIFO (exit 3 for each)"

# A CA whose key is encrypted.
ECA=$T/enc
mtlskit-ca init "$ECA" --subject /CN=enc --key-password env:CA_PASS >/dev/null
grep -q 'BEGIN ENCRYPTED PRIVATE KEY' "$ECA/private/ca.key.pem" ||
  fail "CA key not encrypted"
CA=$ECA
bad 3 "wrong passphrase for .*ca.key.pem" \
  mtlskit-ca issue "$ECA" x --subject /CN=x --ca-password env:WRONG_PASS
bad 3 "is encrypted and no passphrase was given" \
  mtlskit-ca issue "$ECA" x --subject /CN=x
bad 3 "wrong passphrase" mtlskit-ca crl "$ECA" --ca-password env:WRONG_PASS
expect_status 0 mtlskit-ca issue "$ECA" x --subject /CN=x \
  --ca-password env:CA_PASS
CA=$T/ca
pass "wrong or missing CA passphrase"

bad 3 "cannot create /dev/null/x.pfx" mtlskit-ca issue "$CA" bob \
  --subject /CN=bob --p12 /dev/null/x.pfx --p12-password env:PFX
[ ! -e "$CA/certs/bob.cert.pem" ] || fail "bob left behind"
bad 3 "cannot create /dev/null/t.pem" \
  mtlskit-ca export "$CA" --truststore /dev/null/t.pem
bad 3 "cannot create /dev/null/a.pfx" \
  mtlskit-ca export "$CA" alice --p12 /dev/null/a.pfx --p12-password env:PFX
bad 3 "cannot create /dev/null/crl.pem" \
  mtlskit-ca crl "$CA" --output /dev/null/crl.pem
bad 3 "cannot create /dev/null/ca" mtlskit-ca init /dev/null/ca
bad 3 "already exists and is not an empty directory" mtlskit-ca init "$CA"
pass "unwritable paths"

bad 2 "password variable NOPE is not set" mtlskit-ca issue "$CA" bob \
  --subject /CN=bob --p12 "$T/b.pfx" --p12-password env:NOPE
bad 3 "no terminal to prompt" mtlskit-ca issue "$CA" bob --subject /CN=bob \
  --p12 "$T/b.pfx" </dev/null
[ ! -e "$T/b.pfx" ] || fail "pfx written"
expect_status 0 mtlskit-ca export "$CA" alice --p12 "$T/a.pfx" \
  --p12-password pass:visible
expect_grep "warning: PKCS#12 password given with pass: shows in ps" "$T/err"
pass "password sources (env unset, no terminal, pass: warns)"

mtlskit-ca revoke "$CA" alice >/dev/null 2>&1
bad 2 "is already revoked" mtlskit-ca revoke "$CA" alice
pass "revoking twice"

# Batch: any bad line or failing item and nothing is issued at all.
printf 'b1 --subject /CN=b1\nb2 --subject CN=b2\n' >"$T/b.txt"
bad 2 "b.txt line 2: subject 'CN=b2' must start with '/'" \
  mtlskit-ca issue "$CA" --batch "$T/b.txt"
printf 'b1 --subject /CN=b1\nb1 --subject /CN=b1b\n' >"$T/b.txt"
bad 2 "b.txt line 2: name 'b1' appears twice" \
  mtlskit-ca issue "$CA" --batch "$T/b.txt"
printf 'b1 --subject /CN=b1\nb2 --subject /CN=b2 --bogus 1\n' >"$T/b.txt"
bad 2 "b.txt line 2: unknown option '--bogus'" \
  mtlskit-ca issue "$CA" --batch "$T/b.txt"
printf 'b1 --subject /CN=b1\nalice --subject /CN=a2\n' >"$T/b.txt"
bad 2 "'alice'.*already used" mtlskit-ca issue "$CA" --batch "$T/b.txt"
[ ! -e "$CA/certs/b1.cert.pem" ] || fail "b1 issued from a failed batch"
for i in $(seq 1 80); do echo "big$i --subject /CN=big$i"; done >"$T/b.txt"
echo "alice --subject /CN=again" >>"$T/b.txt"
for i in $(seq 81 120); do echo "big$i --subject /CN=big$i"; done >>"$T/b.txt"
bad 2 "identity 81, 'alice'.*already used" \
  mtlskit-ca issue "$CA" --batch "$T/b.txt"
ls "$CA/certs" | grep -q big && fail "files of a failed parallel batch left"
printf 'b1 --subject "/CN=b1\n' >"$T/b.txt"
bad 2 "unbalanced quotes" mtlskit-ca issue "$CA" --batch "$T/b.txt"
pass "batch is all or nothing"

usage_bad "unknown option '--frob'" mtlskit-ca issue "$CA" x --frob
usage_bad "option '--subject' needs a value" mtlskit-ca issue "$CA" x --subject
usage_bad "option --days given twice" mtlskit-ca crl "$CA" --days 1 --days 2
usage_bad "issue needs DIR and NAME" mtlskit-ca issue "$CA"
usage_bad "export needs DIR --truststore FILE" mtlskit-ca export "$CA"
expect_status 2 mtlskit-ca frob
expect_grep "'frob' is not a ca command" "$T/err"
bad 2 "--days must be" mtlskit-ca issue "$CA" x --subject /CN=x --days 0
bad 2 "--days must be" mtlskit-ca issue "$CA" x --subject /CN=x --days 1y
bad 2 "--not-after must be later" mtlskit-ca issue "$CA" x --subject /CN=x \
  --not-before now --not-after now-1d
bad 2 "--not-after 'tomorrow'" mtlskit-ca issue "$CA" x --subject /CN=x \
  --not-after tomorrow
bad 2 "--key-type 'rsa1024'" mtlskit-ca issue "$CA" x --subject /CN=x \
  --key-type rsa1024
bad 2 "--profile 'ca'" mtlskit-ca issue "$CA" x --subject /CN=x --profile ca
bad 2 "--reason 'lost'" mtlskit-ca revoke "$CA" alice --reason lost
bad 2 "--p12-profile 'legacy'" mtlskit-ca export "$CA" alice --p12 "$T/x" \
  --p12-profile legacy
bad 2 "--digest 'sha1'" mtlskit-ca issue "$CA" x --subject /CN=x --digest sha1
pass "usage errors"

printf 'not a request\n' >"$T/bad.csr"
bad 2 "not a certificate request" mtlskit-ca sign "$CA" --csr "$T/bad.csr" x
pass "malformed CSR"

done_testing
