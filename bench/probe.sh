#!/usr/bin/env bash
# Benchmark: the full fixture matrix against four local mTLS targets
# (nginx, HAProxy, Apache httpd, Node, all on 127.0.0.1), checked by one
# `mtlskit probe` run versus one `curl` process per target x case -- the
# way users script the check today -- in the same run, on the same
# servers. Prints the wall time of each (median of ROUNDS) and the ratio,
# then the floor this machine sets: the servers run on the client's cores,
# so the matrix needs at least (server CPU + client CPU) / cores, shown
# for the probe's measured CPU and for the cheapest OpenSSL 3 client
# (bench/handshake_floor.c built on OpenSSL, handshakes only).
# Usage: bench/probe.sh [BIN_DIR]   (default: build/bin)
# Environment: ROUNDS (5), TLS (1.3), FIXTURES (catalogue | openssl);
# PER_TARGET=1 adds each target's
# slowest attempt, PER_TARGET_ALONE=1 times each target on its own.
# Figures go to stdout; nothing is asserted (timings belong to benchmarks).
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
bin=$(cd "${1:-$src/build/bin}" && pwd)
[ -x "$bin/mtlskit-probe" ] || { echo "bench: $bin/mtlskit-probe not built" >&2; exit 3; }
ROUNDS=${ROUNDS:-5}
TLS=${TLS:-1.3}
export MTK_BIN=$bin MTK_SRC=$src
. "$src/tests/lib/testlib.sh"
. "$src/tests/lib/servers.sh"
. "$src/tests/lib/probe_pki.sh"

# The matrix: every case of `mtlskit fixtures` (FIXTURES=catalogue, the
# default: the full matrix the issue asks about), or the 11-case set made
# with openssl commands (FIXTURES=openssl).
F="$T/fx"
if [ "${FIXTURES:-catalogue}" = openssl ]; then
  probe_pki "$F"
  crl_all="$F/crl/all.crl.pem"
  node_crls=("$F/crl/root.crl.pem" "$F/crl/intermediate.crl.pem"
             "$F/crl/intermediate2.crl.pem")
else
  "$bin/mtlskit-fixtures" "$F" --quiet
  crl_all="$F/crl/default.pem"
  node_crls=("$F"/crl/*.crl.pem)
fi
# The four targets (start_mtls_servers also starts an nginx `optional`,
# which this benchmark leaves idle).
start_mtls_servers "$F" "$crl_all" "${node_crls[@]}"
targets="nginx:$p_nginx haproxy:$p_haproxy apache:$p_apache node:$p_node"

# The cases of the default trust variant, with their files.
python3 - "$F/manifest.json" >"$T/cases" <<'PY'
import json, sys
for c in json.load(open(sys.argv[1]))["cases"]:
    if c.get("trust", "default") == "default":
        f = c.get("files", {})
        print(c["name"], f.get("cert", "-"), f.get("key", "-"))
PY
n_cases=$(wc -l <"$T/cases")
n_attempts=$((n_cases * 4))

python3 - "$T/probe.json" <<PY
import json, sys
targets = [{"name": n, "profile": n, "url": f"https://127.0.0.1:{p}/",
            "cacert": "$F/trust/root.pem", "tls": "$TLS", "timeout": "10s"}
           for n, p in (t.split(":") for t in "$targets".split())]
json.dump({"schema_version": 1, "fixtures": "$F", "targets": targets},
          open(sys.argv[1], "w"))
PY

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# Each round prints "wall user sys" (seconds, client side only: the
# servers' CPU is the same work for both and not counted).
TIMEFORMAT='%R %U %S'
probe_round() {
  local st=0
  time { "$bin/mtlskit-probe" --config "$T/probe.json" >"$T/probe.out" 2>&1 || st=$?; }
  [ "$st" -eq 0 ] || { cat "$T/probe.out" >&2; echo "bench: probe exited $st" >&2; exit 3; }
}

# One curl per case, as a shell script does it: exit code and HTTP status
# recorded per case (what a user greps afterwards).
curl_round() {
  time curl_all
}
curl_all() {
  local target port name cert key args code
  for target in $targets; do
    port=${target##*:}
    while read -r name cert key; do
      args=(--silent --output /dev/null --write-out '%{http_code}'
            --max-time 10 --cacert "$F/trust/root.pem" "--tlsv$TLS")
      if [ "$cert" != - ]; then
        args+=(--cert "$F/$cert" --key "$F/$key")
      fi
      code=$(curl "${args[@]}" "https://127.0.0.1:$port/" 2>/dev/null) || true
      echo "$target $name ${code:-000}" >>"$T/curl.out"
    done <"$T/cases"
  done
}

if [ -n "${PER_TARGET_ALONE:-}" ]; then
  for target in $targets; do
    for ((r = 0; r < 3; r++)); do
      /usr/bin/time -f "${target%%:*}: probe process %e s wall, %U s user, %S s sys" \
        "$bin/mtlskit-probe" --fixtures "$F" --profile "${target%%:*}" \
        --cacert "$F/trust/root.pem" --tls "$TLS" "https://127.0.0.1:${target##*:}/" >/dev/null
    done
  done
fi
# The CPU time (clock ticks) the four servers have used so far. The
# servers run on the same cores as the client, so their share bounds how
# fast any client can get through the matrix on this machine.
server_pids=$(pgrep -f "$T/(nginx-on|haproxy-strict|apache-strict|node-strict)/" || true)
server_ticks() {
  local pid total=0
  for pid in $server_pids; do
    total=$((total + $(awk '{ print $14 + $15 }' "/proc/$pid/stat")))
  done
  echo "$total"
}

probe_round >/dev/null 2>&1  # warm-up: page cache, first handshakes
server_cpu=0
for ((r = 0; r < ROUNDS; r++)); do
  before=$(server_ticks)
  probe_round 2>&1 >/dev/null | tail -n 1 >>"$T/probe.times"
  server_cpu=$((server_cpu + $(server_ticks) - before))
  curl_round 2>&1 >/dev/null | tail -n 1 >>"$T/curl.times"
done
col() { awk -v c="$1" '{ print $c }' "$2" | median; }
cpu_ms() { awk -v n="$n_attempts" '{ printf "%.2f\n", ($2 + $3) * 1000 / n }' "$1" | median; }
pw=$(col 1 "$T/probe.times")
cw=$(col 1 "$T/curl.times")
echo "matrix: 4 targets (nginx, haproxy, apache, node) x $n_cases cases = $n_attempts attempts, TLS $TLS, $ROUNDS rounds, median"
echo "load average before: $load_before"
printf "mtlskit probe (one run, curl multi):  %.3f s wall, %s ms client CPU per attempt\n" "$pw" "$(cpu_ms "$T/probe.times")"
printf "curl, one process per target x case:  %.3f s wall, %s ms client CPU per attempt\n" "$cw" "$(cpu_ms "$T/curl.times")"
awk -v p="$pw" -v c="$cw" 'BEGIN { printf "ratio curl/probe (wall):              %.1fx\n", c / p }'
# The floor: with every core busy all the time, the matrix still needs the
# servers' CPU plus the client's, shared by the machine's cores. For the
# client, both the probe as measured and the cheapest OpenSSL 3 client
# there is (bench/handshake_floor.c built on OpenSSL: one shared SSL_CTX,
# no verification, no HTTP, a P-256 identity), a floor for any client on
# the library libcurl uses. Its identity is the set's first valid P-256
# leaf (ok-root-leaf, or ok-root-leaf-p256 with FIXTURES=openssl).
floor_us=0
floor_id=$F/cases/ok-root-leaf
[ -d "$floor_id" ] || floor_id=$F/cases/ok-root-leaf-p256
if [ -x "$bin/handshake_floor_openssl" ]; then
  for target in $targets; do
    "$bin/handshake_floor_openssl" 127.0.0.1 "${target##*:}" 1 \
      "$floor_id/cert.pem" "$floor_id/key.pem" \
      --tls "$TLS" | awk '{ print $NF }' >>"$T/floor.us"
  done
  floor_us=$(awk '{ t += $1 } END { printf "%.0f", t / NR }' "$T/floor.us")
fi
awk -v s="$server_cpu" -v hz="$(getconf CLK_TCK)" -v r="$ROUNDS" -v n="$n_attempts" \
    -v pc="$(cpu_ms "$T/probe.times")" -v cores="$(nproc)" -v c="$cw" \
    -v fu="$floor_us" 'BEGIN {
  srv = s * 1000 / hz / r; cli = pc * n
  printf "servers'"'"' CPU per matrix during the probe: %.0f ms; probe client CPU: %.0f ms\n", srv, cli
  floor = (srv + cli) / cores
  printf "floor on %d cores, servers + probe CPU: %.0f ms, ratio there %.1fx\n", cores, floor, c * 1000 / floor
  if (fu > 0) {
    floor = (srv + fu * n / 1000) / cores
    printf "floor with a bare OpenSSL 3 client (%.0f us a handshake): %.0f ms, ratio there %.1fx\n", fu, floor, c * 1000 / floor
  }
}'
tail -n 1 "$T/probe.out"
if [ -n "${PER_TARGET:-}" ]; then
  # Where the probe's wall time goes: each target's slowest attempt.
  "$bin/mtlskit-probe" --config "$T/probe.json" --json | python3 -c '
import json, sys
doc = json.load(sys.stdin)
for t in doc["targets"]:
    ts = [r["timings_ms"] for r in t["results"] if "timings_ms" in r]
    print("%-8s slowest attempt %6.1f ms, median tls %5.1f ms" % (t["name"],
          max(x["total"] for x in ts), sorted(x["tls"] for x in ts)[len(ts) // 2]))
print("run: %.1f ms" % doc["elapsed_ms"])'
fi
