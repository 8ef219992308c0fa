#!/bin/sh
# The live harness needs capabilities, not uid 0 (README: "root, or the
# capabilities CAP_SYS_ADMIN, CAP_NET_ADMIN and CAP_NET_RAW"): a non-root
# user with the three as ambient capabilities runs the suite; without any
# one of them the run skips (exit 4) and names it.
. tests/integration/lib.sh.inc
why=$(live_unavailable)
if [ -n "$why" ]; then
    echo "1..0 # SKIP $why"
    exit 4
fi
if ! command -v setpriv >/dev/null 2>&1 || ! setpriv --help 2>&1 | grep -q -- --ambient-caps; then
    echo "1..0 # SKIP setpriv with --ambient-caps (util-linux 2.31+) is not installed"
    exit 4
fi
# nobody may read and run these
cp "$LISTENQ" "$TMP/listenq"
mkdir "$TMP/c"
cp corpus/conformance/*.lq "$TMP/c/"
mkdir "$TMP/out"
chmod 755 "$TMP" "$TMP/listenq" "$TMP/c"
chmod 777 "$TMP/out"
chmod 644 "$TMP"/c/*.lq
as_nobody() { # CAPS command...: uid 65534 with the capabilities CAPS (e.g. +net_raw,+net_admin)
    caps=$1
    shift
    setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps="$caps" --ambient-caps="$caps" "$@"
}
all=+sys_admin,+net_admin,+net_raw
(cd "$TMP" && as_nobody $all ./listenq run --fast --no-progress --out "$TMP/out" c) >"$TMP/r" 2>&1
rc=$?
is $rc 0 "uid 65534 with CAP_SYS_ADMIN, CAP_NET_ADMIN, CAP_NET_RAW: the fast suite runs and conforms"
# a failure says which scenario, and why (the human report's FAIL blocks)
[ "$rc" -eq 0 ] || grep -v '^ok ' "$TMP/r" | head -n 60 | sed 's/^/# /'
tail -n 1 "$TMP/r" | grep -Eq ' [1-9][0-9]* passed, 0 failed, [0-9]+ skipped \(model vs kernel, kernel '
ok $? "... on the kernel, not skipped ($(tail -n 1 "$TMP/r"))"
for missing in sys_admin net_admin net_raw; do
    caps=$(echo "$all" | sed "s/,*+$missing//; s/^,//")
    (cd "$TMP" && as_nobody "$caps" ./listenq run --no-progress c/listen_backlog_clamped.lq) >"$TMP/r" 2>&1
    rc=$?
    name=$(echo "CAP_$missing" | tr a-z A-Z)
    is $rc 4 "without $name: skip (exit 4)"
    grep -q "$name" "$TMP/r"
    ok $? "... and the message names $name"
done
tap_done
