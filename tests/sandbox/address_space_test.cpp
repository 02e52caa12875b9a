// AddressSpace: mappings, permissions, the memory limit and snapshots, driven directly.
#include "sandbox/address_space.hpp"

#include <gtest/gtest.h>
#include <sys/mman.h>

#include <cerrno>
#include <cstring>

namespace vireo::sandbox {
namespace {

using riscv::Access;
constexpr uint64_t kPage = layout::kPageSize;
constexpr unsigned kRW = AddressSpace::kRead | AddressSpace::kWrite;

std::unique_ptr<AddressSpace> make(uint64_t limit = 64ull << 20)
{
    auto space = AddressSpace::create(limit);
    EXPECT_TRUE(space.ok());
    return space.release_value();
}

TEST(AddressSpace, MapGivesZeroedPagesWithTheirPermissions)
{
    auto mem = make();
    const uint64_t a = 0x100000;
    ASSERT_EQ(mem->map(a, 3 * kPage, kRW), 0);
    uint8_t* page = mem->ram_page(a + 5, Access::Write);
    ASSERT_NE(page, nullptr);
    EXPECT_EQ(page, mem->base() + a);   // flat: guest address A is host base + A
    EXPECT_EQ(page[0], 0);
    EXPECT_EQ(mem->ram_page(a, Access::Execute), nullptr);
    EXPECT_EQ(mem->ram_page(a + 3 * kPage, Access::Read), nullptr);
    EXPECT_EQ(mem->committed_bytes(), 3 * kPage);
    ASSERT_EQ(mem->protect(a, kPage, AddressSpace::kRead | AddressSpace::kExec), 0);
    EXPECT_EQ(mem->ram_page(a, Access::Write), nullptr);
    EXPECT_NE(mem->ram_page(a, Access::Execute), nullptr);
    // Write implies read: RISC-V has no write-only pages (privileged spec §4.3.1).
    ASSERT_EQ(mem->protect(a, kPage, AddressSpace::kWrite), 0);
    EXPECT_NE(mem->ram_page(a, Access::Read), nullptr);
    ASSERT_EQ(mem->unmap(a, 3 * kPage), 0);
    EXPECT_EQ(mem->ram_page(a + kPage, Access::Read), nullptr);
    EXPECT_EQ(mem->committed_bytes(), 0u);
    EXPECT_TRUE(mem->take_tlb_stale());
    EXPECT_FALSE(mem->take_tlb_stale());
}

// Translated code may reach 2 KiB past a checked base (riscv/jit): the host pages on either side of
// the arena are the address space's own, inaccessible, so nothing else can ever be mapped there.
TEST(AddressSpace, GuardPagesSurroundTheArena)
{
    auto mem = make();
    for (uint8_t* at : {mem->base() - layout::kPageSize, mem->base() - layout::kGuard, mem->base() + layout::kSize,
                        mem->base() + layout::kSize + layout::kGuard - layout::kPageSize}) {
        void* p = ::mmap(at, layout::kPageSize, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
        EXPECT_EQ(p, MAP_FAILED) << static_cast<void*>(at);
        EXPECT_EQ(errno, EEXIST);
        unsigned char resident = 0;
        EXPECT_EQ(::mincore(at, layout::kPageSize, &resident), 0);   // mapped (by us), yet never touched
        EXPECT_EQ(resident, 0);
    }
    EXPECT_GE(layout::kGuard, 4096u);
}

TEST(AddressSpace, TheLimitCountsAccessiblePagesOnly)
{
    auto mem = make(16 * kPage);
    EXPECT_EQ(mem->map(0x100000, 17 * kPage, kRW), -ENOMEM);
    EXPECT_EQ(mem->committed_bytes(), 0u);
    // A reservation without access costs nothing, however large.
    ASSERT_EQ(mem->map(0x1000000, 1ull << 30, 0), 0);
    EXPECT_EQ(mem->committed_bytes(), 0u);
    EXPECT_EQ(mem->protect(0x1000000, 17 * kPage, kRW), -ENOMEM);
    ASSERT_EQ(mem->protect(0x1000000, 16 * kPage, kRW), 0);
    EXPECT_EQ(mem->committed_bytes(), 16 * kPage);
    // Made PROT_NONE, the pages keep their contents, and so still count.
    mem->base()[0x1000000] = 42;
    ASSERT_EQ(mem->protect(0x1000000, 16 * kPage, 0), 0);
    EXPECT_EQ(mem->committed_bytes(), 16 * kPage);
    ASSERT_EQ(mem->protect(0x1000000, kPage, AddressSpace::kRead), 0);
    EXPECT_EQ(mem->ram_page(0x1000000, Access::Read)[0], 42);
    ASSERT_EQ(mem->unmap(0x1000000, 1ull << 30), 0);
    EXPECT_EQ(mem->committed_bytes(), 0u);
    EXPECT_EQ(mem->protect(0x1000000, kPage, kRW), -ENOMEM);   // not mapped
}

TEST(AddressSpace, MapFixedReplacesAndZeroes)
{
    auto mem = make();
    ASSERT_EQ(mem->map(0x200000, 2 * kPage, kRW), 0);
    std::memset(mem->base() + 0x200000, 7, 2 * kPage);
    ASSERT_EQ(mem->map(0x200000 + kPage, kPage, kRW), 0);
    EXPECT_EQ(mem->base()[0x200000], 7);
    EXPECT_EQ(mem->base()[0x200000 + kPage], 0);
    EXPECT_EQ(mem->committed_bytes(), 2 * kPage);
}

TEST(AddressSpace, GuestRangesExcludeLowMemoryAndVireosPages)
{
    EXPECT_FALSE(AddressSpace::guest_range(0, kPage));
    EXPECT_TRUE(AddressSpace::guest_range(layout::kMinAddress, kPage));
    EXPECT_FALSE(AddressSpace::guest_range(layout::kReservedBase, kPage));
    EXPECT_FALSE(AddressSpace::guest_range(layout::kReservedBase - kPage, 2 * kPage));
    EXPECT_FALSE(AddressSpace::guest_range(~0ull - kPage, 2 * kPage));   // no wrap-around
    auto mem = make();
    EXPECT_EQ(mem->ram_page(layout::kSize, Access::Read), nullptr);
    EXPECT_EQ(mem->ram_page(~0ull, Access::Read), nullptr);
}

TEST(AddressSpace, FindFreeIsTopDownAndHonoursHints)
{
    auto mem = make();
    auto first = mem->find_free(kPage);
    ASSERT_TRUE(first);
    EXPECT_EQ(*first, layout::kMmapTop - kPage);
    ASSERT_EQ(mem->map(*first, kPage, kRW), 0);
    auto second = mem->find_free(2 * kPage);
    ASSERT_TRUE(second);
    EXPECT_EQ(*second, layout::kMmapTop - 3 * kPage);
    EXPECT_EQ(mem->find_free(kPage, 0x500000), 0x500000u);
    EXPECT_EQ(mem->find_free(kPage, *first), layout::kMmapTop - 2 * kPage);   // taken: elsewhere
    EXPECT_FALSE(mem->find_free(1ull << 40));
}

TEST(AddressSpace, BrkGrowsShrinksAndZeroes)
{
    auto mem = make();
    mem->set_brk_start(0x400000);   // the loader's: the page after the program's last
    EXPECT_EQ(mem->brk(0), 0x400000u);
    EXPECT_EQ(mem->brk(0x402000), 0x402000u);
    uint8_t* p = mem->writable(0x400000, 0x2000);
    ASSERT_NE(p, nullptr);
    std::memset(p, 1, 0x2000);
    EXPECT_EQ(mem->brk(0x400200), 0x400200u);
    EXPECT_EQ(mem->writable(0x401000, 1), nullptr);
    EXPECT_EQ(mem->brk(0x402000), 0x402000u);
    EXPECT_EQ(mem->readable(0x401000, 1)[0], 0);
    EXPECT_EQ(mem->brk(0x300000), 0x402000u);   // below the start: refused
    ASSERT_EQ(mem->map(0x500000, kPage, kRW), 0);
    EXPECT_EQ(mem->brk(0x600000), 0x402000u);   // would run into a mapping: refused
}

TEST(AddressSpace, RemapMovesContents)
{
    auto mem = make();
    ASSERT_EQ(mem->map(0x100000, 2 * kPage, kRW), 0);
    ASSERT_EQ(mem->map(0x102000, kPage, AddressSpace::kRead), 0);   // blocks growth in place
    mem->base()[0x100000] = 1;
    mem->base()[0x101fff] = 2;
    EXPECT_EQ(mem->remap(0x100000, 2 * kPage, 4 * kPage, false, std::nullopt), -ENOMEM);
    const int64_t moved = mem->remap(0x100000, 2 * kPage, 4 * kPage, true, std::nullopt);
    ASSERT_GT(moved, 0);
    const auto to = static_cast<uint64_t>(moved);
    EXPECT_EQ(mem->readable(to, 1)[0], 1);
    EXPECT_EQ(mem->readable(to + 0x1fff, 1)[0], 2);
    EXPECT_EQ(mem->readable(to + 3 * kPage, 1)[0], 0);
    EXPECT_EQ(mem->readable(0x100000, 1), nullptr);
    EXPECT_EQ(mem->committed_bytes(), 5 * kPage);
}

TEST(AddressSpace, AccessChecksEveryPageAndStrings)
{
    auto mem = make();
    ASSERT_EQ(mem->map(0x100000, kPage, kRW), 0);
    ASSERT_EQ(mem->map(0x101000, kPage, AddressSpace::kRead), 0);
    EXPECT_NE(mem->readable(0x100ff0, 0x20), nullptr);
    EXPECT_EQ(mem->writable(0x100ff0, 0x20), nullptr);
    EXPECT_EQ(mem->readable(0x101ff0, 0x20), nullptr);
    EXPECT_EQ(mem->readable(~0ull - 4, 8), nullptr);
    const AddressSpace::HostAccess open(*mem, 0x101000, kPage);   // read-only for the guest, and so the host
    std::memcpy(mem->base() + 0x100ffe, "ab", 2);   // a string across the page boundary
    mem->base()[0x101000] = 'c';
    int error = 0;
    auto s = mem->read_string(0x100ffe, 64, error);
    ASSERT_TRUE(s);
    EXPECT_EQ(*s, "abc");
    EXPECT_FALSE(mem->read_string(0x100ffe, 3, error));
    EXPECT_EQ(error, -ENAMETOOLONG);
    std::memset(mem->base() + 0x101000, 'x', kPage);   // runs into an unmapped page
    EXPECT_FALSE(mem->read_string(0x101000, 1 << 20, error));
    EXPECT_EQ(error, -EFAULT);
}

TEST(AddressSpace, TheStackGrowsDownOnDemand)
{
    auto mem = make();
    ASSERT_TRUE(mem->setup_stack().ok());
    const uint64_t deep = layout::kStackTop - (1 << 20);
    EXPECT_EQ(mem->ram_page(deep, Access::Write), nullptr);
    EXPECT_TRUE(mem->grow_stack(deep));
    EXPECT_NE(mem->ram_page(deep, Access::Write), nullptr);
    EXPECT_FALSE(mem->grow_stack(layout::kStackTop - layout::kStackMax - 1));
    EXPECT_NE(mem->writable(layout::kStackTop - (2 << 20), 16), nullptr);   // syscalls grow it too
}

TEST(AddressSpace, SnapshotRestoreUndoesEveryKindOfChange)
{
    auto mem = make();
    ASSERT_EQ(mem->map(0x100000, 4 * kPage, kRW), 0);
    ASSERT_EQ(mem->map(0x200000, kPage, AddressSpace::kRead), 0);
    std::memset(mem->base() + 0x100000, 1, 4 * kPage);
    mem->set_brk_start(0x300000);
    ASSERT_TRUE(mem->snapshot().ok());
    const uint64_t committed = mem->committed_bytes();

    // Writes through the hart's path and the syscall path, a new mapping, an unmapping, a
    // permission change, brk growth.
    mem->ram_page(0x100000, Access::Write)[0] = 9;
    std::memset(mem->writable(0x101000, kPage), 9, kPage);
    ASSERT_EQ(mem->map(0x700000, 2 * kPage, kRW), 0);
    mem->base()[0x700000] = 5;
    ASSERT_EQ(mem->unmap(0x102000, kPage), 0);
    ASSERT_EQ(mem->protect(0x200000, kPage, kRW), 0);
    EXPECT_EQ(mem->brk(0x310000), 0x310000u);
    EXPECT_GT(mem->dirty_pages(), 0u);

    std::vector<uint32_t> touched;
    mem->restore(touched);
    EXPECT_FALSE(touched.empty());
    EXPECT_EQ(mem->committed_bytes(), committed);
    EXPECT_EQ(mem->readable(0x100000, 1)[0], 1);
    EXPECT_EQ(mem->readable(0x101fff, 1)[0], 1);
    EXPECT_EQ(mem->readable(0x102000, 1)[0], 1);
    EXPECT_EQ(mem->readable(0x700000, 1), nullptr);
    EXPECT_EQ(mem->writable(0x200000, 1), nullptr);
    EXPECT_EQ(mem->brk(0), 0x300000u);
    EXPECT_TRUE(mem->is_free(0x700000, 2 * kPage));
    EXPECT_EQ(mem->dirty_pages(), 0u);

    // A second round starts from the same snapshot.
    mem->ram_page(0x103000, Access::Write)[7] = 3;
    mem->restore(touched);
    EXPECT_EQ(touched.size(), 1u);
    EXPECT_EQ(mem->readable(0x103007, 1)[0], 1);
}

TEST(AddressSpace, CloneSnapshotCopiesTheSnapshotNotLaterChanges)
{
    auto mem = make();
    ASSERT_EQ(mem->map(0x100000, 2 * kPage, kRW), 0);
    mem->base()[0x100000] = 1;
    ASSERT_TRUE(mem->snapshot().ok());
    mem->ram_page(0x100000, Access::Write)[0] = 2;
    auto copy = mem->clone_snapshot();
    ASSERT_TRUE(copy.ok());
    EXPECT_EQ(copy.value()->readable(0x100000, 1)[0], 1);
    EXPECT_EQ(copy.value()->committed_bytes(), 2 * kPage);
    copy.value()->ram_page(0x100001, Access::Write)[0] = 3;
    EXPECT_EQ(mem->readable(0x100001, 1)[0], 0);
}

}  // namespace
}  // namespace vireo::sandbox
