#!/bin/sh
# JUnit and JSON checked with their consumers: a strict UTF-8 decoder, JSON
# Schema (python3-jsonschema), xmllint, and the Ant JUnit schema's rules
# (tests/integration/junit_check.py; plus the XSD files themselves when
# LISTENQ_SCHEMA_DIR holds them, docs/ci-integration.md). The odd scenario's
# comment holds bytes 0x80-0xff and control characters, and its file name a
# byte that is not UTF-8 and a control character: valid UTF-8 JSON, valid
# XML, and `record` stores it.
. tests/integration/lib.sh.inc
schema_dir=${LISTENQ_SCHEMA_DIR:-../shared/schemas}
schema_hint="put JUnit.xsd, junit-10.xsd and kcidb-io.schema.v5.3.json in \$LISTENQ_SCHEMA_DIR ($schema_dir); see docs/ci-integration.md"

mkdir -p "$TMP/fmt"
odd="$TMP/fmt/$(printf 'odd-\377\001name')"
printf 'listen 1\nsyn a\nexpect synq 1\n' >"$TMP/fmt/pass.lq"
printf 'listen 1\nsyn a\nexpect synq 2\n' >"$TMP/fmt/fail.lq"
printf 'listen 1\nsyn a\nwait 100ms\nexpect synq 1\n' >"$TMP/fmt/slow.lq"
printf '# caf\303\251 \200\377\376 ctl:\001\002\033\177 end\nlisten 1\nsyn a # tail \376\003\nexpect synq 1\n' \
    >"$odd.lq"
set -- "$TMP/fmt/pass.lq" "$TMP/fmt/fail.lq" "$TMP/fmt/slow.lq" "$odd.lq"
"$LISTENQ" run --model-only --fast --no-progress --json "$TMP/r.jsonl" --junit "$TMP/r.xml" "$@" \
    >"$TMP/human" 2>&1
is $? 1 "the run with a failure exits 1"
"$LISTENQ" run --model-only --fast --tap --junit "$TMP/tap.xml" "$@" >/dev/null 2>&1
is $? 1 "the same run with --tap exits 1"

# ---- JSON ----
if "$PY3" -c 'import jsonschema' 2>/dev/null; then
    "$PY3" tests/integration/json_check.py docs/schemas/listenq-result.schema.json "$TMP/r.jsonl" \
        >"$TMP/jcheck" 2>&1
    rc=$?
    ok $rc "every JSON line is strict UTF-8 and valid against docs/schemas/listenq-result.schema.json"
    [ $rc -eq 0 ] || sed 's/^/# /' "$TMP/jcheck" | head -n 10
else
    skip "JSON valid against its schema" "python3-jsonschema is not installed (ci/deps.sh check)"
fi
"$PY3" - "$TMP/r.jsonl" >"$TMP/jfields" 2>&1 <<'PY'
import json, sys
rows = [json.loads(l.decode("utf-8")) for l in open(sys.argv[1], "rb")]
print(" ".join(r["status"] for r in rows))
print(" ".join(f'{r["format"]}/{r["version"]}' for r in set((r["format"], r["version"]) for r in rows) for r in [dict(format=r[0], version=r[1])]))
f = rows[1]["expectations_failed"][0]
print(f'{f["line"]} {f["role"]} {f["backend"]} {f["expect"]}')
print(f'{rows[1]["reference"]["backend"] or "-"} {rows[1]["subject"]["backend"] or "-"}')
t = rows[3]["text"]
print("\ufffd" in t, "caf\u00e9" in t, "\x01" in t, rows[3]["scenario"].endswith("odd-\ufffd\x01name"))
PY
is "$(sed -n 1p "$TMP/jfields")" "pass fail skip pass" "JSON statuses in order"
is "$(sed -n 2p "$TMP/jfields")" "listenq-result/1" "JSON format and version on every line"
is "$(sed -n 3p "$TMP/jfields")" "3 reference model expect synq 2" \
    "the failed expectation is named by line, role and backend"
is "$(sed -n 4p "$TMP/jfields")" "model -" \
    "the sides carry their backend names (a --model-only run has no subject)"
is "$(sed -n 5p "$TMP/jfields")" "True True True True" \
    "bytes that are not UTF-8 become U+FFFD; valid UTF-8 and control characters are kept"

# ---- JUnit ----
if command -v xmllint >/dev/null 2>&1; then
    xmllint --noout "$TMP/r.xml" >"$TMP/xl" 2>&1
    ok $? "xmllint reads the JUnit file (well-formed XML 1.0, UTF-8)"
    [ -s "$TMP/xl" ] && sed 's/^/# /' "$TMP/xl" | head -n 5
    for xsd in JUnit.xsd junit-10.xsd; do
        if [ -f "$schema_dir/$xsd" ]; then
            xmllint --noout --schema "$schema_dir/$xsd" "$TMP/r.xml" >"$TMP/xl" 2>&1
            ok $? "xmllint validates the JUnit file against $xsd"
            xmllint --noout --schema "$schema_dir/$xsd" "$TMP/tap.xml" >>"$TMP/xl" 2>&1
            ok $? "xmllint validates the JUnit file of the --tap run against $xsd"
            grep -v validates "$TMP/xl" | sed 's/^/# /' | head -n 5
        else
            skip "xmllint validates the JUnit file against $xsd" "schema not available: $schema_hint"
        fi
    done
else
    skip "xmllint reads the JUnit file" "xmllint (libxml2-utils) is not installed"
fi
"$PY3" tests/integration/junit_check.py "$TMP/r.xml" >"$TMP/jucheck" 2>&1
ok $? "the JUnit file keeps the Ant schema's rules (junit_check.py)"
grep -v '^ok' "$TMP/jucheck" | sed 's/^/# /' | head -n 10
"$PY3" - "$TMP/r.xml" "$TMP/tap.xml" >"$TMP/jufields" 2>&1 <<'PY'
import sys, xml.etree.ElementTree as ET
def case(path, name):
    s = ET.parse(path).getroot().find("testsuite")
    return s, next(c for c in s.findall("testcase") if c.get("name") == name)
s, c = case(sys.argv[1], "fail")
f = c.find("failure")
print(f.get("type"), "|", f.get("message"))
print("expectation failed at line 3 on the model: expect synq 2" in (f.text or ""))
out = s.find("system-out").text or ""
print("FAIL  fmt/fail" in out, "4 scenarios: 2 passed, 1 failed, 1 skipped" in out)
_, c2 = case(sys.argv[2], "fail")
print(c2.find("failure").text == f.text)
print(s.find("testcase[@name='slow']/skipped").get("message"))
PY
is "$(sed -n 1p "$TMP/jufields")" \
    "expectation | expectation failed at line 3 on the model (expect synq 2): the SYN queue is 1" \
    "the failure's type and message name the failed expectation"
is "$(sed -n 2p "$TMP/jufields")" True "the failure's body explains it"
is "$(sed -n 3p "$TMP/jufields")" "True True" "<system-out> holds the report"
is "$(sed -n 4p "$TMP/jufields")" True "the failure body does not depend on --tap"
is "$(sed -n 5p "$TMP/jufields")" "slow scenario (waits 0.1 s), left out by --fast" "a skip says why"

# two runs with different profiles: different suites and classnames, so that
# merged reports keep them apart
"$LISTENQ" run --model-only --kernel 6.1 --junit "$TMP/a.xml" "$TMP/fmt/pass.lq" >/dev/null 2>&1
"$LISTENQ" run --model-only --kernel 6.12 --junit "$TMP/b.xml" "$TMP/fmt/pass.lq" >/dev/null 2>&1
"$PY3" - "$TMP/a.xml" "$TMP/b.xml" >"$TMP/two" 2>&1 <<'PY'
import sys, xml.etree.ElementTree as ET
s = [ET.parse(p).getroot().find("testsuite") for p in sys.argv[1:]]
print(s[0].get("name") != s[1].get("name"),
      s[0].find("testcase").get("classname") != s[1].find("testcase").get("classname"))
PY
is "$(cat "$TMP/two")" "True True" "runs on different profiles get different suite names and classnames"

# ---- record stores the odd scenario ----
why=$(live_unavailable)
if [ -z "$why" ]; then
    "$LISTENQ" record --out "$TMP/rec" "$odd.lq" "$TMP/fmt/pass.lq" >"$TMP/recout" 2>&1
    is $? 0 "record stores the scenario with odd bytes, and runs the one after it"
    "$PY3" -c 'import json,sys,glob; [json.loads(open(p,"rb").read().decode("utf-8")) for p in glob.glob(sys.argv[1]+"/*.json")]; print(len(glob.glob(sys.argv[1]+"/*.json")))' "$TMP/rec" >"$TMP/nrec" 2>&1
    is "$(cat "$TMP/nrec")" 4 "both recordings, on both families (record's default), are strict UTF-8 JSON"
    "$LISTENQ" replay "$TMP/rec" >"$TMP/rep" 2>&1
    is $? 0 "the recording replays"
else
    skip "record stores the scenario with odd bytes" "$why"
fi
tap_done
