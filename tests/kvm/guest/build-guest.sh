#!/usr/bin/env bash
# Builds (or finds in the cache) the x86-64 test guest for `vireo run --accel kvm`:
#   - Debian's linux-image-cloud-amd64 kernel (a bzImage), fetched with `apt-get download` and
#     unpacked without installing it (nothing in /boot changes);
#   - an initramfs holding tests/kvm/guest/init.c (built static with the host's gcc) and the
#     kernel's virtio modules (virtio_mmio, virtio_blk, virtio_console, virtio-rng).
# Prints two lines on stdout:
#   kernel=/path/to/vmlinuz
#   initramfs=/path/to/initramfs.cpio.gz
# and links $VIREO_CACHE/x86_64/{vmlinuz,initramfs.cpio.gz} (default cache: ~/.cache/vireo) to
# them: that is where the `kvm;slow` Linux tests and bench/kvm_boot.sh look. Progress on stderr.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${VIREO_CACHE:-$HOME/.cache/vireo}/x86_64
mkdir -p "$CACHE"
log() { echo "build-guest: $*" >&2; }
scratch=()
trap 'rm -rf "${scratch[@]}"' EXIT

# The kernel: the package linux-image-cloud-amd64 depends on, e.g. linux-image-6.1.0-56-cloud-amd64.
package=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null | awk '/Depends: linux-image-/ {print $2; exit}')
[[ -n $package ]] || { log "error: apt knows no linux-image-cloud-amd64 (run apt-get update?)"; exit 1; }
release=${package#linux-image-}
kdir=$CACHE/$release
if [[ ! -f $kdir/vmlinuz ]]; then
    log "fetching $package"
    work=$(mktemp -d)
    scratch+=("$work")
    (cd "$work" && apt-get download "$package" >&2)
    dpkg-deb -x "$work"/*.deb "$work/root"
    mkdir -p "$kdir/modules"
    for m in virtio virtio_ring virtio_mmio virtio_blk virtio_console virtio-rng; do
        f=$(find "$work/root/lib/modules/$release" -name "$m.ko" | head -n 1)
        [[ -n $f ]] || { log "error: $package has no $m.ko"; exit 1; }
        cp "$f" "$kdir/modules/"
    done
    cp "$work/root/boot/config-$release" "$kdir/config"
    cp "$work/root/boot/vmlinuz-$release" "$kdir/vmlinuz.tmp"
    mv "$kdir/vmlinuz.tmp" "$kdir/vmlinuz"
fi

# The initramfs, rebuilt when init.c or the kernel changed.
initramfs=$CACHE/initramfs-$release-$(sha256sum "$HERE/init.c" | cut -c1-12).cpio.gz
if [[ ! -f $initramfs ]]; then
    log "building $initramfs"
    root=$(mktemp -d)
    scratch+=("$root")
    mkdir -p "$root"/{dev,proc,sys,lib/modules}
    gcc -static -Os -o "$root/init" "$HERE/init.c"
    cp "$kdir"/modules/*.ko "$root/lib/modules/"
    (cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet --owner=0:0) | gzip -9 > "$initramfs.tmp"
    mv "$initramfs.tmp" "$initramfs"
fi

ln -sfn "$kdir/vmlinuz" "$CACHE/vmlinuz"
ln -sfn "$initramfs" "$CACHE/initramfs.cpio.gz"
printf 'kernel=%s\ninitramfs=%s\n' "$kdir/vmlinuz" "$initramfs"
