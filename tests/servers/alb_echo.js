// A stand-in for an AWS ALB with a header-echo backend behind it, with
// faults on demand, for the probe's --alb-headers tests. It accepts every
// client (requestCert, rejectUnauthorized: false): only the headers are
// under test. The header values ALB would add come from TABLE, a JSON file
// the test computes with openssl and Python (fingerprint256 of the leaf ->
// {serial, issuer, subject, validity, leaf, chain}), never from mtlskit.
//
// usage: node alb_echo.js PORT KEY CERT TABLE MODE FORMAT [FAULTS]
//   MODE    verify | passthrough
//   FORMAT  pairs (mtlskit serve's {"headers": [[n, v]...]}) | object
//           (httpbin's {"headers": {n: v}}) | lines (a raw request dump) |
//           none (a body without headers)
//   FAULTS  comma list: pass-forged (client X-Amzn-Mtls-* reach the
//           backend), serial-leading-zero (a 00 byte before the serial),
//           equals-encoded ('=' as %3D in the PEM headers, which
//           docs/platforms.md §1.3's example shows), chain-leaf-only
//           (passthrough sends the leaf alone)
'use strict';
const fs = require('fs');
const https = require('https');

const [port, key, cert, tablePath, mode, format, faultList = ''] =
  process.argv.slice(2);
const table = JSON.parse(fs.readFileSync(tablePath, 'utf8'));
const faults = new Set(faultList.split(',').filter((f) => f !== ''));

function albHeaders(peer) {
  if (!peer || !peer.fingerprint256) return [];
  const e = table[peer.fingerprint256];
  if (!e) throw new Error('no table entry for ' + peer.fingerprint256);
  const pem = (s) => (faults.has('equals-encoded') ? s.replace(/=/g, '%3D') : s);
  if (mode === 'passthrough') {
    return [['X-Amzn-Mtls-Clientcert',
      pem(faults.has('chain-leaf-only') ? e.leaf : e.chain)]];
  }
  const serial = faults.has('serial-leading-zero') ? '00' + e.serial : e.serial;
  return [
    ['X-Amzn-Mtls-Clientcert-Serial-Number', serial],
    ['X-Amzn-Mtls-Clientcert-Issuer', e.issuer],
    ['X-Amzn-Mtls-Clientcert-Subject', e.subject],
    ['X-Amzn-Mtls-Clientcert-Validity', e.validity],
    ['X-Amzn-Mtls-Clientcert-Leaf', pem(e.leaf)],
  ];
}

function body(req, pairs) {
  switch (format) {
    case 'pairs':
      return JSON.stringify({ schema_version: 1, headers: pairs });
    case 'object': {
      const o = {};
      for (const [n, v] of pairs) o[n] = n in o ? o[n] + ', ' + v : v;
      return JSON.stringify({ args: {}, headers: o, url: req.url });
    }
    case 'lines':
      return `${req.method} ${req.url} HTTP/${req.httpVersion}\r\n` +
        pairs.map(([n, v]) => `${n}: ${v}\r\n`).join('') + '\r\n';
    default:
      return 'ok\n';
  }
}

const opts = {
  key: fs.readFileSync(key), cert: fs.readFileSync(cert),
  requestCert: true, rejectUnauthorized: false,
};
https.createServer(opts, (req, res) => {
  const pairs = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const n = req.rawHeaders[i];
    if (/^x-amzn-mtls-/i.test(n) && !faults.has('pass-forged')) continue;
    pairs.push([n, req.rawHeaders[i + 1]]);
  }
  let out;
  try {
    out = body(req, pairs.concat(albHeaders(req.socket.getPeerCertificate())));
  } catch (err) {
    res.writeHead(500);
    res.end(String(err) + '\n');
    return;
  }
  res.writeHead(200, { 'content-type': format === 'lines' || format === 'none'
    ? 'text/plain' : 'application/json' });
  res.end(out);
}).listen(Number(port), '127.0.0.1');
