#include "kvm/boot.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "base/bytes.hpp"
#include "kvm/layout.hpp"

namespace vireo::kvm {

namespace {

std::string hex(uint64_t v)
{
    char buffer[24];
    std::snprintf(buffer, sizeof buffer, "0x%lx", static_cast<unsigned long>(v));
    return buffer;
}

std::string mib(uint64_t bytes) { return std::to_string((bytes + (1 << 20) - 1) >> 20) + " MiB"; }

// boot_params (arch/x86/include/uapi/asm/bootparam.h): offsets of the fields we fill in.
constexpr size_t BP_ACPI_RSDP_ADDR = 0x070;
constexpr size_t BP_EXT_RAMDISK_IMAGE = 0x0c0;
constexpr size_t BP_EXT_RAMDISK_SIZE = 0x0c4;
constexpr size_t BP_EXT_CMD_LINE_PTR = 0x0c8;
constexpr size_t BP_E820_ENTRIES = 0x1e8;
constexpr size_t BP_HDR = 0x1f1;          // struct setup_header
constexpr size_t BP_HDR_LIMIT = 0x290;    // the header's room in boot_params
constexpr size_t BP_E820_TABLE = 0x2d0;
constexpr size_t BP_E820_MAX = 128;
// setup_header fields, at their boot_params (and bzImage file) offsets.
constexpr size_t HDR_SETUP_SECTS = 0x1f1;
constexpr size_t HDR_BOOT_FLAG = 0x1fe;
constexpr size_t HDR_JUMP = 0x200;
constexpr size_t HDR_HEADER = 0x202;
constexpr size_t HDR_VERSION = 0x206;
constexpr size_t HDR_TYPE_OF_LOADER = 0x210;
constexpr size_t HDR_LOADFLAGS = 0x211;
constexpr size_t HDR_CODE32_START = 0x214;
constexpr size_t HDR_RAMDISK_IMAGE = 0x218;
constexpr size_t HDR_RAMDISK_SIZE = 0x21c;
constexpr size_t HDR_CMD_LINE_PTR = 0x228;
constexpr size_t HDR_INITRD_ADDR_MAX = 0x22c;
constexpr size_t HDR_KERNEL_ALIGNMENT = 0x230;
constexpr size_t HDR_RELOCATABLE = 0x234;
constexpr size_t HDR_XLOADFLAGS = 0x236;
constexpr size_t HDR_CMDLINE_SIZE = 0x238;
constexpr size_t HDR_PREF_ADDRESS = 0x258;
constexpr size_t HDR_INIT_SIZE = 0x260;
constexpr size_t HDR_MIN_END = 0x264;     // through init_size: what protocol 2.12 guarantees

constexpr uint32_t HDR_MAGIC = 0x53726448;  // "HdrS"
constexpr uint16_t BOOT_FLAG = 0xaa55;
constexpr uint8_t LOADED_HIGH = 0x01;
constexpr uint16_t XLF_KERNEL_64 = 0x01;
constexpr uint32_t kMinProtocol = 0x020c;    // 2.12: xloadflags, the 64-bit entry we use

// The Xen PVH ABI (xen/include/public/arch-x86/hvm/start_info.h, xen/include/public/elfnote.h).
constexpr uint32_t XEN_ELFNOTE_PHYS32_ENTRY = 18;
constexpr uint32_t XEN_HVM_START_MAGIC_VALUE = 0x336ec578;

constexpr uint16_t EM_386 = 3;
constexpr uint16_t EM_X86_64 = 62;
constexpr uint32_t PT_LOAD = 1;
constexpr uint32_t PT_NOTE = 4;
constexpr unsigned kMaxProgramHeaders = 128;
constexpr unsigned kMaxNotes = 1024;

bool in_file(std::span<const uint8_t> file, uint64_t offset, uint64_t size)
{
    return offset <= file.size() && size <= file.size() - offset;
}

// [a, a+alen) and [b, b+blen) overlap; both ranges were checked not to wrap.
bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen) { return a < b + blen && b < a + alen; }

// The boot area below 1 MiB that the machine writes itself; a raw image must stay clear of it.
struct Reserved {
    uint64_t start, end;
    const char* what;
};
constexpr Reserved kBootArea[] = {
    {layout::kGdt, layout::kPd + 4 * 0x1000, "the GDT, boot_params and page tables"},
    {layout::kCmdline, layout::kCmdline + layout::kCmdlineMax, "the command line"},
    {layout::kEbda, layout::kHighMemory, "the EBDA, ACPI and MP tables"},
};

Result<void> write(memory::GuestMemory& ram, uint64_t addr, std::span<const uint8_t> bytes, const std::string& what)
{
    if (!ram.contains(addr, bytes.size()))
        return Error::message(what + " at " + hex(addr) + "+" + hex(bytes.size()) + " is outside RAM (" +
                              mib(ram.size()) + "; try a larger --mem)");
    return ram.write(addr, bytes);
}

Result<void> write_cmdline(memory::GuestMemory& ram, const std::string& cmdline, uint64_t limit)
{
    if (cmdline.size() > limit)
        return Error::message("the kernel command line is " + std::to_string(cmdline.size()) +
                              " bytes; this kernel takes at most " + std::to_string(limit));
    std::vector<uint8_t> bytes(cmdline.begin(), cmdline.end());
    bytes.push_back(0);
    return write(ram, layout::kCmdline, bytes, "the command line");
}

// The initrd goes as high as RAM and `max_address` (the last byte the kernel can reach) allow,
// page aligned, and must stay above `floor` (the end of the kernel).
Result<uint64_t> place_initrd(memory::GuestMemory& ram, const BootInputs& inputs, uint64_t max_address, uint64_t floor)
{
    const uint64_t size = inputs.initrd.size();
    const uint64_t top = std::min(ram.end(), max_address + 1);
    const uint64_t floor_aligned = (floor + 0xfff) & ~0xfffull;
    if (size > top || ((top - size) & ~0xfffull) < floor_aligned)
        return Error::message(inputs.initrd_name + ": an initrd of " + mib(size) + " does not fit between the kernel (ending at " +
                              hex(floor) + ") and the end of its reach at " + hex(top) + " (try a larger --mem)");
    const uint64_t addr = (top - size) & ~0xfffull;
    TRY(ram.write(addr, inputs.initrd));
    return addr;
}

void put_e820(std::vector<uint8_t>& zero_page, uint64_t ram_size)
{
    const auto map = e820_map(ram_size);
    size_t n = 0;
    for (const auto& e : map) {
        if (n == BP_E820_MAX)
            break;
        uint8_t* slot = zero_page.data() + BP_E820_TABLE + n * 20;
        store_le<uint64_t>(slot, e.addr);
        store_le<uint64_t>(slot + 8, e.size);
        store_le<uint32_t>(slot + 16, e.type);
        ++n;
    }
    zero_page[BP_E820_ENTRIES] = static_cast<uint8_t>(n);
}

void put_initrd_and_cmdline(std::vector<uint8_t>& zp, uint64_t initrd_address, uint64_t initrd_size)
{
    store_le<uint32_t>(&zp[HDR_CMD_LINE_PTR], static_cast<uint32_t>(layout::kCmdline));
    store_le<uint32_t>(&zp[BP_EXT_CMD_LINE_PTR], 0);
    store_le<uint32_t>(&zp[HDR_RAMDISK_IMAGE], static_cast<uint32_t>(initrd_address));
    store_le<uint32_t>(&zp[HDR_RAMDISK_SIZE], static_cast<uint32_t>(initrd_size));
    store_le<uint32_t>(&zp[BP_EXT_RAMDISK_IMAGE], static_cast<uint32_t>(initrd_address >> 32));
    store_le<uint32_t>(&zp[BP_EXT_RAMDISK_SIZE], static_cast<uint32_t>(initrd_size >> 32));
}

// A zero page for kernels that bring no setup header (ELF, raw): what Firecracker writes.
std::vector<uint8_t> minimal_zero_page(const BootInputs& inputs, uint64_t ram_size, uint64_t initrd_address, uint64_t initrd_size)
{
    std::vector<uint8_t> zp(0x1000, 0);
    store_le<uint16_t>(&zp[HDR_BOOT_FLAG], BOOT_FLAG);
    store_le<uint32_t>(&zp[HDR_HEADER], HDR_MAGIC);
    zp[HDR_TYPE_OF_LOADER] = 0xff;
    store_le<uint32_t>(&zp[HDR_KERNEL_ALIGNMENT], 0x0100'0000);
    store_le<uint64_t>(&zp[BP_ACPI_RSDP_ADDR], inputs.acpi_rsdp);
    put_initrd_and_cmdline(zp, initrd_address, initrd_size);
    put_e820(zp, ram_size);
    return zp;
}

Result<LoadedKernel> load_bzimage(memory::GuestMemory& ram, const BootInputs& inputs)
{
    const auto& name = inputs.kernel_name;
    const BzImageHeader hdr = TRY(parse_bzimage(inputs.kernel, name));
    const auto kernel = inputs.kernel.subspan(hdr.setup_size);

    // Relocatable kernels go to their preferred address (then they need not move themselves);
    // others to 1 MiB, where a non-relocatable bzImage must run.
    uint64_t load = layout::kHighMemory;
    if (hdr.relocatable && hdr.pref_address >= layout::kHighMemory) {
        const uint64_t align = hdr.kernel_alignment ? hdr.kernel_alignment : 0x200000;
        load = (hdr.pref_address + align - 1) / align * align;
    }
    const uint64_t footprint = std::max<uint64_t>(hdr.init_size, kernel.size());
    if (load >= layout::kMaxRam || !ram.contains(load, footprint))
        return Error::message(name + ": the kernel needs RAM up to " + hex(load + footprint) + " (" + mib(load + footprint) +
                              ") but the guest has " + mib(ram.size()) + " (try a larger --mem)");
    TRY(ram.write(load, kernel));

    LoadedKernel loaded;
    loaded.format = KernelFormat::BzImage;
    loaded.protocol = hdr.protocol;
    if (!inputs.initrd.empty()) {
        loaded.initrd_size = inputs.initrd.size();
        loaded.initrd_address = TRY(place_initrd(ram, inputs, hdr.initrd_addr_max ? hdr.initrd_addr_max : 0x37ffffff, load + footprint));
    }
    TRY(write_cmdline(ram, inputs.cmdline, std::min<uint64_t>(hdr.cmdline_size ? hdr.cmdline_size : 255, layout::kCmdlineMax - 1)));

    // boot.rst: copy the setup header from the image into boot_params, then fill in what the
    // boot loader owns.
    std::vector<uint8_t> zp(0x1000, 0);
    const size_t copy_end = std::min(hdr.header_end, BP_HDR_LIMIT);
    std::memcpy(&zp[BP_HDR], inputs.kernel.data() + BP_HDR, copy_end - BP_HDR);
    zp[HDR_TYPE_OF_LOADER] = 0xff;  // "undefined" boot loader
    store_le<uint32_t>(&zp[HDR_CODE32_START], static_cast<uint32_t>(load));
    if (hdr.protocol >= 0x020e)
        store_le<uint64_t>(&zp[BP_ACPI_RSDP_ADDR], inputs.acpi_rsdp);
    put_initrd_and_cmdline(zp, loaded.initrd_address, loaded.initrd_size);
    put_e820(zp, ram.size());
    TRY(ram.write(layout::kZeroPage, zp));

    // boot.rst, "64-bit Boot Protocol": the 64-bit entry is 0x200 past the protected-mode start.
    loaded.entry = EntryState{CpuMode::Long, load + 0x200, layout::kZeroPage, 0};
    return loaded;
}

Result<uint64_t> load_elf_segments(memory::GuestMemory& ram, const ElfKernelInfo& elf, const BootInputs& inputs)
{
    uint64_t end = 0;
    for (const auto& seg : elf.loads) {
        if (seg.mem_size == 0)
            continue;
        if (seg.paddr < layout::kHighMemory || !ram.contains(seg.paddr, seg.mem_size))
            return Error::message(inputs.kernel_name + ": segment at " + hex(seg.paddr) + "+" + hex(seg.mem_size) +
                                  " is not in RAM between 1 MiB and " + hex(ram.end()) + " (try a larger --mem)");
        TRY(ram.write(seg.paddr, inputs.kernel.subspan(seg.offset, seg.file_size)));
        end = std::max(end, seg.paddr + seg.mem_size);
    }
    if (end == 0)
        return Error::message(inputs.kernel_name + ": the ELF file has nothing to load");
    return end;
}

Result<LoadedKernel> load_elf(memory::GuestMemory& ram, const BootInputs& inputs)
{
    const auto& name = inputs.kernel_name;
    const ElfKernelInfo elf = TRY(parse_elf_kernel(inputs.kernel, name));
    if (!elf.has_pvh && !elf.is_64)
        return Error::message(name + ": a 32-bit ELF kernel without a PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY): no boot protocol to enter it");
    const uint64_t kernel_end = TRY(load_elf_segments(ram, elf, inputs));
    const uint64_t entry = elf.has_pvh ? elf.pvh_entry : elf.entry;
    if (!ram.contains(entry, 1) || entry >= layout::kIdentityMapped)
        return Error::message(name + ": entry point " + hex(entry) + " is not in RAM");

    LoadedKernel loaded;
    if (!inputs.initrd.empty()) {
        loaded.initrd_size = inputs.initrd.size();
        loaded.initrd_address = TRY(place_initrd(ram, inputs, 0xffffffff, kernel_end));
    }
    TRY(write_cmdline(ram, inputs.cmdline, layout::kCmdlineMax - 1));

    if (!elf.has_pvh) {
        loaded.format = KernelFormat::Elf64;
        TRY(ram.write(layout::kZeroPage, minimal_zero_page(inputs, ram.size(), loaded.initrd_address, loaded.initrd_size)));
        loaded.entry = EntryState{CpuMode::Long, entry, layout::kZeroPage, 0};
        return loaded;
    }

    // hvm_start_info (version 1), then the module list (the initrd), then the memory map.
    loaded.format = KernelFormat::ElfPvh;
    const auto map = e820_map(ram.size());
    constexpr uint64_t kModlist = layout::kStartInfo + 0x40;
    constexpr uint64_t kMemmap = layout::kStartInfo + 0x80;
    std::vector<uint8_t> info(layout::kStartInfoEnd - layout::kStartInfo, 0);
    if (0x80 + map.size() * 24 > info.size())
        return Error::message("internal: the PVH memory map does not fit");
    uint8_t* p = info.data();
    store_le<uint32_t>(p + 0, XEN_HVM_START_MAGIC_VALUE);
    store_le<uint32_t>(p + 4, 1);  // version
    store_le<uint32_t>(p + 8, 0);  // flags
    store_le<uint32_t>(p + 12, inputs.initrd.empty() ? 0 : 1);
    store_le<uint64_t>(p + 16, inputs.initrd.empty() ? 0 : kModlist);
    store_le<uint64_t>(p + 24, layout::kCmdline);
    store_le<uint64_t>(p + 32, inputs.acpi_rsdp);
    store_le<uint64_t>(p + 40, kMemmap);
    store_le<uint32_t>(p + 48, static_cast<uint32_t>(map.size()));
    if (!inputs.initrd.empty()) {
        uint8_t* m = p + (kModlist - layout::kStartInfo);
        store_le<uint64_t>(m + 0, loaded.initrd_address);
        store_le<uint64_t>(m + 8, loaded.initrd_size);
    }
    for (size_t i = 0; i < map.size(); ++i) {
        uint8_t* e = p + (kMemmap - layout::kStartInfo) + i * 24;
        store_le<uint64_t>(e + 0, map[i].addr);
        store_le<uint64_t>(e + 8, map[i].size);
        store_le<uint32_t>(e + 16, map[i].type);
    }
    TRY(ram.write(layout::kStartInfo, info));
    loaded.entry = EntryState{CpuMode::Protected, entry, 0, layout::kStartInfo};
    return loaded;
}

Result<LoadedKernel> load_raw(memory::GuestMemory& ram, const BootInputs& inputs)
{
    const RawImage& raw = *inputs.raw;
    const auto& name = inputs.kernel_name;
    const uint64_t size = inputs.kernel.size();
    if (size == 0)
        return Error::message(name + ": empty image");
    if (!ram.contains(raw.load_address, size))
        return Error::message(name + ": " + std::to_string(size) + " bytes at " + hex(raw.load_address) + " are outside RAM");
    for (const auto& area : kBootArea)
        if (overlaps(raw.load_address, size, area.start, area.end - area.start))
            return Error::message(name + ": the image at " + hex(raw.load_address) + "+" + hex(size) + " overlaps " + area.what);
    if (raw.mode == CpuMode::Real) {
        const uint64_t cs_base = raw.entry & ~0xfull;
        if (raw.entry >= layout::kHighMemory || cs_base > 0xffff0)
            return Error::message(name + ": a real-mode entry point must lie below 1 MiB");
    }
    if (!ram.contains(raw.entry, 1) || raw.entry >= layout::kIdentityMapped)
        return Error::message(name + ": entry point " + hex(raw.entry) + " is not in RAM");
    TRY(ram.write(raw.load_address, inputs.kernel));

    LoadedKernel loaded;
    loaded.format = KernelFormat::Raw;
    if (!inputs.initrd.empty()) {
        loaded.initrd_size = inputs.initrd.size();
        const uint64_t floor = std::max(raw.load_address + size, layout::kHighMemory);
        loaded.initrd_address = TRY(place_initrd(ram, inputs, 0xffffffff, floor));
    }
    TRY(write_cmdline(ram, inputs.cmdline, layout::kCmdlineMax - 1));
    TRY(ram.write(layout::kZeroPage, minimal_zero_page(inputs, ram.size(), loaded.initrd_address, loaded.initrd_size)));
    loaded.entry = EntryState{raw.mode, raw.entry, layout::kZeroPage, 0};
    return loaded;
}

}  // namespace

std::vector<E820Entry> e820_map(uint64_t ram_size)
{
    std::vector<E820Entry> map;
    map.push_back({0, layout::kEbda, E820_RAM});
    map.push_back({layout::kEbda, layout::kHighMemory - layout::kEbda, E820_RESERVED});
    if (ram_size > layout::kHighMemory)
        map.push_back({layout::kHighMemory, ram_size - layout::kHighMemory, E820_RAM});
    return map;
}

Result<BzImageHeader> parse_bzimage(std::span<const uint8_t> image, const std::string& name)
{
    if (image.size() < HDR_MIN_END || load_le<uint16_t>(&image[HDR_BOOT_FLAG]) != BOOT_FLAG ||
        load_le<uint32_t>(&image[HDR_HEADER]) != HDR_MAGIC)
        return Error::message(name + ": not a bzImage (no \"HdrS\" setup header at 0x202) nor an ELF file");
    BzImageHeader hdr;
    hdr.protocol = load_le<uint16_t>(&image[HDR_VERSION]);
    char version[32];
    std::snprintf(version, sizeof version, "%u.%02u", hdr.protocol >> 8, hdr.protocol & 0xff);
    if (hdr.protocol < kMinProtocol)
        return Error::message(name + ": boot protocol " + version + " is older than 2.12, the first with a 64-bit entry Vireo can use");
    hdr.header_end = HDR_JUMP + 2 + image[HDR_JUMP + 1];
    if (hdr.header_end < HDR_MIN_END || hdr.header_end > image.size())
        return Error::message(name + ": setup header of protocol " + version + " ends at " + hex(hdr.header_end) +
                              ", outside " + hex(HDR_MIN_END) + ".." + hex(image.size()));
    hdr.loadflags = image[HDR_LOADFLAGS];
    hdr.xloadflags = load_le<uint16_t>(&image[HDR_XLOADFLAGS]);
    if (!(hdr.loadflags & LOADED_HIGH))
        return Error::message(name + ": a zImage (loaded low), not a bzImage");
    if (!(hdr.xloadflags & XLF_KERNEL_64))
        return Error::message(name + ": the kernel has no 64-bit entry point (XLF_KERNEL_64 is clear); is it a 32-bit kernel?");
    const unsigned setup_sects = image[HDR_SETUP_SECTS] ? image[HDR_SETUP_SECTS] : 4;
    hdr.setup_size = (setup_sects + 1ull) * 512;
    if (hdr.setup_size >= image.size())
        return Error::message(name + ": " + std::to_string(setup_sects) + " setup sectors leave no kernel in a file of " +
                              std::to_string(image.size()) + " bytes");
    hdr.relocatable = image[HDR_RELOCATABLE] != 0;
    hdr.kernel_alignment = load_le<uint32_t>(&image[HDR_KERNEL_ALIGNMENT]);
    if (hdr.kernel_alignment & (hdr.kernel_alignment - 1))
        return Error::message(name + ": kernel_alignment " + hex(hdr.kernel_alignment) + " is not a power of two");
    hdr.pref_address = load_le<uint64_t>(&image[HDR_PREF_ADDRESS]);
    hdr.init_size = load_le<uint32_t>(&image[HDR_INIT_SIZE]);
    hdr.initrd_addr_max = load_le<uint32_t>(&image[HDR_INITRD_ADDR_MAX]);
    hdr.cmdline_size = load_le<uint32_t>(&image[HDR_CMDLINE_SIZE]);
    if (hdr.pref_address >= layout::kMaxRam)
        return Error::message(name + ": preferred load address " + hex(hdr.pref_address) + " is beyond the 3 GiB of RAM Vireo offers");
    return hdr;
}

Result<ElfKernelInfo> parse_elf_kernel(std::span<const uint8_t> f, const std::string& name)
{
    if (f.size() < 52 || std::memcmp(f.data(), "\x7f" "ELF", 4) != 0)
        return Error::message(name + ": not an ELF file");
    ElfKernelInfo info;
    const uint8_t cls = f[4];
    if (cls != 1 && cls != 2)
        return Error::message(name + ": unknown ELF class " + std::to_string(cls));
    info.is_64 = cls == 2;
    if (f[5] != 1)
        return Error::message(name + ": big-endian ELF, not x86");
    if (info.is_64 && f.size() < 64)
        return Error::message(name + ": truncated ELF header");
    const uint16_t machine = load_le<uint16_t>(&f[18]);
    if (machine != (info.is_64 ? EM_X86_64 : EM_386))
        return Error::message(name + ": ELF machine " + std::to_string(machine) + " is not " + (info.is_64 ? "x86-64" : "i386"));
    uint64_t phoff;
    uint16_t phentsize, phnum;
    if (info.is_64) {
        info.entry = load_le<uint64_t>(&f[24]);
        phoff = load_le<uint64_t>(&f[32]);
        phentsize = load_le<uint16_t>(&f[54]);
        phnum = load_le<uint16_t>(&f[56]);
    } else {
        info.entry = load_le<uint32_t>(&f[24]);
        phoff = load_le<uint32_t>(&f[28]);
        phentsize = load_le<uint16_t>(&f[42]);
        phnum = load_le<uint16_t>(&f[44]);
    }
    const unsigned min_phentsize = info.is_64 ? 56 : 32;
    if (phnum == 0 || phnum > kMaxProgramHeaders || phentsize < min_phentsize ||
        !in_file(f, phoff, static_cast<uint64_t>(phnum) * phentsize))
        return Error::message(name + ": bad program header table (" + std::to_string(phnum) + " entries of " +
                              std::to_string(phentsize) + " bytes at " + hex(phoff) + ")");
    for (unsigned i = 0; i < phnum; ++i) {
        const uint8_t* ph = f.data() + phoff + static_cast<uint64_t>(i) * phentsize;
        const uint32_t type = load_le<uint32_t>(ph);
        uint64_t offset, paddr, filesz, memsz;
        if (info.is_64) {
            offset = load_le<uint64_t>(ph + 8);
            paddr = load_le<uint64_t>(ph + 24);
            filesz = load_le<uint64_t>(ph + 32);
            memsz = load_le<uint64_t>(ph + 40);
        } else {
            offset = load_le<uint32_t>(ph + 4);
            paddr = load_le<uint32_t>(ph + 12);
            filesz = load_le<uint32_t>(ph + 16);
            memsz = load_le<uint32_t>(ph + 20);
        }
        if (!in_file(f, offset, filesz))
            return Error::message(name + ": program header " + std::to_string(i) + " points outside the file");
        if (type == PT_LOAD) {
            if (filesz > memsz || paddr + memsz < paddr)
                return Error::message(name + ": segment " + std::to_string(i) + " has a bad size");
            info.loads.push_back({paddr, offset, filesz, memsz});
        } else if (type == PT_NOTE) {
            // ELF notes: namesz, descsz, type, then name and desc, each padded to 4 bytes.
            uint64_t at = offset;
            const uint64_t end = offset + filesz;
            for (unsigned hops = 0; hops < kMaxNotes && end - at >= 12; ++hops) {
                const uint32_t namesz = load_le<uint32_t>(&f[at]);
                const uint32_t descsz = load_le<uint32_t>(&f[at + 4]);
                const uint32_t ntype = load_le<uint32_t>(&f[at + 8]);
                const uint64_t name_at = at + 12;
                const uint64_t desc_at = name_at + ((namesz + 3ull) & ~3ull);
                const uint64_t next = desc_at + ((descsz + 3ull) & ~3ull);
                if (next > end)
                    break;  // a truncated note ends the walk; the kernel is judged on what came before
                if (namesz == 4 && std::memcmp(&f[name_at], "Xen", 4) == 0 && ntype == XEN_ELFNOTE_PHYS32_ENTRY) {
                    if (descsz == 4)
                        info.pvh_entry = load_le<uint32_t>(&f[desc_at]);
                    else if (descsz == 8)
                        info.pvh_entry = load_le<uint64_t>(&f[desc_at]);
                    else
                        return Error::message(name + ": PVH entry note of " + std::to_string(descsz) + " bytes");
                    info.has_pvh = true;
                }
                at = next;
            }
        }
    }
    if (info.has_pvh && info.pvh_entry > 0xffffffffull)
        return Error::message(name + ": PVH entry " + hex(info.pvh_entry) + " is above 4 GiB");
    return info;
}

Result<LoadedKernel> load_kernel(memory::GuestMemory& ram, const BootInputs& inputs)
{
    if (inputs.raw)
        return load_raw(ram, inputs);
    if (inputs.kernel.empty())
        return Error::message(inputs.kernel_name + ": empty kernel file");
    if (inputs.kernel.size() >= 4 && std::memcmp(inputs.kernel.data(), "\x7f" "ELF", 4) == 0)
        return load_elf(ram, inputs);
    return load_bzimage(ram, inputs);
}

}  // namespace vireo::kvm
