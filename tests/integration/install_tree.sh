#!/bin/sh
# `make install` into a tree in /tmp, then the installed listenq run from `/`:
# it must find its corpus, recordings and matrix scripts without a source tree
# (util/datadir.h), and the tree must hold the man page and bash completion.
. tests/integration/lib.sh.inc
root="$TMP/root"
top=$(pwd)
make -s --no-print-directory install-files DESTDIR="$root" PREFIX=/usr LISTENQ="$LISTENQ" \
    BUILD="$TMP/build" >"$TMP/make" 2>&1
ok $? "make install-files DESTDIR=... PREFIX=/usr"
[ -s "$TMP/make" ] && sed 's/^/# /' "$TMP/make" | tail -n 5
bin="$root/usr/bin/listenq"
share="$root/usr/share/listenq"
test -x "$bin"
ok $? "the binary is installed"
n=$(ls corpus/conformance/*.lq | wc -l)
is "$(ls "$share"/corpus/conformance/*.lq | wc -l)" "$n" "the conformance corpus is installed"
test -x "$share/ci/matrix/fetch-kernel.sh" && test -x "$share/ci/matrix/mkinitramfs.sh" &&
    test -x "$share/ci/matrix/run-vm.sh"
ok $? "the matrix scripts are installed, executable"
is "$(cd pcaps && find . -type f | sort | md5sum)" "$(cd "$share/pcaps" && find . -type f | sort | md5sum)" \
    "the reference recordings (pcaps/) are installed"
man="$root/usr/share/man/man1/listenq.1"
head -n 1 "$man" | grep -q '^\.TH LISTENQ 1 '
ok $? "the man page is installed"
# every command of docs/cli.md's synopsis is in the man page
missing=""
for c in $(sed -n '/^```/,/^```/s/^listenq \([a-z]*\).*/\1/p' docs/cli.md | sort -u); do
    grep -q "listenq $c" "$man" || missing="$missing $c"
done
is "$missing" "" "the man page has every command of docs/cli.md"
if command -v groff >/dev/null 2>&1; then
    groff -man -Tutf8 -ww "$man" >/dev/null 2>"$TMP/groff"
    is "$(cat "$TMP/groff")" "" "groff renders the man page without warnings"
fi
comp="$root/usr/share/bash-completion/completions/listenq"
if command -v bash >/dev/null 2>&1; then
    got=$(bash -c '. "$1"; COMP_WORDS=(listenq re); COMP_CWORD=1; _listenq; echo "${COMPREPLY[*]}"' _ "$comp")
    is "$got" "record replay" "bash completion completes the commands"
    got=$(bash -c '. "$1"; COMP_WORDS=(listenq run --ta); COMP_CWORD=2; _listenq; echo "${COMPREPLY[*]}"' _ "$comp")
    is "$got" "--tap" "bash completion completes an option"
else
    skip "bash completion" "bash is not installed"
fi

# from /, with no source tree around
(cd / && "$bin" run --model-only --no-progress) >"$TMP/run" 2>&1
is $? 0 "installed: listenq run --model-only from / runs the installed conformance suite"
tail -n 1 "$TMP/run" | grep -q "^$n scenarios: $n passed"
ok $? "installed: all $n scenarios ran"
(cd / && "$bin" run --model-only --no-progress "$share/corpus/conformance/accept_fifo.lq") >"$TMP/run" 2>&1
is $? 0 "installed: listenq run FILE from /"

why=$(live_unavailable)
if [ -z "$why" ]; then
    (cd / && "$bin" run --fast --no-progress) >"$TMP/live" 2>&1
    is $? 0 "installed: the fast suite on this kernel from /"
    (cd / && "$bin" record --fast --out "$TMP/rec" "$share/corpus/conformance") >"$TMP/rec.out" 2>&1
    is $? 0 "installed: record from /"
    (cd / && "$bin" replay --fast "$TMP/rec") >"$TMP/replay" 2>&1
    rc=$?
    is $rc 0 "installed: replay of that recording from /"
    # the failing scenarios' reports first (a recording is not run again)
    [ $rc -eq 0 ] || { grep -A 12 '^FAIL' "$TMP/replay" | head -n 60; tail -n 5 "$TMP/replay"; } | sed 's/^/# /'
    (cd / && XDG_CACHE_HOME="$TMP/cache" "$bin" matrix --kernel running) >"$TMP/mx" 2>&1
    rc=$?
    is $rc 0 "installed: matrix --kernel running from /"
    [ $rc -eq 0 ] || tail -n 5 "$TMP/mx" | sed 's/^/# /'
    test -d "$TMP/cache/listenq/matrix-cache" && ! test -e /build/matrix-cache
    ok $? "installed: the matrix cache goes to the user's cache, not ./build"
else
    skip "installed: live run, record, replay and matrix from /" "$why"
fi
cd "$top"
tap_done
