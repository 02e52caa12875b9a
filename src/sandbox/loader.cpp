// The program loader: maps an ELF program (and its interpreter) into the address space and builds
// the initial stack the way Linux's binfmt_elf does (fs/binfmt_elf.c, create_elf_tables), so that
// glibc's and musl's start-up code find argc, argv, envp and the auxiliary vector where the
// RISC-V psABI and the System V ABI put them.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <random>

#include "base/bytes.hpp"
#include "base/file.hpp"
#include "sandbox/process.hpp"

namespace vireo::sandbox {

namespace {

// Auxiliary vector tags (include/uapi/linux/auxvec.h).
constexpr uint64_t AT_NULL = 0, AT_PHDR = 3, AT_PHENT = 4, AT_PHNUM = 5, AT_PAGESZ = 6, AT_BASE = 7;
constexpr uint64_t AT_FLAGS = 8, AT_ENTRY = 9, AT_UID = 11, AT_EUID = 12, AT_GID = 13, AT_EGID = 14;
constexpr uint64_t AT_HWCAP = 16, AT_CLKTCK = 17, AT_SECURE = 23, AT_RANDOM = 25, AT_HWCAP2 = 26;
constexpr uint64_t AT_EXECFN = 31, AT_MINSIGSTKSZ = 51;

// AT_HWCAP on riscv: one bit per single-letter extension (arch/riscv/include/uapi/asm/hwcap.h).
constexpr uint64_t kHwcap = (1u << ('I' - 'A')) | (1u << ('M' - 'A')) | (1u << ('A' - 'A')) |
                            (1u << ('F' - 'A')) | (1u << ('D' - 'A')) | (1u << ('C' - 'A'));

// The sigreturn trampoline: `li a7, 139` (addi a7, zero, __NR_rt_sigreturn); `ecall`.
constexpr uint32_t kTrampoline[] = {0x08b00893, 0x00000073};

// Interpreters are small (ld.so is ~200 KiB); refuse anything absurd before reading it.
constexpr uint64_t kMaxInterpreterSize = 64ull << 20;
// Linux allows argv+envp up to a quarter of the stack limit.
constexpr uint64_t kMaxArgBytes = layout::kStackMax / 4;

std::string hex(uint64_t v)
{
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
    return buf;
}

unsigned prot_of(uint32_t pf)
{
    unsigned prot = 0;
    if (pf & 4) prot |= AddressSpace::kRead;
    if (pf & 2) prot |= AddressSpace::kWrite;
    if (pf & 1) prot |= AddressSpace::kExec;
    return prot;
}

struct Span {
    uint64_t low = ~0ull, high = 0;   // page-aligned, before the bias
};

Result<Span> span_of(const elf::Image& image, const std::string& what)
{
    Span s;
    for (const auto& seg : image.loads) {
        if (seg.mem_size == 0)
            continue;
        if (seg.vaddr > layout::kSize || seg.mem_size > layout::kSize - seg.vaddr)
            return Error::message(what + ": a segment lies outside the riscv64 user address space");
        s.low = std::min(s.low, page_down(seg.vaddr));
        s.high = std::max(s.high, page_up(seg.vaddr + seg.mem_size));
    }
    if (s.high == 0)
        return Error::message(what + ": no loadable segment");
    return s;
}

// Maps the PT_LOAD segments at `bias`: pages committed read-write, file bytes copied (the rest is
// zero: .bss), then each page gets the union of the permissions of the segments that touch it.
Result<void> map_segments(AddressSpace& mem, const elf::Image& image, uint64_t bias, const std::string& what)
{
    std::vector<std::pair<uint64_t, uint64_t>> ranges;
    for (const auto& seg : image.loads) {
        if (seg.mem_size == 0)
            continue;
        const uint64_t start = page_down(seg.vaddr + bias), end = page_up(seg.vaddr + bias + seg.mem_size);
        if (!AddressSpace::guest_range(start, end - start))
            return Error::message(what + ": segment at " + hex(seg.vaddr) +
                                  " is outside the guest's address space");
        ranges.emplace_back(start, end);
    }
    std::sort(ranges.begin(), ranges.end());
    std::vector<std::pair<uint64_t, uint64_t>> merged;
    for (const auto& r : ranges) {
        if (!merged.empty() && r.first <= merged.back().second)
            merged.back().second = std::max(merged.back().second, r.second);
        else
            merged.push_back(r);
    }
    for (const auto& [start, end] : merged) {
        if (mem.map(start, end - start, AddressSpace::kRead | AddressSpace::kWrite) != 0)
            return Error::message(what + ": does not fit in the memory limit of " +
                                  std::to_string(mem.limit_bytes() >> 20) + " MiB");
    }
    for (const auto& seg : image.loads) {
        if (seg.file_size == 0 || seg.mem_size == 0)
            continue;
        const uint64_t n = std::min(seg.file_size, seg.mem_size);
        std::memcpy(mem.base() + seg.vaddr + bias, image.bytes.data() + seg.file_offset, n);
    }
    // Final permissions; pages shared by two segments get both.
    for (size_t i = 0; i < image.loads.size(); ++i) {
        const auto& seg = image.loads[i];
        if (seg.mem_size == 0)
            continue;
        const uint64_t start = page_down(seg.vaddr + bias), end = page_up(seg.vaddr + bias + seg.mem_size);
        unsigned prot = prot_of(seg.flags);
        (void)mem.protect(start, end - start, prot);
    }
    for (size_t i = 0; i < image.loads.size(); ++i) {
        for (size_t j = 0; j < i; ++j) {
            const auto& a = image.loads[i];
            const auto& b = image.loads[j];
            if (a.mem_size == 0 || b.mem_size == 0)
                continue;
            const uint64_t lo = std::max(page_down(a.vaddr), page_down(b.vaddr)) + bias;
            const uint64_t hi = std::min(page_up(a.vaddr + a.mem_size), page_up(b.vaddr + b.mem_size)) + bias;
            if (lo < hi)
                (void)mem.protect(lo, hi - lo, prot_of(a.flags) | prot_of(b.flags));
        }
    }
    return {};
}

}  // namespace

Result<void> Process::load(const std::string& path, const std::vector<std::string>& given_args)
{
    if (m_loaded)
        return Error::message("sandbox: a program is already loaded");
    auto bytes = std::make_shared<std::vector<uint8_t>>(TRY(read_file(path)));
    std::vector<std::string> args = given_args;
    if (args.empty())
        args.push_back(path);
    const Start start = TRY(load_image(std::move(bytes), path, path, args, m_config.env));
    auto main = std::make_unique<Thread>();
    main->hart = new_hart();
    main->tid = m_pid;
    m_next_tid = m_pid;
    main->hart->set_pc(start.pc);
    main->hart->set_reg(2, start.sp);
    m_threads.push_back(std::move(main));
    m_current = 0;
    after_memory_change();
    m_loaded = true;
    return {};
}

Result<Process::Start> Process::load_image(std::shared_ptr<const std::vector<uint8_t>> bytes, const std::string& path,
                                           const std::string& execfn, const std::vector<std::string>& args,
                                           const std::vector<std::string>& env)
{
    m_program_bytes = bytes;
    m_program = TRY(elf::parse(*bytes, path));
    if (m_program.flags & 8)
        return Error::message(path + ": an RV64E program (16 registers); Vireo runs RV64GC");

    // The program itself: at its own addresses, or at kPieBase when position-independent.
    const Span span = TRY(span_of(m_program, path));
    m_program_bias = m_program.type == elf::Type::Dyn ? layout::kPieBase - span.low : 0;
    TRY(map_segments(*m_mem, m_program, m_program_bias, path));
    const uint64_t entry = m_program.entry + m_program_bias;
    m_mem->set_brk_start(span.high + m_program_bias);

    // Its interpreter, found inside the guest's file system (the root, or the sysroot).
    uint64_t start_pc = entry;
    uint64_t interp_bias = 0;
    std::vector<uint8_t> interp_bytes;
    if (m_program.interpreter) {
        const std::string& interp = *m_program.interpreter;
        const std::string where = m_config.root ? "--root " + *m_config.root : "the sysroot " + m_config.sysroot;
        FileSystem::Walk walk;
        int r = m_fs->walk("/", interp, FileSystem::Follow::Yes, walk);
        if (r == 0 && !walk.object.valid())
            r = -ENOENT;
        if (r != 0)
            return Error::message(path + ": its interpreter " + interp + " is not in " + where + ": " + std::strerror(-r));
        Fd fd(walk.name.empty() ? ::openat(walk.object.get(), ".", O_RDONLY | O_CLOEXEC)
                                : ::openat(walk.parent.get(), walk.name.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
        struct stat st {};
        if (!fd.valid() || ::fstat(fd.get(), &st) != 0)
            return Error::from_errno(path + ": opening its interpreter " + interp + " in " + where);
        if (!S_ISREG(st.st_mode) || static_cast<uint64_t>(st.st_size) > kMaxInterpreterSize)
            return Error::message(path + ": its interpreter " + interp + " is not a regular file of sensible size");
        interp_bytes.resize(static_cast<size_t>(st.st_size));
        size_t done = 0;
        while (done < interp_bytes.size()) {
            const ssize_t n = ::pread(fd.get(), interp_bytes.data() + done, interp_bytes.size() - done, static_cast<off_t>(done));
            if (n <= 0)
                return Error::from_errno(path + ": reading its interpreter " + interp);
            done += static_cast<size_t>(n);
        }
        const elf::Image image = TRY(elf::parse(interp_bytes, interp));
        const Span ispan = TRY(span_of(image, interp));
        const auto base = m_mem->find_free(ispan.high - ispan.low);
        if (!base)
            return Error::message(interp + ": no room in the address space");
        interp_bias = *base - ispan.low;
        TRY(map_segments(*m_mem, image, interp_bias, interp));
        start_pc = image.entry + interp_bias;
    }

    // Vireo's pages and the stack.
    TRY(m_mem->install_reserved_code(layout::kSigreturnTrampoline, kTrampoline, sizeof kTrampoline));
    TRY(m_mem->setup_stack());

    // The strings, from the top of the stack down: AT_EXECFN's, then envp's and argv's, then the
    // 16 random bytes of AT_RANDOM; below them the pointer table, 16-byte aligned (psABI §2.1).
    m_execfn = execfn;
    uint64_t total = m_execfn.size() + 1 + 16;
    for (const auto& s : args)
        total += s.size() + 1;
    for (const auto& s : env)
        total += s.size() + 1;
    if (total > kMaxArgBytes)
        return Error::message(path + ": the arguments and environment are too long (" + std::to_string(total) + " bytes)");

    uint64_t cursor = layout::kStackTop;
    auto push_string = [&](const std::string& s) -> Result<uint64_t> {
        cursor -= s.size() + 1;
        uint8_t* p = m_mem->writable(cursor, s.size() + 1);
        if (!p)
            return Error::message("sandbox: the initial stack does not fit in the memory limit");
        std::memcpy(p, s.c_str(), s.size() + 1);
        return cursor;
    };
    const uint64_t execfn_addr = TRY(push_string(m_execfn));
    std::vector<uint64_t> env_addrs, arg_addrs;
    const uint64_t env_end = cursor;
    for (auto it = env.rbegin(); it != env.rend(); ++it)
        env_addrs.insert(env_addrs.begin(), TRY(push_string(*it)));
    m_env_area = {cursor, env_end};
    const uint64_t args_end = cursor;
    for (auto it = args.rbegin(); it != args.rend(); ++it)
        arg_addrs.insert(arg_addrs.begin(), TRY(push_string(*it)));
    m_args_area = {cursor, args_end};
    cursor = (cursor - 16) & ~15ull;
    const uint64_t random_addr = cursor;
    {
        uint8_t random[16];
        std::random_device rd;
        for (auto& b : random)
            b = static_cast<uint8_t>(rd());
        uint8_t* p = m_mem->writable(random_addr, 16);
        if (!p)
            return Error::message("sandbox: the initial stack does not fit in the memory limit");
        std::memcpy(p, random, 16);
    }

    const uint64_t phdr = m_program.phdr_vaddr + m_program_bias;
    const uint64_t auxv[][2] = {
        {AT_PHDR, phdr},
        {AT_PHENT, m_program.phent},
        {AT_PHNUM, m_program.phnum},
        {AT_PAGESZ, layout::kPageSize},
        {AT_BASE, interp_bias},
        {AT_FLAGS, 0},
        {AT_ENTRY, entry},
        {AT_UID, ::getuid()},
        {AT_EUID, ::geteuid()},
        {AT_GID, ::getgid()},
        {AT_EGID, ::getegid()},
        {AT_SECURE, 0},
        {AT_RANDOM, random_addr},
        {AT_HWCAP, kHwcap},
        {AT_HWCAP2, 0},
        {AT_CLKTCK, 100},
        {AT_EXECFN, execfn_addr},
        {AT_MINSIGSTKSZ, 2048},
        {AT_NULL, 0},
    };
    std::vector<uint64_t> table;
    table.push_back(args.size());
    table.insert(table.end(), arg_addrs.begin(), arg_addrs.end());
    table.push_back(0);
    table.insert(table.end(), env_addrs.begin(), env_addrs.end());
    table.push_back(0);
    for (const auto& kv : auxv) {
        table.push_back(kv[0]);
        table.push_back(kv[1]);
    }
    const uint64_t sp = (cursor - table.size() * 8) & ~15ull;
    uint8_t* p = m_mem->writable(sp, table.size() * 8);
    if (!p)
        return Error::message("sandbox: the initial stack does not fit in the memory limit");
    for (size_t i = 0; i < table.size(); ++i)
        store_le<uint64_t>(p + i * 8, table[i]);

    return Start{start_pc, sp};
}

}  // namespace vireo::sandbox
