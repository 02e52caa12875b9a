// elf::parse on real RISC-V executables built at test time, and on hand-made malformed ones.
// The rule under test: whatever the bytes, parse returns an Image or a one-line Error naming the
// file; it never reads outside the buffer (run under ASan/UBSan to see that) and never crashes.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "base/base.hpp"
#include "elf/elf.hpp"

using namespace vireo;
namespace fs = std::filesystem;

namespace {

// ---- Helpers: finding and running the cross compiler ------------------------------------------

// Looks `name` up in PATH, as a shell would; empty when absent.
std::string find_program(const std::string& name)
{
    const char* path = std::getenv("PATH");
    if (!path)
        return {};
    std::stringstream dirs(path);
    std::string dir;
    while (std::getline(dirs, dir, ':')) {
        if (dir.empty())
            continue;
        std::string candidate = dir + "/" + name;
        if (::access(candidate.c_str(), X_OK) == 0)
            return candidate;
    }
    return {};
}

class TempDir {
public:
    TempDir()
    {
        std::string pattern = (fs::temp_directory_path() / "vireo-elf-test-XXXXXX").string();
        if (::mkdtemp(pattern.data()))
            m_path = pattern;
    }
    ~TempDir()
    {
        std::error_code ignored;
        if (!m_path.empty())
            fs::remove_all(m_path, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const fs::path& path() const { return m_path; }

private:
    fs::path m_path;
};

void write_text(const fs::path& path, const std::string& text)
{
    std::ofstream out(path);
    out << text;
}

// Runs a shell command; on failure returns its output so the test can show why.
bool run_command(const std::string& command, const fs::path& log, std::string& output)
{
    int status = std::system((command + " >'" + log.string() + "' 2>&1").c_str());
    std::ifstream in(log);
    std::stringstream text;
    text << in.rdbuf();
    output = text.str();
    return status == 0;
}

// A bare-metal program in the shape of the riscv-tests "p" environment: code at 0x8000_0000, HTIF
// tohost/fromhost as untyped assembly labels in their own section, and some .bss.
constexpr const char* BARE_SOURCE = R"(
#if __riscv_xlen == 64
#define STORE sd
#else
#define STORE sw
#endif
    .section .text.init, "ax", @progbits
    .globl _start
_start:
    li t0, 1
    la t1, tohost
    STORE t0, 0(t1)
1:  j 1b

    .text
    .globl helper
    .type helper, @function
helper:
    ret
    .size helper, .-helper

    .pushsection .tohost, "aw", @progbits
    .align 6; .global tohost; tohost: .dword 0; .size tohost, 8
    .align 6; .global fromhost; fromhost: .dword 0; .size fromhost, 8
    .popsection

    .bss
    .globl scratch
scratch: .space 4096
)";

constexpr const char* BARE_LINKER_SCRIPT = R"(
OUTPUT_ARCH("riscv")
ENTRY(_start)
SECTIONS
{
  . = 0x80000000;
  .text.init : { *(.text.init) }
  . = ALIGN(0x1000);
  .tohost : { *(.tohost) }
  . = ALIGN(0x1000);
  .text : { *(.text) }
  . = ALIGN(0x1000);
  .data : { *(.data) }
  .bss : { *(.bss) }
  _end = .;
}
)";

struct Built {
    std::vector<uint8_t> bytes;
    std::string error;   // set when the build failed
};

// Builds BARE_SOURCE with riscv64-unknown-elf-gcc and the given extra flags.
Built build_bare(const TempDir& dir, const std::string& cc, const std::string& flags, const std::string& out_name)
{
    write_text(dir.path() / "bare.S", BARE_SOURCE);
    write_text(dir.path() / "link.ld", BARE_LINKER_SCRIPT);
    fs::path out = dir.path() / out_name;
    std::string command = "'" + cc + "' -nostdlib -nostartfiles -static " + flags + " -T '" +
                          (dir.path() / "link.ld").string() + "' -o '" + out.string() + "' '" +
                          (dir.path() / "bare.S").string() + "'";
    Built built;
    std::string output;
    if (!run_command(command, dir.path() / "build.log", output)) {
        built.error = command + "\n" + output;
        return built;
    }
    auto bytes = read_file(out.string());
    if (!bytes.ok())
        built.error = bytes.error().text();
    else
        built.bytes = bytes.release_value();
    return built;
}

#define REQUIRE_PROGRAM(var, name)                                                         \
    std::string var = find_program(name);                                                  \
    if (var.empty())                                                                       \
        GTEST_SKIP() << name " is not installed (Debian: apt-get install gcc-riscv64-*)"

const elf::Segment* segment_containing(const elf::Image& image, uint64_t addr)
{
    for (const auto& seg : image.loads) {
        if (addr >= seg.vaddr && addr - seg.vaddr < seg.mem_size)
            return &seg;
    }
    return nullptr;
}

// ---- A hand-made minimal ELF whose field offsets the tests know --------------------------------

void put16(std::vector<uint8_t>& b, size_t at, uint16_t v) { store_le(b.data() + at, v); }
void put32(std::vector<uint8_t>& b, size_t at, uint32_t v) { store_le(b.data() + at, v); }
void put64(std::vector<uint8_t>& b, size_t at, uint64_t v) { store_le(b.data() + at, v); }

constexpr uint64_t BASE = 0x80000000;

// Layout: ELF header, program headers (PT_LOAD, optional PT_INTERP), 8 bytes of code, tohost,
// interpreter path, .strtab, .symtab, section headers [null, .text, .symtab, .strtab].
struct Crafted {
    std::vector<uint8_t> bytes;
    size_t phoff = 64;
    size_t load_phdr = 64;
    size_t interp_phdr = 0;     // 0 when there is none
    size_t code = 0, tohost = 0, interp = 0, strtab = 0, symtab = 0, shoff = 0;
    size_t strtab_size = 0;
    size_t symtab_shdr() const { return shoff + 2 * 64; }
    size_t strtab_shdr() const { return shoff + 3 * 64; }
};

size_t align_up(size_t v, size_t a) { return (v + a - 1) / a * a; }

Crafted craft(const std::string& interpreter = "")
{
    Crafted c;
    size_t phnum = interpreter.empty() ? 1 : 2;
    c.interp_phdr = interpreter.empty() ? 0 : c.phoff + 56;
    c.code = c.phoff + phnum * 56;
    c.tohost = c.code + 8;
    c.interp = c.tohost + 8;
    const std::string names = std::string("\0_start\0tohost\0", 15);
    c.strtab = c.interp + (interpreter.empty() ? 0 : interpreter.size() + 1);
    c.strtab_size = names.size();
    c.symtab = align_up(c.strtab + names.size(), 8);
    c.shoff = c.symtab + 3 * 24;
    c.bytes.assign(c.shoff + 4 * 64, 0);
    auto& b = c.bytes;

    const uint8_t ident[16] = {0x7f, 'E', 'L', 'F', 2, 1, 1};
    std::memcpy(b.data(), ident, sizeof ident);
    put16(b, 16, 2);     // ET_EXEC
    put16(b, 18, 243);   // EM_RISCV
    put32(b, 20, 1);
    put64(b, 24, BASE + c.code);
    put64(b, 32, c.phoff);
    put64(b, 40, c.shoff);
    put16(b, 52, 64);
    put16(b, 54, 56);
    put16(b, 56, static_cast<uint16_t>(phnum));
    put16(b, 58, 64);
    put16(b, 60, 4);

    // PT_LOAD: the headers, code and tohost, plus 64 bytes of zero-filled memory.
    put32(b, c.load_phdr, 1);
    put32(b, c.load_phdr + 4, 7);
    put64(b, c.load_phdr + 8, 0);
    put64(b, c.load_phdr + 16, BASE);
    put64(b, c.load_phdr + 24, BASE);
    put64(b, c.load_phdr + 32, c.tohost + 8);
    put64(b, c.load_phdr + 40, c.tohost + 8 + 64);
    put64(b, c.load_phdr + 48, 0x1000);
    if (!interpreter.empty()) {
        put32(b, c.interp_phdr, 3);
        put32(b, c.interp_phdr + 4, 4);
        put64(b, c.interp_phdr + 8, c.interp);
        put64(b, c.interp_phdr + 16, BASE + c.interp);
        put64(b, c.interp_phdr + 32, interpreter.size() + 1);
        put64(b, c.interp_phdr + 40, interpreter.size() + 1);
        put64(b, c.interp_phdr + 48, 1);
        std::memcpy(b.data() + c.interp, interpreter.c_str(), interpreter.size() + 1);
    }
    put32(b, c.code, 0x0000006f);   // j .
    std::memcpy(b.data() + c.strtab, names.data(), names.size());

    // Symbols: [0] null, [1] _start (global function), [2] tohost (global, untyped like riscv-tests').
    put32(b, c.symtab + 24, 1);
    b[c.symtab + 24 + 4] = 0x12;   // STB_GLOBAL << 4 | STT_FUNC
    put16(b, c.symtab + 24 + 6, 1);
    put64(b, c.symtab + 24 + 8, BASE + c.code);
    put64(b, c.symtab + 24 + 16, 8);
    put32(b, c.symtab + 48, 8);
    b[c.symtab + 48 + 4] = 0x10;   // STB_GLOBAL << 4 | STT_NOTYPE
    put16(b, c.symtab + 48 + 6, 1);
    put64(b, c.symtab + 48 + 8, BASE + c.tohost);
    put64(b, c.symtab + 48 + 16, 8);

    // Section headers: [1] .text (PROGBITS), [2] .symtab, [3] .strtab.
    size_t text = c.shoff + 64;
    put32(b, text + 4, 1);
    put64(b, text + 16, BASE + c.code);
    put64(b, text + 24, c.code);
    put64(b, text + 32, 16);
    put32(b, c.symtab_shdr() + 4, 2);
    put64(b, c.symtab_shdr() + 24, c.symtab);
    put64(b, c.symtab_shdr() + 32, 3 * 24);
    put32(b, c.symtab_shdr() + 40, 3);
    put32(b, c.symtab_shdr() + 44, 1);
    put64(b, c.symtab_shdr() + 56, 24);
    put32(b, c.strtab_shdr() + 4, 3);
    put64(b, c.strtab_shdr() + 24, c.strtab);
    put64(b, c.strtab_shdr() + 32, names.size());
    return c;
}

Result<elf::Image> parse(const std::vector<uint8_t>& bytes) { return elf::parse(bytes, "x.elf"); }

// The error text, or "parsed" when parsing unexpectedly succeeded.
std::string error_of(const std::vector<uint8_t>& bytes)
{
    auto r = parse(bytes);
    return r.ok() ? std::string("parsed") : r.error().text();
}

}  // namespace

// ---- The hand-made file -------------------------------------------------------------------------

TEST(ElfCrafted, MinimalExecutableParses)
{
    Crafted c = craft();
    auto r = parse(c.bytes);
    ASSERT_TRUE(r.ok()) << r.error().text();
    const elf::Image& image = r.value();
    EXPECT_EQ(image.type, elf::Type::Exec);
    EXPECT_EQ(image.entry, BASE + c.code);
    ASSERT_EQ(image.loads.size(), 1u);
    EXPECT_EQ(image.loads[0].vaddr, BASE);
    EXPECT_EQ(image.loads[0].file_size, c.tohost + 8);
    EXPECT_EQ(image.loads[0].mem_size, c.tohost + 8 + 64);
    EXPECT_EQ(image.loads[0].flags, 7u);
    EXPECT_EQ(image.phnum, 1);
    EXPECT_EQ(image.phent, 56);
    // No PT_PHDR: the address comes from the PT_LOAD that holds file offset e_phoff.
    EXPECT_EQ(image.phdr_vaddr, BASE + 64);
    EXPECT_FALSE(image.interpreter);
    EXPECT_EQ(image.symbol("_start"), BASE + c.code);
    EXPECT_EQ(image.symbol("tohost"), BASE + c.tohost);
    EXPECT_EQ(image.symbol("fromhost"), std::nullopt);
    EXPECT_EQ(image.symbol(""), std::nullopt);
    EXPECT_EQ(image.bytes.data(), c.bytes.data());
}

TEST(ElfCrafted, InterpreterIsRead)
{
    Crafted c = craft("/lib/ld-linux-riscv64-lp64d.so.1");
    auto r = parse(c.bytes);
    ASSERT_TRUE(r.ok()) << r.error().text();
    ASSERT_TRUE(r->interpreter);
    EXPECT_EQ(*r->interpreter, "/lib/ld-linux-riscv64-lp64d.so.1");
}

TEST(ElfCrafted, FileWithoutSectionHeadersHasNoSymbols)
{
    Crafted c = craft();
    put64(c.bytes, 40, 0);   // e_shoff = 0: gABI "no section header table"
    auto r = parse(c.bytes);
    ASSERT_TRUE(r.ok()) << r.error().text();
    EXPECT_TRUE(r->symbols.empty());
    EXPECT_EQ(r->symbol("tohost"), std::nullopt);
}

// Every cut-off copy must be refused: the section headers sit at the end of the file, so even a
// file missing only its last byte is an error.
TEST(ElfCrafted, EveryPrefixIsAnError)
{
    Crafted c = craft("/lib/ld.so");
    for (size_t len = 0; len < c.bytes.size(); ++len) {
        std::vector<uint8_t> prefix(c.bytes.begin(), c.bytes.begin() + static_cast<ptrdiff_t>(len));
        auto r = parse(prefix);
        ASSERT_FALSE(r.ok()) << "prefix of " << len << " bytes parsed";
        EXPECT_EQ(r.error().text().rfind("x.elf: ", 0), 0u) << r.error().text();
        EXPECT_EQ(r.error().text().find('\n'), std::string::npos);
    }
}

TEST(ElfCrafted, NotAnElfFile)
{
    EXPECT_EQ(error_of({}), "x.elf: not an ELF file (it is empty)");
    EXPECT_EQ(error_of({'#', '!', '/', 'b', 'i', 'n'}), "x.elf: not an ELF file");
    EXPECT_EQ(error_of({0x7f, 'E', 'L', 'G', 2, 1, 1}), "x.elf: not an ELF file");
    EXPECT_EQ(error_of({0x7f, 'E'}), "x.elf: truncated ELF (ELF header past end of file)");
}

TEST(ElfCrafted, ThirtyTwoBitIsRefused)
{
    Crafted c = craft();
    c.bytes[4] = 1;   // ELFCLASS32
    EXPECT_EQ(error_of(c.bytes), "x.elf: not a 64-bit ELF");
    c.bytes[4] = 9;
    EXPECT_EQ(error_of(c.bytes), "x.elf: not a 64-bit ELF (invalid class 9)");
}

TEST(ElfCrafted, BigEndianIsRefused)
{
    Crafted c = craft();
    c.bytes[5] = 2;   // ELFDATA2MSB
    EXPECT_EQ(error_of(c.bytes), "x.elf: big-endian ELF, but RISC-V is little-endian");
}

TEST(ElfCrafted, WrongMachineIsNamed)
{
    Crafted c = craft();
    put16(c.bytes, 18, 62);
    EXPECT_EQ(error_of(c.bytes), "x.elf: ELF machine is x86-64 (62), not RISC-V");
    put16(c.bytes, 18, 4242);
    EXPECT_EQ(error_of(c.bytes), "x.elf: ELF machine is 4242, not RISC-V");
}

TEST(ElfCrafted, OnlyExecutablesAreAccepted)
{
    Crafted c = craft();
    put16(c.bytes, 16, 1);
    EXPECT_EQ(error_of(c.bytes), "x.elf: ELF type is relocatable object (1), not an executable; link it first");
    put16(c.bytes, 16, 4);
    EXPECT_EQ(error_of(c.bytes), "x.elf: ELF type is core dump (4), not an executable");
    put16(c.bytes, 16, 3);
    auto r = parse(c.bytes);
    ASSERT_TRUE(r.ok()) << r.error().text();
    EXPECT_EQ(r->type, elf::Type::Dyn);
}

TEST(ElfCrafted, BadProgramHeaderOffset)
{
    Crafted c = craft();
    put64(c.bytes, 32, 1ull << 40);
    EXPECT_EQ(error_of(c.bytes), "x.elf: program header offset 0x10000000000 is past end of file (" +
                                     std::to_string(c.bytes.size()) + " bytes)");
    // Near 2^64, offset + size would wrap to a small number if it were added naively.
    put64(c.bytes, 32, ~0ull - 8);
    EXPECT_NE(error_of(c.bytes).find("program header offset"), std::string::npos);
    put64(c.bytes, 32, c.bytes.size() - 56 + 1);
    EXPECT_EQ(error_of(c.bytes), "x.elf: truncated ELF (program header 0 past end of file)");
}

TEST(ElfCrafted, HugeProgramHeaderCount)
{
    Crafted c = craft();
    put16(c.bytes, 56, 0xfffe);
    EXPECT_EQ(error_of(c.bytes), "x.elf: too many program headers (65534; at most 1170)");
    put16(c.bytes, 56, 0xffff);
    EXPECT_NE(error_of(c.bytes).find("PN_XNUM"), std::string::npos);
    // Within the cap but beyond the file: the first header that does not fit is named.
    put16(c.bytes, 56, 1000);
    size_t first_missing = (c.bytes.size() - 64) / 56;
    EXPECT_EQ(error_of(c.bytes),
              "x.elf: truncated ELF (program header " + std::to_string(first_missing) + " past end of file)");
    put16(c.bytes, 56, 0);
    EXPECT_EQ(error_of(c.bytes), "x.elf: no program headers, so nothing to load");
}

TEST(ElfCrafted, ProgramHeaderSizeMustBeElf64)
{
    Crafted c = craft();
    put16(c.bytes, 54, 32);
    EXPECT_EQ(error_of(c.bytes), "x.elf: program header size is 32, not 56");
}

TEST(ElfCrafted, SegmentDataPastEndOfFile)
{
    Crafted c = craft();
    put64(c.bytes, c.load_phdr + 32, c.bytes.size() + 1);   // p_filesz
    put64(c.bytes, c.load_phdr + 40, c.bytes.size() + 1);
    EXPECT_EQ(error_of(c.bytes), "x.elf: truncated ELF (data of program header 0 past end of file)");
    put64(c.bytes, c.load_phdr + 8, ~0ull - 4);   // p_offset so large that offset + size wraps
    put64(c.bytes, c.load_phdr + 32, 16);
    EXPECT_EQ(error_of(c.bytes), "x.elf: truncated ELF (data of program header 0 past end of file)");
}

TEST(ElfCrafted, SegmentFileSizeMustNotExceedMemorySize)
{
    Crafted c = craft();
    put64(c.bytes, c.load_phdr + 32, 0x80);
    put64(c.bytes, c.load_phdr + 40, 4);
    EXPECT_EQ(error_of(c.bytes), "x.elf: program header 0: file size 0x80 is larger than memory size 0x4");
}

TEST(ElfCrafted, SegmentMustNotWrapAroundTheAddressSpace)
{
    Crafted c = craft();
    put64(c.bytes, c.load_phdr + 16, ~0ull - 0x10);
    EXPECT_NE(error_of(c.bytes).find("wraps around the address space"), std::string::npos);
    c = craft();
    put64(c.bytes, c.load_phdr + 40, ~0ull);
    EXPECT_NE(error_of(c.bytes).find("wraps around the address space"), std::string::npos);
}

TEST(ElfCrafted, SegmentAlignmentMustBeAPowerOfTwo)
{
    Crafted c = craft();
    put64(c.bytes, c.load_phdr + 48, 0x1800);
    EXPECT_EQ(error_of(c.bytes), "x.elf: program header 0: alignment 0x1800 is not a power of two");
    put64(c.bytes, c.load_phdr + 48, 0);   // 0 and 1 mean "no alignment"
    EXPECT_EQ(error_of(c.bytes), "parsed");
}

TEST(ElfCrafted, NoLoadableSegments)
{
    Crafted c = craft();
    put32(c.bytes, c.load_phdr, 4);   // PT_NOTE
    EXPECT_EQ(error_of(c.bytes), "x.elf: no loadable segments (PT_LOAD)");
}

TEST(ElfCrafted, InterpreterMustBeTerminatedAndBounded)
{
    Crafted c = craft("/lib/ld.so");
    c.bytes[c.interp + 10] = 'x';   // overwrite the NUL
    EXPECT_EQ(error_of(c.bytes), "x.elf: program header 1: interpreter path is not NUL-terminated");

    c = craft("/lib/ld.so");
    put64(c.bytes, c.interp_phdr + 32, 1ull << 20);
    EXPECT_NE(error_of(c.bytes).find("interpreter path size"), std::string::npos);
    put64(c.bytes, c.interp_phdr + 32, 11);
    put64(c.bytes, c.interp_phdr + 8, ~0ull - 4);
    EXPECT_EQ(error_of(c.bytes), "x.elf: truncated ELF (data of program header 1 past end of file)");

    c = craft("/lib/ld.so");
    c.bytes[c.interp] = 0;   // "\0lib/ld.so\0": terminated, but empty
    EXPECT_EQ(error_of(c.bytes), "x.elf: program header 1: interpreter path is empty");

    c = craft("/lib/ld.so");
    put32(c.bytes, c.load_phdr, 3);   // a second PT_INTERP
    EXPECT_EQ(error_of(c.bytes), "x.elf: more than one PT_INTERP program header");
}

TEST(ElfCrafted, SectionHeadersOutOfBounds)
{
    Crafted c = craft();
    put64(c.bytes, 40, 1ull << 50);
    EXPECT_NE(error_of(c.bytes).find("section header offset"), std::string::npos);
    c = craft();
    put16(c.bytes, 60, 60000);
    EXPECT_EQ(error_of(c.bytes), "x.elf: truncated ELF (section header 4 past end of file)");
    c = craft();
    put16(c.bytes, 58, 40);
    EXPECT_EQ(error_of(c.bytes), "x.elf: section header size is 40, not 64");
}

TEST(ElfCrafted, ExtendedSectionCountIsBounded)
{
    // gABI: e_shnum == 0 means the count is in section 0's sh_size; a hostile one is huge.
    Crafted c = craft();
    put16(c.bytes, 60, 0);
    put64(c.bytes, c.shoff + 32, ~0ull);
    EXPECT_EQ(error_of(c.bytes), "x.elf: truncated ELF (section header 4 past end of file)");
    put64(c.bytes, c.shoff + 32, 4);
    EXPECT_EQ(error_of(c.bytes), "parsed");
}

TEST(ElfCrafted, SymbolTablePastEndOfFile)
{
    Crafted c = craft();
    put64(c.bytes, c.symtab_shdr() + 24, 1ull << 40);
    EXPECT_EQ(error_of(c.bytes), "x.elf: truncated ELF (data of section 2 past end of file)");
    c = craft();
    put64(c.bytes, c.symtab_shdr() + 32, 24ull << 40);
    EXPECT_EQ(error_of(c.bytes), "x.elf: truncated ELF (data of section 2 past end of file)");
    c = craft();
    put64(c.bytes, c.symtab_shdr() + 24, ~0ull - 8);   // offset + size wraps
    EXPECT_EQ(error_of(c.bytes), "x.elf: truncated ELF (data of section 2 past end of file)");
}

TEST(ElfCrafted, SymbolTableShape)
{
    Crafted c = craft();
    put64(c.bytes, c.symtab_shdr() + 56, 16);
    EXPECT_EQ(error_of(c.bytes), "x.elf: symbol table (section 2): entry size is 16, not 24");
    c = craft();
    put64(c.bytes, c.symtab_shdr() + 32, 3 * 24 - 1);
    EXPECT_EQ(error_of(c.bytes), "x.elf: symbol table (section 2): size 71 is not a multiple of 24");
    c = craft();
    put32(c.bytes, c.symtab_shdr() + 40, 77);
    EXPECT_EQ(error_of(c.bytes), "x.elf: symbol table (section 2): string table index 77 is out of range");
    c = craft();
    put32(c.bytes, c.symtab_shdr() + 40, 1);
    EXPECT_EQ(error_of(c.bytes), "x.elf: symbol table (section 2): linked section 1 is not a string table");
}

TEST(ElfCrafted, UnterminatedStringTable)
{
    Crafted c = craft();
    c.bytes[c.strtab + c.strtab_size - 1] = 'x';   // "...tohostx" runs off the table
    EXPECT_EQ(error_of(c.bytes), "x.elf: string table (section 3) is not NUL-terminated");
    c = craft();
    put64(c.bytes, c.strtab_shdr() + 32, 0);
    EXPECT_EQ(error_of(c.bytes), "x.elf: string table (section 3) is not NUL-terminated");
}

TEST(ElfCrafted, SymbolNamePastEndOfStringTable)
{
    Crafted c = craft();
    put32(c.bytes, c.symtab + 48, static_cast<uint32_t>(c.strtab_size));
    EXPECT_EQ(error_of(c.bytes), "x.elf: symbol table (section 2): name of symbol 2 is past the end of its string table");
    put32(c.bytes, c.symtab + 48, 0xffffffff);
    EXPECT_EQ(error_of(c.bytes), "x.elf: symbol table (section 2): name of symbol 2 is past the end of its string table");
}

TEST(ElfCrafted, UndefinedAndSectionSymbolsAreNotListed)
{
    Crafted c = craft();
    put16(c.bytes, c.symtab + 48 + 6, 0);   // tohost: SHN_UNDEF
    c.bytes[c.symtab + 24 + 4] = 0x03;      // _start: STB_LOCAL, STT_SECTION
    auto r = parse(c.bytes);
    ASSERT_TRUE(r.ok()) << r.error().text();
    EXPECT_TRUE(r->symbols.empty());
}

// A cheap, deterministic stand-in for the fuzzer (tests/fuzz/elf_fuzz.cpp): random corruptions of
// a valid file must parse or fail cleanly, and whatever parses must describe bytes inside the file.
TEST(ElfCrafted, RandomCorruptionNeverEscapesTheBuffer)
{
    const Crafted c = craft("/lib/ld.so");
    std::mt19937_64 rng(12345);
    for (int round = 0; round < 20000; ++round) {
        std::vector<uint8_t> bytes = c.bytes;
        int flips = 1 + static_cast<int>(rng() % 8);
        for (int i = 0; i < flips; ++i) {
            size_t at = rng() % bytes.size();
            bytes[at] = static_cast<uint8_t>(rng());
        }
        auto r = parse(bytes);
        if (!r.ok())
            continue;
        for (const auto& seg : r->loads) {
            ASSERT_LE(seg.file_offset, bytes.size());
            ASSERT_LE(seg.file_size, bytes.size() - seg.file_offset);
            ASSERT_LE(seg.file_size, seg.mem_size);
        }
    }
}

// ---- Real executables from the cross toolchain -------------------------------------------------

TEST(ElfReal, BareMetalProgram)
{
    REQUIRE_PROGRAM(cc, "riscv64-unknown-elf-gcc");
    TempDir dir;
    ASSERT_FALSE(dir.path().empty());
    Built built = build_bare(dir, cc, "-march=rv64gc -mabi=lp64d", "bare.elf");
    ASSERT_TRUE(built.error.empty()) << built.error;

    auto r = elf::parse(built.bytes, "bare.elf");
    ASSERT_TRUE(r.ok()) << r.error().text();
    const elf::Image& image = r.value();
    EXPECT_EQ(image.type, elf::Type::Exec);
    EXPECT_EQ(image.entry, 0x80000000u);
    EXPECT_EQ(image.symbol("_start"), image.entry);
    EXPECT_FALSE(image.interpreter);
    EXPECT_EQ(image.flags & 0x1, 0x1u);   // EF_RISCV_RVC: built for rv64gc

    // riscv-tests' tohost: an untyped label, 64-byte aligned, in a writable loaded segment.
    auto tohost = image.symbol("tohost");
    auto fromhost = image.symbol("fromhost");
    ASSERT_TRUE(tohost);
    ASSERT_TRUE(fromhost);
    EXPECT_EQ(*tohost % 64, 0u);
    EXPECT_EQ(*fromhost, *tohost + 64);
    const elf::Segment* data = segment_containing(image, *tohost);
    ASSERT_NE(data, nullptr);
    EXPECT_TRUE(data->flags & 2) << "tohost's segment is not writable";

    const elf::Segment* code = segment_containing(image, image.entry);
    ASSERT_NE(code, nullptr);
    EXPECT_TRUE(code->flags & 1) << "the entry point's segment is not executable";
    // The bytes at the entry point are the first instruction, `li t0, 1` (c.li t0, 1 = 0x4285).
    uint64_t at = code->file_offset + (image.entry - code->vaddr);
    ASSERT_LE(at + 2, built.bytes.size());
    EXPECT_EQ(load_le<uint16_t>(built.bytes.data() + at), 0x4285);

    // .bss: memory beyond the file bytes, zero-filled by the loader.
    auto scratch = image.symbol("scratch");
    ASSERT_TRUE(scratch);
    const elf::Segment* bss = segment_containing(image, *scratch);
    ASSERT_NE(bss, nullptr);
    EXPECT_GE(bss->mem_size, bss->file_size + 4096);

    for (const auto& seg : image.loads) {
        EXPECT_LE(seg.file_offset + seg.file_size, built.bytes.size());
        EXPECT_LE(seg.file_size, seg.mem_size);
    }
    EXPECT_EQ(image.symbol("helper").has_value(), true);
    EXPECT_EQ(image.symbol("no_such_symbol"), std::nullopt);
    for (const auto& sym : image.symbols)
        EXPECT_NE(sym.name[0], '$') << "mapping symbol " << sym.name << " listed";
}

TEST(ElfReal, EveryPrefixOfARealFileIsAnError)
{
    REQUIRE_PROGRAM(cc, "riscv64-unknown-elf-gcc");
    TempDir dir;
    Built built = build_bare(dir, cc, "-march=rv64gc -mabi=lp64d", "bare.elf");
    ASSERT_TRUE(built.error.empty()) << built.error;
    ASSERT_TRUE(elf::parse(built.bytes, "bare.elf").ok());
    for (size_t len = 0; len < built.bytes.size(); ++len) {
        std::span<const uint8_t> prefix(built.bytes.data(), len);
        auto r = elf::parse(prefix, "bare.elf");
        ASSERT_FALSE(r.ok()) << "prefix of " << len << " bytes parsed";
        ASSERT_EQ(r.error().text().rfind("bare.elf: ", 0), 0u) << r.error().text();
    }
}

TEST(ElfReal, ThirtyTwoBitProgramIsRefused)
{
    REQUIRE_PROGRAM(cc, "riscv64-unknown-elf-gcc");
    TempDir dir;
    Built built = build_bare(dir, cc, "-march=rv32i -mabi=ilp32", "bare32.elf");
    ASSERT_TRUE(built.error.empty()) << built.error;
    auto r = elf::parse(built.bytes, "bare32.elf");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().text(), "bare32.elf: not a 64-bit ELF");
}

TEST(ElfReal, ObjectFileIsRefused)
{
    REQUIRE_PROGRAM(cc, "riscv64-unknown-elf-gcc");
    TempDir dir;
    write_text(dir.path() / "bare.S", BARE_SOURCE);
    std::string output;
    std::string command = "'" + cc + "' -c -o '" + (dir.path() / "bare.o").string() + "' '" +
                          (dir.path() / "bare.S").string() + "'";
    ASSERT_TRUE(run_command(command, dir.path() / "build.log", output)) << output;
    auto bytes = read_file((dir.path() / "bare.o").string());
    ASSERT_TRUE(bytes.ok()) << bytes.error().text();
    auto r = elf::parse(bytes.value(), "bare.o");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().text(), "bare.o: ELF type is relocatable object (1), not an executable; link it first");
}

// A Linux position-independent executable: ET_DYN, PT_PHDR and PT_INTERP, as the sandbox loads.
TEST(ElfReal, LinuxPieWithInterpreter)
{
    REQUIRE_PROGRAM(cc, "riscv64-linux-gnu-gcc");
    TempDir dir;
    write_text(dir.path() / "pie.c",
               "volatile unsigned long tohost;\n"
               "void _start(void) { tohost = 1; for (;;) {} }\n");
    fs::path out = dir.path() / "pie.elf";
    std::string output;
    // -s strips .symtab, so tohost is found through .dynsym (exported by -E).
    std::string command = "'" + cc + "' -nostdlib -fPIE -pie -s -Wl,-E -Wl,--dynamic-linker=/lib/ld-test.so.1 -o '" +
                          out.string() + "' '" + (dir.path() / "pie.c").string() + "'";
    ASSERT_TRUE(run_command(command, dir.path() / "build.log", output)) << output;
    auto bytes = read_file(out.string());
    ASSERT_TRUE(bytes.ok()) << bytes.error().text();

    auto r = elf::parse(bytes.value(), "pie.elf");
    ASSERT_TRUE(r.ok()) << r.error().text();
    const elf::Image& image = r.value();
    EXPECT_EQ(image.type, elf::Type::Dyn);
    ASSERT_TRUE(image.interpreter);
    EXPECT_EQ(*image.interpreter, "/lib/ld-test.so.1");
    EXPECT_EQ(image.phent, 56);
    EXPECT_GE(image.phnum, 2);
    // PT_PHDR of a PIE linked at 0 puts the headers right after the ELF header.
    EXPECT_EQ(image.phdr_vaddr, 64u);
    EXPECT_EQ(image.symbol("_start"), image.entry);
    auto tohost = image.symbol("tohost");
    ASSERT_TRUE(tohost);
    EXPECT_NE(segment_containing(image, *tohost), nullptr);
}

TEST(ElfReal, HostExecutableIsTheWrongMachine)
{
    auto bytes = read_file("/bin/true");
    if (!bytes.ok())
        GTEST_SKIP() << "no /bin/true: " << bytes.error().text();
    auto r = elf::parse(bytes.value(), "/bin/true");
    ASSERT_FALSE(r.ok());
#if defined(__x86_64__)
    EXPECT_EQ(r.error().text(), "/bin/true: ELF machine is x86-64 (62), not RISC-V");
#else
    EXPECT_NE(r.error().text().find("not RISC-V"), std::string::npos) << r.error().text();
#endif
}
