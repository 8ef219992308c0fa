#!/bin/sh
# listenq replay refuses a recording that cannot be a kernel's answers:
# impossible values in the JSON (connections, flags, lengths, relations, a
# missing observation), a pcap that is cut short, holds another scenario's
# frames or not the client's segments the scenario sends. Each is bad input
# (exit 2) with the file and the field or frame named, before any kernel
# runs: no privileges needed. The copies are of the committed reference
# recording (pcaps/6.18.44-fc-v1045); an untouched copy is not refused.
. tests/integration/lib.sh.inc
ref=pcaps/6.18.44-fc-v1045
name=conformance-synq_full_cookie@ipv4
if [ ! -f "$ref/$name.json" ] || [ ! -f "$ref/$name.pcap" ]; then
    echo "1..0 # SKIP no reference recording $ref/$name"
    exit 4
fi
if ! command -v python3 >/dev/null 2>&1; then
    echo "1..0 # SKIP python3 is not installed (it edits the copies)"
    exit 4
fi

# fresh DIR: a copy of the recording in TMP/DIR
fresh() {
    rm -rf "$TMP/$1"
    mkdir -p "$TMP/$1"
    cp "$ref/$name.json" "$ref/$name.pcap" "$TMP/$1/"
}

# edit DIR PYTHON: runs PYTHON on the JSON as d (a dict), writes it back
edit() {
    python3 - "$TMP/$1/$name.json" "$2" <<'PY'
import json, sys
path, code = sys.argv[1], sys.argv[2]
d = json.load(open(path))
obs = d["trace"]["observations"]
exec(code)
json.dump(d, open(path, "w"))
PY
}

# refused DIR WHAT NAME: replay exits 2 and stderr holds WHAT
refused() {
    "$LISTENQ" replay --no-progress --out "$TMP/out" "$TMP/$1" >"$TMP/$1.out" 2>"$TMP/$1.err"
    rc=$?
    if [ "$rc" -eq 2 ] && grep -qF -- "$2" "$TMP/$1.err"; then
        ok 0 "$3"
    else
        ok 1 "$3"
        echo "#   exit $rc, stderr:"
        sed 's/^/#   /' "$TMP/$1.err" | head -n 5
    fi
}

fresh good
"$LISTENQ" replay --no-progress --out "$TMP/out" "$TMP/good" >"$TMP/good.out" 2>"$TMP/good.err"
rc=$?
[ "$rc" -ne 2 ]
ok $? "an untouched copy is not refused (exit $rc: 0 or 1 by the kernel, 4 without privileges)"

# obs[4] is line 10, "syn c3 mss=1460": the kernel's cookie SYN-ACK
fresh conn
edit conn 'obs[4]["packets"][0]["conn"] = 7'
refused conn "$name.json: trace.observations[4].packets[0].conn: 7 is out of range (0..2)" \
    "a packet to a connection the scenario does not have: the field named"

fresh fam
edit fam 'd["family"] = "ipv5"'
refused fam "$name.json: family: 'ipv5' is not ipv4, ipv6 or dual" \
    "a family that is none: refused, the field named"

fresh famline
edit famline 'd["text"] = "family ipv6\n" + d["text"]'
refused famline "$name.json: family: 'ipv4' is not the family the scenario's family line says" \
    "a family the scenario's family line contradicts: refused"

fresh flags
edit flags 'obs[4]["packets"][0]["flags"] = 2'
refused flags "trace.observations[4].packets[0].flags: 0x02" \
    "a bare SYN from the listener's side: refused"

fresh len
edit len 'obs[4]["packets"][0]["len"] = 70000'
refused len "trace.observations[4].packets[0].len: 70000 is out of range (0..65535)" \
    "a payload longer than a segment can be: refused"

fresh rel
edit rel 'obs[4]["packets"][0]["cookie"] = False'
refused rel "trace.observations[4].packets[0].seq_rel: 'cookie' does not go with cookie false" \
    "a cookie relation on a SYN-ACK marked as no cookie: refused"

fresh missing
edit missing 'del obs[4]'
refused missing "trace.observations: 4 observations: the scenario's event at line 10 has none" \
    "an event without an observation: refused"

fresh accept
edit accept 'obs[2]["accept"] = 0'
refused accept "trace.observations[2].accept: an accept result on a directive that is no accept" \
    "an accept() result on a SYN: refused"

fresh cut
size=$(wc -c <"$TMP/cut/$name.pcap")
head -c $((size - 10)) "$ref/$name.pcap" >"$TMP/cut/$name.pcap"
refused cut "$name.pcap: frame" "a pcap cut inside a frame: refused, the pcap and frame named"

fresh short
python3 - "$TMP/short/$name.pcap" <<'PY'
import struct, sys
path = sys.argv[1]
b = open(path, "rb").read()
out, off, n = b[:24], 24, 0
while off < len(b) and n < 6:  # keep the first 6 frames: c3's SYN-ACK is later
    caplen = struct.unpack("<I", b[off + 8:off + 12])[0]
    out += b[off:off + 16 + caplen]
    off += 16 + caplen
    n += 1
open(path, "wb").write(out)
PY
refused short "$name.json: trace.observations" "a pcap without the frames the JSON names: refused"

fresh other
cp "$ref/conformance-accept_fifo@ipv4.pcap" "$TMP/other/$name.pcap"
refused other "$name.pcap" "another scenario's pcap: refused, the pcap named"

fresh text
edit text 'd["text"] = d["text"].replace("syn c3 mss=1460", "syn c3 mss=1400")'
refused text "the client's segment differs from the scenario's (MSS option)" \
    "a pcap whose client segments are not the scenario's: refused"
tap_done
