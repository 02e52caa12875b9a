#!/usr/bin/env bash
# Compute benchmark inside the guest: the CoreMark-style workload of the process-VM benchmark
# (tests/sandbox/guests/corelike.c: linked lists, matrices, a state machine, CRC; not EEMBC's
# CoreMark, which is not in Debian) built static for riscv64 and run by the default guest's
# kernel, booted by Vireo and by qemu-system-riscv64 -M virt (same kernel, initramfs, memory and
# harts, one after the other in one run). The guest times the program itself (bench/compute/init);
# prints both times, the final CRC (which must agree) and QEMU's time / Vireo's (the speed ratio;
# issue 5's goal is at least 1.5).
#
#   bench/compute.sh [KERNEL INITRD]      (default: the default guest from guests/build.sh)
#   RUNS=3 ITERATIONS=20000 bench/compute.sh
set -euo pipefail

name=bench/compute.sh
here=$(cd "$(dirname "$0")" && pwd)
source "$here/guest_bench.sh"
guest_bench_setup "$@" -- qemu-system-riscv64 riscv64-linux-gnu-gcc cpio gzip bc
runs=${RUNS:-1}
iterations=${ITERATIONS:-20000}
for n in "$runs" "$iterations"; do
  [[ $n =~ ^[1-9][0-9]*$ ]] || fail "RUNS and ITERATIONS must be whole numbers above 0, not '$n'"
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/root/bench"
install -m 755 "$here/compute/init" "$work/root/init"
riscv64-linux-gnu-gcc -O2 -static -o "$work/root/bench/corelike" "$here/../tests/sandbox/guests/corelike.c"
pack_extra_initrd
append="console=ttyS0 compute.iterations=$iterations"

boot_vireo() {
  timeout 1800 "$vireo" run --kernel "$kernel" --initrd "$work/initrd.cpio.gz" --append "$append" --mem 256M --cpus 1
}
boot_qemu() {
  timeout 1800 qemu-system-riscv64 -M virt -m 256M -smp 1 -nographic -no-reboot -bios "$firmware" \
    -kernel "$kernel" -initrd "$work/initrd.cpio.gz" -append "$append"
}

# One boot of MACHINE (vireo|qemu); prints "seconds crc".
measure() {
  local log=$work/$1.log line
  "boot_$1" </dev/null 2>&1 | tr -d '\r' >"$log" || true
  line=$(grep "compute-result" "$log" | head -1) ||
    { echo "$name: the $1 guest did not finish; the end of its console:" >&2; tail -20 "$log" >&2; exit 1; }
  echo "$(sed -n 's/.*seconds=\([0-9.]*\).*/\1/p' <<<"$line") $(sed -n 's/.*crc \(0x[0-9a-f]*\).*/\1/p' <<<"$line")"
}

vireo_times=() qemu_times=() crcs=()
for _ in $(seq "$runs"); do
  read -r t c < <(measure vireo); vireo_times+=("$t"); crcs+=("$c")
  read -r t c < <(measure qemu); qemu_times+=("$t"); crcs+=("$c")
done
[ "$(printf '%s\n' "${crcs[@]}" | sort -u | wc -l)" = 1 ] || fail "the CRCs differ: ${crcs[*]}"

v=$(printf '%s\n' "${vireo_times[@]}" | median)
q=$(printf '%s\n' "${qemu_times[@]}" | median)
printf 'CoreMark-style workload inside the guest, %d iterations (median of %d run(s), crc %s)\n' "$iterations" "$runs" "${crcs[0]}"
printf '  vireo               %7.2f s\n' "$v"
printf '  qemu-system-riscv64 %7.2f s\n' "$q"
printf '  qemu / vireo        %7.2f   (speed ratio; goal: >= 1.5)\n' "$(echo "$q / $v" | bc -l)"
