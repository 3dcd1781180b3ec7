# Real servers on loopback for the integration tests and benchmarks.
# Source after testlib.sh. Every server runs in the foreground of a
# background job, writes only under $T, listens on 127.0.0.1 only, and is
# stopped when the test exits.

# run_server PORT LOG CMD [ARG...]: run CMD in the background with its
# output in LOG, stop it when the test exits, and wait up to 10 s for
# 127.0.0.1:PORT to accept connections (the status is wait_port's).
run_server() {
  local port=$1 log=$2
  shift 2
  "$@" >"$log" 2>&1 &
  local pid=$!
  on_exit "kill $pid 2>/dev/null; wait $pid 2>/dev/null"
  wait_port "$port" 10
}

# run_nginx NAME PORT MAIN_LINES CONNECTIONS HTTP_LINES SERVER_BLOCK
# [LISTEN_OPTIONS]: write $T/nginx-NAME/nginx.conf with one TLS server
# block (the text of the `server { ... }` body, without the listen line) on
# 127.0.0.1:PORT and run nginx with it, prefix directory $T/nginx-NAME.
# MAIN_LINES and HTTP_LINES are inserted as they are, before `pid` and
# before `server`: each is empty or ends in a newline. CONNECTIONS is
# worker_connections. LISTEN_OPTIONS follow the port on the listen line
# (default "ssl"; "ssl http2" offers HTTP/2).
run_nginx() {
  local name=$1 port=$2 main_lines=$3 connections=$4 http_lines=$5 body=$6
  local listen=${7:-ssl}
  local dir="$T/nginx-$name"
  mkdir -p "$dir/logs"
  cat >"$dir/nginx.conf" <<CONF
daemon off;
master_process off;
worker_processes 1;
${main_lines}pid $dir/nginx.pid;
error_log $dir/logs/error.log info;
events { worker_connections $connections; }
http {
  access_log $dir/logs/access.log;
  client_body_temp_path $dir/body;
  proxy_temp_path $dir/proxy;
  fastcgi_temp_path $dir/fastcgi;
  uwsgi_temp_path $dir/uwsgi;
  scgi_temp_path $dir/scgi;
${http_lines}  server {
    listen 127.0.0.1:$port $listen;
$body
  }
}
CONF
  run_server "$port" "$dir/logs/stdout.log" nginx -p "$dir" -c "$dir/nginx.conf"
}

# start_nginx NAME PORT SERVER_BLOCK [LISTEN_OPTIONS]: run nginx with one
# TLS server block (the text of the `server { ... }` body, without the
# listen line) on 127.0.0.1:PORT; LISTEN_OPTIONS as for run_nginx. Its
# prefix directory is $T/nginx-NAME.
start_nginx() {
  run_nginx "$1" "$2" "" 4096 "" "$3" "${4:-}"
}

# restart_fixture_nginx NAME PORT FIXTURES [LINES]: (re)start nginx NAME
# on 127.0.0.1:PORT with the fixture set's server certificate, requiring a
# client certificate from its root (two intermediates at most); LINES are
# more directives (an ssl_crl, say). Requests for / get 200 "ok".
restart_fixture_nginx() {
  local name=$1 port=$2 fx=$3 lines=${4:-}
  if [ -f "$T/nginx-$name/nginx.pid" ]; then
    local pid
    pid=$(cat "$T/nginx-$name/nginx.pid")
    kill "$pid"
    while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
  fi
  start_nginx "$name" "$port" "
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_certificate $fx/server/server.cert.pem;
    ssl_certificate_key $fx/server/server.key.pem;
    ssl_client_certificate $fx/trust/root.pem;
    ssl_verify_depth 2;
    $lines
    ssl_verify_client on;
    location / { return 200 \"ok\n\"; }"
}

# start_apache NAME PORT VHOST_LINES [SERVER_LINES]: run Apache httpd
# (apache2 -X, its own configuration under $T/apache-NAME, never the system
# one) with one TLS virtual host on 127.0.0.1:PORT; VHOST_LINES are its
# SSL* directives, SERVER_LINES server-wide ones (LoadModule, Protocols).
# Requests for / get 200 "ok".
start_apache() {
  local name=$1 port=$2 vhost=$3 server_lines=${4:-}
  local dir="$T/apache-$name" mods=/usr/lib/apache2/modules
  mkdir -p "$dir/htdocs" "$dir/logs"
  echo ok >"$dir/htdocs/index.html"
  cat >"$dir/httpd.conf" <<CONF
ServerRoot "$dir"
ServerName 127.0.0.1
PidFile "$dir/httpd.pid"
Mutex file:$dir default
DefaultRuntimeDir "$dir"
LoadModule mpm_event_module $mods/mod_mpm_event.so
LoadModule authz_core_module $mods/mod_authz_core.so
LoadModule dir_module $mods/mod_dir.so
LoadModule socache_shmcb_module $mods/mod_socache_shmcb.so
LoadModule ssl_module $mods/mod_ssl.so
ErrorLog "$dir/logs/error.log"
LogLevel info
Listen 127.0.0.1:$port
DocumentRoot "$dir/htdocs"
DirectoryIndex index.html
SSLSessionCache "shmcb:$dir/ssl_scache(512000)"
$server_lines
<VirtualHost 127.0.0.1:$port>
  SSLEngine on
$vhost
</VirtualHost>
CONF
  run_server "$port" "$dir/logs/stdout.log" apache2 -X -f "$dir/httpd.conf"
}

# start_node NAME PORT KEY CERT CA [CRL...]: run a Node https server with
# requestCert and rejectUnauthorized on 127.0.0.1:PORT, answering 200 "ok".
# Its directory is $T/node-NAME.
start_node() {
  local name=$1 port=$2 key=$3 cert=$4 ca=$5
  shift 5
  local dir="$T/node-$name" crls="" c
  mkdir -p "$dir"
  for c in "$@"; do crls="$crls fs.readFileSync('$c'),"; done
  cat >"$dir/server.js" <<JS
const fs = require('fs');
const https = require('https');
const opts = {
  key: fs.readFileSync('$key'), cert: fs.readFileSync('$cert'),
  ca: fs.readFileSync('$ca'), crl: [$crls],
  requestCert: true, rejectUnauthorized: true,
};
https.createServer(opts, (req, res) => { res.end('ok\n'); })
  .listen($port, '127.0.0.1');
JS
  run_server "$port" "$dir/node.log" node "$dir/server.js"
}

# start_haproxy NAME PORT BIND_OPTIONS [FRONTEND_LINES]: run HAProxy in the
# foreground with one HTTP frontend on 127.0.0.1:PORT. BIND_OPTIONS follow
# "bind 127.0.0.1:PORT" (e.g. "ssl crt X.pem ca-file ca.crt verify
# required"); FRONTEND_LINES default to answering every request with 200
# "ok". Its directory is $T/haproxy-NAME.
start_haproxy() {
  local name=$1 port=$2 bind=$3
  local lines=${4:-"  http-request return status 200 content-type text/plain string ok"}
  local dir="$T/haproxy-$name"
  mkdir -p "$dir"
  cat >"$dir/haproxy.cfg" <<CONF
global
  maxconn 4000
defaults
  mode http
  timeout connect 5s
  timeout client 10s
  timeout server 10s
frontend fe
  bind 127.0.0.1:$port $bind
$lines
CONF
  run_server "$port" "$dir/haproxy.log" haproxy -db -f "$dir/haproxy.cfg"
}

# start_nginx_http NAME PORT HTTP_LINES SERVER_BLOCK: as start_nginx, with
# HTTP_LINES added at http level (log_format, for instance, which nginx
# refuses inside a server block), and sized for load: 16384 connections and
# 20000 file descriptors.
start_nginx_http() {
  local nl=$'\n'
  run_nginx "$1" "$2" "worker_rlimit_nofile 20000;$nl" 16384 "$3$nl" "$4"
}

# start_mtls_servers [--http2] [--trust BUNDLE] DIR CRL_FILE
# NODE_CRL_FILE...: start the five servers the probe is checked against,
# each requiring a client certificate from the fixture set in DIR
# (server/server.{cert,key}.pem; trusting BUNDLE, default trust/root.pem)
# and checking CRL_FILE (every CA's CRL in one file): nginx
# `on`, nginx `optional` with a 403 rule, HAProxy `verify required`, Apache
# `SSLVerifyClient require` and Node `requestCert` (which wants one CRL per
# file: NODE_CRL_FILE...). With --http2, nginx, HAProxy and Apache also
# offer HTTP/2 over ALPN (Node's https module never does). Sets p_nginx,
# p_opt, p_haproxy, p_apache, p_node.
start_mtls_servers() {
  local nginx_listen=ssl haproxy_alpn="" apache_h2=""
  if [ "$1" = --http2 ]; then
    nginx_listen="ssl http2"
    haproxy_alpn=" alpn h2,http/1.1"
    apache_h2="LoadModule http2_module /usr/lib/apache2/modules/mod_http2.so
Protocols h2 http/1.1"
    shift
  fi
  local trust=""
  if [ "$1" = --trust ]; then
    trust=$2
    shift 2
  fi
  local dir=$1 crl=$2
  shift 2
  trust=${trust:-$dir/trust/root.pem}
  cat "$dir/server/server.cert.pem" "$dir/server/server.key.pem" \
    >"$T/mtls-server.pem"
  local nginx_common="
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_certificate $dir/server/server.cert.pem;
    ssl_certificate_key $dir/server/server.key.pem;
    ssl_client_certificate $trust;
    ssl_verify_depth 2;  # leaf + 2 intermediates + root
    ssl_crl $crl;"
  p_nginx=$(free_port)
  start_nginx on "$p_nginx" "$nginx_common
    ssl_verify_client on;
    location / { return 200 \"ok\n\"; }" "$nginx_listen"
  p_opt=$(free_port)
  start_nginx optional "$p_opt" "$nginx_common
    ssl_verify_client optional;
    location / {
      if (\$ssl_client_verify != SUCCESS) { return 403; }
      return 200 \"ok\n\";
    }" "$nginx_listen"
  p_haproxy=$(free_port)
  start_haproxy strict "$p_haproxy" "ssl crt $T/mtls-server.pem$haproxy_alpn verify required ca-file $trust crl-file $crl"
  p_apache=$(free_port)
  start_apache strict "$p_apache" "
  SSLCertificateFile $dir/server/server.cert.pem
  SSLCertificateKeyFile $dir/server/server.key.pem
  SSLCACertificateFile $trust
  SSLCARevocationFile $crl
  SSLCARevocationCheck chain
  SSLVerifyClient require
  SSLVerifyDepth 3" "$apache_h2"  # errdepth of the root is 3
  p_node=$(free_port)
  start_node strict "$p_node" "$dir/server/server.key.pem" \
    "$dir/server/server.cert.pem" "$trust" "$@"
}

# start_stunnel NAME PORT CERT KEY CA_FILE [CRL_FILE]: run stunnel (Debian's
# stunnel4) in the foreground as a TLS server on 127.0.0.1:PORT with
# `verifyChain = yes` against CA_FILE (and CRLfile CRL_FILE), TLS 1.2 and
# 1.3, passing connections to a plain HTTP backend on another loopback port
# that answers every GET with 200. Its directory is $T/stunnel-NAME.
start_stunnel() {
  local name=$1 port=$2 cert=$3 key=$4 ca=$5 crl=${6:-}
  local dir="$T/stunnel-$name" backend
  mkdir -p "$dir/www"
  echo ok >"$dir/www/index.html"
  backend=$(free_port)
  run_server "$backend" "$dir/backend.log" \
    python3 -m http.server --bind 127.0.0.1 --directory "$dir/www" "$backend" ||
    return 1
  cat >"$dir/stunnel.conf" <<CONF
foreground = yes
pid =
debug = info
[mtls]
accept = 127.0.0.1:$port
connect = 127.0.0.1:$backend
cert = $cert
key = $key
CAfile = $ca
${crl:+CRLfile = $crl}
verifyChain = yes
sslVersionMin = TLSv1.2
CONF
  run_server "$port" "$dir/stunnel.log" stunnel "$dir/stunnel.conf"
}

# start_caddy NAME PORT DIR CA_FILE...: run Caddy (Go crypto/tls) with one
# site https://localhost:PORT (bound to 127.0.0.1 only) serving the fixture
# set DIR's server certificate, requiring and verifying a client certificate
# against the CA_FILEs (one trusted_ca_cert_file line each: Caddy 2.6 reads
# only the first certificate of a file), answering 200 "ok". No admin
# endpoint, no automatic HTTPS, its state under $T/caddy-NAME. Clients must
# send the name: connect with --resolve localhost:PORT:127.0.0.1.
start_caddy() {
  local name=$1 port=$2 dir=$3 ca cas=""
  shift 3
  for ca in "$@"; do
    cas="$cas
			trusted_ca_cert_file $ca"
  done
  local home="$T/caddy-$name"
  mkdir -p "$home"
  cat >"$home/Caddyfile" <<CONF
{
	admin off
	auto_https off
	skip_install_trust
	storage file_system $home/data
}
https://localhost:$port {
	bind 127.0.0.1
	tls $dir/server/server.cert.pem $dir/server/server.key.pem {
		protocols tls1.2 tls1.3
		client_auth {
			mode require_and_verify$cas
		}
	}
	respond "ok" 200
}
CONF
  HOME="$home" XDG_DATA_HOME="$home/data" XDG_CONFIG_HOME="$home/config" \
    run_server "$port" "$home/caddy.log" \
    caddy run --config "$home/Caddyfile" --adapter caddyfile
}
