# Helpers for the mtlskit serve integration tests (sourced after
# testlib.sh). Every server listens on 127.0.0.1 on a port it picks itself,
# is bounded by --duration and --max-connections, and is stopped on exit.

# start_serve NAME ARGS...: start mtlskit-serve with ARGS, wait for its
# ready file; sets SERVE_PORT and SERVE_PID. Its stdout (ready line and
# connection log) goes to $T/serve-NAME.log, stderr to $T/serve-NAME.err.
start_serve() {
  local name=$1 i pid
  shift
  rm -f "$T/ready-$name"
  # The helper executable directly: the mtlskit front-end waits for its
  # child and does not pass SIGTERM on.
  mtlskit-serve --listen 127.0.0.1:0 --ready-file "$T/ready-$name" \
    --duration 300s --max-connections 5000 "$@" \
    >"$T/serve-$name.log" 2>"$T/serve-$name.err" &
  pid=$!
  on_exit "kill $pid 2>/dev/null; wait $pid 2>/dev/null"
  for ((i = 0; i < 200; i++)); do
    [ -s "$T/ready-$name" ] && break
    if ! kill -0 "$pid" 2>/dev/null; then
      cat "$T/serve-$name.err" >&2
      fail "mtlskit serve $name exited before it was ready"
    fi
    sleep 0.05
  done
  [ -s "$T/ready-$name" ] || fail "mtlskit serve $name: not ready after 10s"
  SERVE_PORT=$(cat "$T/ready-$name")
  SERVE_PID=$pid
}

# stop_serve PID: SIGTERM must end the server with exit status 0.
stop_serve() {
  local rc=0
  kill -TERM "$1"
  wait "$1" || rc=$?
  [ "$rc" -eq 0 ] || fail "mtlskit serve exited $rc after SIGTERM"
}

# probe_results FILE: "case result kind stage alert-or-status" per attempt
# of a probe --json document.
probe_results() {
  python3 - "$1" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["schema_version"] == 3
for t in doc["targets"]:
    for r in t["results"]:
        o = r.get("observed", {})
        print(r["case"], r["result"], o.get("kind", "-"), o.get("stage", "-"),
              o.get("alert", o.get("http_status", "-")))
PY
}

# serve_fixtures DIR: the fixture catalogue the tests use.
serve_fixtures() {
  mtlskit fixtures "$1" --quiet >/dev/null ||
    fail "mtlskit fixtures $1 failed"
}
