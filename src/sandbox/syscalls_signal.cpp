// Signal system calls: rt_sigaction, rt_sigprocmask, sigaltstack, kill/tkill/tgkill (to the
// program itself only: it has no way to name a host process), rt_sigpending, rt_sigsuspend.
#include <signal.h>

#include <cerrno>
#include <csignal>

#include "base/bytes.hpp"
#include "sandbox/process.hpp"
#include "sandbox/syscall_numbers.hpp"

namespace vireo::sandbox {

namespace {

constexpr uint64_t kUnblockable = (1ull << (SIGKILL - 1)) | (1ull << (SIGSTOP - 1));
constexpr int kSigBlock = 0, kSigUnblock = 1, kSigSetmask = 2;
constexpr int kSsOnstack = 1, kSsDisable = 2;
constexpr uint64_t kMinSigStackSize = 2048;   // MINSIGSTKSZ
constexpr int kSiUser = 0, kSiTkill = -6;

}  // namespace

int64_t Process::syscall_signal(Thread& t, uint64_t nr, const uint64_t* a, bool& handled)
{
    handled = true;
    switch (nr) {
    case nr::rt_sigaction: {
        const auto sig = static_cast<int64_t>(a[0]);
        if (sig < 1 || sig > 64 || a[3] != 8)
            return -EINVAL;
        SigAction& action = m_actions[static_cast<size_t>(sig)];
        if (a[2]) {
            uint8_t* p = m_mem->writable(a[2], 24);
            if (!p)
                return -EFAULT;
            store_le<uint64_t>(p, action.handler);
            store_le<uint64_t>(p + 8, action.flags);
            store_le<uint64_t>(p + 16, action.mask);
        }
        if (a[1]) {
            if (sig == SIGKILL || sig == SIGSTOP)
                return -EINVAL;
            const uint8_t* p = m_mem->readable(a[1], 24);
            if (!p)
                return -EFAULT;
            action.handler = load_le<uint64_t>(p);
            action.flags = load_le<uint64_t>(p + 8);
            action.mask = load_le<uint64_t>(p + 16) & ~kUnblockable;
            // Setting SIG_IGN discards what is pending (POSIX.1-2008, 2.4.1).
            if (signal_ignored(static_cast<int>(sig)))
                for (auto& th : m_threads)
                    th->pending &= ~(1ull << (sig - 1));
        }
        return 0;
    }
    case nr::rt_sigprocmask: {
        if (a[3] != 8)
            return -EINVAL;
        const uint64_t old = t.sigmask;
        if (a[1]) {
            uint64_t set = 0;
            if (!m_mem->read(a[1], set))
                return -EFAULT;
            switch (static_cast<int>(a[0])) {
            case kSigBlock: t.sigmask |= set; break;
            case kSigUnblock: t.sigmask &= ~set; break;
            case kSigSetmask: t.sigmask = set; break;
            default: return -EINVAL;
            }
            t.sigmask &= ~kUnblockable;
        }
        if (a[2] && !m_mem->write(a[2], old))
            return -EFAULT;
        return 0;   // newly unblocked pending signals are delivered on the way out (do_syscall)
    }
    case nr::rt_sigpending: {
        if (a[1] != 8)
            return -EINVAL;
        return m_mem->write(a[0], t.pending & t.sigmask) ? 0 : -EFAULT;
    }
    case nr::rt_sigsuspend: {
        if (a[1] != 8)
            return -EINVAL;
        uint64_t mask = 0;
        if (!m_mem->read(a[0], mask))
            return -EFAULT;
        t.saved_sigmask = t.sigmask;
        t.restore_sigmask = true;
        t.sigmask = mask & ~kUnblockable;
        if (t.pending & ~t.sigmask)
            return -EINTR;   // delivered at once on the way out; the handler's return restores the mask
        block(t, Thread::State::SigSuspend, std::nullopt);
        return kBlocked;
    }
    case nr::sigaltstack: {
        const uint64_t sp = t.hart->reg(2);
        const bool on_stack = t.altstack_flags != kSsDisable && sp - t.altstack_sp < t.altstack_size;
        if (a[1]) {
            uint8_t* p = m_mem->writable(a[1], 24);
            if (!p)
                return -EFAULT;
            store_le<uint64_t>(p, t.altstack_sp);
            store_le<int32_t>(p + 8, on_stack ? kSsOnstack : t.altstack_flags);
            store_le<int32_t>(p + 12, 0);
            store_le<uint64_t>(p + 16, t.altstack_size);
        }
        if (a[0]) {
            const uint8_t* p = m_mem->readable(a[0], 24);
            if (!p)
                return -EFAULT;
            if (on_stack)
                return -EPERM;
            const uint64_t ss_sp = load_le<uint64_t>(p);
            const int flags = load_le<int32_t>(p + 8);
            const uint64_t size = load_le<uint64_t>(p + 16);
            if (flags == kSsDisable) {
                t.altstack_flags = kSsDisable;
                t.altstack_sp = t.altstack_size = 0;
            } else if (flags == 0 || flags == kSsOnstack) {
                if (size < kMinSigStackSize)
                    return -ENOMEM;
                t.altstack_sp = ss_sp;
                t.altstack_size = size;
                t.altstack_flags = 0;
            } else {
                return -EINVAL;
            }
        }
        return 0;
    }
    case nr::kill: {
        const auto pid = static_cast<int32_t>(a[0]);
        const auto sig = static_cast<int64_t>(a[1]);
        if (sig < 0 || sig > 64)
            return -EINVAL;
        // Its own children (forked guest processes) are host processes of its own making.
        if (m_children.count(pid))
            return ::kill(pid, static_cast<int>(sig)) == 0 ? 0 : -errno;
        // The program's own pid, its process group (0) or "everyone it may signal" (-1): itself.
        if (pid != m_pid && pid != 0 && pid != -1 && pid != -m_pid)
            return -ESRCH;
        if (sig == 0)
            return 0;
        SigInfo info;
        info.signo = static_cast<int>(sig);
        info.code = kSiUser;
        info.pid = m_pid;
        post_signal(nullptr, static_cast<int>(sig), info);
        return 0;
    }
    case nr::tkill:
    case nr::tgkill: {
        const auto tid = static_cast<int32_t>(nr == nr::tgkill ? a[1] : a[0]);
        const auto sig = static_cast<int64_t>(nr == nr::tgkill ? a[2] : a[1]);
        if (nr == nr::tgkill && static_cast<int32_t>(a[0]) != m_pid)
            return -ESRCH;
        if (sig < 0 || sig > 64)
            return -EINVAL;
        Thread* target = thread_by_tid(tid);
        if (!target)
            return -ESRCH;
        if (sig == 0)
            return 0;
        SigInfo info;
        info.signo = static_cast<int>(sig);
        info.code = kSiTkill;
        info.pid = m_pid;
        post_signal(target, static_cast<int>(sig), info);
        return 0;
    }
    case nr::rt_sigtimedwait:
    case nr::rt_sigqueueinfo:
        return -ENOSYS;
    default:
        handled = false;
        return -ENOSYS;
    }
}

}  // namespace vireo::sandbox
