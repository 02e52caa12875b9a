#!/usr/bin/env bash
# Build the default Vireo riscv64 initramfs: a static busybox from Debian's busybox
# source package plus guests/initramfs/init, packed as a gzip'd newc cpio archive.
#
# Usage: guests/build-initramfs.sh         prints the path of the cached initramfs on stdout
# Environment:
#   VIREO_CACHE    cache directory (default ~/.cache/vireo)
#   VIREO_VERBOSE  1 = stream the busybox build output to stderr (default: log file only)
#   VIREO_JOBS     parallel make jobs (default: nproc)
#
# Needs a deb-src entry for `apt-get source busybox`; if there is none, one is added
# (Types: deb deb-src in /etc/apt/sources.list.d/debian.sources, or a deb-src copy of
# /etc/apt/sources.list) followed by apt-get update. Runs as root for that.
# The result is cached as $VIREO_CACHE/initramfs-<key>/initramfs.cpio.gz, where <key>
# hashes this script, guests/lib.sh, guests/initramfs/init, the busybox source version
# and the versions of gcc-riscv64-linux-gnu and libc6-dev-riscv64-cross.
set -euo pipefail

PROG=build-initramfs
GUESTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$GUESTS/lib.sh"

INIT=$GUESTS/initramfs/init
RESOLVED=$VIREO_CACHE/src/busybox.resolved
[[ -r $INIT ]] || die "init script not found: $INIT"

# Identity of apt's source indexes: the busybox version resolved from them stays
# valid as long as they do not change (avoids a slow apt-cache call on every run).
lists_stamp() {
    local f=(/var/lib/apt/lists/*_Sources*)
    [[ -e ${f[0]} ]] || return 1
    stat -c '%n %Y %s' "${f[@]}" | sha256sum | cut -c1-16
}

# Print the busybox source version resolved earlier from the current indexes.
cached_busybox_version() {
    local stamp rs rv
    stamp=$(lists_stamp) || return 1
    [[ -r $RESOLVED ]] || return 1
    read -r rs rv <"$RESOLVED" || return 1
    [[ $rs == "$stamp" && -n $rv ]] || return 1
    printf '%s\n' "$rv"
}

cache_key() {
    local bb_ver=$1 gcc_ver libc_ver
    gcc_ver=$(pkg_version gcc-riscv64-linux-gnu)
    libc_ver=$(pkg_version libc6-dev-riscv64-cross)
    [[ -n $gcc_ver && -n $libc_ver ]] || return 1
    {
        printf 'vireo-initramfs-v1\nbusybox %s\n' "$bb_ver"
        printf 'gcc-riscv64-linux-gnu %s\nlibc6-dev-riscv64-cross %s\n' "$gcc_ver" "$libc_ver"
        cat "${BASH_SOURCE[0]}" "$GUESTS/lib.sh" "$INIT"
    } | sha256sum | cut -c1-16
}

# Fast path: inputs unchanged and the archive already cached.
if bb_ver=$(cached_busybox_version) && key=$(cache_key "$bb_ver") &&
    [[ -f $VIREO_CACHE/initramfs-$key/initramfs.cpio.gz ]]; then
    printf '%s\n' "$VIREO_CACHE/initramfs-$key/initramfs.cpio.gz"
    exit 0
fi

have_deb_src() {
    grep -Eqs '^[[:space:]]*deb-src[[:space:]]' /etc/apt/sources.list /etc/apt/sources.list.d/*.list ||
        grep -Eqis '^Types:([[:space:]].*)?[[:space:]]deb-src([[:space:]]|$)' /etc/apt/sources.list.d/*.sources
}

add_deb_src() {
    [[ $(id -u) -eq 0 ]] || die "no deb-src entry in the apt sources; run as root, or enable deb-src yourself"
    local deb822=/etc/apt/sources.list.d/debian.sources
    if grep -Eqs '^Types:[[:space:]]*deb[[:space:]]*$' "$deb822"; then
        mkdir -p "$VIREO_CACHE"
        cp -p "$deb822" "$VIREO_CACHE/debian.sources.orig"
        log "adding deb-src to Types: in $deb822 (original saved as $VIREO_CACHE/debian.sources.orig)"
        sed -i -E 's/^Types:[[:space:]]*deb[[:space:]]*$/Types: deb deb-src/' "$deb822"
    elif grep -Eqs '^[[:space:]]*deb[[:space:]]' /etc/apt/sources.list; then
        local list=/etc/apt/sources.list.d/vireo-deb-src.list
        log "adding deb-src entries mirroring /etc/apt/sources.list in $list"
        sed -n -E 's/^[[:space:]]*deb([[:space:]])/deb-src\1/p' /etc/apt/sources.list >"$list"
    else
        die "cannot find Debian apt sources to add deb-src to; add a deb-src entry and run apt-get update"
    fi
}

# Print the newest busybox source version apt knows about.
newest_busybox_source() {
    local v best=
    for v in $(apt-cache showsrc --only-source busybox 2>/dev/null | awk '/^Version:/ { print $2 }'); do
        if [[ -z $best ]] || dpkg --compare-versions "$v" gt "$best"; then best=$v; fi
    done
    [[ -n $best ]] && printf '%s\n' "$best"
}

resolve_busybox_version() {
    local ver
    if ! have_deb_src; then
        add_deb_src
        log "running apt-get update for the source indexes"
        apt-get update >&2 || die "apt-get update failed"
    fi
    if ! ver=$(newest_busybox_source); then
        [[ $(id -u) -eq 0 ]] || die "apt knows no busybox source package; run apt-get update as root"
        log "busybox source unknown to apt; running apt-get update"
        apt-get update >&2 || die "apt-get update failed"
        ver=$(newest_busybox_source) || die "no busybox source package available from the deb-src entries"
    fi
    mkdir -p "$(dirname "$RESOLVED")"
    printf '%s %s\n' "$(lists_stamp)" "$ver" >"$RESOLVED"
    printf '%s\n' "$ver"
}

ensure_packages gcc-riscv64-linux-gnu binutils-riscv64-linux-gnu libc6-dev-riscv64-cross \
    gcc libc6-dev make dpkg-dev patch bzip2 xz-utils cpio gzip
BB_VER=$(resolve_busybox_version)
key=$(cache_key "$BB_VER") || die "cannot compute the cache key"
OUT=$VIREO_CACHE/initramfs-$key
BB_UPSTREAM=${BB_VER#*:}
BB_UPSTREAM=${BB_UPSTREAM%-*}
SRC=$VIREO_CACHE/src/busybox_${BB_VER#*:}
OBJ=$VIREO_CACHE/build/busybox_${BB_VER#*:}
LOGDIR=$VIREO_CACHE/logs
LOG=$LOGDIR/initramfs-$key.log
JOBS=${VIREO_JOBS:-$(nproc)}
BBMAKE=(make -C "$SRC" O="$OBJ" CROSS_COMPILE="$CROSS_COMPILE")

# Options changed from busybox's defconfig (NAME=VALUE, VALUE "n" = not set).
BB_OPTIONS=(
    CONFIG_STATIC=y
)

fetch_source() {
    [[ -f $SRC/Makefile ]] && return 0
    log "fetching the busybox $BB_VER source package (apt-get source) into $SRC"
    local tmp=$SRC.tmp.$$
    rm -rf "$tmp"
    mkdir -p "$tmp"
    # Sandbox user root: the cache usually lives in root's home, which _apt cannot enter.
    run_logged "$LOG" env -C "$tmp" apt-get source -o APT::Sandbox::User=root \
        --only-source "busybox=$BB_VER"
    [[ -f $tmp/busybox-$BB_UPSTREAM/Makefile ]] || die "apt-get source busybox gave no busybox-$BB_UPSTREAM/ in $tmp"
    rm -rf "$SRC"
    mv "$tmp/busybox-$BB_UPSTREAM" "$SRC"
    rm -rf "$tmp"
}

# set_option CONFIGFILE NAME VALUE
set_option() {
    local file=$1 name=$2 value=$3
    sed -i -E "/^(# )?$name(=| is not set)/d" "$file"
    if [[ $value == n ]]; then
        printf '# %s is not set\n' "$name" >>"$file"
    else
        printf '%s=%s\n' "$name" "$value" >>"$file"
    fi
}

configure() {
    log "configuring busybox: defconfig + ${BB_OPTIONS[*]}"
    rm -f "$OBJ/.config"
    run_logged "$LOG" "${BBMAKE[@]}" defconfig
    local opt
    for opt in "${BB_OPTIONS[@]}"; do
        set_option "$OBJ/.config" "${opt%%=*}" "${opt#*=}"
    done
    run_logged "$LOG" bash -c 'yes "" | "$@"' _ "${BBMAKE[@]}" oldconfig
    for opt in "${BB_OPTIONS[@]}"; do
        local name=${opt%%=*} value=${opt#*=}
        if [[ $value == n ]]; then
            grep -qx "# $name is not set" "$OBJ/.config" || ! grep -q "^$name=" "$OBJ/.config" ||
                die "busybox option $name could not be disabled"
        else
            grep -qx "$name=$value" "$OBJ/.config" || die "busybox option $name=$value did not stick"
        fi
    done
}

make_rootfs() {
    local root=$1
    run_logged "$LOG" "${BBMAKE[@]}" CONFIG_PREFIX="$root" install
    local bb=$root/bin/busybox
    "${CROSS_COMPILE}readelf" -h "$bb" | grep -q 'Machine:.*RISC-V' || die "$bb is not a RISC-V binary"
    ! "${CROSS_COMPILE}readelf" -l "$bb" | grep -q INTERP || die "$bb is not statically linked"
    mkdir -p "$root"/{dev,proc,sys,tmp,run,root,etc,mnt}
    chmod 1777 "$root/tmp"
    chmod 700 "$root/root"
    install -m 755 "$INIT" "$root/init"
    printf 'root:x:0:0:root:/root:/bin/sh\n' >"$root/etc/passwd"
    printf 'root:x:0:\n' >"$root/etc/group"
    printf 'vireo\n' >"$root/etc/hostname"
    # The kernel opens /dev/console for init before /init can mount devtmpfs.
    if ! mknod -m 600 "$root/dev/console" c 5 1 2>/dev/null; then
        log "warning: cannot mknod dev/console (not root?); relying on the kernel's built-in /dev/console"
    fi
    find "$root" -exec touch -h -d @0 {} +
}

build() {
    if [[ -f $OUT/initramfs.cpio.gz ]]; then return 0; fi
    SECONDS=0
    mkdir -p "$LOGDIR" "$OBJ"
    : >"$LOG"
    fetch_source
    configure
    log "building busybox with -j$JOBS (log: $LOG; VIREO_VERBOSE=1 to stream)"
    run_logged "$LOG" "${BBMAKE[@]}" -j"$JOBS"

    local tmp=$OUT.tmp.$$
    rm -rf "$tmp"
    mkdir -p "$tmp"
    make_rootfs "$tmp/rootfs"
    log "packing $OUT/initramfs.cpio.gz"
    (cd "$tmp/rootfs" && find . -mindepth 1 | LC_ALL=C sort |
        cpio --quiet -o -H newc -R 0:0 --reproducible) | gzip -9 -n >"$tmp/initramfs.cpio.gz"
    cp "$OBJ/.config" "$tmp/busybox.config"
    {
        printf 'busybox=%s\n' "$BB_VER"
        printf 'compiler=%s\n' "$("${CROSS_COMPILE}gcc" --version | head -n1)"
        printf 'libc6-dev-riscv64-cross=%s\n' "$(pkg_version libc6-dev-riscv64-cross)"
        printf 'build_seconds=%d\n' "$SECONDS"
    } >"$tmp/build-info"
    rm -rf "$tmp/rootfs"
    rm -rf "$OUT"
    mv "$tmp" "$OUT"
    log "built $OUT/initramfs.cpio.gz ($(stat -c %s "$OUT/initramfs.cpio.gz") bytes) in $(elapsed)"
}

with_lock "$VIREO_CACHE/build/busybox.lock" build
printf '%s\n' "$OUT/initramfs.cpio.gz"
