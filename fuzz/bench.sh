#!/bin/sh
# fuzz/bench.sh BUILD_DIR: the fuzzers' speed, as "name: value" lines (make bench).
#   model_fuzz_execs_per_sec       listenq_model_fuzzer (ASan+UBSan), one process
#   model_fuzz_execs_per_sec_nosan the same built without sanitizers (when clang is there)
#   diff_fuzz_execs_per_sec        listenq_diff_fuzzer, one process (needs root)
#   diff_fuzz_execs_per_sec_fork2  listenq_diff_fuzzer -fork=2 (needs root)
# Each runs for LQ_FUZZ_BENCH_SECS seconds (default 10) from the seed corpus
# into a scratch corpus; the one-process figures are libFuzzer's final
# stat::average_exec_per_sec (-print_final_stats=1), the fork figure is its
# executions over the wall time. Missing targets are built when clang is
# there; figures that cannot be taken here are "# ..." lines saying why.
set -u
build=${1:-build}
cd "$(dirname "$0")/.." || exit 1
secs=${LQ_FUZZ_BENCH_SECS:-10}
fz="$build/fuzz"

if [ ! -x "$fz/listenq_model_fuzzer" ] || [ ! -x "$fz/listenq_diff_fuzzer" ]; then
    if command -v "${CLANG:-clang}" >/dev/null 2>&1; then
        ${MAKE:-make} --no-print-directory -s fuzz-build BUILD="$build" >/dev/null 2>&1
    fi
fi
if [ ! -x "$fz/listenq_model_fuzzer" ]; then
    echo "# fuzz figures: no fuzz targets in $fz (make fuzz needs clang with libFuzzer)"
    exit 0
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/listenq-fuzzbench.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
# One process is one core: libFuzzer runs the inputs in one thread (not
# pinned: pinning would share a core with whatever else runs there).

# final_rate LOG: libFuzzer's average executions per second
final_rate() {
    sed -n 's/^stat::average_exec_per_sec: *\([0-9]*\).*/\1/p' "$1" | tail -n 1
}

mkdir -p "$tmp/model"
"$fz/listenq_model_fuzzer" -max_total_time="$secs" -print_final_stats=1 -max_len=135 \
    -dict=fuzz/listenq_model_fuzzer.dict -artifact_prefix="$tmp/" "$tmp/model" corpus/seeds/model \
    >"$tmp/model.log" 2>&1
r=$(final_rate "$tmp/model.log")
if [ -n "$r" ]; then
    echo "model_fuzz_execs_per_sec: $r"
else
    echo "# model_fuzz_execs_per_sec: the run failed (last lines: $(tail -n 2 "$tmp/model.log" | tr '\n' ' '))"
fi

# The same without ASan and UBSan (a build of its own in BUILD_DIR/fuzz-nosan):
# what the sanitizers cost.
if command -v "${CLANG:-clang}" >/dev/null 2>&1 &&
    LQ_FUZZ_NO_TEST=1 sh fuzz/build.sh "$build/fuzz-nosan" "${CLANG:-clang}" "-O2 -g -fsanitize=fuzzer" \
        "-lnet -lpcap -lmnl -ljansson -lm" "-fsanitize=fuzzer" >"$tmp/nosan-build.log" 2>&1; then
    mkdir -p "$tmp/nosan"
    "$build/fuzz-nosan/listenq_model_fuzzer" -max_total_time="$secs" -print_final_stats=1 \
        -max_len=135 -dict=fuzz/listenq_model_fuzzer.dict -artifact_prefix="$tmp/" "$tmp/nosan" \
        corpus/seeds/model >"$tmp/nosan.log" 2>&1
    r=$(final_rate "$tmp/nosan.log")
    [ -n "$r" ] && echo "model_fuzz_execs_per_sec_nosan: $r"
fi

why=""
if [ "$(id -u)" != 0 ]; then
    why="needs root (CAP_SYS_ADMIN, CAP_NET_ADMIN, CAP_NET_RAW)"
elif ! "$build/listenq" run --kernel-only --no-progress corpus/conformance/listen_backlog_clamped.lq \
    >"$tmp/probe" 2>&1; then
    why="the live harness cannot run here: $(tail -n 1 "$tmp/probe")"
fi
if [ -n "$why" ]; then
    echo "# diff_fuzz_execs_per_sec: skipped, $why"
    echo "# diff_fuzz_execs_per_sec_fork2: skipped, $why"
    exit 0
fi

# Findings (model vs kernel divergences) are counted, not stopped at: the
# figure is the speed of the search.
export LISTENQ_DIFF_FINDINGS=count
mkdir -p "$tmp/diff" "$tmp/fork"
"$fz/listenq_diff_fuzzer" -max_total_time="$secs" -print_final_stats=1 -max_len=96 \
    -dict=fuzz/listenq_diff_fuzzer.dict -artifact_prefix="$tmp/" "$tmp/diff" corpus/seeds/diff \
    >"$tmp/diff.log" 2>&1
r=$(final_rate "$tmp/diff.log")
if [ -n "$r" ]; then
    echo "diff_fuzz_execs_per_sec: $r"
else
    echo "# diff_fuzz_execs_per_sec: the run failed (last lines: $(tail -n 2 "$tmp/diff.log" | tr '\n' ' '))"
fi

t0=$(date +%s.%N)
"$fz/listenq_diff_fuzzer" -fork=2 -ignore_crashes=1 -max_total_time="$secs" -max_len=96 \
    -dict=fuzz/listenq_diff_fuzzer.dict -artifact_prefix="$tmp/" "$tmp/fork" corpus/seeds/diff \
    >"$tmp/fork.log" 2>&1
t1=$(date +%s.%N)
# the last fork-mode status line: "#EXECS: cov: ... time: Ns ..."
n=$(sed -n 's/^#\([0-9][0-9]*\): cov:.*/\1/p' "$tmp/fork.log" | tail -n 1)
if [ -n "$n" ]; then
    awk -v n="$n" -v a="$t0" -v b="$t1" 'BEGIN { printf "diff_fuzz_execs_per_sec_fork2: %d\n", n / (b - a) }'
else
    echo "# diff_fuzz_execs_per_sec_fork2: the run failed (last lines: $(tail -n 2 "$tmp/fork.log" | tr '\n' ' '))"
fi
