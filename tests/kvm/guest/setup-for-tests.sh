#!/usr/bin/env bash
# ctest's set-up step for the `kvm;slow` Linux tests: builds the x86-64 guest (build-guest.sh)
# when the tests can use it, that is when /dev/kvm is usable. Otherwise, or when the guest cannot
# be fetched (no network, no apt), exits 77, which ctest reports as skipped, with the reason; the
# Linux tests then skip themselves and say what is missing.
set -uo pipefail
if [[ ! -r /dev/kvm || ! -w /dev/kvm ]]; then
    echo "skipped: /dev/kvm is missing or not accessible; the Linux boot tests would skip"
    exit 77
fi
if ! log=$("$(dirname "${BASH_SOURCE[0]}")/build-guest.sh" 2>&1 >/dev/null); then
    echo "skipped: the x86-64 guest could not be built:"
    echo "$log" | tail -5
    exit 77
fi
echo "the x86-64 guest is ready"
