#!/bin/sh
# listenq record stores the kernel's answers; listenq replay compares this
# kernel with them, the recording being a backend (the reference) and this
# kernel the subject. A recording replays cleanly on the kernel that made
# it; a recording of another answer is a divergence, reported as run reports
# one; the committed reference recording of this kernel release
# (pcaps/<release>/) replays cleanly when this is that kernel. Recordings
# that cannot be a kernel's answers: replay_refuses.sh.
. tests/integration/lib.sh.inc
why=$(live_unavailable)
if [ -n "$why" ]; then
    echo "1..0 # SKIP $why"
    exit 4
fi
rec="$TMP/rec"
"$LISTENQ" record --fast --no-progress --out "$rec" corpus/conformance >"$TMP/r" 2>&1
is $? 0 "record the fast conformance suite (both families: record's default)"
# fast = no wait line; family-neutral = no family line: those run twice
fast_neutral=$(grep -L -e '^wait ' -e '^family ' corpus/conformance/*.lq | wc -l)
fast_family=$(grep -l '^family ' corpus/conformance/*.lq | xargs grep -L '^wait ' | wc -l)
want=$((2 * fast_neutral + fast_family))
is "$(ls "$rec"/*.json | wc -l)" "$want" "one JSON file per fast scenario and family"
is "$(ls "$rec"/*.pcap | wc -l)" "$want" "one pcap per fast scenario and family (header only when nothing was sent)"
# the neutral ones once each, plus the fast scenarios of one family alone
fast_only6=$(grep -l '^family ipv6' corpus/conformance/*.lq | xargs grep -L '^wait ' | wc -l)
fast_only4=$(grep -l '^family ipv4' corpus/conformance/*.lq | xargs grep -L '^wait ' | wc -l)
is "$(ls "$rec"/*@ipv6.json | wc -l)" \
    "$(( $(ls "$rec"/*@ipv4.json | wc -l) + fast_only6 - fast_only4))" \
    "NAME@ipv4 and NAME@ipv6 recordings (as many more IPv6 ones as IPv6-only scenarios outnumber IPv4-only ones)"
if command -v tshark >/dev/null 2>&1; then
    tshark -r "$rec/conformance-synq_full_cookie@ipv4.pcap" >/dev/null 2>&1
    ok $? "tshark reads a recorded pcap"
    tshark -r "$rec/conformance-synq_full_cookie@ipv6.pcap" -T fields -e ipv6.src -e tcp.flags.str \
        2>/dev/null | grep -q '^2001:db8::1.*S'
    ok $? "tshark reads an IPv6 recording: a SYN-ACK from 2001:db8::1"
else
    skip "tshark reads a recorded pcap" "tshark is not installed"
fi
if command -v python3 >/dev/null 2>&1; then
    is "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["family"])' \
        "$rec/conformance-synq_full_cookie@ipv6.json")" ipv6 "the recording carries its family"
fi
"$LISTENQ" replay --no-progress "$rec" >"$TMP/p" 2>&1
is $? 0 "the recording replays cleanly on the kernel that made it"
tail -n 1 "$TMP/p" | grep -q "0 failed"
ok $? "replay summary: 0 failed"

if command -v python3 >/dev/null 2>&1; then
    # a kernel that answered c3 with a normal SYN-ACK: cookie false and the
    # relation of a new ISN (an impossible mix is refused: replay_refuses.sh)
    python3 - "$rec/conformance-synq_full_cookie@ipv4.json" "$TMP/tampered.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for o in d["trace"]["observations"]:
    if o["event"] == "syn c3 mss=1460":
        o["packets"][0]["cookie"] = False
        o["packets"][0]["seq_rel"] = "srv_new"
d["pcap"] = "rec/" + d["pcap"]  # the tampered copy sits beside rec/
json.dump(d, open(sys.argv[2], "w"))
PY
    "$LISTENQ" replay --no-progress --out "$TMP/rout" "$TMP/tampered.json" >"$TMP/t" 2>&1
    is $? 1 "a recording of another answer: exit 1"
    grep -q "divergence at line 10: syn c3 mss=1460" "$TMP/t"
    ok $? "the divergence names the event"
    grep -q "recording *: SYN-ACK c3 seq=new-isn" "$TMP/t" && grep -q "kernel *: SYN-ACK c3 seq=cookie" "$TMP/t"
    ok $? "the recording (reference) and the kernel (subject) side by side"
    # OUT/<label>.<run id>.<place in the run>.pcap
    p=$(ls "$TMP"/rout/conformance-synq_full_cookie@ipv4.*.1.pcap 2>/dev/null | head -n 1)
    [ -n "$p" ] && [ -s "$p" ] && [ -s "$TMP/rout/divergences.jsonl" ]
    ok $? "as run: the kernel's pcap and a divergences.jsonl line in --out"
else
    skip "a recording of another answer" "python3 is not installed"
fi
printf '{"format":"something-else"}\n' >"$TMP/bad.json"
"$LISTENQ" replay --no-progress "$TMP/bad.json" >"$TMP/b" 2>&1
is $? 2 "not a recording: exit 2"

release=$(uname -r)
if [ -d "pcaps/$release" ]; then
    "$LISTENQ" replay --no-progress "pcaps/$release" >"$TMP/ref" 2>&1
    rc=$?
    is $rc 0 "the committed reference recording pcaps/$release replays cleanly"
    [ $rc -eq 0 ] || sed -n '1,40p' "$TMP/ref" | sed 's/^/# /'
else
    skip "the committed reference recording replays" "no pcaps/$release: recorded on another kernel"
fi
tap_done
