// Reading a RISC-V Linux kernel the way users have them: a raw Image, a gzip-compressed Image
// (Image.gz, as QEMU accepts), or an ELF vmlinux. The result is the flat bytes to place at the
// kernel's load address; Linux/riscv finds its own physical address at entry, so an ELF is laid
// out relative to its lowest address wherever its program headers say it would go.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/result.hpp"

namespace vireo::machine {

// Fails, naming the file, on anything else (or a gzip stream that inflates past max_size).
Result<std::vector<uint8_t>> read_kernel_image(const std::string& path, uint64_t max_size);

}  // namespace vireo::machine
