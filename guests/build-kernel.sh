#!/usr/bin/env bash
# Build the default Vireo riscv64 Linux guest kernel (arch/riscv/boot/Image) from
# Debian's linux-source-6.1 package with the config fragment guests/linux/vireo.config.
#
# Usage: guests/build-kernel.sh            prints the path of the cached Image on stdout
# Environment:
#   VIREO_CACHE    cache directory (default ~/.cache/vireo)
#   VIREO_VERBOSE  1 = stream the kernel build output to stderr (default: log file only)
#   VIREO_JOBS     parallel make jobs (default: nproc)
#
# The result is cached as $VIREO_CACHE/kernel-<key>/Image, where <key> hashes the
# fragment, this script, guests/lib.sh and the versions of linux-source-6.1 and
# gcc-riscv64-linux-gnu. Runs as root when packages have to be installed.
set -euo pipefail

PROG=build-kernel
GUESTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$GUESTS/lib.sh"

FRAGMENT=$GUESTS/linux/vireo.config
SRC_PKG=linux-source-6.1
SRC_TARBALL=/usr/src/linux-source-6.1.tar.xz
[[ -r $FRAGMENT ]] || die "config fragment not found: $FRAGMENT"

cache_key() {
    local src_ver gcc_ver
    src_ver=$(pkg_version "$SRC_PKG")
    gcc_ver=$(pkg_version gcc-riscv64-linux-gnu)
    [[ -n $src_ver && -n $gcc_ver ]] || return 1
    {
        printf 'vireo-kernel-v1\n%s %s\ngcc-riscv64-linux-gnu %s\n' "$SRC_PKG" "$src_ver" "$gcc_ver"
        cat "$FRAGMENT" "${BASH_SOURCE[0]}" "$GUESTS/lib.sh"
    } | sha256sum | cut -c1-16
}

# Fast path: everything installed and the Image already cached.
if key=$(cache_key) && [[ -f $VIREO_CACHE/kernel-$key/Image ]]; then
    printf '%s\n' "$VIREO_CACHE/kernel-$key/Image"
    exit 0
fi

ensure_packages "$SRC_PKG" gcc-riscv64-linux-gnu binutils-riscv64-linux-gnu \
    gcc libc6-dev make bc flex bison libssl-dev libelf-dev cpio xz-utils perl
[[ -r $SRC_TARBALL ]] || die "$SRC_TARBALL missing although $SRC_PKG is installed"
key=$(cache_key) || die "cannot compute the cache key"
SRC_VER=$(pkg_version "$SRC_PKG")
OUT=$VIREO_CACHE/kernel-$key
SRC=$VIREO_CACHE/src/linux-source-6.1_$SRC_VER
# One build tree per source version, shared by all fragment versions, so that a
# changed fragment rebuilds incrementally.
OBJ=$VIREO_CACHE/build/linux-6.1_$SRC_VER
LOGDIR=$VIREO_CACHE/logs
LOG=$LOGDIR/kernel-$key.log
JOBS=${VIREO_JOBS:-$(nproc)}
KMAKE=(make -C "$SRC" O="$OBJ" ARCH=riscv CROSS_COMPILE="$CROSS_COMPILE"
    KBUILD_BUILD_USER=vireo KBUILD_BUILD_HOST=vireo)

extract_source() {
    [[ -f $SRC/Makefile ]] && return 0
    log "extracting $SRC_TARBALL ($SRC_PKG $SRC_VER) into $SRC"
    local tmp=$SRC.tmp.$$
    rm -rf "$tmp"
    mkdir -p "$tmp"
    tar -xJf "$SRC_TARBALL" -C "$tmp"
    [[ -f $tmp/linux-source-6.1/Makefile ]] || die "unexpected layout in $SRC_TARBALL"
    rm -rf "$SRC"
    mv "$tmp/linux-source-6.1" "$SRC"
    rmdir "$tmp"
}

# verify_config FRAGMENT DOTCONFIG -- every option of the fragment must have the
# requested value in the final .config ("is not set" also matches an absent option).
verify_config() {
    awk '
        FNR == NR {
            if ($0 ~ /^[ \t]*$/) next
            if (match($0, /^# CONFIG_[A-Za-z0-9_]+ is not set$/)) {
                sym = $2; want[sym] = "n"; order[++n] = sym; next
            }
            if ($0 ~ /^#/) next
            if (match($0, /^CONFIG_[A-Za-z0-9_]+=/)) {
                sym = substr($0, 1, RLENGTH - 1); want[sym] = substr($0, RLENGTH + 1)
                order[++n] = sym; next
            }
            printf "fragment line %d not understood: %s\n", FNR, $0; bad++
            next
        }
        /^CONFIG_[A-Za-z0-9_]+=/ { i = index($0, "="); have[substr($0, 1, i - 1)] = substr($0, i + 1) }
        END {
            for (i = 1; i <= n; i++) {
                sym = order[i]; got = (sym in have) ? have[sym] : "n"
                if (got != want[sym]) {
                    printf "  %s: requested %s, got %s\n", sym, want[sym], (sym in have) ? got : "not set"
                    bad++
                }
            }
            printf "%d options checked\n", n > "/dev/stderr"
            exit bad ? 1 : 0
        }
    ' "$1" "$2"
}

build() {
    # Re-check under the lock: a concurrent run may have finished the same build.
    if [[ -f $OUT/Image ]]; then return 0; fi
    SECONDS=0
    mkdir -p "$LOGDIR" "$OBJ"
    : >"$LOG"
    extract_source

    log "configuring: allnoconfig + $FRAGMENT, then olddefconfig (build dir $OBJ)"
    rm -f "$OBJ/.config"
    # merge_config.sh must run from the source tree; it creates a temp file there.
    run_logged "$LOG" env -C "$SRC" ARCH=riscv CROSS_COMPILE="$CROSS_COMPILE" \
        scripts/kconfig/merge_config.sh -n -O "$OBJ" "$FRAGMENT"
    run_logged "$LOG" "${KMAKE[@]}" olddefconfig
    local report
    if ! report=$(verify_config "$FRAGMENT" "$OBJ/.config" 2>&1); then
        printf '%s\n' "$report" >&2
        die "the final .config does not match $FRAGMENT (options above); fix the fragment"
    fi
    log "config verified: ${report##*$'\n'}"

    log "building Image with -j$JOBS (log: $LOG; VIREO_VERBOSE=1 to stream)"
    run_logged "$LOG" "${KMAKE[@]}" -j"$JOBS" Image

    local tmp=$OUT.tmp.$$
    rm -rf "$tmp"
    mkdir -p "$tmp"
    # vmlinux (the ELF) too: `vireo run --kernel` accepts either, and the system tests boot both.
    cp "$OBJ/arch/riscv/boot/Image" "$OBJ/vmlinux" "$OBJ/.config" "$tmp/"
    mv "$tmp/.config" "$tmp/config"
    {
        printf 'source=%s %s\n' "$SRC_PKG" "$SRC_VER"
        printf 'compiler=%s\n' "$("${CROSS_COMPILE}gcc" --version | head -n1)"
        printf 'kernelrelease=%s\n' "$("${KMAKE[@]}" -s kernelrelease 2>/dev/null)"
        printf 'build_seconds=%d\n' "$SECONDS"
    } >"$tmp/build-info"
    rm -rf "$OUT"
    mv "$tmp" "$OUT"
    log "built $OUT/Image ($(stat -c %s "$OUT/Image") bytes) in $(elapsed)"
}

with_lock "$VIREO_CACHE/build/kernel.lock" build
printf '%s\n' "$OUT/Image"
