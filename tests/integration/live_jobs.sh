#!/bin/sh
# `listenq run --jobs N` (docs/harness.md, "Workers"): the whole conformance
# suite, slow scenarios included, conforms with --jobs 1 and with --jobs 4
# (the two side by side) while two busy loops of this test load the CPUs, and
# every verdict is the same; the reports are the same but for timings and the run id (KTAP, JSON
# lines, JUnit); --shuffle and --repeat give the same order; failures get
# the same pcap names and divergences.jsonl records in the same order; a
# run whose workers are killed fails as a harness failure (exit 3) with the
# scenarios after it reported as not run; --jobs takes 1..256 only.
. tests/integration/lib.sh.inc
why=$(live_unavailable)
if [ -n "$why" ]; then
    echo "1..0 # SKIP $why"
    exit 4
fi

load_pids=""
stop_load() {
    for p in $load_pids; do kill "$p" 2>/dev/null; done
    for p in $load_pids; do wait "$p" 2>/dev/null; done
    load_pids=""
}
trap 'stop_load; rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM

# What may differ between two runs of one suite: timings, the run id, and
# expectations the clock left unchecked (docs/harness.md, "Real time": from
# about 5 to 7 minutes after boot, when CI machines run, one run may fall
# inside tcp_synq_no_recent_overflow's window and the next outside it). Such
# an expectation is two lines: "expectation not checked at line N ..." and
# its reason, which names the jiffy the run started at.
unchecked='expectation not checked at line\|clock decided it (jiffies32'
untimed_tap() { grep -v "^# Totals\\|^# .*[0-9]ms\$\\|$unchecked" "$1"; }
untimed_json() {
    "$PY3" -c 'import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    d = json.loads(line)
    for k in ("elapsed_us", "run", "expectations_not_checked"):
        d.pop(k, None)
    print(json.dumps(d, sort_keys=True))' "$1"
}
untimed_junit() {
    sed -e "/$unchecked/d" -e 's/ time="[^"]*"//g' -e 's/ timestamp="[^"]*"//g' \
        -e 's/ *[0-9.]*[0-9]\(ms\|s\)\b/ T/g' "$1"
}

# Two busy loops: both CPUs of a two-core machine are shared.
for i in 1 2; do
    sh -c 'while :; do :; done' &
    load_pids="$load_pids $!"
done
# The two runs go side by side too: each is load for the other.
"$LISTENQ" run --tap --jobs 1 --json "$TMP/j1.json" --junit "$TMP/j1.xml" \
    corpus/conformance >"$TMP/j1.tap" 2>"$TMP/j1.err" &
sequential=$!
"$LISTENQ" run --tap --jobs 4 --json "$TMP/j4.json" --junit "$TMP/j4.xml" \
    corpus/conformance >"$TMP/j4.tap" 2>"$TMP/j4.err"
rc4=$?
wait "$sequential"
rc1=$?
for j in 1 4; do
    eval rc=\$rc$j
    is $rc 0 "the whole suite conforms with --jobs $j under load (slow scenarios included)"
    if [ $rc -ne 0 ]; then
        # say which scenarios and why: a CI log is all there is afterwards
        { grep -A2 '^not ok' "$TMP/j$j.tap" | head -n 14
          tail -n 10 "$TMP/j$j.err"; } | sed "s/^/--jobs $j: /" >&2
    fi
done
stop_load
grep '^not ok\|^ok' "$TMP/j1.tap" >"$TMP/v1"
grep '^not ok\|^ok' "$TMP/j4.tap" >"$TMP/v4"
n=$(wc -l <"$TMP/v1")
[ "$n" -gt 50 ] && cmp -s "$TMP/v1" "$TMP/v4"
ok $? "every one of the $n verdicts, numbered, is the same with --jobs 1 and --jobs 4"
[ $? -eq 0 ] || diff "$TMP/v1" "$TMP/v4" | head -20 | sed 's/^/# /'
untimed_tap "$TMP/j1.tap" >"$TMP/t1"
untimed_tap "$TMP/j4.tap" >"$TMP/t4"
cmp -s "$TMP/t1" "$TMP/t4"
ok $? "the KTAP reports are the same but for timings"
untimed_json "$TMP/j1.json" >"$TMP/o1" && untimed_json "$TMP/j4.json" >"$TMP/o4" &&
    [ -s "$TMP/o1" ] && cmp -s "$TMP/o1" "$TMP/o4"
ok $? "the JSON lines are the same, in the same order, but for timings and the run id"
untimed_junit "$TMP/j1.xml" >"$TMP/x1"
untimed_junit "$TMP/j4.xml" >"$TMP/x4"
cmp -s "$TMP/x1" "$TMP/x4"
ok $? "the JUnit reports are the same but for timings"

"$LISTENQ" run --fast --tap --jobs 1 --shuffle 7 --repeat 2 corpus/conformance >"$TMP/s1" 2>&1
"$LISTENQ" run --fast --tap --jobs 3 --shuffle 7 --repeat 2 corpus/conformance >"$TMP/s3" 2>&1
untimed_tap "$TMP/s1" >"$TMP/us1"
untimed_tap "$TMP/s3" >"$TMP/us3"
grep -q '^ok 150 ' "$TMP/us1" && cmp -s "$TMP/us1" "$TMP/us3"
ok $? "--shuffle 7 --repeat 2: the same order and numbering with --jobs 1 and --jobs 3"

# Failures: a planted wrong model rule makes scenarios diverge; their pcaps
# (named by place in the run) and divergences.jsonl must not depend on --jobs.
T=${LISTENQ_BUILD}/listenq-test
if [ -x "$T" ]; then
    for j in 1 3; do
        "$T" run --fast --no-progress --jobs $j --model-bug synq_full_ge --out "$TMP/out$j" \
            corpus/conformance >"$TMP/f$j" 2>&1
        echo "rc=$?" >>"$TMP/f$j"
    done
    grep -q '^FAIL' "$TMP/f1" && grep -q 'rc=1' "$TMP/f1" && grep -q 'rc=1' "$TMP/f3"
    ok $? "the planted bug fails scenarios with --jobs 1 and --jobs 3 (exit 1)"
    names() { ls "$1" | sed 's/\.[0-9a-f]\{8\}\.\([0-9]*\)\.pcap$/.RUN.\1.pcap/' | sort; }
    names "$TMP/out1" >"$TMP/n1"
    names "$TMP/out3" >"$TMP/n3"
    grep -q '\.pcap$' "$TMP/n1" && cmp -s "$TMP/n1" "$TMP/n3"
    ok $? "the same failure pcaps, named by place ($(grep -c pcap "$TMP/n1") of them)"
    for j in 1 3; do
        untimed_json "$TMP/out$j/divergences.jsonl" |
            sed -e "s#$TMP/out$j/#OUT/#g" -e 's/\.[0-9a-f]\{8\}\.\([0-9]*\)\.pcap/.RUN.\1.pcap/g' >"$TMP/d$j"
    done
    [ -s "$TMP/d1" ] && cmp -s "$TMP/d1" "$TMP/d3"
    ok $? "divergences.jsonl holds the same records in the same order"
    # workers forked before the report began (jobs.h, lq_jobs_start) name
    # their pcaps with the run's id too
    for j in 1 3; do
        run=$(sed -n 's/.*"run":"\([0-9a-f]\{8\}\)".*/\1/p' "$TMP/out$j/divergences.jsonl" | sort -u)
        all=$(ls "$TMP/out$j" | grep -c '\.pcap$')
        named=$(ls "$TMP/out$j" | grep -c "\.$run\.[0-9]*\.pcap\$")
        [ "$(echo "$run" | wc -w)" -eq 1 ] && [ "$all" -gt 0 ] && [ "$all" -eq "$named" ]
        ok $? "--jobs $j: every failure pcap ($all) carries the run's id ($run), as its records do"
    done
else
    skip "the planted bug fails scenarios with --jobs 1 and --jobs 3" "no $T (make unit)"
    skip "the same failure pcaps" "no $T"
    skip "divergences.jsonl holds the same records in the same order" "no $T"
    skip "--jobs 1: every failure pcap carries the run's id" "no $T"
    skip "--jobs 3: every failure pcap carries the run's id" "no $T"
fi

# Workers killed under a run: the harness failed (exit 3); the scenarios
# after the one that was running are not run, as in a sequential run.
"$LISTENQ" run --no-progress --jobs 2 corpus/conformance/timer_* >"$TMP/k" 2>&1 &
run=$!
sleep 1
for w in $(ps -o pid= --ppid "$run"); do kill -KILL "$w" 2>/dev/null; done
wait "$run"
is $? 3 "killing the workers is a harness failure (exit 3)"
grep -q 'not run' "$TMP/k" && grep -q 'the worker running it died (killed by signal 9)\|no worker of the run is left' "$TMP/k"
ok $? "the scenario a dead worker ran is an error, the ones after it are not run"
[ $? -eq 0 ] || sed -n 1,20p "$TMP/k" | sed 's/^/# /'

for bad in 0 257 2x ""; do
    "$LISTENQ" run --model-only --jobs "$bad" corpus/conformance >"$TMP/bad" 2>&1
    rc=$?
    [ $rc -eq 2 ] && grep -q -- '--jobs takes an integer 1..256' "$TMP/bad"
    ok $? "--jobs '$bad' is bad input (exit 2, named)"
done
tap_done
