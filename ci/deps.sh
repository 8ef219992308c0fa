#!/bin/sh
# ci/deps.sh PURPOSE... : make sure the Debian packages a listenq job needs are
# installed, installing the missing ones with apt-get (and saying which, and why).
#
# PURPOSE is one or more of: build, check, run, fuzz, matrix, lint, regress.
# Exit status: 0 all present (or installed), 1 something is missing and could not
# be installed here (not root, not Debian/Ubuntu, or apt-get failed).
set -u

# package|what listenq needs it for   (one line per package, per purpose)
pkgs_build='build-essential|C compiler, make and libc headers
pkg-config|finds the compile flags of libpcap and libmnl
libnet1-dev|builds the raw SYN/ACK/RST frames the live harness injects
libpcap-dev|captures the kernel replies on the client end of the veth
libmnl-dev|rtnetlink (veth set-up) and inet_diag (SYN-queue length)
libjansson-dev|reads and writes recorded traces (listenq record, replay, matrix)'
pkgs_run='iproute2|ip(8): the tests check that no interface or namespace is left behind'
pkgs_check='clang|libFuzzer targets and their smoke tests
libclang-rt-14-dev|clang sanitizer and libFuzzer runtimes
tshark|the tests check that every pcap the harness writes is readable
iproute2|ip(8): the tests check that no interface or namespace is left behind
linux-source-6.12|the KTAP readers of the kernel (kunit_parser.py, the kselftest runner) that the tests feed
perl|prove and TAP::Parser read the KTAP output in the tests
libxml2-utils|xmllint: the tests check the JUnit output is well-formed (and valid, given the schemas)
python3-jsonschema|the tests validate the JSON outputs against their schemas
python3-yaml|the tests check the LAVA test definition as the test-definitions validator does'
pkgs_fuzz='clang|libFuzzer targets (make fuzz)
libclang-rt-14-dev|clang sanitizer and libFuzzer runtimes
zip|seed corpus archives in the ClusterFuzzLite layout'
pkgs_lint='cppcheck|static checks of the C sources (make lint, ci/lint.sh)'
pkgs_matrix='qemu-system-x86|boots each kernel of the matrix in a VM
busybox-static|the minimal init and shell inside the matrix VM
cpio|packs the matrix VM initramfs
kmod|reads kernel module dependencies (veth) for the VM
xz-utils|unpacks xz-compressed kernel modules (Debian 6.12) for the VM initramfs'
pkgs_regress='linux-source-6.12|the Debian 6.12 kernel source the regression bench patches and builds
xz-utils|unpacks the kernel source tarball
bc|the kernel build (timeconst.h)
bison|the kernel build (kconfig, genksyms)
flex|the kernel build (kconfig, genksyms)
libelf-dev|the kernel build (objtool)
libssl-dev|the kernel build (sign-file, certificate tools)
cpio|the kernel build (kheaders) and the matrix VM initramfs
patch|applies and reverts the bench entries in the kernel tree
git|git apply: applies and reverts the bench entries in the kernel tree'

want=""
for purpose in "$@"; do
    case "$purpose" in
    build) list=$pkgs_build ;;
    run) list="$pkgs_build
$pkgs_run" ;;
    check) list="$pkgs_build
$pkgs_check" ;;
    fuzz) list="$pkgs_build
$pkgs_fuzz" ;;
    matrix) list="$pkgs_build
$pkgs_matrix" ;;
    lint) list=$pkgs_lint ;;
    regress) list="$pkgs_build
$pkgs_matrix
$pkgs_regress" ;;
    *) echo "ci/deps.sh: unknown purpose '$purpose' (build, check, run, fuzz, matrix, lint, regress)" >&2; exit 2 ;;
    esac
    want="$want
$list"
done

have_pkg() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
    # Not Debian/Ubuntu: we cannot check package names, so check the tools instead.
    missing=""
    command -v cc >/dev/null 2>&1 || missing="$missing C-compiler"
    command -v pkg-config >/dev/null 2>&1 || missing="$missing pkg-config"
    command -v libnet-config >/dev/null 2>&1 || missing="$missing libnet(1.1.x)"
    pkg-config --exists libpcap 2>/dev/null || missing="$missing libpcap"
    pkg-config --exists libmnl 2>/dev/null || missing="$missing libmnl"
    if [ -n "$missing" ]; then
        echo "listenq: this is not a Debian/Ubuntu system; install by hand:$missing" >&2
        exit 1
    fi
    exit 0
fi

missing=""
seen=" "
echo "$want" | while IFS='|' read -r pkg why; do
    [ -n "$pkg" ] || continue
    echo "$pkg|$why"
done > "${TMPDIR:-/tmp}/listenq-deps.$$"
while IFS='|' read -r pkg why; do
    case "$seen" in *" $pkg "*) continue ;; esac
    seen="$seen$pkg "
    if ! have_pkg "$pkg"; then
        echo "listenq: missing Debian package $pkg: $why" >&2
        missing="$missing $pkg"
    fi
done < "${TMPDIR:-/tmp}/listenq-deps.$$"
rm -f "${TMPDIR:-/tmp}/listenq-deps.$$"

[ -n "$missing" ] || exit 0

if [ "$(id -u)" != 0 ]; then
    echo "listenq: not root, cannot install:$missing" >&2
    echo "listenq: run: sudo apt-get install$missing" >&2
    exit 1
fi
echo "listenq: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# Prefer the system's own release: an extra suite in the apt sources (a
# newer Debian, backports) must never pull upgrades of the base system in.
codename=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")
release_opt=""
[ -n "$codename" ] && release_opt="-o APT::Default-Release=$codename"
if ! apt-get install -y --no-install-recommends $release_opt $missing >&2; then
    echo "listenq: apt-get install failed; refreshing the package lists and retrying" >&2
    apt-get update >&2 || { echo "listenq: apt-get update failed" >&2; exit 1; }
    apt-get install -y --no-install-recommends $release_opt $missing >&2 || {
        echo "listenq: could not install:$missing" >&2
        exit 1
    }
fi
exit 0
