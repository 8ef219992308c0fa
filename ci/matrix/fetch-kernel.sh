#!/bin/sh
# ci/matrix/fetch-kernel.sh VERSION CACHE_DIR
#
# Finds Debian's linux-image package of a kernel line in this machine's apt
# sources, restricted to the suites in LISTENQ_MATRIX_SUITES (default:
# bookworm, bookworm-security, bookworm-updates), downloads it with
# `apt-get download` and unpacks it with `dpkg -x` under
# CACHE_DIR/kernels/PACKAGE_VERSION/. Nothing is installed on the host.
#
# VERSION is a line ("6.1", "6.12": the newest Debian build of it) or a point
# release ("6.1.176": exactly that upstream release).
#
# Prints key=value lines on stdout (the C side reads them):
#   vmlinuz=  modroot= (holds lib/modules/RELEASE)  release=  package=
#   debversion=  suite=
# Exit: 0 ok, 2 bad VERSION, 3 not found or download/unpack failed, 4 no apt here.
set -eu

die() {
    code=$1
    shift
    echo "fetch-kernel: $*" >&2
    exit "$code"
}

[ $# -eq 2 ] || die 2 "usage: fetch-kernel.sh VERSION CACHE_DIR"
spec=$1
cache=$2
suites=${LISTENQ_MATRIX_SUITES:-bookworm bookworm-security bookworm-updates}
arch=${LISTENQ_MATRIX_ARCH:-amd64}

case "$spec" in
[0-9]*.[0-9]*) ;;
*) die 2 "'$spec' is not a kernel version (X.Y or X.Y.Z)" ;;
esac
mm=$(echo "$spec" | cut -d. -f1-2)
point=$(echo "$spec" | cut -s -d. -f3)
case "$mm$point" in *[!0-9.]*) die 2 "'$spec' is not a kernel version (X.Y or X.Y.Z)" ;; esac

if ! command -v apt-cache >/dev/null 2>&1 || ! command -v dpkg >/dev/null 2>&1; then
    die 4 "apt-cache and dpkg are needed to fetch Debian kernels (or pass a bzImage path)"
fi

suite_re=""
for s in $suites; do suite_re="$suite_re${suite_re:+|}$s"; done

# "meta|version|suite" for every build of the line in the allowed suites.
candidates() {
    for meta in "linux-image-$mm-$arch" "linux-image-$arch"; do
        apt-cache madison "$meta" 2>/dev/null | awk -F'|' -v meta="$meta" -v re="^($suite_re)/" '
            { v = $2; gsub(/ /, "", v); n = split($3, w, " "); s = w[2];
              if (s ~ re) { sub(/\/.*/, "", s); print meta "|" v "|" s } }'
    done
}

pick() {
    best_meta=""
    best_ver=""
    best_suite=""
    list=$(candidates)
    for line in $list; do
        meta=${line%%|*}
        rest=${line#*|}
        ver=${rest%%|*}
        suite=${rest#*|}
        up=${ver%%-*}
        up=${up%%+*}
        up=${up%%~*}
        case "$up" in "$mm".*) ;; *) continue ;; esac
        if [ -n "$point" ] && [ "$up" != "$mm.$point" ]; then continue; fi
        if [ -z "$best_ver" ] || dpkg --compare-versions "$ver" gt "$best_ver"; then
            best_meta=$meta
            best_ver=$ver
            best_suite=$suite
        fi
    done
}

pick
if [ -z "$best_ver" ] && [ "$(id -u)" = 0 ] && [ -z "${LISTENQ_MATRIX_NO_UPDATE:-}" ]; then
    echo "fetch-kernel: no Debian $spec kernel in the package lists; running apt-get update" >&2
    apt-get update >&2 || true
    pick
fi
[ -n "$best_ver" ] || die 3 "no linux-image package of Linux $spec for $arch in suites: $suites (apt-cache madison linux-image-$arch)"

pkg=$(apt-cache show "$best_meta=$best_ver" 2>/dev/null | sed -n 's/^Depends: //p' | head -n 1 |
    tr ',' '\n' | sed -n 's/^ *\(linux-image-[^ ]*\) *(= *\([^)]*\)).*/\1 \2/p' | head -n 1)
[ -n "$pkg" ] || die 3 "$best_meta $best_ver names no linux-image package"
img=${pkg% *}
imgver=${pkg#* }

dir="$cache/kernels/${img}_$imgver"
mkdir -p "$cache/kernels" "$cache/debs"
cache_abs=$(cd "$cache" && pwd)
dir="$cache_abs/kernels/${img}_$imgver"

if [ ! -f "$dir/.unpacked" ]; then
    echo "fetch-kernel: Linux $spec is $img $imgver ($best_suite); downloading" >&2
    debdir="$cache_abs/debs"
    # apt drops privileges to _apt for downloads when it can write there.
    chmod 0777 "$debdir" 2>/dev/null || true
    (cd "$debdir" && apt-get download "$img=$imgver" >&2) ||
        die 3 "apt-get download $img=$imgver failed"
    deb=""
    for f in "$debdir/${img}_"*"_$arch.deb"; do [ -f "$f" ] && deb=$f; done
    [ -n "$deb" ] || die 3 "the download of $img left no .deb in $debdir"
    rm -rf "$dir.tmp"
    mkdir -p "$dir.tmp"
    dpkg -x "$deb" "$dir.tmp" || die 3 "dpkg -x $deb failed"
    rm -f "$deb"
    rel=""
    for m in "$dir.tmp"/lib/modules/* "$dir.tmp"/usr/lib/modules/*; do
        [ -d "$m" ] && rel=$(basename "$m") && break
    done
    [ -n "$rel" ] || die 3 "$img has no lib/modules/RELEASE"
    if [ ! -d "$dir.tmp/lib/modules/$rel" ]; then
        mkdir -p "$dir.tmp/lib/modules"
        ln -s "../../usr/lib/modules/$rel" "$dir.tmp/lib/modules/$rel"
    fi
    if command -v depmod >/dev/null 2>&1; then
        depmod -b "$dir.tmp" "$rel" || die 3 "depmod -b $dir.tmp $rel failed"
    elif [ -x /sbin/depmod ]; then
        /sbin/depmod -b "$dir.tmp" "$rel" || die 3 "depmod failed"
    else
        die 3 "depmod (Debian package kmod) is needed to order the kernel's modules"
    fi
    printf 'release=%s\npackage=%s\ndebversion=%s\nsuite=%s\n' "$rel" "$img" "$imgver" \
        "$best_suite" > "$dir.tmp/.info"
    rm -rf "$dir"
    mv "$dir.tmp" "$dir"
    touch "$dir/.unpacked"
fi

info() { sed -n "s/^$1=//p" "$dir/.info"; }
release=$(info release)
package=$(info package)
debversion=$(info debversion)
suite=$(info suite)
vmlinuz="$dir/boot/vmlinuz-$release"
[ -f "$vmlinuz" ] || die 3 "$img has no boot/vmlinuz-$release"
printf 'vmlinuz=%s\nmodroot=%s\nrelease=%s\npackage=%s\ndebversion=%s\nsuite=%s\n' \
    "$vmlinuz" "$dir" "$release" "$package" "$debversion" "$suite"
