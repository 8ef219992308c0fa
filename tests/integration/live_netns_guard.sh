#!/bin/sh
# The namespace guard runs before anything is written: with unshare() made a
# no-op (an LD_PRELOAD shim), the harness would be configuring the namespace
# it started in. It must refuse before its first sysctl write. The test runs
# inside a namespace of its own (unshare -n), so even a broken guard could
# only write there, never to the host.
. tests/integration/lib.sh.inc
why=$(live_unavailable)
if [ -n "$why" ]; then
    echo "1..0 # SKIP $why"
    exit 4
fi
for tool in unshare cc; do
    if ! command -v $tool >/dev/null 2>&1; then
        echo "1..0 # SKIP $tool is not installed (util-linux, build-essential)"
        exit 4
    fi
done
cat >"$TMP/shim.c" <<'EOF'
/* unshare() that does nothing for the calls listed in LQ_SHIM_NOOP ("all",
 * or a call number: 2 = the second call). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
int unshare(int flags)
{
    static int calls;
    const char *w = getenv("LQ_SHIM_NOOP");
    calls++;
    if (w && (strcmp(w, "all") == 0 || atoi(w) == calls))
        return 0;
    int (*real)(int) = (int (*)(int))dlsym(RTLD_NEXT, "unshare");
    return real(flags);
}
EOF
if ! cc -shared -fPIC -o "$TMP/shim.so" "$TMP/shim.c" -ldl 2>"$TMP/cc.err"; then
    echo "1..0 # SKIP cannot build the LD_PRELOAD shim: $(head -n 1 "$TMP/cc.err")"
    exit 4
fi
s=$(pwd)/corpus/conformance/listen_backlog_clamped.lq
run_guarded() { # NOOP: runs listenq with the shim inside a private namespace
    unshare -n sh -c '
        f=/proc/sys/net/ipv4/tcp_child_ehash_entries
        before=$(cat $f 2>/dev/null || echo none)
        LQ_SHIM_NOOP=$1 LD_PRELOAD=$2 "$3" run --kernel-only --no-progress "$4" >"$5/out" 2>&1
        echo $? >"$5/rc"
        echo "$before $(cat $f 2>/dev/null || echo none)" >"$5/vals"
    ' sh "$1" "$TMP/shim.so" "$(readlink -f "$LISTENQ")" "$s" "$TMP"
}

run_guarded all
is "$(cat "$TMP/rc")" 3 "every unshare() a no-op: the run refuses (exit 3)"
grep -q "refusing to run: the PARENT namespace is the caller's namespace" "$TMP/out"
ok $? "... because PARENT is the caller's namespace"
set -- $(cat "$TMP/vals")
is "$2" "$1" "the caller's tcp_child_ehash_entries is untouched ($1)"

run_guarded 2
is "$(cat "$TMP/rc")" 3 "the second unshare() a no-op: the run refuses (exit 3)"
grep -q "refusing to run: PARENT and SERVER are one namespace" "$TMP/out"
ok $? "... because SERVER would be PARENT"
set -- $(cat "$TMP/vals")
is "$2" "$1" "the caller's tcp_child_ehash_entries is untouched"

run_guarded none
is "$(cat "$TMP/rc")" 0 "with the shim passing every call through, the run works"
tap_done
