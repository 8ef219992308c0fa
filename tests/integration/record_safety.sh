#!/bin/sh
# record and replay with inputs and ends that once hung or lied: a FIFO as a
# recording, in a recordings directory or as a recording's pcap (replay
# blocked forever), an empty directory, a file it may not read (said
# "-1:-1"), --out that cannot be written, and a SIGKILLed record that left
# pcaps without their JSON. `timeout` turns a hang into status 124.
. tests/integration/lib.sh.inc

mkfifo "$TMP/f.json"
timeout 10 "$LISTENQ" replay "$TMP/f.json" >"$TMP/out" 2>&1
is $? 2 "replay of a FIFO: exit 2, no hang"
grep -q "f.json: not a regular file (a FIFO)" "$TMP/out"
ok $? "... named"
mkdir "$TMP/d"
mkfifo "$TMP/d/g.json"
timeout 10 "$LISTENQ" replay "$TMP/d" >"$TMP/out" 2>&1
is $? 2 "a FIFO in a recordings directory: exit 2, no hang"
grep -q "d/g.json: not a regular file (a FIFO)" "$TMP/out"
ok $? "... named"
mkdir "$TMP/e"
"$LISTENQ" replay "$TMP/e" >"$TMP/out" 2>&1
is $? 2 "an empty recordings directory: exit 2"
grep -q "no recording" "$TMP/out"
ok $? "... said"
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1; then
    cp "$LISTENQ" "$TMP/lq"
    echo '{}' >"$TMP/noread.json"
    chmod 600 "$TMP/noread.json"
    chmod 755 "$TMP" "$TMP/lq"
    (cd "$TMP" && setpriv --reuid=65534 --regid=65534 --clear-groups ./lq replay noread.json) >"$TMP/out" 2>&1
    is $? 2 "a recording the user may not read: exit 2"
    grep -q "noread.json: cannot open: Permission denied" "$TMP/out" && ! grep -q -- "-1:-1" "$TMP/out"
    ok $? "... says why, without a position of -1:-1"
else
    skip "a recording the user may not read: exit 2" "needs root and setpriv to be another user"
    skip "... says why" "needs root and setpriv"
fi

why=$(live_unavailable)
if [ -n "$why" ]; then
    for t in "record --out FILE" "a FIFO pcap" "a FIFO pcap named" "SIGKILL JSON" "SIGKILL pcap"; do
        skip "$t" "$why"
    done
    tap_done
    exit $?
fi
touch "$TMP/ofile"
"$LISTENQ" record --out "$TMP/ofile" corpus/conformance/quarter_rule.lq >"$TMP/out" 2>&1
is $? 2 "record --out a regular file: exit 2"

"$LISTENQ" record --out "$TMP/rec" corpus/conformance/quarter_rule.lq >"$TMP/out" 2>&1
# record's default: both families, NAME@ipv4 and NAME@ipv6
rm -f "$TMP/rec/conformance-quarter_rule@ipv6.pcap"
mkfifo "$TMP/rec/conformance-quarter_rule@ipv6.pcap"
timeout 10 "$LISTENQ" replay "$TMP/rec" >"$TMP/out" 2>&1
is $? 2 "a recording whose pcap is a FIFO: exit 2, no hang"
grep -q "quarter_rule@ipv6.pcap: not a regular file (a FIFO)" "$TMP/out"
ok $? "... named"

# SIGKILL, ten times, at different points: every JSON has its pcap (they are
# renamed into place together, the pcap first), and no pcap is left alone.
rm -rf "$TMP/kill"
for k in 1 2 3 4 5 6 7 8 9 10; do
    "$LISTENQ" record --fast --out "$TMP/kill" corpus/conformance >"$TMP/out.k$k" 2>/dev/null &
    pid=$!
    i=0
    while [ $i -lt 200 ] && [ "$(cat "$TMP/out.k$k" 2>/dev/null | grep -c '^ok')" -lt $((k * 3)) ]; do
        sleep 0.02
        i=$((i + 1))
    done
    kill -9 $pid
    wait $pid 2>/dev/null
done
nj=0 alone_j=0 alone_p=0
for j in "$TMP"/kill/*.json; do
    [ -e "$j" ] || continue
    nj=$((nj + 1))
    [ -f "${j%.json}.pcap" ] || alone_j=$((alone_j + 1))
done
for p in "$TMP"/kill/*.pcap; do
    [ -e "$p" ] || continue
    [ -f "${p%.pcap}.json" ] || alone_p=$((alone_p + 1))
done
diag "$nj recordings after ten SIGKILLs"
is $alone_j 0 "SIGKILL during record: no JSON without its pcap"
is $alone_p 0 "SIGKILL during record: no pcap without its JSON"
tap_done
