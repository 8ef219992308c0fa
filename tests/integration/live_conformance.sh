#!/bin/sh
# The conformance suite on this machine's kernel, on both families (every
# family-neutral scenario over IPv4 and over IPv6, the dual-stack ones once):
# zero divergences, every expectation met; the same verdicts in two other
# orders (a scenario's result never depends on which scenarios ran before
# it); KTAP accepted by prove.
. tests/integration/lib.sh.inc
why=$(live_unavailable)
if [ -n "$why" ]; then
    echo "1..0 # SKIP $why"
    exit 4
fi

"$LISTENQ" run --no-progress --family both corpus/conformance >"$TMP/full" 2>&1
rc=$?
is $rc 0 "model vs kernel: the whole conformance suite conforms on both families (slow scenarios included)"
[ $rc -eq 0 ] || grep -v '^ok' "$TMP/full" | sed -n '1,80p' | sed 's/^/# /'
n4=$(grep -c '^ok .*@ipv4 ' "$TMP/full")
n6=$(grep -c '^ok .*@ipv6 ' "$TMP/full")
nd=$(grep -c '^ok .*@dual ' "$TMP/full")
# from the files: neutral ones run on both, the others once, in their family
neutral=$(grep -L '^family ' corpus/conformance/*.lq | wc -l)
only4=$(grep -l '^family ipv4$' corpus/conformance/*.lq | wc -l)
only6=$(grep -l '^family ipv6$' corpus/conformance/*.lq | wc -l)
dual=$(grep -l '^family dual$' corpus/conformance/*.lq | wc -l)
ok $([ "$n4" -eq $((neutral + only4)) ] && [ "$n6" -eq $((neutral + only6)) ] &&
    [ "$nd" -eq "$dual" ] && [ "$dual" -ge 2 ]; echo $?) \
    "both families ran and passed: $n4 over IPv4, $n6 over IPv6, $nd dual-stack ($neutral family-neutral scenarios)"
grep -q "^[0-9]* scenarios: .* \[ipv4 $n4/$n4 passed, ipv6 $n6/$n6 passed, dual $nd/$nd passed\]" "$TMP/full"
ok $? "the summary counts each family"

verdicts() { grep -E '^(ok|FAIL|SKIP|ERROR) ' "$1" | awk '{print $1, $2}' | sort; }
"$LISTENQ" run --fast --no-progress --family both --repeat 3 corpus/conformance >"$TMP/a" 2>&1
is $? 0 "fast suite, file order, three times"
"$LISTENQ" run --fast --no-progress --family both --repeat 3 --shuffle 7 corpus/conformance >"$TMP/b" 2>&1
is $? 0 "fast suite, shuffled (seed 7)"
"$LISTENQ" run --fast --no-progress --family both --repeat 3 --shuffle 1234 corpus/conformance >"$TMP/c" 2>&1
is $? 0 "fast suite, shuffled (seed 1234)"
verdicts "$TMP/a" >"$TMP/va"
verdicts "$TMP/b" >"$TMP/vb"
verdicts "$TMP/c" >"$TMP/vc"
cmp -s "$TMP/va" "$TMP/vb" && cmp -s "$TMP/va" "$TMP/vc"
ok $? "every scenario has the same verdict in all three orders"

"$LISTENQ" run --fast --tap --no-progress --family both corpus/conformance >"$TMP/tap" 2>&1
is $? 0 "KTAP run on the kernel"
grep -q '^ok [0-9]* conformance/timer_prune@ipv6 # SKIP slow scenario' "$TMP/tap"
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
