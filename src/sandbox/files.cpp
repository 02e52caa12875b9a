// The guest's file descriptor table: see files.hpp.
#include "sandbox/files.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace vireo::sandbox {

OpenFile::~OpenFile()
{
    if (owned && host_fd >= 0)
        ::close(host_fd);
}

int FdTable::add(std::shared_ptr<OpenFile> file, bool cloexec, int min_fd)
{
    if (min_fd < 0 || min_fd >= kMax)
        return -EINVAL;
    for (int fd = min_fd; fd < kMax; ++fd) {
        if (fd >= end())
            m_entries.resize(static_cast<size_t>(fd) + 1);
        auto& e = m_entries[static_cast<size_t>(fd)];
        if (!e.file) {
            e.file = std::move(file);
            e.cloexec = cloexec;
            return fd;
        }
    }
    return -EMFILE;
}

int FdTable::put(int fd, std::shared_ptr<OpenFile> file, bool cloexec)
{
    if (fd < 0 || fd >= kMax)
        return -EBADF;
    if (fd >= end())
        m_entries.resize(static_cast<size_t>(fd) + 1);
    auto& e = m_entries[static_cast<size_t>(fd)];
    e.file = std::move(file);  // the previous file closes when its last descriptor goes
    e.cloexec = cloexec;
    return fd;
}

OpenFile* FdTable::get(int fd) const
{
    if (fd < 0 || fd >= end())
        return nullptr;
    return m_entries[static_cast<size_t>(fd)].file.get();
}

std::shared_ptr<OpenFile> FdTable::share(int fd) const
{
    if (fd < 0 || fd >= end())
        return nullptr;
    return m_entries[static_cast<size_t>(fd)].file;
}

int FdTable::close(int fd)
{
    if (!get(fd))
        return -EBADF;
    m_entries[static_cast<size_t>(fd)].file.reset();
    while (!m_entries.empty() && !m_entries.back().file)
        m_entries.pop_back();
    return 0;
}

bool FdTable::cloexec(int fd) const { return get(fd) && m_entries[static_cast<size_t>(fd)].cloexec; }

void FdTable::set_cloexec(int fd, bool on)
{
    if (get(fd))
        m_entries[static_cast<size_t>(fd)].cloexec = on;
}

std::vector<int> FdTable::open_numbers() const
{
    std::vector<int> out;
    for (int fd = 0; fd < end(); ++fd)
        if (get(fd))
            out.push_back(fd);
    return out;
}

void FdTable::close_except(const std::vector<int>& keep)
{
    for (int fd = 0; fd < end(); ++fd)
        if (get(fd) && !std::binary_search(keep.begin(), keep.end(), fd))
            m_entries[static_cast<size_t>(fd)].file.reset();
    while (!m_entries.empty() && !m_entries.back().file)
        m_entries.pop_back();
}

}  // namespace vireo::sandbox
