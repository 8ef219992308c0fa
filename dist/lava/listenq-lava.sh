#!/bin/sh
# dist/lava/listenq-lava.sh [-s SKIP_INSTALL] [-a LISTENQ_ARGS] [-b LISTENQ]:
# what listenq.yaml runs on a LAVA device. Builds listenq (unless -s true or
# -b gives a binary), runs the conformance suite on this kernel, and reports
# one LAVA test case per scenario: with lava-test-case when LAVA provides it,
# and always as output/result.txt lines "<id> pass|fail|skip" (the form
# test-definitions' send-to-lava.sh reads). Ids are the scenario labels with
# "/" as "." and anything outside [A-Za-z0-9._-] as "_", made unique.
set -u
skip_install=false
args=""
bin=""
while getopts "s:a:b:" o; do
    case "$o" in
    s) skip_install=$OPTARG ;;
    a) args=$OPTARG ;;
    b) bin=$OPTARG ;;
    *) echo "usage: $0 [-s true|false] [-a LISTENQ_ARGS] [-b LISTENQ]" >&2; exit 2 ;;
    esac
done
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out="$here/output"
rm -rf "$out" && mkdir -p "$out" || exit 1

if [ -z "$bin" ]; then
    bin="$top/build/listenq"
    if [ "$skip_install" != true ]; then
        (cd "$top" && sh ci/deps.sh run && make) >"$out/build.log" 2>&1 || {
            echo "listenq-build fail" >"$out/result.txt"
            command -v lava-test-case >/dev/null 2>&1 && lava-test-case listenq-build --result fail
            tail -n 20 "$out/build.log"
            exit 0
        }
    fi
fi

# shellcheck disable=SC2086 # LISTENQ_ARGS is a list of options
"$bin" run --tap --no-progress --out "$out/divergences" --json "$out/results.jsonl" \
    --junit "$out/junit.xml" $args "$top/corpus/conformance" >"$out/listenq.ktap" 2>"$out/listenq.stderr"
rc=$?
cat "$out/listenq.ktap"
"$bin" kcidb -o "$out/kcidb.json" "$out/results.jsonl" 2>>"$out/listenq.stderr"

# KTAP result lines -> LAVA ids and results (names are %XX-escaped, ktap.h)
awk '
/^(not )?ok [0-9]+ / {
    res = ($1 == "ok") ? "pass" : "fail"
    line = $0
    sub(/^(not )?ok [0-9]+ /, "", line)
    if (line ~ / # SKIP/) { res = "skip"; sub(/ # SKIP.*$/, "", line) }
    gsub(/\//, ".", line)
    gsub(/[^A-Za-z0-9._-]/, "_", line)
    id = line; n = 2
    while (id in seen) id = line "-" n++
    seen[id] = 1
    print id, res
}' "$out/listenq.ktap" >"$out/result.txt"
case $rc in
0 | 1 | 4) ;;
*) echo "listenq-harness fail" >>"$out/result.txt" ;; # 2 bad input, 3 harness error
esac
if command -v lava-test-case >/dev/null 2>&1; then
    while read -r id res; do
        lava-test-case "$id" --result "$res"
    done <"$out/result.txt"
fi
exit 0
