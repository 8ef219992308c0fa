#!/bin/sh
# Inputs that once hung, lied or were taken silently: a FIFO where a scenario
# goes, a dangling symbolic link in a corpus, an empty subdirectory, numeric
# options with junk, stray arguments. Each is refused with exit 2 and a
# message that names it (model-only: no privileges needed).
. tests/integration/lib.sh.inc

# A FIFO never sends EOF: reading it would block forever. `timeout` turns a
# hang into status 124, which no check below accepts.
mkfifo "$TMP/fifo.lq"
timeout 10 "$LISTENQ" run --model-only --no-progress "$TMP/fifo.lq" >"$TMP/out" 2>&1
is $? 2 "run FIFO: exit 2, no hang"
grep -q "fifo.lq: not a regular file (a FIFO)" "$TMP/out"
ok $? "run FIFO: the message names the file and what it is"
timeout 10 "$LISTENQ" explain "$TMP/fifo.lq" >"$TMP/out" 2>&1
is $? 2 "explain FIFO: exit 2, no hang"
mkdir -p "$TMP/corpus/sub"
cp corpus/conformance/quarter_rule.lq "$TMP/corpus/"
mkfifo "$TMP/corpus/sub/pipe.lq"
timeout 10 "$LISTENQ" run --model-only --no-progress "$TMP/corpus" >"$TMP/out" 2>&1
is $? 2 "a FIFO inside a corpus directory: exit 2, no hang"
grep -q "sub/pipe.lq: not a regular file (a FIFO)" "$TMP/out"
ok $? "... named"
rm -f "$TMP/corpus/sub/pipe.lq"

# A dangling link named *.lq is a scenario that cannot be read: said, not skipped.
ln -s "$TMP/nowhere.lq" "$TMP/corpus/sub/gone.lq"
"$LISTENQ" run --model-only --no-progress "$TMP/corpus" >"$TMP/out" 2>&1
is $? 2 "a dangling symbolic link in a corpus: exit 2"
grep -q "gone.lq: a symbolic link to a missing file" "$TMP/out"
ok $? "... named"
rm -f "$TMP/corpus/sub/gone.lq"

# An empty subdirectory is fine (and, in a sanitizer build, no qsort(NULL, 0)).
"$LISTENQ" run --model-only --no-progress "$TMP/corpus" >"$TMP/out" 2>&1
is $? 0 "a corpus with an empty subdirectory runs"

# Numeric options: the whole value, in range, or exit 2 naming the option.
s=corpus/conformance/quarter_rule.lq
for v in abc -5 99999999999999999999999 5x "" " 5" 0x; do
    "$LISTENQ" run --model-only --no-progress --shuffle "$v" "$s" >"$TMP/out" 2>&1
    rc=$?
    grep -q -- "--shuffle takes" "$TMP/out"
    ok $((rc != 2 || $?)) "--shuffle '$v': exit 2 naming the option (got $rc)"
done
for v in 5x 0 -1 1000001 "" 1e3; do
    "$LISTENQ" run --model-only --no-progress --repeat "$v" "$s" >"$TMP/out" 2>&1
    rc=$?
    grep -q -- "--repeat takes" "$TMP/out"
    ok $((rc != 2 || $?)) "--repeat '$v': exit 2 naming the option (got $rc)"
done
"$LISTENQ" run --model-only --no-progress --shuffle 0x1f --repeat 3 "$s" >"$TMP/out" 2>&1
is $? 0 "--shuffle 0x1f --repeat 3 are taken"
is "$(grep -c '^ok' "$TMP/out")" 3 "--repeat 3 runs the scenario 3 times"
"$LISTENQ" run --model-only --no-progress --shuffle 18446744073709551615 "$s" >/dev/null 2>&1
is $? 0 "--shuffle takes the largest 64-bit seed"
for o in "--jobs 2x" "--time -1" "--max-runs x"; do
    # shellcheck disable=SC2086
    "$LISTENQ" fuzz $o >"$TMP/out" 2>&1
    rc=$?
    grep -q -- "${o%% *} takes" "$TMP/out"
    ok $((rc != 2 || $?)) "fuzz $o: exit 2 naming the option (got $rc)"
done
"$LISTENQ" minimize --max-runs 10k "$s" >"$TMP/out" 2>&1
is $? 2 "minimize --max-runs 10k: exit 2"
"$LISTENQ" matrix --timeout 600s >"$TMP/out" 2>&1
is $? 2 "matrix --timeout 600s: exit 2"
grep -q -- "--timeout takes" "$TMP/out"
ok $? "... naming the option"

# Commands without options refuse what they do not take.
"$LISTENQ" profiles --bogus >/dev/null 2>&1
is $? 2 "profiles --bogus: exit 2"
"$LISTENQ" profiles --help >/dev/null 2>&1
is $? 0 "profiles --help: exit 0"
"$LISTENQ" version --bogus >/dev/null 2>&1
is $? 2 "version --bogus: exit 2"
"$LISTENQ" bench --quick extra >/dev/null 2>&1
is $? 2 "bench with a stray argument: exit 2"

# `listen 1 2` says what the form of the line is.
printf 'listen 1 2\n' >"$TMP/l.lq"
"$LISTENQ" run --model-only "$TMP/l.lq" >"$TMP/out" 2>&1
grep -q "l.lq:1:10: unexpected '2' at the end of the line (the form is: listen BACKLOG)" "$TMP/out"
ok $? "listen 1 2: the message gives the form of the line"

# A sanitizer build reports with exit status 3 (harness failure), not 1 (the
# status of a divergence). ASan prints the sanitizers' common options, exitcode
# among them (UBSan shares it in an address,undefined build), with help=1.
san=$LISTENQ_BUILD/sanitize/listenq
[ -x "$san" ] || san=$LISTENQ
if ASAN_OPTIONS=help=1 "$san" version 2>&1 | grep -q "exitcode"; then
    ASAN_OPTIONS=help=1 "$san" version 2>&1 | grep -A1 "^	exitcode" | grep -q "Current Value: 3"
    ok $? "a sanitizer report exits 3 in the sanitizer build ($san)"
    "$san" run --model-only --no-progress "$TMP/corpus" >"$TMP/out" 2>&1
    is $? 0 "the sanitizer build reads a corpus with an empty subdirectory cleanly"
else
    why="no sanitizer build here (make SANITIZE=address,undefined; CI's ci/sanitize.sh makes one)"
    skip "a sanitizer report exits 3 in the sanitizer build" "$why"
    skip "the sanitizer build reads a corpus with an empty subdirectory cleanly" "$why"
fi
tap_done
