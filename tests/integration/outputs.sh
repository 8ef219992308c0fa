#!/bin/sh
# Output paths are checked before a run (exit 2, named): --out that is a
# file or on a read-only file system, --junit/--json that are directories or
# in no directory; devices and FIFOs are written in place. A write that fails later (a full disk) makes
# the run exit 3 and names every path that failed; a JSON lines file never
# keeps a torn last line. Artifacts are unique per path and run, and their
# records carry the run's id. The file systems are tmpfs mounts in a mount
# namespace of the test's own (unshare -m).
. tests/integration/lib.sh.inc
s=corpus/conformance/quarter_rule.lq

# --junit / --json: no privileges needed
mkdir "$TMP/adir"
"$LISTENQ" run --model-only --no-progress --junit "$TMP/adir" "$s" >"$TMP/r" 2>&1
is $? 2 "--junit DIRECTORY: exit 2"
grep -q -- "--junit $TMP/adir: not a regular file (a directory)" "$TMP/r"
ok $? "... named"
# A device or a FIFO is written in place, never replaced: a listenq that
# renamed its temporary file over what --json, --junit or kcidb -o named
# turned /dev/null into a regular file. A pipe (a FIFO whose reader is the
# pipeline's, there before listenq opens it, as for `--json /dev/stdout | jq`
# or `--json >(jq)`) gets every JSON line and one whole JUnit document; a
# FIFO without a reader is an error, not a writer blocked forever, and stays
# a FIFO. A device node of our own stands for /dev/null.
{
    "$LISTENQ" run --model-only --no-progress --json /dev/fd/3 corpus/conformance 3>&1 \
        >"$TMP/r" 2>&1
    echo $? >"$TMP/rc"
} | cat >"$TMP/pipe.json"
is "$(cat "$TMP/rc")" 0 "--json a pipe (/dev/fd/3): exit 0"
nsc=$(ls corpus/conformance/*.lq | wc -l | tr -d ' ')
is "$(grep -c '"status"' "$TMP/pipe.json")" "$nsc" "... and its reader got one line per scenario"
{
    "$LISTENQ" run --model-only --no-progress --junit /dev/fd/3 corpus/conformance 3>&1 \
        >"$TMP/r" 2>&1
    echo $? >"$TMP/rc"
} | cat >"$TMP/pipe.xml"
is "$(cat "$TMP/rc")" 0 "--junit a pipe: exit 0"
is "$(grep -c '^<?xml' "$TMP/pipe.xml")" 1 "... one JUnit document, written once"
grep -q "tests=\"$nsc\"" "$TMP/pipe.xml"
ok $? "... holding every scenario"
mkfifo "$TMP/pipe"
timeout 20 "$LISTENQ" run --model-only --no-progress --json "$TMP/pipe" "$s" >"$TMP/r" 2>&1
is $? 3 "--json a FIFO that nobody reads: exit 3, not a hang"
grep -q "cannot open $TMP/pipe: a FIFO that no process reads" "$TMP/r"
ok $? "... named"
[ -p "$TMP/pipe" ]
ok $? "... and the FIFO is still a FIFO"
# a link to a regular file: the file is replaced, the link stays a link
: >"$TMP/target.xml"
ln -s target.xml "$TMP/link.xml"
"$LISTENQ" run --model-only --no-progress --junit "$TMP/link.xml" "$s" >"$TMP/r" 2>&1
[ $? = 0 ] && [ -L "$TMP/link.xml" ] && grep -q '<testsuites>' "$TMP/target.xml"
ok $? "--junit a link to a file: the file is written, the link stays"
if [ "$(id -u)" = 0 ] && mknod "$TMP/null" c 1 3 2>/dev/null; then
    "$LISTENQ" run --model-only --no-progress --json "$TMP/null" --junit "$TMP/null" "$s" \
        >"$TMP/r" 2>&1
    is $? 0 "--json and --junit a character device (/dev/null): exit 0"
    [ -c "$TMP/null" ]
    ok $? "... and it is still a character device"
    "$LISTENQ" run --model-only --no-progress --json "$TMP/r.jsonl" "$s" >/dev/null 2>&1
    "$LISTENQ" kcidb -o "$TMP/null" "$TMP/r.jsonl" >"$TMP/r" 2>&1
    rc=$?
    [ $rc = 0 ] && [ -c "$TMP/null" ]
    ok $? "kcidb -o a character device: written in place ($rc), still a device"
else
    for t in "--json a device: exit 0" "--json a device: still a device" "kcidb -o a device"; do
        skip "$t" "making a device node needs root"
    done
fi
"$LISTENQ" run --model-only --no-progress --junit "$TMP/nodir/r.xml" --json "$TMP/nodir/r.jsonl" "$s" >"$TMP/r" 2>&1
is $? 2 "--junit and --json in a missing directory: exit 2"
is "$(grep -c "no directory $TMP/nodir" "$TMP/r")" 2 "... both named"

# A file size limit stops an append part way (RLIMIT_FSIZE, SIGXFSZ ignored):
# the line is cut back, the file keeps whole lines only, and the run exits 3.
sh -c 'trap "" XFSZ; ulimit -f 8; exec "$1" run --model-only --no-progress --json "$2" "$3"' sh \
    "$LISTENQ" "$TMP/lim.jsonl" corpus/conformance >/dev/null 2>"$TMP/lim.err"
is $? 3 "--json past a file size limit: exit 3"
grep -q "could not write: cannot append to $TMP/lim.jsonl: .* bytes written" "$TMP/lim.err"
ok $? "... named"
[ -s "$TMP/lim.jsonl" ] && [ "$(tail -c 1 "$TMP/lim.jsonl" | od -An -c | tr -d ' ')" = '\n' ]
ok $? "... and the file ends with a whole line (no torn last line)"

why=$(live_unavailable)
if [ -n "$why" ]; then
    for t in "--out FILE" "--out FILE named" "--out read-only" "--out read-only named" \
        "--junit read-only" "full disk: exit 3" "full disk: every failed path" \
        "full disk: no torn line" "unique pcaps" "run ids"; do
        skip "$t" "$why"
    done
    tap_done
    exit $?
fi
touch "$TMP/ofile"
"$LISTENQ" run --no-progress --out "$TMP/ofile" "$s" >"$TMP/r" 2>&1
is $? 2 "--out a regular file: exit 2"
grep -q -- "--out $TMP/ofile: exists and is not a directory" "$TMP/r"
ok $? "... named"

# In a mount namespace of our own: a read-only tmpfs and a small full one.
if ! unshare -m true 2>/dev/null; then
    for t in "--out read-only" "--out read-only named" "--junit read-only" "full disk: exit 3" \
        "full disk: every failed path" "full disk: no torn line"; do
        skip "$t" "unshare -m is not possible here"
    done
else
    mkdir "$TMP/ro" "$TMP/full"
    TEST_LQ=$(readlink -f "$LISTENQ_BUILD/listenq-test")
    unshare -m sh -c '
        mount --make-rprivate / 2>/dev/null
        mount -t tmpfs -o size=1m,ro tmpfs "$1/ro" || exit 99
        "$2" run --no-progress --out "$1/ro/out" "$3" >"$1/ro.out" 2>&1
        echo $? >"$1/ro.rc"
        "$2" run --no-progress --model-only --junit "$1/ro/r.xml" "$3" >"$1/roj.out" 2>&1
        echo $? >"$1/roj.rc"
        # 256 KiB, filled but for one page: the first records fit, the next
        # pcaps and lines do not
        mount -t tmpfs -o size=256k tmpfs "$1/full" || exit 99
        i=0
        while dd if=/dev/zero of="$1/full/fill.$i" bs=4096 count=1 2>/dev/null; do i=$((i + 1)); done
        rm -f "$1/full/fill.$i" "$1/full/fill.0"
        "$4" run --no-progress --model-bug acceptq_n --out "$1/full/out" --json "$1/full/r.jsonl" \
            "$5" >"$1/full.out" 2>&1
        echo $? >"$1/full.rc"
        cp "$1/full/r.jsonl" "$1/r.jsonl" 2>/dev/null
        cp "$1/full/out/divergences.jsonl" "$1/d.jsonl" 2>/dev/null
        true
    ' sh "$TMP" "$(readlink -f "$LISTENQ")" "$(pwd)/$s" "$TEST_LQ" "$(pwd)/corpus/conformance"
    is "$(cat "$TMP/ro.rc")" 2 "--out on a read-only file system: exit 2"
    grep -q -- "--out $TMP/ro/out: cannot be made in $TMP/ro: Read-only file system" "$TMP/ro.out"
    ok $? "... named, with the reason"
    is "$(cat "$TMP/roj.rc")" 2 "--junit on a read-only file system: exit 2"
    is "$(cat "$TMP/full.rc")" 3 "full disk: exit 3 (a write failed), not 1"
    n=$(grep -c "^listenq: could not write: " "$TMP/full.out")
    [ "$n" -ge 2 ] && grep "^listenq: could not write: " "$TMP/full.out" | grep -q "\.pcap"
    ok $? "full disk: every failed path is named, not only the first ($n)"
    if command -v python3 >/dev/null 2>&1; then
        python3 -c '
import json, sys
for f in sys.argv[1:]:
    try:
        data = open(f, "rb").read()
    except OSError:
        continue
    assert not data or data.endswith(b"\n"), f + ": torn last line"
    for line in data.splitlines():
        json.loads(line.decode("utf-8", "strict"))
' "$TMP/r.jsonl" "$TMP/d.jsonl"
        ok $? "full disk: every JSON line is whole (no torn last line)"
    else
        skip "full disk: no torn line" "python3 is not installed"
    fi
fi

# Two scenarios of one name in two directories, twice, and two runs into one
# --out: every pcap has a name of its own, and every record its run's id.
mkdir -p "$TMP/dupA/x" "$TMP/dupB/x"
cp corpus/conformance/listen_zero_takes_one_syn.lq "$TMP/dupA/x/same.lq"
cp corpus/conformance/listen_zero_takes_one_syn.lq "$TMP/dupB/x/same.lq"
for k in 1 2; do
    "$LISTENQ_BUILD/listenq-test" run --no-progress --model-bug synq_full_ge --out "$TMP/dup" \
        "$TMP/dupA" "$TMP/dupB" >"$TMP/dup.$k" 2>&1
done
is "$(ls "$TMP/dup"/*.pcap | wc -l | tr -d ' ')" 4 "two runs of two same-named scenarios: 4 pcaps"
if command -v python3 >/dev/null 2>&1; then
    python3 -c '
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
assert len(recs) == 4, recs
assert len({r["pcap"] for r in recs}) == 4
assert len({r["run"] for r in recs}) == 2
assert {r["file"].split("/")[-3] for r in recs} == {"dupA", "dupB"}
' "$TMP/dup/divergences.jsonl"
    ok $? "4 records, each its own pcap, two run ids"
else
    skip "run ids" "python3 is not installed"
fi
tap_done
