// Randomized descriptor tables and rings against every device. Whatever the guest writes, the host
// stays up, every loop ends, after a reset the device answers a well-formed request again, and a
// second batch of rounds costs no more host memory than the first left in use (no leak per round).
// The seed is fixed so a failure reproduces; set VIREO_VIRTIO_SEED to explore others.
#include <gtest/gtest.h>
#include <malloc.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <string>

#include "base/log.hpp"
#include "device_kit.hpp"

using namespace vireo;
using namespace vireo::virtio;
using namespace vireo::virtio::test;

namespace {

constexpr int kIterations = 2000;   // per batch; two batches
constexpr int kHealthEvery = 100;
constexpr uint64_t kDataSize = 64 * 1024;
// What the second batch may add to the heap and to the resident set. Buffers that grow to a bound
// (console input, pending frames) reach it in the first batch; a leak of even 16 bytes a round
// would add 32 KiB.
constexpr size_t kHeapSlack = 16 * 1024;
constexpr size_t kResidentSlack = 256 * 1024;
// Under AddressSanitizer (make test-asan) freed memory waits in a quarantine, so the resident set
// grows by design, and mallinfo does not see ASan's heap: there LeakSanitizer looks for leaks.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kMemoryIsMeasurable = false;
#else
constexpr bool kMemoryIsMeasurable = true;
#endif

// Bytes malloc has handed out and not had back.
size_t heap_in_use() { return mallinfo2().uordblks; }

// The resident set size, from /proc/self/statm (in pages).
size_t resident_bytes()
{
    std::ifstream statm("/proc/self/statm");
    size_t size = 0, resident = 0;
    statm >> size >> resident;
    return resident * static_cast<size_t>(::sysconf(_SC_PAGESIZE));
}

class Scrambler {
public:
    Scrambler(Kit& kit, uint64_t seed) : m_kit(kit), m_rng(seed) {}

    void round()
    {
        MockDriver& d = m_kit.driver();
        static constexpr uint16_t kSizes[] = {1, 2, 4, 8, 16, 64, 256};
        uint16_t size = kSizes[pick(std::size(kSizes))];
        // Half the rounds are "plausible": in-RAM buffers, sane flags and indices, so requests get
        // through and the devices' own parsing meets random content. The rest are anything goes.
        m_plausible = pick(2) == 0;
        // Negotiate a random subset (always with VERSION_1, else there is no device to attack).
        uint64_t features = m_rng() | feature_bit(VIRTIO_F_VERSION_1);
        if (!d.init(features, size))
            return;
        m_data = d.allocator().alloc(kDataSize, 16);
        fill_data();

        uint16_t queues = m_kit.device().queue_count();
        for (uint16_t q = 0; q < queues; ++q)
            scramble_ring(d.ring(q));
        if (m_kit.console()) {
            std::vector<uint8_t> input(pick(300));
            for (auto& b : input)
                b = static_cast<uint8_t>(m_rng());
            m_kit.console()->push_input(input);
        }
        for (int i = 0, n = 1 + static_cast<int>(pick(4)); i < n; ++i) {
            d.notify(static_cast<uint16_t>(pick(queues + 1u)));  // sometimes a queue that does not exist
            m_kit.device().poll();
            if (pick(m_plausible ? 50 : 10) == 0)
                poke_registers();
        }
        // Whatever happened, the interrupt line mirrors InterruptStatus (§4.2.3.4).
        EXPECT_EQ(m_kit.machine().irq.level(), d.read32(VIRTIO_MMIO_INTERRUPT_STATUS) != 0);
        bool any_used = false;
        for (uint16_t q = 0; q < queues; ++q)
            any_used |= d.ring(q).used_idx() != 0;
        if (d.needs_reset())
            m_resets++;
        else if (any_used)
            m_clean++;
    }

    // Rounds where the device completed requests without error, and rounds that ended in
    // DEVICE_NEEDS_RESET: both must be common, or the generator only exercises one side.
    uint64_t clean() const { return m_clean; }
    uint64_t resets() const { return m_resets; }

private:
    uint64_t pick(uint64_t n) { return n ? m_rng() % n : 0; }

    // Random bytes, with some plausible request headers planted so requests get past parsing: a
    // virtio-blk header, or for 9p a message header (size, a T-message type, tag) and small fids.
    void fill_data()
    {
        auto span = m_kit.driver().memory().span(m_data, kDataSize);
        VERIFY(span.ok());
        for (auto& b : span.value())
            b = static_cast<uint8_t>(m_rng());
        m_headers.clear();
        for (int i = 0; i < 32; ++i) {
            uint64_t at = pick(kDataSize / 16 - 1) * 16;
            m_headers.push_back(m_data + at);
            uint8_t* p = span.value().data() + at;
            if (m_kit.kind() == Kind::P9) {
                static constexpr uint8_t kMessages[] = {p9::P9_TVERSION, p9::P9_TATTACH, p9::P9_TWALK, p9::P9_TLOPEN,
                                                        p9::P9_TLCREATE, p9::P9_TREAD, p9::P9_TWRITE, p9::P9_TCLUNK,
                                                        p9::P9_TGETATTR, p9::P9_TREADDIR, p9::P9_TMKDIR, p9::P9_TREMOVE};
                store_le<uint32_t>(p, static_cast<uint32_t>(7 + pick(64)));
                p[4] = kMessages[pick(std::size(kMessages))];
                store_le<uint32_t>(p + 7, static_cast<uint32_t>(pick(4)));   // the first fid, or msize
                store_le<uint32_t>(p + 11, static_cast<uint32_t>(pick(4)));
                continue;
            }
            static constexpr uint32_t kTypes[] = {0, 1, 0, 1, 4, 8, 11, 0xffffffff};  // IN and OUT twice
            store_le<uint32_t>(p, kTypes[pick(std::size(kTypes))]);
            store_le<uint64_t>(p + 8, pick(Kit::kImageSectors + 2));
        }
    }

    GuestAddr address(DriverRing& ring)
    {
        switch (pick(8)) {
        case 0: return ring.desc() + 16 * pick(ring.size());      // the rings themselves
        case 1: return pick(2) ? ring.avail() : ring.used();
        case 2: return kRamBase + kRamSize - pick(64);            // straddling the end of RAM
        case 3: return m_rng();                                   // anywhere at all
        case 4: return pick(2) ? 0 : kRamBase - pick(4096);
        default: return m_data + pick(kDataSize);                 // plausible
        }
    }
    uint32_t length()
    {
        switch (pick(8)) {
        case 0: return 0;
        case 1: return 0xffffffff;
        case 2: return static_cast<uint32_t>(m_rng());
        case 3: return static_cast<uint32_t>(16 * (1 + pick(8)));  // indirect-table sized
        case 4: return static_cast<uint32_t>(512 * (1 + pick(4)));
        default: return static_cast<uint32_t>(pick(600));
        }
    }
    void scramble_ring(DriverRing& ring)
    {
        if (m_plausible)
            plausible_chains(ring);
        else
            garbage(ring);
        ring.set_avail_flags(static_cast<uint16_t>(pick(3)));
        ring.set_used_event(static_cast<uint16_t>(m_rng()));
    }

    // Anything goes: every descriptor and ring entry random.
    void garbage(DriverRing& ring)
    {
        MockDriver& d = m_kit.driver();
        uint16_t size = ring.size();
        auto next = [&] { return static_cast<uint16_t>(pick(5) ? pick(size) : m_rng()); };
        auto flags = [&] { return static_cast<uint16_t>(pick(16) ? pick(8) : m_rng()); };
        for (uint16_t i = 0; i < size; ++i)
            ring.write_desc(i, address(ring), length(), flags(), next());
        // Some indirect tables inside the data area, pointing wherever.
        for (int t = 0; t < 4; ++t) {
            GuestAddr table = m_data + 16 * pick(kDataSize / 16 - 8);
            for (uint32_t i = 0; i < 8; ++i)
                DriverRing::write_desc_at(d.memory(), table, i, address(ring), length(), flags(), next());
            if (pick(2))
                ring.write_desc(static_cast<uint16_t>(pick(size)), table, static_cast<uint32_t>(16 * (1 + pick(8))),
                                VIRTQ_DESC_F_INDIRECT, 0);
        }
        uint16_t count = static_cast<uint16_t>(1 + pick(size));
        for (uint16_t i = 0; i < count; ++i)
            ring.publish(next());
        if (pick(8) == 0)
            ring.set_avail_idx(static_cast<uint16_t>(m_rng()));
    }

    // A data buffer; a request header's buffer starts at a planted virtio-blk header half the time.
    GuestAddr buffer_addr(bool header, bool request)
    {
        if (header && (request || pick(2)))
            return m_headers[pick(m_headers.size())];
        return m_data + pick(kDataSize - 2048);
    }

    // Well-formed chains (readable buffers, then writable ones, sometimes through an indirect
    // table) over random content, with the occasional single corrupted descriptor.
    void plausible_chains(DriverRing& ring)
    {
        MockDriver& d = m_kit.driver();
        uint16_t size = ring.size();
        std::vector<uint16_t> free(size);
        for (uint16_t i = 0; i < size; ++i)
            free[i] = i;
        std::shuffle(free.begin(), free.end(), m_rng);
        auto buffer_len = [&] { return static_cast<uint32_t>(pick(4) ? 16 * (1 + pick(4)) : 512 * pick(3) + pick(2)); };
        while (!free.empty() && pick(4) != 0) {
            size_t n = 1 + pick(std::min<size_t>(4, free.size()));
            size_t readable = pick(n + 1);
            // Half the chains are shaped like a block request: a 16-byte header, sectors, a status.
            bool request = n >= 3 && pick(2);
            if (request)
                readable = pick(2) ? 1 : n - 1;  // a read (IN) or a write (OUT)
            auto len_of = [&](size_t i) {
                if (!request)
                    return buffer_len();
                return static_cast<uint32_t>(i == 0 ? 16 : i + 1 == n ? 1 : 512 * (1 + pick(2)));
            };
            auto flags_of = [&](size_t i) {
                uint16_t f = i < readable ? 0 : VIRTQ_DESC_F_WRITE;
                return static_cast<uint16_t>(i + 1 < n ? f | VIRTQ_DESC_F_NEXT : f);
            };
            uint16_t head = free.back();
            if (pick(8) == 0) {
                GuestAddr table = m_data + 16 * pick(kDataSize / 16 - 8);
                for (size_t i = 0; i < n; ++i)
                    DriverRing::write_desc_at(d.memory(), table, static_cast<uint32_t>(i),
                                              buffer_addr(i == 0 && readable > 0, request), len_of(i), flags_of(i),
                                              static_cast<uint16_t>(i + 1));
                free.pop_back();
                ring.write_desc(head, table, static_cast<uint32_t>(16 * n), VIRTQ_DESC_F_INDIRECT, 0);
            } else {
                std::vector<uint16_t> indices(free.end() - static_cast<ptrdiff_t>(n), free.end());
                free.resize(free.size() - n);
                head = indices[0];
                for (size_t i = 0; i < n; ++i)
                    ring.write_desc(indices[i], buffer_addr(i == 0 && readable > 0, request), len_of(i), flags_of(i),
                                    i + 1 < n ? indices[i + 1] : 0);
            }
            ring.publish(head);
        }
        if (pick(4) == 0)
            ring.write_desc(static_cast<uint16_t>(pick(size)), address(ring), length(),
                            static_cast<uint16_t>(pick(8)), static_cast<uint16_t>(m_rng()));
    }
    void poke_registers()
    {
        MockDriver& d = m_kit.driver();
        uint64_t offset = 4 * pick(MmioTransport::kWindowSize / 4);
        uint32_t value = pick(2) ? static_cast<uint32_t>(m_rng()) : static_cast<uint32_t>(pick(4));
        if (offset == VIRTIO_MMIO_STATUS && pick(2))
            value &= 0xff;
        d.write32(offset, value);
        (void)d.read32(4 * pick(MmioTransport::kWindowSize / 4));
    }

    Kit& m_kit;
    std::mt19937_64 m_rng;
    GuestAddr m_data = 0;
    bool m_plausible = false;
    std::vector<GuestAddr> m_headers;
    uint64_t m_clean = 0;
    uint64_t m_resets = 0;
};

class Randomized : public ::testing::TestWithParam<Kind> {
protected:
    void SetUp() override
    {
        m_level = log::level();
        log::set_level(log::Level::Off);
    }
    void TearDown() override { log::set_level(m_level); }

private:
    log::Level m_level = log::Level::Info;
};

TEST_P(Randomized, RandomRingsNeverCrashNorLeakAndTheDeviceKeepsAnswering)
{
    uint64_t seed = 0x5eed0000 + static_cast<uint64_t>(GetParam());
    if (const char* env = std::getenv("VIREO_VIRTIO_SEED"))
        seed = std::strtoull(env, nullptr, 0);
    SCOPED_TRACE("seed " + std::to_string(seed));
    Kit kit(GetParam());
    // Guest RAM is made resident first, so the resident set measures the host's own memory only.
    auto ram = kit.driver().memory().span(kRamBase, kRamSize);
    ASSERT_TRUE(ram.ok());
    std::memset(ram.value().data(), 0, kRamSize);
    Scrambler scrambler(kit, seed);
    size_t heap[2] = {}, resident[2] = {};
    for (int batch = 0; batch < 2; ++batch) {
        for (int i = 1; i <= kIterations; ++i) {
            scrambler.round();
            if (i % kHealthEvery == 0) {
                ASSERT_TRUE(kit.healthy()) << "after round " << i << " of batch " << batch + 1;
            }
        }
        malloc_trim(0);
        heap[batch] = heap_in_use();
        resident[batch] = resident_bytes();
    }
    const uint64_t rounds = 2 * kIterations;
    EXPECT_GT(scrambler.clean(), rounds / 20u);
    EXPECT_GT(scrambler.resets(), rounds / 20u);
    if (kMemoryIsMeasurable) {
        EXPECT_LE(heap[1], heap[0] + kHeapSlack) << "the heap grew by " << heap[1] - heap[0] << " bytes in the second batch";
        EXPECT_LE(resident[1], resident[0] + kResidentSlack)
            << "the resident set grew by " << resident[1] - resident[0] << " bytes in the second batch";
    }
    std::printf("%s: of %llu rounds, %llu completed requests cleanly, %llu ended in NEEDS_RESET; heap in use "
                "%zu -> %zu bytes, resident %zu -> %zu KiB over the second batch\n",
                kind_name(GetParam()), static_cast<unsigned long long>(rounds),
                static_cast<unsigned long long>(scrambler.clean()), static_cast<unsigned long long>(scrambler.resets()),
                heap[0], heap[1], resident[0] >> 10, resident[1] >> 10);
}

INSTANTIATE_TEST_SUITE_P(EveryDevice, Randomized,
                         ::testing::Values(Kind::Block, Kind::Console, Kind::Rng, Kind::Net, Kind::P9),
                         [](const ::testing::TestParamInfo<Kind>& p) { return std::string(kind_name(p.param)); });

}  // namespace
