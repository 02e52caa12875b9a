// Memory system calls: brk, mmap (anonymous, and files by copying), munmap, mprotect, mremap,
// madvise, msync. What a MAP_SHARED file mapping's copy gets written back to the file is
// file_mappings.cpp's. Every success or failure is decided by AddressSpace, which enforces the memory limit:
// over it, the guest gets ENOMEM (malloc returns NULL), never the host.
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>

#include "sandbox/process.hpp"
#include "sandbox/syscall_numbers.hpp"

namespace vireo::sandbox {

namespace {

// mmap flags, asm-generic (as on x86-64).
constexpr uint64_t kMapShared = 0x01, kMapPrivate = 0x02, kMapSharedValidate = 0x03, kMapFixed = 0x10;
constexpr uint64_t kMapAnonymous = 0x20, kMapFixedNoreplace = 0x100000;
constexpr uint64_t kMremapMaymove = 1, kMremapFixed = 2;

}  // namespace

int64_t Process::syscall_mm(uint64_t nr, const uint64_t* a, bool& handled)
{
    handled = true;
    switch (nr) {
    case nr::brk:
        return static_cast<int64_t>(m_mem->brk(a[0]));
    case nr::mmap: {
        const uint64_t addr = a[0], flags = a[3], offset = a[5];
        const auto prot = static_cast<unsigned>(a[2]);
        if (a[1] == 0 || a[1] > layout::kSize)
            return -EINVAL;
        const uint64_t len = page_up(a[1]);
        if (offset % layout::kPageSize || (prot & ~7u))
            return -EINVAL;
        const uint64_t type = flags & 3;
        if (type != kMapShared && type != kMapPrivate && type != kMapSharedValidate)
            return -EINVAL;
        OpenFile* file = nullptr;
        if (!(flags & kMapAnonymous)) {
            file = m_fds.get(static_cast<int>(a[4]));
            if (!file)
                return -EBADF;
            if (file->kind == OpenFile::Kind::Device) {
                // /dev/zero maps as anonymous memory; other devices cannot be mapped.
                // FIXME: tell /dev/zero apart from the other virtual devices.
            } else if (file->kind != OpenFile::Kind::File) {
                return -ENODEV;
            }
            const int fl = ::fcntl(file->host_fd, F_GETFL);
            if (fl < 0 || (fl & O_ACCMODE) == O_WRONLY)
                return -EACCES;
            if (type != kMapPrivate && (prot & PROT_WRITE) && (fl & O_ACCMODE) != O_RDWR)
                return -EACCES;
        }
        const bool shared_writable = file && file->kind == OpenFile::Kind::File && type != kMapPrivate &&
                                     (::fcntl(file->host_fd, F_GETFL) & O_ACCMODE) == O_RDWR;
        uint64_t where = 0;
        if (flags & (kMapFixed | kMapFixedNoreplace)) {
            if (addr % layout::kPageSize || !AddressSpace::guest_range(addr, len))
                return (flags & kMapFixed) ? -EINVAL : -ENOMEM;
            if ((flags & kMapFixedNoreplace) && !m_mem->is_free(addr, len))
                return -EEXIST;
            where = addr;
            (void)write_back_file_mappings(where, len, WriteBack::Unmap);   // what it replaces
        } else {
            auto found = m_mem->find_free(len, addr);
            if (!found)
                return -ENOMEM;
            where = *found;
        }
        const bool from_file = file && file->kind == OpenFile::Kind::File;
        if (int r = m_mem->map(where, len, prot, from_file ? AddressSpace::Commit::Always : AddressSpace::Commit::IfAccessible); r != 0)
            return r;
        if (from_file) {
            // A copy of the file's bytes; past its end, zeros (Linux would raise SIGBUS there).
            // A shared one, of a file open for writing, is written back (file_mappings.cpp).
            uint8_t* dst = m_mem->base() + where;
            const AddressSpace::HostAccess reach(*m_mem, where, len);   // a PROT_NONE mapping gets its bytes too
            uint64_t done = 0;
            while (done < len) {
                const ssize_t n = ::pread(file->host_fd, dst + done, len - done, static_cast<off_t>(offset + done));
                if (n < 0) {
                    const int err = errno;
                    m_mem->unmap(where, len);
                    return -err;
                }
                if (n == 0)
                    break;
                done += static_cast<uint64_t>(n);
            }
            if (shared_writable)
                track_file_mapping(where, len, m_fds.share(static_cast<int>(a[4])), offset);
        }
        return static_cast<int64_t>(where);
    }
    case nr::munmap: {
        if (a[0] % layout::kPageSize || a[1] == 0)
            return -EINVAL;
        const uint64_t len = page_up(a[1]);
        if (!AddressSpace::guest_range(a[0], len))
            return -EINVAL;
        (void)write_back_file_mappings(a[0], len, WriteBack::Unmap);
        return m_mem->unmap(a[0], len);
    }
    case nr::mprotect: {
        if (a[0] % layout::kPageSize)
            return -EINVAL;
        if (a[1] == 0)
            return 0;
        const uint64_t len = page_up(a[1]);
        // PROT_GROWSDOWN/GROWSUP (0x01000000/0x02000000) are accepted and ignored.
        const uint64_t prot = a[2] & ~0x03000000ull;
        if (prot & ~7ull)
            return -EINVAL;
        if (!AddressSpace::guest_range(a[0], len))
            return -ENOMEM;
        return m_mem->protect(a[0], len, static_cast<unsigned>(prot));
    }
    case nr::mremap: {
        const uint64_t flags = a[3];
        if (flags & ~(kMremapMaymove | kMremapFixed))
            return -EINVAL;
        std::optional<uint64_t> fixed;
        if (flags & kMremapFixed)
            fixed = a[4];
        // A shared file mapping that moves or shrinks goes back to its file first; the moved copy
        // is then private (FIXME: carry the tracking along).
        if (a[0] % layout::kPageSize == 0 && AddressSpace::guest_range(a[0], page_up(a[1])))
            (void)write_back_file_mappings(a[0], page_up(a[1]), WriteBack::Unmap);
        if (fixed && *fixed % layout::kPageSize == 0 && AddressSpace::guest_range(*fixed, page_up(a[2])))
            (void)write_back_file_mappings(*fixed, page_up(a[2]), WriteBack::Unmap);
        return m_mem->remap(a[0], a[1], a[2], (flags & kMremapMaymove) != 0, fixed);
    }
    case nr::madvise: {
        if (a[0] % layout::kPageSize)
            return -EINVAL;
        if (a[1] == 0)
            return 0;
        const uint64_t len = page_up(a[1]);
        if (!AddressSpace::guest_range(a[0], len))
            return -ENOMEM;
        if (a[2] == MADV_DONTNEED) {
            // Private anonymous memory reads back as zero (private file copies too: FIXME, they
            // should read the file again, as the shared ones do below).
            if (!m_mem->is_mapped(a[0], len))
                return -ENOMEM;
            // A shared file mapping's pages read the file again, with what was written to them.
            (void)write_back_file_mappings(a[0], len, WriteBack::Async);
            m_mem->discard(a[0], len);
            reload_file_mappings(a[0], len);
        }
        return 0;
    }
    case nr::msync: {
        constexpr uint64_t kMsAsync = 1, kMsInvalidate = 2, kMsSync = 4;
        if (a[0] % layout::kPageSize || (a[2] & ~(kMsAsync | kMsInvalidate | kMsSync)) ||
            (a[2] & (kMsAsync | kMsSync)) == (kMsAsync | kMsSync))
            return -EINVAL;
        if (a[1] == 0)
            return 0;
        const uint64_t len = page_up(a[1]);
        if (!AddressSpace::guest_range(a[0], len) || !m_mem->is_mapped(a[0], len))
            return -ENOMEM;   // msync(2): "the indicated memory (or part of it) was not mapped"
        return write_back_file_mappings(a[0], len, (a[2] & kMsSync) ? WriteBack::Sync : WriteBack::Async);
    }
    case nr::mlock:
    case nr::munlock:
    case nr::mlockall:
    case nr::munlockall:
        return 0;
    case nr::mincore:
        return -ENOSYS;
    default:
        handled = false;
        return -ENOSYS;
    }
}

}  // namespace vireo::sandbox
