// elf: parses RISC-V ELF64 executables from untrusted bytes. Every offset, size and count in the
// file is checked against the file's length before use; a malformed file is an Error, never a crash.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/result.hpp"

namespace vireo::elf {

enum class Type : uint16_t { Exec = 2, Dyn = 3 };

struct Segment {
    uint64_t vaddr = 0;
    uint64_t paddr = 0;
    uint64_t file_offset = 0;
    uint64_t file_size = 0;   // bytes taken from the file
    uint64_t mem_size = 0;    // >= file_size; the rest is zero-filled
    uint32_t flags = 0;       // PF_X=1, PF_W=2, PF_R=4
    uint64_t align = 0;
};

struct Image {
    Type type = Type::Exec;
    uint64_t entry = 0;
    uint64_t phdr_vaddr = 0;      // address of the program headers in memory (for AT_PHDR), 0 if unknown
    uint16_t phent = 0, phnum = 0;
    uint32_t flags = 0;           // e_flags; RISC-V psABI: EF_RISCV_RVC=1, float ABI in bits 1-2, RVE=8
    std::vector<Segment> loads;   // PT_LOAD segments, in file order
    std::optional<std::string> interpreter;  // PT_INTERP
    std::span<const uint8_t> bytes;          // the whole file; segments point into it

    // Looks up a symbol in .symtab (then .dynsym); nullopt if absent or the file has no symbols.
    // Values are the file's own addresses, like Segment::vaddr (for Type::Dyn, add the load bias).
    std::optional<uint64_t> symbol(const std::string& name) const;

    struct Symbol { std::string name; uint64_t value; uint64_t size; };
    // Defined, named function, object and untyped symbols (assembly labels such as `tohost` are
    // untyped) from .symtab, then .dynsym; RISC-V mapping symbols ($x, $d) are left out.
    std::vector<Symbol> symbols;
};

// Parses `bytes` (which must outlive the Image). `what` names the file in error messages,
// e.g. "prog.elf: not an ELF file", "prog.elf: ELF machine is x86-64, not RISC-V".
Result<Image> parse(std::span<const uint8_t> bytes, const std::string& what);

}  // namespace vireo::elf
