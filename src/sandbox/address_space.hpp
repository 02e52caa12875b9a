// AddressSpace: the guest's user memory as one flat host reservation (the "arena"), so guest
// address A lives at host address base()+A and the hart, syscalls and a later JIT can all reach
// guest memory with one addition.
//
// The whole 2^38-byte Sv39 user range is reserved PROT_NONE with MAP_NORESERVE; pages are committed
// (host PROT_READ|PROT_WRITE) when the guest maps them with some access, and released when it
// unmaps them. What the guest may do with a page is a byte in a per-page table (lazily committed,
// like the arena), which ram_page() consults. Host protection follows the guest's: a committed page
// the guest may write is read-write for the host, one it may only read or execute is read-only, one
// it made PROT_NONE is PROT_NONE. Translated loads and stores then need no check of their own
// (riscv/jit: an access the guest may not make faults, and the fault goes to its slow path). Host
// code that must write or read a page whatever the guest may do with it (copying it, filling it
// from a file, writing it back) holds a HostAccess for it meanwhile.
//
// The memory limit counts committed pages: a page is committed once it is mapped with any access
// (or mapped from a file) and stays so until unmapped, even if made PROT_NONE in between, because
// its contents must survive. PROT_NONE reservations (ld.so, thread stacks' guards) cost nothing.
// Over the limit, map()/protect() fail with -ENOMEM, which the guest sees from mmap/brk.
//
// Snapshots: snapshot() copies the committed pages into a second ("shadow") reservation at the same
// offsets and starts tracking, per page, every change of contents or permissions (first writes
// arrive through ram_page(Write) because the caller flushes the hart's TLB). restore() puts back
// only the pages that changed.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "riscv/hart.hpp"

namespace vireo::sandbox {

// The guest's virtual layout.
namespace layout {
inline constexpr uint64_t kSize = 1ull << 38;            // RISC-V Sv39 user space (priv. spec §4.4)
inline constexpr uint64_t kPageSize = 4096;
inline constexpr uint64_t kPageShift = 12;
inline constexpr uint64_t kPages = kSize >> kPageShift;
inline constexpr uint64_t kMinAddress = 0x10000;          // Linux's default vm.mmap_min_addr
// Vireo's own pages at the very top: the guest can neither map, unmap nor protect them.
inline constexpr uint64_t kReservedBase = kSize - 0x10000;
inline constexpr uint64_t kSigreturnTrampoline = kReservedBase;   // r-x: `li a7, 139; ecall`
inline constexpr uint64_t kCallReturn = kReservedBase + 0x1000;   // never mapped: a call returns here
inline constexpr uint64_t kStackTop = kReservedBase;
inline constexpr uint64_t kStackMax = 8ull << 20;                  // RLIMIT_STACK's usual 8 MiB
inline constexpr uint64_t kStackInitial = 128ull << 10;            // committed at start; grows on faults
inline constexpr uint64_t kMmapTop = kStackTop - kStackMax - (64ull << 20);  // mmap allocates downwards
inline constexpr uint64_t kPieBase = 0x2aaa800000;                 // ET_DYN programs (2/3 of the space, as Linux)
// PROT_NONE host memory on either side of the arena, never the guest's: translated code may check
// a base register and then reach up to 2 KiB beyond it (riscv/jit), which must fault there.
inline constexpr uint64_t kGuard = 64 << 10;
}  // namespace layout

inline constexpr uint64_t page_down(uint64_t a) { return a & ~(layout::kPageSize - 1); }
inline constexpr uint64_t page_up(uint64_t a) { return (a + layout::kPageSize - 1) & ~(layout::kPageSize - 1); }

class AddressSpace {
public:
    // Permission bits per page. R/W/X are bit (1 << riscv::Access).
    enum : uint8_t {
        kRead = 1,
        kWrite = 2,
        kExec = 4,
        kCommitted = 16,  // has host memory and counts against the limit
        kDirty = 32,      // changed since the snapshot
        kSaved = 64,      // in the shadow table only: the snapshot holds a copy (else: zeros)
    };

    static Result<std::unique_ptr<AddressSpace>> create(uint64_t limit_bytes);
    ~AddressSpace();
    AddressSpace(const AddressSpace&) = delete;
    AddressSpace& operator=(const AddressSpace&) = delete;

    uint8_t* base() const { return m_base; }

    // The hart's view (riscv::Environment::ram_page): the host page if the guest may access it so.
    uint8_t* ram_page(uint64_t addr, riscv::Access access)
    {
        if (addr >= layout::kSize) [[unlikely]]
            return nullptr;
        const uint64_t page = addr >> layout::kPageShift;
        const uint8_t perm = m_perm[page];
        if (!(perm & (1u << static_cast<unsigned>(access))))
            return nullptr;
        if (access == riscv::Access::Write && m_tracking && !(perm & kDirty))
            mark_dirty(page);
        return m_base + (page << layout::kPageShift);
    }

    // While it lives, the committed pages of [addr, addr+len) are host-readable and -writable
    // whatever the guest may do with them; then host protection follows the guest's again.
    class HostAccess {
    public:
        HostAccess(AddressSpace& space, uint64_t addr, uint64_t len) : m_space(space), m_addr(addr), m_len(len)
        {
            m_space.open_to_host(addr, len, true);
        }
        ~HostAccess() { m_space.open_to_host(m_addr, m_len, false); }
        HostAccess(const HostAccess&) = delete;
        HostAccess& operator=(const HostAccess&) = delete;

    private:
        AddressSpace& m_space;
        uint64_t m_addr, m_len;
    };

    // True when the page holding addr has host memory (its contents live, whatever its PROT_*).
    bool is_committed(uint64_t addr) const { return addr < layout::kSize && (m_perm[addr >> layout::kPageShift] & kCommitted); }
    // Guest-visible PROT_* (1 read, 2 write, 4 exec) of a page; 0 when unmapped or PROT_NONE.
    unsigned prot_of(uint64_t addr) const { return addr < layout::kSize ? m_perm[addr >> layout::kPageShift] & 7u : 0; }

    // Mapping operations. Addresses and lengths are page-aligned, non-zero and checked by the caller
    // to lie inside [kMinAddress, kReservedBase) (guest_range()). They return 0 or -errno.
    enum class Commit { IfAccessible, Always };
    // Maps fresh zero pages over [addr, addr+len), replacing whatever was there (MAP_FIXED).
    int map(uint64_t addr, uint64_t len, unsigned prot, Commit commit = Commit::IfAccessible);
    int unmap(uint64_t addr, uint64_t len);
    int protect(uint64_t addr, uint64_t len, unsigned prot);
    // Moves or resizes a mapping, as mremap(2) with MREMAP_MAYMOVE when `may_move`.
    int64_t remap(uint64_t old_addr, uint64_t old_len, uint64_t new_len, bool may_move, std::optional<uint64_t> fixed);
    // True when [addr, addr+len) is a valid guest range (inside the user space and not Vireo's).
    static bool guest_range(uint64_t addr, uint64_t len);
    bool is_free(uint64_t addr, uint64_t len) const;
    bool is_mapped(uint64_t addr, uint64_t len) const;
    // A free range of `len` bytes: at `hint` if that is free, else the highest below kMmapTop.
    std::optional<uint64_t> find_free(uint64_t len, uint64_t hint = 0) const;

    // What is mapped, as runs of pages with the same guest permissions (PROT_* bits), in address
    // order, Vireo's own reserved pages included; at most `max_runs` of them (/proc/self/maps).
    struct Run {
        uint64_t start = 0, end = 0;
        unsigned prot = 0;
    };
    std::vector<Run> runs(size_t max_runs) const;
    uint64_t brk_start() const { return m_brk_start; }
    uint64_t brk_end() const { return m_brk; }

    // brk(2). set_brk_start() once by the loader; brk(0) or a refused change returns the current.
    void set_brk_start(uint64_t addr) { m_brk_start = m_brk = addr; }
    uint64_t brk(uint64_t new_brk);

    // The stack: the loader reserves it; faults just below the committed part grow it.
    Result<void> setup_stack();
    bool grow_stack(uint64_t addr);

    // Vireo's own page: code (r-x) in the reserved area.
    Result<void> install_reserved_code(uint64_t addr, const void* code, size_t size);

    // Syscall access: a host pointer to [addr, addr+len) if every page allows `access` (growing the
    // stack if that is what it takes), else nullptr. A write access marks the pages dirty.
    uint8_t* access(uint64_t addr, uint64_t len, riscv::Access access);
    uint8_t* readable(uint64_t addr, uint64_t len) { return access(addr, len, riscv::Access::Read); }
    uint8_t* writable(uint64_t addr, uint64_t len) { return access(addr, len, riscv::Access::Write); }
    // A NUL-terminated string of at most max-1 bytes. -EFAULT or -ENAMETOOLONG in `error`.
    std::optional<std::string> read_string(uint64_t addr, size_t max, int& error);
    template <typename T>
    bool read(uint64_t addr, T& out)
    {
        const uint8_t* p = readable(addr, sizeof(T));
        if (!p) return false;
        __builtin_memcpy(&out, p, sizeof(T));
        return true;
    }
    template <typename T>
    bool write(uint64_t addr, const T& value)
    {
        uint8_t* p = writable(addr, sizeof(T));
        if (!p) return false;
        __builtin_memcpy(p, &value, sizeof(T));
        return true;
    }

    // MADV_DONTNEED: committed pages in the range read back as zero.
    void discard(uint64_t addr, uint64_t len);

    // True (once) when mappings or permissions changed since the last call: the harts' TLBs hold
    // stale translations and must be flushed.
    // True once after executable pages were mapped, unmapped, re-protected or restored: code the
    // harts translated may no longer be what is there.
    bool take_code_stale()
    {
        const bool stale = m_code_stale;
        m_code_stale = false;
        return stale;
    }
    bool take_tlb_stale()
    {
        const bool stale = m_tlb_stale;
        m_tlb_stale = false;
        return stale;
    }

    uint64_t committed_bytes() const { return m_committed << layout::kPageShift; }
    uint64_t committed_pages() const { return m_committed; }
    // Forked guest processes share one account: the limit then holds for the sum of their pages
    // (`tree_pages`, in memory shared between them); `own_pages` shows this space's part.
    void share_account(std::atomic<uint64_t>* tree_pages, std::atomic<uint64_t>* own_pages);
    uint64_t tree_pages() const { return m_tree_pages ? m_tree_pages->load() : m_committed; }
    uint64_t limit_bytes() const { return m_limit_pages << layout::kPageShift; }
    void set_limit(uint64_t bytes) { m_limit_pages = bytes >> layout::kPageShift; }

    // Snapshots (see the header comment). restore() hands back the pages it touched, so the caller
    // can drop them from its harts' TLBs.
    Result<void> snapshot();
    bool has_snapshot() const { return m_shadow != nullptr; }
    void restore(std::vector<uint32_t>& touched_pages);
    size_t dirty_pages() const { return m_dirty.size(); }
    // A new address space holding this one's snapshot.
    Result<std::unique_ptr<AddressSpace>> clone_snapshot() const;

private:
    AddressSpace() = default;
    void mark_dirty(uint64_t page)
    {
        m_perm[page] |= kDirty;
        m_dirty.push_back(static_cast<uint32_t>(page));
    }
    // Sets the permission byte of a page. While tracking, a page that is or was mapped is recorded
    // as changed: its contents may be replaced too (map() zeroes), so restore() must visit it.
    void set_perm(uint64_t page, uint8_t perm)
    {
        const uint8_t old = m_perm[page];
        if ((old | perm) & kExec)
            m_code_stale = true;
        if (m_tracking && !(old & kDirty) && (old | perm) != 0) {
            m_perm[page] = static_cast<uint8_t>(perm | kDirty);
            m_dirty.push_back(static_cast<uint32_t>(page));
        } else {
            m_perm[page] = static_cast<uint8_t>(perm | (old & kDirty));
        }
    }
    // Changes the count of committed pages; refuses growth beyond the limit (unless forced).
    enum class Charge { Check, Force };
    bool charge(int64_t delta, Charge mode = Charge::Check);
    // The host protection (PROT_*) a page with permission byte `perm` has: see the header comment.
    static int host_prot(uint8_t perm);
    int host_protect(uint64_t addr, uint64_t len, int prot);
    // Host protection of the committed pages of [addr, addr+len) the guest cannot write: read-write
    // (`open`) or host_prot() of their permissions again, a run of pages per mprotect.
    void open_to_host(uint64_t addr, uint64_t len, bool open) const;
    // f(first, end, k) for each maximal run [first, end) of pages in [first_page, end_page) with the
    // same key(page) = k, except runs whose key is `skip`; stops at (and returns) f's first non-zero.
    template <typename Key, typename F>
    static int for_each_run(uint64_t first_page, uint64_t end_page, Key key, int skip, F f);
    void host_release(uint64_t addr, uint64_t len);
    void add_region(uint64_t start, uint64_t end);
    void remove_region(uint64_t start, uint64_t end);
    uint64_t count_committed(uint64_t addr, uint64_t len) const;

    uint8_t* m_base = nullptr;     // the arena: kSize bytes
    uint8_t* m_perm = nullptr;     // kPages bytes
    uint64_t m_committed = 0;      // pages
    std::atomic<uint64_t>* m_tree_pages = nullptr;   // shared with forked processes, or null
    std::atomic<uint64_t>* m_own_pages = nullptr;
    uint64_t m_limit_pages = 0;
    uint64_t m_brk_start = 0, m_brk = 0;
    uint64_t m_stack_low = layout::kStackTop;   // lowest committed stack page
    // Mapped ranges [start, end), merged when adjacent: what is taken, whatever its permissions.
    std::map<uint64_t, uint64_t> m_regions;

    // Snapshot state.
    bool m_tracking = false;
    std::vector<uint32_t> m_dirty;
    uint8_t* m_shadow = nullptr;       // kSize bytes, contents of the snapshot's committed pages
    uint8_t* m_shadow_perm = nullptr;  // kPages bytes
    struct Saved {
        uint64_t committed = 0, brk_start = 0, brk = 0, stack_low = 0;
        std::map<uint64_t, uint64_t> regions;
    } m_saved;
    bool m_regions_changed = false;
    bool m_tlb_stale = false;
    bool m_code_stale = false;
};

}  // namespace vireo::sandbox
