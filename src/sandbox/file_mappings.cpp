// Shared file mappings (mmap MAP_SHARED of a file opened for writing): what the guest writes into
// them reaches the file.
//
// Guest memory is one private host reservation, so a mapped file is a copy of its bytes made at
// mmap. Vireo remembers which pages of that copy are the file's, and a hash of each page as it
// was last read from or written to the file; msync, munmap (or a mapping put over it), mremap,
// execve and the end of the process write back the pages whose contents changed, and only those
// (so a page the guest did not touch never overwrites what someone else wrote to the file since),
// never past the file's end, as Linux never grows a file through a mapping.
//
// What this is not: coherent. A write() to the file, or another process's mapping, does not show
// in the copy; two guest processes (after fork) mapping the same file each write back their own
// changes. mremap of a shared mapping writes it back and leaves the moved copy private.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <functional>
#include <string_view>

#include "sandbox/process.hpp"

namespace vireo::sandbox {

namespace {

uint64_t page_hash(const uint8_t* page)
{
    return std::hash<std::string_view>()(std::string_view(reinterpret_cast<const char*>(page), layout::kPageSize));
}

}  // namespace

void Process::track_file_mapping(uint64_t addr, uint64_t len, std::shared_ptr<OpenFile> file, uint64_t offset)
{
    FileMapping m;
    m.start = addr;
    m.end = addr + len;
    m.offset = offset;
    m.file = std::move(file);
    const AddressSpace::HostAccess reach(*m_mem, addr, len);
    for (uint64_t a = addr; a < addr + len; a += layout::kPageSize)
        m.hashes.push_back(page_hash(m_mem->base() + a));
    m_file_mappings.push_back(std::move(m));
}

int Process::write_back_file_mappings(uint64_t addr, uint64_t len, WriteBack mode)
{
    const uint64_t end = addr + len;
    int result = 0;
    std::vector<FileMapping> kept;
    for (auto& m : m_file_mappings) {
        if (m.end <= addr || m.start >= end) {
            kept.push_back(std::move(m));
            continue;
        }
        struct stat st {};
        const uint64_t file_size = ::fstat(m.file->host_fd, &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
        const uint64_t from = std::max(m.start, addr), to = std::min(m.end, end);
        const AddressSpace::HostAccess reach(*m_mem, from, to - from);
        bool wrote = false;
        for (uint64_t a = from; a < to; a += layout::kPageSize) {
            const size_t index = (a - m.start) >> layout::kPageShift;
            const uint64_t file_at = m.offset + (a - m.start);
            // A page the guest may no longer reach (mprotect PROT_NONE) still has its contents
            // while committed: it is the guest's data all the same.
            if (file_at >= file_size || !(m_mem->is_committed(a)))
                continue;
            const uint8_t* page = m_mem->base() + a;
            const uint64_t hash = page_hash(page);
            if (hash == m.hashes[index])
                continue;
            const uint64_t n = std::min<uint64_t>(layout::kPageSize, file_size - file_at);
            uint64_t done = 0;
            while (done < n) {
                const ssize_t w = ::pwrite(m.file->host_fd, page + done, n - done, static_cast<off_t>(file_at + done));
                if (w <= 0) {
                    result = w < 0 ? -errno : -EIO;
                    break;
                }
                done += static_cast<uint64_t>(w);
            }
            if (done == n) {
                m.hashes[index] = hash;
                wrote = true;
            }
        }
        if (wrote && mode == WriteBack::Sync && ::fdatasync(m.file->host_fd) != 0 && result == 0)
            result = -errno;
        if (mode != WriteBack::Unmap) {
            kept.push_back(std::move(m));
            continue;
        }
        // The range leaves the mapping: what is left of it on either side stays tracked.
        if (m.start < addr) {
            FileMapping left = m;
            left.end = addr;
            left.hashes.resize((addr - m.start) >> layout::kPageShift);
            kept.push_back(std::move(left));
        }
        if (m.end > end) {
            FileMapping right = m;
            right.start = end;
            right.offset = m.offset + (end - m.start);
            right.hashes.erase(right.hashes.begin(), right.hashes.begin() + static_cast<ptrdiff_t>((end - m.start) >> layout::kPageShift));
            kept.push_back(std::move(right));
        }
    }
    m_file_mappings = std::move(kept);
    return result;
}

void Process::reload_file_mappings(uint64_t addr, uint64_t len)
{
    const uint64_t end = addr + len;
    for (auto& m : m_file_mappings) {
        const uint64_t from = std::max(m.start, addr), to = std::min(m.end, end);
        if (from >= to)
            continue;
        const AddressSpace::HostAccess reach(*m_mem, from, to - from);
        for (uint64_t a = from; a < to; a += layout::kPageSize) {
            if (!m_mem->is_committed(a))
                continue;
            uint8_t* page = m_mem->base() + a;
            const ssize_t n = ::pread(m.file->host_fd, page, layout::kPageSize, static_cast<off_t>(m.offset + (a - m.start)));
            std::fill(page + std::max<ssize_t>(n, 0), page + layout::kPageSize, uint8_t{0});
            m.hashes[(a - m.start) >> layout::kPageShift] = page_hash(page);
        }
    }
}

void Process::write_back_all_file_mappings()
{
    if (!m_file_mappings.empty() && m_mem)
        (void)write_back_file_mappings(0, layout::kSize, WriteBack::Unmap);
}

}  // namespace vireo::sandbox
