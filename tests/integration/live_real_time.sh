#!/bin/sh
# Kernel rules of real time in scenarios without a wait (docs/harness.md,
# "Real time"): the 500 ms window of tcp_oow_rate_limited() and the 1 s
# SYN-ACK timer run while a long scenario's events take real time, and the
# model, run again at the kernel's clock, predicts what they do; a harness
# preempted before its writes still reads the kernel's clock right.
#
# tests/run.sh: alone (it injects lateness of its own, a held frame, a write
# a jiffy late, and times what it runs: other tests' load beside it would
# stack on what it plants; live_jobs.sh is the test of verdicts under load)
. tests/integration/lib.sh.inc
why=$(live_unavailable)
if [ -n "$why" ]; then
    echo "1..0 # SKIP $why"
    exit 4
fi

# listen 1 and 20,001 retransmitted SYNs: the kernel answers the second and
# then one every 500 ms of the flood's real time (tcp_check_req ->
# tcp_oow_rate_limited); each answer pushes the request's timer a second on
# (mod_timer_pending). The model at its own timing answers only the second.
{
    echo "listen 1"
    i=0
    while [ $i -lt 20001 ]; do
        echo "syn c1"
        i=$((i + 1))
    done
} >"$TMP/flood.lq"
"$LISTENQ" run --no-progress --out "$TMP/out" --json "$TMP/flood.json" "$TMP/flood.lq" >"$TMP/r" 2>&1
rc=$?
[ $rc -ne 0 ] && grep -v '^ok' "$TMP/r" | tail -n 20 | sed 's/^/# /'
is $rc 0 "listen 1 and 20,001 retransmitted SYNs conform"
ms=$(sed -n 's/.*"elapsed_us":\([0-9]*\).*/\1/p' "$TMP/flood.json")
diag "the flood took $((${ms:-0} / 1000)) ms (the window passes every 500 ms of it)"
"$LISTENQ" run --model-only --no-progress "$TMP/flood.lq" >/dev/null 2>&1
is $? 0 "... and on the model alone"

# An out-of-window ACK, 20,000 accept() calls (real time, no virtual time),
# another out-of-window ACK: when the calls took 500 ms or more, the kernel
# answers the second ACK too. The model at the kernel's clock agrees (no
# divergence), and `expect none`, written for events close together, is not
# checked on that run rather than failed; the scenario passes. A machine
# stalls: the run is stopped (SIGSTOP) for 700 ms once the calls are under
# way, as a loaded machine would stop it.
{
    printf 'sysctl net.ipv4.tcp_syncookies=0\nlisten 4\nsyn c1\nack c1 seq=bad\nexpect c1 ack\n'
    i=0
    while [ $i -lt 20000 ]; do
        echo accept
        i=$((i + 1))
    done
    printf 'ack c1 seq=bad\nexpect none\n'
} >"$TMP/oow.lq"
"$LISTENQ" run --no-progress --out "$TMP/out" --json "$TMP/oow.json" "$TMP/oow.lq" >"$TMP/r" 2>&1 &
pid=$!
# the listener exists once the scenario runs (inet_diag would say; its
# socket shows up as one more descriptor): stop the run a while after that
i=0 n0=""
while [ $i -lt 200 ] && kill -0 $pid 2>/dev/null; do
    n=$(ls /proc/$pid/fd 2>/dev/null | wc -l)
    [ -z "$n0" ] && n0=$n
    [ "$n" -gt "$n0" ] && break
    sleep 0.01
    i=$((i + 1))
done
sleep 0.05
kill -STOP $pid 2>/dev/null
sleep 0.7
kill -CONT $pid 2>/dev/null
wait $pid
rc=$?
# on a failure, the report goes into the test's own output (as TAP comments)
[ $rc -ne 0 ] && tail -n 20 "$TMP/r" | sed 's/^/# /'
is $rc 0 "a second out-of-window ACK 20,000 calls (and a 700 ms stall) later: the verdict is pass"
if grep -q "expectation not checked" "$TMP/r"; then
    grep -q "at line 20006 (.* ms in) it takes check_req.out_of_window_ack where the scenario's timing takes check_req.out_of_window_ratelimited" "$TMP/r"
    ok $? "... 'expect none' not checked, and the report names the rule"
    grep -q '"expectations_not_checked":\[{"line":20007,"role":"subject","backend":"kernel"' "$TMP/oow.json"
    ok $? "... and so does the JSON report"
else
    skip "... 'expect none' not checked, and the report names the rule" "the calls took less than 500 ms here: nothing for the clock to decide"
    skip "... and so does the JSON report" "the calls took less than 500 ms"
fi

# A loaded machine preempts the harness anywhere, also between building a
# frame and writing it: the test build holds every frame 3 ms there
# (--preempt-us). An event's jiffy is the one read at its write, and the
# barrier's at the barrier's write, so the reference at the kernel's clock
# still predicts each timer on the right side of each barrier, and the fast
# suite passes. (With the jiffy read before the frame was built, every
# scenario with a FIN diverged: "the kernel did not send the delayed ACK the
# model predicts".)
"$LISTENQ_BUILD/listenq-test" run --preempt-us 3000 --fast --no-progress --out "$TMP/out" \
    corpus/conformance >"$TMP/pre" 2>&1
rc=$?
[ $rc = 0 ] || grep -A8 "^FAIL" "$TMP/pre" | sed 's/^/# /'
is $rc 0 "every frame held 3 ms before its write (a preempted harness): the fast suite passes"
# The kernel handles a segment a jiffy after the write's clock was read (a
# host stops the vCPU between the two, a late tick): the test build holds
# every other write past the next jiffy boundary once its clock is read
# (--late-writes). In a flood of 500 retransmitted SYNs, the SYN that opens
# each 500 ms window of tcp_oow_rate_limited() is then one whose jiffy the
# write's clock puts a jiffy early, inside the window: the model there would
# let the kernel's answer diverge. Its capture stamp shows the later jiffy,
# the runner follows again with it, and the scenario conforms.
{
    echo "listen 1"
    i=0
    while [ $i -lt 500 ]; do
        echo "syn c1"
        i=$((i + 1))
    done
} >"$TMP/late.lq"
fails=0
for k in 1 2 3; do
    "$LISTENQ_BUILD/listenq-test" run --late-writes --no-progress --out "$TMP/out" "$TMP/late.lq" \
        >"$TMP/late" 2>&1 || { fails=$((fails + 1)); grep -v '^ok' "$TMP/late" | sed 's/^/# /'; }
done
is $fails 0 "every other write handled a jiffy late: 500 retransmitted SYNs conform (3 runs)"
"$LISTENQ_BUILD/listenq-test" run --late-writes --fast --no-progress --out "$TMP/out" \
    corpus/conformance >"$TMP/latef" 2>&1
rc=$?
[ $rc = 0 ] || grep -A8 "^FAIL" "$TMP/latef" | sed 's/^/# /'
is $rc 0 "every other write handled a jiffy late: the fast suite passes"
tap_done
