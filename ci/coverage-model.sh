#!/bin/sh
# ci/coverage-model.sh [BUILD_DIR]: branch coverage of model/ by the
# conformance corpus (make coverage-model).
#
# Builds listenq with gcov instrumentation in BUILD_DIR (default
# build/coverage), runs corpus/conformance on the model only (no kernel, no
# privileges; the model's path is the same one a live run takes), and prints
# per model file the branches taken at least once, as
#   coverage_model_branches_<file>: P% of N
# and the total; then the same after runs on every named profile
# (coverage_model_branches_all_profiles_<file>). Not part of make check.
set -u
cd "$(dirname "$0")/.."
b=${1:-build/coverage}
make --no-print-directory -s BUILD="$b" CFLAGS="-O0 -g --coverage" LDFLAGS="--coverage" all >/dev/null || exit 1
find "$b/obj" -name "*.gcda" -delete
"$b/listenq" run --model-only --no-progress corpus/conformance >"$b/coverage-run.txt" 2>&1 || {
    tail -n 5 "$b/coverage-run.txt" >&2
    echo "ci/coverage-model.sh: the model-only corpus run failed" >&2
    exit 1
}
tail -n 1 "$b/coverage-run.txt"
# report LABEL: the per-file figures of the runs so far
report() {
    tot_taken=0 tot_n=0
    for src in model/*.c; do
        f=$(basename "$src" .c)
        line=$(gcov -b -n -o "$b/obj/model" "$src" 2>/dev/null |
            sed -n "/^File '.*$f\.c'/,/^\$/p" | sed -n 's/^Taken at least once:\(.*\)$/\1/p' | head -n 1)
        [ -n "$line" ] || line="0.00% of 0"
        pct=${line%%%*}
        n=${line##* of }
        taken=$(awk -v p="$pct" -v n="$n" 'BEGIN { printf "%d", p * n / 100 + 0.5 }')
        tot_taken=$((tot_taken + taken)) tot_n=$((tot_n + n))
        printf 'coverage_model_branches%s_%s: %s\n' "$1" "$f" "$line"
    done
    awk -v t="$tot_taken" -v n="$tot_n" -v l="$1" \
        'BEGIN { printf "coverage_model_branches%s_total: %.2f%% of %d\n", l, n ? 100 * t / n : 0, n }'
}
echo "# the running kernel's profile (what a live run of the corpus checks):"
report ""
# Then the same corpus on every named profile, model only: branches of rules
# that only older kernels run (the legacy profile's are unverified live, see
# listenq profiles). Expectations are written for this machine's kernel, so
# failing ones are expected here; only a crash or bad input stops it.
for p in legacy 4.4 5.10 6.1 6.6 6.12 6.18; do
    "$b/listenq" run --model-only --no-progress --kernel "$p" corpus/conformance >"$b/coverage-run-$p.txt" 2>&1
    rc=$?
    [ "$rc" -le 1 ] || { tail -n 5 "$b/coverage-run-$p.txt" >&2; echo "ci/coverage-model.sh: profile $p: exit $rc" >&2; exit 1; }
done
echo "# every named profile (legacy, 4.4, 5.10, 6.1, 6.6, 6.12, 6.18) as well, model only:"
report "_all_profiles"
