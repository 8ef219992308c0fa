#!/bin/sh
# Without the privileges it needs, the live harness says which and exits 4
# (skip); the model-only run needs none.
. tests/integration/lib.sh.inc
if [ "$(id -u)" != 0 ]; then
    "$LISTENQ" run --no-progress corpus/conformance/listen_backlog_clamped.lq >"$TMP/r" 2>&1
    is $? 4 "not root: skip (exit 4)"
    grep -q "CAP_" "$TMP/r"
    ok $? "the message names the missing capability"
    tap_done
    exit $?
fi
if ! command -v setpriv >/dev/null 2>&1; then
    echo "1..0 # SKIP setpriv (util-linux) is not installed: cannot drop privileges"
    exit 4
fi
drop() { setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all "$@"; }
cp "$LISTENQ" "$TMP/listenq"
chmod 755 "$TMP" "$TMP/listenq"
cp corpus/conformance/listen_backlog_clamped.lq "$TMP/s.lq"
chmod 644 "$TMP/s.lq"
(cd "$TMP" && drop ./listenq run --no-progress s.lq) >"$TMP/r" 2>&1
is $? 4 "without privileges: exit 4 (skip)"
grep -q "CAP_" "$TMP/r"
ok $? "the message names the missing capability"
grep -q "SKIP" "$TMP/r"
ok $? "the scenario is reported as skipped"
(cd "$TMP" && drop ./listenq run --model-only --no-progress s.lq) >"$TMP/r2" 2>&1
is $? 0 "the model-only run needs no privilege"
tap_done
