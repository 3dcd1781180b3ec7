#!/usr/bin/env bash
# Benchmark of offline `mtlskit verify` against `openssl verify` doing the
# same work, on this machine, in one run: every case of a fixture set
# (docs/fixtures.md) verified once per platform, one process per case for
# both tools (the leaf and the intermediates the client sends, against the
# fixture root, TLS client purpose), repeated ROUNDS times. Prints the time
# for the whole catalogue per platform, per chain, and the ratio to openssl.
# Then the batch form: the whole catalogue in one process for both tools
# (mtlskit verify with every case as a CERT argument; openssl verify with
# every case file as a target and all of them as -untrusted).
# Usage: bench/verify.sh [BIN_DIR]   (default: build/bin)
# Environment: ROUNDS (3), PLATFORMS ("strict nginx haproxy apache node stunnel go alb").
# Figures go to stdout; nothing is asserted (timings belong to benchmarks).
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$src/build/bin}
[ -x "$bin/mtlskit" ] || { echo "bench: $bin/mtlskit not built" >&2; exit 3; }
ROUNDS=${ROUNDS:-3}
PLATFORMS=${PLATFORMS:-"strict nginx haproxy apache node stunnel go alb"}
work=$(mktemp -d "${TMPDIR:-/tmp}/mtk-bench-verify.XXXXXX")
trap 'rm -rf "$work"' EXIT

now() { date +%s.%N; }
ms() { awk -v a="$1" -v b="$2" -v n="$3" 'BEGIN { printf "%.1f", (b - a) * 1000 / n }'; }

"$bin/mtlskit" fixtures "$work/fx" --quiet
root=$work/fx/trust/root.pem
certs=("$work"/fx/cases/*/cert.pem)
n=${#certs[@]}
echo "catalogue: $n cases, $ROUNDS rounds, $(nproc) CPUs, load $(cut -d' ' -f1 /proc/loadavg)"

# openssl verify: the same chain (leaf first, the rest untrusted), the same
# root, purpose sslclient, one process per case.
t0=$(now)
for ((r = 0; r < ROUNDS; r++)); do
  for c in "${certs[@]}"; do
    openssl verify -purpose sslclient -CAfile "$root" -untrusted "$c" "$c" \
      >/dev/null 2>&1 || true
  done
done
t1=$(now)
openssl_ms=$(ms "$t0" "$t1" "$ROUNDS")
echo "openssl verify: catalogue ${openssl_ms} ms ($(ms "$t0" "$t1" $((ROUNDS * n))) ms per chain)"

for p in $PLATFORMS; do
  t0=$(now)
  for ((r = 0; r < ROUNDS; r++)); do
    for c in "${certs[@]}"; do
      "$bin/mtlskit" verify --platform "$p" --truststore "$root" "$c" \
        >/dev/null 2>&1 || true
    done
  done
  t1=$(now)
  total=$(ms "$t0" "$t1" "$ROUNDS")
  ratio=$(awk -v a="$total" -v b="$openssl_ms" 'BEGIN { printf "%.2f", a / b }')
  echo "mtlskit verify --platform $p: catalogue ${total} ms ($(ms "$t0" "$t1" $((ROUNDS * n))) ms per chain), ${ratio}x openssl verify"
done

# Batch: one process for the whole catalogue, each tool.
cat "${certs[@]}" >"$work/untrusted.pem"
t0=$(now)
for ((r = 0; r < ROUNDS; r++)); do
  openssl verify -purpose sslclient -CAfile "$root" \
    -untrusted "$work/untrusted.pem" "${certs[@]}" >/dev/null 2>&1 || true
done
t1=$(now)
openssl_batch_ms=$(ms "$t0" "$t1" "$ROUNDS")
echo "openssl verify, one process: catalogue ${openssl_batch_ms} ms"
for p in $PLATFORMS; do
  t0=$(now)
  for ((r = 0; r < ROUNDS; r++)); do
    "$bin/mtlskit" verify --platform "$p" --truststore "$root" "${certs[@]}" \
      >/dev/null 2>&1 || true
  done
  t1=$(now)
  total=$(ms "$t0" "$t1" "$ROUNDS")
  ratio=$(awk -v a="$total" -v b="$openssl_batch_ms" 'BEGIN { printf "%.2f", a / b }')
  echo "mtlskit verify --platform $p, one process: catalogue ${total} ms, ${ratio}x openssl verify in one process"
done
