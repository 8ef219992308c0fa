#!/bin/sh
# `listenq export --packetdrill --check` (docs/packetdrill.md): the exported
# scripts are checked by their real consumer, packetdrill, in a private
# network namespace. Debian does not package packetdrill: without a binary
# (LISTENQ_PACKETDRILL, else PATH) --check says so and exits 4, which is
# checked here; the runs with packetdrill skip with that reason. With one:
# a handshake passes; an overflow scenario passes for each connection (the
# others driven by `listenq pd-peer`); a set-up line changed in the script
# alone (timestamps off, cookies on) fails it at the first line the kernel
# answers differently; the overflow scenario over IPv6 (--family 6: pd-peer
# sends IPv6) passes too. `listenq pd-peer` refuses the initial namespace.
# --family both writes two scripts, so only with --check; --family 6 makes
# a neutral scenario's script IPv6 (packetdrill --ip_version=ipv6, and the
# listener's IPV6_V6ONLY 1, as the harness's).
. tests/integration/lib.sh.inc

cat >"$TMP/hs.lq" <<'LQ'
listen 1
syn c1 mss=1460 ts sack wscale=7
ack c1
accept
LQ

# without packetdrill: a clear skip, exit 4
out=$(PATH=/nonexistent LISTENQ_PACKETDRILL= "$LISTENQ" export --packetdrill --check "$TMP/hs.lq")
is "$?" 4 "--check without a packetdrill binary exits 4"
case "$out" in
"1..0 # SKIP no packetdrill binary"*) ok 0 "... and says why" ;;
*) ok 1 "... and says why" && diag "$out" ;;
esac
LISTENQ_PACKETDRILL=/nonexistent/packetdrill "$LISTENQ" export --packetdrill --check "$TMP/hs.lq" \
    >"$TMP/bad.out"
is "$?" 4 "--check with LISTENQ_PACKETDRILL naming no executable exits 4"

cat >"$TMP/drop.lq" <<'LQ'
sysctl net.ipv4.tcp_syncookies=0
listen 1
syn c1
syn c2
syn c3
expect none
expect synq 2
expect counter TCPReqQFullDrop 1
LQ

"$LISTENQ" export --packetdrill --family both "$TMP/hs.lq" >/dev/null 2>&1
is "$?" 2 "--family both without --check is bad input"
"$LISTENQ" export --packetdrill --family 6 -o "$TMP/hs6.pkt" "$TMP/hs.lq"
grep -q -- '--ip_version=ipv6 SCRIPT.pkt' "$TMP/hs6.pkt" &&
    grep -q '^+0 setsockopt(3, SOL_IPV6, 26, \[1\], 4) = 0  // IPV6_V6ONLY$' "$TMP/hs6.pkt"
ok $? "--family 6: an IPv6 script (--ip_version=ipv6, IPV6_V6ONLY 1 before bind)"

"$LISTENQ" pd-peer send --sport 20000 >/dev/null 2>&1
is "$?" 2 "pd-peer with missing arguments is bad input"
"$LISTENQ" pd-peer send --sport 20000 --flags S --seq 1 --fo 12345 >"$TMP/fo.out" 2>&1
st=$?
[ "$st" -eq 2 ] && grep -q "bad --fo '12345'" "$TMP/fo.out"
ok $? "pd-peer --fo with an odd number of hex digits is bad input (exit $st)"
if [ "$(id -u)" = 0 ] && [ "$(stat -Lc %i /proc/self/ns/net)" = "$(stat -Lc %i /proc/1/ns/net 2>/dev/null)" ]; then
    "$LISTENQ" pd-peer send --sport 20000 --flags S --seq 1 --dst 127.0.0.1 --expect none \
        >"$TMP/peer.out" 2>&1
    st=$?
    [ "$st" -ne 0 ] && grep -q "initial" "$TMP/peer.out"
    ok $? "pd-peer refuses to send in the initial network namespace (exit $st)"
else
    skip "pd-peer refuses to send in the initial network namespace" \
        "not root in the initial namespace"
fi

pd=${LISTENQ_PACKETDRILL:-$(command -v packetdrill)}
why=""
if [ -z "$pd" ] || [ ! -x "$pd" ]; then
    why="no packetdrill binary (LISTENQ_PACKETDRILL or PATH; docs/packetdrill.md builds one)"
elif [ "$(id -u)" != 0 ]; then
    why="needs root (packetdrill makes a tun device in a new namespace)"
fi
if [ -n "$why" ]; then
    for t in "the exported script of a handshake passes packetdrill" \
        "a script whose set-up line was changed fails packetdrill" \
        "... at the first line the kernel answers differently" \
        "the overflow scenario's three scripts pass (pd-peer fills the SYN queue)" \
        "with cookies on in the script only, c3's script fails" \
        "... at the check of the model's state after c3's SYN (line 5): a cookie was sent" \
        "over IPv6 (--family 6) the overflow scenario's three scripts pass" \
        "a Fast Open scenario's scripts pass (the kernel's cookie, written and echoed)" \
        "... and fail with the flow's cookie changed by one bit"; do
        skip "$t" "$why"
    done
    tap_done
    exit
fi
export LISTENQ_PACKETDRILL="$pd"

"$LISTENQ" export --packetdrill --check "$TMP/hs.lq" >"$TMP/ok.out" 2>&1
ok $? "the exported script of a handshake passes packetdrill"
grep -q '^# packetdrill passed 1 of 1 scripts' "$TMP/ok.out" || cat "$TMP/ok.out" | sed 's/^/# /'

# the same script with timestamps off in its set-up: the kernel's SYN-ACK
# has no TS option, the script's has one
"$LISTENQ" export --packetdrill -o "$TMP/hs.pkt" "$TMP/hs.lq"
sed 's/tcp_timestamps=1/tcp_timestamps=0/' "$TMP/hs.pkt" >"$TMP/mut.pkt"
line=$(grep -n '^+0 > S\. ' "$TMP/mut.pkt" | cut -d: -f1)
unshare -n sh -c 'ip link set lo up && exec taskset -c 0 "$0" --ip_version=ipv4 "$1"' "$pd" "$TMP/mut.pkt" \
    >"$TMP/mut.out" 2>&1
st=$?
[ "$st" -ne 0 ]
ok $? "a script whose set-up line was changed fails packetdrill"
grep -q "mut.pkt:$line: " "$TMP/mut.out"
ok $? "... at the first line the kernel answers differently (line $line)"
[ "$st" -ne 0 ] && ! grep -q "mut.pkt:$line: " "$TMP/mut.out" && sed 's/^/# /' "$TMP/mut.out"

"$LISTENQ" export --packetdrill --check "$TMP/drop.lq" >"$TMP/drop.out" 2>&1
st=$?
[ "$st" -eq 0 ] && grep -q '^# packetdrill passed 3 of 3 scripts' "$TMP/drop.out"
ok $? "the overflow scenario's three scripts pass (pd-peer fills the SYN queue)"
[ "$st" -eq 0 ] || sed 's/^/# /' "$TMP/drop.out"
"$LISTENQ" export --packetdrill --conn c3 -o "$TMP/drop.pkt" "$TMP/drop.lq"
sed 's/tcp_syncookies=0/tcp_syncookies=1/' "$TMP/drop.pkt" >"$TMP/drop-mut.pkt"
PATH="$(dirname "$LISTENQ"):$PATH" unshare -n sh -c 'ip link set lo up && exec taskset -c 0 "$0" --ip_version=ipv4 "$1"' \
    "$pd" "$TMP/drop-mut.pkt" >"$TMP/drop-mut.out" 2>&1
st=$?
[ "$st" -ne 0 ]
ok $? "with cookies on in the script only, c3's script fails"
grep -q "line 5: the kernel has .*TcpExtSyncookiesSent=1 (the model: 0)" "$TMP/drop-mut.out"
ok $? "... at the check of the model's state after c3's SYN (line 5): a cookie was sent"
[ "$st" -ne 0 ] || sed 's/^/# /' "$TMP/drop-mut.out"

"$LISTENQ" export --packetdrill --check --family 6 "$TMP/drop.lq" >"$TMP/drop6.out" 2>&1
st=$?
[ "$st" -eq 0 ] && grep -q '^# packetdrill passed 3 of 3 scripts' "$TMP/drop6.out"
ok $? "over IPv6 (--family 6) the overflow scenario's three scripts pass"
[ "$st" -eq 0 ] || sed 's/^/# /' "$TMP/drop6.out"

# Fast Open: c1 asks for a cookie, c2 echoes it with data (a child at SYN
# time), c3 sends it flipped (a normal request, a cookie back)
printf '%s\n' "sysctl net.ipv4.tcp_fastopen=3" "listen 8" "sockopt TCP_FASTOPEN=4" \
    "syn c1 mss=1460 tfo" "expect c1 synack tfo-cookie" "syn c2 mss=1460 len=100 tfo=echo" \
    "expect c2 synack notfo-cookie" "expect acceptq 1" "syn c3 mss=1460 len=10 tfo=bad" \
    "expect c3 synack tfo-cookie" "expect counter TCPFastOpenPassiveFail 1" >"$TMP/fo.lq"
PATH="$(dirname "$LISTENQ"):$PATH" "$LISTENQ" export --packetdrill --check "$TMP/fo.lq" \
    >"$TMP/fo-check.out" 2>&1
st=$?
[ "$st" -eq 0 ] && grep -q '^# packetdrill passed 3 of 3 scripts' "$TMP/fo-check.out"
ok $? "a Fast Open scenario's scripts pass (the kernel's cookie, written and echoed)"
[ "$st" -eq 0 ] || sed 's/^/# /' "$TMP/fo-check.out"
"$LISTENQ" export --packetdrill --conn c1 -o "$TMP/fo.pkt" "$TMP/fo.lq"
# the SYN-ACK's cookie with its last hex digit changed
sed -E 's/(> S\. .*FO [0-9a-f]{15})([0-9a-f])/\1x\2/; s/x0/1/; s/x([1-9a-f])/0/' "$TMP/fo.pkt" >"$TMP/fo-mut.pkt"
cmp -s "$TMP/fo.pkt" "$TMP/fo-mut.pkt" && echo "# the cookie was not changed"
PATH="$(dirname "$LISTENQ"):$PATH" unshare -n sh -c 'ip link set lo up && exec taskset -c 0 "$0" --ip_version=ipv4 "$1"' \
    "$pd" "$TMP/fo-mut.pkt" >"$TMP/fo-mut.out" 2>&1
st=$?
[ "$st" -ne 0 ] && grep -q "bad value in outbound TCP option (kind=34)" "$TMP/fo-mut.out"
ok $? "... and fail with the flow's cookie changed by one bit"
[ "$st" -ne 0 ] || sed 's/^/# /' "$TMP/fo-mut.out"
tap_done
