#!/usr/bin/env bash
# Benchmark of mtlskit ca issuance against the openssl recipe, on this
# machine, in one run:
#   1. N client certificates (P-256, then RSA-2048) with `mtlskit ca issue
#      --batch` and with the equivalent `openssl req` + `openssl ca` per
#      certificate; certificates/s for both and the ratio;
#   2. 10,000 P-256 client certificates with one batch;
#   3. a CRL with 500,000 revoked entries (ALB's per-trust-store limit)
#      written by `mtlskit ca crl` and checked with `openssl crl -noout`.
# Usage: bench/ca_issue.sh [BIN_DIR]   (default: build/bin)
# Environment: N_P256 (300), N_RSA (50), N_BIG (10000), N_CRL (500000).
# Equal work: both sides generate each key, write it, a CSR, the
# certificate, its newcerts/ copy and an index line (the inventory lines
# count them); mtlskit also makes them durable (one syncfs before the index
# is written), which openssl ca does not.
# Figures go to stdout; nothing is asserted (timings belong to benchmarks).
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$src/build/bin}
ca_bin=$bin/mtlskit-ca
[ -x "$ca_bin" ] || { echo "bench: $ca_bin not built" >&2; exit 3; }
N_P256=${N_P256:-300}
N_RSA=${N_RSA:-50}
N_BIG=${N_BIG:-10000}
N_CRL=${N_CRL:-500000}
work=$(mktemp -d "${TMPDIR:-/tmp}/mtk-bench-ca.XXXXXX")
trap 'rm -rf "$work"' EXIT

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.1f", n / s }'; }

batch_file() { # batch_file N KEYTYPE FILE
  local i
  for ((i = 1; i <= $1; i++)); do
    printf 'u%05d --subject /O=bench/OU=fleet/CN=u%05d --key-type %s\n' \
      "$i" "$i" "$2"
  done >"$3"
}

mtlskit_once() { # mtlskit_once N KEYTYPE RUN -> prints seconds
  local dir=$work/m-$2-$1-$3
  "$ca_bin" init "$dir" --subject "/O=bench/CN=bench Root CA" >/dev/null
  batch_file "$1" "$2" "$work/batch-$2-$1.txt"
  local t0 t1
  t0=$(now)
  "$ca_bin" issue "$dir" --batch "$work/batch-$2-$1.txt" --days 365 >/dev/null
  t1=$(now)
  [ "$(wc -l <"$dir/index.txt")" -eq "$1" ] || { echo "bench: index" >&2; exit 1; }
  # Kept until exit: deleting thousands of files right before the next run
  # makes ext4's inode allocator skip over "recently deleted" inodes.
  secs "$t0" "$t1"
}

# mtlskit_rate N KEYTYPE: the median of three runs (one short run is noisy
# on a shared machine; the openssl side is already a mean over N runs).
mtlskit_rate() {
  printf '%s\n' "$(mtlskit_once "$1" "$2" 1)" "$(mtlskit_once "$1" "$2" 2)" \
    "$(mtlskit_once "$1" "$2" 3)" | sort -n | sed -n 2p
}

openssl_rate() { # openssl_rate N KEYTYPE -> prints seconds
  local dir=$work/o-$2-$1 newkey
  "$ca_bin" init "$dir" --subject "/O=bench/CN=bench Root CA" >/dev/null
  if [ "$2" = p256 ]; then
    newkey=(-newkey ec -pkeyopt ec_paramgen_curve:P-256)
  else
    newkey=(-newkey rsa:2048)
  fi
  local i t0 t1
  t0=$(now)
  for ((i = 1; i <= $1; i++)); do
    openssl req -new "${newkey[@]}" -nodes \
      -keyout "$dir/private/u$i.key.pem" -subj "/O=bench/OU=fleet/CN=u$i" \
      -out "$dir/csr/u$i.csr.pem" 2>/dev/null
    openssl ca -batch -config "$dir/openssl.cnf" -extensions v3_client \
      -days 365 -notext -in "$dir/csr/u$i.csr.pem" \
      -out "$dir/certs/u$i.cert.pem" 2>/dev/null
  done
  t1=$(now)
  [ "$(wc -l <"$dir/index.txt")" -eq "$1" ] || { echo "bench: index" >&2; exit 1; }
  secs "$t0" "$t1"
}

# inventory DIR: the files each side leaves per certificate, so that the
# work compared is seen to be the same.
inventory() {
  printf '%s keys, %s CSRs, %s certificates, %s newcerts copies, %s index lines' \
    "$(find "$1/private" -name 'u*.key.pem' | wc -l)" \
    "$(find "$1/csr" -name 'u*.csr.pem' | wc -l)" \
    "$(find "$1/certs" -name 'u*.cert.pem' | wc -l)" \
    "$(find "$1/newcerts" -name '*.pem' | wc -l)" "$(wc -l <"$1/index.txt")"
}

# findmnt names the mounted type (ext4); stat -f only knows the superblock
# magic, which ext2, ext3 and ext4 share ("ext2/ext3").
echo "mtlskit ca issuance benchmark ($(nproc) cores, $(openssl version | cut -d' ' -f1-2), work dir on $(findmnt -no FSTYPE -T "$work" 2>/dev/null || stat -f -c %T "$work"))"
for kt in p256 rsa2048; do
  if [ "$kt" = p256 ]; then n=$N_P256; else n=$N_RSA; fi
  m=$(mtlskit_rate "$n" "$kt")
  o=$(openssl_rate "$n" "$kt")
  mr=$(rate "$n" "$m")
  orr=$(rate "$n" "$o")
  ratio=$(awk -v a="$mr" -v b="$orr" 'BEGIN { printf "%.1f", a / b }')
  printf '%-8s N=%-5d mtlskit batch %8.3f s %9s certs/s | openssl req+ca %8.3f s %7s certs/s | ratio %sx\n' \
    "$kt" "$n" "$m" "$mr" "$o" "$orr" "$ratio"
  echo "         files: mtlskit $(inventory "$work/m-$kt-$n-1"); openssl $(inventory "$work/o-$kt-$n")"
done

big=$(mtlskit_once "$N_BIG" p256 big)
printf 'p256     N=%d in one batch: %s s (%s certs/s)\n' "$N_BIG" "$big" \
  "$(rate "$N_BIG" "$big")"

# A CA whose index holds N_CRL revoked entries, then one CRL.
dir=$work/crl
"$ca_bin" init "$dir" --subject "/O=bench/CN=bench CRL CA" >/dev/null
awk -v n="$N_CRL" 'BEGIN {
  for (i = 1; i <= n; i++)
    printf "R\t301231000000Z\t261101000000Z,keyCompromise\t%02X%030X\tunknown\t/O=bench/CN=r%d\n",
      64 + i % 63, i, i
}' >"$dir/index.txt"
t0=$(now)
"$ca_bin" crl "$dir" --days 7 >"$work/crl.out"
t1=$(now)
size=$(stat -c %s "$dir/crl/ca.crl.pem")
openssl crl -in "$dir/crl/ca.crl.pem" -noout || { echo "bench: openssl rejects the CRL" >&2; exit 1; }
printf 'CRL with %d revoked entries: written in %s s, %d bytes PEM, accepted by openssl crl -noout (%s)\n' \
  "$N_CRL" "$(secs "$t0" "$t1")" "$size" "$(cut -d: -f2 "$work/crl.out" | cut -d, -f1-2 | sed 's/^ //')"
