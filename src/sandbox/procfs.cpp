// Vireo's own /proc. The host's /proc is never reached: every name under /proc is answered here,
// from the process's own state, whatever the root holds at /proc (as a procfs mounted there would
// hide it).
//
//   /proc                cpuinfo, meminfo, uptime, self -> PID, PID/
//   /proc/PID/           cmdline, environ (read from guest memory, as Linux does), comm, status,
//                        maps (the guest's address space: guest addresses only), exe -> the
//                        program (opening it reads the program's bytes), cwd -> the working
//                        directory, root -> /, fd/ (one link per open descriptor: opening one
//                        opens that descriptor's file, as a dup)
//
// Only this process exists: any other pid is ENOENT. /proc/PID/root and /proc/PID/cwd lead back
// into the walls: what follows them is walked from / or the working directory, inside the root.
// The files are read-only (EACCES for writing); an open file is a sealed host memfd holding the
// text made at open, so read, lseek, fstat and mmap behave as on a regular file.
//
// Names are matched after a lexical normalisation of the whole path, before any walk: a symlink
// inside the root that points into /proc leads to the root's own folder, not here.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cinttypes>
#include <cstdarg>
#include <cstdio>
#include <cstring>

#include "sandbox/process.hpp"
#include "sandbox/vfs.hpp"

namespace vireo::sandbox {

namespace {

constexpr uint8_t kDtDir = 4, kDtReg = 8, kDtLnk = 10;
constexpr size_t kMaxMapsLines = 65530;   // Linux's default vm.max_map_count
constexpr dev_t kProcDev = 0x16;           // a device number for /proc's own inodes

std::string format(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
std::string format(const char* fmt, ...)
{
    char buf[512];
    va_list args;
    va_start(args, fmt);
    const int n = std::vsnprintf(buf, sizeof buf, fmt, args);
    va_end(args);
    return std::string(buf, n < 0 ? 0 : std::min<size_t>(static_cast<size_t>(n), sizeof buf - 1));
}

// A sealed memfd holding `text`, positioned at its start: the host side of an open /proc file.
int sealed_file(const std::string& text)
{
    const int fd = ::memfd_create("vireo-proc", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0)
        return -errno;
    size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n <= 0) {
            const int error = n < 0 ? errno : EIO;
            ::close(fd);
            return -error;
        }
        done += static_cast<size_t>(n);
    }
    (void)::fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL);
    // The guest opened it read-only: a read-only descriptor of the same file makes write() EBADF
    // and F_GETFL O_RDONLY, as for any file. (Vireo's own use of the host's /proc, never the
    // guest's; without it, the sealed read-write one does, and writes fail with EPERM.)
    char self[64];
    std::snprintf(self, sizeof self, "/proc/self/fd/%d", fd);
    const int read_only = ::open(self, O_RDONLY | O_CLOEXEC);
    if (read_only >= 0) {
        ::close(fd);
        return read_only;
    }
    (void)::lseek(fd, 0, SEEK_SET);
    return fd;
}

}  // namespace

std::string Process::proc_fd_target(const OpenFile& f) const
{
    struct stat st {};
    const bool known = ::fstat(f.host_fd, &st) == 0;
    switch (f.kind) {
    case OpenFile::Kind::File:
    case OpenFile::Kind::Directory:
    case OpenFile::Kind::Device:
        return f.path;
    case OpenFile::Kind::EventFd: return "anon_inode:[eventfd]";
    case OpenFile::Kind::Epoll: return "anon_inode:[eventpoll]";
    case OpenFile::Kind::Pipe:
    case OpenFile::Kind::Socket:
    case OpenFile::Kind::Stdio: break;
    }
    // Pipes and sockets by inode, as Linux names them (programs compare these to pair ends up);
    // the inherited stdio, whatever it is on the host, by its standard name.
    if (known && S_ISFIFO(st.st_mode))
        return format("pipe:[%" PRIu64 "]", static_cast<uint64_t>(st.st_ino));
    if (known && S_ISSOCK(st.st_mode))
        return format("socket:[%" PRIu64 "]", static_cast<uint64_t>(st.st_ino));
    static const char* const kStdio[] = {"/dev/stdin", "/dev/stdout", "/dev/stderr"};
    return f.host_fd >= 0 && f.host_fd < 3 ? kStdio[f.host_fd] : "/dev/tty";
}

std::string Process::proc_maps() const
{
    std::string out;
    const uint64_t stack_low = layout::kStackTop - layout::kStackMax;
    const uint64_t heap_low = m_mem->brk_start(), heap_high = page_up(m_mem->brk_end());
    // Runs of equal permissions, cut where the heap begins and ends (it follows the program's
    // data directly, so one run may hold both), as Linux keeps them apart.
    std::vector<AddressSpace::Run> runs;
    for (auto run : m_mem->runs(kMaxMapsLines)) {
        for (uint64_t cut : {heap_low, heap_high}) {
            if (heap_high > heap_low && run.start < cut && cut < run.end) {
                runs.push_back({run.start, cut, run.prot});
                run.start = cut;
            }
        }
        runs.push_back(run);
    }
    for (const auto& run : runs) {
        const char* name = "";
        if (run.start >= stack_low && run.end <= layout::kStackTop)
            name = "[stack]";
        else if (run.start >= heap_low && run.end <= heap_high)
            name = "[heap]";
        else if (run.start >= layout::kReservedBase)
            name = "[sigpage]";   // Vireo's sigreturn trampoline (ARM Linux's name for the same)
        std::string line = format("%08" PRIx64 "-%08" PRIx64 " %c%c%cp 00000000 00:00 0", run.start, run.end,
                                  (run.prot & 1) ? 'r' : '-', (run.prot & 2) ? 'w' : '-', (run.prot & 4) ? 'x' : '-');
        if (*name) {
            line.resize(std::max<size_t>(line.size() + 1, 73), ' ');   // Linux pads names to column 73
            line += name;
        }
        out += line + "\n";
    }
    return out;
}

std::string Process::proc_status() const
{
    size_t threads = 0;
    for (const auto& t : m_threads)
        threads += t->state != Thread::State::Exited;
    uint64_t ignored = 0, caught = 0;
    for (int sig = 1; sig <= 64; ++sig) {
        const uint64_t handler = m_actions[static_cast<size_t>(sig)].handler;
        if (handler == 1)
            ignored |= 1ull << (sig - 1);
        else if (handler > 1)
            caught |= 1ull << (sig - 1);
    }
    const std::string comm = proc_comm();
    const unsigned uid = ::getuid(), gid = ::getgid();
    const uint64_t kib = m_mem->committed_bytes() >> 10;
    std::string s;
    s += "Name:\t" + comm.substr(0, comm.size() - 1) + "\n";
    s += format("Umask:\t%04o\nState:\tR (running)\nTgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\nTracerPid:\t0\n", m_umask, m_pid,
                m_pid, m_ppid);
    s += format("Uid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\n", uid, uid, uid, uid, gid, gid, gid, gid);
    s += format("FDSize:\t%d\nGroups:\t\nVmPeak:\t%8" PRIu64 " kB\nVmSize:\t%8" PRIu64 " kB\nVmRSS:\t%8" PRIu64 " kB\n",
                FdTable::kMax, kib, kib, kib);
    s += format("Threads:\t%zu\nSigPnd:\t%016" PRIx64 "\nSigBlk:\t%016" PRIx64 "\nSigIgn:\t%016" PRIx64 "\nSigCgt:\t%016" PRIx64 "\n",
                threads, m_threads.empty() ? 0 : m_threads[m_current]->pending,
                m_threads.empty() ? 0 : m_threads[m_current]->sigmask, ignored, caught);
    s += "Cpus_allowed:\t1\nCpus_allowed_list:\t0\n";
    return s;
}

std::string Process::proc_comm() const
{
    const size_t slash = m_execfn.rfind('/');
    std::string name = slash == std::string::npos ? m_execfn : m_execfn.substr(slash + 1);
    return name.substr(0, 15) + "\n";   // TASK_COMM_LEN - 1
}

std::string Process::proc_guest_bytes(std::pair<uint64_t, uint64_t> area) const
{
    const auto [start, end] = area;
    if (end <= start)
        return {};
    const uint8_t* p = m_mem->readable(start, end - start);
    return p ? std::string(reinterpret_cast<const char*>(p), end - start) : std::string();
}

ProcNode Process::proc_node(const std::string& path, bool fill) const
{
    ProcNode node;
    const auto parts = path_components(path);   // parts[0] == "proc"
    const std::string pid = std::to_string(m_pid);
    auto file = [&](auto make) {
        node.type = ProcNode::Type::File;
        if (fill)
            node.text = make();
    };
    if (parts.size() == 1) {
        node.type = ProcNode::Type::Directory;
        node.entries = {{"cpuinfo", kDtReg}, {"meminfo", kDtReg}, {"uptime", kDtReg}, {"self", kDtLnk}, {pid, kDtDir}};
        return node;
    }
    const std::string& top = parts[1];
    if (parts.size() == 2) {
        if (top == "self") {
            node.type = ProcNode::Type::Link;
            node.text = pid;
        } else if (top == "cpuinfo") {
            file([] {
                return std::string("processor\t: 0\nhart\t\t: 0\nisa\t\t: rv64imafdc_zicsr_zifencei_zba_zbb_zbs\n"
                                   "mmu\t\t: sv39\nmvendorid\t: 0x0\nmarchid\t\t: 0x0\nmimpid\t\t: 0x0\n\n");
            });
        } else if (top == "meminfo") {
            file([&] {
                const uint64_t total = m_mem->limit_bytes() >> 10;
                const uint64_t used = std::min<uint64_t>(m_mem->tree_pages() << (layout::kPageShift - 10), total);
                return format("MemTotal:       %8" PRIu64 " kB\nMemFree:        %8" PRIu64 " kB\nMemAvailable:   %8" PRIu64
                              " kB\nBuffers:               0 kB\nCached:                0 kB\nSwapCached:            0 kB\n"
                              "SwapTotal:             0 kB\nSwapFree:              0 kB\n",
                              total, total - used, total - used);
            });
        } else if (top == "uptime") {
            file([&] {
                const double up = std::chrono::duration<double>(Clock::now() - m_start_time).count();
                return format("%.2f %.2f\n", up, 0.0);
            });
        }
        if (top != pid)
            return node;
        node.type = ProcNode::Type::Directory;
        node.entries = {{"cmdline", kDtReg}, {"comm", kDtReg}, {"cwd", kDtLnk}, {"environ", kDtReg}, {"exe", kDtLnk},
                        {"fd", kDtDir},      {"maps", kDtReg}, {"root", kDtLnk}, {"status", kDtReg}};
        return node;
    }
    if (top != pid)
        return node;
    const std::string& name = parts[2];
    if (parts.size() == 3) {
        if (name == "cmdline")
            file([&] { return proc_guest_bytes(m_args_area); });
        else if (name == "environ")
            file([&] { return proc_guest_bytes(m_env_area); });
        else if (name == "comm")
            file([&] { return proc_comm(); });
        else if (name == "maps")
            file([&] { return proc_maps(); });
        else if (name == "status")
            file([&] { return proc_status(); });
        else if (name == "cwd" || name == "root" || name == "exe") {
            node.type = name == "exe" ? ProcNode::Type::ExeLink : ProcNode::Type::Link;
            // The program is a host file, outside the guest's world: named as if it sat in /.
            node.text = name == "cwd" ? m_cwd : name == "root" ? "/" : normalize_path("/", m_execfn);
        } else if (name == "fd") {
            node.type = ProcNode::Type::Directory;
            for (int fd : m_fds.open_numbers())
                node.entries.emplace_back(std::to_string(fd), kDtLnk);
        }
        return node;
    }
    if (parts.size() == 4 && name == "fd") {
        const std::string& number = parts[3];
        if (number.empty() || number.size() > 4 || number.find_first_not_of("0123456789") != std::string::npos)
            return node;
        const OpenFile* f = m_fds.get(std::stoi(number));
        if (!f)
            return node;
        node.type = ProcNode::Type::FdLink;
        node.fd = std::stoi(number);
        node.text = proc_fd_target(*f);
    }
    return node;
}

int Process::walk_proc(std::string_view base, std::string_view path, FileSystem::Follow follow, FileSystem::Walk& out)
{
    const bool relative = path.empty() || path[0] != '/';
    if (path.find("proc") == std::string_view::npos && !(relative && base.starts_with("/proc")))
        return 1;
    // The path's names, resolved lexically while they are inside /proc: "self" (a link to this
    // process's folder) is followed unless it is the last name and the caller asked not to.
    std::vector<std::string> names = relative ? path_components(base) : std::vector<std::string>{};
    for (auto& name : path_components(path))
        names.push_back(std::move(name));
    const bool follow_last = follow == FileSystem::Follow::Yes || path.ends_with('/');
    const std::string pid = std::to_string(m_pid);
    std::vector<std::string> at;
    bool entered = false;
    for (size_t i = 0; i < names.size(); ++i) {
        const bool last = i + 1 == names.size();
        if (names[i] == ".")
            continue;
        if (names[i] == "..") {
            if (!at.empty())
                at.pop_back();
            continue;
        }
        at.push_back(at.size() == 1 && at[0] == "proc" && names[i] == "self" && (!last || follow_last) ? pid : names[i]);
        entered |= at[0] == "proc";
        // PID/root and PID/cwd lead back into the walls: the rest is walked from there, as a
        // path like any other (so ".." stops at the root).
        if (at.size() == 3 && at[0] == "proc" && at[1] == pid && (at[2] == "root" || at[2] == "cwd") && (!last || follow_last)) {
            std::string rest = at[2] == "root" ? "/" : m_cwd;
            for (size_t k = i + 1; k < names.size(); ++k)
                rest += "/" + names[k];
            return m_fs->walk("/", rest, follow, out);
        }
    }
    if (!entered)
        return 1;   // a path that merely has "proc" in it
    std::string canonical;
    for (const auto& name : at)
        canonical += "/" + name;
    if (at.empty() || at[0] != "proc")
        return m_fs->walk("/", canonical.empty() ? "/" : canonical, follow, out);   // back out of /proc
    if (proc_node(canonical, false).type == ProcNode::Type::None)
        return -ENOENT;
    out.device = VirtualDevice::Proc;
    out.path = canonical;
    out.name = at.back();
    out.read_only = true;
    return 0;
}

int64_t Process::open_proc(const std::string& path, int flags)
{
    ProcNode node = proc_node(path, true);
    const bool cloexec = flags & O_CLOEXEC;
    if (node.type == ProcNode::Type::FdLink) {
        // Opening the link opens its descriptor's file (a dup: Vireo cannot reopen a pipe end or
        // a file outside the walls by name).
        auto target = m_fds.share(node.fd);
        if (!target)
            return -ENOENT;
        if ((flags & O_DIRECTORY) && target->kind != OpenFile::Kind::Directory)
            return -ENOTDIR;
        return m_fds.add(std::move(target), cloexec);
    }
    if ((flags & O_ACCMODE) != O_RDONLY || (flags & (O_CREAT | O_TRUNC)))
        return -EACCES;
    if (node.type == ProcNode::Type::Link)
        return -ELOOP;   // only "self" is left as a link here, when opened with O_NOFOLLOW
    if (node.type == ProcNode::Type::ExeLink) {
        if (flags & O_NOFOLLOW)
            return -ELOOP;
        node.text.assign(m_program_bytes->begin(), m_program_bytes->end());
        node.type = ProcNode::Type::File;
    }
    const bool directory = node.type == ProcNode::Type::Directory;
    if ((flags & O_DIRECTORY) && !directory)
        return -ENOTDIR;
    const int host = sealed_file(directory ? std::string() : node.text);
    if (host < 0)
        return host;
    auto file = std::make_shared<OpenFile>(directory ? OpenFile::Kind::Directory : OpenFile::Kind::File, host, true, path);
    file->read_only_fs = true;
    file->synthetic = true;
    OpenFile* const opened = file.get();
    const int fd = m_fds.add(std::move(file), cloexec);
    // A directory's names as they are once it is open (fd/ then lists its own descriptor too).
    if (fd >= 0 && directory)
        opened->entries = proc_node(path, true).entries;
    return fd;
}

int Process::stat_proc(const std::string& path, bool follow, struct stat& st)
{
    const ProcNode node = proc_node(path, true);
    if (follow && node.type == ProcNode::Type::FdLink) {
        const OpenFile* f = m_fds.get(node.fd);
        if (!f)
            return -ENOENT;
        return stat_open_file(*f, st);
    }
    std::memset(&st, 0, sizeof st);
    st.st_dev = kProcDev;
    st.st_ino = std::hash<std::string>()(path) | 1;
    st.st_uid = ::getuid();
    st.st_gid = ::getgid();
    st.st_nlink = 1;
    st.st_blksize = 4096;
    struct timespec start {};
    ::clock_gettime(CLOCK_REALTIME, &start);
    st.st_atim = st.st_mtim = st.st_ctim = start;
    switch (node.type) {
    case ProcNode::Type::Directory:
        st.st_mode = S_IFDIR | 0555;
        st.st_nlink = 2;
        break;
    case ProcNode::Type::File:
        st.st_mode = S_IFREG | 0444;
        st.st_size = static_cast<off_t>(node.text.size());
        break;
    case ProcNode::Type::ExeLink:
        if (follow) {
            st.st_mode = S_IFREG | 0555;
            st.st_size = static_cast<off_t>(m_program_bytes->size());
            break;
        }
        [[fallthrough]];
    case ProcNode::Type::Link:
    case ProcNode::Type::FdLink:
        st.st_mode = S_IFLNK | (node.type == ProcNode::Type::FdLink ? 0700 : 0777);
        st.st_size = static_cast<off_t>(node.text.size());
        break;
    case ProcNode::Type::None:
        return -ENOENT;
    }
    return 0;
}

int Process::stat_open_file(const OpenFile& f, struct stat& st)
{
    if (::fstat(f.host_fd, &st) != 0)
        return -errno;
    if (f.synthetic) {
        // The memfd behind it says "regular file, 0777": say what the guest opened.
        st.st_dev = kProcDev;
        st.st_mode = f.kind == OpenFile::Kind::Directory ? S_IFDIR | 0555 : S_IFREG | 0444;
        st.st_nlink = f.kind == OpenFile::Kind::Directory ? 2 : 1;
    }
    return 0;
}

int64_t Process::read_proc_dir(OpenFile& f, uint8_t* out, uint64_t count)
{
    // struct linux_dirent64: d_ino (8), d_off (8), d_reclen (2), d_type (1), d_name; 8-aligned.
    const size_t total = f.entries.size() + 2;
    uint64_t written = 0;
    while (f.entry_pos < total) {
        const size_t i = f.entry_pos;
        const std::string name = i == 0 ? "." : i == 1 ? ".." : f.entries[i - 2].first;
        const uint8_t type = i < 2 ? kDtDir : f.entries[i - 2].second;
        const uint64_t reclen = (19 + name.size() + 1 + 7) & ~uint64_t{7};
        if (written + reclen > count)
            break;
        uint8_t* e = out + written;
        std::memset(e, 0, reclen);
        const uint64_t ino = i + 1, off = i + 1;
        std::memcpy(e, &ino, 8);
        std::memcpy(e + 8, &off, 8);
        const auto len16 = static_cast<uint16_t>(reclen);
        std::memcpy(e + 16, &len16, 2);
        e[18] = type;
        std::memcpy(e + 19, name.data(), name.size());
        written += reclen;
        ++f.entry_pos;
    }
    if (written == 0 && f.entry_pos < total)
        return -EINVAL;   // the buffer cannot hold the next entry
    return static_cast<int64_t>(written);
}

}  // namespace vireo::sandbox
