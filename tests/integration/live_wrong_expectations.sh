#!/bin/sh
# Wrong expectations that the model and the kernel fail alike are a failure,
# not a divergence: the runner does not wait (settle) on the kernel for a
# packet the model does not predict either. Before, each such wait let
# 300 ms of real time pass, the kernel's SYN-ACK timers (1 s) fired while the
# model's clock stood still, and the run reported a divergence that the
# waits had made.
#
# The scenario: three connections, each sending its SYN six times in a row.
# From the kernel source: tcp_conn_request() answers the first with a
# SYN-ACK; tcp_check_req() answers a retransmitted SYN with one only when
# tcp_oow_rate_limited() lets it, once per tcp_invalid_ratelimit (500 ms,
# which the harness fixes): the first retransmission is answered, the four
# after it are not. Every SYN is followed by `expect cN synack`, so the
# expectations after SYNs 3 to 6 of each connection are wrong, on both sides.
. tests/integration/lib.sh.inc
why=$(live_unavailable)
if [ -n "$why" ]; then
    echo "1..0 # SKIP $why"
    exit 4
fi
sc="$TMP/wrong_synacks.lq"
{
    echo "sysctl net.ipv4.tcp_syncookies=0"
    echo "listen 128"
} >"$sc"
line=3
want=""
for k in 1 2 3; do
    for j in 1 2 3 4 5 6; do
        echo "syn c$k" >>"$sc"
        echo "expect c$k synack" >>"$sc"
        [ "$j" -ge 3 ] && want="$want $((line + 1))"
        line=$((line + 2))
    done
done
want=$(echo $want)

"$LISTENQ" run --no-progress --out "$TMP/out" "$sc" >"$TMP/r" 2>&1
is $? 1 "wrong expectations: exit 1"
grep -q "divergence at" "$TMP/r"
diverged=$?
[ "$diverged" -ne 0 ]
ok $? "... no divergence: the kernel answered as the model predicts"
[ "$diverged" -ne 0 ] || grep -A4 "divergence at" "$TMP/r" | sed 's/^/# /'
failed_on() { # SIDE: the lines of the expectations that failed on it
    sed -n "s/^ *expectation failed at line \([0-9]*\) on the $1: .*/\1/p" "$TMP/r" | sort -n |
        tr '\n' ' ' | sed 's/ $//'
}
is "$(failed_on model)" "$want" "the model fails the 12 after the rate-limited SYNs"
is "$(failed_on kernel)" "$want" "... and the kernel the same 12"

# on the kernel alone the same verdicts
"$LISTENQ" run --kernel-only --no-progress --out "$TMP/out" "$sc" >"$TMP/r" 2>&1
is $? 1 "--kernel-only: exit 1"
is "$(failed_on kernel)" "$want" "... the same 12 fail"
tap_done
