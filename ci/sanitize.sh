#!/bin/sh
# ci/sanitize.sh: builds listenq and its unit tests with ASan+UBSan into
# build/sanitize and runs the unit tests there (make SANITIZE=... check runs
# every tier; this is the quicker CI step). Needs the packages of `make check`.
set -u
cd "$(dirname "$0")/.." || exit 1
sh ci/deps.sh check || exit 1
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
make --no-print-directory SANITIZE=address,undefined all unit || exit 1
sh tests/run.sh build/sanitize unit
