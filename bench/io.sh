#!/usr/bin/env bash
# I/O benchmark: the default guest booted by Vireo and by qemu-system-riscv64 -M virt (same
# kernel, initramfs, memory and harts, one after the other in one run), each measuring inside the
# guest:
#   net     virtio-net throughput guest -> host: busybox nc sends NET_MIB MiB through user
#           networking (10.0.2.2) to a sink on the host's 127.0.0.1, which times it (first to last
#           byte, host clock);
#   write   virtio-blk sequential write of the whole DISK_MIB MiB raw disk (busybox dd, 1 MiB
#           blocks, oflag=direct, conv=fsync), timed by dd in the guest;
#   read    the same, reading (iflag=direct);
#   rand    READS random 4 KiB O_DIRECT reads (bench/io/randread.c, built static for riscv64).
# The guest side is bench/io/init, packed with randread into an initramfs appended to the default
# one (Linux unpacks both, the second's /init replacing the first's). Prints a table: Vireo, QEMU
# and Vireo / QEMU (higher is better: these are rates), with the medians of RUNS runs.
#
#   bench/io.sh [KERNEL INITRD]          (default: the default guest from guests/build.sh)
#   RUNS=3 NET_MIB=32 DISK_MIB=64 READS=2000 bench/io.sh
set -euo pipefail

name=bench/io.sh
here=$(cd "$(dirname "$0")" && pwd)
source "$here/guest_bench.sh"
guest_bench_setup "$@" -- qemu-system-riscv64 riscv64-linux-gnu-gcc cc cpio gzip bc
runs=${RUNS:-1}
net_mib=${NET_MIB:-32}
disk_mib=${DISK_MIB:-64}
reads=${READS:-2000}
for n in "$runs" "$net_mib" "$disk_mib" "$reads"; do
  [[ $n =~ ^[1-9][0-9]*$ ]] || fail "RUNS, NET_MIB, DISK_MIB and READS must be whole numbers above 0, not '$n'"
done

work=$(mktemp -d)
sink_pid=
cleanup() {
  if [ -n "$sink_pid" ]; then kill "$sink_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# The guest's extra initramfs and the host's sink.
mkdir -p "$work/root/bench"
install -m 755 "$here/io/init" "$work/root/init"
riscv64-linux-gnu-gcc -O2 -static -o "$work/root/bench/randread" "$here/io/randread.c"
cc -O2 -o "$work/sink" "$here/io/sink.c"
pack_extra_initrd

boot_vireo() {  # APPEND
  timeout 1800 "$vireo" run --kernel "$kernel" --initrd "$work/initrd.cpio.gz" --append "$1" \
    --mem 256M --cpus 1 --disk "$work/disk.img" --net user
}
boot_qemu() {  # APPEND
  timeout 1800 qemu-system-riscv64 -M virt -m 256M -smp 1 -nographic -no-reboot -bios "$firmware" \
    -kernel "$kernel" -initrd "$work/initrd.cpio.gz" -append "$1" \
    -drive if=none,id=d0,format=raw,file="$work/disk.img" -device virtio-blk-device,drive=d0 \
    -netdev user,id=n0 -device virtio-net-device,netdev=n0
}

# "... key=value ..." on stdin -> value
field() { sed -n "s/.*$1=\\([0-9.]*\\).*/\\1/p" | head -1; }
rate() { echo "scale=6; ($1) / ($2)" | bc -l; }

# One boot of MACHINE (vireo|qemu); sets `measured` to "net write read rand" (MiB/s, MiB/s,
# MiB/s, reads/s).
measure() {
  local machine=$1 log=$work/$1.log port
  dd if=/dev/zero of="$work/disk.img" bs=1M count="$disk_mib" status=none
  rm -f "$work/port"
  "$work/sink" "$work/port" $((net_mib << 20)) 600 >"$work/sink.out" 2>&1 &
  sink_pid=$!
  for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.05; done
  port=$(cat "$work/port")
  "boot_$machine" "console=ttyS0 io.port=$port io.net_mib=$net_mib io.reads=$reads" </dev/null 2>&1 |
    tr -d '\r' >"$log" || true
  # A guest that got past the network part has been served already; one that did not never will.
  kill "$sink_pid" 2>/dev/null || true
  wait "$sink_pid" 2>/dev/null || true
  sink_pid=
  if ! grep -q "io-result done" "$log"; then
    echo "$name: the $machine guest did not finish; the end of its console:" >&2
    tail -20 "$log" >&2
    cat "$work/sink.out" >&2
    exit 1
  fi
  local sent wb ws rb rs n ns
  sent=$(field bytes <"$work/sink.out")
  [ "${sent:-0}" -ge $((net_mib << 20)) ] || fail "the $machine guest sent ${sent:-0} of $((net_mib << 20)) bytes"
  wb=$(grep "io-result blk-write" "$log" | field bytes)
  ws=$(grep "io-result blk-write" "$log" | field seconds)
  rb=$(grep "io-result blk-read" "$log" | field bytes)
  rs=$(grep "io-result blk-read" "$log" | field seconds)
  n=$(grep "io-result blk-randread" "$log" | field reads)
  ns=$(grep "io-result blk-randread" "$log" | field seconds)
  if [ -z "$wb" ] || [ -z "$rb" ] || [ -z "$n" ]; then
    grep io-result "$log" >&2
    fail "the $machine guest's results are incomplete"
  fi
  measured="$(rate "$sent" "$(field seconds <"$work/sink.out") * 1048576") $(rate "$wb" "$ws * 1048576")"
  measured+=" $(rate "$rb" "$rs * 1048576") $(rate "$n" "$ns")"
}

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
declare -A results
for run in $(seq "$runs"); do
  for machine in vireo qemu; do
    echo "run $run/$runs: $machine" >&2
    measure "$machine"
    read -r net write read rand <<<"$measured"
    results[$machine.net]+="$net " results[$machine.write]+="$write "
    results[$machine.read]+="$read " results[$machine.rand]+="$rand "
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

printf 'I/O inside the guest (1 hart, 256 MiB; median of %d run(s); rates, so higher is better)\n' "$runs"
printf '  %-44s %9s %9s %13s\n' "" "vireo" "qemu" "vireo / qemu"
row() {  # KEY LABEL
  local v q
  v=$(tr ' ' '\n' <<<"${results[vireo.$1]}" | grep . | median)
  q=$(tr ' ' '\n' <<<"${results[qemu.$1]}" | grep . | median)
  printf '  %-44s %9.1f %9.1f %13.2f\n' "$2" "$v" "$q" "$(rate "$v" "$q")"
}
row net "net guest->host, $net_mib MiB by nc (MiB/s)"
row write "blk sequential write, $disk_mib MiB (MiB/s)"
row read "blk sequential read, $disk_mib MiB (MiB/s)"
row rand "blk random 4 KiB reads, $reads (reads/s)"
