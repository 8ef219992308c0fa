#!/bin/sh
# listenq's conformance suite as a kselftest (tools/testing/selftests/listenq):
# the model of the TCP listen queues against this kernel, in private network
# namespaces the harness creates and removes itself. Prints KTAP, which the
# kselftest runner nests under its own (`# TAP version 13` ...), one result per
# scenario: NIPA reads them as nested tests.
#
# Exit status as kselftest reads it: 0 pass, 1 fail, 4 skip (KSFT_SKIP: no
# root, no veth, ...). listenq's own 2 (bad input) and 3 (harness error)
# would read as KSFT_XFAIL and KSFT_XPASS, so they are reported as 1.
# KSFT_MACHINE_SLOW=yes (a debug kernel) widens the timer tolerances; listenq
# reads it itself. Arguments go to `listenq run`, e.g.
# KSELFTEST_CONFORMANCE_SH_ARGS=--fast (the slow scenarios wait for timers).
# Both families, as the kernel's packetdrill selftests run every script over
# IPv4 and IPv6 (net/packetdrill/ksft_runner.sh): NAME@ipv4, NAME@ipv6.
cd "$(dirname "$0")" || exit 1
out=${LISTENQ_OUT:-${TMPDIR:-/tmp}/listenq-kselftest}
./listenq run --tap --no-progress --family both --out "$out" "$@" corpus/conformance
rc=$?
case $rc in
0 | 1 | 4) exit $rc ;;
*)
    echo "# listenq exited $rc (2: bad input, 3: harness error; docs/cli.md): a failure"
    exit 1
    ;;
esac
