# mtlskit report merge: the HdrHistogram logs of two concurrent loadgen
# runs, merged, equal the histogram of all their samples (each run's JSON
# carries its raw histogram). The logs are also decoded by an independent
# Python decoder written from the format description (zlib, base64, ZigZag
# LEB128), which must agree bucket by bucket.
. "$MTK_SRC/tests/lib/testlib.sh"
. "$MTK_SRC/tests/lib/servers.sh"
. "$MTK_SRC/tests/lib/openssl_pki.sh"

make_pki "$T/pki"
P=$(free_port)
start_nginx merge "$P" "
    ssl_certificate $T/pki/server.crt;
    ssl_certificate_key $T/pki/server.key;
    ssl_client_certificate $T/pki/ca.crt;
    ssl_verify_client on;
    location / { return 200 'ok\n'; }
"
ID=(--cert "$T/pki/client.crt" --key "$T/pki/client.key" --cacert "$T/pki/ca.crt")
URL="https://127.0.0.1:$P/"

# Two workers at once, one open loop, one closed loop with two threads.
mtlskit-loadgen "${ID[@]}" --rate 60 --duration 2s --interval 250ms --hdr-log "$T/a.hlog" --json "$URL" >"$T/a.json" 2>"$T/a.err" &
apid=$!
mtlskit-loadgen "${ID[@]}" --concurrency 2 --threads 2 --duration 2s --interval 300ms --hdr-log "$T/b.hlog" --json "$URL" >"$T/b.json" 2>"$T/b.err" &
bpid=$!
wait "$apid" || fail "worker a failed: $(cat "$T/a.err")"
wait "$bpid" || fail "worker b failed: $(cat "$T/b.err")"

expect_status 0 mtlskit report merge "$T/a.hlog" "$T/b.hlog" --json --output "$T/merged.hlog"
cp "$T/out" "$T/m.json"
cat >"$T/check.py" <<'PY'
import base64, collections, json, struct, sys, zlib

def zigzag(buf, pos):
    v = shift = 0
    for i in range(9):
        b = buf[pos]; pos += 1
        if i == 8:
            v |= b << 56; break
        v |= (b & 0x7f) << shift; shift += 7
        if not b & 0x80: break
    return (v >> 1) ^ -(v & 1), pos

def decode(b64):
    raw = base64.b64decode(b64)
    cookie, n = struct.unpack(">iI", raw[:8])
    assert cookie == 0x1c849314, hex(cookie)
    enc = zlib.decompress(raw[8:8 + n])
    cookie, plen, norm, sig, low, high, ratio = struct.unpack(">iIiiqqd", enc[:40])
    assert cookie == 0x1c849313 and norm == 0
    # bucket layout for these parameters (HdrHistogram)
    sub_count_mag = (2 * 10 ** sig - 1).bit_length()
    half_mag = sub_count_mag - 1
    unit = low.bit_length() - 1
    counts, pos, idx, payload = {}, 0, 0, enc[40:40 + plen]
    while pos < len(payload):
        v, pos = zigzag(payload, pos)
        if v < 0: idx += -v; continue
        if v:
            b = (idx >> half_mag) - 1
            sub = (idx & ((1 << half_mag) - 1)) + (1 << half_mag)
            if b < 0: b, sub = 0, sub - (1 << half_mag)
            counts[sub << (b + unit)] = counts.get(sub << (b + unit), 0) + v
        idx += 1
    return counts

def read_log(path):
    tags = collections.defaultdict(collections.Counter)
    for line in open(path):
        if line.startswith(("#", '"')) or not line.strip(): continue
        tag = ""
        if line.startswith("Tag="):
            tag, line = line[4:].split(",", 1)
        start, length, mx, b64 = line.strip().split(",")
        tags[tag].update(decode(b64))
    return tags

a, b, m = (json.load(open(p)) for p in sys.argv[1:4])
logs = [read_log(p) for p in sys.argv[4:6]]
merged_log = read_log(sys.argv[6])
assert m["schema_version"] == 1 and m["exact"] is True
for phase in ("connect", "handshake", "ttfb", "total"):
    want = collections.Counter()
    for run in (a, b):
        want.update({v: c for v, c in run["phases"][phase]["histogram"]["buckets"]})
    got = collections.Counter({v: c for v, c in m["tags"][phase]["histogram"]["buckets"]})
    assert got == want, (phase, "merge differs from the runs' samples")
    assert m["tags"][phase]["count"] == a["phases"][phase]["count"] + b["phases"][phase]["count"]
    indep = logs[0][phase] + logs[1][phase]
    assert indep == want, (phase, "independent decoder disagrees")
    assert merged_log[phase] == want, (phase, "--output log differs")
assert sum(want.values()) > 50, "too few samples to mean anything"
print("merged", sum(m["tags"]["total"]["histogram"]["buckets"][i][1] for i in range(len(m["tags"]["total"]["histogram"]["buckets"]))), "samples")
PY
python3 "$T/check.py" "$T/a.json" "$T/b.json" "$T/m.json" "$T/a.hlog" "$T/b.hlog" "$T/merged.hlog" >"$T/py.out" ||
  fail "merge property does not hold"
cat "$T/py.out"
pass "merged logs of two concurrent runs == histogram of all their samples (and an independent decoder agrees)"

expect_status 0 mtlskit report merge "$T/a.hlog" "$T/b.hlog"
expect_grep '^merged 2 files' "$T/out"
expect_grep '^handshake +[0-9]+ ' "$T/out"
pass "merge table"

# Errors: a missing file, a malformed line, no interval, no file.
expect_status 3 mtlskit report merge "$T/a.hlog" "$T/missing.hlog"
expect_one_line "$T/err"; expect_grep 'missing.hlog' "$T/err"
printf 'Tag=x,0.0,1.0,2.0,HISTFAAAAnotbase64!\n' >"$T/bad.hlog"
expect_status 3 mtlskit report merge "$T/bad.hlog"
expect_one_line "$T/err"; expect_grep 'line 1' "$T/err"
printf '#[Histogram log format version 1.3]\n' >"$T/empty.hlog"
expect_status 2 mtlskit report merge "$T/empty.hlog"
expect_grep 'no histogram interval' "$T/err"
expect_status 2 mtlskit report merge
expect_status 2 mtlskit report frob
expect_grep "'frob' is not a report command" "$T/err"
expect_status 0 mtlskit report --help
expect_grep '^  merge ' "$T/out"
pass "report errors and help"

# Histograms that declare the widest range the format allows (1..2^62, five
# digits: six million counts each when dense) but hold a few counts: merge
# reads only what is encoded, so 1,000 of them take a fraction of a second
# (22 s before, when every interval was decoded into a dense histogram).
python3 "$MTK_SRC/tests/lib/hdrlog_wide.py" 1000 >"$T/wide.hlog"
expect_status 0 timeout 10 mtlskit report merge --json "$T/wide.hlog"
python3 - "$T/out" <<'PY' || fail "wide histograms: $(head -c 600 "$T/out")"
import json, sys
tags = json.load(open(sys.argv[1]))["tags"]
assert list(tags) == ["handshake"], tags
t = tags["handshake"]
assert t["count"] == 6000 and t["min_ns"] == 0 and t["p50_ns"] == 0, t
assert [c for _, c in t["histogram"]["buckets"]] == [3000, 2000, 1000], t
PY
pass "1,000 widest-range histograms merged, 6,000 counts"

# A lowest value of 2^62 made the range check overflow (UBSan); it is a bad
# range, refused with the line number, exit 3.
python3 "$MTK_SRC/tests/lib/hdrlog_wide.py" 2 4611686018427387904 \
  9223372036854775807 3 >"$T/top.hlog"
expect_status 3 mtlskit report merge "$T/top.hlog"
expect_one_line "$T/err"
expect_grep 'line 4: bad histogram range 4611686018427387904\.\.9223372036854775807, 3 digits' "$T/err"
pass "a histogram whose lowest value is 2^62 is refused, not overflowed"

done_testing
