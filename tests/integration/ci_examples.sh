# docs/ci-nightly.md works from a user's own repository:
# the commands of "Once, on a workstation", then the shell steps of the
# GitHub Actions workflow and of the GitLab job, each read from the doc and
# run as written, in order, in a fresh checkout of that repository, against
# local `mtlskit serve` endpoints holding the set's trust bundle and CRLs.
#
# What cannot run here is replaced, and only that: `uses:` steps (checkout,
# the JUnit and artifact actions) are GitHub's; the download URL is the
# package this build made (file://); `apt-get` is a stand-in that checks
# the named Debian packages are installed on this machine and unpacks the
# .deb into a directory on PATH (the package in a clean root is
# integration.package_install's test).
. "$MTK_SRC/tests/lib/testlib.sh"
. "$MTK_SRC/tests/lib/servers.sh"

build=$(cd "$(dirname "$MTK_BIN")" && pwd)
deb=$(ls "$build"/package/mtlskit_*_amd64.deb 2>/dev/null | head -n 1)
[ -f "$deb" ] || fail "no package in $build/package (integration.package_build makes it)"
doc="$MTK_SRC/docs/ci-nightly.md"

# The doc's code blocks: `block HEADING LANG` prints the first LANG block
# under the "## HEADING" section.
block() {
  awk -v h="## $1" -v lang="$2" '
    $0 == h { in_section = 1; next }
    /^## / { in_section = 0 }
    in_section && !in_block && $0 == "```" lang { in_block = 1; next }
    in_block && /^```/ { exit }
    in_block { print }' "$doc"
}

# apt-get stand-in.
mkdir -p "$T/stub"
cat >"$T/stub/apt-get" <<'SH'
#!/bin/bash
set -euo pipefail
[ "$1" = update ] && exit 0
[ "$1" = install ] || { echo "apt-get stand-in: $1 not supported" >&2; exit 100; }
shift
for a in "$@"; do
  case $a in
    -*) ;;
    *.deb) dpkg-deb -x "$a" "$MTK_FAKE_ROOT" ;;
    *) dpkg-query -W -f='${Status}' "$a" 2>/dev/null | grep -q 'install ok installed' ||
         { echo "apt-get stand-in: $a is not installed here" >&2; exit 100; } ;;
  esac
done
SH
chmod +x "$T/stub/apt-get"

# run_steps DIR ROOT SCRIPT: run SCRIPT with bash in checkout DIR, with
# only the stand-in, the package's unpack root and the system on PATH.
run_steps() {
  (cd "$1" && env -u MTLSKIT_EXEC_PATH MTK_FAKE_ROOT="$2" \
    PATH="$T/stub:$2/usr/bin:/usr/sbin:/usr/bin:/sbin:/bin" bash -e -o pipefail -c "$3")
}

# --- once, on a workstation -------------------------------------------------------
mkdir -p "$T/repo" "$T/ws-root"
block "Once, on a workstation" sh >"$T/once.sh"
grep -q 'mtlskit fixtures fixtures/out' "$T/once.sh" || fail "no setup commands found in $doc"
dpkg-deb -x "$deb" "$T/ws-root"  # the workstation has the package
run_steps "$T/repo" "$T/ws-root" "$(cat "$T/once.sh")"$'\necho "$MTLS_FIXTURES_KEY" >'"$T/key" \
  >"$T/once.out" 2>&1 || { cat "$T/once.out" >&2; fail "the workstation commands failed"; }
key=$(cat "$T/key")
[ -n "$key" ] || fail "the setup made no key"
[ -s "$T/repo/fixtures/out.tar.gz.enc" ] || fail "the setup made no encrypted set"
grep -qx 'fixtures/out/' "$T/repo/.gitignore" || fail ".gitignore"
# What the endpoints were given, once.
mkdir "$T/endpoint"
cp "$T/repo/fixtures/out/trust/root.pem" "$T/repo/fixtures/out/crl/default.pem" \
  "$T/repo/fixtures/out/server/"* "$T/endpoint/"
pass "the workstation commands build, encrypt and ignore the set"

# The staging endpoints, and the user's probe.json for them.
p_alb=$(free_port)
p_cf=$(free_port)
for ep in "alb-verify $p_alb" "cloudflare $p_cf"; do
  set -- $ep
  run_server "$2" "$T/serve-$1.log" mtlskit serve --profile "$1" \
    --cert "$T/endpoint/server.cert.pem" --key "$T/endpoint/server.key.pem" \
    --truststore "$T/endpoint/root.pem" --crl "$T/endpoint/default.pem" \
    --listen "127.0.0.1:$2" --duration 5m
done
cat >"$T/repo/probe.json" <<JSON
{
  "schema_version": 1,
  "fixtures": "fixtures/out",
  "targets": [
    {"name": "api-staging", "url": "https://127.0.0.1:$p_alb/health",
     "profile": "alb-verify", "cacert": "fixtures/out/trust/root.pem", "timeout": "40s"},
    {"name": "edge-staging", "url": "https://127.0.0.1:$p_cf/",
     "profile": "cloudflare", "cacert": "fixtures/out/trust/root.pem"}
  ]
}
JSON

# checkout DIR: what a CI checkout of the repository holds (not the
# ignored fixtures/out).
checkout() {
  mkdir -p "$1/fixtures"
  cp "$T/repo/probe.json" "$T/repo/.gitignore" "$1/"
  cp "$T/repo/fixtures/out.tar.gz.enc" "$1/fixtures/"
}

# check_junit FILE: every case of both targets ran; none failed.
check_junit() {
  python3 - "$1" <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
cases = list(root.iter("testcase"))
bad = [c.get("name") for c in cases if c.find("failure") is not None or c.find("error") is not None]
targets = {c.get("classname") for c in cases}
assert targets == {"api-staging", "edge-staging"}, targets
assert len(cases) >= 60, len(cases)
assert not bad, bad
print(len(cases))
PY
}

# --- GitHub Actions ------------------------------------------------------------------
block "GitHub Actions" yaml >"$T/gh.yml"
python3 - "$T/gh.yml" "$T/gh" <<'PY'
import os, sys, yaml
wf = yaml.safe_load(open(sys.argv[1]))
out = sys.argv[2]
os.makedirs(out)
steps = wf["jobs"]["probe"]["steps"]
n = 0
for s in steps:
    if "run" not in s:
        assert "uses" in s, s
        continue
    n += 1
    with open(os.path.join(out, "%02d.sh" % n), "w") as f:
        for k, v in s.get("env", {}).items():
            v = str(v).replace("${{ secrets.MTLS_FIXTURES_KEY }}", "$CI_SECRET_MTLS_FIXTURES_KEY")
            f.write('export %s="%s"\n' % (k, v))
        f.write(s["run"])
with open(os.path.join(out, "names"), "w") as f:
    f.write("\n".join(s.get("name", s.get("uses", "")) for s in steps) + "\n")
PY
grep -q '^Refresh the fixtures for tonight$' "$T/gh/names" || fail "workflow steps: $(cat "$T/gh/names")"
checkout "$T/ci-gh"
: >"$T/gh_output"
for step in "$T"/gh/[0-9]*.sh; do
  MTLSKIT_DEB_URL="file://$deb" CI_SECRET_MTLS_FIXTURES_KEY="$key" GITHUB_OUTPUT="$T/gh_output" \
    GITHUB_STEP_SUMMARY="$T/gh_summary" run_steps "$T/ci-gh" "$T/gh-root" "$(cat "$step")" >"$T/step.out" 2>&1 ||
    { cat "$step" "$T/step.out" >&2; fail "GitHub step $(basename "$step") failed"; }
  cat "$T/step.out" >>"$T/gh.log"
done
grep -qx 'status=0' "$T/gh_output" || fail "GITHUB_OUTPUT: $(cat "$T/gh_output")"
grep -q '^mtlskit 0\.' "$T/gh.log" || fail "the install step did not run mtlskit --version"
grep -q 'nothing to re-upload' "$T/gh.log" || fail "refresh did not report"
n=$(check_junit "$T/ci-gh/probe-junit.xml") || fail "GitHub: probe-junit.xml"
pass "GitHub Actions steps: install, restore, refresh --check, probe: $n test cases, none failed"

# The summary step: Markdown of tonight's result, the HTML page, tonight's
# result kept in history/; run again (tomorrow), it diffs with that night.
python3 - "$T/ci-gh/tonight.json" "$T/gh_summary" <<'PY' || fail "the job summary does not match tonight.json"
import json, sys
s = json.load(open(sys.argv[1]))["summary"]
md = open(sys.argv[2]).read()
assert md.startswith("## Conformance: met"), md[:80]
assert f"**{s['met']} met, {s['not_met']} not met**" in md, md[:300]
assert "mtlskit report diff" not in md, "a diff without a previous night"
PY
[ -s "$T/ci-gh/mtls-report.html" ] || fail "no mtls-report.html"
[ "$(ls "$T/ci-gh/history" | wc -l)" = 1 ] || fail "history: $(ls "$T/ci-gh/history")"
summary_step=$(grep -l 'report html' "$T"/gh/[0-9]*.sh)
mv "$T/ci-gh/history/"*.json "$T/ci-gh/history/2026-01-01T0300.json"
: >"$T/gh_summary"
GITHUB_STEP_SUMMARY="$T/gh_summary" run_steps "$T/ci-gh" "$T/gh-root" "$(cat "$summary_step")" \
  >"$T/step.out" 2>&1 || { cat "$T/step.out" >&2; fail "the summary step failed on the second night"; }
grep -q '^## mtlskit report diff: no regression' "$T/gh_summary" ||
  fail "no diff with the previous night: $(cat "$T/gh_summary")"
grep -q 'data-kind="probe"' "$T/ci-gh/mtls-report.html" || fail "the report has no history"
pass "GitHub summary step: Markdown as in tonight.json, HTML report, history kept; the next night diffs with it"

# --- GitLab CI -------------------------------------------------------------------------
block "GitLab CI" yaml >"$T/gl.yml"
python3 - "$T/gl.yml" >"$T/gl.sh" <<'PY'
import sys, yaml
job = yaml.safe_load(open(sys.argv[1]))["mtls-nightly"]
assert job["allow_failure"]["exit_codes"] == [3]
for line in job["before_script"] + job["script"] + job["after_script"]:
    print(line)
PY
checkout "$T/ci-gl"
MTLSKIT_DEB_URL="file://$deb" MTLS_FIXTURES_KEY="$key" \
  run_steps "$T/ci-gl" "$T/gl-root" "$(cat "$T/gl.sh")" >"$T/gl.log" 2>&1 ||
  { cat "$T/gl.sh" "$T/gl.log" >&2; fail "the GitLab job failed"; }
n=$(check_junit "$T/ci-gl/probe-junit.xml") || fail "GitLab: probe-junit.xml"
grep -q '^## Conformance: met' "$T/ci-gl/summary.md" || fail "GitLab: no summary.md"
[ -s "$T/ci-gl/mtls-report.html" ] || fail "GitLab: no mtls-report.html"
pass "GitLab job: $n test cases, none failed; summary.md and mtls-report.html written"

# A wrong key fails the restore step, before anything is probed.
checkout "$T/ci-bad"
restore=$(ls "$T"/gh/[0-9]*.sh | sed -n 2p)
grep -q 'openssl enc -d' "$restore" || fail "step 2 is not the restore"
! CI_SECRET_MTLS_FIXTURES_KEY=wrong run_steps "$T/ci-bad" "$T/gh-root" "$(cat "$restore")" \
  >/dev/null 2>&1 || fail "the restore step passed with a wrong key"
pass "a wrong key fails the restore step"

done_testing
