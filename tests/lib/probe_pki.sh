# A small fixture set for the probe's tests, made with the openssl command
# only (the real fixture generator, `mtlskit fixtures`, is separate work).
# It writes DIR/manifest.json in the manifest schema the probe reads
# (docs/probe.md), with P-256 keys so it takes about a second.
#
#   . "$MTK_SRC/tests/lib/probe_pki.sh"
#   probe_pki "$T/fx"
#
# Layout under DIR:
#   trust/root.pem             the trust anchor servers are given
#   trust/root-and-other.pem   root + the "other" CA (wrong-trust tests)
#   trust/other.pem            only the "other" CA
#   crl/{root,intermediate,intermediate2}.crl.pem, crl/all.crl.pem (all)
#   crl/*-expired.crl.pem      the same CRLs past their nextUpdate
#   server/server.{cert,key}.pem  127.0.0.1 / localhost, issued by root
#   cases/NAME/{cert,key}.pem  cert.pem = leaf followed by the chain sent

probe_pki_ca_conf() {
  # probe_pki_ca_conf CADIR: an `openssl ca` configuration for CADIR.
  local d=$1
  mkdir -p "$d/new"
  : >"$d/index.txt"
  echo 1000 >"$d/serial"
  echo 1000 >"$d/crlnumber"
  cat >"$d/ca.cnf" <<CNF
[ ca ]
default_ca = this
[ this ]
dir = $d
database = $d/index.txt
new_certs_dir = $d/new
certificate = $d/ca.cert.pem
private_key = $d/ca.key.pem
serial = $d/serial
crlnumber = $d/crlnumber
default_md = sha256
default_days = 365
default_crl_days = 30
policy = anything
unique_subject = no
copy_extensions = none
[ anything ]
commonName = supplied
organizationName = optional
[ v3_ca ]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ v3_client ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ v3_server_only ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ v3_server ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, DNS:localhost
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
CNF
}

probe_pki_key() {
  if [ "${2:-}" = rsa1024 ]; then
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 \
      -out "$1" 2>/dev/null
  else
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
      -out "$1" 2>/dev/null
  fi
  chmod 600 "$1"
}

# probe_pki_issue CADIR EXT CN OUTPREFIX [openssl ca options...]
# (KEYTYPE=rsa1024 in the environment for a weak key; default P-256)
probe_pki_issue() {
  local ca=$1 ext=$2 cn=$3 out=$4
  shift 4
  probe_pki_key "$out.key.pem" "${KEYTYPE:-}"
  openssl req -new -key "$out.key.pem" -subj "/O=mtlskit test/CN=$cn" \
    -out "$out.csr" 2>/dev/null
  openssl ca -batch -notext -config "$ca/ca.cnf" -extensions "$ext" \
    -in "$out.csr" -out "$out.cert.pem" "$@" 2>/dev/null
  rm -f "$out.csr"
}

# probe_pki_self_ca DIR CN: a self-signed CA in DIR.
probe_pki_self_ca() {
  local d=$1 cn=$2
  probe_pki_ca_conf "$d"
  probe_pki_key "$d/ca.key.pem"
  openssl req -new -key "$d/ca.key.pem" -subj "/O=mtlskit test/CN=$cn" \
    -out "$d/ca.csr" 2>/dev/null
  openssl ca -batch -notext -selfsign -config "$d/ca.cnf" -extensions v3_ca \
    -keyfile "$d/ca.key.pem" -days 3650 -in "$d/ca.csr" \
    -out "$d/ca.cert.pem" 2>/dev/null
}

# probe_pki_case DIR NAME: copy an issued identity into DIR/cases/NAME.
probe_pki_case() {
  local dir=$1 name=$2 prefix=$3
  shift 3
  mkdir -p "$dir/cases/$name"
  cat "$prefix.cert.pem" "$@" >"$dir/cases/$name/cert.pem"
  cp "$prefix.key.pem" "$dir/cases/$name/key.pem"
}

probe_pki() {
  local dir=$1 w
  w="$dir/.work"
  mkdir -p "$w" "$dir/trust" "$dir/crl" "$dir/server" "$dir/cases"
  local past_start past_end future_start future_end
  past_start=$(date -u -d '-30 days' +%y%m%d%H%M%SZ)
  past_end=$(date -u -d '-1 days' +%y%m%d%H%M%SZ)
  future_start=$(date -u -d '+10 days' +%y%m%d%H%M%SZ)
  future_end=$(date -u -d '+40 days' +%y%m%d%H%M%SZ)

  probe_pki_self_ca "$w/root" "Probe Test Root"
  probe_pki_self_ca "$w/other" "Probe Other Root"
  # The intermediate is a CA issued by the root.
  probe_pki_ca_conf "$w/inter"
  probe_pki_issue "$w/root" v3_ca "Probe Test Intermediate" "$w/inter/ca" \
    -days 3650

  # A second intermediate below the first: a valid client two CAs deep
  # (nginx's default ssl_verify_depth 1 refuses it, docs/platforms.md §4).
  probe_pki_ca_conf "$w/inter2"
  probe_pki_issue "$w/inter" v3_ca "Probe Test Intermediate 2" "$w/inter2/ca" \
    -days 3650

  cp "$w/root/ca.cert.pem" "$dir/trust/root.pem"
  cp "$w/other/ca.cert.pem" "$dir/trust/other.pem"
  cat "$w/root/ca.cert.pem" "$w/other/ca.cert.pem" >"$dir/trust/root-and-other.pem"

  probe_pki_issue "$w/root" v3_server "127.0.0.1" "$w/server"
  cp "$w/server.cert.pem" "$dir/server/server.cert.pem"
  cp "$w/server.key.pem" "$dir/server/server.key.pem"

  probe_pki_issue "$w/root" v3_client "ok-root-leaf-p256" "$w/ok-root"
  probe_pki_case "$dir" ok-root-leaf-p256 "$w/ok-root"
  probe_pki_issue "$w/inter" v3_client "ok-intermediate-leaf-p256" "$w/ok-inter"
  probe_pki_case "$dir" ok-intermediate-leaf-p256 "$w/ok-inter" \
    "$w/inter/ca.cert.pem"
  probe_pki_issue "$w/inter2" v3_client "ok-two-intermediates-p256" "$w/ok-inter2"
  probe_pki_case "$dir" ok-two-intermediates-p256 "$w/ok-inter2" \
    "$w/inter2/ca.cert.pem" "$w/inter/ca.cert.pem"
  probe_pki_issue "$w/root" v3_client "expired" "$w/expired" \
    -startdate "$past_start" -enddate "$past_end"
  probe_pki_case "$dir" expired "$w/expired"
  probe_pki_issue "$w/root" v3_client "not-yet-valid" "$w/nyv" \
    -startdate "$future_start" -enddate "$future_end"
  probe_pki_case "$dir" not-yet-valid "$w/nyv"
  probe_pki_issue "$w/root" v3_client "revoked" "$w/revoked"
  probe_pki_case "$dir" revoked "$w/revoked"
  openssl ca -config "$w/root/ca.cnf" -revoke "$w/revoked.cert.pem" \
    -crl_reason keyCompromise 2>/dev/null
  probe_pki_issue "$w/other" v3_client "unknown-ca" "$w/unknown"
  probe_pki_case "$dir" unknown-ca "$w/unknown"
  probe_pki_key "$w/self.key.pem"
  openssl req -x509 -new -key "$w/self.key.pem" -days 365 \
    -subj "/O=mtlskit test/CN=self-signed" -addext "extendedKeyUsage=clientAuth" \
    -out "$w/self.cert.pem" 2>/dev/null
  probe_pki_case "$dir" self-signed "$w/self"
  probe_pki_issue "$w/root" v3_server_only "eku-server-only" "$w/eku"
  probe_pki_case "$dir" eku-server-only "$w/eku"
  KEYTYPE=rsa1024 probe_pki_issue "$w/root" v3_client "weak-key-rsa1024" "$w/weak"
  probe_pki_case "$dir" weak-key-rsa1024 "$w/weak"

  # CRLs for every CA in the chain (nginx, HAProxy and httpd check all).
  openssl ca -gencrl -config "$w/root/ca.cnf" -out "$dir/crl/root.crl.pem" 2>/dev/null
  openssl ca -gencrl -config "$w/inter/ca.cnf" -out "$dir/crl/intermediate.crl.pem" 2>/dev/null
  openssl ca -gencrl -config "$w/inter2/ca.cnf" -out "$dir/crl/intermediate2.crl.pem" 2>/dev/null
  cat "$dir/crl/root.crl.pem" "$dir/crl/intermediate.crl.pem" \
    "$dir/crl/intermediate2.crl.pem" >"$dir/crl/all.crl.pem"
  local last next
  last=$(date -u -d '-20 days' +%Y%m%d%H%M%SZ)
  next=$(date -u -d '-10 days' +%Y%m%d%H%M%SZ)
  openssl ca -gencrl -config "$w/root/ca.cnf" -crl_lastupdate "$last" \
    -crl_nextupdate "$next" -out "$dir/crl/root-expired.crl.pem" 2>/dev/null
  openssl ca -gencrl -config "$w/inter/ca.cnf" -crl_lastupdate "$last" \
    -crl_nextupdate "$next" -out "$dir/crl/intermediate-expired.crl.pem" 2>/dev/null
  openssl ca -gencrl -config "$w/inter2/ca.cnf" -crl_lastupdate "$last" \
    -crl_nextupdate "$next" -out "$dir/crl/intermediate2-expired.crl.pem" 2>/dev/null

  local now
  now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  cat >"$dir/manifest.json" <<JSON
{
  "schema_version": 1,
  "generator": "tests/lib/probe_pki.sh",
  "now": "$now",
  "trust": {
    "default": {"bundle": "trust/root.pem", "crls": ["crl/root.crl.pem", "crl/intermediate.crl.pem", "crl/intermediate2.crl.pem"]},
    "crl-expired": {"bundle": "trust/root.pem", "crls": ["crl/root-expired.crl.pem", "crl/intermediate-expired.crl.pem", "crl/intermediate2-expired.crl.pem"]}
  },
  "server": {"cert": "server/server.cert.pem", "key": "server/server.key.pem", "ca": "trust/root.pem"},
  "cases": [
    {"name": "ok-root-leaf-p256", "defects": ["none"], "trust": "default", "key_type": "p256",
     "files": {"cert": "cases/ok-root-leaf-p256/cert.pem", "key": "cases/ok-root-leaf-p256/key.pem"},
     "verdict": {"strict": "accept", "reason": "ok"}},
    {"name": "ok-intermediate-leaf-p256", "defects": ["none"], "trust": "default", "key_type": "p256",
     "files": {"cert": "cases/ok-intermediate-leaf-p256/cert.pem", "key": "cases/ok-intermediate-leaf-p256/key.pem"},
     "verdict": {"strict": "accept", "reason": "ok, intermediate sent"}},
    {"name": "ok-two-intermediates-p256", "defects": ["none"], "trust": "default", "key_type": "p256",
     "files": {"cert": "cases/ok-two-intermediates-p256/cert.pem", "key": "cases/ok-two-intermediates-p256/key.pem"},
     "verdict": {"strict": "accept", "reason": "ok, two intermediates sent"}},
    {"name": "no-certificate", "defects": ["no-certificate"], "trust": "default", "files": {},
     "verdict": {"strict": "reject", "reason": "no certificate"}},
    {"name": "expired", "defects": ["expired"], "trust": "default", "key_type": "p256",
     "files": {"cert": "cases/expired/cert.pem", "key": "cases/expired/key.pem"},
     "verdict": {"strict": "reject", "reason": "certificate has expired"}},
    {"name": "not-yet-valid", "defects": ["not-yet-valid"], "trust": "default", "key_type": "p256",
     "files": {"cert": "cases/not-yet-valid/cert.pem", "key": "cases/not-yet-valid/key.pem"},
     "verdict": {"strict": "reject", "reason": "certificate is not yet valid"}},
    {"name": "revoked", "defects": ["revoked"], "trust": "default", "key_type": "p256",
     "files": {"cert": "cases/revoked/cert.pem", "key": "cases/revoked/key.pem"},
     "verdict": {"strict": "reject", "reason": "certificate revoked"}},
    {"name": "unknown-ca", "defects": ["unknown-ca"], "trust": "default", "key_type": "p256",
     "files": {"cert": "cases/unknown-ca/cert.pem", "key": "cases/unknown-ca/key.pem"},
     "verdict": {"strict": "reject", "reason": "unable to get local issuer certificate"}},
    {"name": "self-signed", "defects": ["self-signed"], "trust": "default", "key_type": "p256",
     "files": {"cert": "cases/self-signed/cert.pem", "key": "cases/self-signed/key.pem"},
     "verdict": {"strict": "reject", "reason": "self-signed certificate"}},
    {"name": "eku-server-only", "defects": ["eku-server-only"], "trust": "default", "key_type": "p256",
     "files": {"cert": "cases/eku-server-only/cert.pem", "key": "cases/eku-server-only/key.pem"},
     "verdict": {"strict": "reject", "reason": "unsupported certificate purpose"}},
    {"name": "weak-key-rsa1024", "defects": ["weak-key"], "trust": "default", "key_type": "rsa1024",
     "files": {"cert": "cases/weak-key-rsa1024/cert.pem", "key": "cases/weak-key-rsa1024/key.pem"},
     "verdict": {"strict": "reject", "reason": "EE certificate key too weak"}},
    {"name": "crl-expired-ok-leaf", "defects": ["crl-expired"], "trust": "crl-expired", "key_type": "p256",
     "files": {"cert": "cases/ok-root-leaf-p256/cert.pem", "key": "cases/ok-root-leaf-p256/key.pem"},
     "verdict": {"strict": "reject", "reason": "CRL has expired"}}
  ]
}
JSON
  rm -rf "$w"
}
