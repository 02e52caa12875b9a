#!/usr/bin/env bash
# Installs the Debian packages Vireo needs to build, test and boot its guests, if any is missing.
# Safe to run repeatedly: when everything is present it only runs dpkg-query.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  libgtest-dev libgmock-dev libbenchmark-dev
  gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf
  gcc-riscv64-linux-gnu libc6-dev-riscv64-cross
  qemu-system-misc qemu-user opensbi
  libfdt-dev device-tree-compiler
  e2fsprogs bc cpio zlib1g-dev
  libslirp-dev qemu-utils
  libxbyak-dev libseccomp-dev clang-14
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "vireo: missing Debian packages: ${missing[*]}" >&2
  echo "vireo: run 'make deps' as root, or: apt-get install ${missing[*]}" >&2
  exit 1
fi

echo "vireo: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
