// qcow2, QEMU's copy-on-write image format, versions 2 and 3 (QEMU docs/interop/qcow2.txt; the
// section names below are that document's).
//
// Supported: the two-level L1/L2 cluster mapping; refcounts of every width (refcount_order 0-6);
// allocation on write with refcount updates, including new refcount blocks and a growing refcount
// table; zero clusters (v3); backing files, raw or qcow2, named relative to the image; images with
// internal snapshots, read-only.
// Refused with a one-line error naming the file: encryption, compressed clusters, external data
// files, extended L2 entries (subclusters), dirty images (lazy refcounts left unrepaired), unknown
// incompatible features, and writing to an image with snapshots or with the corrupt bit set.
//
// Trust: the file is untrusted. Every header field, table offset and entry is checked before use
// (alignment, range, reserved bits, the file's size), the tables are bounded by QEMU's own limits
// (L1 at most 32 MiB, refcount table at most 8 MiB), and the metadata clusters must all be distinct
// and inside the file, and no data cluster may be referenced twice. Every L2 table is scanned when the image is opened, so a truncated or
// compressed image is refused at once rather than failing the guest's I/O later.
//
// Consistency: metadata is written through (no dirty state in memory) in the order QEMU uses, so
// a crash can leak a cluster but never lets two users share one: a new cluster is counted in its
// refcount block before any table points at it, and a table points at a cluster only after the
// cluster's contents are written. Images written here pass `qemu-img check`.
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "disk/disk.hpp"
#include "disk/file.hpp"

namespace vireo::disk {

class Qcow2Image final : public Image {
public:
    // The magic at the start of every qcow2 file: "QFI\xfb".
    static constexpr uint32_t kMagic = 0x514649fb;
    // A chain of backing files is at most this deep (QEMU allows far more; 16 is plenty here and
    // bounds the work a hostile chain can cause).
    static constexpr unsigned kMaxBackingDepth = 16;

    // `file` is already open (and locked); `chain` holds the files above it, this one included.
    static Result<std::unique_ptr<Qcow2Image>> open(File file, std::vector<FileId> chain);

    uint64_t size() const override { return m_size; }
    Access access() const override { return m_file.access(); }
    const std::string& path() const override { return m_file.path(); }
    Result<void> read(uint64_t offset, std::span<uint8_t> out) override;
    Result<void> write(uint64_t offset, std::span<const uint8_t> in) override;
    Result<void> flush() override { return m_file.sync(); }

    // Facts about the image, for tests and messages.
    uint32_t version() const { return m_version; }
    uint64_t cluster_size() const { return m_cluster_size; }
    unsigned refcount_bits() const { return 1u << m_refcount_order; }
    const Image* backing() const { return m_backing.get(); }

private:
    // A small write-through cache of whole metadata clusters (L2 tables, refcount blocks), kept in
    // their on-disk (big-endian) form; least recently used first out.
    class ClusterCache {
    public:
        explicit ClusterCache(size_t capacity) : m_capacity(capacity) {}
        std::vector<uint8_t>* find(uint64_t offset);
        std::vector<uint8_t>& insert(uint64_t offset, std::vector<uint8_t> bytes);

    private:
        struct Entry {
            std::vector<uint8_t> bytes;
            std::list<uint64_t>::iterator position;
        };
        size_t m_capacity;
        std::list<uint64_t> m_order;  // most recently used at the front
        std::unordered_map<uint64_t, Entry> m_entries;
    };

    // Where a guest cluster's bytes come from.
    struct Mapping {
        enum class Kind { Unallocated, Zero, Data } kind = Kind::Unallocated;
        uint64_t host = 0;  // Data: the host offset; Zero: a preallocated cluster, or 0
        bool copied = false;  // QCOW_OFLAG_COPIED: refcount exactly one, writable in place
    };

    Qcow2Image(File file, std::vector<FileId> chain);
    Result<void> parse_header(std::span<const uint8_t> header_cluster);
    Result<void> open_backing(const std::string& name, const std::string& format);
    Result<void> load_tables();
    Result<void> scan_l2_tables();
    Result<void> add_metadata(uint64_t offset, uint64_t clusters, const char* what);

    Error corrupt(const std::string& what) const;
    Result<std::vector<uint8_t>*> load_cluster(ClusterCache& cache, uint64_t offset, const char* what);
    Result<void> check_l2_entry(uint64_t entry, uint64_t guest_cluster) const;
    Result<Mapping> lookup(uint64_t guest_cluster);
    Result<void> read_backing(uint64_t offset, std::span<uint8_t> out);
    Result<void> read_in_cluster(uint64_t guest_cluster, uint64_t in_cluster, std::span<uint8_t> out);
    Result<void> write_in_cluster(uint64_t guest_cluster, uint64_t in_cluster, std::span<const uint8_t> in);
    Result<void> write_l1_entry(uint64_t index);
    Result<void> set_l2_entry(uint64_t l2_offset, uint64_t index, uint64_t entry);

    // Refcounts ("Host cluster management").
    uint64_t get_refcount_entry(const std::vector<uint8_t>& block, uint64_t index) const;
    void set_refcount_entry(std::vector<uint8_t>& block, uint64_t index, uint64_t value) const;
    Result<uint64_t> refcount(uint64_t cluster);
    Result<void> set_refcount(uint64_t cluster, uint64_t value);
    Result<uint64_t> find_free_cluster();
    Result<uint64_t> allocate_cluster();
    Result<void> ensure_refcount_block(uint64_t cluster);
    Result<void> grow_refcount_table(uint64_t min_entries);
    bool is_metadata(uint64_t cluster) const { return m_metadata.contains(cluster); }
    bool is_data(uint64_t cluster) const { return cluster < m_data.size() && m_data[cluster]; }
    void mark_data(uint64_t cluster);

    File m_file;
    std::vector<FileId> m_chain;
    uint32_t m_version = 0;
    unsigned m_cluster_bits = 0;
    uint64_t m_cluster_size = 0;
    uint64_t m_l2_entries = 0;          // entries per L2 table
    uint64_t m_size = 0;                // virtual size in bytes
    uint32_t m_snapshots = 0;
    uint64_t m_autoclear = 0;
    unsigned m_refcount_order = 4;
    uint64_t m_refcount_block_entries = 0;
    uint64_t m_l1_offset = 0;
    std::vector<uint64_t> m_l1;         // host byte order
    uint64_t m_refcount_table_offset = 0;
    uint64_t m_refcount_table_clusters = 0;
    std::vector<uint64_t> m_refcount_table;
    std::unique_ptr<Image> m_backing;
    ClusterCache m_l2_cache;
    ClusterCache m_refcount_cache;
    // Host clusters holding metadata (header, L1, refcount table, L2 tables, refcount blocks):
    // never handed out as data, never written as data, whatever a corrupt refcount says.
    std::unordered_set<uint64_t> m_metadata;
    // Host clusters the active L2 tables point at (one bit per cluster up to the highest). With
    // m_metadata this makes allocation safe against refcounts that are too low.
    std::vector<bool> m_data;
    uint64_t m_free_hint = 0;           // no free cluster below this index
};

}  // namespace vireo::disk
