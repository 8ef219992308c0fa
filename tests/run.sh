#!/bin/sh
# tests/run.sh BUILD_DIR [TIER...]: runs every test this machine can run and
# ends with the summary line "N passed, N failed[, N skipped]".
#
# Tiers (default: all of them, in this order):
#   unit         BUILD_DIR/tests/test_* : C unit tests (TAP), discovered by name
#   integration  tests/integration/*.sh : command-line and live-kernel tests (TAP)
# Every test program prints TAP; a program that exits non-zero without a
# "not ok" line, or prints fewer results than its plan, counts as one failure.
# Skipped checks are listed with their reasons.
#
# LISTENQ_TEST_JOBS test programs run at once (default: the CPUs and one
# more; 1: one after another), the long ones first; each one's line is
# printed in the order above as soon as it and the ones before it are done,
# so the log reads the same whatever the number. A test with the line
# "# tests/run.sh: alone" runs first, by itself, before the others start.
set -u
if [ "${1:-}" = "--one" ]; then
    # tests/run.sh --one DIR INDEX: runs test INDEX of DIR/list (its name, a
    # tab, its command) into DIR/INDEX.out, .err, .secs, and last .rc
    dir=$2 idx=$3
    cmd=$(sed -n "${idx}p" "$dir/list" | cut -f2-)
    start=$(date +%s)
    # its pid kept for an interrupted run to stop it; timeout gives the test
    # SIGINT and SIGQUIT back (xargs, a background job, has them ignored)
    # shellcheck disable=SC2086 # the command is words without blanks
    sh -c 'echo $$ >"$1"; shift; exec timeout -k 10 "$@"' sh "$dir/$idx.pid" \
        "${LISTENQ_TEST_TIMEOUT:-600}" $cmd >"$dir/$idx.out" 2>"$dir/$idx.err" </dev/null
    rc=$?
    [ -d "$dir" ] || exit 0 # an interrupted run, cleaned up
    { echo $(($(date +%s) - start)) >"$dir/$idx.secs" &&
        echo $rc >"$dir/$idx.tmp" && mv "$dir/$idx.tmp" "$dir/$idx.rc"; } 2>/dev/null
    exit 0
fi
build=${1:-build}
shift 2>/dev/null || true
tiers=${*:-unit integration}
export LISTENQ_BUILD="$build"
export LISTENQ="$build/listenq"
# one more than the CPUs by default: the live tests spend much of their
# time waiting for the kernel's timers
jobs=${LISTENQ_TEST_JOBS:-$(($(nproc 2>/dev/null || echo 1) + 1))}
case "$jobs" in
'' | *[!0-9]* | 0) echo "tests/run.sh: LISTENQ_TEST_JOBS takes a number 1.., not '$jobs'" >&2; exit 2 ;;
esac
# Started first, longest first (seconds on a 2-core machine): the rest fill
# the gaps beside them. Only the start order: every test still runs.
long_first="integration/live_jobs integration/matrix_smoke integration/fuzz_smoke
unit/test_decode integration/live_conformance integration/kselftest_target integration/outputs
integration/live_real_time integration/install_tree integration/mutate_smoke"

passed=0 failed=0 skipped=0
skips="" failures=""
tmp=$(mktemp -d "${TMPDIR:-/tmp}/listenq-tests.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

report_one() { # name index: the result of a test run by --one
    name=$1
    out="$tmp/$2.out" err="$tmp/$2.err"
    rc=$(cat "$tmp/$2.rc") secs=$(cat "$tmp/$2.secs")
    # p f s plan  (plan = -1 when missing)
    set -- $(awk '
        /^ok [0-9]+/ { if ($0 ~ /# *SKIP/) s++; else p++; next }
        /^not ok [0-9]+/ { if ($0 ~ /# *TODO/) p++; else f++; next }
        /^1\.\.[0-9]+/ { split($0, a, /\.\./); plan = a[2] + 0; if ($0 ~ /# *SKIP/) allskip = 1 }
        END { if (plan == "") plan = -1; print p + 0, f + 0, s + 0, plan, allskip + 0 }
    ' "$out")
    p=$1 f=$2 s=$3 plan=$4 allskip=$5
    total=$((p + f + s))
    extra=""
    if [ "$plan" -ge 0 ] && [ "$plan" -ne "$total" ]; then
        f=$((f + 1)); extra=" (planned $plan, ran $total)"
    elif [ "$plan" -lt 0 ]; then
        f=$((f + 1)); extra=" (no TAP plan)"
    elif [ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && ! { [ "$rc" -eq 4 ] && [ "$allskip" -eq 1 ]; }; then
        f=$((f + 1)); extra=" (exit status $rc)"
    fi
    if [ "$allskip" -eq 1 ] && [ "$total" -eq 0 ]; then
        reason=$(sed -n 's/^1\.\.0 *# *SKIP *//p' "$out" | head -n 1)
        s=1
        skips="$skips
  $name: ${reason:-no reason given}"
    fi
    passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
    status=ok
    [ "$f" -gt 0 ] && status=FAIL
    printf '%-4s %-44s %4d passed %3d failed %3d skipped %4ss%s\n' "$status" "$name" "$p" "$f" "$s" "$secs" "$extra"
    awk '/^ok [0-9]+.*# *SKIP/ { sub(/^ok [0-9]+ *-? */, ""); print }' "$out" >"$tmp/skips"
    while IFS= read -r line; do
        skips="$skips
  $name: $line"
    done <"$tmp/skips"
    if [ "$f" -gt 0 ]; then
        failures="$failures $name"
        echo "---- $name: failing output ----"
        # the diagnostics a test prints before its verdict say why too
        grep -n -B12 -A8 '^not ok' "$out" | head -n 120
        [ -n "$extra" ] && tail -n 20 "$out"
        echo "---- $name: stderr (last 30 lines) ----"
        tail -n 30 "$err"
        echo "----"
    fi
}

# The list: one line per test, its name, a tab and its command.
: >"$tmp/list"
for tier in $tiers; do
    case "$tier" in
    unit)
        for t in "$build"/tests/test_*; do
            [ -x "$t" ] || continue
            printf 'unit/%s\t%s\n' "$(basename "$t")" "$t" >>"$tmp/list"
        done
        ;;
    integration)
        for t in tests/integration/*.sh; do
            [ -f "$t" ] || continue
            printf 'integration/%s\tsh %s\n' "$(basename "$t" .sh)" "$t" >>"$tmp/list"
            grep -q '^# tests/run.sh: alone' "$t" && wc -l <"$tmp/list" >>"$tmp/alone"
        done
        ;;
    *)
        echo "tests/run.sh: unknown tier '$tier'" >&2
        exit 2
        ;;
    esac
done
n=$(wc -l <"$tmp/list")
touch "$tmp/alone"
xargs_pid=""
stop() {
    [ -n "$xargs_pid" ] && kill "$xargs_pid" 2>/dev/null
    for f in "$tmp"/*.pid; do
        [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null
    done
    [ -n "$xargs_pid" ] && wait "$xargs_pid" 2>/dev/null
    rm -rf "$tmp"
    exit 130
}
trap stop INT TERM
# The tests that run alone, one after another, before the others start.
while read -r a; do
    sh "$0" --one "$tmp" "$a"
done <"$tmp/alone"
# The start order of the others: the long ones that are in the list, then
# the rest.
{
    for name in $long_first; do
        awk -F '\t' -v n="$name" '$1 == n { print NR }' "$tmp/list"
    done
    awk -F '\t' -v long="$long_first" '
        BEGIN { split(long, l, /[ \n]+/); for (i in l) skip[l[i]] = 1 }
        !($1 in skip) { print NR }' "$tmp/list"
} | grep -vxF -f "$tmp/alone" >"$tmp/order"
xargs -r -P "$jobs" -n 1 sh "$0" --one "$tmp" <"$tmp/order" &
xargs_pid=$!
i=1
while [ "$i" -le "$n" ]; do
    # each one's line in the list's order: wait (bounded by the per-test
    # timeout) until it has its exit status
    while [ ! -f "$tmp/$i.rc" ] && kill -0 "$xargs_pid" 2>/dev/null; do
        sleep 0.2
    done
    if [ ! -f "$tmp/$i.rc" ]; then
        wait "$xargs_pid" 2>/dev/null
        [ -f "$tmp/$i.rc" ] || { echo 125 >"$tmp/$i.rc"; echo 0 >"$tmp/$i.secs"; : >>"$tmp/$i.out"; : >>"$tmp/$i.err"; }
    fi
    report_one "$(sed -n "${i}p" "$tmp/list" | cut -f1)" "$i"
    i=$((i + 1))
done
wait "$xargs_pid" 2>/dev/null

if [ "$skipped" -gt 0 ]; then
    echo "skipped:$skips"
fi
[ -n "$failures" ] && echo "failed:$failures"
if [ "$skipped" -gt 0 ]; then
    echo "$passed passed, $failed failed, $skipped skipped"
else
    echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
