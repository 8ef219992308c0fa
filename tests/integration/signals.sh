#!/bin/sh
# SIGINT and SIGTERM end a run at once with a partial summary and the paths
# written, and leave no temporary file; a run killed by SIGKILL cannot clean
# up, so the next run removes the temporary files of dead processes (and
# only theirs); the JUnit file is up to date after every scenario.
. tests/integration/lib.sh.inc
mkdir "$TMP/o"
reported() { n=$(grep -c '^ok' "$1" 2>/dev/null); echo "${n:-0}"; }
wait_reported() { # FILE N: bounded wait until N scenarios are reported
    i=0
    while [ $i -lt 200 ] && [ "$(reported "$1")" -lt "$2" ]; do
        sleep 0.05
        i=$((i + 1))
    done
}
temps() { ls "$TMP/o" | grep -c '\.tmp\.' || true; }

if ! command -v python3 >/dev/null 2>&1; then
    echo "1..0 # SKIP python3 is not installed (to give a background job SIGINT back)"
    exit 4
fi
for sig in INT TERM; do
    rm -f "$TMP/o"/*
    # a fresh output file each time: the wait below must not read an older run's
    with_signals_default "$LISTENQ" run --model-only --no-progress --repeat 1000 --junit "$TMP/o/j.xml" \
        --json "$TMP/o/r.jsonl" corpus/conformance >"$TMP/out.$sig" 2>"$TMP/err" &
    pid=$!
    wait_reported "$TMP/out.$sig" 30
    kill -$sig $pid
    wait $pid
    rc=$?
    case $sig in INT) want=130 ;; TERM) want=143 ;; esac
    is $rc $want "SIG$sig ends the run by that signal (status $want)"
    grep -Eq '^listenq: interrupted after [0-9]+ of [0-9]+ scenarios: [0-9]+ passed, 0 failed' "$TMP/err"
    ok $? "SIG$sig: a partial summary"
    grep -q "^listenq: written: $TMP/o/j.xml (JUnit" "$TMP/err" &&
        grep -q "^listenq: written: $TMP/o/r.jsonl" "$TMP/err"
    ok $? "SIG$sig: the paths written"
    is "$(temps)" 0 "SIG$sig: no temporary file left"
done

# SIGKILL, ten times, at different points: temporary files may stay behind.
# A temporary file of a process that is gone, made up, and one of a live
# process (this shell) are there too.
for k in 1 2 3 4 5 6 7 8 9 10; do
    "$LISTENQ" run --model-only --no-progress --repeat 1000 --junit "$TMP/o/j.xml" \
        corpus/conformance >"$TMP/out.k$k" 2>/dev/null &
    pid=$!
    wait_reported "$TMP/out.k$k" $((k * 3))
    kill -9 $pid
    wait $pid 2>/dev/null
done
sh -c 'exit 0' &
dead=$!
wait $dead
touch "$TMP/o/j.xml.tmp.$dead.1a2b" "$TMP/o/j.xml.tmp.$$.3c4d"
diag "$(temps) temporary files before the next run"
"$LISTENQ" run --model-only --no-progress --junit "$TMP/o/j.xml" corpus/conformance/quarter_rule.lq >/dev/null 2>&1
is $? 0 "the next run"
is "$(ls "$TMP/o" | grep '\.tmp\.' | grep -vc "\.tmp\.$$\.")" 0 "... removed every temporary file of a dead process"
[ -f "$TMP/o/j.xml.tmp.$$.3c4d" ]
ok $? "... and kept the one of a live process"

# The JUnit file after a SIGKILL of a live run: every scenario reported but
# the one in flight is in it.
why=$(live_unavailable)
if [ -n "$why" ]; then
    skip "JUnit up to date after every scenario (SIGKILL of a live run)" "$why"
else
    "$LISTENQ" run --fast --no-progress --repeat 100 --out "$TMP/o" --junit "$TMP/o/live.xml" \
        corpus/conformance >"$TMP/out.live" 2>/dev/null &
    pid=$!
    wait_reported "$TMP/out.live" 40
    kill -9 $pid
    wait $pid 2>/dev/null
    n=$(reported "$TMP/out.live")
    if command -v python3 >/dev/null 2>&1; then
        got=$(python3 -c 'import sys,xml.etree.ElementTree as E; print(len(E.parse(sys.argv[1]).getroot().find("testsuite")) - 1)' "$TMP/o/live.xml" 2>&1)
    else
        got=$(grep -c '<testcase ' "$TMP/o/live.xml")
    fi
    [ "$got" -ge $((n - 1)) ] 2>/dev/null
    ok $? "JUnit up to date after every scenario: $got test cases after $n reported, then SIGKILL"
fi
tap_done
