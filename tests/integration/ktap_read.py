#!/usr/bin/env python3
# tests/integration/ktap_read.py KUNIT_DIR < KTAP: reads KTAP with the kernel's
# own parser (tools/testing/kunit/kunit_parser.py, unpacked from Debian's
# linux-source) and prints what it understood, one line per test, as
#   test <TAB> depth <TAB> name <TAB> status <TAB> log lines joined by " | "
# and last "main <TAB> status <TAB> errors" for the top level.
import sys

sys.path.insert(0, sys.argv[1])
import kunit_printer  # noqa: E402

kunit_printer.stdout._output = sys.stderr  # the parser's own report
import kunit_parser  # noqa: E402

lines = sys.stdin.buffer.read().decode("utf-8")  # strict: KTAP must be UTF-8
top = kunit_parser.parse_run_tests(lines.splitlines(keepends=True))


def walk(t, depth):
    for sub in t.subtests:
        log = " | ".join(l.strip() for l in sub.log)
        print(f"test\t{depth}\t{sub.name}\t{sub.status.name}\t{log}")
        walk(sub, depth + 1)


walk(top, 0)
print(f"main\t{top.status.name}\t{top.counts.errors}")
