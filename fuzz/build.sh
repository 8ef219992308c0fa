#!/bin/sh
# fuzz/build.sh OUTDIR CLANG CFLAGS LIBS LDFLAGS: builds the libFuzzer targets.
#
# Compiles model/*.c, harness/*/*.c (not harness/cli/main.c) and the shared fuzz/ code once
# with CFLAGS (where -fsanitize=fuzzer becomes fuzzer-no-link for objects),
# then links into OUTDIR:
#   listenq_model_fuzzer listenq_parse_fuzzer listenq_diff_fuzzer
#   (with LDFLAGS, which carry -fsanitize=fuzzer or $LIB_FUZZING_ENGINE)
#   <target>.dict, <target>.options beside them
#   test/listenq_diff_fuzzer   -DLQ_TEST_SWITCHES: $LISTENQ_MODEL_BUG plants a bug
#   test/listenq               the CLI with the test switches (--model-bug)
#   listenq-mkseeds            writes the byte-level seed corpora (corpus/seeds/)
# The test programs are left out with LQ_FUZZ_NO_TEST=1 (ClusterFuzzLite).
# Objects are rebuilt only when a source or any header is newer.
set -eu
out=${1:?usage: fuzz/build.sh OUTDIR CLANG CFLAGS LIBS LDFLAGS}
cc=${2:-clang}
cflags=${3:-}
libs=${4:-}
ldflags=${5:-}
cd "$(dirname "$0")/.."

if ! command -v "$cc" >/dev/null 2>&1; then
    echo "fuzz/build.sh: $cc not found (the fuzz targets need clang with libFuzzer)" >&2
    exit 1
fi

# Objects: libFuzzer's coverage without its main().
ccflags=$(printf '%s\n' "$cflags" | sed -e 's/-fsanitize=fuzzer-no-link/-fsanitize=fuzzer/g' \
    -e 's/-fsanitize=fuzzer,/-fsanitize=fuzzer-no-link,/g' \
    -e 's/-fsanitize=fuzzer\( \|$\)/-fsanitize=fuzzer-no-link\1/g' \
    -e 's/,fuzzer\([, ]\|$\)/,fuzzer-no-link\1/g')
case "$ccflags" in *fuzzer*) ;; *) ccflags="$ccflags -fsanitize=fuzzer-no-link" ;; esac
# Coverage where the fuzzers explore (fuzz/coverage.allowlist: the model;
# the parse fuzzer's own copies of the parser: fuzz/coverage-parse.allowlist),
# unless LQ_FUZZ_ALL_COVERAGE=1.
parsecov=""
if [ "${LQ_FUZZ_ALL_COVERAGE:-0}" != 1 ]; then
    ign="-fsanitize-coverage-ignorelist=$(pwd)/fuzz/coverage.ignorelist"
    parsecov="-fsanitize-coverage-allowlist=$(pwd)/fuzz/coverage-parse.allowlist $ign"
    ccflags="$ccflags -fsanitize-coverage-allowlist=$(pwd)/fuzz/coverage.allowlist $ign"
fi
# No comparison tracing (LQ_FUZZ_TRACE_CMP=1 keeps it): the decoder's
# choices are small numbers, the keywords come from the dictionaries, and it
# costs a fifth of the model fuzzer's speed.
if [ "${LQ_FUZZ_TRACE_CMP:-0}" != 1 ]; then
    ccflags="$ccflags -fno-sanitize-coverage=trace-cmp"
fi
# UBSan findings stop the input (a crash libFuzzer keeps), as ASan's do.
case "$cflags" in
*undefined*)
    ccflags="$ccflags -fno-sanitize-recover=undefined"
    ldflags="$ldflags -fno-sanitize-recover=undefined"
    ;;
esac
# A program with its own main() (the test CLI, the seed writer): the link
# flags without libFuzzer, keeping the sanitizer runtimes (they provide the
# coverage callbacks the objects call).
plainld=$(printf '%s\n' "$ldflags" | sed -e 's/-fsanitize=fuzzer,/-fsanitize=/g' \
    -e 's/,fuzzer\([, ]\|$\)/\1/g' -e 's/-fsanitize=fuzzer\( \|$\)/\1/g')
case "$plainld" in *-fsanitize=*) ;; *) plainld="$plainld -fsanitize=address" ;; esac

inc="-I. -Iharness -Ifuzz"
extra=""
if command -v pkg-config >/dev/null 2>&1; then
    extra="$(pkg-config --cflags libpcap libmnl 2>/dev/null || true)"
fi
if command -v libnet-config >/dev/null 2>&1; then
    extra="$extra $(libnet-config --cflags 2>/dev/null || true)"
fi
base="-std=c11 -D_GNU_SOURCE -Wall -Wextra -Wno-unused-parameter $inc $extra"

mkdir -p "$out/obj" "$out/test"
# Other flags than last time: everything is compiled again.
stamp="$out/obj/flags"
if [ "$(cat "$stamp" 2>/dev/null)" != "$cc $base $ccflags $parsecov" ]; then
    rm -f "$out"/obj/*.o
    printf '%s\n' "$cc $base $ccflags $parsecov" >"$stamp"
fi
newest_header=$(ls -t model/*.h model/*.def harness/*/*.h fuzz/*.h fuzz/build.sh fuzz/*.allowlist \
    fuzz/*.ignorelist 2>/dev/null | head -n 1)
jobs=$(nproc 2>/dev/null || echo 2)

# compile SRC OBJ [EXTRA...]: when OBJ is older than SRC or the newest header
compile() {
    src=$1
    obj=$2
    shift 2
    if [ -f "$obj" ] && [ "$obj" -nt "$src" ] && [ "$obj" -nt "$newest_header" ]; then
        return 0
    fi
    # shellcheck disable=SC2086
    $cc $base $ccflags "$@" -c -o "$obj" "$src"
}

srcs=""
for f in model/*.c harness/*/*.c fuzz/fuzz_common.c fuzz/invariants.c; do
    case "$f" in harness/cli/main.c) continue ;; esac
    srcs="$srcs $f"
done
export cc base ccflags newest_header
# parallel compile: one shell per source
failed=0
printf '%s\n' $srcs | xargs -P "$jobs" -I{} sh -c '
    f={}; o="'"$out"'/obj/$(echo "$f" | tr / _ | sed "s/\.c$/.o/")"
    if [ -f "$o" ] && [ "$o" -nt "$f" ] && [ "$o" -nt "$newest_header" ]; then exit 0; fi
    echo "  CC  $f"
    $cc $base $ccflags -c -o "$o" "$f"' || failed=1
[ "$failed" -eq 0 ] || { echo "fuzz/build.sh: compile failed" >&2; exit 1; }

lib="$out/liblistenq-fuzz.a"
rm -f "$lib"
objs=""
for f in $srcs; do
    objs="$objs $out/obj/$(echo "$f" | tr / _ | sed 's/\.c$/.o/')"
done
# shellcheck disable=SC2086
ar rcs "$lib" $objs

# The parse fuzzer's copies of the scenario language, with their coverage
# (objects on the link line come before the archive's).
parseobjs=""
if [ -n "$parsecov" ]; then
    for f in harness/lang/parse.c harness/lang/parse_tok.c harness/lang/parse_event.c \
        harness/lang/print.c harness/lang/scenario.c; do
        o="$out/obj/parsecov_$(basename "$f" .c).o"
        compile "$f" "$o" $parsecov
        parseobjs="$parseobjs $o"
    done
fi

targets="listenq_model_fuzzer listenq_parse_fuzzer listenq_diff_fuzzer"
for t in $targets; do
    compile "fuzz/$t.c" "$out/obj/$t.o"
    extraobjs=""
    [ "$t" = listenq_parse_fuzzer ] && extraobjs=$parseobjs
    echo "  LD  $out/$t"
    # shellcheck disable=SC2086
    $cc $ccflags -o "$out/$t" "$out/obj/$t.o" $extraobjs "$lib" $ldflags $libs
    for ext in dict options; do
        [ -f "fuzz/$t.$ext" ] && cp "fuzz/$t.$ext" "$out/$t.$ext"
    done
done

if [ "${LQ_FUZZ_NO_TEST:-0}" != 1 ]; then
    # the test build of the differential target: $LISTENQ_MODEL_BUG
    compile fuzz/listenq_diff_fuzzer.c "$out/obj/test_listenq_diff_fuzzer.o" -DLQ_TEST_SWITCHES
    echo "  LD  $out/test/listenq_diff_fuzzer"
    # shellcheck disable=SC2086
    $cc $ccflags -o "$out/test/listenq_diff_fuzzer" "$out/obj/test_listenq_diff_fuzzer.o" "$lib" \
        $ldflags $libs
    cp fuzz/listenq_diff_fuzzer.dict "$out/test/listenq_diff_fuzzer.dict"
    # the CLI with the test switches (--model-bug for run, minimize, fuzz)
    compile harness/cli/main.c "$out/obj/test_main.o"
    compile harness/cli/cmd_fuzz.c "$out/obj/test_cmd_fuzz.o" -DLQ_TEST_SWITCHES
    compile harness/cli/cmd_finding.c "$out/obj/test_cmd_finding.o" -DLQ_TEST_SWITCHES
    compile harness/cli/cmd_run.c "$out/obj/test_cmd_run.o" -DLQ_TEST_SWITCHES
    echo "  LD  $out/test/listenq"
    # shellcheck disable=SC2086
    $cc $ccflags -o "$out/test/listenq" "$out/obj/test_main.o" "$out/obj/test_cmd_fuzz.o" \
        "$out/obj/test_cmd_finding.o" \
        "$out/obj/test_cmd_run.o" "$lib" $plainld $libs
    compile fuzz/mkseeds.c "$out/obj/mkseeds.o"
    echo "  LD  $out/listenq-mkseeds"
    # shellcheck disable=SC2086
    $cc $ccflags -o "$out/listenq-mkseeds" "$out/obj/mkseeds.o" "$lib" $plainld $libs
fi
echo "fuzz targets in $out: $targets"
