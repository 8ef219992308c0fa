#!/bin/sh
# ci/matrix/run-vm.sh: boots one kernel with a matrix initramfs and brings the
# results back.
#
#   run-vm.sh --kernel VMLINUZ --initrd FILE --results DIR --log FILE
#             [--timeout SECS] [--accel auto|kvm|tcg] [--mem MIB] [--smp N]
#             [--disk-mib N] [--append "KERNEL ARGS"]
#
# The VM has no network device. Its first serial port (the console) goes to
# LOG; a second virtio-blk disk (a zeroed raw image, DIR/../results.img) takes
# the tar /init writes; a second serial port (DIR/../ttyS1.txt) takes base64
# between markers when the kernel has no virtio_blk. The results are unpacked
# into DIR. The VM is killed after SECS (default 600).
# --accel auto (the default) uses KVM when /dev/kvm is usable, and falls back
# to TCG when /init has not started within LISTENQ_MATRIX_KVM_PROBE seconds
# (default 30) under KVM. DIR/../vm.timing says which ran.
# Exit: 0 results back, 3 VM or transport failure, 4 qemu missing, 124 timeout.
set -eu

kernel="" initrd="" results="" log="" tmo=600 accel="" mem=1024 smp=2 disk_mib=256 append_extra=""
while [ $# -gt 0 ]; do
    case "$1" in
    --kernel) kernel=$2; shift 2 ;;
    --initrd) initrd=$2; shift 2 ;;
    --results) results=$2; shift 2 ;;
    --log) log=$2; shift 2 ;;
    --timeout) tmo=$2; shift 2 ;;
    --accel) accel=$2; shift 2 ;;
    --mem) mem=$2; shift 2 ;;
    --smp) smp=$2; shift 2 ;;
    --disk-mib) disk_mib=$2; shift 2 ;;
    --append) append_extra=$2; shift 2 ;;
    *) echo "run-vm: unknown argument $1" >&2; exit 2 ;;
    esac
done
if [ -z "$kernel" ] || [ -z "$initrd" ] || [ -z "$results" ] || [ -z "$log" ]; then
    echo "usage: run-vm.sh --kernel VMLINUZ --initrd FILE --results DIR --log FILE" >&2
    exit 2
fi

qemu=${QEMU:-qemu-system-x86_64}
command -v "$qemu" >/dev/null 2>&1 || { echo "run-vm: $qemu not found (Debian package qemu-system-x86)" >&2; exit 4; }
command -v timeout >/dev/null 2>&1 || { echo "run-vm: timeout(1) not found (coreutils)" >&2; exit 4; }
[ -r "$kernel" ] || { echo "run-vm: cannot read the kernel $kernel" >&2; exit 3; }

kvm_ok() { [ -r /dev/kvm ] && [ -w /dev/kvm ]; }
case "${accel:-auto}" in
auto) if kvm_ok; then accel=kvm probe=${LISTENQ_MATRIX_KVM_PROBE:-30}; else accel=tcg probe=0; fi ;;
kvm) probe=0 ;;
tcg) probe=0 ;;
*) echo "run-vm: --accel is auto, kvm or tcg" >&2; exit 2 ;;
esac

work=$(dirname "$results")
mkdir -p "$work"
rm -rf "$results"
mkdir -p "$results"
img="$work/results.img"
ser="$work/ttyS1.txt"
rm -f "$img" "$ser"
: > "$ser"
# A zeroed (sparse) raw disk: tar stops at the first zero block.
truncate -s "${disk_mib}M" "$img"

# boot ACCEL SECS [PROBE]: runs the VM; with PROBE, gives up (status 125) when
# /init has not said hello on the console within PROBE seconds (a nested KVM
# can be so slow that TCG is faster).
boot() {
    case "$1" in
    kvm) cpu="-accel kvm -cpu host,-arch-capabilities" ;;
    *) cpu="-accel tcg -cpu max" ;;
    esac
    : > "$log"
    # shellcheck disable=SC2086 # $cpu is several words
    # --foreground keeps qemu in our process group: whoever kills the group
    # (listenq matrix on Ctrl-C or at its own deadline) kills the VM too.
    timeout --foreground --kill-after=10 "$2" "$qemu" $cpu -m "$mem" -smp "$smp" \
        -nodefaults -no-user-config -display none -no-reboot \
        -kernel "$kernel" -initrd "$initrd" \
        -append "console=ttyS0 panic=-1 loglevel=4 $append_extra" \
        -serial "file:$log" -serial "file:$ser" \
        -drive "file=$img,format=raw,if=virtio,cache=unsafe" \
        -monitor none < /dev/null > "$work/qemu.out" 2>&1 &
    qpid=$!
    if [ "${3:-0}" -gt 0 ]; then
        waited=0
        while kill -0 "$qpid" 2>/dev/null; do
            grep -q 'LISTENQ-MATRIX: init' "$log" 2>/dev/null && break
            if [ "$waited" -ge $(($3 * 2)) ]; then
                kill "$qpid" 2>/dev/null
                wait "$qpid" 2>/dev/null
                return 125
            fi
            sleep 0.5
            waited=$((waited + 1))
        done
    fi
    # /init is done once it says so; a kernel that cannot power off (built
    # without ACPI: "Power off not available: System halted instead") stays
    # up until the timeout, so the VM is stopped here (SIGTERM: qemu shuts
    # down in order; the results were written and synced before "done")
    while kill -0 "$qpid" 2>/dev/null; do
        if grep -q 'LISTENQ-MATRIX: done at' "$log" 2>/dev/null; then
            sleep 2
            if kill -0 "$qpid" 2>/dev/null; then
                halted=1
                kill "$qpid" 2>/dev/null
            fi
            break
        fi
        sleep 0.5
    done
    wait "$qpid"
    st=$?
    [ "$halted" = 1 ] && return 0
    return $st
}

qpid=""
halted=0
trap '[ -n "$qpid" ] && kill "$qpid" 2>/dev/null; exit 130' INT TERM HUP
start=$(date +%s.%N)
set +e
note=""
if [ "$accel" = kvm ] && [ "$probe" -gt 0 ]; then
    boot kvm "$tmo" "$probe"
    rc=$?
    if [ "$rc" = 125 ]; then
        note="kvm_fallback=no console output from /init within ${probe} s under KVM"
        echo "run-vm: KVM gave no sign of life within ${probe} s (nested KVM?); using TCG" >&2
        cp "$log" "$log.kvm" 2>/dev/null
        accel=tcg
        truncate -s 0 "$img" && truncate -s "${disk_mib}M" "$img"
        : > "$ser"
        start=$(date +%s.%N)
        boot tcg "$tmo"
        rc=$?
    fi
else
    boot "$accel" "$tmo"
    rc=$?
fi
set -e
end=$(date +%s.%N)
echo "vm_wall_s=$(echo "$start $end" | awk '{ printf "%.2f", $2 - $1 }')" > "$work/vm.timing"
echo "accel=$accel" >> "$work/vm.timing"
[ -n "$note" ] && echo "$note" >> "$work/vm.timing"

if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
    echo "run-vm: the VM did not finish within $tmo s and was killed (console: $log)" >&2
    got=124
else
    got=0
fi
if [ "$rc" != 0 ] && [ "$got" = 0 ]; then
    echo "run-vm: qemu exited with status $rc: $(tail -n 3 "$work/qemu.out" | tr '\n' ' ')" >&2
fi

if tar -tf "$img" >/dev/null 2>&1 && [ -n "$(tar -tf "$img" 2>/dev/null | head -n 2)" ]; then
    tar -xf "$img" -C "$results"
elif grep -q '^LISTENQ-RESULTS-END' "$ser" 2>/dev/null; then
    sed -n '/^LISTENQ-RESULTS-BEGIN/,/^LISTENQ-RESULTS-END/p' "$ser" | sed '1d;$d' | tr -d '\r' |
        base64 -d | tar -xzf - -C "$results"
else
    echo "run-vm: no results came back (console: $log)" >&2
    [ "$got" = 124 ] && exit 124
    exit 3
fi
rm -f "$img"
[ -s "$ser" ] || rm -f "$ser"
[ "$got" = 124 ] && exit 124
exit 0
