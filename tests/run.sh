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
set -u
build=${1:-build}
shift 2>/dev/null || true
tiers=${*:-unit integration}
export LISTENQ_BUILD="$build"
export LISTENQ="$build/listenq"
per_test_timeout=${LISTENQ_TEST_TIMEOUT:-600}

passed=0 failed=0 skipped=0
skips="" failures=""
tmp=$(mktemp -d "${TMPDIR:-/tmp}/listenq-tests.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

run_one() { # name command...
    name=$1
    shift
    start=$(date +%s)
    timeout -k 10 "$per_test_timeout" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    secs=$(($(date +%s) - start))
    # p f s plan  (plan = -1 when missing)
    set -- $(awk '
        /^ok [0-9]+/ { if ($0 ~ /# *SKIP/) s++; else p++; next }
        /^not ok [0-9]+/ { if ($0 ~ /# *TODO/) p++; else f++; next }
        /^1\.\.[0-9]+/ { split($0, a, /\.\./); plan = a[2] + 0; if ($0 ~ /# *SKIP/) allskip = 1 }
        END { if (plan == "") plan = -1; print p + 0, f + 0, s + 0, plan, allskip + 0 }
    ' "$tmp/out")
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
        reason=$(sed -n 's/^1\.\.0 *# *SKIP *//p' "$tmp/out" | head -n 1)
        s=1
        skips="$skips
  $name: ${reason:-no reason given}"
    fi
    passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
    status=ok
    [ "$f" -gt 0 ] && status=FAIL
    printf '%-4s %-44s %4d passed %3d failed %3d skipped %4ss%s\n' "$status" "$name" "$p" "$f" "$s" "$secs" "$extra"
    awk '/^ok [0-9]+.*# *SKIP/ { sub(/^ok [0-9]+ *-? */, ""); print }' "$tmp/out" >"$tmp/skips"
    while IFS= read -r line; do
        skips="$skips
  $name: $line"
    done <"$tmp/skips"
    if [ "$f" -gt 0 ]; then
        failures="$failures $name"
        echo "---- $name: failing output ----"
        grep -n -A8 '^not ok' "$tmp/out" | head -n 80
        [ -n "$extra" ] && tail -n 20 "$tmp/out"
        echo "---- $name: stderr (last 30 lines) ----"
        tail -n 30 "$tmp/err"
        echo "----"
    fi
}

for tier in $tiers; do
    case "$tier" in
    unit)
        for t in "$build"/tests/test_*; do
            [ -x "$t" ] || continue
            run_one "unit/$(basename "$t")" "$t"
        done
        ;;
    integration)
        for t in tests/integration/*.sh; do
            [ -f "$t" ] || continue
            run_one "integration/$(basename "$t" .sh)" sh "$t"
        done
        ;;
    *)
        echo "tests/run.sh: unknown tier '$tier'" >&2
        exit 2
        ;;
    esac
done

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
