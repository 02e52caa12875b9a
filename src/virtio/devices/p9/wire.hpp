// The 9P wire format: little-endian integers, strings as len[2] + bytes, qids of 13 bytes
// (Plan 9 intro(5); Linux Documentation/filesystems/9p.rst and include/net/9p/9p.h for 9P2000.L).
//
// WireReader never reads outside its buffer: a read past the end yields zeros or an empty string
// and marks the reader failed, so a handler parses every field first and checks ok() once before
// acting on any of them.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>
#include <vector>

namespace vireo::virtio::p9 {

// 9P qid: what a file is to the client (type, version, unique path).
struct Qid {
    uint8_t type = 0;
    uint32_t version = 0;
    uint64_t path = 0;
};
constexpr uint8_t P9_QTDIR = 0x80;
constexpr uint8_t P9_QTSYMLINK = 0x02;
constexpr uint8_t P9_QTFILE = 0x00;
constexpr size_t kQidSize = 13;

class WireReader {
public:
    explicit WireReader(std::span<const uint8_t> bytes) : m_bytes(bytes) {}

    bool ok() const { return m_ok; }
    size_t remaining() const { return m_bytes.size() - m_pos; }

    uint8_t u8() { return static_cast<uint8_t>(take(1)); }
    uint16_t u16() { return static_cast<uint16_t>(take(2)); }
    uint32_t u32() { return static_cast<uint32_t>(take(4)); }
    uint64_t u64() { return take(8); }
    // A 9P string: the bytes are a view into the message (valid while it lives).
    std::string_view str()
    {
        const uint16_t len = u16();
        if (!m_ok || len > remaining()) {
            m_ok = false;
            return {};
        }
        std::string_view s(reinterpret_cast<const char*>(m_bytes.data() + m_pos), len);
        m_pos += len;
        return s;
    }
    // `len` raw bytes (Twrite's data).
    std::span<const uint8_t> bytes(uint32_t len)
    {
        if (!m_ok || len > remaining()) {
            m_ok = false;
            return {};
        }
        auto s = m_bytes.subspan(m_pos, len);
        m_pos += len;
        return s;
    }

private:
    uint64_t take(size_t n)
    {
        if (!m_ok || n > remaining()) {
            m_ok = false;
            return 0;
        }
        uint64_t v = 0;
        std::memcpy(&v, m_bytes.data() + m_pos, n);  // little-endian host, like 9P
        m_pos += n;
        return v;
    }

    std::span<const uint8_t> m_bytes;
    size_t m_pos = 0;
    bool m_ok = true;
};

class WireWriter {
public:
    // size[4] type[1] tag[2]; the size is filled in by finish().
    void begin(uint8_t type, uint16_t tag)
    {
        m_bytes.clear();
        u32(0);
        u8(type);
        u16(tag);
    }
    void u8(uint8_t v) { put(&v, 1); }
    void u16(uint16_t v) { put(&v, 2); }
    void u32(uint32_t v) { put(&v, 4); }
    void u64(uint64_t v) { put(&v, 8); }
    // Strings longer than 65535 bytes cannot occur here: names are at most NAME_MAX and link
    // targets at most PATH_MAX; a longer one would be cut.
    void str(std::string_view s)
    {
        const uint16_t len = static_cast<uint16_t>(std::min<size_t>(s.size(), 0xffff));
        u16(len);
        put(s.data(), len);
    }
    void qid(const Qid& q)
    {
        u8(q.type);
        u32(q.version);
        u64(q.path);
    }
    void bytes(std::span<const uint8_t> b) { put(b.data(), b.size()); }
    // Room for `n` bytes the caller fills in place (Rread's data); returns where they start.
    uint8_t* grow(size_t n)
    {
        const size_t at = m_bytes.size();
        m_bytes.resize(at + n);
        return m_bytes.data() + at;
    }
    void shrink(size_t size) { m_bytes.resize(size); }
    size_t size() const { return m_bytes.size(); }
    void patch_u32(size_t at, uint32_t v) { std::memcpy(m_bytes.data() + at, &v, 4); }

    std::vector<uint8_t> finish()
    {
        patch_u32(0, static_cast<uint32_t>(m_bytes.size()));
        return std::move(m_bytes);
    }

private:
    void put(const void* p, size_t n)
    {
        const auto* b = static_cast<const uint8_t*>(p);
        m_bytes.insert(m_bytes.end(), b, b + n);
    }
    std::vector<uint8_t> m_bytes;
};

}  // namespace vireo::virtio::p9
