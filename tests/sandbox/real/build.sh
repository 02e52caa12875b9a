#!/usr/bin/env bash
# Builds real programs from Debian's source packages, twice each: for riscv64 (run under
# `vireo exec`) and for the host (the reference output, and the native time in the benchmark).
#
#   build.sh OUT_DIR
#
# Leaves OUT_DIR/{lua,sqlite3}.{riscv64,riscv64.dyn,native}, OUT_DIR/busybox.riscv64 and
# OUT_DIR/zstd.{riscv64,native}. The sources come from `apt-get source`
# (needs a deb-src entry, as guests/build-initramfs.sh sets up) into a cache that survives rebuilds:
# $VIREO_CACHE/sandbox-sources, else ~/.cache/vireo/sandbox-sources. Without deb-src (or without
# network) it prints why and exits 0 having built nothing: the tests that need these skip.
set -euo pipefail

OUT=${1:?usage: build.sh OUT_DIR}
CACHE=${VIREO_CACHE:-$HOME/.cache/vireo}/sandbox-sources
CROSS=${CROSS_CC:-riscv64-linux-gnu-gcc}
HOST_CC=${HOST_CC:-cc}
JOBS=$(nproc)
mkdir -p "$OUT" "$CACHE"

log() { echo "real-programs: $*" >&2; }
skip() { log "$*: nothing built (the real-program tests will skip)"; exit 0; }

# Unpacks the source package $1 into $CACHE (once) and prints its folder.
fetch() {
    local pkg=$1 dir
    dir=$(find "$CACHE" -maxdepth 1 -type d -name "$pkg-*" | sort | tail -1)
    if [[ -z $dir ]]; then
        log "fetching the $pkg source package"
        (cd "$CACHE" && apt-get source -qq -o APT::Sandbox::User=root "$pkg" >"$CACHE/$pkg.log" 2>&1) ||
            return 1
        dir=$(find "$CACHE" -maxdepth 1 -type d -name "$pkg-*" | sort | tail -1)
    fi
    [[ -n $dir ]] && echo "$dir"
}

command -v "$CROSS" >/dev/null || skip "no $CROSS"
command -v apt-get >/dev/null || skip "no apt-get"

# ---- Lua 5.4: the interpreter is lua.c plus every library file but luac.c ----
if [[ ! -x $OUT/lua.native ]]; then
    LUA=$(fetch lua5.4) || skip "apt-get source lua5.4 failed (see $CACHE/lua5.4.log)"
    srcs=()
    for f in "$LUA"/src/*.c; do [[ $(basename "$f") == luac.c ]] || srcs+=("$f"); done
    # Debian's module-path patch wants a header its rules generate.
    mkdir -p "$OUT/lua-include"
    echo '#define DEB_HOST_MULTIARCH "riscv64-linux-gnu"' >"$OUT/lua-include/lua5.4-deb-multiarch.h"
    flags=(-O2 -DLUA_USE_POSIX -I"$OUT/lua-include")
    log "building lua for riscv64 and the host"
    "$CROSS" "${flags[@]}" -static -o "$OUT/lua.riscv64" "${srcs[@]}" -lm
    "$CROSS" "${flags[@]}" -o "$OUT/lua.riscv64.dyn" "${srcs[@]}" -lm
    "$HOST_CC" "${flags[@]}" -o "$OUT/lua.native" "${srcs[@]}" -lm
fi

# ---- SQLite 3: the amalgamation (generated with tclsh by the source tree's make), then the shell ----
if [[ ! -x $OUT/sqlite3.native ]]; then
    command -v tclsh >/dev/null || skip "no tclsh to generate sqlite3.c"
    SQLITE=$(fetch sqlite3) || skip "apt-get source sqlite3 failed (see $CACHE/sqlite3.log)"
    bld=$CACHE/sqlite3-amalgamation
    if [[ ! -f $bld/sqlite3.c ]]; then
        log "generating the sqlite3 amalgamation"
        mkdir -p "$bld"
        (cd "$bld" && "$SQLITE/configure" >configure.log 2>&1 && make -j"$JOBS" sqlite3.c shell.c >make.log 2>&1)
    fi
    flags=(-O2 -DSQLITE_THREADSAFE=0 -DSQLITE_OMIT_LOAD_EXTENSION -I"$bld")
    log "building sqlite3 for riscv64 and the host"
    "$CROSS" "${flags[@]}" -static -o "$OUT/sqlite3.riscv64" "$bld/shell.c" "$bld/sqlite3.c" -lm
    "$CROSS" "${flags[@]}" -o "$OUT/sqlite3.riscv64.dyn" "$bld/shell.c" "$bld/sqlite3.c" -lm
    "$HOST_CC" "${flags[@]}" -o "$OUT/sqlite3.native" "$bld/shell.c" "$bld/sqlite3.c" -lm
fi
# ---- BusyBox: defconfig, statically linked, for riscv64 only (its tests have expected output) ----
if [[ ! -x $OUT/busybox.riscv64 ]]; then
    BUSYBOX=$(fetch busybox) || skip "apt-get source busybox failed (see $CACHE/busybox.log)"
    obj=$CACHE/busybox-riscv64-build
    mkdir -p "$obj"
    bb=(make -C "$BUSYBOX" O="$obj" CROSS_COMPILE="${CROSS%gcc}")
    log "building busybox for riscv64 (defconfig, static)"
    if [[ ! -f $obj/.config ]]; then
        "${bb[@]}" defconfig >"$obj/config.log" 2>&1
        sed -i 's/^# CONFIG_STATIC is not set$/CONFIG_STATIC=y/' "$obj/.config"
        { yes "" || true; } | "${bb[@]}" oldconfig >>"$obj/config.log" 2>&1   # yes dies of SIGPIPE
    fi
    "${bb[@]}" -j"$JOBS" busybox >"$obj/make.log" 2>&1 || { tail -20 "$obj/make.log" >&2; exit 1; }
    cp "$obj/busybox" "$OUT/busybox.riscv64"
fi
# ---- zstd: the command-line tool (multithreaded, no zlib/lzma/lz4), static for riscv64 ----
if [[ ! -x $OUT/zstd.native ]]; then
    ZSTD=$(fetch libzstd) || skip "apt-get source libzstd failed (see $CACHE/libzstd.log)"
    srcs=("$ZSTD"/lib/{common,compress,decompress,dictBuilder}/*.c "$ZSTD"/programs/*.c)
    # The same C on both sides (no x86-64 assembly), so the compressed bytes can be compared.
    flags=(-O2 -DZSTD_MULTITHREAD -DZSTD_LEGACY_SUPPORT=0 -DZSTD_DISABLE_ASM -I"$ZSTD/lib" -I"$ZSTD/lib/common" -pthread)
    log "building zstd for riscv64 and the host"
    "$CROSS" "${flags[@]}" -static -o "$OUT/zstd.riscv64" "${srcs[@]}"
    "$HOST_CC" "${flags[@]}" -o "$OUT/zstd.native" "${srcs[@]}"
fi
log "done: $(cd "$OUT" && echo *)"
