// Process, thread, time and identity system calls: exit, clone (threads), futex, clocks and
// sleeps, getrandom, uname, ids, limits, sysinfo, and the small ones glibc calls at start-up.
//
// The guest sees itself as pid 1000 with parent 1; no call takes a host pid, and kill/tgkill only
// reach the program's own threads (syscalls_signal.cpp).
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/times.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <ctime>

#include "base/bytes.hpp"
#include "sandbox/guest_time.hpp"
#include "sandbox/process.hpp"
#include "sandbox/syscall_numbers.hpp"

namespace vireo::sandbox {

namespace {

constexpr int kFutexWait = 0, kFutexWake = 1, kFutexRequeue = 3, kFutexCmpRequeue = 4, kFutexWakeOp = 5;
constexpr int kFutexWaitBitset = 9, kFutexWakeBitset = 10;
constexpr int kFutexPrivate = 128, kFutexClockRealtime = 256;
constexpr uint64_t kRlimInfinity = ~0ull;
constexpr uint64_t kRlimitStack = 3, kRlimitNofile = 7, kRlimitAs = 9, kRlimitData = 2;

int64_t host_result(int64_t r) { return r < 0 ? -errno : r; }

// Linux's FUTEX_WAKE_OP operation on the word at uaddr2 (futex(2)).
bool futex_op(uint32_t encoded, uint32_t old, uint32_t& out, bool& condition)
{
    const uint32_t op = (encoded >> 28) & 7, cmp = (encoded >> 24) & 15;
    uint32_t oparg = (encoded >> 12) & 0xfff, cmparg = encoded & 0xfff;
    if (encoded & (8u << 28))
        oparg = 1u << (oparg & 31);
    switch (op) {
    case 0: out = oparg; break;
    case 1: out = old + oparg; break;
    case 2: out = old | oparg; break;
    case 3: out = old & ~oparg; break;
    case 4: out = old ^ oparg; break;
    default: return false;
    }
    const auto o = static_cast<int32_t>(old), c = static_cast<int32_t>(cmparg);
    switch (cmp) {
    case 0: condition = o == c; break;
    case 1: condition = o != c; break;
    case 2: condition = o < c; break;
    case 3: condition = o <= c; break;
    case 4: condition = o > c; break;
    case 5: condition = o >= c; break;
    default: return false;
    }
    return true;
}

}  // namespace

int64_t Process::syscall_sys(Thread& t, uint64_t nr, const uint64_t* a, bool& handled)
{
    handled = true;
    switch (nr) {
    case nr::exit:
        exit_thread(t, static_cast<int>(a[0]));
        return 0;
    case nr::exit_group:
        exit_process(static_cast<int>(a[0]));
        return 0;
    case nr::set_tid_address:
        t.clear_child_tid = a[0];
        return t.tid;
    case nr::set_robust_list:
        if (a[1] != 24)
            return -EINVAL;
        t.robust_list = a[0];
        return 0;
    case nr::get_robust_list:
        return -EPERM;
    case nr::rseq:
    case nr::riscv_hwprobe:
    case nr::clone3:
        // glibc falls back: no rseq, no hwprobe (AT_HWCAP says IMAFDC), clone instead of clone3.
        return -ENOSYS;
    case nr::riscv_flush_icache:
        flush_code();   // the program wrote code (a JIT): translations of the old bytes go
        return 0;
    case nr::membarrier:
        return 0;
    case nr::clone:
        return clone_thread(t, a[0], a[1], a[2], a[3], a[4]);
    case nr::execve:
        return execve(t, -100, a[0], a[1], a[2], 0);
    case nr::execveat:
        return execve(t, static_cast<int64_t>(a[0]), a[1], a[2], a[3], static_cast<int>(a[4]));
    case nr::wait4:
        if (a[3]) {   // struct rusage: nothing measured, all zero
            uint8_t* p = m_mem->writable(a[3], 144);
            if (!p)
                return -EFAULT;
            std::memset(p, 0, 144);
        }
        return wait4(static_cast<int32_t>(a[0]), a[1], static_cast<int>(a[2]));
    case nr::waitid:
        return -ENOSYS;
    case nr::futex: {
        const int op = static_cast<int>(a[1]) & ~(kFutexPrivate | kFutexClockRealtime);
        const uint64_t uaddr = a[0];
        if (uaddr % 4)
            return -EINVAL;
        switch (op) {
        case kFutexWait:
        case kFutexWaitBitset: {
            const uint32_t bitset = op == kFutexWaitBitset ? static_cast<uint32_t>(a[5]) : ~0u;
            if (bitset == 0)
                return -EINVAL;
            uint32_t value = 0;
            if (!m_mem->read(uaddr, value))
                return -EFAULT;
            if (value != static_cast<uint32_t>(a[2]))
                return -EAGAIN;
            std::optional<Clock::time_point> deadline;
            if (a[3]) {
                std::chrono::nanoseconds d{};
                int err = 0;
                if (!read_timespec(*m_mem, a[3], d, err))
                    return err;
                if (op == kFutexWaitBitset) {
                    // An absolute time on CLOCK_MONOTONIC, or CLOCK_REALTIME with the flag.
                    struct timespec now {};
                    ::clock_gettime((a[1] & kFutexClockRealtime) ? CLOCK_REALTIME : CLOCK_MONOTONIC, &now);
                    const auto now_ns = std::chrono::seconds(now.tv_sec) + std::chrono::nanoseconds(now.tv_nsec);
                    d = d > now_ns ? d - now_ns : std::chrono::nanoseconds(0);
                }
                deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(d);
            }
            t.futex_addr = uaddr;
            t.futex_bitset = bitset;
            block(t, Thread::State::FutexWait, deadline);
            return kBlocked;
        }
        case kFutexWake:
        case kFutexWakeBitset: {
            const uint32_t bitset = op == kFutexWakeBitset ? static_cast<uint32_t>(a[5]) : ~0u;
            if (bitset == 0)
                return -EINVAL;
            return futex_wake(uaddr, static_cast<int>(std::min<uint64_t>(a[2], INT32_MAX)), bitset);
        }
        case kFutexRequeue:
        case kFutexCmpRequeue: {
            if (op == kFutexCmpRequeue) {
                uint32_t value = 0;
                if (!m_mem->read(uaddr, value))
                    return -EFAULT;
                if (value != static_cast<uint32_t>(a[5]))
                    return -EAGAIN;
            }
            int woken = futex_wake(uaddr, static_cast<int>(std::min<uint64_t>(a[2], INT32_MAX)));
            uint64_t requeue = std::min<uint64_t>(a[3], INT32_MAX);
            for (auto& th : m_threads) {
                if (requeue == 0)
                    break;
                if (th->state == Thread::State::FutexWait && th->futex_addr == uaddr) {
                    th->futex_addr = a[4];
                    --requeue;
                    ++woken;
                }
            }
            return woken;
        }
        case kFutexWakeOp: {
            uint32_t old = 0, updated = 0;
            bool condition = false;
            if (!m_mem->read(a[4], old))
                return -EFAULT;
            if (!futex_op(static_cast<uint32_t>(a[5]), old, updated, condition))
                return -ENOSYS;
            if (!m_mem->write(a[4], updated))
                return -EFAULT;
            int woken = futex_wake(uaddr, static_cast<int>(std::min<uint64_t>(a[2], INT32_MAX)));
            if (condition)
                woken += futex_wake(a[4], static_cast<int>(std::min<uint64_t>(a[3], INT32_MAX)));
            return woken;
        }
        default:
            return -ENOSYS;   // PI futexes
        }
    }
    case nr::sched_yield:
        if (m_threads.size() > 1)
            t.hart->request_stop();
        return 0;
    case nr::nanosleep:
    case nr::clock_nanosleep: {
        const uint64_t req = nr == nr::nanosleep ? a[0] : a[2];
        std::chrono::nanoseconds d{};
        int err = 0;
        if (!read_timespec(*m_mem, req, d, err))
            return err;
        if (nr == nr::clock_nanosleep && (a[1] & 1)) {   // TIMER_ABSTIME
            struct timespec now {};
            if (::clock_gettime(static_cast<clockid_t>(a[0]), &now) != 0)
                return -EINVAL;
            const auto now_ns = std::chrono::seconds(now.tv_sec) + std::chrono::nanoseconds(now.tv_nsec);
            d = d > now_ns ? d - now_ns : std::chrono::nanoseconds(0);
        }
        block(t, Thread::State::Sleeping, Clock::now() + std::chrono::duration_cast<Clock::duration>(d));
        return kBlocked;
    }
    case nr::clock_gettime: {
        struct timespec ts {};
        if (::clock_gettime(static_cast<clockid_t>(a[0]), &ts) != 0)
            return -errno;
        const int64_t out[2] = {ts.tv_sec, ts.tv_nsec};
        return m_mem->write(a[1], out) ? 0 : -EFAULT;
    }
    case nr::clock_getres: {
        struct timespec ts {};
        if (::clock_getres(static_cast<clockid_t>(a[0]), &ts) != 0)
            return -errno;
        const int64_t out[2] = {ts.tv_sec, ts.tv_nsec};
        return (a[1] == 0 || m_mem->write(a[1], out)) ? 0 : -EFAULT;
    }
    case nr::gettimeofday: {
        struct timeval tv {};
        ::gettimeofday(&tv, nullptr);
        const int64_t out[2] = {tv.tv_sec, tv.tv_usec};
        if (a[0] && !m_mem->write(a[0], out))
            return -EFAULT;
        if (a[1]) {
            const int32_t tz[2] = {0, 0};
            if (!m_mem->write(a[1], tz))
                return -EFAULT;
        }
        return 0;
    }
    case nr::times: {
        struct tms tm {};
        const clock_t ticks = ::times(&tm);
        const int64_t out[4] = {tm.tms_utime, tm.tms_stime, 0, 0};
        if (a[0] && !m_mem->write(a[0], out))
            return -EFAULT;
        return ticks;
    }
    case nr::getrandom: {
        const uint64_t len = std::min<uint64_t>(a[1], 32u << 20);
        uint8_t* p = m_mem->writable(a[0], len);
        if (!p)
            return -EFAULT;
        return host_result(::getrandom(p, len, static_cast<unsigned>(a[2]) & (GRND_NONBLOCK | GRND_RANDOM)));
    }
    case nr::uname: {
        uint8_t* p = m_mem->writable(a[0], 6 * 65);
        if (!p)
            return -EFAULT;
        std::memset(p, 0, 6 * 65);
        const char* fields[6] = {"Linux", "vireo", "6.1.0-vireo", "#1 SMP PREEMPT Vireo sandbox", "riscv64", "(none)"};
        for (int i = 0; i < 6; ++i)
            std::strncpy(reinterpret_cast<char*>(p + 65 * i), fields[i], 64);
        return 0;
    }
    case nr::sethostname:
    case nr::settimeofday:
    case nr::clock_settime:
    case nr::reboot:
    case nr::setuid:
    case nr::setgid:
    case nr::setreuid:
    case nr::setregid:
    case nr::setresuid:
    case nr::setresgid:
    case nr::setgroups:
    case nr::ptrace:
    case nr::seccomp:
    case nr::bpf:
    case nr::unshare:
        return -EPERM;
    case nr::setfsuid:
        return ::getuid();
    case nr::setfsgid:
        return ::getgid();
    case nr::getpid:
        return m_pid;
    case nr::gettid:
        return t.tid;
    case nr::getppid:
        return m_ppid;
    case nr::getuid:
        return ::getuid();
    case nr::geteuid:
        return ::geteuid();
    case nr::getgid:
        return ::getgid();
    case nr::getegid:
        return ::getegid();
    case nr::getresuid:
    case nr::getresgid: {
        const uint32_t id = nr == nr::getresuid ? ::getuid() : ::getgid();
        if (!m_mem->write(a[0], id) || !m_mem->write(a[1], id) || !m_mem->write(a[2], id))
            return -EFAULT;
        return 0;
    }
    case nr::getgroups:
        return 0;
    case nr::getpgid:
    case nr::getsid:
        return (a[0] == 0 || a[0] == static_cast<uint64_t>(m_pid)) ? m_pid : -ESRCH;
    case nr::setpgid:
        return 0;
    case nr::setsid:
        return -EPERM;   // already a session leader, as far as the guest can tell
    case nr::umask: {
        const unsigned old = m_umask;
        m_umask = static_cast<unsigned>(a[0]) & 0777;
        return old;
    }
    case nr::prctl: {
        constexpr int PR_SET_PDEATHSIG_ = 1, PR_GET_DUMPABLE_ = 3, PR_SET_DUMPABLE_ = 4, PR_SET_NAME_ = 15, PR_GET_NAME_ = 16;
        switch (static_cast<int>(a[0])) {
        case PR_SET_NAME_:
            return 0;
        case PR_GET_NAME_: {
            const char name[16] = "vireo-guest";
            return m_mem->write(a[1], name) ? 0 : -EFAULT;
        }
        case PR_GET_DUMPABLE_:
            return 1;
        case PR_SET_DUMPABLE_:
        case PR_SET_PDEATHSIG_:
            return 0;
        default:
            return -EINVAL;
        }
    }
    case nr::personality:
        return a[0] == 0xffffffff || a[0] == 0 ? 0 : -EINVAL;
    case nr::getcpu: {
        const uint32_t zero = 0;
        if ((a[0] && !m_mem->write(a[0], zero)) || (a[1] && !m_mem->write(a[1], zero)))
            return -EFAULT;
        return 0;
    }
    case nr::sched_getaffinity: {
        // One CPU: the hart that runs every thread in turn.
        if (a[1] < 8)
            return -EINVAL;
        uint8_t* p = m_mem->writable(a[2], 8);
        if (!p)
            return -EFAULT;
        store_le<uint64_t>(p, 1);
        return 8;
    }
    case nr::sched_setaffinity:
    case nr::sched_setparam:
    case nr::sched_setscheduler:
    case nr::setpriority:
        return 0;
    case nr::sched_getscheduler:
    case nr::getpriority:
    case nr::sched_get_priority_max:
    case nr::sched_get_priority_min:
        return 0;
    case nr::sched_getparam: {
        const int32_t zero = 0;
        return m_mem->write(a[1], zero) ? 0 : -EFAULT;
    }
    case nr::getrlimit:
    case nr::setrlimit:
    case nr::prlimit64: {
        // prlimit64(pid, resource, new, old); getrlimit(resource, old); setrlimit(resource, new).
        uint64_t resource = 0, new_addr = 0, old_addr = 0;
        if (nr == nr::prlimit64) {
            if (a[0] != 0 && a[0] != static_cast<uint64_t>(m_pid))
                return -ESRCH;
            resource = a[1];
            new_addr = a[2];
            old_addr = a[3];
        } else if (nr == nr::getrlimit) {
            resource = a[0];
            old_addr = a[1];
        } else {
            resource = a[0];
            new_addr = a[1];
        }
        if (resource >= 16)
            return -EINVAL;
        if (old_addr) {
            uint64_t limit[2] = {kRlimInfinity, kRlimInfinity};
            if (resource == kRlimitStack)
                limit[0] = layout::kStackMax;
            else if (resource == kRlimitNofile)
                limit[0] = limit[1] = FdTable::kMax;
            else if (resource == kRlimitAs || resource == kRlimitData)
                limit[0] = limit[1] = m_mem->limit_bytes();
            if (!m_mem->write(old_addr, limit))
                return -EFAULT;
        }
        if (new_addr) {
            uint64_t limit[2];
            if (!m_mem->read(new_addr, limit))
                return -EFAULT;
            if (limit[0] > limit[1])
                return -EINVAL;
            // Accepted and not applied: Vireo's own limits are the ones that hold.
        }
        return 0;
    }
    case nr::getrusage: {
        uint8_t* p = m_mem->writable(a[1], 144);
        if (!p)
            return -EFAULT;
        std::memset(p, 0, 144);
        struct rusage ru {};
        ::getrusage(RUSAGE_SELF, &ru);
        store_le<int64_t>(p + 0, ru.ru_utime.tv_sec);
        store_le<int64_t>(p + 8, ru.ru_utime.tv_usec);
        store_le<int64_t>(p + 16, ru.ru_stime.tv_sec);
        store_le<int64_t>(p + 24, ru.ru_stime.tv_usec);
        store_le<int64_t>(p + 32, static_cast<int64_t>(m_mem->committed_bytes() >> 10));   // ru_maxrss, KiB
        return 0;
    }
    case nr::sysinfo: {
        uint8_t* p = m_mem->writable(a[0], 112);
        if (!p)
            return -EFAULT;
        std::memset(p, 0, 112);
        const auto up = std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - m_start_time).count();
        store_le<int64_t>(p + 0, up);
        store_le<uint64_t>(p + 32, m_mem->limit_bytes());                               // totalram
        store_le<uint64_t>(p + 40, m_mem->limit_bytes() - m_mem->committed_bytes());     // freeram
        store_le<uint16_t>(p + 80, 1);                                                   // procs
        store_le<uint32_t>(p + 104, 1);                                                  // mem_unit
        return 0;
    }
    case nr::capget: {
        // Version 3 header; no capabilities.
        if (a[1]) {
            uint8_t* p = m_mem->writable(a[1], 24);
            if (!p)
                return -EFAULT;
            std::memset(p, 0, 24);
        }
        return 0;
    }
    case nr::getitimer:
    case nr::setitimer: {
        // ITIMER_REAL only (alarm() is setitimer on riscv64): SIGALRM after a wall-clock time.
        // struct itimerval: {interval, value}, each a struct timeval of two 64-bit fields.
        constexpr uint64_t kItimerReal = 0;
        if (a[0] != kItimerReal)
            return -EINVAL;
        const uint64_t old_addr = nr == nr::getitimer ? a[1] : a[2];
        if (old_addr) {
            int64_t old[4] = {};
            const auto us = [](Clock::duration d) { return std::chrono::duration_cast<std::chrono::microseconds>(d).count(); };
            old[0] = us(m_alarm_interval) / 1000000;
            old[1] = us(m_alarm_interval) % 1000000;
            if (m_alarm) {
                const int64_t left = std::max<int64_t>(us(*m_alarm - Clock::now()), 1);
                old[2] = left / 1000000;
                old[3] = left % 1000000;
            }
            if (!m_mem->write(old_addr, old))
                return -EFAULT;
        }
        if (nr == nr::setitimer && a[1]) {
            int64_t v[4];
            if (!m_mem->read(a[1], v))
                return -EFAULT;
            if (v[0] < 0 || v[1] < 0 || v[1] >= 1000000 || v[2] < 0 || v[3] < 0 || v[3] >= 1000000)
                return -EINVAL;
            const auto span = [](int64_t s, int64_t u) {
                return std::chrono::duration_cast<Clock::duration>(std::chrono::seconds(std::min<int64_t>(s, int64_t{1} << 33)) +
                                                                   std::chrono::microseconds(u));
            };
            m_alarm_interval = span(v[0], v[1]);
            if (v[2] == 0 && v[3] == 0)
                m_alarm.reset();
            else
                m_alarm = Clock::now() + span(v[2], v[3]);
        }
        return 0;
    }
    default:
        handled = false;
        return -ENOSYS;
    }
}

}  // namespace vireo::sandbox
