#!/bin/sh
# KernelCI and LAVA: `listenq kcidb` turns results into a KCIDB v5.3
# submission whose ids, paths and statuses keep the schema's rules (written
# out below from kcidb-io's schema, and checked against the schema file itself
# when LISTENQ_SCHEMA_DIR holds it); dist/lava/listenq.yaml keeps the rules of
# test-definitions' validate.py, and its script reports one LAVA test case per
# scenario in the form send-to-lava.sh reads ("<id> pass|fail|skip").
. tests/integration/lib.sh.inc
schema_dir=${LISTENQ_SCHEMA_DIR:-../shared/schemas}

mkdir -p "$TMP/k"
printf 'listen 1\nsyn a\nexpect synq 1\n' >"$TMP/k/pass.lq"
printf 'listen 1\nsyn a\nexpect synq 2\n' >"$TMP/k/fail.lq"
printf 'listen 1\nsyn a\nwait 100ms\nexpect synq 1\n' >"$TMP/k/slow.lq"
odd="$TMP/k/$(printf 'x # y\377.z')"
printf 'listen 1\nsyn a\nexpect synq 1\n' >"$odd.lq"
"$LISTENQ" run --model-only --fast --json "$TMP/r.jsonl" "$TMP/k/pass.lq" "$TMP/k/fail.lq" \
    "$TMP/k/slow.lq" "$odd.lq" >/dev/null 2>&1
is $? 1 "the run with a failure exits 1"
"$LISTENQ" kcidb --run-id r1 -o "$TMP/kcidb.json" "$TMP/r.jsonl" >"$TMP/kout" 2>&1
is $? 0 "listenq kcidb writes a submission"
"$PY3" - "$TMP/kcidb.json" >"$TMP/kcheck" 2>&1 <<'PY'
import json, re, sys
d = json.loads(open(sys.argv[1], "rb").read().decode("utf-8"))
bad = []
def rule(c, what):
    if not c: bad.append(what)
# kcidb-io v05_03: version 5.x with minor <= 3; id ^[a-z0-9_]+:[^\0]*$; origin ^[a-z0-9_]+$;
# test.path ^([a-zA-Z0-9_-]+(\.[a-zA-Z0-9_-]+)*)?$; status FAIL ERROR MISS PASS DONE SKIP
rule(d["version"] == {"major": 5, "minor": 3}, "version 5.3")
ID, ORIGIN = re.compile(r"^[a-z0-9_]+:[^\0]*$"), re.compile(r"^[a-z0-9_]+$")
PATH = re.compile(r"^([a-zA-Z0-9_-]+(\.[a-zA-Z0-9_-]+)*)?$")
for kind in ("checkouts", "builds", "tests"):
    for o in d[kind]:
        rule(ID.match(o["id"]) is not None, f"{kind} id {o['id']!r}")
        rule(ORIGIN.match(o["origin"]) is not None, f"{kind} origin")
        rule(o["id"].split(":")[0] == o["origin"], f"{kind} id starts with its origin")
cos = {o["id"] for o in d["checkouts"]}
bs = {o["id"] for o in d["builds"]}
rule(all(b["checkout_id"] in cos for b in d["builds"]), "every build's checkout is there")
rule(all(t["build_id"] in bs for t in d["tests"]), "every test's build is there")
ids = [t["id"] for t in d["tests"]]
rule(len(ids) == len(set(ids)), "test ids are unique")
for t in d["tests"]:
    rule(PATH.match(t["path"]) is not None and t["path"].startswith("listenq."), f"path {t['path']!r}")
    rule(t["status"] in ("FAIL", "ERROR", "MISS", "PASS", "DONE", "SKIP"), "status")
print("rules:", "ok" if not bad else "; ".join(bad))
print(" ".join(t["status"] for t in d["tests"]))
print(" ".join(t["path"].split(".", 2)[2] for t in d["tests"]))
print("expectation failed at line 3 on the model: expect synq 2" in d["tests"][1].get("log_excerpt", ""))
PY
is "$(sed -n 1p "$TMP/kcheck")" "rules: ok" "KCIDB: ids, origins, links between objects, dotted paths and statuses keep the schema's rules"
is "$(sed -n 2p "$TMP/kcheck")" "PASS FAIL SKIP PASS" "KCIDB: the statuses"
is "$(sed -n 3p "$TMP/kcheck")" "pass fail slow x___y__z" "KCIDB: the paths' last parts, one _ per character outside [a-zA-Z0-9_-]"
is "$(sed -n 4p "$TMP/kcheck")" True "KCIDB: the failure's log_excerpt explains it"
if [ -f "$schema_dir/kcidb-io.schema.v5.3.json" ] && "$PY3" -c 'import jsonschema' 2>/dev/null; then
    "$PY3" -c '
import json, sys, jsonschema
s = json.load(open(sys.argv[1]))
d = json.load(open(sys.argv[2]))
errs = list(jsonschema.Draft7Validator(s, format_checker=jsonschema.FormatChecker()).iter_errors(d))
for e in errs[:5]: print("#", e.message)
sys.exit(1 if errs else 0)' "$schema_dir/kcidb-io.schema.v5.3.json" "$TMP/kcidb.json" >"$TMP/kval" 2>&1
    ok $? "KCIDB: valid against kcidb-io's schema v5.3 (python3-jsonschema)"
    cat "$TMP/kval"
else
    skip "KCIDB: valid against kcidb-io's schema v5.3" \
        "schema not available: put kcidb-io.schema.v5.3.json in \$LISTENQ_SCHEMA_DIR ($schema_dir), and python3-jsonschema; see docs/ci-integration.md"
fi
"$LISTENQ" kcidb --run-id r1 --build-id "ci:b42" "$TMP/r.jsonl" >"$TMP/k2.json" 2>&1
is "$("$PY3" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d["checkouts"]), len(d["builds"]), {t["build_id"] for t in d["tests"]})' "$TMP/k2.json")" \
    "0 0 {'ci:b42'}" "KCIDB: --build-id links the tests to the submitter's build, with no build of our own"
printf '{"a":1}\n' >"$TMP/notres.jsonl"
"$LISTENQ" kcidb "$TMP/notres.jsonl" >/dev/null 2>"$TMP/kerr"
is $? 2 "KCIDB: a file that is not listenq results is bad input"
grep -q "notres.jsonl:1: not a listenq-result version 1 object" "$TMP/kerr"
ok $? "KCIDB: the error names file and line"
"$LISTENQ" kcidb --origin Bad-Name "$TMP/r.jsonl" >/dev/null 2>&1
is $? 2 "KCIDB: an origin outside [a-z0-9_]+ is refused"

# ---- LAVA ----
if "$PY3" -c 'import yaml' 2>/dev/null; then
    "$PY3" - dist/lava/listenq.yaml >"$TMP/lava" 2>&1 <<'PY'
import re, sys, yaml
y = yaml.safe_load(open(sys.argv[1]))
m = y.get("metadata", {})
bad = []
# Linaro test-definitions validate.py: non-empty name, format, description,
# maintainer, os, devices; name without spaces; one of the two formats; run.steps
for k in ("name", "format", "description", "maintainer", "os", "devices"):
    if not m.get(k): bad.append(f"metadata.{k} missing")
if " " in m.get("name", " "): bad.append("name has a space")
if m.get("format") not in ("Lava-Test Test Definition 1.0", "Manual Test Definition 1.0"): bad.append("format")
steps = (y.get("run") or {}).get("steps")
if not steps: bad.append("run.steps missing")
for v in re.findall(r"\$\{(\w+)\}", " ".join(steps or [])):
    if v not in (y.get("params") or {}): bad.append(f"step uses ${{{v}}}, not a param")
print("ok" if not bad else "; ".join(bad))
PY
    is "$(cat "$TMP/lava")" ok "LAVA: the test definition keeps validate.py's rules; every step variable is a param"
else
    skip "LAVA: the test definition keeps validate.py's rules" "python3-yaml is not installed (ci/deps.sh check)"
fi
# the script, in a copy of the tree's layout, with a stand-in lava-test-case
mkdir -p "$TMP/tree/dist" "$TMP/bin"
cp -R dist/lava "$TMP/tree/dist/"
ln -s "$(pwd)/corpus" "$TMP/tree/corpus"
printf '#!/bin/sh\necho "$*" >>"%s"\n' "$TMP/calls" >"$TMP/bin/lava-test-case"
chmod +x "$TMP/bin/lava-test-case"
case "$LISTENQ" in /*) bin=$LISTENQ ;; *) bin="$(pwd)/$LISTENQ" ;; esac
PATH="$TMP/bin:$PATH" sh "$TMP/tree/dist/lava/listenq-lava.sh" -s true -b "$bin" -a "--model-only --fast" \
    >"$TMP/lava.out" 2>&1
is $? 0 "LAVA: the script exits 0 (results go to result.txt, as in test-definitions)"
res="$TMP/tree/dist/lava/output/result.txt"
n=$(ls corpus/conformance/*.lq | wc -l)
nslow=$(grep -l '^wait' corpus/conformance/*.lq | wc -l)
is "$(wc -l <"$res" | tr -d ' ')" "$n" "LAVA: one result per scenario"
is "$(grep -Evc '^[A-Za-z0-9._-]+ (pass|fail|skip|unknown)$' "$res")" 0 \
    "LAVA: every line is '<id> pass|fail|skip' with an id without spaces"
is "$(cut -d ' ' -f 1 "$res" | sort | uniq -d | wc -l | tr -d ' ')" 0 "LAVA: the ids are unique"
is "$(grep -c ' skip$' "$res")" "$nslow" "LAVA: the slow scenarios are skips under --fast"
grep -q '^conformance.accept_fifo pass$' "$res"
ok $? "LAVA: a scenario's id is its label with / as ."
is "$(wc -l <"$TMP/calls" | tr -d ' ')" "$n" "LAVA: lava-test-case is called once per scenario"
grep -q -- '^conformance.accept_fifo --result pass$' "$TMP/calls"
ok $? "LAVA: lava-test-case gets the id and --result"
test -s "$TMP/tree/dist/lava/output/kcidb.json" && test -s "$TMP/tree/dist/lava/output/junit.xml"
ok $? "LAVA: the JUnit and KCIDB reports are in output/"
tap_done
