#!/bin/bash -eu
# .clusterfuzzlite/build.sh: builds listenq's libFuzzer targets the way
# OSS-Fuzz and ClusterFuzzLite call it: $CC and $CFLAGS (sanitizer and
# coverage flags included), $LIB_FUZZING_ENGINE to link, everything into $OUT:
#   listenq_model_fuzzer listenq_parse_fuzzer listenq_diff_fuzzer
#   <target>.dict <target>.options <target>_seed_corpus.zip
#   lib/  the shared libraries the targets need that the runner image lacks
#         (libnet, libpcap, libmnl, libjansson and theirs; found through
#         RUNPATH $ORIGIN/lib)
# listenq_diff_fuzzer needs CAP_SYS_ADMIN/NET_ADMIN/NET_RAW for the kernel
# side; in an unprivileged runner it says so once and runs the model checks.
cd "$SRC/listenq"
work="${WORK:-/tmp}/listenq-fuzz"
libs="$(pkg-config --libs libpcap libmnl jansson 2>/dev/null || echo -lpcap -lmnl -ljansson)"
libs="-lnet $libs -lm -Wl,-rpath,\$ORIGIN/lib"
LQ_FUZZ_NO_TEST=1 sh fuzz/build.sh "$work" "$CC" "$CFLAGS" "$libs" "$LIB_FUZZING_ENGINE"

for t in listenq_model_fuzzer listenq_parse_fuzzer listenq_diff_fuzzer; do
    cp "$work/$t" "$OUT/$t"
    cp "fuzz/$t.dict" "$OUT/$t.dict"
    cp "fuzz/$t.options" "$OUT/$t.options"
done

# seed corpora
rm -f "$OUT"/*_seed_corpus.zip
(cd corpus/seeds/model && zip -q -j "$OUT/listenq_model_fuzzer_seed_corpus.zip" ./*)
(cd corpus/seeds/diff && zip -q -j "$OUT/listenq_diff_fuzzer_seed_corpus.zip" ./*)
zip -q -j "$OUT/listenq_parse_fuzzer_seed_corpus.zip" corpus/conformance/*.lq \
    corpus/seeds/scenarios/*.lq

# the shared libraries beside the targets (not the C library's own)
mkdir -p "$OUT/lib"
for t in listenq_model_fuzzer listenq_parse_fuzzer listenq_diff_fuzzer; do
    ldd "$OUT/$t" | awk '/=> \// { print $3 }' | while read -r so; do
        case "$(basename "$so")" in
        libc.so* | libm.so* | libpthread.so* | libdl.so* | librt.so* | ld-linux* | \
            libgcc_s.so* | libstdc++.so* | libresolv.so*) ;;
        *) [ -e "$OUT/lib/$(basename "$so")" ] || cp -L "$so" "$OUT/lib/" ;;
        esac
    done
done
