#include "disk/qcow2.hpp"

#include <algorithm>
#include <cstring>

#include "base/log.hpp"

namespace vireo::disk {

namespace {

// All numbers in qcow2 are big-endian ("General").
uint64_t load_be64(const uint8_t* p)
{
    uint64_t v;
    std::memcpy(&v, p, sizeof v);
    return __builtin_bswap64(v);
}
uint32_t load_be32(const uint8_t* p)
{
    uint32_t v;
    std::memcpy(&v, p, sizeof v);
    return __builtin_bswap32(v);
}
uint16_t load_be16(const uint8_t* p)
{
    uint16_t v;
    std::memcpy(&v, p, sizeof v);
    return __builtin_bswap16(v);
}
void store_be64(uint8_t* p, uint64_t v)
{
    v = __builtin_bswap64(v);
    std::memcpy(p, &v, sizeof v);
}
void store_be32(uint8_t* p, uint32_t v)
{
    v = __builtin_bswap32(v);
    std::memcpy(p, &v, sizeof v);
}
void store_be16(uint8_t* p, uint16_t v)
{
    v = __builtin_bswap16(v);
    std::memcpy(p, &v, sizeof v);
}

std::string hex(uint64_t v)
{
    char buffer[24];
    std::snprintf(buffer, sizeof buffer, "0x%llx", static_cast<unsigned long long>(v));
    return buffer;
}

uint64_t div_ceil(uint64_t a, uint64_t b) { return a / b + (a % b != 0); }

// "Header": field offsets.
constexpr size_t kHeaderV2Size = 72;
constexpr size_t kHeaderV3MinSize = 104;
constexpr size_t kOffVersion = 4;
constexpr size_t kOffBackingFileOffset = 8;
constexpr size_t kOffBackingFileSize = 16;
constexpr size_t kOffClusterBits = 20;
constexpr size_t kOffSize = 24;
constexpr size_t kOffCryptMethod = 32;
constexpr size_t kOffL1Size = 36;
constexpr size_t kOffL1TableOffset = 40;
constexpr size_t kOffRefcountTableOffset = 48;
constexpr size_t kOffRefcountTableClusters = 56;
constexpr size_t kOffNbSnapshots = 60;
constexpr size_t kOffIncompatibleFeatures = 72;
constexpr size_t kOffAutoclearFeatures = 88;
constexpr size_t kOffRefcountOrder = 96;
constexpr size_t kOffHeaderLength = 100;

constexpr unsigned kMinClusterBits = 9;   // 512-byte clusters
constexpr unsigned kMaxClusterBits = 21;  // 2 MiB, QEMU's limit
constexpr size_t kMaxBackingNameBytes = 1023;
// QEMU's implementation limits, which bound what a hostile header can make us allocate.
constexpr uint64_t kMaxL1Bytes = 32ull << 20;
constexpr uint64_t kMaxRefcountTableBytes = 8ull << 20;
// One bit per host cluster tracks the data clusters in use: at most 2^32 of them (512 MiB of
// bits), which no image QEMU can make reaches (its L1 limit caps 512-byte clusters at 128 GiB).
constexpr uint64_t kMaxFileClusters = uint64_t{1} << 32;
// Host cluster offsets live in bits 9-55 of the table entries: nothing at or past 64 PiB.
constexpr uint64_t kMaxHostOffset = uint64_t{1} << 56;
constexpr uint64_t kMaxVirtualSize = uint64_t{1} << 62;

// incompatible_features bits.
constexpr uint64_t QCOW2_INCOMPAT_DIRTY = 1u << 0;
constexpr uint64_t QCOW2_INCOMPAT_CORRUPT = 1u << 1;
constexpr uint64_t QCOW2_INCOMPAT_DATA_FILE = 1u << 2;
constexpr uint64_t QCOW2_INCOMPAT_COMPRESSION = 1u << 3;
constexpr uint64_t QCOW2_INCOMPAT_EXTL2 = 1u << 4;

// "Header extensions".
constexpr uint32_t QCOW2_EXT_MAGIC_END = 0;
constexpr uint32_t QCOW2_EXT_MAGIC_BACKING_FORMAT = 0xe2792aca;
constexpr uint32_t QCOW2_EXT_MAGIC_BITMAPS = 0x23852875;
// autoclear_features bits.
constexpr uint64_t QCOW2_AUTOCLEAR_BITMAPS = 1u << 0;

// "Cluster mapping" and "Host cluster management": table entry layouts.
constexpr uint64_t L1E_OFFSET_MASK = 0x00ff'ffff'ffff'fe00ull;
constexpr uint64_t L1E_RESERVED_MASK = 0x7f00'0000'0000'01ffull;   // bits 0-8, 56-62
constexpr uint64_t L2E_OFFSET_MASK = 0x00ff'ffff'ffff'fe00ull;
constexpr uint64_t L2E_RESERVED_MASK = 0x3f00'0000'0000'01feull;   // bits 1-8, 56-61
constexpr uint64_t REFT_OFFSET_MASK = 0xffff'ffff'ffff'fe00ull;
constexpr uint64_t REFT_RESERVED_MASK = 0x1ffull;
constexpr uint64_t QCOW_OFLAG_COPIED = uint64_t{1} << 63;
constexpr uint64_t QCOW_OFLAG_COMPRESSED = uint64_t{1} << 62;
constexpr uint64_t QCOW_OFLAG_ZERO = 1;

// Metadata caches: this many bytes of each kind, at least 8 clusters.
constexpr uint64_t kCacheBytes = 8ull << 20;

}  // namespace

// ---- ClusterCache ------------------------------------------------------------------------------

std::vector<uint8_t>* Qcow2Image::ClusterCache::find(uint64_t offset)
{
    auto it = m_entries.find(offset);
    if (it == m_entries.end())
        return nullptr;
    m_order.splice(m_order.begin(), m_order, it->second.position);
    return &it->second.bytes;
}

std::vector<uint8_t>& Qcow2Image::ClusterCache::insert(uint64_t offset, std::vector<uint8_t> bytes)
{
    if (auto* present = find(offset)) {
        *present = std::move(bytes);
        return *present;
    }
    while (m_entries.size() >= m_capacity && !m_order.empty()) {
        m_entries.erase(m_order.back());
        m_order.pop_back();
    }
    m_order.push_front(offset);
    auto [it, inserted] = m_entries.emplace(offset, Entry{std::move(bytes), m_order.begin()});
    return it->second.bytes;
}

// ---- Opening -----------------------------------------------------------------------------------

Qcow2Image::Qcow2Image(File file, std::vector<FileId> chain)
    : m_file(std::move(file)), m_chain(std::move(chain)), m_l2_cache(8), m_refcount_cache(8)
{
}

Error Qcow2Image::corrupt(const std::string& what) const
{
    return m_file.error("qcow2: corrupt image: " + what);
}

Result<std::unique_ptr<Qcow2Image>> Qcow2Image::open(File file, std::vector<FileId> chain)
{
    if (file.size() < kHeaderV2Size)
        return file.error("not a qcow2 image: only " + std::to_string(file.size()) + " bytes long");
    uint8_t start[kHeaderV2Size];
    TRY(file.read_exact(0, start, "qcow2 header"));
    if (load_be32(start) != kMagic)
        return file.error("not a qcow2 image (no QFI\\xfb magic); for a raw image, leave out format=qcow2");
    const unsigned bits = load_be32(start + kOffClusterBits);
    if (bits < kMinClusterBits || bits > kMaxClusterBits)
        return file.error("qcow2 header: cluster_bits " + std::to_string(bits) + " is out of range (9 to 21)");
    // The whole first cluster: the header, its extensions and the backing file name live there.
    std::vector<uint8_t> header(std::min<uint64_t>(uint64_t{1} << bits, file.size()));
    TRY(file.read_exact(0, header, "qcow2 header"));

    auto image = std::unique_ptr<Qcow2Image>(new Qcow2Image(std::move(file), std::move(chain)));
    TRY(image->parse_header(header));
    TRY(image->load_tables());
    TRY(image->scan_l2_tables());
    // An image written by a program that does not know the auto-clear features must clear them
    // first ("autoclear_features"); Vireo knows none (the bitmaps it would invalidate included).
    if (image->m_autoclear != 0 && image->access() == Access::ReadWrite) {
        uint8_t zero[8] = {};
        TRY(image->m_file.write_at(kOffAutoclearFeatures, zero));
    }
    return image;
}

Result<void> Qcow2Image::parse_header(std::span<const uint8_t> h)
{
    const uint8_t* p = h.data();
    m_version = load_be32(p + kOffVersion);
    if (m_version != 2 && m_version != 3)
        return m_file.error("qcow2 version " + std::to_string(m_version) + " is not supported (2 and 3 are)");
    m_cluster_bits = load_be32(p + kOffClusterBits);
    m_cluster_size = uint64_t{1} << m_cluster_bits;
    m_l2_entries = m_cluster_size / 8;
    const size_t cache_clusters = std::max<size_t>(8, kCacheBytes / m_cluster_size);
    m_l2_cache = ClusterCache(cache_clusters);
    m_refcount_cache = ClusterCache(cache_clusters);

    size_t header_length = kHeaderV2Size;
    uint64_t autoclear = 0;
    if (m_version >= 3) {
        if (h.size() < kHeaderV3MinSize)
            return m_file.error("qcow2 header: a version 3 header needs 104 bytes; the file has " + std::to_string(h.size()));
        header_length = load_be32(p + kOffHeaderLength);
        if (header_length < kHeaderV3MinSize || header_length % 8 != 0 || header_length > h.size())
            return m_file.error("qcow2 header: header_length " + std::to_string(header_length) +
                                " is invalid (a multiple of 8 from 104 to the cluster size)");
        m_refcount_order = load_be32(p + kOffRefcountOrder);
        if (m_refcount_order > 6)
            return m_file.error("qcow2 header: refcount_order " + std::to_string(m_refcount_order) + " is above 6");
        const uint64_t incompatible = load_be64(p + kOffIncompatibleFeatures);
        autoclear = load_be64(p + kOffAutoclearFeatures);
        const uint64_t known = QCOW2_INCOMPAT_DIRTY | QCOW2_INCOMPAT_CORRUPT | QCOW2_INCOMPAT_DATA_FILE |
                               QCOW2_INCOMPAT_COMPRESSION | QCOW2_INCOMPAT_EXTL2;
        if (incompatible & ~known)
            return m_file.error("qcow2: unknown incompatible features " + hex(incompatible & ~known) + " are set");
        if (incompatible & QCOW2_INCOMPAT_DIRTY)
            return m_file.error("qcow2: the image is dirty (lazy refcounts not written back); repair it with "
                                "'qemu-img check -r all'");
        if ((incompatible & QCOW2_INCOMPAT_CORRUPT) && access() == Access::ReadWrite)
            return m_file.error("qcow2: the image is marked corrupt; repair it with 'qemu-img check -r all' or open "
                                "it read-only");
        if (incompatible & QCOW2_INCOMPAT_DATA_FILE)
            return m_file.error("qcow2: external data files are not supported");
        if (incompatible & QCOW2_INCOMPAT_EXTL2)
            return m_file.error("qcow2: extended L2 entries (subclusters) are not supported");
    }
    m_refcount_block_entries = m_cluster_size * 8 >> m_refcount_order;

    if (const uint32_t crypt = load_be32(p + kOffCryptMethod); crypt != 0)
        return m_file.error(std::string("qcow2: encrypted images (") + (crypt == 1 ? "AES" : crypt == 2 ? "LUKS" : "unknown method") +
                            ") are not supported");

    m_size = load_be64(p + kOffSize);
    if (m_size > kMaxVirtualSize)
        return m_file.error("qcow2 header: virtual size " + std::to_string(m_size) + " is too large");
    m_snapshots = load_be32(p + kOffNbSnapshots);
    if (m_snapshots > 0 && access() == Access::ReadWrite)
        return m_file.error("qcow2: writing to an image with internal snapshots is not supported; open it read-only "
                            "(,ro) or delete them with 'qemu-img snapshot -d'");

    // "Header extensions": from the end of the header to an end marker, inside the first cluster.
    std::string backing_format;
    for (size_t off = header_length, count = 0;; ++count) {
        if (off + 8 > h.size() || count > h.size() / 8)
            return m_file.error("qcow2 header: the header extensions run past the first cluster");
        const uint32_t type = load_be32(p + off);
        const uint32_t len = load_be32(p + off + 4);
        if (type == QCOW2_EXT_MAGIC_END)
            break;
        if (len > h.size() - off - 8)
            return m_file.error("qcow2 header: header extension " + hex(type) + " of " + std::to_string(len) +
                                " bytes runs past the first cluster");
        if (type == QCOW2_EXT_MAGIC_BACKING_FORMAT)
            backing_format.assign(reinterpret_cast<const char*>(p + off + 8), len);
        // Consistent persistent bitmaps: a write would make them stale, and clearing the
        // auto-clear bit (the spec's remedy) leaves their clusters leaked to `qemu-img check`.
        if (type == QCOW2_EXT_MAGIC_BITMAPS && (autoclear & QCOW2_AUTOCLEAR_BITMAPS) && access() == Access::ReadWrite)
            return m_file.error("qcow2: writing to an image with persistent bitmaps is not supported; open it read-only "
                                "(,ro) or remove them with 'qemu-img bitmap --remove'");
        // Every other extension (feature names, bitmaps, ...) can be ignored ("other: Unknown header
        // extension, can be safely ignored"); the bitmaps are invalidated below when writing.
        off += 8 + ((uint64_t{len} + 7) & ~uint64_t{7});
    }

    // Backing file: a name (at most 1023 bytes, not NUL-terminated) inside the first cluster.
    const uint64_t backing_offset = load_be64(p + kOffBackingFileOffset);
    if (backing_offset != 0) {
        const uint32_t backing_size = load_be32(p + kOffBackingFileSize);
        if (backing_size == 0 || backing_size > kMaxBackingNameBytes || backing_offset > h.size() ||
            backing_size > h.size() - backing_offset)
            return m_file.error("qcow2 header: backing file name (" + std::to_string(backing_size) + " bytes at " +
                                std::to_string(backing_offset) + ") is not inside the first cluster or too long");
        std::string name(reinterpret_cast<const char*>(p + backing_offset), backing_size);
        if (name.find('\0') != std::string::npos)
            return m_file.error("qcow2 header: the backing file name contains a NUL byte");
        TRY(open_backing(name, backing_format));
    }

    m_autoclear = autoclear;
    m_l1_offset = load_be64(p + kOffL1TableOffset);
    const uint32_t l1_size = load_be32(p + kOffL1Size);
    m_refcount_table_offset = load_be64(p + kOffRefcountTableOffset);
    m_refcount_table_clusters = load_be32(p + kOffRefcountTableClusters);
    // The L1 table must cover the virtual size ("Cluster mapping").
    const uint64_t l2_coverage = m_cluster_size * m_l2_entries;
    const uint64_t needed = div_ceil(m_size, l2_coverage);
    if (l1_size < needed)
        return m_file.error("qcow2 header: the L1 table (" + std::to_string(l1_size) + " entries) is too small for a " +
                            std::to_string(m_size) + "-byte disk");
    if (uint64_t{l1_size} * 8 > kMaxL1Bytes)
        return m_file.error("qcow2 header: the L1 table (" + std::to_string(l1_size) + " entries) is larger than 32 MiB");
    m_l1.resize(l1_size);  // loaded by load_tables()
    return {};
}

Result<void> Qcow2Image::open_backing(const std::string& name, const std::string& format)
{
    if (m_chain.size() >= kMaxBackingDepth)
        return m_file.error("qcow2: the backing chain is deeper than " + std::to_string(kMaxBackingDepth) + " images");
    Format backing_format;
    if (format == "raw")
        backing_format = Format::Raw;
    else if (format == "qcow2")
        backing_format = Format::Qcow2;
    else if (format.empty())
        // Guessing would be unsafe (see disk.hpp); QEMU 6.1 and later record it on creation.
        return m_file.error("qcow2: backing file '" + name + "' has no recorded format; set it with 'qemu-img rebase -u -F raw|qcow2 -b " +
                            name + " " + m_file.path() + "'");
    else
        return m_file.error("qcow2: backing file format '" + format + "' is not supported (raw and qcow2 are)");
    // A relative name is relative to the directory of the image that names it, as in QEMU.
    std::string resolved = name;
    if (name.front() != '/') {
        const auto slash = m_file.path().find_last_of('/');
        if (slash != std::string::npos)
            resolved = m_file.path().substr(0, slash + 1) + name;
    }
    auto backing = open_in_chain(resolved, backing_format, Access::ReadOnly, "backing file " + resolved, m_chain);
    if (!backing.ok())
        return backing.release_error().with_context(m_file.label());
    m_backing = backing.release_value();
    return {};
}

Result<void> Qcow2Image::add_metadata(uint64_t offset, uint64_t clusters, const char* what)
{
    for (uint64_t i = 0; i < clusters; ++i) {
        if (!m_metadata.insert(offset / m_cluster_size + i).second)
            return corrupt(std::string(what) + " at " + hex(offset) + " overlaps other metadata");
    }
    return {};
}

void Qcow2Image::mark_data(uint64_t cluster)
{
    if (cluster >= m_data.size())
        m_data.resize(std::max<uint64_t>(cluster + 1, m_data.size() * 2), false);
    m_data[cluster] = true;
}

Result<void> Qcow2Image::load_tables()
{
    const uint64_t file_size = m_file.size();
    if (file_size / m_cluster_size > kMaxFileClusters)
        return m_file.error("qcow2: the file is too large for its cluster size of " + std::to_string(m_cluster_size));
    TRY(add_metadata(0, 1, "the header"));

    // The L1 table.
    const uint64_t l1_bytes = m_l1.size() * 8;
    if (!m_l1.empty()) {
        if (m_l1_offset % m_cluster_size != 0 || m_l1_offset == 0)
            return corrupt("the L1 table offset " + hex(m_l1_offset) + " is not a nonzero multiple of the cluster size");
        if (m_l1_offset > file_size || l1_bytes > file_size - m_l1_offset)
            return corrupt("the L1 table at " + hex(m_l1_offset) + " runs past the end of the file (truncated image?)");
        std::vector<uint8_t> bytes(l1_bytes);
        TRY(m_file.read_exact(m_l1_offset, bytes, "L1 table"));
        TRY(add_metadata(m_l1_offset, div_ceil(l1_bytes, m_cluster_size), "the L1 table"));
        for (size_t i = 0; i < m_l1.size(); ++i) {
            const uint64_t entry = load_be64(bytes.data() + i * 8);
            const uint64_t offset = entry & L1E_OFFSET_MASK;
            if ((entry & L1E_RESERVED_MASK) != 0 || offset % m_cluster_size != 0)
                return corrupt("L1 entry " + std::to_string(i) + " (" + hex(entry) + ") has reserved bits set or is unaligned");
            if (offset != 0 && offset >= file_size)
                return corrupt("L1 entry " + std::to_string(i) + " points past the end of the file (truncated image?)");
            m_l1[i] = entry;
        }
    }

    // The refcount table.
    if (m_refcount_table_offset % m_cluster_size != 0 || m_refcount_table_offset == 0)
        return corrupt("the refcount table offset " + hex(m_refcount_table_offset) + " is not a nonzero multiple of the cluster size");
    if (m_refcount_table_clusters == 0 || m_refcount_table_clusters * m_cluster_size > kMaxRefcountTableBytes)
        return corrupt("the refcount table size (" + std::to_string(m_refcount_table_clusters) +
                       " clusters) is zero or larger than 8 MiB");
    const uint64_t rt_bytes = m_refcount_table_clusters * m_cluster_size;
    if (m_refcount_table_offset > file_size || rt_bytes > file_size - m_refcount_table_offset)
        return corrupt("the refcount table at " + hex(m_refcount_table_offset) + " runs past the end of the file (truncated image?)");
    std::vector<uint8_t> bytes(rt_bytes);
    TRY(m_file.read_exact(m_refcount_table_offset, bytes, "refcount table"));
    TRY(add_metadata(m_refcount_table_offset, m_refcount_table_clusters, "the refcount table"));
    m_refcount_table.resize(rt_bytes / 8);
    for (size_t i = 0; i < m_refcount_table.size(); ++i) {
        const uint64_t entry = load_be64(bytes.data() + i * 8);
        const uint64_t offset = entry & REFT_OFFSET_MASK;
        if ((entry & REFT_RESERVED_MASK) != 0 || offset % m_cluster_size != 0)
            return corrupt("refcount table entry " + std::to_string(i) + " (" + hex(entry) + ") is unaligned");
        if (offset != 0 && offset >= file_size)
            return corrupt("refcount block " + std::to_string(i) + " is past the end of the file (truncated image?)");
        if (offset != 0)
            TRY(add_metadata(offset, 1, "a refcount block"));
        m_refcount_table[i] = offset;
    }
    // L2 tables: each is one cluster, referenced once.
    for (uint64_t entry : m_l1) {
        if (const uint64_t offset = entry & L1E_OFFSET_MASK; offset != 0)
            TRY(add_metadata(offset, 1, "an L2 table"));
    }
    return {};
}

Result<void> Qcow2Image::check_l2_entry(uint64_t entry, uint64_t guest_cluster) const
{
    if (entry & QCOW_OFLAG_COMPRESSED)
        return m_file.error("qcow2: compressed clusters are not supported; uncompress the image with "
                            "'qemu-img convert -O qcow2 IN OUT'");
    const uint64_t offset = entry & L2E_OFFSET_MASK;
    if ((entry & L2E_RESERVED_MASK) != 0 || offset % m_cluster_size != 0 ||
        (m_version < 3 && (entry & QCOW_OFLAG_ZERO) != 0))
        return corrupt("L2 entry " + hex(entry) + " for guest offset " + hex(guest_cluster * m_cluster_size) +
                       " has reserved bits set or is unaligned");
    return {};
}

// Checks every L2 entry once, at open: compressed clusters are refused now rather than when the
// guest first reads one, and data clusters must start inside the file and not on metadata.
Result<void> Qcow2Image::scan_l2_tables()
{
    for (uint64_t i = 0; i < m_l1.size(); ++i) {
        const uint64_t l2_offset = m_l1[i] & L1E_OFFSET_MASK;
        if (l2_offset == 0)
            continue;
        std::vector<uint8_t> table(m_cluster_size);
        TRY(m_file.read_exact(l2_offset, table, "L2 table"));
        for (uint64_t j = 0; j < m_l2_entries; ++j) {
            const uint64_t entry = load_be64(table.data() + j * 8);
            if (entry == 0)
                continue;
            const uint64_t guest_cluster = i * m_l2_entries + j;
            TRY(check_l2_entry(entry, guest_cluster));
            const uint64_t host = entry & L2E_OFFSET_MASK;
            if (host == 0)
                continue;
            if (host >= m_file.size())
                return corrupt("the data cluster for guest offset " + hex(guest_cluster * m_cluster_size) +
                               " is past the end of the file (truncated image?)");
            if (is_metadata(host / m_cluster_size))
                return corrupt("the data cluster for guest offset " + hex(guest_cluster * m_cluster_size) +
                               " overlaps metadata");
            if (is_data(host / m_cluster_size))
                return corrupt("the data cluster at " + hex(host) + " is referenced twice");
            mark_data(host / m_cluster_size);
        }
        m_l2_cache.insert(l2_offset, std::move(table));
    }
    return {};
}

// ---- Cluster mapping ---------------------------------------------------------------------------

Result<std::vector<uint8_t>*> Qcow2Image::load_cluster(ClusterCache& cache, uint64_t offset, const char* what)
{
    if (auto* cached = cache.find(offset))
        return cached;
    std::vector<uint8_t> bytes(m_cluster_size);
    TRY(m_file.read_exact(offset, bytes, what));
    return &cache.insert(offset, std::move(bytes));
}

Result<Qcow2Image::Mapping> Qcow2Image::lookup(uint64_t guest_cluster)
{
    const uint64_t l1_index = guest_cluster / m_l2_entries;
    if (l1_index >= m_l1.size())
        return corrupt("guest cluster " + std::to_string(guest_cluster) + " is beyond the L1 table");
    const uint64_t l2_offset = m_l1[l1_index] & L1E_OFFSET_MASK;
    Mapping mapping;
    if (l2_offset == 0)
        return mapping;  // the whole L2 range is unallocated
    auto* table = TRY(load_cluster(m_l2_cache, l2_offset, "L2 table"));
    const uint64_t entry = load_be64(table->data() + (guest_cluster % m_l2_entries) * 8);
    TRY(check_l2_entry(entry, guest_cluster));
    mapping.host = entry & L2E_OFFSET_MASK;
    mapping.copied = (entry & QCOW_OFLAG_COPIED) != 0;
    if (m_version >= 3 && (entry & QCOW_OFLAG_ZERO))
        mapping.kind = Mapping::Kind::Zero;
    else if (mapping.host != 0)
        mapping.kind = Mapping::Kind::Data;
    return mapping;
}

// "If there is no backing file or the backing file is smaller than the image, they shall read
// zeros for all parts that are not covered by the backing file."
Result<void> Qcow2Image::read_backing(uint64_t offset, std::span<uint8_t> out)
{
    size_t covered = 0;
    if (m_backing && offset < m_backing->size()) {
        covered = static_cast<size_t>(std::min<uint64_t>(out.size(), m_backing->size() - offset));
        TRY(m_backing->read(offset, out.first(covered)));
    }
    std::fill(out.begin() + static_cast<ptrdiff_t>(covered), out.end(), uint8_t{0});
    return {};
}

Result<void> Qcow2Image::read_in_cluster(uint64_t guest_cluster, uint64_t in_cluster, std::span<uint8_t> out)
{
    const Mapping mapping = TRY(lookup(guest_cluster));
    switch (mapping.kind) {
    case Mapping::Kind::Unallocated:
        return read_backing(guest_cluster * m_cluster_size + in_cluster, out);
    case Mapping::Kind::Zero:
        std::fill(out.begin(), out.end(), uint8_t{0});
        return {};
    case Mapping::Kind::Data: {
        const size_t n = TRY(m_file.read_at(mapping.host + in_cluster, out));
        // A cluster whose tail was never written ends the file early; that tail reads as zeros.
        std::fill(out.begin() + static_cast<ptrdiff_t>(n), out.end(), uint8_t{0});
        return {};
    }
    }
    return {};
}

Result<void> Qcow2Image::read(uint64_t offset, std::span<uint8_t> out)
{
    if (offset > m_size || out.size() > m_size - offset)
        return m_file.error("read beyond the end of the disk");
    size_t done = 0;
    while (done < out.size()) {
        const uint64_t position = offset + done;
        const uint64_t in_cluster = position & (m_cluster_size - 1);
        const size_t n = static_cast<size_t>(std::min<uint64_t>(m_cluster_size - in_cluster, out.size() - done));
        TRY(read_in_cluster(position >> m_cluster_bits, in_cluster, out.subspan(done, n)));
        done += n;
    }
    return {};
}

Result<void> Qcow2Image::write_l1_entry(uint64_t index)
{
    uint8_t bytes[8];
    store_be64(bytes, m_l1[index]);
    return m_file.write_at(m_l1_offset + index * 8, bytes);
}

Result<void> Qcow2Image::set_l2_entry(uint64_t l2_offset, uint64_t index, uint64_t entry)
{
    auto* table = TRY(load_cluster(m_l2_cache, l2_offset, "L2 table"));
    store_be64(table->data() + index * 8, entry);
    return m_file.write_at(l2_offset + index * 8, std::span<const uint8_t>(table->data() + index * 8, 8));
}

Result<void> Qcow2Image::write_in_cluster(uint64_t guest_cluster, uint64_t in_cluster, std::span<const uint8_t> in)
{
    const uint64_t l1_index = guest_cluster / m_l2_entries;
    const uint64_t l2_index = guest_cluster % m_l2_entries;
    if (l1_index >= m_l1.size())
        return corrupt("guest cluster " + std::to_string(guest_cluster) + " is beyond the L1 table");
    uint64_t l2_offset = m_l1[l1_index] & L1E_OFFSET_MASK;
    if (l2_offset == 0) {
        // A new, empty L2 table: written before the L1 entry points at it.
        const uint64_t cluster = TRY(allocate_cluster());
        l2_offset = cluster * m_cluster_size;
        std::vector<uint8_t> zeros(m_cluster_size, 0);
        TRY(m_file.write_at(l2_offset, zeros));
        m_data[cluster] = false;
        m_metadata.insert(cluster);
        m_l2_cache.insert(l2_offset, std::move(zeros));
        m_l1[l1_index] = l2_offset | QCOW_OFLAG_COPIED;
        TRY(write_l1_entry(l1_index));
    } else if ((m_l1[l1_index] & QCOW_OFLAG_COPIED) == 0) {
        // Refcount above one: shared with a snapshot. Copy-on-write of L2 tables is not supported
        // (images with snapshots open read-only), so this is an inconsistent image.
        return corrupt("L2 table at " + hex(l2_offset) + " is shared (no COPIED flag); run 'qemu-img check -r all'");
    }

    const Mapping mapping = TRY(lookup(guest_cluster));
    if (mapping.kind == Mapping::Kind::Data) {
        if (!mapping.copied)
            return corrupt("data cluster at " + hex(mapping.host) + " is shared (no COPIED flag); run 'qemu-img check -r all'");
        if (is_metadata(mapping.host / m_cluster_size))
            return corrupt("data cluster at " + hex(mapping.host) + " overlaps metadata");
        return m_file.write_at(mapping.host + in_cluster, in);
    }

    // An allocating write. The rest of the cluster is what the guest saw before: zeros for a zero
    // cluster, else the backing file's bytes (or zeros without one).
    std::vector<uint8_t> cluster(m_cluster_size);
    if (in.size() != m_cluster_size) {
        if (mapping.kind == Mapping::Kind::Zero)
            std::fill(cluster.begin(), cluster.end(), uint8_t{0});
        else
            TRY(read_backing(guest_cluster * m_cluster_size, cluster));
    }
    std::memcpy(cluster.data() + in_cluster, in.data(), in.size());

    uint64_t target = 0;
    if (mapping.kind == Mapping::Kind::Zero && mapping.host != 0) {
        // A preallocated zero cluster is written in place when it is ours alone.
        if (!mapping.copied || is_metadata(mapping.host / m_cluster_size))
            return corrupt("zero cluster at " + hex(mapping.host) + " is shared or overlaps metadata");
        target = mapping.host;
    } else {
        target = TRY(allocate_cluster()) * m_cluster_size;
    }
    TRY(m_file.write_at(target, cluster));
    return set_l2_entry(l2_offset, l2_index, target | QCOW_OFLAG_COPIED);
}

Result<void> Qcow2Image::write(uint64_t offset, std::span<const uint8_t> in)
{
    if (access() == Access::ReadOnly)
        return m_file.error("write to a read-only image");
    if (offset > m_size || in.size() > m_size - offset)
        return m_file.error("write beyond the end of the disk");
    size_t done = 0;
    while (done < in.size()) {
        const uint64_t position = offset + done;
        const uint64_t in_cluster = position & (m_cluster_size - 1);
        const size_t n = static_cast<size_t>(std::min<uint64_t>(m_cluster_size - in_cluster, in.size() - done));
        TRY(write_in_cluster(position >> m_cluster_bits, in_cluster, in.subspan(done, n)));
        done += n;
    }
    return {};
}

// ---- Host cluster management -------------------------------------------------------------------

// "Refcount block entry": refcount_bits wide; below 8 bits, bit 0 is the least significant bit of
// the byte.
uint64_t Qcow2Image::get_refcount_entry(const std::vector<uint8_t>& block, uint64_t index) const
{
    const unsigned bits = 1u << m_refcount_order;
    const uint8_t* p = block.data();
    switch (m_refcount_order) {
    case 0:
    case 1:
    case 2: {
        const uint64_t bit = index * bits;
        return (p[bit / 8] >> (bit % 8)) & ((1u << bits) - 1);
    }
    case 3: return p[index];
    case 4: return load_be16(p + index * 2);
    case 5: return load_be32(p + index * 4);
    default: return load_be64(p + index * 8);
    }
}

void Qcow2Image::set_refcount_entry(std::vector<uint8_t>& block, uint64_t index, uint64_t value) const
{
    const unsigned bits = 1u << m_refcount_order;
    uint8_t* p = block.data();
    switch (m_refcount_order) {
    case 0:
    case 1:
    case 2: {
        const uint64_t bit = index * bits;
        const unsigned shift = static_cast<unsigned>(bit % 8);
        const unsigned mask = ((1u << bits) - 1) << shift;
        p[bit / 8] = static_cast<uint8_t>((p[bit / 8] & ~mask) | ((static_cast<unsigned>(value) << shift) & mask));
        break;
    }
    case 3: p[index] = static_cast<uint8_t>(value); break;
    case 4: store_be16(p + index * 2, static_cast<uint16_t>(value)); break;
    case 5: store_be32(p + index * 4, static_cast<uint32_t>(value)); break;
    default: store_be64(p + index * 8, value); break;
    }
}

Result<uint64_t> Qcow2Image::refcount(uint64_t cluster)
{
    const uint64_t table_index = cluster / m_refcount_block_entries;
    if (table_index >= m_refcount_table.size() || m_refcount_table[table_index] == 0)
        return uint64_t{0};  // "If this is 0 ... All refcounts managed by this refcount block are 0."
    auto* block = TRY(load_cluster(m_refcount_cache, m_refcount_table[table_index], "refcount block"));
    return get_refcount_entry(*block, cluster % m_refcount_block_entries);
}

Result<void> Qcow2Image::set_refcount(uint64_t cluster, uint64_t value)
{
    const uint64_t table_index = cluster / m_refcount_block_entries;
    if (table_index >= m_refcount_table.size() || m_refcount_table[table_index] == 0)
        return corrupt("no refcount block for cluster " + std::to_string(cluster));
    const uint64_t block_offset = m_refcount_table[table_index];
    auto* block = TRY(load_cluster(m_refcount_cache, block_offset, "refcount block"));
    const uint64_t index = cluster % m_refcount_block_entries;
    set_refcount_entry(*block, index, value);
    // Write back the bytes that hold the entry.
    const uint64_t first_byte = (index << m_refcount_order) / 8;
    const uint64_t bytes = m_refcount_order <= 3 ? 1 : (uint64_t{1} << m_refcount_order) / 8;
    return m_file.write_at(block_offset + first_byte,
                           std::span<const uint8_t>(block->data() + first_byte, static_cast<size_t>(bytes)));
}

// The lowest cluster at or after the hint whose refcount is 0 and that is not metadata.
Result<uint64_t> Qcow2Image::find_free_cluster()
{
    const uint64_t limit = kMaxHostOffset / m_cluster_size;
    uint64_t cluster = std::max<uint64_t>(m_free_hint, 1);
    while (cluster < limit) {
        const uint64_t table_index = cluster / m_refcount_block_entries;
        if (table_index >= m_refcount_table.size() || m_refcount_table[table_index] == 0) {
            if (!is_metadata(cluster) && !is_data(cluster))
                return cluster;
            ++cluster;
            continue;
        }
        // Walk this refcount block's entries directly.
        auto* block = TRY(load_cluster(m_refcount_cache, m_refcount_table[table_index], "refcount block"));
        const uint64_t block_end = (table_index + 1) * m_refcount_block_entries;
        for (; cluster < block_end; ++cluster) {
            if (get_refcount_entry(*block, cluster % m_refcount_block_entries) == 0 && !is_metadata(cluster) &&
                !is_data(cluster))
                return cluster;
        }
    }
    return m_file.error("qcow2: no free cluster below 64 PiB (the image is full)");
}

Result<uint64_t> Qcow2Image::allocate_cluster()
{
    // Making room to count the cluster can itself take the candidate (a new refcount block or
    // table lands there); then look again. Each round either succeeds or creates the structure it
    // lacked, so two rounds normally suffice.
    for (int round = 0; round < 8; ++round) {
        const uint64_t cluster = TRY(find_free_cluster());
        TRY(ensure_refcount_block(cluster));
        if (TRY(refcount(cluster)) == 0 && !is_metadata(cluster) && !is_data(cluster)) {
            TRY(set_refcount(cluster, 1));
            mark_data(cluster);  // taken; an L2 table is moved to m_metadata by the caller
            m_free_hint = cluster + 1;
            return cluster;
        }
    }
    return m_file.error("qcow2: cannot allocate a cluster (inconsistent refcounts? run 'qemu-img check -r all')");
}

// Makes sure a refcount block covers `cluster`. A new block goes into the range it describes (all
// free: no block means every refcount there is 0), and counts itself.
Result<void> Qcow2Image::ensure_refcount_block(uint64_t cluster)
{
    const uint64_t table_index = cluster / m_refcount_block_entries;
    if (table_index >= m_refcount_table.size())
        TRY(grow_refcount_table(table_index + 1));
    if (m_refcount_table[table_index] != 0)
        return {};
    const uint64_t range_start = table_index * m_refcount_block_entries;
    const uint64_t range_end = range_start + m_refcount_block_entries;
    uint64_t block_cluster = std::max<uint64_t>(range_start, 1);
    while (block_cluster < range_end && (is_metadata(block_cluster) || is_data(block_cluster)))
        ++block_cluster;
    if (block_cluster >= range_end || block_cluster >= kMaxHostOffset / m_cluster_size)
        return corrupt("no room for a refcount block for cluster " + std::to_string(cluster));
    std::vector<uint8_t> block(m_cluster_size, 0);
    set_refcount_entry(block, block_cluster - range_start, 1);
    const uint64_t block_offset = block_cluster * m_cluster_size;
    TRY(m_file.write_at(block_offset, block));
    m_metadata.insert(block_cluster);
    m_refcount_cache.insert(block_offset, std::move(block));
    m_refcount_table[table_index] = block_offset;
    uint8_t entry[8];
    store_be64(entry, block_offset);
    return m_file.write_at(m_refcount_table_offset + table_index * 8, entry);
}

// Moves the refcount table to a larger place. The new table and the refcount blocks describing it
// go into fresh ranges, beyond what the old table covers and beyond the end of the file, so they
// are free by definition; the header is switched to the new table only after both are written,
// and then the old table's clusters are freed.
Result<void> Qcow2Image::grow_refcount_table(uint64_t min_entries)
{
    const uint64_t old_entries = m_refcount_table.size();
    const uint64_t first_range =
        std::max(old_entries, div_ceil(div_ceil(m_file.size(), m_cluster_size), m_refcount_block_entries));
    uint64_t entries = std::max(min_entries, old_entries + old_entries / 2 + 1);
    uint64_t table_clusters = 0, blocks = 0;
    for (int round = 0;; ++round) {
        if (round > 64)
            return m_file.error("qcow2: cannot size a new refcount table");
        table_clusters = div_ceil(entries * 8, m_cluster_size);
        blocks = 1;
        while (blocks * m_refcount_block_entries < table_clusters + blocks)
            ++blocks;
        if (entries < first_range + blocks) {
            entries = first_range + blocks;
            continue;
        }
        break;
    }
    if (table_clusters * m_cluster_size > kMaxRefcountTableBytes)
        return m_file.error("qcow2: the refcount table would exceed 8 MiB (the image is too large)");
    entries = table_clusters * m_cluster_size / 8;
    const uint64_t start = first_range * m_refcount_block_entries;  // a cluster index
    const uint64_t end = start + blocks + table_clusters;
    if (end > kMaxHostOffset / m_cluster_size)
        return m_file.error("qcow2: no room for a larger refcount table below 64 PiB");

    // The new refcount blocks, each counting the new clusters in its range.
    for (uint64_t k = 0; k < blocks; ++k) {
        std::vector<uint8_t> block(m_cluster_size, 0);
        const uint64_t range_start = (first_range + k) * m_refcount_block_entries;
        for (uint64_t c = std::max(start, range_start); c < std::min(end, range_start + m_refcount_block_entries); ++c)
            set_refcount_entry(block, c - range_start, 1);
        TRY(m_file.write_at((start + k) * m_cluster_size, block));
        m_refcount_cache.insert((start + k) * m_cluster_size, std::move(block));
    }
    std::vector<uint64_t> table(entries, 0);
    std::copy(m_refcount_table.begin(), m_refcount_table.end(), table.begin());
    for (uint64_t k = 0; k < blocks; ++k)
        table[first_range + k] = (start + k) * m_cluster_size;
    std::vector<uint8_t> bytes(table_clusters * m_cluster_size, 0);
    for (size_t i = 0; i < table.size(); ++i)
        store_be64(bytes.data() + i * 8, table[i]);
    const uint64_t table_offset = (start + blocks) * m_cluster_size;
    TRY(m_file.write_at(table_offset, bytes));
    TRY(m_file.sync());

    // Switch the header: refcount_table_offset and refcount_table_clusters are adjacent.
    uint8_t header[12];
    store_be64(header, table_offset);
    store_be32(header + 8, static_cast<uint32_t>(table_clusters));
    TRY(m_file.write_at(kOffRefcountTableOffset, header));

    const uint64_t old_offset = m_refcount_table_offset;
    const uint64_t old_clusters = m_refcount_table_clusters;
    m_refcount_table = std::move(table);
    m_refcount_table_offset = table_offset;
    m_refcount_table_clusters = table_clusters;
    for (uint64_t c = start; c < end; ++c)
        m_metadata.insert(c);
    // Free the old table's clusters.
    for (uint64_t i = 0; i < old_clusters; ++i) {
        const uint64_t c = old_offset / m_cluster_size + i;
        m_metadata.erase(c);
        if (TRY(refcount(c)) != 0)
            TRY(set_refcount(c, 0));
    }
    m_free_hint = std::min(m_free_hint, old_offset / m_cluster_size);
    return {};
}

}  // namespace vireo::disk
