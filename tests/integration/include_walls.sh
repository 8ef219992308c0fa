#!/bin/sh
# The folder walls of ci/include-walls.txt hold (docs/architecture.md): no
# #include crosses one. The check itself is shown to fail on planted
# violations in a copy of the tree: run/ including live/, model/ including
# harness/, an include that resolves to no file, live/ including the runner,
# matrix/ including live/, report/ including wire/, report/ including
# live/ through "..".
. tests/integration/lib.sh.inc

out=$(sh ci/include-walls.sh 2>&1)
ok $? "no include crosses a wall ($out)"

copy="$TMP/tree"
mkdir -p "$copy"
cp -R ci model harness fuzz tests "$copy/"

# plant FILE INCLUDE PATTERN NAME: append the include to FILE in the copy, expect
# the check to fail with a line matching PATTERN, then restore FILE
plant() {
    printf '#include "%s"\n' "$2" >>"$copy/$1"
    out=$(sh "$copy/ci/include-walls.sh" "$copy" 2>&1)
    rc=$?
    [ "$rc" -ne 0 ] && printf '%s\n' "$out" | grep -q "$3"
    ok $? "$4"
    cp "$1" "$copy/$1"
}

plant harness/run/compare.c live/netns.h '^harness/run/compare.c:[0-9]*: includes harness/live/netns.h' \
    "run/ including live/ is refused, with file and line"
plant model/listen.c util/err.h '^model/listen.c:[0-9]*: includes harness/util/err.h' \
    "model/ including harness/ is refused"
plant harness/live/netns.c run/backend_live_private.h 'resolves to no file' \
    "an include that resolves to no file is refused"
plant harness/live/diag.c run/runner.h '^harness/live/diag.c:[0-9]*: includes harness/run/runner.h' \
    "live/ may include the backend table of run/, not the runner"
plant harness/matrix/matrix.c live/backend_live.h \
    '^harness/matrix/matrix.c:[0-9]*: includes harness/live/backend_live.h' \
    "the matrix drives no live backend itself: matrix/ including live/ is refused"
plant harness/report/report.c wire/pcapout.h '^harness/report/report.c:[0-9]*: includes harness/wire/pcapout.h' \
    "reporters only format: report/ including wire/ is refused"

# a path through ".." is resolved before its folder is judged
plant harness/report/report.c ../live/netns.h '^harness/report/report.c:[0-9]*: includes harness/live/netns.h' \
    "an include through .. is judged by the folder it resolves to"

out=$(sh "$copy/ci/include-walls.sh" "$copy" 2>&1)
ok $? "the restored copy passes again"
tap_done
