#!/usr/bin/env bash
# Benchmark: build the whole fixture set with `mtlskit fixtures` (P-256 CAs
# and leaves, the key-type cases as they are) and the same certificates with
# openssl commands, in one run on this machine. Prints wall time for each,
# the ratio, and whether the targets hold: the full set in under 2 s, and at
# least 20x faster than openssl.
# Usage: bench/fixtures.sh [RUNS]   (BUILD_DIR defaults to build)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${BUILD_DIR:-build}/bin
runs=${1:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
exec 2>&1

now_ms() { date +%s%3N; }

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# The key-type cases whose keys are not P-256 (RSA keygen dominates them).
non_p256=ok-keytype-rsa2048,ok-keytype-rsa4096,ok-keytype-p384,ok-keytype-ed25519,weak-key-rsa1024

# measure NAME N CMD...: run CMD N times, print the median wall ms.
measure() {
  local name=$1 n=$2
  shift 2
  for i in $(seq 1 "$n"); do
    rm -rf "$work/out"
    local start
    start=$(now_ms)
    "$@" "$work/out" >/dev/null
    echo $(($(now_ms) - start))
  done >"$work/$name.ms"
  median <"$work/$name.ms"
}

report() {  # report LABEL MTK_MS OSSL_MS
  local ratio
  ratio=$(awk -v a="$3" -v b="$2" 'BEGIN { printf "%.1f", a / (b > 0 ? b : 1) }')
  printf '%-34s mtlskit %5d ms   openssl %6d ms   ratio %5.1fx\n' "$1" "$2" "$3" \
    "$ratio" >&2
  echo "$ratio"
}

mtk_full() { "$bin/mtlskit" fixtures --quiet "$1"; }
mtk_p256() { "$bin/mtlskit" fixtures --quiet --exclude "$non_p256" "$1"; }
ossl_full() { bash bench/lib/fixtures_openssl.sh "$1"; }
ossl_p256() { P256_ONLY=1 bash bench/lib/fixtures_openssl.sh "$1"; }

"$bin/mtlskit" fixtures --quiet "$work/probe-set"
cases=$(jq '.cases | length' "$work/probe-set/manifest.json")
echo "fixture set: $cases cases; $runs runs of mtlskit, 2 of openssl, medians"
mf=$(measure mtk_full "$runs" mtk_full)
of=$(measure ossl_full 2 ossl_full)
mp=$(measure mtk_p256 "$runs" mtk_p256)
op=$(measure ossl_p256 2 ossl_p256)
rf=$(report "full catalogue (RSA-4096/2048/1024)" "$mf" "$of")
rp=$(report "P-256 keys only" "$mp" "$op")
echo "mtlskit runs (ms): full $(tr '\n' ' ' <"$work/mtk_full.ms")| p256 $(tr '\n' ' ' <"$work/mtk_p256.ms")"
awk -v mf="$mf" -v mp="$mp" -v rf="$rf" -v rp="$rp" 'BEGIN {
  printf "target: full set < 2000 ms ............. %s (%d ms)\n", (mf < 2000 ? "met" : "NOT met"), mf;
  printf "target: P-256 set >= 20x openssl ....... %s (%.1fx)\n", (rp >= 20 ? "met" : "NOT met"), rp;
  printf "        full set ratio (RSA keygen bound)  %.1fx\n", rf }'
