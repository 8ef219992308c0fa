#!/bin/sh
# The kernel matrix, smoke-sized: four scenarios on Debian's 6.1 kernel in one
# VM (`listenq matrix --kernel 6.1`), results back over the second disk, the
# table, the recordings. Opt-in: LISTENQ_MATRIX_SMOKE=1. The first run
# downloads Debian's linux-image-6.1.0-*-amd64 (about 70 MB) into the matrix
# cache (LISTENQ_MATRIX_CACHE, default build/matrix-cache, shared with
# `make matrix`); then it takes about 15 s under TCG, less with KVM.
. tests/integration/lib.sh.inc

if [ "${LISTENQ_MATRIX_SMOKE:-}" != 1 ]; then
    echo "1..0 # SKIP opt-in: set LISTENQ_MATRIX_SMOKE=1 (boots Debian's 6.1 kernel in a VM)"
    exit 4
fi
why=""
command -v qemu-system-x86_64 >/dev/null 2>&1 || why="qemu-system-x86_64 is missing (Debian package qemu-system-x86)"
[ -n "$why" ] || command -v cpio >/dev/null 2>&1 || why="cpio is missing"
[ -n "$why" ] || command -v modprobe >/dev/null 2>&1 || why="modprobe is missing (Debian package kmod)"
[ -n "$why" ] || [ -x /bin/busybox ] || why="busybox is missing (Debian package busybox-static)"
[ -n "$why" ] || command -v apt-cache >/dev/null 2>&1 || why="not a Debian system (no apt-cache)"
if [ -z "$why" ] && ! apt-cache madison linux-image-amd64 2>/dev/null | grep -Eq ' 6\.1\.[0-9]+-[^ ]* \| .* bookworm(-security|-updates)?/'; then
    why="no Debian 6.1 kernel in this machine's apt sources (bookworm, bookworm-security)"
fi
if [ -n "$why" ]; then
    echo "1..0 # SKIP $why"
    exit 4
fi

cache=${LISTENQ_MATRIX_CACHE:-$LISTENQ_BUILD/matrix-cache}
mkdir -p "$TMP/smoke"
for s in listen_zero_takes_one_syn rst_challenge_in_syn_recv tsecr_reject acceptq_full_drops_syn; do
    cp "corpus/conformance/$s.lq" "$TMP/smoke/"
done
if [ -f "$cache/kvm-unusable" ]; then
    diag "KVM: found unusable on this host before ($cache/kvm-unusable), TCG"
elif [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
    diag "KVM: /dev/kvm usable (TCG if /init does not start within 30 s)"
else
    diag "KVM: not usable here, TCG"
fi

start=$(date +%s)
"$LISTENQ" matrix --kernel 6.1 --corpus "$TMP/smoke" --cache "$cache" --timeout 240 \
    >"$TMP/out" 2>"$TMP/err"
rc=$?
secs=$(($(date +%s) - start))
diag "listenq matrix --kernel 6.1 (4 scenarios) took ${secs} s"
is "$rc" 0 "matrix on Debian 6.1: exit 0 (the model agrees with the kernel)"
[ "$rc" -eq 0 ] || { sed 's/^/# /' "$TMP/err" | tail -n 20; sed 's/^/# /' "$TMP/out" | tail -n 30; }

col=$(sed -n 's/^scenario  *\(6\.1\.[0-9]*\) *$/\1/p' "$TMP/out")
[ -n "$col" ]
ok $? "the table has one column, the 6.1 point release's profile (${col:-none})"
# the matrix runs both families: a row per scenario and family
grep -Eq '^listen_zero_takes_one_syn@ipv4 +pass +$' "$TMP/out" &&
    grep -Eq '^listen_zero_takes_one_syn@ipv6 +pass +$' "$TMP/out"
ok $? "listen(fd, 0) takes one SYN on 6.1 (the synq_full_gt backport), over IPv4 and IPv6: pass"
grep -Eq '^tsecr_reject@ipv4 +pass\* +$' "$TMP/out" && grep -Eq '^tsecr_reject@ipv6 +pass\* +$' "$TMP/out"
ok $? "tsecr_reject: pass* (model and kernel agree; 6.1 has no TSecr check)"
grep -q '^profiles: the model agrees with every kernel' "$TMP/out"
ok $? "no model/kernel disagreement is reported"

# The run's folder in the cache, from the progress line naming its console log.
run=$(sed -n 's/.*(console: \(.*\)\/console\.log, at most.*/\1/p' "$TMP/err" | tail -n 1)
n=$(wc -l <"$run/results/run.jsonl" 2>/dev/null)
is "$n" 8 "the run's JSON lines came back from the VM (4 scenarios, 2 families)"
if "$LISTENQ" record --help >/dev/null 2>&1; then
    n=$(find "$run/results/rec" -name '*.json' 2>/dev/null | wc -l)
    is "$n" 8 "the recordings (listenq record, both families) came back from the VM"
else
    skip "the recordings came back from the VM" "this listenq has no record command"
fi
grep -q 'LISTENQ-MATRIX: done' "$run/console.log" 2>/dev/null
ok $? "the serial console log is kept in the cache ($run/console.log)"
grep -q '^accel=' "$run/vm.timing" 2>/dev/null
ok $? "vm.timing says which accelerator ran ($(sed -n 's/^accel=//p' "$run/vm.timing" 2>/dev/null))"

tap_done
