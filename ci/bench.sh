#!/bin/sh
# ci/bench.sh BUILD_DIR: the figures of `make bench`, one "name: value" per line.
# The live figures need root (CAP_NET_ADMIN, CAP_NET_RAW, CAP_SYS_ADMIN);
# without it they are skipped with a "# ..." line saying why.
set -u
build=${1:-build}
cd "$(dirname "$0")/.." || exit 1
"$build/listenq" bench --corpus corpus/conformance
rc=$?
if [ -x fuzz/bench.sh ] || [ -f fuzz/bench.sh ]; then
    sh fuzz/bench.sh "$build" || rc=1
fi
exit $rc
