#!/bin/sh
# The kselftest target (make kselftest-install, dist/kselftest/) run by the
# kernel's own runner: run_kselftest.sh and kselftest/runner.sh from Debian's
# linux-source-6.12 (unpacked at test time, lib.sh.inc kernel_tools). What the
# runner must print comes from runner.sh's contract (tools.md of the kernel:
# `ok N selftests: DIR: PROG`, `# SKIP` for exit 4, `# exit=RC` otherwise)
# and kselftest.h's exit codes (0 pass, 1 fail, 4 skip; 2 and 3 are XFAIL and
# XPASS, which listenq's 2 and 3 must not be read as).
. tests/integration/lib.sh.inc
ksft="$TMP/ksft"
make -s --no-print-directory kselftest-install-files DESTDIR="$ksft" LISTENQ="$LISTENQ" \
    >"$TMP/make" 2>&1
ok $? "make kselftest-install-files DESTDIR=..."
d="$ksft/listenq"
test -x "$d/listenq" && test -x "$d/conformance.sh" && test -x "$d/replay.sh" &&
    test -d "$d/corpus/conformance"
ok $? "DIR/listenq holds the binary, the run scripts and the corpus"
is "$(cat "$ksft/kselftest-list.txt" | tr '\n' ' ')" "listenq:conformance.sh listenq:replay.sh " \
    "kselftest-list.txt names the programs as collection:program"
grep -q '^TEST_PROGS := conformance.sh replay.sh$' "$d/Makefile" && grep -q '^include ../lib.mk$' "$d/Makefile"
ok $? "the Makefile declares TEST_PROGS and includes lib.mk, as a selftests/ folder does"
# the kernel options the harness needs (docs/matrix.md): namespaces, veth,
# packet sockets, sock_diag for the SYN queue, cookies, IPv6
missing=""
for o in NET_NS VETH PACKET INET_DIAG INET_TCP_DIAG SYN_COOKIES IPV6; do
    grep -Eq "^CONFIG_$o=[ym]$" "$d/config" || missing="$missing $o"
done
is "$missing" "" "the config fragment names every option listenq needs"
grep -Eq '^timeout=[0-9]+$' "$d/settings"
ok $? "settings has a timeout"

# exit statuses through the scripts, with a stand-in for listenq
mkdir -p "$TMP/map"
cp "$d/conformance.sh" "$TMP/map/"
mkdir -p "$TMP/map/corpus/conformance"
got=""
for rc in 0 1 2 3 4; do
    printf '#!/bin/sh\nexit %s\n' "$rc" >"$TMP/map/listenq"
    chmod +x "$TMP/map/listenq"
    sh "$TMP/map/conformance.sh" >/dev/null 2>&1
    got="$got $rc->$?"
done
is "$got" " 0->0 1->1 2->1 3->1 4->4" "listenq's 2 and 3 become 1, never XFAIL/XPASS; 4 stays skip"

if dir=$(kernel_tools); then
    cp "$dir/tools/testing/selftests/run_kselftest.sh" "$ksft/"
    mkdir -p "$ksft/kselftest"
    cp "$dir/tools/testing/selftests/kselftest/"* "$ksft/kselftest/"
    printf 'listen 1\nsyn a\nexpect synq 2\n' >"$TMP/fails.lq"
    # a failing run: the model alone, with one scenario whose expectation fails
    KSELFTEST_CONFORMANCE_SH_ARGS="--model-only --fast $TMP/fails.lq" \
        "$ksft/run_kselftest.sh" -t listenq:conformance.sh 2>&1 | cat >"$TMP/fail.out"
    grep -q '^not ok 1 selftests: listenq: conformance.sh # exit=1$' "$TMP/fail.out"
    ok $? "run_kselftest.sh: a failing scenario fails the program with exit=1"
    grep -q '^# not ok [0-9]* [^ ]*/fails@ipv6$' "$TMP/fail.out" && grep -q '^# not ok [0-9]* [^ ]*/fails@ipv4$' "$TMP/fail.out"
    ok $? "run_kselftest.sh: the failing scenario is a nested not ok line per family (NAME@ipv4, NAME@ipv6)"
    grep -q '^# TAP version 13$' "$TMP/fail.out"
    ok $? "run_kselftest.sh: the nested KTAP starts with '# TAP version' (what NIPA looks for)"
    why=$(live_unavailable)
    if [ -z "$why" ]; then
        "$ksft/run_kselftest.sh" -c listenq 2>&1 | cat >"$TMP/live.out"
        grep -q '^ok 1 selftests: listenq: conformance.sh$' "$TMP/live.out"
        rc=$?
        ok $rc "run_kselftest.sh: the conformance suite passes on this kernel"
        # each failing scenario with the lines that say why (its report's
        # details come before its "not ok" line)
        [ $rc -eq 0 ] || grep -B 12 '^# not ok' "$TMP/live.out" | grep -v '^# ok ' | head -n 60
        if [ -d "$d/pcaps/$(uname -r)" ]; then
            grep -q '^ok 2 selftests: listenq: replay.sh$' "$TMP/live.out"
            ok $? "run_kselftest.sh: this kernel's reference recording replays"
        else
            grep -q '^ok 2 selftests: listenq: replay.sh # SKIP$' "$TMP/live.out"
            ok $? "run_kselftest.sh: replay.sh is a skip (exit 4) without a recording of $(uname -r)"
        fi
        if "$PY3" tests/integration/ktap_read.py "$dir/tools/testing/kunit" <"$TMP/live.out" \
            >"$TMP/kunit" 2>/dev/null; then
            is "$(awk -F '\t' '$1 == "test" { print $3 "=" $4 }' "$TMP/kunit" | tr '\n' ' ')" \
                "selftests: listenq: conformance.sh=SUCCESS selftests: listenq: replay.sh=$(
                    [ -d "$d/pcaps/$(uname -r)" ] && echo SUCCESS || echo SKIPPED) " \
                "kunit_parser reads the runner's output"
        else
            ok 1 "kunit_parser reads the runner's output"
        fi
    else
        "$ksft/run_kselftest.sh" -t listenq:conformance.sh 2>&1 | cat >"$TMP/skip.out"
        grep -q '^ok 1 selftests: listenq: conformance.sh # SKIP$' "$TMP/skip.out"
        ok $? "run_kselftest.sh: without privileges the program is a skip ($why)"
    fi
else
    skip "the kselftest runner runs the target" "$dir"
fi
tap_done
