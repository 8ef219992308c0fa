#!/bin/sh
# make coverage-model's list of unreachable branches
# (tests/coverage/unreachable.txt): every entry's line still occurs exactly
# once in its model file and has a reason; a stale or malformed entry is
# refused with a message that names it. (Whether the listed branches are
# really untaken needs the gcov run: make coverage-model checks that.)
. tests/integration/lib.sh.inc
C=ci/coverage-model.sh
L=tests/coverage/unreachable.txt

# A change to the model may leave entries stale: said here (TODO, so that it
# does not stop other work, as for the mutants), refreshed in the list.
sh "$C" --check-list >"$TMP/check" 2>&1
if [ $? -eq 0 ]; then
    ok 0 "every entry of $L matches its file exactly once"
else
    tap_n=$((tap_n + 1))
    echo "not ok $tap_n - every entry of $L matches its file exactly once # TODO refresh the stale entries"
    sed 's/^/#   /' "$TMP/check" | head -n 20
fi
[ "$(grep -c '^file: ' "$L")" -eq "$(grep -c '^why: ' "$L")" ]
ok $? "every entry says why"

cat >"$TMP/stale.txt" <<'EOT'
file: model/listen.c
line: this line is not in listen.c
branches: 1
why: none

file: model/check_req.c
line: return LQ_CHECKREQ_DONE;
branches: 1
why: it occurs many times
EOT
sh "$C" --check-list "$TMP/stale.txt" >"$TMP/stale" 2>&1
is $? 2 "stale entries: exit 2"
grep -q "stale.txt:1: STALE: the line occurs 0 times in model/listen.c" "$TMP/stale"
ok $? "a line that no longer occurs is named"
grep -q "stale.txt:6: STALE: the line occurs [0-9]* times in model/check_req.c" "$TMP/stale"
ok $? "an ambiguous line is named"

printf 'file: model/listen.c\nline: if (n < 8)\nbranches: two\n' >"$TMP/bad.txt"
sh "$C" --check-list "$TMP/bad.txt" >"$TMP/bad" 2>&1
is $? 2 "a malformed entry: exit 2"
grep -q 'bad.txt:1: entry has no "why:" line' "$TMP/bad" && grep -q "bad.txt:1: branches must be a positive number" "$TMP/bad"
ok $? "the errors name file and line"
tap_done
