#!/bin/sh
# Killing a run with SIGKILL leaves no interface and no namespace behind: the
# harness's namespaces are unnamed and die with the process.
. tests/integration/lib.sh.inc
why=$(live_unavailable)
if [ -n "$why" ]; then
    echo "1..0 # SKIP $why"
    exit 4
fi
if ! command -v ip >/dev/null 2>&1; then
    echo "1..0 # SKIP ip (iproute2) is not installed"
    exit 4
fi
before_links=$(ip -o link show | grep -c 'lq[sc]0' || true)
before_ns=$(ip netns list 2>/dev/null | wc -l)
is "$before_links" 0 "no lqs0/lqc0 in this namespace before"

"$LISTENQ" run --fast --no-progress --repeat 100000 corpus/conformance >"$TMP/run" 2>&1 &
pid=$!
# wait (bounded) until the run has reported scenarios: it is mid-run
reported() { n=$(grep -c '^ok' "$TMP/run" 2>/dev/null); echo "${n:-0}"; }
i=0
while [ $i -lt 100 ] && [ "$(reported)" -lt 20 ]; do
    sleep 0.05
    i=$((i + 1))
done
[ "$(reported)" -ge 20 ]
ok $? "the run is under way ($(reported) scenarios reported)"
nsfds=$(ls -l /proc/$pid/ns/net 2>/dev/null | sed 's/.*net:\[\([0-9]*\)\]/\1/')
init=$(stat -L -c %i /proc/self/ns/net)
[ -n "$nsfds" ] && [ "$nsfds" != "$init" ]
ok $? "the run's thread is in a namespace of its own"
# the run and its workers (--jobs): other tests' listenq runs may be beside it
run_pids="$pid $(ps -o pid= --ppid "$pid" | tr '\n' ' ')"
kill -9 $pid
wait $pid 2>/dev/null
# the kernel frees the namespaces asynchronously: bounded wait for the veth to go
i=0
while [ $i -lt 100 ] && ip -o link show type veth 2>/dev/null | grep -q 'lq[sc]0'; do
    sleep 0.05
    i=$((i + 1))
done
is "$(ip -o link show | grep -c 'lq[sc]0' || true)" 0 "no lqs0/lqc0 interface after SIGKILL"
is "$(ip netns list 2>/dev/null | wc -l)" "$before_ns" "no named namespace left (ip netns list)"
if command -v lsns >/dev/null 2>&1; then
    i=0
    while [ $i -lt 100 ] && lsns -t net -n -o NS 2>/dev/null | grep -qx "$nsfds"; do
        sleep 0.05
        i=$((i + 1))
    done
    lsns -t net -n -o NS 2>/dev/null | grep -qx "$nsfds"
    is $? 1 "the run's network namespace ($nsfds) is gone"
else
    skip "the run's network namespace is gone" "lsns (util-linux) is not installed"
fi
# its workers die with it (PR_SET_PDEATHSIG): bounded wait
left() {
    n=0
    for p in $run_pids; do
        [ "$(readlink "/proc/$p/exe" 2>/dev/null)" = "$(readlink -f "$LISTENQ")" ] && n=$((n + 1))
    done
    echo $n
}
i=0
while [ $i -lt 100 ] && [ "$(left)" -gt 0 ]; do
    sleep 0.05
    i=$((i + 1))
done
is "$(left)" 0 "no listenq process of the run left ($(echo $run_pids | wc -w) processes: $run_pids)"
tap_done
