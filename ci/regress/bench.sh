#!/bin/sh
# ci/regress/bench.sh: `make regress-bench`, the proof on real kernels.
#
# Builds Debian's 6.12.117 kernel (linux-source-6.12) once with the config of
# ci/regress/kernel.config, then for every entry of tests/regress/table.txt
# (a real upstream listen-path commit) patches the tree (reverts the commit
# when 6.12.117 has it, applies it when it lacks it), rebuilds incrementally
# and runs `listenq matrix --kernel bzImage --profile 6.12.117`: the kernel
# against the profile of the unmodified tree. One row per entry says whether
# listenq reported a difference, in which scenarios, and which profile change
# the matrix names as its explanation, next to the one the table expects;
# then `name: value` lines (regress_detected: N/M, ...). The unmodified
# kernel runs first, as the control: it must agree with its profile.
# docs/matrix.md ("Proof on real kernels") describes it.
#
# Environment (all optional):
#   REGRESS_CACHE    build tree, images, matrix cache, results (build/regress-cache)
#   REGRESS_SOURCE   the kernel source tarball (/usr/src/linux-source-6.12.tar.xz)
#   REGRESS_TREE     a kernel tree of your own to patch instead of the tarball's
#                    (it must be clean where the patches go)
#   REGRESS_OUT      the build's object tree (make O=...; $REGRESS_CACHE/out)
#   REGRESS_TABLE    the table (tests/regress/table.txt)
#   REGRESS_PROFILE  the profile the kernels are judged against (6.12.117)
#   REGRESS_ONLY     name,name: run only these entries (the control always runs)
#   REGRESS_JOBS     make -j (2); builds run under nice -n 19
#   REGRESS_TIMEOUT  listenq matrix --timeout (600)
#   LISTENQ          the listenq binary (build/listenq)
# Exit status: 0 every entry ran and was detected and attributed as the table
# says and the control agrees, 1 otherwise, 2 bad set-up (no source, no table).
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cache=${REGRESS_CACHE:-$root/build/regress-cache}
tarball=${REGRESS_SOURCE:-/usr/src/linux-source-6.12.tar.xz}
table=${REGRESS_TABLE:-$root/tests/regress/table.txt}
patches=$(dirname "$table")/patches
profile=${REGRESS_PROFILE:-6.12.117}
only=${REGRESS_ONLY:-}
jobs=${REGRESS_JOBS:-2}
timeout=${REGRESS_TIMEOUT:-600}
listenq=${LISTENQ:-$root/build/listenq}
fragment=$here/kernel.config

say() { printf 'regress: %s\n' "$*" >&2; }
die() {
    say "$*"
    exit 2
}
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

[ -r "$table" ] || die "no table $table"
[ -x "$listenq" ] || die "no $listenq: run make first (make regress-bench does)"
mkdir -p "$cache/images" "$cache/results" "$cache/logs" || die "cannot create $cache"
cache=$(cd "$cache" && pwd)
out=${REGRESS_OUT:-$cache/out}
t_start=$(now)

# One bench per cache: the tree is patched in place.
exec 9>"$cache/lock"
if ! flock -n 9; then
    say "another regress bench uses $cache; waiting for it"
    flock 9
fi

# ---- the kernel tree ----
if [ -n "${REGRESS_TREE:-}" ]; then
    src=$(cd "$REGRESS_TREE" && pwd) || die "no tree $REGRESS_TREE"
    # a tree of your own changes under us: its images are never reused
    stamp_src="tree:$src:$(date +%s)"
else
    [ -r "$tarball" ] || die "no $tarball (ci/deps.sh regress installs linux-source-6.12)"
    src=$cache/linux-source-6.12
    stamp_src="tarball:$(stat -c '%s %Y' "$tarball") $tarball"
    if [ "$(cat "$cache/source.stamp" 2>/dev/null)" != "$stamp_src" ]; then
        say "unpacking $tarball into $cache (once)"
        rm -rf "$src" "$cache/unpack.tmp" "$out"
        if ! { mkdir -p "$cache/unpack.tmp" &&
            nice -n 19 tar -xJf "$tarball" -C "$cache/unpack.tmp" &&
            mv "$cache/unpack.tmp/linux-source-6.12" "$src"; }; then
            die "cannot unpack $tarball"
        fi
        rmdir "$cache/unpack.tmp"
        printf '%s\n' "$stamp_src" > "$cache/source.stamp"
    fi
fi
[ -f "$src/Makefile" ] || die "$src is no kernel tree"

# Each entry is built in a copy of the unmodified kernel's object tree
# ($cache/work), and the files its patch touches get their modification
# times back once it is taken out again: the object tree $out stays the
# unmodified kernel's, and each entry rebuilds only what its own patch
# touches (no rebuild back after it). A bench that was stopped while an
# entry was applied left it in the tree: the next one takes it out first.
applied=$cache/applied
mtimes=$cache/applied.mtimes
undo_applied() {
    [ -f "$applied" ] || return 0
    up=$(cat "$applied")
    if ! patch -p1 -R -s -F0 --no-backup-if-mismatch -d "$src" < "$up" \
        > "$cache/logs/unpatch.log" 2>&1; then
        say "cannot take $up out of $src again (see $cache/logs/unpatch.log)"
        return 1
    fi
    if [ -f "$mtimes" ]; then
        while IFS='	' read -r f t; do
            touch -d "$t" "$src/$f" || return 1
        done < "$mtimes"
    fi
    rm -f "$applied" "$mtimes"
}
trap 'undo_applied; exit 130' INT TERM
undo_applied || exit 1

# ---- the config ----
cfg_key=$( (cat "$fragment"; printf 'defconfig kvm_guest.config\n') | sha256sum | cut -c1-16)
mkdir -p "$out"
if [ "$(cat "$out/.listenq-config" 2>/dev/null)" != "$cfg_key" ] || [ ! -f "$out/.config" ]; then
    say "configuring: defconfig kvm_guest.config + ci/regress/kernel.config"
    { make -s -C "$src" O="$out" defconfig kvm_guest.config &&
        "$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "$fragment" &&
        make -s -C "$src" O="$out" olddefconfig; } > "$cache/logs/config.log" 2>&1 ||
        die "configuring failed (see $cache/logs/config.log)"
    printf '%s\n' "$cfg_key" > "$out/.listenq-config"
fi
for opt in SERIAL_8250_CONSOLE BLK_DEV_INITRD RD_GZIP DEVTMPFS NET_NS PACKET VETH INET_DIAG \
    INET_TCP_DIAG VIRTIO_PCI VIRTIO_BLK SYN_COOKIES IPV6; do
    grep -q "^CONFIG_$opt=y" "$out/.config" || die "CONFIG_$opt is not =y in $out/.config"
done
release=$(make -s -C "$src" O="$out" kernelrelease 2>/dev/null)

# ---- building ----
# build_image NAME KEY OBJTREE: builds bzImage in OBJTREE, copies it to
# images/NAME.bzImage; sets build_s ("cached" when images/NAME.key already
# says KEY).
build_image() {
    img=$cache/images/$1.bzImage
    if [ -f "$img" ] && [ "$(cat "$cache/images/$1.key" 2>/dev/null)" = "$2" ]; then
        build_s=cached
        return 0
    fi
    t0=$(now)
    if ! nice -n 19 make -s -C "$src" O="$3" -j"$jobs" bzImage > "$cache/logs/build-$1.log" 2>&1
    then
        say "building $1 failed: the end of $cache/logs/build-$1.log:"
        tail -n 15 "$cache/logs/build-$1.log" >&2
        return 1
    fi
    build_s=$(elapsed "$t0")
    cp "$3/arch/x86/boot/bzImage" "$img.tmp" && mv "$img.tmp" "$img" &&
        printf '%s\n' "$2" > "$cache/images/$1.key"
}

# ---- judging ----
# run_matrix NAME FLAGS: the matrix on images/NAME.bzImage; sets m_rc, m_s,
# m_scen (the disagreeing scenarios, comma separated) and m_expl (what the
# matrix names: change ids, "unexplained", "cannot tell", or "-").
run_matrix() {
    t0=$(now)
    # shellcheck disable=SC2086 # the flags field is a list of words
    "$listenq" matrix --kernel "$cache/images/$1.bzImage" --profile "$profile" \
        --cache "$cache/matrix" --timeout "$timeout" $2 \
        > "$cache/results/$1.out" 2> "$cache/results/$1.err"
    m_rc=$?
    m_s=$(elapsed "$t0")
    m_scen=$(sed -n 's/^  [^ ].*: [0-9]* scenarios\{0,1\} disagrees\{0,1\}: //p' "$cache/results/$1.out" |
        head -n 1 | tr ' ' ',')
    m_expl=$(sed -n 's/^    explained by \([a-z0-9_]*\):.*/\1/p' "$cache/results/$1.out" | paste -sd+ -)
    if [ -z "$m_expl" ]; then
        if grep -q '^    unexplained:' "$cache/results/$1.out"; then
            m_expl=unexplained
        elif grep -q '^    cannot tell:' "$cache/results/$1.out"; then
            m_expl="cannot tell"
        else
            m_expl=-
        fi
    fi
    [ -n "$m_scen" ] || m_scen=-
}

rows=$cache/results/rows.txt
: > "$rows"
row() { printf '%-26s %-7s %-12s %-4s %-26s %-26s %-6s %s\n' "$@" >> "$rows"; }
row entry action commit diff "listenq explanation" "expected" verdict scenarios

# The control: the unmodified tree.
say "building the unmodified $release (the first build takes long; then it is cached)"
build_image baseline "$cfg_key $stamp_src" "$out" || exit 1
first_build_s=$build_s
say "control: listenq matrix on the unmodified kernel"
run_matrix baseline ""
control_s=$m_s
if [ "$m_rc" = 0 ]; then
    control=agrees
else
    control=DISAGREES
    say "the unmodified kernel does not agree with profile $profile (matrix exit $m_rc):"
    say "  $m_scen; see $cache/results/baseline.out"
fi
row "(unmodified 6.12.117)" - - "$([ "$m_rc" = 0 ] && echo no || echo yes)" "$m_expl" - \
    "$([ "$m_rc" = 0 ] && echo ok || echo WRONG)" "$m_scen"

n=0 detected=0 attributed=0 skipped=0 builds="" mtotal=0
skips=$cache/results/skipped.txt
: > "$skips"
while IFS='|' read -r name action commit subject expect flags; do
    case "$name" in '' | '#'*) continue ;; esac
    if [ "$name" = skip ]; then
        skipped=$((skipped + 1))
        printf '%s %s (%s, %s): %s\n' "$action" "$(printf %.12s "$commit")" "$subject" "$expect" \
            "$flags" >> "$skips"
        continue
    fi
    if [ -n "$only" ]; then
        case ",$only," in *",$name,"*) ;; *) continue ;; esac
    fi
    n=$((n + 1))
    c12=$(printf %.12s "$commit")
    p=$patches/$action-$c12.diff
    say "$name: $action $c12 \"$subject\""
    if [ ! -r "$p" ] || ! patch -p1 --dry-run -s -F0 -d "$src" < "$p" > "$cache/logs/patch-$name.log" 2>&1
    then
        row "$name" "$action" "$c12" - "patch does not apply" "$expect" WRONG -
        continue
    fi
    key=$( (cat "$p"; printf '%s %s\n' "$cfg_key" "$stamp_src") | sha256sum | cut -c1-16)
    if [ -f "$cache/images/$name.bzImage" ] && [ "$(cat "$cache/images/$name.key" 2>/dev/null)" = "$key" ]
    then
        build_s=cached
    else
        work=$cache/work
        rm -rf "$work"
        cp -a "$out" "$work" || die "cannot copy $out to $work"
        sed -n 's|^+++ b/\([^	 ]*\).*|\1|p' "$p" | while read -r f; do
            printf '%s\t%s\n' "$f" "$(stat -c %y "$src/$f")"
        done > "$mtimes"
        printf '%s\n' "$p" > "$applied"
        patch -p1 -s -F0 --no-backup-if-mismatch -d "$src" < "$p" \
            > "$cache/logs/patch-$name.log" 2>&1 || {
            say "$name: patch failed after its dry run"
            undo_applied
            exit 1
        }
        build_image "$name" "$key" "$work"
        ok_build=$?
        undo_applied || exit 1
        rm -rf "$work"
        if [ "$ok_build" != 0 ]; then
            row "$name" "$action" "$c12" - "build failed" "$expect" WRONG -
            continue
        fi
        builds="$builds $build_s"
    fi
    run_matrix "$name" "$flags"
    mtotal=$(awk -v a="$mtotal" -v b="$m_s" 'BEGIN { print a + b }')
    case "$m_rc" in
    0) diff=no ;;
    1) diff=yes ;;
    *) diff="err$m_rc" ;;
    esac
    verdict=WRONG
    [ "$diff" = yes ] && detected=$((detected + 1))
    if [ "$diff" = yes ] && [ "$m_expl" = "$expect" ]; then
        verdict=ok
        attributed=$((attributed + 1))
    fi
    case "$build_s" in cached) b=cached ;; *) b="${build_s} s" ;; esac
    say "$name: build $b, matrix ${m_s} s: difference $diff, explanation $m_expl"
    row "$name" "$action" "$c12" "$diff" "$m_expl" "$expect" "$verdict" "$m_scen"
done < "$table"

echo
echo "listenq regression bench: Debian $release, each entry against profile $profile"
cat "$rows"
if [ -s "$skips" ]; then
    echo
    echo "not run (no scenario can observe them; tests/regress/table.txt says why):"
    sed 's/^/  /' "$skips"
fi
echo
echo "rows: $cache/results/rows.txt; each matrix output: $cache/results/NAME.out"
# the incremental rebuilds' fastest and slowest (builds: a list of seconds)
rebuild_min=$(echo "$builds" | awk '{ for (i = 1; i <= NF; i++) if (m == "" || $i < m) m = $i }
    END { print m == "" ? "-" : m }')
rebuild_max=$(echo "$builds" | awk '{ for (i = 1; i <= NF; i++) if (m == "" || $i > m) m = $i }
    END { print m == "" ? "-" : m }')
echo "regress_entries: $n"
echo "regress_detected: $detected/$n"
echo "regress_attributed: $attributed/$n"
echo "regress_control: $control"
echo "regress_skipped: $skipped"
echo "regress_first_build_s: $first_build_s"
echo "regress_rebuild_s_min: $rebuild_min"
echo "regress_rebuild_s_max: $rebuild_max"
echo "regress_control_matrix_s: $control_s"
echo "regress_matrix_s_total: $mtotal"
echo "regress_wall_s: $(elapsed "$t_start")"
[ "$control" = agrees ] && [ "$detected" = "$n" ] && [ "$attributed" = "$n" ] && [ "$n" -gt 0 ]
