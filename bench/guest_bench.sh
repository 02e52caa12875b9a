# Shared by the benchmarks that boot the default guest with Vireo and with qemu-system-riscv64
# (bench/boot.sh, bench/compute.sh, bench/io.sh); sourced, after the script sets `name` (its
# path, for messages) and `here` (its folder). Arguments of guest_bench_setup: the script's own
# (KERNEL INITRD, both optional), then -- and the host tools it needs.
#   guest_bench_setup "$@" -- qemu-system-riscv64 cpio ...
# sets vireo, cache, kernel, initrd and firmware, and fails with one line if anything is missing.

fail() { echo "$name: $*" >&2; exit 1; }

guest_bench_setup() {
  local positional=() tool f
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do positional+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  vireo=${VIREO:-$here/../build/vireo}
  cache=${VIREO_CACHE:-$HOME/.cache/vireo}
  kernel=${positional[0]:-$cache/default/Image}
  initrd=${positional[1]:-$cache/default/initramfs.cpio.gz}
  firmware=/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin
  for f in "$vireo" "$kernel" "$initrd" "$firmware"; do
    [ -e "$f" ] || fail "$f is missing (build with 'make build' and 'make guest')"
  done
  for tool in "$@"; do
    command -v "$tool" >/dev/null || fail "$tool is missing ('make deps' installs it)"
  done
}

# Packs the folder $work/root (the benchmark's /init and programs) as a second initramfs after the
# default one, into $work/initrd.cpio.gz: Linux unpacks both, the second's files replacing the first's.
pack_extra_initrd() {
  (cd "$work/root" && find . | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) | gzip -n >"$work/extra.cpio.gz"
  cat "$initrd" "$work/extra.cpio.gz" >"$work/initrd.cpio.gz"
}

# The median of the numbers on stdin, one per line.
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
