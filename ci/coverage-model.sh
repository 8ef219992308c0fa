#!/bin/sh
# ci/coverage-model.sh [BUILD_DIR]: branch coverage of model/ by the
# conformance corpus (make coverage-model).
#
# Builds listenq with gcov instrumentation in BUILD_DIR (default
# build/coverage), runs corpus/conformance on the model only (no kernel, no
# privileges; the model's path is the same one a live run takes), and prints
# per model file the branches taken at least once, as
#   coverage_model_branches_<file>: P% of N
# and the total. Not part of make check.
set -eu
cd "$(dirname "$0")/.."
b=${1:-build/coverage}
make --no-print-directory -s BUILD="$b" CFLAGS="-O0 -g --coverage" LDFLAGS="--coverage" all >/dev/null
find "$b/obj/model" -name '*.gcda' -delete
"$b/listenq" run --model-only --no-progress corpus/conformance >"$b/coverage-run.txt" 2>&1 || {
    tail -n 5 "$b/coverage-run.txt" >&2
    echo "ci/coverage-model.sh: the model-only corpus run failed" >&2
    exit 1
}
tail -n 1 "$b/coverage-run.txt"
out="$b/gcov"
rm -rf "$out" && mkdir -p "$out"
tot_taken=0 tot_n=0
for src in model/*.c; do
    f=$(basename "$src" .c)
    obj="$b/obj/model/$f.o"
    # gcov -b: "Taken at least once:P% of N"
    line=$(cd "$out" && gcov -b -n -o "../obj/model" "../../../$src" 2>/dev/null |
        sed -n "/^File '.*$f\.c'/,/^\$/p" | sed -n 's/^Taken at least once:\(.*\)$/\1/p' | head -n 1)
    [ -n "$line" ] || line="0.00% of 0"
    pct=${line%%%*}
    n=${line##* of }
    taken=$(awk -v p="$pct" -v n="$n" 'BEGIN { printf "%d", p * n / 100 + 0.5 }')
    tot_taken=$((tot_taken + taken)) tot_n=$((tot_n + n))
    printf 'coverage_model_branches_%s: %s\n' "$f" "$line"
    : "$obj"
done
awk -v t="$tot_taken" -v n="$tot_n" 'BEGIN { printf "coverage_model_branches_total: %.2f%% of %d\n", n ? 100 * t / n : 0, n }'
