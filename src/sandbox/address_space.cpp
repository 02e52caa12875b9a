// AddressSpace: see address_space.hpp.
#include "sandbox/address_space.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "base/assert.hpp"

namespace vireo::sandbox {

using namespace layout;

namespace {

// Linux's vm.max_map_count is 65530 per process; a guest that fragments its space into more
// regions than this gets -ENOMEM, as it would on Linux, and cannot make the host process run out.
constexpr size_t kMaxRegions = 16384;

uint8_t* reserve(uint64_t size, int prot)
{
    // SAFETY: a fresh anonymous private mapping; nothing else refers to it.
    void* p = ::mmap(nullptr, size, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    return p == MAP_FAILED ? nullptr : static_cast<uint8_t*>(p);
}

unsigned normalize(unsigned prot)
{
    prot &= 7;
    // RISC-V has no write-only pages (priv. spec §4.3.1: W without R is reserved); Linux maps
    // PROT_WRITE as read-write.
    if (prot & AddressSpace::kWrite)
        prot |= AddressSpace::kRead;
    return prot;
}

bool all_zero(const uint8_t* p)
{
    const auto* words = reinterpret_cast<const uint64_t*>(p);
    uint64_t acc = 0;
    for (size_t i = 0; i < kPageSize / 8; ++i)
        acc |= words[i];
    return acc == 0;
}

}  // namespace

Result<std::unique_ptr<AddressSpace>> AddressSpace::create(uint64_t limit_bytes)
{
    std::unique_ptr<AddressSpace> space(new AddressSpace());
    uint8_t* reserved = reserve(kGuard + kSize + kGuard, PROT_NONE);
    space->m_base = reserved ? reserved + kGuard : nullptr;
    if (!space->m_base)
        return Error::from_errno("sandbox: reserving " + std::to_string(kSize >> 30) + " GiB of address space for the guest");
    space->m_perm = reserve(kPages, PROT_READ | PROT_WRITE);
    if (!space->m_perm)
        return Error::from_errno("sandbox: reserving the page table");
    space->set_limit(limit_bytes);
    return space;
}

AddressSpace::~AddressSpace()
{
    if (m_tree_pages)
        m_tree_pages->fetch_sub(m_committed);
    if (m_base)
        ::munmap(m_base - kGuard, kGuard + kSize + kGuard);
    if (m_perm)
        ::munmap(m_perm, kPages);
    if (m_shadow)
        ::munmap(m_shadow, kSize);
    if (m_shadow_perm)
        ::munmap(m_shadow_perm, kPages);
}

bool AddressSpace::guest_range(uint64_t addr, uint64_t len)
{
    return addr >= kMinAddress && len <= kReservedBase && addr <= kReservedBase - len;
}

int AddressSpace::host_prot(uint8_t perm)
{
    if (!(perm & kCommitted) || !(perm & 7u))
        return PROT_NONE;
    return (perm & kWrite) ? PROT_READ | PROT_WRITE : PROT_READ;
}

int AddressSpace::host_protect(uint64_t addr, uint64_t len, int prot)
{
    // SAFETY: [addr, addr+len) lies inside the arena (callers check guest_range or use our layout).
    if (::mprotect(m_base + addr, len, prot) != 0)
        return -errno;  // ENOMEM: the host's map count; the guest sees it as its own ENOMEM
    return 0;
}

template <typename Key, typename F>
int AddressSpace::for_each_run(uint64_t first_page, uint64_t end_page, Key key, int skip, F f)
{
    for (uint64_t p = first_page; p < end_page;) {
        const int k = key(p);
        uint64_t q = p + 1;
        while (q < end_page && key(q) == k)
            ++q;
        if (k != skip) {
            if (int r = f(p, q, k); r != 0)
                return r;
        }
        p = q;
    }
    return 0;
}

void AddressSpace::open_to_host(uint64_t addr, uint64_t len, bool open) const
{
    constexpr int kOpen = PROT_READ | PROT_WRITE, kLeave = -1;
    auto target = [&](uint64_t p) {
        const int prot = host_prot(m_perm[p]);
        if (!(m_perm[p] & kCommitted) || prot == kOpen)
            return kLeave;
        return open ? kOpen : prot;
    };
    (void)for_each_run(addr >> kPageShift, (addr + len) >> kPageShift, target, kLeave, [&](uint64_t p, uint64_t q, int prot) {
        // SAFETY: inside the arena. Closing again restores what was there, so it does not fail
        // for want of host mappings; opening only fails at the host's map count, which the
        // guest's own mprotect calls would have reached first.
        (void)::mprotect(m_base + (p << kPageShift), (q - p) << kPageShift, prot);
        return 0;
    });
}

void AddressSpace::host_release(uint64_t addr, uint64_t len)
{
    // Private anonymous memory reads back as zero after MADV_DONTNEED: the pages are given back.
    ::madvise(m_base + addr, len, MADV_DONTNEED);
}

bool AddressSpace::charge(int64_t delta, Charge mode)
{
    if (delta > 0 && mode == Charge::Check) {
        const auto growth = static_cast<uint64_t>(delta);
        if (m_tree_pages) {
            // The whole process tree's pages against the limit: reserve first, so two processes
            // growing at once cannot both slip under it.
            const uint64_t before = m_tree_pages->fetch_add(growth);
            if (before + growth > m_limit_pages) {
                m_tree_pages->fetch_sub(growth);
                return false;
            }
            m_committed += growth;
            m_own_pages->store(m_committed);
            return true;
        }
        if (m_committed + growth > m_limit_pages)
            return false;
    }
    m_committed = static_cast<uint64_t>(static_cast<int64_t>(m_committed) + delta);
    if (m_tree_pages) {
        if (!(delta > 0 && mode == Charge::Check))
            m_tree_pages->fetch_add(static_cast<uint64_t>(delta));   // wraps for negative deltas: a subtraction
        m_own_pages->store(m_committed);
    }
    return true;
}

void AddressSpace::share_account(std::atomic<uint64_t>* tree_pages, std::atomic<uint64_t>* own_pages)
{
    m_tree_pages = tree_pages;
    m_own_pages = own_pages;
    if (m_own_pages)
        m_own_pages->store(m_committed);
}

uint64_t AddressSpace::count_committed(uint64_t addr, uint64_t len) const
{
    uint64_t n = 0;
    const uint64_t first = addr >> kPageShift, last = (addr + len) >> kPageShift;
    for (uint64_t p = first; p < last; ++p)
        n += (m_perm[p] & kCommitted) ? 1 : 0;
    return n;
}

void AddressSpace::add_region(uint64_t start, uint64_t end)
{
    if (m_tracking)
        m_regions_changed = true;
    auto it = m_regions.upper_bound(start);
    if (it != m_regions.begin()) {
        auto prev = std::prev(it);
        if (prev->second >= start) {
            start = prev->first;
            end = std::max(end, prev->second);
            it = m_regions.erase(prev);
        }
    }
    while (it != m_regions.end() && it->first <= end) {
        end = std::max(end, it->second);
        it = m_regions.erase(it);
    }
    m_regions[start] = end;
}

void AddressSpace::remove_region(uint64_t start, uint64_t end)
{
    if (m_tracking)
        m_regions_changed = true;
    auto it = m_regions.upper_bound(start);
    if (it != m_regions.begin())
        --it;
    while (it != m_regions.end() && it->first < end) {
        const uint64_t s = it->first, e = it->second;
        if (e <= start) {
            ++it;
            continue;
        }
        it = m_regions.erase(it);
        if (s < start)
            m_regions[s] = start;
        if (e > end) {
            m_regions[end] = e;
            break;
        }
    }
}

bool AddressSpace::is_free(uint64_t addr, uint64_t len) const
{
    auto it = m_regions.upper_bound(addr);
    if (it != m_regions.begin() && std::prev(it)->second > addr)
        return false;
    return it == m_regions.end() || it->first >= addr + len;
}

bool AddressSpace::is_mapped(uint64_t addr, uint64_t len) const
{
    auto it = m_regions.upper_bound(addr);
    if (it == m_regions.begin())
        return false;
    --it;
    return it->first <= addr && it->second >= addr + len;
}

std::optional<uint64_t> AddressSpace::find_free(uint64_t len, uint64_t hint) const
{
    if (len == 0 || len > kMmapTop)
        return std::nullopt;
    hint = page_down(hint);
    if (hint && guest_range(hint, len) && is_free(hint, len))
        return hint;
    // Top-down from kMmapTop, as Linux's default mmap layout: walk the gaps between regions.
    uint64_t top = kMmapTop;
    auto it = m_regions.lower_bound(top);
    for (;;) {
        uint64_t gap_low = kMinAddress;
        if (it != m_regions.begin()) {
            auto prev = std::prev(it);
            if (prev->second > top) {  // a region straddles `top`
                top = prev->first;
                it = prev;
                continue;
            }
            gap_low = prev->second;
        }
        if (top >= gap_low && top - gap_low >= len)
            return top - len;
        if (it == m_regions.begin())
            return std::nullopt;
        --it;
        top = it->first;
    }
}

int AddressSpace::map(uint64_t addr, uint64_t len, unsigned prot, Commit commit)
{
    VERIFY(guest_range(addr, len) && (addr | len) % kPageSize == 0);
    prot = normalize(prot);
    const bool commit_pages = prot != 0 || commit == Commit::Always;
    const uint64_t pages = len >> kPageShift;
    const uint64_t old = count_committed(addr, len);
    const int64_t delta = static_cast<int64_t>(commit_pages ? pages : 0) - static_cast<int64_t>(old);
    if (!is_mapped(addr, len) && m_regions.size() >= kMaxRegions)
        return -ENOMEM;
    if (delta > 0 && !charge(delta))
        return -ENOMEM;
    if (old)
        host_release(addr, len);
    const uint8_t perm = commit_pages ? static_cast<uint8_t>(prot | kCommitted) : 0;
    if (commit_pages || old) {
        if (int r = host_protect(addr, len, host_prot(perm)); r != 0) {
            if (delta > 0)
                charge(-delta);
            return r;
        }
    }
    const uint64_t first = addr >> kPageShift;
    for (uint64_t p = first; p < first + pages; ++p) {
        if ((m_perm[p] & ~kDirty) != perm || (perm & kCommitted))
            set_perm(p, perm);
    }
    if (delta < 0)
        charge(delta);
    add_region(addr, addr + len);
    m_tlb_stale = true;
    return 0;
}

int AddressSpace::unmap(uint64_t addr, uint64_t len)
{
    VERIFY(guest_range(addr, len) && (addr | len) % kPageSize == 0);
    const uint64_t old = count_committed(addr, len);
    if (old) {
        host_release(addr, len);
        (void)host_protect(addr, len, PROT_NONE);  // dropping access only ever merges host mappings
    }
    const uint64_t first = addr >> kPageShift, last = (addr + len) >> kPageShift;
    for (uint64_t p = first; p < last; ++p) {
        if (m_perm[p] & ~kDirty)
            set_perm(p, 0);
    }
    charge(-static_cast<int64_t>(old));
    remove_region(addr, addr + len);
    m_tlb_stale = true;
    return 0;
}

int AddressSpace::protect(uint64_t addr, uint64_t len, unsigned prot)
{
    VERIFY(guest_range(addr, len) && (addr | len) % kPageSize == 0);
    if (!is_mapped(addr, len))
        return -ENOMEM;  // mprotect(2): "addresses in the range are not mapped"
    prot = normalize(prot);
    const uint64_t pages = len >> kPageShift;
    uint64_t added = 0;
    if (prot != 0) {
        added = pages - count_committed(addr, len);
        if (added && !charge(static_cast<int64_t>(added)))
            return -ENOMEM;
    }
    // Committed pages keep their contents either way; the host's protection follows the guest's.
    if (int r = host_protect(addr, len, host_prot(static_cast<uint8_t>(prot | kCommitted))); r != 0) {
        charge(-static_cast<int64_t>(added));
        return r;
    }
    const uint64_t first = addr >> kPageShift;
    for (uint64_t p = first; p < first + pages; ++p) {
        const uint8_t committed = (prot != 0 || (m_perm[p] & kCommitted)) ? kCommitted : 0;
        const auto perm = static_cast<uint8_t>(prot | committed);
        if ((m_perm[p] & ~kDirty) != perm)
            set_perm(p, perm);
    }
    m_tlb_stale = true;
    return 0;
}

int64_t AddressSpace::remap(uint64_t old_addr, uint64_t old_len, uint64_t new_len, bool may_move,
                            std::optional<uint64_t> fixed)
{
    old_len = page_up(old_len);
    new_len = page_up(new_len);
    if (old_addr % kPageSize || new_len == 0 || old_len == 0 || !guest_range(old_addr, old_len))
        return -EINVAL;
    if (!is_mapped(old_addr, old_len))
        return -EFAULT;
    const unsigned last_prot = prot_of(old_addr + old_len - kPageSize);
    if (!fixed) {
        if (new_len <= old_len) {
            if (new_len < old_len)
                unmap(old_addr + new_len, old_len - new_len);
            return static_cast<int64_t>(old_addr);
        }
        const uint64_t tail = old_addr + old_len, grow = new_len - old_len;
        if (guest_range(tail, grow) && is_free(tail, grow)) {
            if (int r = map(tail, grow, last_prot); r != 0)
                return r;
            return static_cast<int64_t>(old_addr);
        }
        if (!may_move)
            return -ENOMEM;
    }
    uint64_t dest = 0;
    if (fixed) {
        dest = *fixed;
        if (!may_move || dest % kPageSize || !guest_range(dest, new_len) ||
            (dest < old_addr + old_len && old_addr < dest + new_len))
            return -EINVAL;
        unmap(dest, new_len);
    } else {
        auto found = find_free(new_len);
        if (!found)
            return -ENOMEM;
        dest = *found;
    }
    // What moves keeps its commitment; a grown tail is new memory.
    const uint64_t moved_len = std::min(old_len, new_len);
    const uint64_t tail_pages = new_len > old_len && last_prot ? (new_len - old_len) >> kPageShift : 0;
    if (tree_pages() + tail_pages > m_limit_pages)
        return -ENOMEM;
    // Copy run by run of committed pages (the guest's PROT_NONE ones too: their contents move).
    const uint64_t src_first = old_addr >> kPageShift, dst_first = dest >> kPageShift;
    const uint64_t moved_pages = moved_len >> kPageShift;
    const HostAccess source(*this, old_addr, moved_len);
    auto committed = [&](uint64_t i) { return (m_perm[src_first + i] & kCommitted) ? 1 : 0; };
    if (int r = for_each_run(0, moved_pages, committed, 0, [&](uint64_t i, uint64_t j, int) {
            if (int e = host_protect(dest + (i << kPageShift), (j - i) << kPageShift, PROT_READ | PROT_WRITE); e != 0)
                return e;
            std::memcpy(m_base + dest + (i << kPageShift), m_base + old_addr + (i << kPageShift), (j - i) << kPageShift);
            return 0;
        });
        r != 0)
        return r;
    uint64_t moved_committed = 0;
    for (uint64_t i = 0; i < moved_pages; ++i) {
        const auto perm = static_cast<uint8_t>(m_perm[src_first + i] & ~kDirty);
        moved_committed += (perm & kCommitted) ? 1 : 0;
        set_perm(dst_first + i, perm);
    }
    open_to_host(dest, moved_len, false);   // the copy's protection: its pages' permissions
    add_region(dest, dest + moved_len);
    unmap(old_addr, old_len);            // subtracts all of the old range's committed pages
    charge(static_cast<int64_t>(moved_committed), Charge::Force);   // ... the moved ones count again
    if (new_len > old_len) {
        if (int r = map(dest + old_len, new_len - old_len, last_prot); r != 0) {
            unmap(dest, moved_len);
            return r;
        }
    }
    m_tlb_stale = true;
    return static_cast<int64_t>(dest);
}

uint64_t AddressSpace::brk(uint64_t new_brk)
{
    if (new_brk < m_brk_start || new_brk >= kReservedBase)
        return m_brk;
    const uint64_t old_top = page_up(m_brk), new_top = page_up(new_brk);
    if (new_top > old_top) {
        const uint64_t grow = new_top - old_top;
        if (!guest_range(old_top, grow) || !is_free(old_top, grow))
            return m_brk;
        if (map(old_top, grow, kRead | kWrite) != 0)
            return m_brk;
    } else if (new_top < old_top) {
        unmap(new_top, old_top - new_top);
    }
    m_brk = new_brk;
    return m_brk;
}

Result<void> AddressSpace::setup_stack()
{
    const uint64_t low = kStackTop - kStackMax;
    if (map(low, kStackMax, 0) != 0)
        return Error::message("sandbox: cannot reserve the guest stack");
    if (protect(kStackTop - kStackInitial, kStackInitial, kRead | kWrite) != 0)
        return Error::message("sandbox: the memory limit (" + std::to_string(limit_bytes() >> 10) +
                              " KiB) leaves no room for the initial stack");
    m_stack_low = kStackTop - kStackInitial;
    return {};
}

bool AddressSpace::grow_stack(uint64_t addr)
{
    const uint64_t low_limit = kStackTop - kStackMax;
    if (addr < low_limit || addr >= m_stack_low)
        return false;
    // Grow in 64 KiB steps: fewer faults for a deep recursion.
    const uint64_t new_low = std::max<uint64_t>(low_limit, page_down(addr) & ~uint64_t{0xffff});
    if (!is_mapped(new_low, m_stack_low - new_low) || protect(new_low, m_stack_low - new_low, kRead | kWrite) != 0)
        return false;
    m_stack_low = new_low;
    return true;
}

Result<void> AddressSpace::install_reserved_code(uint64_t addr, const void* code, size_t size)
{
    VERIFY(addr >= kReservedBase && addr % kPageSize == 0 && size <= kPageSize);
    if (host_protect(addr, kPageSize, PROT_READ | PROT_WRITE) != 0)
        return Error::from_errno("sandbox: mprotect");
    std::memcpy(m_base + addr, code, size);
    m_perm[addr >> kPageShift] = kRead | kExec | kCommitted;
    if (host_protect(addr, kPageSize, PROT_READ) != 0)
        return Error::from_errno("sandbox: mprotect");
    return {};
}

std::vector<AddressSpace::Run> AddressSpace::runs(size_t max_runs) const
{
    std::vector<Run> out;
    auto add = [&](uint64_t start, uint64_t end) {
        for (uint64_t addr = start; addr < end && out.size() < max_runs;) {
            const unsigned prot = prot_of(addr);
            uint64_t next = addr + kPageSize;
            while (next < end && prot_of(next) == prot)
                next += kPageSize;
            out.push_back({addr, next, prot});
            addr = next;
        }
    };
    for (const auto& [start, end] : m_regions)
        add(start, end);
    for (uint64_t addr = kReservedBase; addr < kSize; addr += kPageSize)
        if (m_perm[addr >> kPageShift] & kCommitted)
            add(addr, addr + kPageSize);
    return out;
}

uint8_t* AddressSpace::access(uint64_t addr, uint64_t len, riscv::Access kind)
{
    if (len == 0)
        return m_base + (addr < kSize ? addr : 0);
    if (addr >= kSize || len > kSize - addr)
        return nullptr;
    const unsigned bit = 1u << static_cast<unsigned>(kind);
    const bool write = kind == riscv::Access::Write;
    const uint64_t first = addr >> kPageShift, last = (addr + len - 1) >> kPageShift;
    for (uint64_t p = first; p <= last; ++p) {
        if (!(m_perm[p] & bit)) [[unlikely]] {
            if (!grow_stack(p << kPageShift) || !(m_perm[p] & bit))
                return nullptr;
        }
        if (write && m_tracking && !(m_perm[p] & kDirty))
            mark_dirty(p);
    }
    return m_base + addr;
}

std::optional<std::string> AddressSpace::read_string(uint64_t addr, size_t max, int& error)
{
    std::string out;
    for (;;) {
        if (addr >= kSize || !(m_perm[addr >> kPageShift] & kRead)) {
            error = -EFAULT;
            return std::nullopt;
        }
        const uint64_t chunk = kPageSize - (addr % kPageSize);
        const uint8_t* p = m_base + addr;
        const void* nul = std::memchr(p, 0, chunk);
        const size_t n = nul ? static_cast<size_t>(static_cast<const uint8_t*>(nul) - p) : chunk;
        out.append(reinterpret_cast<const char*>(p), n);
        if (out.size() >= max) {
            error = -ENAMETOOLONG;
            return std::nullopt;
        }
        if (nul)
            return out;
        addr += chunk;
    }
}

void AddressSpace::discard(uint64_t addr, uint64_t len)
{
    VERIFY(guest_range(addr, len) && (addr | len) % kPageSize == 0);
    const uint64_t first = addr >> kPageShift, last = (addr + len) >> kPageShift;
    bool any = false;
    for (uint64_t p = first; p < last; ++p) {
        if (!(m_perm[p] & kCommitted))
            continue;
        any = true;
        if (m_tracking && !(m_perm[p] & kDirty))
            mark_dirty(p);
    }
    if (any)
        host_release(addr, len);
}

Result<void> AddressSpace::snapshot()
{
    if (!m_shadow) {
        m_shadow = reserve(kSize, PROT_READ | PROT_WRITE);
        m_shadow_perm = reserve(kPages, PROT_READ | PROT_WRITE);
        if (!m_shadow || !m_shadow_perm)
            return Error::from_errno("sandbox: reserving snapshot space");
    } else {
        // Forget the previous snapshot, giving its pages back.
        for (const auto& [start, end] : m_saved.regions) {
            std::memset(m_shadow_perm + (start >> kPageShift), 0, (end - start) >> kPageShift);
            ::madvise(m_shadow + start, end - start, MADV_DONTNEED);
        }
    }
    for (uint32_t p : m_dirty)
        m_perm[p] &= static_cast<uint8_t>(~kDirty);
    m_dirty.clear();
    for (const auto& [start, end] : m_regions) {
        const HostAccess reach(*this, start, end - start);
        for (uint64_t p = start >> kPageShift; p < end >> kPageShift; ++p) {
            const uint8_t perm = m_perm[p];
            if (!perm)
                continue;
            // All-zero pages (bss, untouched stack) need no copy: restore() and clone_snapshot()
            // zero them instead.
            uint8_t saved = perm;
            if ((perm & kCommitted) && !all_zero(m_base + (p << kPageShift))) {
                std::memcpy(m_shadow + (p << kPageShift), m_base + (p << kPageShift), kPageSize);
                saved |= kSaved;
            }
            m_shadow_perm[p] = saved;
        }
    }
    m_saved = {m_committed, m_brk_start, m_brk, m_stack_low, m_regions};
    m_regions_changed = false;
    m_tracking = true;
    m_tlb_stale = true;  // write entries must miss once, so first writes mark pages dirty
    return {};
}

void AddressSpace::restore(std::vector<uint32_t>& touched_pages)
{
    VERIFY(m_tracking);
    std::vector<uint32_t> release;
    for (uint32_t p : m_dirty) {
        const uint8_t saved = m_shadow_perm[p];
        const auto current = static_cast<uint8_t>(m_perm[p] & ~kDirty);
        const uint64_t addr = static_cast<uint64_t>(p) << kPageShift;
        if ((saved | current) & kExec)
            m_code_stale = true;
        if (saved & kCommitted) {
            // Writable for the host meanwhile (it may be uncommitted now, or read-only for the guest).
            if (host_prot(current) != (PROT_READ | PROT_WRITE))
                (void)host_protect(addr, kPageSize, PROT_READ | PROT_WRITE);
            if (saved & kSaved)
                std::memcpy(m_base + addr, m_shadow + addr, kPageSize);
            else
                std::memset(m_base + addr, 0, kPageSize);
            if (host_prot(saved) != (PROT_READ | PROT_WRITE))
                (void)host_protect(addr, kPageSize, host_prot(saved));
        } else if (current & kCommitted) {
            release.push_back(p);
        }
        m_perm[p] = static_cast<uint8_t>(saved & ~kSaved);
    }
    // Pages committed since the snapshot go back to the host, in runs.
    std::sort(release.begin(), release.end());
    for (size_t i = 0; i < release.size();) {
        size_t j = i + 1;
        while (j < release.size() && release[j] == release[j - 1] + 1)
            ++j;
        const uint64_t addr = static_cast<uint64_t>(release[i]) << kPageShift;
        const uint64_t len = (j - i) << kPageShift;
        host_release(addr, len);
        (void)host_protect(addr, len, PROT_NONE);
        i = j;
    }
    touched_pages.swap(m_dirty);
    m_dirty.clear();
    charge(static_cast<int64_t>(m_saved.committed) - static_cast<int64_t>(m_committed), Charge::Force);
    m_brk_start = m_saved.brk_start;
    m_brk = m_saved.brk;
    m_stack_low = m_saved.stack_low;
    if (m_regions_changed)
        m_regions = m_saved.regions;
    m_regions_changed = false;
}

Result<std::unique_ptr<AddressSpace>> AddressSpace::clone_snapshot() const
{
    VERIFY(m_shadow);
    auto copy = TRY(create(limit_bytes()));
    for (const auto& [start, end] : m_saved.regions) {
        const uint64_t first = start >> kPageShift, last = end >> kPageShift;
        for (uint64_t p = first; p < last; ++p)
            copy->m_perm[p] = static_cast<uint8_t>(m_shadow_perm[p] & ~kSaved);
        auto committed = [&](uint64_t p) { return (m_shadow_perm[p] & kCommitted) ? 1 : 0; };
        const int r = for_each_run(first, last, committed, 0, [&](uint64_t p, uint64_t q, int) {
            if (int e = copy->host_protect(p << kPageShift, (q - p) << kPageShift, PROT_READ | PROT_WRITE); e != 0)
                return e;
            for (uint64_t i = p; i < q; ++i) {
                if (m_shadow_perm[i] & kSaved)   // zero pages stay untouched: fresh memory is zero
                    std::memcpy(copy->m_base + (i << kPageShift), m_shadow + (i << kPageShift), kPageSize);
            }
            return 0;
        });
        if (r != 0)
            return Error::from_errno("sandbox: fork: mprotect");
        copy->open_to_host(start, end - start, false);
    }
    // The reserved pages (trampoline) are Vireo's own, outside the regions.
    for (uint64_t addr = kReservedBase; addr < kSize; addr += kPageSize) {
        const uint8_t perm = m_perm[addr >> kPageShift];
        if (perm & kCommitted)
            TRY(copy->install_reserved_code(addr, m_base + addr, kPageSize));
    }
    copy->m_committed = m_saved.committed;
    copy->m_brk_start = m_saved.brk_start;
    copy->m_brk = m_saved.brk;
    copy->m_stack_low = m_saved.stack_low;
    copy->m_regions = m_saved.regions;
    return copy;
}

}  // namespace vireo::sandbox
