#!/usr/bin/env bash
# Boot benchmark: the same kernel and initramfs booted to /init and powered off, by Vireo and by
# qemu-system-riscv64 -M virt, in the same run; prints the median of N runs each and the ratio.
# The guest's init powers off at once when the command line has vireo.test=poweroff.
#
#   bench/boot.sh [KERNEL INITRD]       (default: the default guest from guests/build.sh)
#   RUNS=5 bench/boot.sh
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
vireo=${VIREO:-$here/../build/vireo}
runs=${RUNS:-5}
cache=${VIREO_CACHE:-$HOME/.cache/vireo}
kernel=${1:-$cache/default/Image}
initrd=${2:-$cache/default/initramfs.cpio.gz}
firmware=/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin
append="console=ttyS0 vireo.test=poweroff"

for f in "$vireo" "$kernel" "$initrd" "$firmware"; do
  [ -e "$f" ] || { echo "bench/boot.sh: $f is missing (build with 'make build' and 'make guest')" >&2; exit 1; }
done
command -v qemu-system-riscv64 >/dev/null || { echo "bench/boot.sh: qemu-system-riscv64 is missing" >&2; exit 1; }

# Runs "$@" once; prints its wall time in seconds; fails if it does not reach the init marker.
time_one() {
  local out start end
  out=$(mktemp)
  start=$(date +%s.%N)
  timeout 300 "$@" </dev/null >"$out" 2>&1 || true
  end=$(date +%s.%N)
  if ! grep -q "vireo-guest: init started" "$out"; then
    echo "bench/boot.sh: '$1' did not reach /init; its output:" >&2
    tail -20 "$out" >&2
    rm -f "$out"
    return 1
  fi
  rm -f "$out"
  echo "$end - $start" | bc
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

vireo_times=() qemu_times=()
for _ in $(seq "$runs"); do
  vireo_times+=("$(time_one "$vireo" run --kernel "$kernel" --initrd "$initrd" --append "$append")")
  qemu_times+=("$(time_one qemu-system-riscv64 -M virt -m 256M -smp 1 -nographic -no-reboot \
    -bios "$firmware" -kernel "$kernel" -initrd "$initrd" -append "$append")")
done

v=$(printf '%s\n' "${vireo_times[@]}" | median)
q=$(printf '%s\n' "${qemu_times[@]}" | median)
printf 'boot to /init and poweroff (median of %d runs)\n' "$runs"
printf '  vireo               %6.3f s\n' "$v"
printf '  qemu-system-riscv64 %6.3f s\n' "$q"
printf '  vireo / qemu        %6.2f   (goal: <= 0.50)\n' "$(echo "$v / $q" | bc -l)"
