// Signals: actions, masks, delivery through a riscv64 rt_sigframe, and rt_sigreturn.
//
// Delivery follows Linux (kernel/signal.c, arch/riscv/kernel/signal.c):
//  - A synchronous fault (SIGSEGV, SIGILL, SIGBUS, SIGTRAP) goes to its handler at once; if it is
//    blocked or has no handler, it is fatal (force_sig_fault resets it to the default action).
//  - kill/tgkill to the program itself queue the signal; it is delivered when the target thread
//    next returns from a system call and does not block it (raise() and abort() work so).
//  - The frame is a struct rt_sigframe { siginfo_t info; struct ucontext uc; } below the stack
//    pointer (or on the alternate stack with SA_ONSTACK), 16-byte aligned; ra points at Vireo's
//    trampoline page, which makes the rt_sigreturn call the vDSO would make.
#include <sys/resource.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstring>

#include "base/bytes.hpp"
#include "sandbox/process.hpp"

namespace vireo::sandbox {

namespace {

// The guest's signal numbers and flags are asm-generic's, which x86-64 shares: the host's
// <csignal> constants are the guest's.
static_assert(SIGSEGV == 11 && SIGBUS == 7 && SIGUSR1 == 10 && SIGCHLD == 17 && SIGSYS == 31);

constexpr uint64_t SA_SIGINFO_ = 4, SA_ONSTACK_ = 0x08000000, SA_NODEFER_ = 0x40000000;
constexpr uint64_t SA_RESETHAND_ = 0x80000000;
constexpr int SS_ONSTACK_ = 1, SS_DISABLE_ = 2;

// struct rt_sigframe layout on riscv64 (checked against glibc's ucontext_t: uc_mcontext at 176,
// 960 bytes in all; siginfo_t 128 bytes).
constexpr uint64_t kSiginfoSize = 128;
constexpr uint64_t kUcontextSize = 960;
constexpr uint64_t kFrameSize = kSiginfoSize + kUcontextSize;
constexpr uint64_t kUcStack = 16, kUcSigmask = 40, kUcMcontext = 176;
constexpr uint64_t kMcFp = 256, kMcFcsr = 256 + 256;

uint64_t bit(int sig) { return 1ull << (sig - 1); }
constexpr uint64_t kUnblockable = (1ull << (SIGKILL - 1)) | (1ull << (SIGSTOP - 1));

bool default_ignores(int sig)
{
    // Also the stop signals: Vireo cannot stop the program, so it goes on as if continued.
    return sig == SIGCHLD || sig == SIGCONT || sig == SIGURG || sig == SIGWINCH || sig == SIGSTOP ||
           sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

}  // namespace

bool Process::signal_ignored(int sig) const
{
    const uint64_t handler = m_actions[static_cast<size_t>(sig)].handler;
    return handler == 1 || (handler == 0 && default_ignores(sig));
}

void Process::terminate_by_signal(int sig)
{
    write_back_all_file_mappings();   // a killed process's pages were in the page cache: they stay
    m_stop = Stop::Signaled;
    m_exit_status = sig;
    current().hart->request_stop();
    if (m_is_forked_child) {
        // The parent's wait4 must see a death by this signal: die of it, without a core dump.
        std::fflush(nullptr);
        struct rlimit no_core {0, 0};
        ::setrlimit(RLIMIT_CORE, &no_core);
        ::signal(sig, SIG_DFL);
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, sig);
        ::sigprocmask(SIG_UNBLOCK, &set, nullptr);
        ::kill(::getpid(), sig);
        ::_exit(128 + sig);
    }
}

bool Process::setup_frame(Thread& t, int sig, const SigInfo& info)
{
    SigAction& act = m_actions[static_cast<size_t>(sig)];
    GuestHart& h = *t.hart;
    uint64_t sp = h.reg(2);
    const bool on_altstack = t.altstack_flags != SS_DISABLE_ && sp - t.altstack_sp < t.altstack_size;
    if ((act.flags & SA_ONSTACK_) && t.altstack_flags == 0 && !on_altstack)
        sp = t.altstack_sp + t.altstack_size;
    const uint64_t frame = (sp - kFrameSize) & ~15ull;
    uint8_t* p = m_mem->writable(frame, kFrameSize);
    if (!p)
        return false;
    std::memset(p, 0, kFrameSize);

    store_le<int32_t>(p + 0, sig);
    store_le<int32_t>(p + 8, info.code);
    if (info.addr)
        store_le<uint64_t>(p + 16, info.addr);
    else {
        store_le<int32_t>(p + 16, info.pid);
        store_le<int32_t>(p + 20, info.uid);
    }

    uint8_t* uc = p + kSiginfoSize;
    store_le<uint64_t>(uc + kUcStack, t.altstack_sp);
    store_le<int32_t>(uc + kUcStack + 8, on_altstack ? SS_ONSTACK_ : t.altstack_flags);
    store_le<uint64_t>(uc + kUcStack + 16, t.altstack_size);
    store_le<uint64_t>(uc + kUcSigmask, t.restore_sigmask ? t.saved_sigmask : t.sigmask);
    t.restore_sigmask = false;
    uint8_t* mc = uc + kUcMcontext;
    store_le<uint64_t>(mc, h.pc());   // gregs[0] is the pc; gregs[i] = x_i
    for (unsigned i = 1; i < 32; ++i)
        store_le<uint64_t>(mc + 8 * i, h.reg(i));
    for (unsigned i = 0; i < 32; ++i)
        store_le<uint64_t>(mc + kMcFp + 8 * i, h.freg(i));
    store_le<uint32_t>(mc + kMcFcsr, static_cast<uint32_t>(h.fcsr()));

    h.set_reg(1, layout::kSigreturnTrampoline);
    h.set_reg(2, frame);
    h.set_reg(10, static_cast<uint64_t>(sig));
    h.set_reg(11, frame);
    h.set_reg(12, frame + kSiginfoSize);
    h.set_pc(act.handler);
    t.sigmask |= act.mask | ((act.flags & SA_NODEFER_) ? 0 : bit(sig));
    t.sigmask &= ~kUnblockable;
    if (act.flags & SA_RESETHAND_)
        act = SigAction{};
    (void)SA_SIGINFO_;  // handlers get (sig, info, uc) either way; SA_SIGINFO only changes their type
    after_memory_change();
    return true;
}

void Process::deliver_fault(Thread& t, int sig, int code, uint64_t addr)
{
    const SigAction& act = m_actions[static_cast<size_t>(sig)];
    if (act.handler <= 1 || (t.sigmask & bit(sig))) {
        terminate_by_signal(sig);
        return;
    }
    SigInfo info;
    info.signo = sig;
    info.code = code;
    info.addr = addr;
    if (!setup_frame(t, sig, info))
        terminate_by_signal(SIGSEGV);   // no room for the frame: Linux's force_sigsegv
}

void Process::post_signal(Thread* target, int sig, const SigInfo& info)
{
    if (sig == SIGKILL) {
        terminate_by_signal(sig);
        return;
    }
    if (signal_ignored(sig))
        return;
    if (!target) {
        // A process-directed signal goes to a thread that does not block it, preferably this one.
        target = &current();
        if (target->sigmask & bit(sig)) {
            for (auto& t : m_threads)
                if (t->state != Thread::State::Exited && !(t->sigmask & bit(sig))) {
                    target = t.get();
                    break;
                }
        }
    }
    target->pending |= bit(sig);
    target->pending_info[static_cast<size_t>(sig - 1)] = info;
    // A thread waiting (futex, sleep, sigsuspend) is interrupted by a signal it does not block.
    if (!(target->sigmask & bit(sig)) && target->state != Thread::State::Runnable &&
        target->state != Thread::State::Exited) {
        interrupt_wait(*target, sig);
        // It is between its ecall and the next instruction: the handler runs first, as on the
        // way out of an interrupted system call.
        deliver_pending(*target);
    }
}

void Process::deliver_pending(Thread& t)
{
    const uint64_t ready = t.pending & ~t.sigmask;
    if (!ready)
        return;
    const int sig = __builtin_ctzll(ready) + 1;
    t.pending &= ~bit(sig);
    const SigAction& act = m_actions[static_cast<size_t>(sig)];
    if (act.handler == 1)
        return;
    if (act.handler == 0) {
        if (!default_ignores(sig))
            terminate_by_signal(sig);
        return;
    }
    if (!setup_frame(t, sig, t.pending_info[static_cast<size_t>(sig - 1)]))
        terminate_by_signal(SIGSEGV);
}

void Process::sigreturn(Thread& t)
{
    GuestHart& h = *t.hart;
    const uint64_t frame = h.reg(2);
    const uint8_t* p = m_mem->readable(frame, kFrameSize);
    if (!p) {
        terminate_by_signal(SIGSEGV);
        return;
    }
    const uint8_t* uc = p + kSiginfoSize;
    const uint8_t* mc = uc + kUcMcontext;
    h.set_pc(load_le<uint64_t>(mc));
    for (unsigned i = 1; i < 32; ++i)
        h.set_reg(i, load_le<uint64_t>(mc + 8 * i));
    for (unsigned i = 0; i < 32; ++i)
        h.set_freg(i, load_le<uint64_t>(mc + kMcFp + 8 * i));
    const uint32_t fcsr = load_le<uint32_t>(mc + kMcFcsr);
    h.m_fflags = fcsr & 0x1f;
    h.m_frm = static_cast<uint8_t>((fcsr >> 5) & 7);
    t.sigmask = load_le<uint64_t>(uc + kUcSigmask) & ~kUnblockable;
    // restore_altstack(): the handler may have changed uc_stack to move the alternate stack.
    const int flags = load_le<int32_t>(uc + kUcStack + 8);
    if (!(flags & SS_ONSTACK_) && (flags == 0 || flags == SS_DISABLE_)) {
        t.altstack_sp = load_le<uint64_t>(uc + kUcStack);
        t.altstack_size = load_le<uint64_t>(uc + kUcStack + 16);
        t.altstack_flags = flags;
    }
}

}  // namespace vireo::sandbox
