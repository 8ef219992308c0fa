#!/bin/sh
# `listenq fuzz` killed by SIGTERM, SIGINT or SIGKILL takes the fuzzer down
# with it: the differential fuzzer in fork mode, its jobs, the
# llvm-symbolizer they start, and their temporary directory. Nothing of the
# fuzzer's process group remains (util/spawn.h, lq_spawn_guarded).
. tests/integration/lib.sh.inc
FZ="$LISTENQ_BUILD/fuzz/listenq_diff_fuzzer"
if [ ! -x "$FZ" ]; then
    echo "1..0 # SKIP the differential fuzzer is not built ($FZ; make fuzz)"
    exit 4
fi
why=$(live_unavailable)
if [ -n "$why" ]; then
    echo "1..0 # SKIP $why"
    exit 4
fi
if ! command -v python3 >/dev/null 2>&1; then
    echo "1..0 # SKIP python3 is not installed (to give a background job SIGINT back)"
    exit 4
fi
# the processes of process group $1
members() { ps -eo pgid= | awk -v g="$1" '$1 == g' | wc -l | tr -d ' '; }
# the pid of the first process below $1 whose command line starts with $2
# (other tests' fuzzers may run beside this one: tests/run.sh runs tests at once)
descendant() {
    ps -eo pid=,ppid=,args= | awk -v root="$1" -v want="$2" '
        { pid[NR] = $1; ppid[NR] = $2; a = $0; sub(/^ *[0-9]+ +[0-9]+ /, "", a); args[NR] = a }
        END {
            below[root] = 1
            for (grew = 1; grew;) {
                grew = 0
                for (i = 1; i <= NR; i++)
                    if ((ppid[i] in below) && !(pid[i] in below)) { below[pid[i]] = 1; grew = 1 }
            }
            for (i = 1; i <= NR; i++)
                if ((pid[i] in below) && index(args[i], want) == 1) { print pid[i]; exit }
        }'
}

for sig in TERM INT KILL; do
    mkdir -p "$TMP/$sig/t"
    TMPDIR="$TMP/$sig/t" with_signals_default "$LISTENQ" fuzz --jobs 2 --time 120 \
        --out "$TMP/$sig/out" --fuzzer "$FZ" >"$TMP/$sig/log" 2>&1 &
    pid=$!
    # bounded wait for fork mode's jobs: the fuzzer's group has 3 or more members
    pg="" i=0
    while [ $i -lt 200 ]; do
        fpid=$(descendant "$pid" "$FZ -fork=2")
        [ -n "$fpid" ] && pg=$(ps -o pgid= -p "$fpid" | tr -d ' ')
        [ -n "$pg" ] && [ "$(members "$pg")" -ge 3 ] && break
        sleep 0.05
        i=$((i + 1))
    done
    [ -n "$pg" ] && [ "$(members "$pg")" -ge 3 ]
    ok $? "SIG$sig: the fuzzer runs with its jobs ($(members "${pg:-0}") processes in its group)"
    kill -$sig $pid
    wait $pid 2>/dev/null
    # the guard takes a grace period (2 s) before SIGKILL: bounded wait
    i=0
    while [ $i -lt 100 ] && [ "$(members "${pg:-0}")" -gt 0 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    is "$(members "${pg:-0}")" 0 "SIG$sig: nothing of the fuzzer's process group remains"
    i=0
    while [ $i -lt 50 ] && [ -n "$(ls -A "$TMP/$sig/t")" ]; do
        sleep 0.1
        i=$((i + 1))
    done
    is "$(ls -A "$TMP/$sig/t" | wc -l | tr -d ' ')" 0 "SIG$sig: no temporary directory left"
done
tap_done
