#!/bin/sh
# `run --family 4|6|both`: every family-neutral scenario once per family,
# named NAME@ipv4 / NAME@ipv6 in every format, read by the formats' real
# consumers: the kernel's kunit_parser.py (KTAP), the JSON Schema of
# docs/schemas/listenq-result.schema.json (python3-jsonschema), the Ant JUnit
# rules (junit_check.py) and xmllint. The scenario below passes over IPv4 and
# fails over IPv6 by what it says (mss=1460 for both families, where the
# IPv6 route's MSS is 1440: 1500 - 40 - 20); a `family dual` scenario runs
# once, as NAME@dual.
. tests/integration/lib.sh.inc

mkdir -p "$TMP/fam"
printf 'sysctl net.ipv4.tcp_syncookies=0\nlisten 1\nsyn a mss=1460\nexpect a synack mss=1460\n' \
    >"$TMP/fam/mss.lq"
printf 'sysctl net.ipv4.tcp_syncookies=0\nlisten 1\nsyn a mss=1460\nexpect a synack mss=1460@ipv4 mss=1440@ipv6\n' \
    >"$TMP/fam/mss_both.lq"
printf 'family dual\nlisten 4\nsyn a ipv4\nsyn b\nexpect synq 2\n' >"$TMP/fam/dual.lq"
set -- "$TMP/fam/mss.lq" "$TMP/fam/mss_both.lq" "$TMP/fam/dual.lq"

"$LISTENQ" run --model-only --no-progress "$@" >"$TMP/plain" 2>&1
is $? 0 "without --family: IPv4, and every scenario passes"
grep -q '^ok    fam/mss  ' "$TMP/plain"
ok $? "without --family: plain names"

"$LISTENQ" run --model-only --no-progress --family both --json "$TMP/r.jsonl" \
    --junit "$TMP/r.xml" "$@" >"$TMP/human" 2>&1
is $? 1 "--family both: the IPv6 failure fails the run"
is "$(grep -E '^(ok|FAIL)' "$TMP/human" | awk '{print $1, $2}' | tr '\n' ';')" \
    "ok fam/mss@ipv4;FAIL fam/mss@ipv6;ok fam/mss_both@ipv4;ok fam/mss_both@ipv6;ok fam/dual@dual;" \
    "human: NAME@ipv4 then NAME@ipv6 per neutral scenario, NAME@dual once"
grep -q '^5 scenarios: 4 passed, 1 failed, 0 skipped \[ipv4 2/2 passed, ipv6 1/2 passed, dual 1/1 passed\]' \
    "$TMP/human"
ok $? "the summary counts each family"
grep -q 'expect a synack mss=1460$' "$TMP/human" && grep -q '<mss 1440>' "$TMP/human"
ok $? "the IPv6 failure shows the SYN-ACK's MSS 1440"

"$LISTENQ" run --model-only --no-progress --family 6 "$@" >"$TMP/six" 2>&1
is "$(grep -E '^(ok|FAIL)' "$TMP/six" | awk '{print $2}' | tr '\n' ';')" \
    "fam/mss@ipv6;fam/mss_both@ipv6;fam/dual@dual;" "--family 6: IPv6 only (and the dual one)"
"$LISTENQ" run --model-only --family 5 "$@" >"$TMP/bad" 2>&1
is $? 2 "--family 5 is bad input"
grep -q "takes 4, 6 or both, not '5'" "$TMP/bad"
ok $? "... and says what it takes"

# ---- KTAP, read by kunit_parser ----
"$LISTENQ" run --model-only --tap --family both "$@" >"$TMP/run.ktap" 2>&1
is $? 1 "KTAP run exits 1"
if dir=$(kernel_tools); then
    "$PY3" tests/integration/ktap_read.py "$dir/tools/testing/kunit" <"$TMP/run.ktap" \
        >"$TMP/kunit" 2>"$TMP/kunit.err"
    ok $? "kunit_parser reads the --family both run"
    is "$(awk -F '\t' '$1 == "test" { print $3 "=" $4 }' "$TMP/kunit" | tr '\n' ';')" \
        "fam/mss@ipv4=SUCCESS;fam/mss@ipv6=FAILURE;fam/mss_both@ipv4=SUCCESS;fam/mss_both@ipv6=SUCCESS;fam/dual@dual=SUCCESS;" \
        "kunit_parser: one test per scenario and family, by name"
    is "$(awk -F '\t' '$1 == "main" { print $2 " " $3 }' "$TMP/kunit")" "FAILURE 0" \
        "kunit_parser: the run fails, with no parse errors"
else
    skip "kunit_parser reads the --family both run" "$dir"
fi

# ---- JSON, against its schema ----
if "$PY3" -c 'import jsonschema' 2>/dev/null; then
    "$PY3" tests/integration/json_check.py docs/schemas/listenq-result.schema.json "$TMP/r.jsonl" \
        >"$TMP/jcheck" 2>&1
    ok $? "JSON lines of the --family both run are valid against the schema"
else
    skip "JSON lines valid against the schema" "python3-jsonschema is not installed (ci/deps.sh check)"
fi
"$PY3" - "$TMP/r.jsonl" >"$TMP/jf" 2>&1 <<'PY'
import json, sys
for l in open(sys.argv[1], "rb"):
    r = json.loads(l.decode("utf-8"))
    print(r["scenario"], r["family"], r["status"])
PY
is "$(tr '\n' ';' <"$TMP/jf")" \
    "fam/mss@ipv4 ipv4 pass;fam/mss@ipv6 ipv6 fail;fam/mss_both@ipv4 ipv4 pass;fam/mss_both@ipv6 ipv6 pass;fam/dual@dual dual pass;" \
    "JSON: the scenario's name and its family field"

# ---- JUnit ----
"$PY3" tests/integration/junit_check.py "$TMP/r.xml" >"$TMP/jucheck" 2>&1
ok $? "the JUnit file keeps the Ant schema's rules"
if command -v xmllint >/dev/null 2>&1; then
    xmllint --noout "$TMP/r.xml" >/dev/null 2>&1
    ok $? "xmllint reads the JUnit file"
else
    skip "xmllint reads the JUnit file" "xmllint (libxml2-utils) is not installed"
fi
"$PY3" - "$TMP/r.xml" >"$TMP/ju" 2>&1 <<'PY'
import sys, xml.etree.ElementTree as ET
s = ET.parse(sys.argv[1]).getroot().find("testsuite")
props = {p.get("name"): p.get("value") for p in s.find("properties")}
print(props["family"], s.get("name").endswith(", ipv4+ipv6"))
print(";".join(c.get("name") + ("=fail" if c.find("failure") is not None else "=ok")
               for c in s.findall("testcase")))
PY
is "$(sed -n 1p "$TMP/ju")" "ipv4+ipv6 True" "JUnit: the suite's family property and name"
is "$(sed -n 2p "$TMP/ju")" \
    "mss@ipv4=ok;mss@ipv6=fail;mss_both@ipv4=ok;mss_both@ipv6=ok;dual@dual=ok" \
    "JUnit: one test case per scenario and family"
tap_done
