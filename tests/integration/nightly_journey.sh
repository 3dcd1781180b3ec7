# The nightly conformance journey of docs/ci-nightly.md over three
# simulated nights: build the fixtures once, install
# their trust bundle and CRLs into a real nginx once, then each night
# `mtlskit fixtures refresh --check` and `mtlskit probe`. Green every night
# on a correct endpoint; red exactly on the night a misconfiguration is
# introduced, naming the cases it lets through.
#
# nginx runs under libfaketime, its clock N days ahead on night N (so it
# judges validity windows the way a server would that night: it is
# restarted with the new clock, as libfaketime's clock file does not reach
# nginx's); refresh builds as of the same day. nginx keeps the files it
# was given on night 0.
. "$MTK_SRC/tests/lib/testlib.sh"
. "$MTK_SRC/tests/lib/servers.sh"

faketime_lib=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1
[ -f "$faketime_lib" ] || fail "libfaketime is missing (scripts/install-deps installs it)"

F="$T/repo/fixtures/out"  # the fixture directory the nightly job keeps
E="$T/endpoint"           # what the endpoint was given, once
day=86400
t0=$(date -u +%s)

# --- night 0: fixtures once, trust + CRLs installed once ------------------------
expect_status 0 mtlskit fixtures "$F" --now "@$t0"
mkdir -p "$E"
cp "$F/trust/root.pem" "$F/crl/default.pem" "$F/server/server.cert.pem" \
  "$F/server/server.key.pem" "$E/"
chmod 0600 "$E/server.key.pem"

port=$(free_port)
# nginx_conf CRL_LINE: the server block the endpoint runs (the one of
# tests/lib/servers.sh's nginx `on`), with CRL_LINE for its CRLs.
nginx_conf() {
  echo "
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_certificate $E/server.cert.pem;
    ssl_certificate_key $E/server.key.pem;
    ssl_client_certificate $E/root.pem;
    ssl_verify_depth 2;
    $1
    ssl_verify_client on;
    location / { return 200 \"ok\n\"; }"
}
crl_line="ssl_crl $E/default.pem;"
# endpoint N: (re)start nginx with its clock on night N.
endpoint() {
  if [ -f "$T/nginx-night/nginx.pid" ]; then
    local pid
    pid=$(cat "$T/nginx-night/nginx.pid")
    kill "$pid"
    while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
  fi
  LD_PRELOAD="$faketime_lib" FAKETIME="+$1d" \
    start_nginx "night" "$port" "$(nginx_conf "$crl_line")"
}

# night N EXPECTED_PROBE_STATUS: the nightly job of night N.
night() {
  local n=$1 want=$2 at=$((t0 + $1 * day))
  endpoint "$n"
  expect_status 0 mtlskit fixtures refresh "$F" --now "@$at" --check
  expect_grep "nothing to re-upload" "$T/out"
  expect_status "$want" mtlskit probe --fixtures "$F" --profile nginx \
    --cacert "$F/trust/root.pem" --junit "$T/night$n.xml" \
    --name staging "https://127.0.0.1:$port/"
  cp "$T/out" "$T/night$n.out"
}

# The endpoint's clock really is on night N: its log dates the request.
night 1 0
expect_grep ' 0 not met, ' "$T/night1.out"
expect_grep "\[$(date -u -d "@$((t0 + day))" +%d/%b/%Y)" "$T/nginx-night/logs/access.log"
pass "night 1: green on a correct endpoint"

night 2 0
expect_grep ' 0 not met, ' "$T/night2.out"
expect_grep "^revoked-keycompromise .* met" "$T/night2.out"
pass "night 2: green, the revoked cases still refused with the CRL installed on night 0"

# Night 3: someone drops the CRL from the endpoint's configuration.
crl_line=""
night 3 1
expect_grep ' 4 not met, ' "$T/night3.out"
failed=$(python3 - "$T/night3.xml" <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
print(" ".join(sorted(tc.get("name") for tc in root.iter("testcase")
                      if tc.find("failure") is not None)) + " ")
PY
)
[ "$failed" = "revoked-int-cessation revoked-keycompromise revoked-no-reason revoked-superseded " ] ||
  fail "night 3: JUnit failures are '$failed'"
pass "night 3: red exactly on the misconfiguration, naming the four revoked cases"

done_testing
