#!/usr/bin/env bash
# Build (or fetch from the cache) the default Vireo riscv64 Linux guest.
# Prints two lines on stdout:
#   kernel=/path/to/Image
#   initramfs=/path/to/initramfs.cpio.gz
# and points $VIREO_CACHE/default/{Image,initramfs.cpio.gz} at them: that is where
# `vireo run` (with no --kernel) and the system tests look for the default guest.
# Progress goes to stderr. See guests/README.md.
set -euo pipefail

GUESTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
kernel=$("$GUESTS/build-kernel.sh") || { echo "build: error: kernel build failed" >&2; exit 1; }
initramfs=$("$GUESTS/build-initramfs.sh") || { echo "build: error: initramfs build failed" >&2; exit 1; }
default_dir=${VIREO_CACHE:-$HOME/.cache/vireo}/default
mkdir -p "$default_dir"
ln -sfn "$kernel" "$default_dir/Image"
ln -sfn "$(dirname "$kernel")/vmlinux" "$default_dir/vmlinux"
ln -sfn "$initramfs" "$default_dir/initramfs.cpio.gz"
printf 'kernel=%s\ninitramfs=%s\n' "$kernel" "$initramfs"
