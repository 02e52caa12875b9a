// Guest processes (Config::allow_processes): fork, execve and wait4.
//
// A guest process is a host process. fork forks the host process that runs the sandbox: the copy
// has the same walls, the same descriptors and a copy-on-write copy of the guest's memory (the
// arena is private anonymous memory), and goes on from the same system call with a0 = 0. It dies
// with its parent (PR_SET_PDEATHSIG), so no guest process outlives `vireo exec`, and it ends its
// host process with the guest's status, or by the guest's fatal signal, for the parent's wait4.
// The guest sees its children by their host pids, and may signal and wait for those alone.
//
// execve replaces the program in place: the new file is found through the walls like any path,
// loaded into a fresh address space, and the calling thread starts it; other threads end,
// handlers are reset, close-on-exec descriptors closed (execve(2)).
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <new>
#include <cstdio>
#include <cstring>

#include "base/bytes.hpp"
#include "elf/elf.hpp"
#include "sandbox/process.hpp"

namespace vireo::sandbox {

namespace {

constexpr uint64_t kCloneVm = 0x100, kCloneVfork = 0x4000;
constexpr uint64_t kCloneChildCleartid = 0x200000, kCloneChildSettid = 0x1000000;
// Bounds on what one guest may make the host do.
constexpr size_t kMaxChildren = 64;   // per process; the tree is bounded by ProcessTable::kSlots
constexpr size_t kMaxArgs = 1 << 16;
constexpr uint64_t kMaxArgBytes = layout::kStackMax / 4;
constexpr uint64_t kMaxProgramSize = 512ull << 20;
constexpr int kMaxInterpreterDepth = 4;   // #! scripts whose interpreter is a script...

// Host signals for a forked guest process: the host handler only notes them; the run loop and the
// system call path hand them to the guest (Process::take_host_signals). One guest process per
// host process, so one set per host process.
std::atomic<uint64_t> g_host_signals{0};

void note_host_signal(int sig) { g_host_signals.fetch_or(1ull << (sig - 1)); }

}  // namespace

// What the processes of one tree share, in a MAP_SHARED page inherited across fork: one slot per
// live (or not yet reaped) process with its parent's slot and its committed pages, and the tree's
// total, against which every process's memory limit is checked (AddressSpace::share_account).
// Slot 0 is the first process. A process's slot is freed by its parent's wait4, with the slots of
// its descendants: they died with it (PR_SET_PDEATHSIG).
struct ProcessTable {
    static constexpr int kSlots = 128;   // processes in one tree, at most
    std::atomic<uint64_t> total_pages;
    struct Slot {
        std::atomic<int32_t> used;
        int32_t parent;
        std::atomic<uint64_t> pages;
    } slots[kSlots];

    // A free slot for a child of `parent`, or -1.
    int allocate(int parent)
    {
        for (int i = 1; i < kSlots; ++i) {
            int32_t expected = 0;
            if (slots[i].used.compare_exchange_strong(expected, 1)) {
                slots[i].parent = parent;
                slots[i].pages.store(0);
                return i;
            }
        }
        return -1;
    }
    bool descends_from(int slot, int ancestor) const
    {
        for (int hops = 0; slot > 0 && hops < kSlots; ++hops) {
            if (slot == ancestor)
                return true;
            slot = slots[slot].parent;
        }
        return false;
    }
    void release_tree(int slot)
    {
        for (int i = 1; i < kSlots; ++i) {
            if (i != slot && slots[i].used.load() && descends_from(i, slot))
                release(i);
        }
        release(slot);
    }
    void release(int slot)
    {
        total_pages.fetch_sub(slots[slot].pages.exchange(0));
        slots[slot].used.store(0);
    }
};
static_assert(std::atomic<uint64_t>::is_always_lock_free && std::atomic<int32_t>::is_always_lock_free,
              "shared between processes: the atomics must not hide a lock");

Result<void> Process::create_process_table()
{
    // SAFETY: a fresh shared anonymous mapping, zeroed, which is a valid ProcessTable of zeros.
    void* page = ::mmap(nullptr, sizeof(ProcessTable), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED)
        return Error::from_errno("sandbox: the process table");
    m_table = new (page) ProcessTable();
    m_owns_table = true;
    m_slot = 0;
    m_table->slots[0].used.store(1);
    m_table->slots[0].parent = -1;
    m_table->total_pages.store(m_mem->committed_pages());
    m_mem->share_account(&m_table->total_pages, &m_table->slots[0].pages);
    return {};
}

void Process::destroy_process_table()
{
    if (m_table && m_owns_table)
        ::munmap(m_table, sizeof(ProcessTable));
    m_table = nullptr;
}

int64_t Process::fork_process(Thread& t, uint64_t flags, uint64_t stack, uint64_t ctid)
{
    if (m_children.size() >= kMaxChildren || !m_table)
        return -EAGAIN;
    // The child's slot, and its memory: a copy of ours, which counts again against the limit.
    const int slot = m_table->allocate(m_slot);
    if (slot < 0)
        return -EAGAIN;
    const uint64_t pages = m_mem->committed_pages();
    if (m_table->total_pages.fetch_add(pages) + pages > m_mem->limit_bytes() >> layout::kPageShift) {
        m_table->total_pages.fetch_sub(pages);
        m_table->release(slot);
        return -ENOMEM;
    }
    m_table->slots[slot].pages.store(pages);
    // Whatever the host has buffered must not come out twice.
    std::fflush(nullptr);
    const pid_t pid = ::fork();
    if (pid < 0) {
        const int error = errno;
        m_table->release(slot);
        return -error;
    }
    if (pid > 0) {
        m_children.insert(pid);
        m_child_slots[pid] = slot;
        return pid;
    }

    // The child: one thread (the caller's), its own pid, no children.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() == 1)
        ::_exit(128 + SIGKILL);   // the parent died before PR_SET_PDEATHSIG took hold
    m_is_forked_child = true;
    m_owns_table = false;
    m_slot = slot;
    m_mem->share_account(&m_table->total_pages, &m_table->slots[slot].pages);
    m_child_slots.clear();
    m_children_reported.clear();
    m_ppid = m_pid;
    m_pid = ::getpid();
    m_children.clear();
    for (size_t i = 0; i < m_threads.size(); ++i) {
        if (m_threads[i].get() == &t) {
            std::swap(m_threads[0], m_threads[i]);
            break;
        }
    }
    m_current = 0;
    // Threads other than the caller do not exist in the child (fork(2)).
    for (size_t i = 1; i < m_threads.size(); ++i)
        m_threads[i]->state = Thread::State::Exited;
    t.tid = m_pid;
    t.pending = 0;
    forward_host_signals();
    if (stack)
        t.hart->set_reg(2, stack);
    if (flags & kCloneChildSettid)
        (void)m_mem->write(ctid, static_cast<int32_t>(t.tid));
    if (flags & kCloneChildCleartid)
        t.clear_child_tid = ctid;
    // vfork (kCloneVm | kCloneVfork): the parent need not wait, the child has its own memory.
    (void)kCloneVm;
    (void)kCloneVfork;
    return 0;
}

int64_t Process::wait4(int pid, uint64_t status_addr, int options)
{
    if (pid > 0 && !m_children.count(pid))
        return -ECHILD;
    if (m_children.empty())
        return -ECHILD;
    const int target = pid > 0 ? pid : -1;   // process groups: all children are in ours
    const bool nohang = options & WNOHANG;
    for (;;) {
        int status = 0;
        const pid_t got = ::waitpid(target, &status, WNOHANG);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        if (got > 0) {
            if (!m_children.count(got))
                continue;   // not a guest's child (cannot happen: Vireo starts no others)
            m_children.erase(got);
            m_children_reported.erase(got);
            if (auto it = m_child_slots.find(got); it != m_child_slots.end()) {
                m_table->release_tree(it->second);
                m_child_slots.erase(it);
            }
            // The wait status encoding is the same on every Linux architecture.
            if (status_addr && !m_mem->write(status_addr, static_cast<int32_t>(status)))
                return -EFAULT;
            return got;
        }
        if (nohang)
            return 0;
        // Other threads go on; poll_children() wakes this one when a child ends.
        block(current(), Thread::State::ChildWait, std::nullopt);
        return kRestart;
    }
}

void Process::forward_host_signals()
{
    // Signals from the parent (kill of a child) or from outside reach the guest's handlers. Not
    // the synchronous ones (a fault of Vireo itself must stay fatal), SIGKILL and SIGSTOP (they
    // cannot be caught), SIGCHLD (poll_children does it) and SIGPIPE (ignored; EPIPE raises it).
    struct sigaction action {};
    action.sa_handler = note_host_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0;   // no SA_RESTART: a blocking host call returns EINTR, and the guest sees it
    for (int sig = 1; sig < 32; ++sig) {
        if (sig == SIGKILL || sig == SIGSTOP || sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE ||
            sig == SIGTRAP || sig == SIGCHLD || sig == SIGPIPE || sig == SIGSYS || sig == SIGABRT)
            continue;
        ::sigaction(sig, &action, nullptr);
    }
    m_forwarding_signals = true;
}

bool Process::take_host_signals()
{
    const uint64_t pending = g_host_signals.exchange(0);
    for (int sig = 1; sig < 32; ++sig) {
        if (!(pending & (1ull << (sig - 1))))
            continue;
        SigInfo info;
        info.signo = sig;
        info.pid = m_ppid;
        post_signal(nullptr, sig, info);
    }
    return pending != 0;
}

bool Process::poll_children()
{
    bool any = false;
    for (int pid : m_children) {
        if (m_children_reported.count(pid))
            continue;
        siginfo_t info {};
        // WNOWAIT: look without reaping; the guest's wait4 reaps.
        if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0 || info.si_pid != pid)
            continue;
        m_children_reported.insert(pid);
        SigInfo si;
        si.signo = SIGCHLD;
        si.code = info.si_code;   // CLD_EXITED, CLD_KILLED, CLD_DUMPED: the same numbers for the guest
        si.pid = pid;
        si.uid = static_cast<int>(::getuid());
        post_signal(nullptr, SIGCHLD, si);
        any = true;
    }
    if (any)
        wake_child_waiters();
    return any;
}

int64_t Process::execve(Thread& t, int64_t dirfd, uint64_t path_addr, uint64_t argv_addr, uint64_t envp_addr, int flags)
{
    if (!m_config.allow_processes)
        return -ENOSYS;
    (void)flags;
    int err = 0;
    auto path = m_mem->read_string(path_addr, 4096, err);
    if (!path)
        return err;
    // argv and envp: NULL-terminated arrays of strings, bounded like Linux's (E2BIG).
    uint64_t total = 0;
    auto read_list = [&](uint64_t addr, std::vector<std::string>& out) -> int {
        if (!addr)
            return 0;
        for (size_t i = 0;; ++i) {
            if (i >= kMaxArgs)
                return -E2BIG;
            uint64_t ptr = 0;
            if (!m_mem->read(addr + 8 * i, ptr))
                return -EFAULT;
            if (!ptr)
                return 0;
            int e = 0;
            auto s = m_mem->read_string(ptr, kMaxArgBytes, e);
            if (!s)
                return e == -ENAMETOOLONG ? -E2BIG : e;
            total += s->size() + 1;
            if (total > kMaxArgBytes)
                return -E2BIG;
            out.push_back(std::move(*s));
        }
    };
    std::vector<std::string> args, env;
    if (int r = read_list(argv_addr, args); r != 0)
        return r;
    if (int r = read_list(envp_addr, env); r != 0)
        return r;

    // The file, through the walls; then "#!" scripts name their interpreter.
    std::string file = *path;
    std::shared_ptr<std::vector<uint8_t>> bytes;
    std::string guest_path;
    for (int depth = 0;; ++depth) {
        FileSystem::Walk w;
        std::string base = m_cwd;
        if (!file.empty() && file[0] != '/' && dirfd != -100)
            if (int r = resolve_base(dirfd, base); r != 0)
                return r;
        if (file.empty())
            return -ENOENT;
        if (int r = m_fs->walk(base, file, FileSystem::Follow::Yes, w); r != 0)
            return r;
        if (!w.object.valid())
            return w.device != VirtualDevice::None ? -EACCES : -ENOENT;
        Fd fd(w.name.empty() ? -1 : ::openat(w.parent.get(), w.name.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
        struct stat st {};
        if (!fd.valid() || ::fstat(fd.get(), &st) != 0)
            return fd.valid() ? -errno : -EACCES;
        if (!S_ISREG(st.st_mode) || !(st.st_mode & 0111))
            return -EACCES;
        if (static_cast<uint64_t>(st.st_size) > kMaxProgramSize)
            return -ENOMEM;
        bytes = std::make_shared<std::vector<uint8_t>>(static_cast<size_t>(st.st_size));
        size_t done = 0;
        while (done < bytes->size()) {
            const ssize_t n = ::pread(fd.get(), bytes->data() + done, bytes->size() - done, static_cast<off_t>(done));
            if (n <= 0)
                return n < 0 ? -errno : -EIO;
            done += static_cast<size_t>(n);
        }
        guest_path = w.path;
        if (bytes->size() < 2 || (*bytes)[0] != '#' || (*bytes)[1] != '!')
            break;
        if (depth >= kMaxInterpreterDepth)
            return -ELOOP;
        // "#!interpreter [one argument]" on the first line (at most 255 bytes, as Linux reads).
        std::string line(bytes->begin() + 2, bytes->begin() + static_cast<ptrdiff_t>(std::min<size_t>(bytes->size(), 256)));
        line = line.substr(0, line.find('\n'));
        const size_t start = line.find_first_not_of(" \t");
        if (start == std::string::npos)
            return -ENOEXEC;
        line = line.substr(start);
        const size_t end = line.find_first_of(" \t");
        const std::string interpreter = line.substr(0, end);
        std::string argument;
        if (end != std::string::npos) {
            const size_t arg_start = line.find_first_not_of(" \t", end);
            if (arg_start != std::string::npos) {
                argument = line.substr(arg_start);
                argument.erase(argument.find_last_not_of(" \t\r") + 1);
            }
        }
        std::vector<std::string> new_args{interpreter};
        if (!argument.empty())
            new_args.push_back(argument);
        new_args.push_back(file);
        new_args.insert(new_args.end(), args.begin() + (args.empty() ? 0 : 1), args.end());
        args = std::move(new_args);
        file = interpreter;
    }
    // Check it is a program we can load before anything is torn down.
    if (!elf::parse(*bytes, guest_path).ok())
        return -ENOEXEC;
    if (args.empty())
        args.push_back(guest_path);

    // The point of no return: a fresh address space, the program in it.
    auto fresh = AddressSpace::create(m_mem->limit_bytes());
    if (!fresh.ok())
        return -ENOMEM;
    if (m_table)
        fresh.value()->share_account(&m_table->total_pages, &m_table->slots[m_slot].pages);
    write_back_all_file_mappings();
    std::unique_ptr<AddressSpace> old = std::move(m_mem);
    m_mem = fresh.release_value();
    auto saved_program = m_program;
    auto saved_bytes = m_program_bytes;
    const std::string saved_execfn = m_execfn;
    const uint64_t saved_bias = m_program_bias;
    auto start = load_image(bytes, guest_path, *path, args, env);
    if (!start.ok()) {
        // Linux would have to kill the process here; the old image is still whole, so go on.
        m_mem = std::move(old);   // the failed space gives its pages back as it goes
        if (m_table)
            m_mem->share_account(&m_table->total_pages, &m_table->slots[m_slot].pages);
        m_program = saved_program;
        m_program_bytes = saved_bytes;
        m_execfn = saved_execfn;
        m_program_bias = saved_bias;
        return start.error().text().find("memory limit") != std::string::npos ? -ENOMEM : -ENOEXEC;
    }

    // The calling thread runs the new program; the others end (execve(2), "All threads other
    // than the calling thread are destroyed").
    for (size_t i = 0; i < m_threads.size(); ++i) {
        if (m_threads[i].get() == &t && i != 0) {
            std::swap(m_threads[0], m_threads[i]);
            m_current = 0;
        }
    }
    for (size_t i = 1; i < m_threads.size(); ++i)
        m_threads[i]->state = Thread::State::Exited;
    HartState fresh_state;
    fresh_state.pc = start.value().pc;
    fresh_state.x[2] = start.value().sp;
    restore_hart(*t.hart, fresh_state);
    t.hart->arena_moved();
    t.tid = m_pid;
    t.clear_child_tid = 0;
    t.robust_list = 0;
    t.altstack_sp = t.altstack_size = 0;
    t.altstack_flags = 2;   // SS_DISABLE
    // Handlers are reset to the default; ignored signals stay ignored.
    for (auto& action : m_actions) {
        if (action.handler > 1)
            action = SigAction{};
        action.flags = 0;
        action.mask = 0;
    }
    for (int fd = 0; fd < m_fds.end(); ++fd)
        if (m_fds.get(fd) && m_fds.cloexec(fd))
            (void)m_fds.close(fd);
    flush_tlbs();
    // `old` goes now: the harts' TLBs no longer point into it.
    return kNoResult;
}

}  // namespace vireo::sandbox
