// ELF64 parsing for RISC-V, after the System V gABI (4.1 + the 2012 draft for ELF64) and the RISC-V
// psABI. The bytes come from whoever wrote the file, so the order of work is always the same: check
// that a field's range lies inside the file (without overflowing), then read it. Counts that drive
// loops or allocations are capped, so a hostile header costs at most a bounded amount of work.
#include "elf/elf.hpp"

#include <cinttypes>
#include <cstdio>
#include <cstring>

#include "base/bytes.hpp"

namespace vireo::elf {

namespace {

// Constants spelled as in the gABI and the RISC-V psABI.
constexpr size_t EI_CLASS = 4;
constexpr size_t EI_DATA = 5;
constexpr size_t EI_VERSION = 6;
constexpr uint8_t ELFCLASS32 = 1;
constexpr uint8_t ELFCLASS64 = 2;
constexpr uint8_t ELFDATA2LSB = 1;
constexpr uint8_t ELFDATA2MSB = 2;
constexpr uint8_t EV_CURRENT = 1;

constexpr uint16_t ET_NONE = 0;
constexpr uint16_t ET_REL = 1;
constexpr uint16_t ET_EXEC = 2;
constexpr uint16_t ET_DYN = 3;
constexpr uint16_t ET_CORE = 4;
constexpr uint16_t EM_RISCV = 243;

constexpr uint32_t PT_LOAD = 1;
constexpr uint32_t PT_INTERP = 3;
constexpr uint32_t PT_PHDR = 6;
constexpr uint16_t PN_XNUM = 0xffff;

constexpr uint32_t SHT_SYMTAB = 2;
constexpr uint32_t SHT_STRTAB = 3;
constexpr uint32_t SHT_NOBITS = 8;
constexpr uint32_t SHT_DYNSYM = 11;
constexpr uint16_t SHN_UNDEF = 0;

constexpr uint8_t STT_NOTYPE = 0;
constexpr uint8_t STT_OBJECT = 1;
constexpr uint8_t STT_FUNC = 2;
constexpr uint8_t STB_LOCAL = 0;

// Sizes of Elf64_Ehdr, Elf64_Phdr, Elf64_Shdr and Elf64_Sym.
constexpr uint64_t EHDR_SIZE = 64;
constexpr uint64_t PHDR_SIZE = 56;
constexpr uint64_t SHDR_SIZE = 64;
constexpr uint64_t SYM_SIZE = 24;

// Linux refuses more than 64 KiB of program headers (load_elf_phdrs); no real executable comes
// close, and the cap keeps the AT_PHNUM we hand to a guest small.
constexpr uint64_t MAX_PROGRAM_HEADERS = 65536 / PHDR_SIZE;
// PATH_MAX, as Linux's binfmt_elf bounds PT_INTERP.
constexpr uint64_t MAX_INTERP_SIZE = 4096;
// Symbols cost ~50 bytes each in Image::symbols plus their names. Names are copied, and every
// symbol of a hostile file may point at the same long name, so their total is capped separately;
// this bounds the allocation at ~120 MiB whatever the file claims.
constexpr uint64_t MAX_SYMBOLS_PER_TABLE = 1u << 20;
constexpr uint64_t MAX_SYMBOL_NAME_BYTES = 64u << 20;

std::string hex(uint64_t v)
{
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%" PRIx64, v);
    return buf;
}

std::string dec(uint64_t v) { return std::to_string(v); }

// True when [offset, offset + size) lies inside a file of `file_size` bytes. Written so that no sum
// can wrap: a hostile offset near 2^64 must not pass as small.
bool fits(uint64_t offset, uint64_t size, uint64_t file_size)
{
    return offset <= file_size && size <= file_size - offset;
}

bool is_power_of_two(uint64_t v) { return v != 0 && (v & (v - 1)) == 0; }

const char* machine_name(uint16_t machine)
{
    switch (machine) {
    case 2: return "SPARC";
    case 3: return "x86";
    case 8: return "MIPS";
    case 20: return "PowerPC";
    case 21: return "PowerPC64";
    case 22: return "s390";
    case 40: return "ARM";
    case 43: return "SPARC64";
    case 50: return "IA-64";
    case 62: return "x86-64";
    case 183: return "AArch64";
    case 247: return "BPF";
    case 258: return "LoongArch";
    default: return nullptr;
    }
}

struct SectionHeader {
    uint32_t type = 0;
    uint64_t offset = 0;
    uint64_t size = 0;
    uint32_t link = 0;
    uint64_t entsize = 0;
};

// Reads the fields of the file at checked offsets and formats errors that name the file.
class Parser {
public:
    Parser(std::span<const uint8_t> bytes, const std::string& what) : m_bytes(bytes), m_what(what) {}

    Result<Image> parse();

private:
    Error fail(const std::string& text) const { return Error::message(m_what + ": " + text); }
    Error truncated(const std::string& what_part) const
    {
        return fail("truncated ELF (" + what_part + " past end of file)");
    }

    // Callers have checked that [offset, offset + sizeof(T)) is inside the file.
    template <typename T>
    T read(uint64_t offset) const
    {
        return load_le<T>(m_bytes.data() + offset);
    }
    uint64_t size() const { return m_bytes.size(); }

    Result<void> parse_identification();
    Result<void> parse_program_headers(Image& image);
    Result<void> parse_sections(Image& image);
    Result<void> parse_symbol_table(Image& image, uint64_t index, const SectionHeader& table,
                                    uint64_t shnum, uint64_t shoff);
    SectionHeader section_header(uint64_t shoff, uint64_t index) const;

    std::span<const uint8_t> m_bytes;
    const std::string& m_what;
    uint64_t m_symbol_name_bytes = 0;
};

Result<void> Parser::parse_identification()
{
    static constexpr uint8_t ELFMAG[4] = {0x7f, 'E', 'L', 'F'};
    if (size() == 0)
        return fail("not an ELF file (it is empty)");
    // A prefix of the magic is a cut-off ELF; anything else is some other kind of file.
    uint64_t magic_len = size() < 4 ? size() : 4;
    if (std::memcmp(m_bytes.data(), ELFMAG, magic_len) != 0)
        return fail("not an ELF file");
    if (size() < 4)
        return truncated("ELF header");

    // Check each identification byte the file has, so that a short 32-bit or big-endian file gets
    // the more useful message.
    if (size() > EI_CLASS) {
        uint8_t cls = m_bytes[EI_CLASS];
        if (cls == ELFCLASS32)
            return fail("not a 64-bit ELF");
        if (cls != ELFCLASS64)
            return fail("not a 64-bit ELF (invalid class " + dec(cls) + ")");
    }
    if (size() > EI_DATA) {
        uint8_t data = m_bytes[EI_DATA];
        if (data == ELFDATA2MSB)
            return fail("big-endian ELF, but RISC-V is little-endian");
        if (data != ELFDATA2LSB)
            return fail("invalid ELF data encoding " + dec(data));
    }
    if (size() > EI_VERSION && m_bytes[EI_VERSION] != EV_CURRENT)
        return fail("unsupported ELF version " + dec(m_bytes[EI_VERSION]));
    if (size() < EHDR_SIZE)
        return truncated("ELF header");
    return {};
}

Result<Image> Parser::parse()
{
    TRY(parse_identification());

    Image image;
    image.bytes = m_bytes;

    uint16_t type = read<uint16_t>(16);
    uint16_t machine = read<uint16_t>(18);
    uint32_t version = read<uint32_t>(20);
    image.entry = read<uint64_t>(24);
    image.flags = read<uint32_t>(48);

    if (machine != EM_RISCV) {
        const char* name = machine_name(machine);
        if (name)
            return fail(std::string("ELF machine is ") + name + " (" + dec(machine) + "), not RISC-V");
        return fail("ELF machine is " + dec(machine) + ", not RISC-V");
    }
    switch (type) {
    case ET_EXEC: image.type = Type::Exec; break;
    case ET_DYN: image.type = Type::Dyn; break;
    case ET_NONE: return fail("ELF type is none (0), not an executable");
    case ET_REL: return fail("ELF type is relocatable object (1), not an executable; link it first");
    case ET_CORE: return fail("ELF type is core dump (4), not an executable");
    default: return fail("ELF type " + dec(type) + " is not an executable");
    }
    if (version != EV_CURRENT)
        return fail("unsupported ELF version " + dec(version));

    TRY(parse_program_headers(image));
    TRY(parse_sections(image));
    return image;
}

Result<void> Parser::parse_program_headers(Image& image)
{
    uint64_t phoff = read<uint64_t>(32);
    uint16_t phentsize = read<uint16_t>(54);
    uint16_t phnum = read<uint16_t>(56);

    if (phnum == 0)
        return fail("no program headers, so nothing to load");
    if (phnum == PN_XNUM)
        return fail("too many program headers (extended numbering, PN_XNUM, is not supported)");
    if (phnum > MAX_PROGRAM_HEADERS)
        return fail("too many program headers (" + dec(phnum) + "; at most " + dec(MAX_PROGRAM_HEADERS) + ")");
    if (phentsize != PHDR_SIZE)
        return fail("program header size is " + dec(phentsize) + ", not " + dec(PHDR_SIZE));
    if (phoff > size())
        return fail("program header offset " + hex(phoff) + " is past end of file (" + dec(size()) + " bytes)");
    // phnum * PHDR_SIZE < 64 KiB, so this cannot overflow; report the first header that is cut off.
    if (!fits(phoff, phnum * PHDR_SIZE, size()))
        return truncated("program header " + dec((size() - phoff) / PHDR_SIZE));

    image.phent = phentsize;
    image.phnum = phnum;

    std::optional<uint64_t> phdr_segment_vaddr;
    for (uint64_t i = 0; i < phnum; ++i) {
        uint64_t at = phoff + i * PHDR_SIZE;
        uint32_t p_type = read<uint32_t>(at);
        Segment seg;
        seg.flags = read<uint32_t>(at + 4);
        seg.file_offset = read<uint64_t>(at + 8);
        seg.vaddr = read<uint64_t>(at + 16);
        seg.paddr = read<uint64_t>(at + 24);
        seg.file_size = read<uint64_t>(at + 32);
        seg.mem_size = read<uint64_t>(at + 40);
        seg.align = read<uint64_t>(at + 48);
        std::string where = "program header " + dec(i);

        switch (p_type) {
        case PT_LOAD: {
            if (!fits(seg.file_offset, seg.file_size, size()))
                return truncated("data of " + where);
            if (seg.file_size > seg.mem_size)
                return fail(where + ": file size " + hex(seg.file_size) + " is larger than memory size " +
                            hex(seg.mem_size));
            // A segment that wraps past the top of the address space cannot be loaded anywhere, and
            // end = vaddr + mem_size would overflow in every consumer.
            if (seg.mem_size > UINT64_MAX - seg.vaddr || seg.mem_size > UINT64_MAX - seg.paddr)
                return fail(where + ": segment at " + hex(seg.vaddr) + " of size " + hex(seg.mem_size) +
                            " wraps around the address space");
            // gABI: 0 and 1 mean no alignment; anything else must be a power of two. Loaders mask with
            // align - 1, so a non-power would silently misplace the segment.
            if (seg.align > 1 && !is_power_of_two(seg.align))
                return fail(where + ": alignment " + hex(seg.align) + " is not a power of two");
            image.loads.push_back(seg);
            break;
        }
        case PT_INTERP: {
            if (image.interpreter)
                return fail("more than one PT_INTERP program header");
            if (seg.file_size < 2 || seg.file_size > MAX_INTERP_SIZE)
                return fail(where + ": interpreter path size " + dec(seg.file_size) + " is out of range (2.." +
                            dec(MAX_INTERP_SIZE) + ")");
            if (!fits(seg.file_offset, seg.file_size, size()))
                return truncated("data of " + where);
            // As Linux does: the path must end with its NUL inside the segment. It is used up to its
            // first NUL, so the string never holds one.
            auto* text = reinterpret_cast<const char*>(m_bytes.data() + seg.file_offset);
            if (text[seg.file_size - 1] != '\0')
                return fail(where + ": interpreter path is not NUL-terminated");
            std::string path(text);
            if (path.empty())
                return fail(where + ": interpreter path is empty");
            image.interpreter = std::move(path);
            break;
        }
        case PT_PHDR:
            if (phdr_segment_vaddr)
                return fail("more than one PT_PHDR program header");
            phdr_segment_vaddr = seg.vaddr;
            break;
        default:
            // PT_DYNAMIC, PT_NOTE, PT_GNU_STACK, PT_RISCV_ATTRIBUTES, ...: nothing a loader of ours
            // needs from the headers alone.
            break;
        }
    }

    if (image.loads.empty())
        return fail("no loadable segments (PT_LOAD)");

    // AT_PHDR: PT_PHDR says where the headers are in memory; without it, find the loaded segment
    // whose file bytes include them (as Linux does since 5.18).
    if (phdr_segment_vaddr) {
        image.phdr_vaddr = *phdr_segment_vaddr;
    } else {
        uint64_t table_size = phnum * PHDR_SIZE;
        for (const Segment& seg : image.loads) {
            if (phoff >= seg.file_offset && table_size <= seg.file_size &&
                phoff - seg.file_offset <= seg.file_size - table_size) {
                image.phdr_vaddr = seg.vaddr + (phoff - seg.file_offset);
                break;
            }
        }
    }
    return {};
}

SectionHeader Parser::section_header(uint64_t shoff, uint64_t index) const
{
    uint64_t at = shoff + index * SHDR_SIZE;
    SectionHeader sh;
    sh.type = read<uint32_t>(at + 4);
    sh.offset = read<uint64_t>(at + 24);
    sh.size = read<uint64_t>(at + 32);
    sh.link = read<uint32_t>(at + 40);
    sh.entsize = read<uint64_t>(at + 56);
    return sh;
}

Result<void> Parser::parse_sections(Image& image)
{
    uint64_t shoff = read<uint64_t>(40);
    uint16_t shentsize = read<uint16_t>(58);
    uint64_t shnum = read<uint16_t>(60);

    // gABI: e_shoff is 0 when there is no section header table (a stripped-down file); then there
    // are simply no symbols.
    if (shoff == 0)
        return {};
    if (shoff > size())
        return fail("section header offset " + hex(shoff) + " is past end of file (" + dec(size()) + " bytes)");
    if (shentsize != SHDR_SIZE)
        return fail("section header size is " + dec(shentsize) + ", not " + dec(SHDR_SIZE));
    // gABI extended numbering: e_shnum is 0 and the real count is in section 0's sh_size.
    if (shnum == 0) {
        if (!fits(shoff, SHDR_SIZE, size()))
            return truncated("section header 0");
        shnum = section_header(shoff, 0).size;
        if (shnum == 0)
            return {};
    }
    // Compare by division: an extended count from the file can be anything up to 2^64 - 1.
    if ((size() - shoff) / SHDR_SIZE < shnum)
        return truncated("section header " + dec((size() - shoff) / SHDR_SIZE));

    // The section table is now known to be inside the file, so each loop below runs at most
    // file_size / 64 times and allocates nothing per section.
    for (uint64_t i = 0; i < shnum; ++i) {
        SectionHeader sh = section_header(shoff, i);
        if (sh.type != SHT_NOBITS && !fits(sh.offset, sh.size, size()))
            return truncated("data of section " + dec(i));
    }
    // .symtab first, then .dynsym, so Image::symbol() prefers the full table.
    for (uint32_t wanted : {SHT_SYMTAB, SHT_DYNSYM}) {
        for (uint64_t i = 0; i < shnum; ++i) {
            SectionHeader sh = section_header(shoff, i);
            if (sh.type == wanted)
                TRY(parse_symbol_table(image, i, sh, shnum, shoff));
        }
    }
    return {};
}

Result<void> Parser::parse_symbol_table(Image& image, uint64_t index, const SectionHeader& table,
                                        uint64_t shnum, uint64_t shoff)
{
    std::string where = "symbol table (section " + dec(index) + ")";
    if (table.entsize != SYM_SIZE)
        return fail(where + ": entry size is " + dec(table.entsize) + ", not " + dec(SYM_SIZE));
    if (table.size % SYM_SIZE != 0)
        return fail(where + ": size " + dec(table.size) + " is not a multiple of " + dec(SYM_SIZE));
    uint64_t count = table.size / SYM_SIZE;
    if (count > MAX_SYMBOLS_PER_TABLE)
        return fail(where + ": too many symbols (" + dec(count) + "; at most " + dec(MAX_SYMBOLS_PER_TABLE) + ")");
    if (table.link == 0 || table.link >= shnum)
        return fail(where + ": string table index " + dec(table.link) + " is out of range");
    SectionHeader strtab = section_header(shoff, table.link);
    if (strtab.type != SHT_STRTAB)
        return fail(where + ": linked section " + dec(table.link) + " is not a string table");
    // gABI: a string table's last byte is NUL. Checking it once means every name that starts inside
    // the table ends inside it, without scanning per symbol.
    if (strtab.size == 0 || m_bytes[strtab.offset + strtab.size - 1] != 0)
        return fail("string table (section " + dec(table.link) + ") is not NUL-terminated");

    // Symbol 0 is the reserved undefined symbol.
    for (uint64_t i = 1; i < count; ++i) {
        uint64_t at = table.offset + i * SYM_SIZE;
        uint32_t st_name = read<uint32_t>(at);
        uint8_t st_info = read<uint8_t>(at + 4);
        uint16_t st_shndx = read<uint16_t>(at + 6);
        uint64_t st_value = read<uint64_t>(at + 8);
        uint64_t st_size = read<uint64_t>(at + 16);

        if (st_name >= strtab.size)
            return fail(where + ": name of symbol " + dec(i) + " is past the end of its string table");
        uint8_t st_type = st_info & 0xf;
        uint8_t st_bind = static_cast<uint8_t>(st_info >> 4);
        // Labels written in assembly, such as the ISA tests' tohost, are STT_NOTYPE, so those count.
        // Sections, files, TLS and undefined references are not addresses to look up.
        if (st_name == 0 || st_shndx == SHN_UNDEF)
            continue;
        if (st_type != STT_NOTYPE && st_type != STT_OBJECT && st_type != STT_FUNC)
            continue;
        auto* name = reinterpret_cast<const char*>(m_bytes.data() + strtab.offset + st_name);
        // Local symbols starting with '$' are RISC-V psABI mapping symbols ($x, $d) that mark code
        // and data, not names.
        if (st_bind == STB_LOCAL && name[0] == '$')
            continue;
        uint64_t len = std::strlen(name);
        m_symbol_name_bytes += len;
        if (m_symbol_name_bytes > MAX_SYMBOL_NAME_BYTES)
            return fail(where + ": symbol names take more than " + dec(MAX_SYMBOL_NAME_BYTES >> 20) + " MiB");
        image.symbols.push_back(Image::Symbol{std::string(name, len), st_value, st_size});
    }
    return {};
}

}  // namespace

std::optional<uint64_t> Image::symbol(const std::string& name) const
{
    // Linear: callers look up a handful of names (tohost, fromhost) once per load.
    for (const Symbol& sym : symbols) {
        if (sym.name == name)
            return sym.value;
    }
    return std::nullopt;
}

Result<Image> parse(std::span<const uint8_t> bytes, const std::string& what)
{
    return Parser(bytes, what).parse();
}

}  // namespace vireo::elf
