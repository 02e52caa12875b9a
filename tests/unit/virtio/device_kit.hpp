// Test helpers shared by the device, hostile and randomized tests: a temporary disk image, and a
// "kit" that puts any of the devices behind a transport and checks it still does its job.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "base/assert.hpp"
#include "base/bytes.hpp"
#include "mock_driver.hpp"
#include "virtio/devices/net/net.hpp"
#include "virtio/devices/p9/p9.hpp"
#include "virtio/devices/p9/wire.hpp"

namespace vireo::virtio::test {

// A raw image whose byte at offset i is pattern(i); removed when the object goes.
class TempImage {
public:
    explicit TempImage(uint64_t bytes)
    {
        std::string tmpl = ::testing::TempDir() + "vireo-blk-XXXXXX";
        int fd = ::mkstemp(tmpl.data());
        VERIFY(fd >= 0);
        m_path = tmpl;
        std::vector<uint8_t> data(bytes);
        for (uint64_t i = 0; i < bytes; ++i)
            data[i] = pattern(i);
        VERIFY(::write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size()));
        ::close(fd);
    }
    ~TempImage() { ::unlink(m_path.c_str()); }
    TempImage(const TempImage&) = delete;
    TempImage& operator=(const TempImage&) = delete;

    const std::string& path() const { return m_path; }
    static uint8_t pattern(uint64_t i) { return static_cast<uint8_t>((i * 7) ^ (i >> 9)); }
    std::vector<uint8_t> read(uint64_t offset, size_t len) const
    {
        std::vector<uint8_t> out(len);
        int fd = ::open(m_path.c_str(), O_RDONLY);
        VERIFY(fd >= 0);
        VERIFY(::pread(fd, out.data(), len, static_cast<off_t>(offset)) == static_cast<ssize_t>(len));
        ::close(fd);
        return out;
    }

private:
    std::string m_path;
};

// A scratch folder to share over 9p; removed with everything in it when the object goes.
class TempFolder {
public:
    TempFolder()
    {
        std::string tmpl = ::testing::TempDir() + "vireo-kit-9p-XXXXXX";
        VERIFY(::mkdtemp(tmpl.data()));
        m_path = tmpl;
    }
    ~TempFolder()
    {
        std::error_code ignored;
        std::filesystem::remove_all(m_path, ignored);
    }
    TempFolder(const TempFolder&) = delete;
    TempFolder& operator=(const TempFolder&) = delete;
    const std::string& path() const { return m_path; }

private:
    std::string m_path;
};

// A network backend that counts what the card sends (keeping only the last frame, so thousands of
// rounds cost no memory) and hands the card frames the test injects.
class CountingBackend final : public net::Backend {
public:
    void set_receiver(Receive receive) override { m_receive = std::move(receive); }
    void send(std::span<const uint8_t> frame) override
    {
        ++sent;
        last_sent.assign(frame.begin(), frame.end());
    }
    void poll(size_t) override {}
    void inject(std::span<const uint8_t> frame) { m_receive(frame); }

    uint64_t sent = 0;
    std::vector<uint8_t> last_sent;

private:
    Receive m_receive;
};

enum class Kind { Block, Console, Rng, Net, P9 };

inline const char* kind_name(Kind kind)
{
    switch (kind) {
    case Kind::Block:
        return "Block";
    case Kind::Console:
        return "Console";
    case Kind::Rng:
        return "Rng";
    case Kind::Net:
        return "Net";
    case Kind::P9:
        return "P9";
    }
    return "?";
}

// For readable parameterized test names in ctest.
inline void PrintTo(Kind kind, std::ostream* os)
{
    *os << kind_name(kind);
}

// One device of the given kind behind virtio-mmio, with a mock driver.
class Kit {
public:
    static constexpr uint64_t kImageSectors = 64;

    explicit Kit(Kind kind) : m_kind(kind)
    {
        switch (kind) {
        case Kind::Block: {
            m_image = std::make_unique<TempImage>(kImageSectors * 512);
            auto block = Block::open(m_image->path());
            VERIFY(block.ok());
            m_device = block.release_value();
            break;
        }
        case Kind::Console: {
            auto console = std::make_unique<Console>(
                [this](std::span<const uint8_t> b) { m_output.append(b.begin(), b.end()); });
            m_console = console.get();
            m_device = std::move(console);
            break;
        }
        case Kind::Rng:
            m_device = std::make_unique<Rng>();
            break;
        case Kind::Net: {
            auto backend = std::make_unique<CountingBackend>();
            m_backend = backend.get();
            m_device = std::make_unique<Net>(std::move(backend));
            break;
        }
        case Kind::P9: {
            m_folder = std::make_unique<TempFolder>();
            auto p9 = P9::create(m_folder->path(), "kit");
            VERIFY(p9.ok());
            m_device = p9.release_value();
            break;
        }
        }
        m_machine = std::make_unique<TestMachine>(*m_device);
    }

    Kind kind() const { return m_kind; }
    MockDriver& driver() { return m_machine->driver; }
    TestMachine& machine() { return *m_machine; }
    Device& device() { return *m_device; }
    Console* console() { return m_console; }
    CountingBackend* backend() { return m_backend; }
    std::string& output() { return m_output; }

    // Resets and initializes the device, then checks it serves a well-formed request on every
    // queue. This is "the device keeps answering after reset".
    bool healthy()
    {
        MockDriver& d = driver();
        if (!d.init(~uint64_t{0}))
            return false;
        bool ok = false;
        switch (m_kind) {
        case Kind::Block:
            ok = block_round_trip();
            break;
        case Kind::Console:
            ok = console_round_trip();
            break;
        case Kind::Rng: {
            Buffer b = d.writable(16);
            d.ring(0).add_chain({&b, 1});
            d.notify(0);
            auto used = d.ring(0).next_used();
            ok = used && used->len == 16;
            break;
        }
        case Kind::Net:
            ok = net_round_trip();
            break;
        case Kind::P9:
            ok = p9_round_trip();
            break;
        }
        return ok && !d.needs_reset();
    }

private:
    uint8_t blk(uint32_t type, uint64_t sector, std::span<const uint8_t> out, Buffer* in)
    {
        MockDriver& d = driver();
        uint8_t header[16] = {};
        store_le<uint32_t>(header, type);
        store_le<uint64_t>(header + 8, sector);
        std::vector<Buffer> chain{d.readable(header)};
        if (!out.empty())
            chain.push_back(d.readable(out));
        if (in)
            chain.push_back(*in);
        Buffer status = d.writable(1, 0xee);
        chain.push_back(status);
        d.ring(0).add_chain(chain);
        d.notify(0);
        if (!d.ring(0).next_used())
            return 0xff;
        return d.read_guest(status.addr, 1)[0];
    }
    bool block_round_trip()
    {
        std::vector<uint8_t> data(512);
        for (size_t i = 0; i < data.size(); ++i)
            data[i] = static_cast<uint8_t>(i ^ 0x5a);
        if (blk(Block::VIRTIO_BLK_T_OUT, 9, data, nullptr) != Block::VIRTIO_BLK_S_OK)
            return false;
        Buffer in = driver().writable(512);
        if (blk(Block::VIRTIO_BLK_T_IN, 9, {}, &in) != Block::VIRTIO_BLK_S_OK)
            return false;
        return driver().read_guest(in.addr, 512) == data;
    }
    bool console_round_trip()
    {
        MockDriver& d = driver();
        m_output.clear();
        uint8_t ping[] = {'p', 'i', 'n', 'g'};
        Buffer out = d.readable(ping);
        d.ring(Console::kTransmitQueue).add_chain({&out, 1});
        d.notify(Console::kTransmitQueue);
        if (m_output != "ping")
            return false;
        // Drop input left over from earlier rounds, then check the receive path.
        if (m_console->pending_input() > 0) {
            Buffer drain = d.writable(static_cast<uint32_t>(Console::kMaxPendingInput));
            d.ring(Console::kReceiveQueue).add_chain({&drain, 1});
            d.notify(Console::kReceiveQueue);
            if (!d.ring(Console::kReceiveQueue).next_used() || m_console->pending_input() != 0)
                return false;
        }
        Buffer in = d.writable(8);
        d.ring(Console::kReceiveQueue).add_chain({&in, 1});
        uint8_t pong[] = {'p', 'o', 'n', 'g'};
        m_console->push_input(pong);
        auto used = d.ring(Console::kReceiveQueue).next_used();
        return used && used->len == 4 && d.read_guest(in.addr, 4) == std::vector<uint8_t>(pong, pong + 4);
    }

    // §5.1.6.2 and §5.1.6.4: one frame out (header then frame), one frame in.
    bool net_round_trip()
    {
        MockDriver& d = driver();
        std::vector<uint8_t> packet(Net::kHeaderSize + 60);
        for (size_t i = Net::kHeaderSize; i < packet.size(); ++i)
            packet[i] = static_cast<uint8_t>(i);
        const uint64_t sent = m_backend->sent;
        Buffer out = d.readable(packet);
        d.ring(Net::kTransmitQueue).add_chain({&out, 1});
        d.notify(Net::kTransmitQueue);
        if (m_backend->sent != sent + 1 ||
            m_backend->last_sent != std::vector<uint8_t>(packet.begin() + Net::kHeaderSize, packet.end()))
            return false;
        Buffer in = d.writable(static_cast<uint32_t>(Net::kHeaderSize + Net::kMaxFrame));
        d.ring(Net::kReceiveQueue).add_chain({&in, 1});
        d.notify(Net::kReceiveQueue);
        const uint8_t frame[42] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
        m_backend->inject(frame);
        auto used = d.ring(Net::kReceiveQueue).next_used();
        return used && used->len == Net::kHeaderSize + sizeof frame;
    }
    // A Tversion gets its Rversion (9P2000.L, as Linux's v9fs sends it first).
    bool p9_round_trip()
    {
        MockDriver& d = driver();
        p9::WireWriter w;
        w.begin(p9::P9_TVERSION, 0xffff);
        w.u32(8192);
        w.str("9P2000.L");
        const std::vector<uint8_t> request = w.finish();
        Buffer chain[] = {d.readable(request), d.writable(64)};
        d.ring(0).add_chain(chain);
        d.notify(0);
        auto used = d.ring(0).next_used();
        return used && used->len >= 7 && d.read_guest(chain[1].addr + 4, 1)[0] == p9::P9_TVERSION + 1;
    }

    Kind m_kind;
    std::unique_ptr<TempImage> m_image;
    std::unique_ptr<TempFolder> m_folder;
    std::unique_ptr<Device> m_device;
    Console* m_console = nullptr;
    CountingBackend* m_backend = nullptr;
    std::string m_output;
    std::unique_ptr<TestMachine> m_machine;
};

}  // namespace vireo::virtio::test
