# Concurrent writers: 8 processes x 10 `mtlskit ca issue` on one CA, plus
# revokes and CRLs in between, give unique serials, an intact index that
# openssl ca accepts, and a newcerts/ file for every line.
. "$MTK_SRC/tests/lib/testlib.sh"

CA=$T/ca
mtlskit-ca init "$CA" --subject /CN=busy >/dev/null
pids=()
for p in 1 2 3 4 5 6 7 8; do
  (
    for i in 1 2 3 4 5 6 7 8 9 10; do
      mtlskit-ca issue "$CA" "p$p-$i" --subject "/O=p$p/CN=c$i" >/dev/null ||
        exit 1
      if [ "$i" = 5 ]; then
        mtlskit-ca revoke "$CA" "p$p-1" >/dev/null 2>&1 || exit 1
        mtlskit-ca crl "$CA" >/dev/null || exit 1
      fi
    done
  ) &
  pids+=($!)
done
for pid in "${pids[@]}"; do
  wait "$pid" || fail "a writer failed"
done
[ "$(wc -l <"$CA/index.txt")" -eq 80 ] || fail "index has $(wc -l <"$CA/index.txt") lines"
[ "$(cut -f4 "$CA/index.txt" | sort -u | wc -l)" -eq 80 ] || fail "serial reused"
[ "$(grep -c '^R' "$CA/index.txt")" -eq 8 ] || fail "revocations lost"
awk -F'\t' 'NF != 6 { exit 1 }' "$CA/index.txt" || fail "malformed line"
for serial in $(cut -f4 "$CA/index.txt"); do
  [ -f "$CA/newcerts/$serial.pem" ] || fail "newcerts/$serial.pem missing"
done
[ "$(ls "$CA/certs" | wc -l)" -eq 81 ] || fail "certs/ count"
ls -A "$CA" | grep -q '\.tmp' && fail "temporary file left"
[ "$(cat "$CA/crlnumber")" = 1008 ] || fail "crlnumber $(cat "$CA/crlnumber")"
pass "8 x 10 concurrent issues: 80 unique serials, intact index, 8 CRLs numbered 1000-1007"

(cd "$T" && openssl ca -config "$CA/openssl.cnf" -gencrl -out "$T/o.crl") \
  >"$T/g.log" 2>&1 || { cat "$T/g.log"; fail "openssl rejects the index"; }
[ "$(openssl crl -in "$T/o.crl" -noout -text | grep -c 'Serial Number')" -eq 8 ] ||
  fail "openssl CRL entries"
pass "openssl ca reads the concurrently written index"

done_testing
