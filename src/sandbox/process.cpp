// Process: traps, the scheduler, threads and futexes, calls into the guest, snapshots.
// See process.hpp. This is the one file that instantiates the hart for the sandbox.
#include "sandbox/process.hpp"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <thread>
#include <utility>

#include "base/assert.hpp"
#include "base/bytes.hpp"   // before hart_impl.hpp: the interpreter uses load_le/store_le
#include "riscv/hart_impl.hpp"

template class vireo::riscv::Hart<vireo::sandbox::Process>;

namespace vireo::sandbox {

namespace {

// A thread runs this many instructions before the next one gets its turn (and before limits are
// checked): long enough to make the loop's overhead vanish, short enough for fair threads.
constexpr uint64_t kSlice = 1u << 16;
// Bounds what one guest can make the host allocate for threads.
constexpr size_t kMaxThreads = 256;

// clone(2) flags (include/uapi/linux/sched.h).
constexpr uint64_t kCloneVm = 0x100, kCloneFs = 0x200, kCloneFiles = 0x400, kCloneSighand = 0x800;
constexpr uint64_t kCloneThread = 0x10000, kCloneSysvsem = 0x40000;
constexpr uint64_t kCloneSettls = 0x80000, kCloneParentSettid = 0x100000, kCloneChildCleartid = 0x200000;
constexpr uint64_t kCloneDetached = 0x400000, kCloneChildSettid = 0x1000000;
constexpr uint64_t kSaRestart = 0x10000000;   // sigaction(2), asm-generic

}  // namespace

Result<std::unique_ptr<Process>> Process::create(const Config& config)
{
    std::unique_ptr<Process> p(new Process());
    p->m_config = config;
    p->m_mem = TRY(AddressSpace::create(config.limits.memory));
    if (config.root) {
        p->m_fs = TRY(FileSystem::create(*config.root, FileSystem::Access::ReadWrite));
        if (!config.sysroot.empty())
            TRY(p->m_fs->mount_lib(config.sysroot + "/lib"));
    } else
        p->m_fs = TRY(FileSystem::create(config.sysroot, FileSystem::Access::ReadOnly));
    for (int fd = 0; fd < 3; ++fd)
        p->m_fds.put(fd, std::make_shared<OpenFile>(OpenFile::Kind::Stdio, fd, false, std::string()), false);
    p->m_host_functions.resize(kMaxHostFunctions);
    if (config.allow_processes)
        TRY(p->create_process_table());
    return p;
}

Process::~Process()
{
    write_back_all_file_mappings();
    m_mem.reset();   // gives its pages back to the tree's account before the table goes
    destroy_process_table();
    // A guest that put the terminal into raw mode and died must not leave the user's shell so.
    if (m_termios_saved)
        ::ioctl(0, TCSETS, m_saved_termios.data());
}

uint64_t Process::read_time()
{
    // The time CSR ticks at 10 MHz, from the start of the process.
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - m_start_time).count();
    return static_cast<uint64_t>(ns) / 100;
}

Thread* Process::thread_by_tid(int tid)
{
    for (auto& t : m_threads)
        if (t->tid == tid && t->state != Thread::State::Exited)
            return t.get();
    return nullptr;
}

std::unique_ptr<GuestHart> Process::new_hart()
{
    auto hart = std::make_unique<GuestHart>(*this, 0);
    // U-mode may read cycle, time and instret (rdcycle/rdtime/rdinstret), as under Linux, which
    // sets [ms]counteren so. The unprivileged hart has no M/S software to do it: set them here.
    hart->m_mcounteren = 7;
    hart->m_scounteren = 7;
    return hart;
}

HartState Process::save_hart(const GuestHart& hart)
{
    HartState s;
    s.x = hart.m_x;
    s.f = hart.m_f;
    s.pc = hart.m_pc;
    s.frm = hart.m_frm;
    s.fflags = hart.m_fflags;
    return s;
}

void Process::restore_hart(GuestHart& hart, const HartState& s)
{
    hart.m_x = s.x;
    hart.m_x[0] = 0;
    hart.m_f = s.f;
    hart.m_pc = s.pc;
    hart.m_frm = s.frm;
    hart.m_fflags = s.fflags;
    hart.clear_reservation();
}

void Process::flush_tlbs()
{
    const bool code = m_mem->take_code_stale();
    for (auto& t : m_threads) {
        t->hart->flush_tlb();
        if (code)
            t->hart->flush_code();
    }
}

void Process::flush_code()
{
    for (auto& t : m_threads)
        t->hart->flush_code();
}

void Process::invalidate_pages(GuestHart& hart, const std::vector<uint32_t>& pages)
{
    if (pages.size() > GuestHart::kTlbSize) {
        hart.flush_tlb();
        return;
    }
    // Only the physical context is used by an unprivileged hart (hart_mmu.hpp, update_contexts).
    auto& ctx = hart.m_tlb[GuestHart::CtxPhysical];
    for (uint32_t page : pages) {
        for (auto& table : ctx) {
            auto& e = table[page % GuestHart::kTlbSize];
            if (e.tag == page)
                e = {};
        }
    }
}

// ---- traps ----

void Process::on_trap(GuestHart& hart, uint64_t cause, uint64_t tval)
{
    Thread& t = current();
    VERIFY(t.hart.get() == &hart);
    using riscv::Exception;
    switch (static_cast<Exception>(cause)) {
    case Exception::EcallFromU:
        do_syscall(t);
        return;
    case Exception::InstructionAccessFault:
    case Exception::InstructionPageFault:
        if (tval == layout::kCallReturn && m_call_active && m_current == 0) {
            m_stop = Stop::CallReturned;
            hart.request_stop();
            return;
        }
        deliver_fault(t, SIGSEGV, m_mem->is_mapped(page_down(tval), layout::kPageSize) ? SEGV_ACCERR : SEGV_MAPERR, tval);
        return;
    case Exception::LoadAccessFault:
    case Exception::StoreAccessFault:
    case Exception::LoadPageFault:
    case Exception::StorePageFault:
        if (m_mem->grow_stack(tval)) {
            after_memory_change();
            return;  // pc still at the instruction: it runs again, now with stack under it
        }
        deliver_fault(t, SIGSEGV, m_mem->is_mapped(page_down(tval), layout::kPageSize) ? SEGV_ACCERR : SEGV_MAPERR, tval);
        return;
    case Exception::IllegalInstruction:
        deliver_fault(t, SIGILL, ILL_ILLOPC, hart.pc());
        return;
    case Exception::Breakpoint:
        deliver_fault(t, SIGTRAP, TRAP_BRKPT, hart.pc());
        return;
    case Exception::InstructionMisaligned:
    case Exception::LoadMisaligned:
    case Exception::StoreMisaligned:
        deliver_fault(t, SIGBUS, BUS_ADRALN, tval);
        return;
    default:
        deliver_fault(t, SIGILL, ILL_ILLTRP, hart.pc());
        return;
    }
}

// ---- scheduling ----

void Process::block(Thread& t, Thread::State state, std::optional<Clock::time_point> deadline)
{
    t.state = state;
    t.deadline = deadline;
    t.hart->request_stop();
}

void Process::check_alarm(Clock::time_point now)
{
    if (!m_alarm || now < *m_alarm)
        return;
    if (m_alarm_interval.count() > 0)
        m_alarm = *m_alarm + m_alarm_interval * (1 + (now - *m_alarm) / m_alarm_interval);
    else
        m_alarm.reset();
    SigInfo info;
    info.signo = SIGALRM;
    info.code = 0x80;   // SI_KERNEL
    post_signal(nullptr, SIGALRM, info);
}

void Process::wake_expired(Clock::time_point now)
{
    check_alarm(now);
    for (auto& t : m_threads) {
        if (t->state == Thread::State::Runnable || t->state == Thread::State::Exited || !t->deadline)
            continue;
        if (*t->deadline > now)
            continue;
        if (t->state == Thread::State::IoWait) {
            // A poll or epoll_wait whose time is up runs again, finds its deadline passed and
            // returns what is ready now (most likely nothing: 0), filling in its results.
            t->io_resumed = true;
            t->resumed_deadline = t->deadline;
            t->io_fds.clear();
            t->io_files.clear();
        } else {
            t->hart->set_reg(10, t->state == Thread::State::Sleeping ? 0 : static_cast<uint64_t>(-ETIMEDOUT));
        }
        t->state = Thread::State::Runnable;
        t->deadline.reset();
    }
}

void Process::interrupt_wait(Thread& t, int sig)
{
    const bool parked = t.state == Thread::State::IoWait || t.state == Thread::State::ChildWait;
    const SigAction& act = m_actions[static_cast<size_t>(sig)];
    const bool restart = parked && (t.state == Thread::State::ChildWait || t.io_restartable) && act.handler > 1 &&
                         (act.flags & kSaRestart);
    t.state = Thread::State::Runnable;
    t.deadline.reset();
    t.io_fds.clear();
    t.io_files.clear();
    const uint64_t written = std::exchange(t.io_done, 0);
    if (restart && !written)
        return;   // the pc stays on the ecall, which the handler's frame saves and sigreturn restores
    if (parked)
        t.hart->set_pc(t.hart->pc() + 4);
    // A write interrupted after some bytes returns how many (write(2)); otherwise EINTR.
    t.hart->set_reg(10, written ? written : static_cast<uint64_t>(-EINTR));
}

bool Process::wake_ready_io(int timeout_ms)
{
    static thread_local std::vector<struct pollfd> fds;
    fds.clear();
    for (auto& t : m_threads)
        if (t->state == Thread::State::IoWait)
            fds.insert(fds.end(), t->io_fds.begin(), t->io_fds.end());
    if (fds.empty())
        return false;
    // poll() refuses more descriptors than RLIMIT_NOFILE (often 1024): look at them in chunks,
    // and only the last waits (briefly, when there are several, so the others are seen soon).
    constexpr size_t kChunk = 1000;
    if (fds.size() > kChunk && (timeout_ms < 0 || timeout_ms > 10))
        timeout_ms = 10;
    int ready = 0;
    for (size_t i = 0; i < fds.size(); i += kChunk) {
        const size_t n = std::min(kChunk, fds.size() - i);
        const bool last = i + n == fds.size();
        const int r = ::poll(fds.data() + i, n, last && ready == 0 ? timeout_ms : 0);
        if (r > 0)
            ready += r;
    }
    if (ready == 0)
        return true;
    size_t at = 0;
    for (auto& t : m_threads) {
        if (t->state != Thread::State::IoWait)
            continue;
        bool any = false;
        for (size_t i = 0; i < t->io_fds.size(); ++i)
            any |= fds[at + i].revents != 0;
        at += t->io_fds.size();
        if (!any)
            continue;
        // Its ecall runs again and finds the descriptor ready.
        t->state = Thread::State::Runnable;
        t->io_resumed = true;
        t->resumed_deadline = t->deadline;
        t->deadline.reset();
        t->io_fds.clear();
        t->io_files.clear();
    }
    return true;
}

void Process::wake_child_waiters()
{
    for (auto& t : m_threads)
        if (t->state == Thread::State::ChildWait)
            t->state = Thread::State::Runnable;   // its wait4 runs again
}

Stop Process::run_loop(uint64_t max_instructions, uint64_t& executed)
{
    m_stop = Stop::None;
    executed = 0;
    for (;;) {
        // The next runnable thread, round-robin from the current one.
        const size_t n = m_threads.size();
        size_t pick = n;
        for (size_t i = 0; i < n; ++i) {
            const size_t idx = (m_current + i) % n;
            if (m_threads[idx]->state == Thread::State::Runnable) {
                pick = idx;
                break;
            }
        }
        if (pick == n) {
            // Everyone waits: for a descriptor, a deadline, a child process or a signal from the
            // host. A child that ends may wake someone with SIGCHLD, or a wait4.
            if (!m_children.empty() && m_children_reported.size() < m_children.size() && poll_children())
                continue;
            if (m_forwarding_signals && take_host_signals())
                continue;
            std::optional<Clock::time_point> until = m_alarm;
            bool waits_for_io = false;
            for (auto& t : m_threads) {
                if (t->state != Thread::State::Exited && t->deadline && (!until || *t->deadline < *until))
                    until = t->deadline;
                waits_for_io |= t->state == Thread::State::IoWait;
            }
            const bool watch_children = m_children_reported.size() < m_children.size();
            if (!until && !waits_for_io && !watch_children && !m_forwarding_signals)
                return m_stop = Stop::Deadlock;
            if (m_deadline && (!until || *m_deadline < *until))
                until = m_deadline;
            const auto now = Clock::now();
            if (m_deadline && now >= *m_deadline)
                return m_stop = Stop::Timeout;
            // Children are looked at, and host signals (which interrupt the wait, but may come just
            // before it) taken, every few milliseconds.
            std::optional<Clock::duration> wait;
            if (until)
                wait = std::max(*until - now, Clock::duration::zero());
            if (watch_children || m_forwarding_signals) {
                const Clock::duration cap = watch_children ? std::chrono::milliseconds(1) : std::chrono::milliseconds(5);
                wait = wait ? std::min(*wait, cap) : cap;
            }
            if (!wake_ready_io(wait ? static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(*wait).count()) : -1) && wait)
                std::this_thread::sleep_for(*wait);
            wake_expired(Clock::now());
            if (m_deadline && Clock::now() >= *m_deadline)
                return m_stop = Stop::Timeout;
            continue;
        }
        m_current = pick;
        uint64_t slice = kSlice;
        if (max_instructions) {
            if (executed >= max_instructions)
                return m_stop = Stop::InstructionLimit;
            slice = std::min(slice, max_instructions - executed);
        }
        Thread* const ran = m_threads[pick].get();
        const riscv::RunResult result = ran->hart->run(slice);
        executed += result.executed;
        const bool ran_alive = ran->state != Thread::State::Exited;   // else erased just below

        // Threads that exited leave (the main thread stays: calls run on it).
        for (size_t i = m_threads.size(); i-- > 1;) {
            if (m_threads[i]->state == Thread::State::Exited) {
                m_threads.erase(m_threads.begin() + static_cast<ptrdiff_t>(i));
                if (m_current >= i && m_current > 0)
                    --m_current;
            }
        }
        if (m_stop != Stop::None)
            return m_stop;
        if (max_instructions && executed >= max_instructions)
            return m_stop = Stop::InstructionLimit;
        if (!m_children.empty() && m_children_reported.size() < m_children.size())
            poll_children();
        if (m_forwarding_signals)
            take_host_signals();
        // Threads parked on a descriptor run again as soon as it is ready, while others compute.
        if (m_threads.size() > 1)
            wake_ready_io(0);
        // Signals that arrived while the thread computed (from another thread, or the host) are
        // delivered between two instructions, as an interrupt would.
        if (ran_alive && ran->state == Thread::State::Runnable && (ran->pending & ~ran->sigmask)) {
            for (size_t i = 0; i < m_threads.size(); ++i)
                if (m_threads[i].get() == ran)
                    m_current = i;
            deliver_pending(*ran);
            if (m_stop != Stop::None)
                return m_stop;
        }
        if (m_deadline || m_alarm || m_threads.size() > 1) {
            const auto now = Clock::now();
            if (m_deadline && now >= *m_deadline)
                return m_stop = Stop::Timeout;
            wake_expired(now);
        }
        // The next thread's turn, whether this one used its slice, yielded or now waits: a thread
        // spinning on sched_yield() must let the one it waits for run.
        if (m_threads.size() > 1)
            m_current = (m_current + 1) % m_threads.size();
    }
}

Outcome Process::run()
{
    Outcome outcome;
    VERIFY(m_loaded && !m_threads.empty());
    if (m_finished) {
        // The program already ended: running it again tells the same story.
        outcome.kind = m_stop == Stop::Signaled ? Outcome::Kind::Signaled : Outcome::Kind::Exited;
        outcome.status = m_exit_status;
        return outcome;
    }
    m_deadline.reset();
    if (m_config.limits.timeout_seconds > 0)
        m_deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                        std::chrono::duration<double>(m_config.limits.timeout_seconds));
    const Stop stop = run_loop(m_config.limits.max_instructions, outcome.instructions);
    m_finished = stop == Stop::Exited || stop == Stop::Signaled;
    switch (stop) {
    case Stop::Exited: outcome.kind = Outcome::Kind::Exited; outcome.status = m_exit_status; break;
    case Stop::Signaled: outcome.kind = Outcome::Kind::Signaled; outcome.status = m_exit_status; break;
    case Stop::Paused: outcome.kind = Outcome::Kind::Paused; break;
    case Stop::InstructionLimit: outcome.kind = Outcome::Kind::InstructionLimit; break;
    case Stop::Timeout: outcome.kind = Outcome::Kind::Timeout; break;
    case Stop::Deadlock: outcome.kind = Outcome::Kind::Deadlock; break;
    case Stop::CallReturned:
    case Stop::None: VERIFY_NOT_REACHED();
    }
    std::fflush(stdout);
    return outcome;
}

// ---- threads ----

int64_t Process::clone_thread(Thread& parent, uint64_t flags, uint64_t stack, uint64_t ptid, uint64_t tls, uint64_t ctid)
{
    constexpr uint64_t kThreadFlags = kCloneVm | kCloneFs | kCloneFiles | kCloneSighand | kCloneThread;
    if ((flags & kThreadFlags) != kThreadFlags) {
        // A new process: fork, vfork (CLONE_VM | CLONE_VFORK) and posix_spawn. Without
        // Config::allow_processes, programs see fork fail as on a system out of processes.
        if ((flags & (kCloneThread | kCloneSighand)) || !m_config.allow_processes)
            return -EAGAIN;
        return fork_process(parent, flags, stack, ctid);
    }
    constexpr uint64_t kKnown = kThreadFlags | kCloneSysvsem | kCloneSettls | kCloneParentSettid |
                                kCloneChildCleartid | kCloneDetached | kCloneChildSettid;
    if (flags & ~kKnown & ~0xffull)
        return -EINVAL;
    if (m_threads.size() >= kMaxThreads)
        return -EAGAIN;
    auto child = std::make_unique<Thread>();
    child->hart = new_hart();
    restore_hart(*child->hart, save_hart(*parent.hart));
    child->tid = ++m_next_tid;
    child->sigmask = parent.sigmask;
    child->hart->set_reg(10, 0);
    if (stack)
        child->hart->set_reg(2, stack);
    if (flags & kCloneSettls)
        child->hart->set_reg(4, tls);
    if (flags & kCloneChildCleartid)
        child->clear_child_tid = ctid;
    const auto tid32 = static_cast<int32_t>(child->tid);
    if ((flags & kCloneParentSettid) && !m_mem->write(ptid, tid32))
        return -EFAULT;
    if ((flags & kCloneChildSettid) && !m_mem->write(ctid, tid32))
        return -EFAULT;
    const int tid = child->tid;
    m_threads.push_back(std::move(child));
    return tid;
}

void Process::exit_thread(Thread& t, int status)
{
    // kCloneChildCleartid (set_tid_address(2)): zero the word and wake one waiter, which is how
    // pthread_join learns that the thread is gone.
    if (t.clear_child_tid) {
        if (m_mem->write(t.clear_child_tid, static_cast<int32_t>(0)))
            futex_wake(t.clear_child_tid, 1);
    }
    t.state = Thread::State::Exited;
    t.hart->request_stop();
    bool any_left = false;
    for (auto& other : m_threads)
        any_left |= other->state != Thread::State::Exited;
    if (!any_left)
        exit_process(status);
}

void Process::exit_process(int status)
{
    write_back_all_file_mappings();
    m_stop = Stop::Exited;
    m_exit_status = status & 0xff;
    current().hart->request_stop();
    if (m_is_forked_child) {
        // A forked guest process ends its host process here, with the guest's status for the
        // parent's wait4; nothing of `vireo exec`'s own ending (messages, statuses) applies.
        std::fflush(nullptr);
        ::_exit(m_exit_status);
    }
}

int Process::futex_wake(uint64_t addr, int count, uint32_t bitset)
{
    int woken = 0;
    for (auto& t : m_threads) {
        if (woken >= count)
            break;
        if (t->state == Thread::State::FutexWait && t->futex_addr == addr && (t->futex_bitset & bitset)) {
            t->state = Thread::State::Runnable;
            t->deadline.reset();
            t->hart->set_reg(10, 0);
            ++woken;
        }
    }
    return woken;
}

// ---- calls into the guest ----

Result<uint64_t> Process::call(uint64_t address, std::span<const CallArg> args)
{
    if (!m_loaded || m_threads.empty())
        return Error::message("sandbox: call: no program loaded");
    if (args.size() > 8)
        return Error::message("sandbox: call: at most 8 arguments (a0-a7)");
    Thread& t = *m_threads[0];
    GuestHart& hart = *t.hart;
    const HartState saved = save_hart(hart);
    const Thread::State saved_state = t.state;

    // Arguments: bytes go onto the stack, below the paused code's stack pointer.
    uint64_t sp = (saved.x[2] - 256) & ~15ull;
    uint64_t regs[8] = {};
    for (size_t i = 0; i < args.size(); ++i) {
        const CallArg& arg = args[i];
        if (arg.kind == CallArg::Kind::Integer) {
            regs[i] = arg.value;
            continue;
        }
        const uint64_t size = (arg.in.size() + 15) & ~15ull;
        if (size > sp || sp - size < layout::kStackTop - layout::kStackMax)
            return Error::message("sandbox: call: arguments do not fit on the guest stack");
        sp -= size;
        uint8_t* dst = m_mem->writable(sp, std::max<uint64_t>(arg.in.size(), 1));
        if (!dst)
            return Error::message("sandbox: call: the guest stack is not writable");
        if (!arg.in.empty())
            std::memcpy(dst, arg.in.data(), arg.in.size());
        regs[i] = sp;
    }
    after_memory_change();
    for (unsigned i = 0; i < 8; ++i)
        hart.set_reg(10 + i, regs[i]);
    hart.set_reg(1, layout::kCallReturn);
    hart.set_reg(2, sp);
    hart.set_pc(address);
    t.state = Thread::State::Runnable;

    m_call_active = true;
    m_current = 0;
    m_deadline.reset();
    if (m_config.limits.timeout_seconds > 0)
        m_deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                        std::chrono::duration<double>(m_config.limits.timeout_seconds));
    uint64_t executed = 0;
    const Stop stop = run_loop(m_config.limits.max_instructions, executed);
    m_call_active = false;
    const uint64_t result = hart.reg(10);
    for (size_t i = 0; i < args.size(); ++i) {
        if (args[i].kind == CallArg::Kind::Bytes && !args[i].out.empty()) {
            if (const uint8_t* src = m_mem->readable(regs[i], args[i].out.size()))
                std::memcpy(args[i].out.data(), src, args[i].out.size());
        }
    }
    restore_hart(hart, saved);
    t.state = saved_state;
    const Stop ended = stop;
    m_stop = Stop::Paused;
    switch (ended) {
    case Stop::CallReturned: return result;
    case Stop::Exited: return Error::message("sandbox: call: the program exited with status " + std::to_string(m_exit_status));
    case Stop::Signaled: return Error::message("sandbox: call: the program was killed by signal " + std::to_string(m_exit_status));
    case Stop::InstructionLimit: return Error::message("sandbox: call: instruction limit reached");
    case Stop::Timeout: return Error::message("sandbox: call: timeout reached");
    case Stop::Deadlock: return Error::message("sandbox: call: every guest thread is blocked");
    case Stop::Paused: return Error::message("sandbox: call: the function called vireo_pause()");
    case Stop::None: break;
    }
    VERIFY_NOT_REACHED();
}

std::optional<uint64_t> Process::symbol(const std::string& name) const
{
    if (!m_loaded)
        return std::nullopt;
    auto value = m_program.symbol(name);
    if (!value)
        return std::nullopt;
    return *value + m_program_bias;
}

// ---- snapshots ----

Result<void> Process::snapshot()
{
    if (!m_loaded || m_threads.empty())
        return Error::message("sandbox: snapshot: no program loaded");
    if (m_threads.size() != 1)
        return Error::message("sandbox: snapshot: the program has " + std::to_string(m_threads.size()) +
                              " threads; only a single-threaded program can be snapshotted");
    TRY(m_mem->snapshot());
    after_memory_change();
    Thread& t = *m_threads[0];
    t.hart->arena_moved();   // stores now go through the TLB, which sees first writes (flat_arena())
    m_saved.hart = save_hart(*t.hart);
    m_saved.actions = m_actions;
    m_saved.sigmask = t.sigmask;
    m_saved.clear_child_tid = t.clear_child_tid;
    m_saved.fds = m_fds.open_numbers();
    m_saved.cwd = m_cwd;
    m_saved.umask = m_umask;
    m_saved.valid = true;
    return {};
}

void Process::reset()
{
    VERIFY(m_saved.valid);
    static thread_local std::vector<uint32_t> touched;
    m_mem->restore(touched);
    m_threads.resize(1);   // threads started since the snapshot are gone with its memory
    // FIXME: the snapshot's memory is not the files' contents: shared file mappings stop being
    // written back after a reset.
    m_file_mappings.clear();
    Thread& t = *m_threads[0];
    invalidate_pages(*t.hart, touched);
    if (m_mem->take_tlb_stale())
        t.hart->flush_tlb();
    restore_hart(*t.hart, m_saved.hart);
    m_actions = m_saved.actions;
    t.sigmask = m_saved.sigmask;
    t.pending = 0;
    t.clear_child_tid = m_saved.clear_child_tid;
    t.state = Thread::State::Runnable;
    t.deadline.reset();
    if (m_fds.end() != static_cast<int>(m_saved.fds.size()) || m_fds.open_numbers() != m_saved.fds)
        m_fds.close_except(m_saved.fds);
    m_cwd = m_saved.cwd;
    m_umask = m_saved.umask;
    m_current = 0;
    m_stop = Stop::Paused;
    m_finished = false;
}

Result<std::unique_ptr<Process>> Process::fork() const
{
    if (!m_saved.valid)
        return Error::message("sandbox: fork: take a snapshot first");
    auto child = TRY(create(m_config));
    child->m_mem = TRY(m_mem->clone_snapshot());
    child->m_fds = FdTable();
    for (int fd : m_saved.fds) {
        OpenFile* f = m_fds.get(fd);
        if (!f)
            continue;
        if (!f->owned) {
            child->m_fds.put(fd, m_fds.share(fd), m_fds.cloexec(fd));
            continue;
        }
        const int copy = ::fcntl(f->host_fd, F_DUPFD_CLOEXEC, 3);
        if (copy < 0)
            return Error::from_errno("sandbox: fork: dup");
        auto file = std::make_shared<OpenFile>(f->kind, copy, true, f->path);
        file->read_only_fs = f->read_only_fs;
        child->m_fds.put(fd, std::move(file), m_fds.cloexec(fd));
    }
    child->m_host_functions = m_host_functions;
    child->m_program_bytes = m_program_bytes;
    child->m_program = m_program;
    child->m_program_bias = m_program_bias;
    child->m_execfn = m_execfn;
    child->m_args_area = m_args_area;
    child->m_env_area = m_env_area;
    child->m_actions = m_saved.actions;
    child->m_cwd = m_saved.cwd;
    child->m_umask = m_saved.umask;
    child->m_next_tid = m_pid;
    child->m_pid = m_pid;
    child->m_ppid = m_ppid;
    auto main = std::make_unique<Thread>();
    main->hart = child->new_hart();
    restore_hart(*main->hart, m_saved.hart);
    main->tid = m_pid;
    main->sigmask = m_saved.sigmask;
    main->clear_child_tid = m_saved.clear_child_tid;
    child->m_threads.push_back(std::move(main));
    child->m_loaded = true;
    child->m_stop = Stop::Paused;
    return child;
}

}  // namespace vireo::sandbox
