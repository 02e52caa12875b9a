// The system call layer's front: decoding an ecall (riscv64 Linux ABI: number in a7, arguments in
// a0-a5, result or -errno in a0), dispatch to the families, tracing, and Vireo's own calls (host
// functions, vireo_pause).
//
// Policy for what the guest gets wrong: a bad pointer, descriptor or flag is -EFAULT/-EBADF/-EINVAL
// in a0, exactly as from Linux; nothing a guest passes can make Vireo abort or touch host memory
// outside the guest's own arena.
#include <poll.h>

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>

#include "base/bytes.hpp"
#include "sandbox/process.hpp"
#include "sandbox/syscall_numbers.hpp"

namespace vireo::sandbox {

const char* syscall_name(uint64_t number)
{
    switch (number) {
#define VIREO_SYSCALL_NAME(name, num) \
    case num: return #name;
        VIREO_SYSCALLS(VIREO_SYSCALL_NAME)
#undef VIREO_SYSCALL_NAME
    default: return nullptr;
    }
}

namespace {

// Syscalls whose first (or second, for *at) argument is a path: shown as a string in traces.
int path_argument(uint64_t nr)
{
    switch (nr) {
    case nr::openat: case nr::newfstatat: case nr::statx: case nr::readlinkat: case nr::faccessat:
    case nr::faccessat2: case nr::mkdirat: case nr::unlinkat: case nr::fchmodat: case nr::fchownat:
    case nr::utimensat: case nr::renameat: case nr::renameat2: case nr::linkat: case nr::mknodat:
    case nr::execveat:
        return 1;
    case nr::chdir: case nr::truncate: case nr::statfs: case nr::execve:
        return 0;
    case nr::symlinkat:
        return 2;
    default:
        return -1;
    }
}

}  // namespace

void Process::do_syscall(Thread& t)
{
    GuestHart& h = *t.hart;
    const uint64_t nr = h.reg(17);
    const uint64_t a[6] = {h.reg(10), h.reg(11), h.reg(12), h.reg(13), h.reg(14), h.reg(15)};
    h.set_pc(h.pc() + 4);   // ecall has no compressed form

    if (nr == nr::rt_sigreturn) {
        sigreturn(t);
        if (m_config.trace_syscalls)
            std::fprintf(stderr, "[vireo %d] rt_sigreturn() -> pc 0x%" PRIx64 "\n", t.tid, h.pc());
        if (m_stop == Stop::None)
            deliver_pending(t);
        return;
    }

    int64_t ret = -ENOSYS;
    bool handled = false;
    if (nr == kPauseSyscall) {
        handled = true;
        ret = 0;
        m_stop = Stop::Paused;
    } else if (nr >= kHostCallBase && nr < kHostCallBase + kMaxHostFunctions) {
        handled = true;
        const HostFunction& fn = m_host_functions[nr - kHostCallBase];
        if (fn && m_sandbox) {
            HostCall call{*m_sandbox, {a[0], a[1], a[2], a[3], a[4], a[5]}};
            ret = static_cast<int64_t>(fn(call));
        }
    }
    if (!handled)
        ret = syscall_fs(nr, a, handled);
    if (!handled)
        ret = syscall_mm(nr, a, handled);
    if (!handled)
        ret = syscall_signal(t, nr, a, handled);
    if (!handled)
        ret = syscall_sys(t, nr, a, handled);
    if (!handled)
        ret = syscall_net(nr, a, handled);
    if (!handled)
        ret = syscall_poll(t, nr, a, handled);

    if (m_config.trace_syscalls) {
        const char* name = syscall_name(nr);
        char label[32];
        if (!name) {
            std::snprintf(label, sizeof label, "syscall_%" PRIu64, nr);
            name = label;
        }
        std::string shown;
        const int pa = path_argument(nr);
        for (int i = 0; i < 6; ++i) {
            if (i)
                shown += ", ";
            int err = 0;
            std::optional<std::string> s;
            if (i == pa)
                s = m_mem->read_string(a[i], 256, err);
            if (s) {
                shown += "\"" + *s + "\"";
            } else {
                char buf[24];
                std::snprintf(buf, sizeof buf, "0x%" PRIx64, a[i]);
                shown += buf;
            }
        }
        if (ret == kBlocked || ret == kRestart)
            std::fprintf(stderr, "[vireo %d] %s(%s) = <blocks>\n", t.tid, name, shown.c_str());
        else if (ret == kNoResult)
            std::fprintf(stderr, "[vireo %d] %s(%s) = <new program>\n", t.tid, name, shown.c_str());
        else if (ret < 0 && ret > -4096)
            std::fprintf(stderr, "[vireo %d] %s(%s) = -%s\n", t.tid, name, shown.c_str(), strerrorname_np(static_cast<int>(-ret)) ? strerrorname_np(static_cast<int>(-ret)) : "?");
        else
            std::fprintf(stderr, "[vireo %d] %s(%s) = %" PRId64 " (0x%" PRIx64 ")\n", t.tid, name, shown.c_str(), ret, static_cast<uint64_t>(ret));
        // Once per number (and at most for 4096 numbers: a guest cannot grow this without bound).
        if (!handled && m_reported_unknown.size() < 4096 && m_reported_unknown.insert(nr).second)
            std::fprintf(stderr, "[vireo] unknown system call %" PRIu64 "%s%s: the program gets -ENOSYS\n", nr,
                         syscall_name(nr) ? " " : "", syscall_name(nr) ? syscall_name(nr) : "");
    }

    t.io_resumed = false;
    t.resumed_deadline.reset();
    if (ret != kRestart)
        t.io_done = 0;
    if (ret == kBlocked) {
        h.request_stop();
    } else if (ret == kRestart) {
        h.set_pc(h.pc() - 4);   // back on the ecall, which runs again when the thread is woken
        h.request_stop();
    } else if (ret != kNoResult) {
        h.set_reg(10, static_cast<uint64_t>(ret));
    }
    after_memory_change();
    if (m_stop != Stop::None) {
        h.request_stop();
        return;
    }
    if (m_forwarding_signals)
        take_host_signals();
    if (t.state == Thread::State::Runnable)
        deliver_pending(t);
}

// ---- helpers shared by the families ----

int Process::read_iovec(uint64_t iov_addr, uint64_t count, riscv::Access access, std::vector<struct iovec>& out)
{
    if (count > static_cast<uint64_t>(kMaxIov))
        return -EINVAL;
    const uint8_t* raw = m_mem->readable(iov_addr, count * 16);
    if (!raw)
        return -EFAULT;
    out.resize(count);
    uint64_t total = 0;
    for (uint64_t i = 0; i < count; ++i) {
        const uint64_t base = load_le<uint64_t>(raw + i * 16);
        uint64_t len = load_le<uint64_t>(raw + i * 16 + 8);
        if (len > kMaxRw - total)
            len = kMaxRw - total;   // Linux's MAX_RW_COUNT: longer vectors are cut short
        total += len;
        uint8_t* p = m_mem->access(base, len, access);
        if (!p)
            return -EFAULT;
        out[i] = {p, len};
    }
    return 0;
}

int Process::resolve_base(int64_t dirfd, std::string& base)
{
    constexpr int64_t AT_FDCWD_ = -100;
    if (static_cast<int32_t>(dirfd) == AT_FDCWD_) {
        base = m_cwd;
        return 0;
    }
    OpenFile* f = m_fds.get(static_cast<int>(dirfd));
    if (!f)
        return -EBADF;
    if (f->kind != OpenFile::Kind::Directory)
        return -ENOTDIR;
    base = f->path;
    return 0;
}

int Process::walk_at(int64_t dirfd, uint64_t path_addr, FileSystem::Follow follow, FileSystem::Walk& out, bool empty_ok)
{
    int err = 0;
    auto path = m_mem->read_string(path_addr, 4096, err);
    if (!path)
        return err;
    if (path->empty() && !empty_ok)
        return -ENOENT;
    std::string base;
    if ((*path)[0] != '/' || path->empty()) {
        if (int r = resolve_base(dirfd, base); r != 0)
            return r;
    }
    // Names under /proc are Vireo's own (procfs.cpp), never the root's.
    if (path->empty()) {
        if (int r = walk_proc("/", base, FileSystem::Follow::Yes, out); r != 1)
            return r;
        return m_fs->walk("/", base, FileSystem::Follow::Yes, out);
    }
    const std::string_view from = base.empty() ? std::string_view("/") : std::string_view(base);
    if (int r = walk_proc(from, *path, follow, out); r != 1)
        return r;
    return m_fs->walk(from, *path, follow, out);
}

}  // namespace vireo::sandbox
