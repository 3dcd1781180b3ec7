#!/usr/bin/env bash
# Benchmark: build the whole fixture set with `mtlskit fixtures` (P-256 CAs
# and leaves, the key-type cases as they are: RSA-4096, RSA-2048, RSA-1024,
# P-384, Ed25519) and the same certificates with openssl commands
# (bench/lib/fixtures_openssl.sh), in one run on this machine, in $TMPDIR
# (default /tmp: ext4 here). Prints wall and CPU time for each, the ratio,
# what each side wrote (so the work compared is the same), the floor one
# RSA-4096 key sets for each library, and whether the targets hold: the full
# catalogue in <= 300 ms and >= 10x faster than openssl.
# The keys are of the same types and sizes on both sides, made differently:
# mtlskit's fixture RSA keys come from its sieved prime search (each prime
# decided by BoringSSL's Miller-Rabin test with the FIPS 186-5 round count,
# 4 for RSA-4096); OpenSSL 3's genpkey uses its SP 800-56B generator and
# runs 64 rounds per prime of up to 2,048 bits (docs/fixtures.md,
# PERFORMANCE).
# Usage: bench/fixtures.sh [RUNS]   (RUNS: a positive integer, default 7;
# BUILD_DIR defaults to build). Exit status 2 on a bad argument, 1 when a
# target could not be measured.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-7}
if [[ $# -gt 1 || ! $runs =~ ^[1-9][0-9]*$ ]]; then
  echo "bench/fixtures.sh: RUNS must be one positive integer, not '$*' (usage: bench/fixtures.sh [RUNS]; BUILD_DIR selects the build)" >&2
  exit 2
fi
bin=$(cd "${BUILD_DIR:-build}/bin" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/mtk-bench-fixtures.XXXXXX")
trap 'rm -rf "$work"' EXIT
exec 2>&1

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# The key-type cases whose keys are not P-256 (RSA keygen dominates them).
non_p256=ok-keytype-rsa2048,ok-keytype-rsa4096,ok-keytype-p384,ok-keytype-ed25519,weak-key-rsa1024

# measure NAME N FUNCTION: run FUNCTION OUT N times (in a bash that
# /usr/bin/time starts: the same few ms on both sides); NAME.ms gets the
# wall ms, NAME.cpu the user+system CPU ms of each run.
measure() {
  local name=$1 n=$2 fn=$3
  : >"$work/$name.ms"
  : >"$work/$name.cpu"
  for _ in $(seq 1 "$n"); do
    rm -rf "$work/out"
    /usr/bin/time -f '%e %U %S' -o "$work/time" bash -c "$fn \"\$1\"" _ "$work/out" >/dev/null
    read -r wall user sys <"$work/time"
    awk -v w="$wall" 'BEGIN { printf "%d\n", w * 1000 + 0.5 }' >>"$work/$name.ms"
    awk -v u="$user" -v s="$sys" 'BEGIN { printf "%d\n", (u + s) * 1000 + 0.5 }' >>"$work/$name.cpu"
  done
}

report() {  # report LABEL NAME_MTK NAME_OSSL
  local mw ow mc oc ratio
  mw=$(median <"$work/$2.ms")
  ow=$(median <"$work/$3.ms")
  mc=$(median <"$work/$2.cpu")
  oc=$(median <"$work/$3.cpu")
  ratio=$(awk -v a="$ow" -v b="$mw" 'BEGIN { printf "%.1f", a / (b > 0 ? b : 1) }')
  printf '%-30s mtlskit %5d ms (cpu %5d)   openssl %6d ms (cpu %6d)   %5.1fx\n' \
    "$1" "$mw" "$mc" "$ow" "$oc" "$ratio" >&2
  echo "$ratio"
}

# inventory DIR: the distinct certificates, private keys and CRLs under DIR
# (PEM blocks, each counted once however many files repeat it) and the
# PKCS#12 files: what each side made.
inventory() {
  find "$1" -type f ! -name '*.p12' ! -name '*.json' -print0 | xargs -0 cat |
    awk '/^-----BEGIN / { type = $0; sub(/^-----BEGIN /, "", type); sub(/-----$/, "", type); body = ""; next }
         /^-----END / { seen[type SUBSEP body] = 1; next }
         { body = body $0 }
         END { for (k in seen) { split(k, a, SUBSEP); n[a[1]]++ }
               printf "%d certificates, %d keys, %d CRLs", n["CERTIFICATE"], n["PRIVATE KEY"], n["X509 CRL"] }'
  echo ", $(find "$1" -name '*.p12' | wc -l) PKCS#12"
}

"$bin/mtlskit" fixtures --quiet "$work/probe-set"
# The path-validation cases (those with per-library verdicts) have no
# openssl-command twin in bench/lib/fixtures_openssl.sh: both sides build
# the rest. mtlskit still issues every CA of the set and its CRLs (the
# inventory lines show the difference): a little more work on its side.
path_cases=$(jq -r '[.cases[] | select(.verdict.libraries) | .name] | join(",")' \
  "$work/probe-set/manifest.json")
cases=$(jq '[.cases[] | select(.verdict.libraries | not)] | length' \
  "$work/probe-set/manifest.json")
echo "fixture set: $cases cases; $runs runs of mtlskit, 3 of openssl; medians; in $work ($(df -T "$work" | awk 'NR == 2 {print $2}'))"
echo "cores: $(nproc); load before: $(cut -d' ' -f1-3 /proc/loadavg)"

mtk_full() { "$bin/mtlskit" fixtures --quiet --exclude "$path_cases" "$1"; }
mtk_p256() { "$bin/mtlskit" fixtures --quiet --exclude "$non_p256,$path_cases" "$1"; }
mtk_rsa4096() { "$bin/mtlskit" fixtures --quiet --only ok-keytype-rsa4096 "$1"; }
ossl_full() { bash bench/lib/fixtures_openssl.sh "$1"; }
ossl_p256() { P256_ONLY=1 bash bench/lib/fixtures_openssl.sh "$1"; }
ossl_rsa4096() { mkdir -p "$1" && openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:4096 -out "$1/k.pem" 2>/dev/null; }

export bin non_p256 path_cases
export -f mtk_full mtk_p256 mtk_rsa4096 ossl_full ossl_p256 ossl_rsa4096

measure mtk_full "$runs" mtk_full
measure ossl_full 3 ossl_full
rm -rf "$work/m" "$work/o"
mtk_full "$work/m"
ossl_full "$work/o"
echo "work, mtlskit: $(inventory "$work/m")"
echo "work, openssl: $(inventory "$work/o")"
measure mtk_p256 "$runs" mtk_p256
measure ossl_p256 3 ossl_p256
measure mtk_rsa4096 "$runs" mtk_rsa4096
measure ossl_rsa4096 "$runs" ossl_rsa4096
rf=$(report "full catalogue" mtk_full ossl_full)
rp=$(report "P-256 keys only" mtk_p256 ossl_p256)
report "one RSA-4096 key (floor)" mtk_rsa4096 ossl_rsa4096 >/dev/null
mf=$(median <"$work/mtk_full.ms")
floor=$(median <"$work/mtk_rsa4096.ms")
echo "mtlskit full runs (ms):   $(tr '\n' ' ' <"$work/mtk_full.ms")"
echo "mtlskit RSA-4096 (ms):    $(tr '\n' ' ' <"$work/mtk_rsa4096.ms")"
echo "openssl RSA-4096 (ms):    $(tr '\n' ' ' <"$work/ossl_rsa4096.ms")"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
# A target is "met" only from real measurements: a median of 0 ms (a run
# /usr/bin/time could not time, or no run at all) or a missing figure on
# either side makes it "not measured", never "met".
awk -v mf="$mf" -v of="$(median <"$work/ossl_full.ms")" -v rf="$rf" -v rp="$rp" -v fl="$floor" \
  -v n="$(grep -c . "$work/mtk_full.ms")" -v on="$(grep -c . "$work/ossl_full.ms")" '
  function verdict(ok, measured) { return measured ? (ok ? "met" : "NOT met") : "NOT measured" }
  BEGIN {
  measured = n > 0 && on > 0 && mf + 0 > 0 && of + 0 > 0;
  printf "target: full catalogue <= 300 ms ....... %s (%d ms; one RSA-4096 key alone: %d ms)\n", verdict(mf <= 300, measured), mf, fl;
  printf "target: full catalogue >= 10x openssl .. %s (%.1fx)\n", verdict(rf >= 10, measured), rf;
  printf "        P-256 set ratio ................ %.1fx\n", rp;
  exit measured ? 0 : 1 }'
