#!/bin/sh
# A deliberately wrong model rule (the test build's --model-bug switch) is
# caught: a divergence report naming the event and the decision point, a pcap
# that tshark reads, and a JSON line with the kernel release, the sysctls, the
# scenario text and the pcap's path.
. tests/integration/lib.sh.inc
why=$(live_unavailable)
if [ -n "$why" ]; then
    echo "1..0 # SKIP $why"
    exit 4
fi
TEST_LQ="$LISTENQ_BUILD/listenq-test"
out="$TMP/out"

"$TEST_LQ" run --no-progress --out "$out" --model-bug synq_full_ge \
    corpus/conformance/listen_zero_takes_one_syn.lq >"$TMP/r" 2>&1
is $? 1 "planted bug synq_full_ge: exit 1"
grep -q "divergence at line 5: syn c1 mss=1460" "$TMP/r"
ok $? "the report names the event where model and kernel part"
grep -q "model *: no packet" "$TMP/r" && grep -q "kernel *: SYN-ACK c1" "$TMP/r"
ok $? "model and kernel side by side"
grep -q "conn_request.synq_full_drop *tcp_conn_request" "$TMP/r"
ok $? "the model's decision point and kernel function"
# OUT/<label>.<run id>.<place in the run>.pcap, as the report says
pcap=$(sed -n 's/^ *pcap: //p' "$TMP/r")
case "$pcap" in
"$out"/conformance-listen_zero_takes_one_syn.[0-9a-f]*.1.pcap) [ -s "$pcap" ] ;;
*) false ;;
esac
ok $? "a pcap of the scenario, named by label, run and place ($pcap)"
if command -v tshark >/dev/null 2>&1; then
    tshark -r "$pcap" -T fields -e tcp.flags.str 2>/dev/null >"$TMP/flags"
    ok $? "tshark reads the pcap"
    grep -q 'S' "$TMP/flags" && [ "$(wc -l <"$TMP/flags")" -ge 4 ]
    ok $? "the pcap holds the injected SYNs and the kernel's SYN-ACK"
    tshark -r "$pcap" -T fields -e frame.time_epoch 2>/dev/null | head -n 1 | grep -Eq '\.[0-9]{9}$'
    ok $? "nanosecond timestamps"
else
    skip "tshark reads the pcap" "tshark is not installed"
fi
j="$out/divergences.jsonl"
[ -s "$j" ]
ok $? "divergences.jsonl written"
if command -v python3 >/dev/null 2>&1; then
    python3 - "$j" "$pcap" <<'PY'
import json, os, sys
rec = json.loads(open(sys.argv[1]).readlines()[-1])
assert rec["kernel"] == os.uname().release, rec["kernel"]
assert rec["sysctls"]["net.ipv4.tcp_syncookies"] == 0
assert "syn c1 mss=1460" in rec["text"]
assert rec["pcap"] == sys.argv[2]
assert rec["divergence"]["line"] == 5
assert "conn_request.synq_full_drop" in rec["divergence"]["decision_points"]
PY
    ok $? "the JSON line has the kernel release, sysctls, scenario text, pcap path"
else
    skip "the JSON line" "python3 is not installed"
fi

"$TEST_LQ" run --no-progress --out "$out" --model-bug acceptq_n \
    corpus/conformance/acceptq_full_drops_syn.lq >"$TMP/r2" 2>&1
is $? 1 "planted bug acceptq_n: exit 1"
grep -q "divergence at line" "$TMP/r2"
ok $? "planted bug acceptq_n: divergence reported"

"$LISTENQ" run --no-progress --out "$out" corpus/conformance/listen_zero_takes_one_syn.lq >/dev/null 2>&1
is $? 0 "the same scenario conforms with the real model"

# An IPv6-only planted bug: 1460 in the IPv6 cookie MSS table where
# net/ipv6/syncookies.c has 1500 - 60 = 1440. The IPv6 cookie scenario
# diverges at the child's TCP_MAXSEG (1450 keeps 1420 instead of 1440); the
# IPv4 cookie table scenario, over both families, does not touch that entry
# with an MSS that tells the two apart, and conforms.
"$TEST_LQ" run --no-progress --out "$out" --model-bug v6_cookie_mss \
    corpus/conformance/cookie_mss_table_ipv6.lq >"$TMP/r3" 2>&1
is $? 1 "planted bug v6_cookie_mss: exit 1"
grep -q "divergence at line" "$TMP/r3" && grep -q 'cookie_mss_table_ipv6' "$TMP/r3"
ok $? "planted bug v6_cookie_mss: the IPv6 cookie scenario diverges"
grep -A3 "divergence at line" "$TMP/r3" | grep -q 'TCP_MAXSEG\|mss'
ok $? "... at an accepted child's MSS"
"$TEST_LQ" run --no-progress --out "$out" --model-bug v6_cookie_mss --family 4 \
    corpus/conformance/cookie_mss_table.lq corpus/conformance/syncookies_always.lq >/dev/null 2>&1
is $? 0 "planted bug v6_cookie_mss: the IPv4 runs conform (the bug is IPv6-only)"
# minimized, the finding keeps its family: an IPv6 scenario whose SYN's MSS
# sits between the table's 1420 and 1440, and a packetdrill script for IPv6
FZ_LQ="$LISTENQ_BUILD/fuzz/test/listenq"
if [ -x "$FZ_LQ" ]; then
    "$FZ_LQ" minimize -q --model-bug v6_cookie_mss --out "$TMP/min6" \
        corpus/conformance/cookie_mss_table_ipv6.lq >"$TMP/min6.out" 2>&1
    is $? 0 "listenq minimize --model-bug v6_cookie_mss of the IPv6 cookie scenario"
    grep -v '^#' "$TMP/min6.min.lq" >"$TMP/min6.body"
    n=$(wc -l <"$TMP/min6.body")
    head -n 1 "$TMP/min6.body" | grep -qx 'family ipv6' && grep -q 'mss=14[2-3][0-9]\|mss=14[4-5][0-9]' "$TMP/min6.body" &&
        [ "$n" -le 6 ]
    ok $? "minimized to $n directives, still 'family ipv6', a SYN MSS the wrong entry misreads"
    sed 's/^/#   /' "$TMP/min6.body"
    grep -q -- '--ip_version=ipv6' "$TMP/min6.min.pkt"
    ok $? "its packetdrill script says --ip_version=ipv6"
    "$LISTENQ" run --no-progress --out "$TMP/rerun6" "$TMP/min6.min.lq" >/dev/null 2>&1
    is $? 0 "the minimal IPv6 scenario conforms with the correct model"
else
    skip "listenq minimize --model-bug v6_cookie_mss" "no fuzz test build (clang missing)"
fi

# A planted migration bug: a child migrating from a closing SO_REUSEPORT
# listener refused by the target's full accept queue, where
# inet_csk_reqsk_queue_add checks only that the target listens. The
# scenario whose target is full (listen 0 with one child) diverges at the
# close: the wrong model resets the child, the kernel moves it.
"$TEST_LQ" run --no-progress --out "$out" --model-bug migrate_full \
    corpus/conformance/migrate_target_full.lq >"$TMP/r4" 2>&1
is $? 1 "planted bug migrate_full: exit 1"
grep -A4 "divergence at line" "$TMP/r4" | grep -q 'close' && grep -A6 "divergence at line" "$TMP/r4" | grep -q 'RST'
ok $? "planted bug migrate_full: divergence at the close, the model's RST"
"$TEST_LQ" run --no-progress --out "$out" --model-bug migrate_full \
    corpus/conformance/migrate_children_and_requests.lq >/dev/null 2>&1
is $? 0 "planted bug migrate_full: a target with room conforms (the bug needs a full queue)"
if [ -x "$FZ_LQ" ]; then
    "$FZ_LQ" minimize -q --model-bug migrate_full --out "$TMP/minm" \
        corpus/conformance/migrate_target_full.lq >"$TMP/minm.out" 2>&1
    is $? 0 "listenq minimize --model-bug migrate_full of the migration scenario"
    grep -v '^#' "$TMP/minm.min.lq" >"$TMP/minm.body"
    n=$(wc -l <"$TMP/minm.body")
    grep -qx 'listener [A-Za-z0-9]* reuseport' "$TMP/minm.body" &&
        grep -qx 'sysctl net.ipv4.tcp_migrate_req=1' "$TMP/minm.body" &&
        grep -qxE 'close( [A-Za-z0-9]+)?' "$TMP/minm.body" && [ "$n" -lt 20 ]
    ok $? "minimized to $n directives: the listeners, tcp_migrate_req=1, a close"
    sed 's/^/#   /' "$TMP/minm.body"
    "$LISTENQ" run --no-progress --out "$TMP/rerunm" "$TMP/minm.min.lq" >/dev/null 2>&1
    is $? 0 "the minimal migration scenario conforms with the correct model"
else
    skip "listenq minimize --model-bug migrate_full" "no fuzz test build (clang missing)"
fi
tap_done
