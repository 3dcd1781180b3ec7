# Real servers on loopback for the integration tests and benchmarks.
# Source after testlib.sh. Every server runs in the foreground of a
# background job, writes only under $T, listens on 127.0.0.1 only, and is
# stopped when the test exits.

# start_nginx NAME PORT SERVER_BLOCK: run nginx with one TLS server block
# (the text of the `server { ... }` body, without the listen line) on
# 127.0.0.1:PORT. Its prefix directory is $T/nginx-NAME.
start_nginx() {
  local name=$1 port=$2 body=$3
  local dir="$T/nginx-$name"
  mkdir -p "$dir/logs"
  cat >"$dir/nginx.conf" <<CONF
daemon off;
master_process off;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/logs/error.log info;
events { worker_connections 4096; }
http {
  access_log $dir/logs/access.log;
  client_body_temp_path $dir/body;
  proxy_temp_path $dir/proxy;
  fastcgi_temp_path $dir/fastcgi;
  uwsgi_temp_path $dir/uwsgi;
  scgi_temp_path $dir/scgi;
  server {
    listen 127.0.0.1:$port ssl;
$body
  }
}
CONF
  nginx -p "$dir" -c "$dir/nginx.conf" >"$dir/logs/stdout.log" 2>&1 &
  local pid=$!
  on_exit "kill $pid 2>/dev/null; wait $pid 2>/dev/null"
  wait_port "$port" 10
}
