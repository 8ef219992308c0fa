#!/bin/sh
# The conformance suite on this machine's kernel: zero divergences, every
# expectation met; the same verdicts in two other orders (a scenario's result
# never depends on which scenarios ran before it); KTAP accepted by prove.
. tests/integration/lib.sh.inc
why=$(live_unavailable)
if [ -n "$why" ]; then
    echo "1..0 # SKIP $why"
    exit 4
fi

"$LISTENQ" run --no-progress corpus/conformance >"$TMP/full" 2>&1
rc=$?
is $rc 0 "model vs kernel: the whole conformance suite conforms (slow scenarios included)"
[ $rc -eq 0 ] || sed -n '1,80p' "$TMP/full" | sed 's/^/# /'

verdicts() { grep -E '^(ok|FAIL|SKIP|ERROR) ' "$1" | awk '{print $1, $2}' | sort; }
"$LISTENQ" run --fast --no-progress --repeat 3 corpus/conformance >"$TMP/a" 2>&1
is $? 0 "fast suite, file order, three times"
"$LISTENQ" run --fast --no-progress --repeat 3 --shuffle 7 corpus/conformance >"$TMP/b" 2>&1
is $? 0 "fast suite, shuffled (seed 7)"
"$LISTENQ" run --fast --no-progress --repeat 3 --shuffle 1234 corpus/conformance >"$TMP/c" 2>&1
is $? 0 "fast suite, shuffled (seed 1234)"
verdicts "$TMP/a" >"$TMP/va"
verdicts "$TMP/b" >"$TMP/vb"
verdicts "$TMP/c" >"$TMP/vc"
cmp -s "$TMP/va" "$TMP/vb" && cmp -s "$TMP/va" "$TMP/vc"
ok $? "every scenario has the same verdict in all three orders"

"$LISTENQ" run --fast --tap --no-progress corpus/conformance >"$TMP/tap" 2>&1
is $? 0 "KTAP run on the kernel"
grep -q '^ok [0-9]* conformance/timer_prune # SKIP slow scenario' "$TMP/tap"
ok $? "--fast reports slow scenarios as KTAP skips with the reason"
if command -v prove >/dev/null 2>&1; then
    printf '#!/bin/sh\ncat "%s"\n' "$TMP/tap" >"$TMP/tap.t"
    chmod +x "$TMP/tap.t"
    prove "$TMP/tap.t" >/dev/null 2>&1
    ok $? "prove accepts the kernel run's KTAP"
else
    skip "prove accepts the kernel run's KTAP" "prove is not installed"
fi
tap_done
