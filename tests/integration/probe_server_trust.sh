# mtlskit probe --server-trust root+intermediate against real nginx
# servers whose trust store holds the root and the intermediate (one per
# CRL variant of the fixture set), under TLS 1.2 and 1.3: every case of
# the catalogue runs on the target holding its CRLs — the case that needs
# the intermediate in the trust store included — and none is NOT-MET;
# missing-intermediate must be accepted there. The same servers probed as
# root-only trust (the old way) show why the option exists. Also the
# option's usage errors, its config-file key and the old spelling.
. "$MTK_SRC/tests/lib/testlib.sh"
. "$MTK_SRC/tests/lib/servers.sh"

F="$T/fx"
mtlskit fixtures "$F" --quiet >/dev/null

# One nginx per trust variant, each trusting the intermediate besides the
# variant's bundle (the root; for extra-anchors also an expired root and a
# CA that is not self-signed) and holding the variant's CRLs.
ports=()
variants=(default crl-expired crl-wrong-signer crl-missing-intermediate extra-anchors)
for v in "${variants[@]}"; do
  crl=$(jq -r --arg v "$v" '.trust[$v].crls | join(" ")' "$F/manifest.json")
  cat $(for c in $crl; do echo "$F/$c"; done) >"$T/crl-$v.pem"
  bundle=$(jq -r --arg v "$v" '.trust[$v].bundle' "$F/manifest.json")
  cat "$F/ca/intermediate.cert.pem" "$F/$bundle" >"$T/trust-$v.pem"
  p=$(free_port)
  ports+=("$p")
  start_nginx "$v" "$p" "
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_certificate $F/server/server.cert.pem;
    ssl_certificate_key $F/server/server.key.pem;
    ssl_client_certificate $T/trust-$v.pem;
    ssl_verify_depth 2;
    ssl_crl $T/crl-$v.pem;
    ssl_verify_client on;
    location / { return 200 \"ok\n\"; }"
done

targets=""
for tls in 1.2 1.3; do
  for i in "${!variants[@]}"; do
    targets="$targets{\"name\": \"${variants[$i]}-$tls\", \"url\": \"https://127.0.0.1:${ports[$i]}/\", \"profile\": \"nginx\", \"trust\": \"${variants[$i]}\", \"server_trust\": \"root+intermediate\", \"tls\": \"$tls\", \"cacert\": \"$F/trust/root.pem\"},"
  done
done
echo "{\"schema_version\": 1, \"fixtures\": \"$F\", \"targets\": [${targets%,}]}" >"$T/probe.json"
expect_status 0 mtlskit probe --config "$T/probe.json" --timeout 10s --json
cp "$T/out" "$T/ri.json"
python3 - "$T/ri.json" "$F/manifest.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
cases = [c["name"] for c in json.load(open(sys.argv[2]))["cases"]]
assert doc["summary"]["not_met"] == 0 and doc["summary"]["incomplete"] == 0
for tls in ("1.2", "1.3"):
    ran = {}
    for t in doc["targets"]:
        if not t["name"].endswith(tls):
            continue
        assert t["server_trust"] == "root+intermediate", t
        for r in t["results"]:
            if r["result"] != "skipped":
                assert r["result"] == "met", (t["name"], r)
                ran[r["case"]] = ran.get(r["case"], 0) + 1
            else:
                # Only the cases of another CRL variant are skipped.
                v = t["trust"]
                assert r["trust"] != v, r
                assert not (v == "default" and r["trust"] == "root+intermediate"), r
    # Every case of the catalogue ran exactly once under this version.
    assert sorted(ran) == sorted(cases) and set(ran.values()) == {1}, ran
    d = [t for t in doc["targets"] if t["name"] == "default-" + tls][0]
    res = {r["case"]: r for r in d["results"]}
    assert res["missing-intermediate"]["observed"]["text"] == "http 200", res["missing-intermediate"]
    assert res["missing-intermediate"]["expected"] == "http 2xx"
    assert "server trusts root+intermediate" in res["missing-intermediate"]["source"]
    assert res["ok-int-trusted-intermediate"]["result"] == "met"
    assert res["revoked-int-cessation"]["result"] == "met"
    assert res["revoked-int-cessation"]["observed"]["text"] == "http 400"
PY
pass "root+intermediate: every case ran under TLS 1.2 and 1.3, none NOT-MET"

# The same server judged as root-only: missing-intermediate looks like a
# NOT-MET and the case needing the intermediate is skipped.
expect_status 1 mtlskit probe --fixtures "$F" --profile nginx --json \
  --cacert "$F/trust/root.pem" --timeout 10s "https://127.0.0.1:${ports[0]}/"
python3 - "$T/out" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
res = {r["case"]: r for r in doc["targets"][0]["results"]}
assert [c for c, r in res.items() if r["result"] == "not-met"] == ["missing-intermediate"], res
assert res["ok-int-trusted-intermediate"]["result"] == "skipped"
PY
pass "the same server as root-only trust: missing-intermediate NOT-MET, one case skipped"

# The command-line option, and the old --trust spelling.
expect_status 0 mtlskit probe --fixtures "$F" --profile nginx \
  --server-trust root+intermediate --cacert "$F/trust/root.pem" --tls 1.3 \
  --timeout 10s "https://127.0.0.1:${ports[0]}/"
expect_grep '^== https://127.0.0.1:[0-9]+/  \(profile nginx, trust default, server-trust root\+intermediate, tls 1.3\)' "$T/out"
expect_grep '^missing-intermediate +http 2xx +http 200 +met ' "$T/out"
expect_status 0 mtlskit probe --fixtures "$F" --profile nginx \
  --trust root+intermediate --cacert "$F/trust/root.pem" --timeout 10s \
  "https://127.0.0.1:${ports[0]}/"
expect_grep 'warning: target .*: --trust root\+intermediate is --server-trust root\+intermediate now' "$T/err"
ran=$(jq '[.cases[] | select(.trust == "default" or .trust == "root+intermediate")] | length' "$F/manifest.json")
skipped=$(($(jq '.cases | length' "$F/manifest.json") - ran))
expect_grep "^$ran met, 0 not met, 0 unspecified, $skipped skipped" "$T/out"
expect_status 2 mtlskit probe --fixtures "$F" --profile nginx \
  --server-trust intermediate https://127.0.0.1:1/
expect_grep "^mtlskit probe: error: --server-trust must be root or root\+intermediate, not 'intermediate'" "$T/err"
echo '{"schema_version": 1, "targets": [{"url": "https://x/", "profile": "nginx", "server_trust": "all"}]}' >"$T/bad.json"
expect_status 2 mtlskit probe --fixtures "$F" --config "$T/bad.json"
expect_grep '"server_trust" must be "root" or "root\+intermediate"' "$T/err"
pass "--server-trust on the command line, the old --trust spelling, bad values"

done_testing
