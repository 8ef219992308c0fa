#!/bin/sh
# The folder walls of ci/include-walls.txt hold (docs/architecture.md): no
# #include crosses one. The check itself is shown to fail on planted
# violations in a copy of the tree: run/ including live/, model/ including
# harness/, an include that resolves to no file, live/ including the runner,
# matrix/ including live/, report/ including wire/.
. tests/integration/lib.sh.inc

out=$(sh ci/include-walls.sh 2>&1)
ok $? "no include crosses a wall ($out)"

copy="$TMP/tree"
mkdir -p "$copy"
cp -R ci model harness fuzz tests "$copy/"

printf '#include "live/netns.h"\n' >>"$copy/harness/run/compare.c"
out=$(sh "$copy/ci/include-walls.sh" "$copy" 2>&1)
rc=$?
[ "$rc" -ne 0 ] && printf '%s\n' "$out" | grep -q '^harness/run/compare.c:[0-9]*: includes harness/live/netns.h'
ok $? "run/ including live/ is refused, with file and line"
cp harness/run/compare.c "$copy/harness/run/compare.c"

printf '#include "util/err.h"\n' >>"$copy/model/listen.c"
out=$(sh "$copy/ci/include-walls.sh" "$copy" 2>&1)
rc=$?
[ "$rc" -ne 0 ] && printf '%s\n' "$out" | grep -q '^model/listen.c:[0-9]*: includes harness/util/err.h'
ok $? "model/ including harness/ is refused"
cp model/listen.c "$copy/model/listen.c"

printf '#include "run/backend_live_private.h"\n' >>"$copy/harness/live/netns.c"
out=$(sh "$copy/ci/include-walls.sh" "$copy" 2>&1)
rc=$?
[ "$rc" -ne 0 ] && printf '%s\n' "$out" | grep -q 'resolves to no file'
ok $? "an include that resolves to no file is refused"
cp harness/live/netns.c "$copy/harness/live/netns.c"

printf '#include "run/runner.h"\n' >>"$copy/harness/live/diag.c"
out=$(sh "$copy/ci/include-walls.sh" "$copy" 2>&1)
[ $? -ne 0 ] && printf '%s\n' "$out" | grep -q '^harness/live/diag.c:[0-9]*: includes harness/run/runner.h'
ok $? "live/ may include the backend table of run/, not the runner"
cp harness/live/diag.c "$copy/harness/live/diag.c"

printf '#include "live/backend_live.h"\n' >>"$copy/harness/matrix/matrix.c"
out=$(sh "$copy/ci/include-walls.sh" "$copy" 2>&1)
[ $? -ne 0 ] && printf '%s\n' "$out" | grep -q '^harness/matrix/matrix.c:[0-9]*: includes harness/live/backend_live.h'
ok $? "the matrix drives no live backend itself: matrix/ including live/ is refused"
cp harness/matrix/matrix.c "$copy/harness/matrix/matrix.c"

printf '#include "wire/pcapout.h"\n' >>"$copy/harness/report/report.c"
out=$(sh "$copy/ci/include-walls.sh" "$copy" 2>&1)
[ $? -ne 0 ] && printf '%s\n' "$out" | grep -q '^harness/report/report.c:[0-9]*: includes harness/wire/pcapout.h'
ok $? "reporters only format: report/ including wire/ is refused"
cp harness/report/report.c "$copy/harness/report/report.c"

out=$(sh "$copy/ci/include-walls.sh" "$copy" 2>&1)
ok $? "the restored copy passes again"
tap_done
