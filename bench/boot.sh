#!/usr/bin/env bash
# Boot benchmark: the same kernel and initramfs booted to /init and powered off, by Vireo and by
# qemu-system-riscv64 -M virt, in the same run; prints the median of N runs each and the ratio.
# The guest's init powers off at once when the command line has vireo.test=poweroff.
#
#   bench/boot.sh [KERNEL INITRD]       (default: the default guest from guests/build.sh)
#   RUNS=5 bench/boot.sh
set -euo pipefail

name=bench/boot.sh
here=$(cd "$(dirname "$0")" && pwd)
source "$here/guest_bench.sh"
guest_bench_setup "$@" -- qemu-system-riscv64
runs=${RUNS:-5}
append="console=ttyS0 vireo.test=poweroff"

# Runs "$@" once; prints its wall time in seconds; fails if it does not reach the init marker.
time_one() {
  local out start end
  out=$(mktemp)
  start=$(date +%s.%N)
  timeout 300 "$@" </dev/null >"$out" 2>&1 || true
  end=$(date +%s.%N)
  if ! grep -q "vireo-guest: init started" "$out"; then
    echo "$name: '$1' did not reach /init; its output:" >&2
    tail -20 "$out" >&2
    rm -f "$out"
    return 1
  fi
  rm -f "$out"
  echo "$end - $start" | bc
}

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
