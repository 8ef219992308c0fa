#!/bin/sh
# KTAP read by its real consumers: the kernel's kunit_parser.py (from Debian's
# linux-source-6.12) and TAP::Parser (prove), for a passing, a failing, a
# skipped and two oddly named scenarios. What each must read comes from
# Documentation/dev-tools/ktap.rst and the scenarios written here, not from
# listenq's output:
# - a test's diagnostics come BEFORE its result line (kunit_parser gives the
#   `#` lines it has read to the next result), so the failing test carries its
#   explanation and the passing one after it carries none;
# - a file named "x # SKIP y.lq" is a passing test, not a skip, and a `#` in a
#   name ("has#hash.lq") does not break kunit_parser (its result regex takes
#   the name as [^#]*);
# - `# Totals:` as kselftest prints it (kselftest.h ksft_print_cnts).
. tests/integration/lib.sh.inc

mkdir -p "$TMP/odd"
printf 'listen 1\nsyn a\nexpect synq 1\n' >"$TMP/odd/pass.lq"
printf 'listen 1\nsyn a\nexpect synq 2\n' >"$TMP/odd/fail.lq"
printf 'listen 1\nsyn a\nexpect synq 1\n' >"$TMP/odd/x # SKIP y.lq"
printf 'listen 1\nsyn a\nwait 100ms\nexpect synq 1\n' >"$TMP/odd/slow.lq"
printf 'listen 1\nsyn a\nexpect synq 1\n' >"$TMP/odd/has#hash.lq"
# statuses, in this order, as a KTAP reader must see them
"$LISTENQ" run --model-only --fast --tap "$TMP/odd/pass.lq" "$TMP/odd/fail.lq" \
    "$TMP/odd/x # SKIP y.lq" "$TMP/odd/slow.lq" "$TMP/odd/has#hash.lq" >"$TMP/run.ktap" 2>"$TMP/err"
is $? 1 "the run with a failure exits 1"
"$LISTENQ" run --model-only --tap "$TMP/odd/pass.lq" "$TMP/odd/has#hash.lq" >"$TMP/pass.ktap" 2>&1
is $? 0 "the passing run exits 0"

# the Totals line kselftest prints: pass:2 (pass, x # SKIP y, has#hash) = 3
grep -qx '# Totals: pass:3 fail:1 xfail:0 xpass:0 skip:1 error:0' "$TMP/run.ktap"
ok $? "the Totals line with the counts of the five scenarios"
# the failing test's explanation is on # lines between results 1 and 2
awk '/^ok 1 /{a=1; next} /^not ok 2 /{exit} a && /^# expectation failed at line 3/ {f=1} END {exit !f}' \
    "$TMP/run.ktap"
ok $? "the failure's diagnostics precede its result line"

if dir=$(kernel_tools); then
    if "$PY3" tests/integration/ktap_read.py "$dir/tools/testing/kunit" <"$TMP/run.ktap" \
        >"$TMP/kunit" 2>"$TMP/kunit.err"; then
        ok 0 "kunit_parser reads the run"
    else
        ok 1 "kunit_parser reads the run"
        sed 's/^/# /' "$TMP/kunit.err" | tail -n 5
    fi
    field() { awk -F '\t' -v n="$1" -v f="$2" '$1 == "test" && NR == n { print $f }' "$TMP/kunit"; }
    is "$(grep -c '^test' "$TMP/kunit")" 5 "kunit_parser: five tests"
    is "$(field 1 4)" SUCCESS "kunit_parser: the passing scenario passes"
    is "$(field 2 4)" FAILURE "kunit_parser: the failing scenario fails"
    is "$(field 3 4)" SUCCESS "kunit_parser: the file named x-hash-SKIP-y is a passing test"
    is "$(field 4 4)" SKIPPED "kunit_parser: the slow scenario left out by --fast is skipped"
    is "$(field 5 4)" SUCCESS "kunit_parser: 'has#hash' is a passing test"
    field 2 5 | grep -q 'expectation failed at line 3 on the model: expect synq 2'
    ok $? "kunit_parser: the failing test carries its details"
    is "$(field 1 5)$(field 3 5)$(field 5 5)" "" "kunit_parser: no passing test carries a failure's details"
    name3=$(field 3 3)
    name5=$(field 5 3)
    # %XX escapes decode back to the file's name
    is "$("$PY3" -c 'import sys, urllib.parse; print(urllib.parse.unquote(sys.argv[1]))' "$name3")" \
        "odd/x # SKIP y" "kunit_parser: the escaped name decodes to the file name"
    is "$("$PY3" -c 'import sys, urllib.parse; print(urllib.parse.unquote(sys.argv[1]))' "$name5")" \
        "odd/has#hash" "kunit_parser: the name with a # decodes to the file name"
    is "$(awk -F '\t' '$1 == "main" { print $2 " " $3 }' "$TMP/kunit")" "FAILURE 0" \
        "kunit_parser: the run fails, with no parse errors"
    "$PY3" tests/integration/ktap_read.py "$dir/tools/testing/kunit" <"$TMP/pass.ktap" >"$TMP/kunit2" 2>&1
    is "$(awk -F '\t' '$1 == "main" { print $2 " " $3 }' "$TMP/kunit2")" "SUCCESS 0" \
        "kunit_parser: the passing run succeeds"
else
    skip "kunit_parser reads the run" "$dir"
fi

if command -v perl >/dev/null 2>&1 && perl -MTAP::Parser -e 1 2>/dev/null; then
    perl tests/integration/tap_read.pl "$TMP/run.ktap" >"$TMP/tap" 2>&1
    is "$(cut -f 1-4 "$TMP/tap" | tr '\t' ' ' | tr '\n' ';')" \
        "1 ok pass -;2 not ok fail -;3 ok pass -;4 ok pass skip;5 ok pass -;parse_errors 0;" \
        "TAP::Parser: pass, fail, pass (x-hash-SKIP-y is no skip), skip, pass"
    printf '#!/bin/sh\ncat "%s"\n' "$TMP/run.ktap" >"$TMP/run.t"
    printf '#!/bin/sh\ncat "%s"\n' "$TMP/pass.ktap" >"$TMP/pass.t"
    chmod +x "$TMP/run.t" "$TMP/pass.t"
    prove "$TMP/run.t" >"$TMP/prove" 2>&1
    is $? 1 "prove fails the run with a failure"
    prove "$TMP/pass.t" >"$TMP/prove" 2>&1
    is $? 0 "prove passes the passing run"
else
    skip "TAP::Parser reads the run" "perl with TAP::Parser (Debian package perl) is not installed"
fi
tap_done
