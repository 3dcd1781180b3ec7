#!/usr/bin/env bash
# Benchmark: `mtlskit report merge` time against input size, on logs whose
# histograms declare the widest range HdrHistogram allows (1..2^62, five
# significant digits: six million counts per histogram when held dense)
# while encoding a few counts each (tests/lib/hdrlog_wide.py). Prints, per
# log: intervals, bytes and the median wall time of ROUNDS; then the cost of
# one more interval (the slope between the smallest and largest log), which
# must stay small and flat: time follows the data, not the declared range.
# The fixed part is the merged histogram itself (one dense 1..2^62 five-digit
# histogram per tag, 48 MB, allocated and scanned once).
# Usage: bench/report_merge.sh [BIN_DIR]   (default: build/bin)
# Environment: ROUNDS (5). Nothing is asserted.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
bin=$(cd "${1:-$src/build/bin}" && pwd)
[ -x "$bin/mtlskit-report" ] || { echo "bench: $bin/mtlskit-report not built" >&2; exit 3; }
ROUNDS=${ROUNDS:-5}
T=$(mktemp -d "${TMPDIR:-/tmp}/mtk-bench.XXXXXX")
trap 'rm -rf "$T"' EXIT

median_ms() {  # LOG: median wall time of ROUNDS merges, in ms
  local log=$1 i t0 t1
  for ((i = 0; i < ROUNDS; i++)); do
    t0=$(date +%s%N)
    "$bin/mtlskit-report" merge "$log" >/dev/null
    t1=$(date +%s%N)
    echo $(((t1 - t0) / 1000))
  done | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]/1000}'
}

printf '%-28s %10s %10s %10s\n' log intervals bytes ms
declare -A ms
for n in 100 1000 10000; do
  python3 "$src/tests/lib/hdrlog_wide.py" "$n" >"$T/wide-$n.hlog"
  bytes=$(stat -c %s "$T/wide-$n.hlog")
  ms[$n]=$(median_ms "$T/wide-$n.hlog")
  printf '%-28s %10d %10d %10s\n' "widest range x$n" "$n" "$bytes" "${ms[$n]}"
done
printf 'per interval: %.2f us (slope 100 -> 10000 intervals, ~100 bytes each)\n' \
  "$(echo "(${ms[10000]} - ${ms[100]}) * 1000 / 9900" | bc -l)"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
