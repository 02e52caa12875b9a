#!/usr/bin/env bash
# KVM boot benchmark (issue 6's targets, after Firecracker's): `vireo run --accel kvm` boots
# Debian's cloud kernel with the test initramfs (tests/kvm/guest) and measures
#   - boot time to init: from starting vireo to the init's first line on the serial console
#     (target: under 125 ms);
#   - the monitor's memory overhead: vireo's resident memory minus the guest RAM the guest has
#     touched (the resident part of the guest-RAM mapping), sampled while the guest's init
#     pauses (target: under 5 MiB).
# Prints each run and the medians.
#
#   bench/kvm_boot.sh                  RUNS=5 CPUS=1 MEM=256M by default
#   bench/kvm_boot.sh --force          also on a host whose KVM is not hardware-backed
#
# Where it cannot measure anything meaningful it says why and exits 0: no usable /dev/kvm, or a
# KVM that is not backed by hardware virtualization (e.g. kvm_pvm, which emulates a guest kernel
# instruction by instruction: minutes, not milliseconds).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
vireo=${VIREO:-$here/../build/vireo}
runs=${RUNS:-5}
cpus=${CPUS:-1}
mem=${MEM:-256M}
force=0
[[ ${1:-} == --force ]] && force=1

say() { echo "bench/kvm_boot.sh: $*"; }

if [[ ! -e /dev/kvm ]]; then
    say "cannot run here: there is no /dev/kvm (no KVM module, or a container without the device)."
    exit 0
fi
if [[ ! -r /dev/kvm || ! -w /dev/kvm ]]; then
    say "cannot run here: /dev/kvm is not accessible to $(id -un) (join the 'kvm' group)."
    exit 0
fi
modules=$(ls -d /sys/module/kvm* 2>/dev/null | xargs -r -n1 basename | paste -sd, -)
if [[ ! -d /sys/module/kvm_intel && ! -d /sys/module/kvm_amd && $force != 1 ]]; then
    say "cannot measure here: this host's KVM is not backed by hardware virtualization (kvm modules: ${modules:-none};"
    say "neither kvm_intel nor kvm_amd). A paravirtual KVM such as kvm_pvm runs a stock kernel through its"
    say "instruction emulator (minutes, and KVM's emulator cannot finish a Linux boot: it stops at the kernel's"
    say "INT3 self-test), so there is nothing to measure. Run this on a host with hardware virtualization;"
    say "--force tries anyway."
    exit 0
fi
[[ -x $vireo ]] || { say "$vireo is missing: build with 'make build' (or set VIREO=...)" >&2; exit 1; }

guest=$("$here/../tests/kvm/guest/build-guest.sh")
kernel=$(sed -n 's/^kernel=//p' <<<"$guest")
initrd=$(sed -n 's/^initramfs=//p' <<<"$guest")
mem_kib=$(numfmt --from=iec "${mem}" | awk '{print int($1 / 1024)}')
limit=$((force == 1 ? 3600 : 60))

# Resident memory of the vireo process: "total_kib guest_ram_kib". The guest-RAM mapping is the
# anonymous mapping whose size is exactly the guest's RAM.
sample_memory() {
    awk -v size="$mem_kib" '
        /^Size:/ { current = $2 }
        /^Rss:/ { total += $2; if (current == size) ram += $2 }
        END { print total, ram + 0 }' "/proc/$1/smaps"
}

boot_ms=()
overhead_kib=()
for ((i = 1; i <= runs; i++)); do
    start=$(date +%s%N)
    coproc VM { exec timeout "$limit" "$vireo" run --accel kvm --arch x86_64 --kernel "$kernel" --initrd "$initrd" \
        --append "console=ttyS0 reboot=k panic=-1 quiet vireo.test=pause" --mem "$mem" --cpus "$cpus" 2>&1; }
    pid=$VM_PID
    init_ms="" total="" ram=""
    while IFS= read -r line <&"${VM[0]}"; do
        case $line in
        *"vireo-kvm: init started"*)
            init_ms=$(( ($(date +%s%N) - start) / 1000000 )) ;;
        *"vireo-kvm: pausing"*)
            # `timeout` execs nothing: the monitor is its child.
            monitor=$(pgrep -P "$pid" | head -n 1)
            monitor=${monitor:-$pid}
            read -r total ram < <(sample_memory "$monitor") ;;
        esac
    done
    status=0
    wait "$pid" || status=$?
    if [[ -z $init_ms || -z $total ]]; then
        say "run $i did not reach the guest's init (status $status)" >&2
        exit 1
    fi
    overhead=$((total - ram))
    printf 'run %d: init after %d ms; vireo RSS %d KiB, guest RAM touched %d KiB, monitor overhead %d KiB (status %d)\n' \
        "$i" "$init_ms" "$total" "$ram" "$overhead" "$status"
    boot_ms+=("$init_ms")
    overhead_kib+=("$overhead")
done

median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
boot=$(median "${boot_ms[@]}")
over=$(median "${overhead_kib[@]}")
printf 'median over %d runs (%s CPU(s), %s RAM, kvm modules: %s):\n' "$runs" "$cpus" "$mem" "$modules"
printf '  boot to init:       %6d ms   (target < 125 ms: %s)\n' "$boot" "$([[ $boot -lt 125 ]] && echo met || echo missed)"
printf '  monitor overhead:   %6d KiB  (target < 5120 KiB: %s)\n' "$over" "$([[ $over -lt 5120 ]] && echo met || echo missed)"
