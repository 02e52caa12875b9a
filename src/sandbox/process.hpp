// Process: one guest program, the environment of its harts (riscv::Environment with
// kPrivileged = false). Every trap of a hart arrives in on_trap(): an ecall becomes a Linux system
// call answered by the syscall layer (syscalls_*.cpp), a fault becomes a signal (signals.cpp).
//
// Threads are harts that share this Process; they run round-robin on the host thread that called
// run() or call(), one slice at a time. A thread that blocks (futex, sleep) leaves the rotation
// until it is woken or its deadline passes.
//
// No system call blocks the host thread, or every guest thread would stop with it. A call that
// would wait for a descriptor (read from an empty pipe, poll, epoll_wait, recv) first looks with a
// zero-timeout poll; when nothing is ready it parks the thread (State::IoWait, with the host
// descriptors it waits for) and leaves its pc on the ecall. The scheduler polls the parked
// threads' descriptors between slices, and with a timeout when no thread can run; a thread whose
// descriptor became ready runs its ecall again, which now finds something to read. wait4 parks
// the same way (State::ChildWait) until a child ends.
//
// Internal to the sandbox library: the public face is sandbox.hpp.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <map>
#include <optional>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <set>
#include <string>
#include <vector>

#include "elf/elf.hpp"
#include "riscv/hart.hpp"
#include "sandbox/address_space.hpp"
#include "sandbox/guest_time.hpp"
#include "sandbox/files.hpp"
#include "sandbox/sandbox.hpp"
#include "sandbox/vfs.hpp"

namespace vireo::sandbox {

class Process;
using GuestHart = riscv::Hart<Process>;
struct ProcessTable;   // processes.cpp: what a tree of forked guest processes shares
using Clock = std::chrono::steady_clock;

// The guest's view of a signal's details (the kernel's siginfo_t, 128 bytes on riscv64).
struct SigInfo {
    int signo = 0;
    int code = 0;
    uint64_t addr = 0;   // faults: si_addr
    int pid = 0;         // kill/tgkill: si_pid, si_uid
    int uid = 0;
};

// struct sigaction as the riscv64 kernel takes it (no sa_restorer field: the vDSO provides the
// return path; Vireo's trampoline page stands in for it).
struct SigAction {
    uint64_t handler = 0;   // SIG_DFL 0, SIG_IGN 1, else a guest address
    uint64_t flags = 0;
    uint64_t mask = 0;
};

struct Thread {
    std::unique_ptr<GuestHart> hart;
    int tid = 0;
    uint64_t clear_child_tid = 0;
    uint64_t robust_list = 0;
    uint64_t sigmask = 0;
    uint64_t pending = 0;                  // signals sent to this thread, bit (sig - 1)
    std::array<SigInfo, 64> pending_info{};
    uint64_t altstack_sp = 0, altstack_size = 0;
    int altstack_flags = 2;                // SS_DISABLE

    enum class State { Runnable, FutexWait, Sleeping, SigSuspend, IoWait, ChildWait, Exited };
    State state = State::Runnable;
    uint64_t futex_addr = 0;
    uint32_t futex_bitset = 0;
    std::optional<Clock::time_point> deadline;   // when a wait ends with -ETIMEDOUT (sleep, poll: 0)
    // IoWait: the host descriptors (kept open by `io_files` even if the guest closes its own) and
    // whether a signal handler with SA_RESTART runs the call again (read) or it ends with EINTR
    // (poll, epoll_wait, as signal(7) lists).
    std::vector<struct pollfd> io_fds;
    std::vector<std::shared_ptr<OpenFile>> io_files;
    bool io_restartable = false;
    // Set while a woken IoWait thread runs its ecall again, with the deadline of the wait it was
    // parked in, so a poll that must wait again keeps its original deadline.
    bool io_resumed = false;
    std::optional<Clock::time_point> resumed_deadline;
    uint64_t io_done = 0;   // a parked write (or MSG_WAITALL receive): the bytes already moved
    uint64_t saved_sigmask = 0;            // rt_sigsuspend restores it after the handler
    bool restore_sigmask = false;
};


// A name under Vireo's /proc (procfs.cpp): what it is, and what it holds.
struct ProcNode {
    enum class Type { None, File, Directory, Link, ExeLink, FdLink };
    Type type = Type::None;
    std::string text;                                    // a file's contents, a link's target
    std::vector<std::pair<std::string, uint8_t>> entries;   // a directory's names and d_types
    int fd = -1;                                         // FdLink: the guest descriptor
};

// Why run_loop() returned.
enum class Stop { None, Exited, Signaled, Paused, CallReturned, InstructionLimit, Timeout, Deadlock };

// The part of a hart's state a call or a snapshot saves and restores.
struct HartState {
    std::array<uint64_t, 32> x{};
    std::array<uint64_t, 32> f{};
    uint64_t pc = 0;
    uint8_t frm = 0;
    uint32_t fflags = 0;
};

class Process {
public:
    static constexpr bool kPrivileged = false;

    static Result<std::unique_ptr<Process>> create(const Config& config);
    ~Process();

    // ---- riscv::Environment ----
    uint8_t* ram_page(uint64_t addr, riscv::Access access) { return m_mem->ram_page(addr, access); }
    bool mmio_read(uint64_t, unsigned, uint64_t&) { return false; }   // no devices: access fault
    bool mmio_write(uint64_t, unsigned, uint64_t) { return false; }
    uint64_t read_time();
    void on_trap(GuestHart& hart, uint64_t cause, uint64_t tval);
    riscv::FlatArena flat_arena() const { return {m_mem->base(), layout::kSize, true, !m_mem->has_snapshot()}; }

    // ---- what Sandbox offers ----
    Result<void> load(const std::string& path, const std::vector<std::string>& args);
    Outcome run();
    Result<uint64_t> call(uint64_t address, std::span<const CallArg> args);
    std::optional<uint64_t> symbol(const std::string& name) const;
    Result<void> snapshot();
    void reset();
    Result<std::unique_ptr<Process>> fork() const;

    // ---- state, shared by the syscall and signal code ----
    Config m_config;
    Sandbox* m_sandbox = nullptr;
    std::unique_ptr<AddressSpace> m_mem;
    std::unique_ptr<FileSystem> m_fs;
    FdTable m_fds;
    std::string m_cwd = "/";
    unsigned m_umask = 022;
    std::vector<std::unique_ptr<Thread>> m_threads;
    size_t m_current = 0;
    int m_next_tid = 0;
    std::array<SigAction, 65> m_actions{};
    std::vector<HostFunction> m_host_functions;

    // The loaded program.
    std::shared_ptr<const std::vector<uint8_t>> m_program_bytes;
    elf::Image m_program;
    uint64_t m_program_bias = 0;
    std::string m_execfn;
    bool m_loaded = false;
    // Where the argument and environment strings lie on the initial stack, [start, end): what
    // /proc/self/cmdline and environ show, read from guest memory as Linux does.
    std::pair<uint64_t, uint64_t> m_args_area, m_env_area;

    // The current run.
    Stop m_stop = Stop::None;
    int m_exit_status = 0;      // Exited: the status; Signaled: the signal
    bool m_finished = false;    // run() ended with an exit or a fatal signal
    bool m_call_active = false;
    std::optional<Clock::time_point> m_deadline;   // --timeout of this run
    // setitimer(ITIMER_REAL) / alarm(): when SIGALRM is due, and its period (0: once).
    std::optional<Clock::time_point> m_alarm;
    Clock::duration m_alarm_interval{};
    void check_alarm(Clock::time_point now);
    Clock::time_point m_start_time = Clock::now();

    // Tracing and the once-per-number report of unknown syscalls.
    std::set<uint64_t> m_reported_unknown;
    // The terminal settings of stdin when the guest first changed them, put back at the end.
    bool m_termios_saved = false;
    std::array<uint8_t, 64> m_saved_termios{};

    // Snapshot of everything outside the address space.
    struct Saved {
        HartState hart;
        std::array<SigAction, 65> actions{};
        uint64_t sigmask = 0;
        uint64_t clear_child_tid = 0;
        std::vector<int> fds;
        std::string cwd;
        unsigned umask = 022;
        bool valid = false;
    } m_saved;

    static constexpr int kPid = 1000;   // the first guest's pid; thread ids count up from it
    int m_pid = kPid;                   // this process's: kPid, or for a fork its host pid
    int m_ppid = 1;
    // Children made by fork (Config::allow_processes): host processes, each a copy of this one.
    std::set<int> m_children;
    std::set<int> m_children_reported;   // ended, SIGCHLD sent, not yet reaped by wait4
    std::map<int, int> m_child_slots;    // host pid -> its slot in m_table
    bool m_is_forked_child = false;
    ProcessTable* m_table = nullptr;     // shared by the whole tree (Config::allow_processes)
    int m_slot = 0;
    bool m_owns_table = false;

    Thread& current() { return *m_threads[m_current]; }
    Thread* thread_by_tid(int tid);

    // ---- syscalls (syscalls.cpp dispatches to the families) ----
    void do_syscall(Thread& thread);
    int64_t syscall_fs(uint64_t nr, const uint64_t* a, bool& handled);
    int64_t syscall_mm(uint64_t nr, const uint64_t* a, bool& handled);
    int64_t syscall_sys(Thread& t, uint64_t nr, const uint64_t* a, bool& handled);
    int64_t syscall_signal(Thread& t, uint64_t nr, const uint64_t* a, bool& handled);
    int64_t syscall_net(uint64_t nr, const uint64_t* a, bool& handled);
    int64_t syscall_poll(Thread& t, uint64_t nr, const uint64_t* a, bool& handled);
    // The deadline of a wait with `timeout` (none: for ever); for a call run again after parking,
    // the one it had the first time.
    static std::optional<Clock::time_point> wait_deadline(const Thread& t, std::optional<std::chrono::nanoseconds> timeout);
    int64_t connect_socket(int fd, int host_fd, const struct sockaddr_storage& addr, unsigned len);
    // Marks the calling thread blocked: the syscall's result is written when it wakes.
    static constexpr int64_t kBlocked = INT64_MIN;
    // Marks the calling thread parked on its ecall (IoWait, ChildWait): it runs again when woken.
    static constexpr int64_t kRestart = INT64_MIN + 2;

    // Helpers for the file syscalls.
    // Linux's MAX_RW_COUNT (no single read or write moves more) and UIO_MAXIOV.
    static constexpr uint64_t kMaxRw = 0x7ffff000;
    static constexpr int kMaxIov = 1024;
    // A guest struct iovec array (riscv64: {base, len}, 16 bytes each) as host iovecs over guest
    // memory, every buffer checked for `access`. 0, -EINVAL or -EFAULT.
    int read_iovec(uint64_t iov_addr, uint64_t count, riscv::Access access, std::vector<struct iovec>& out);
    int resolve_base(int64_t dirfd, std::string& base);
    int walk_at(int64_t dirfd, uint64_t path_addr, FileSystem::Follow follow, FileSystem::Walk& out, bool empty_ok = false);
    // Reads or writes a stream (pipe, socket, terminal, eventfd) as a blocking or non-blocking call
    // would, without blocking the host thread (stream_io.cpp): the result, or kRestart when the
    // thread is parked until the stream is ready.
    enum class Direction { In, Out };
    struct StreamCall {
        std::vector<struct iovec> iov;
        int flags = 0;            // sockets: the guest's MSG_* flags
        void* name = nullptr;     // sockets: the peer's address (sendto's, or room for recvfrom's)
        socklen_t name_len = 0;
        int msg_flags = 0;        // recvmsg: the flags that came back
    };
    int64_t stream_io(Thread& t, const std::shared_ptr<OpenFile>& file, Direction direction, StreamCall& call);
    // Parks `t` on `fds` until one is ready (its ecall runs again) or `deadline` passes (it
    // returns 0). Returns kRestart.
    int64_t park_io(Thread& t, std::vector<struct pollfd> fds, std::vector<std::shared_ptr<OpenFile>> files,
                    std::optional<Clock::time_point> deadline, bool restartable);
    // A write that failed with EPIPE raises SIGPIPE in the thread (pipe(7)). Returns `result`.
    int64_t raise_sigpipe(int64_t result);
    void flush_tlbs();     // and translated code, when executable memory changed
    void flush_code();     // translated code of every thread
    void after_memory_change() { if (m_mem->take_tlb_stale()) flush_tlbs(); }

    // ---- shared file mappings (file_mappings.cpp) ----
    // A MAP_SHARED mapping of a file opened for writing: its pages [start, end) hold the file's
    // bytes from `offset`; `hashes` has one per page, of what the file holds there as far as Vireo
    // knows (so a changed page is one whose hash differs).
    struct FileMapping {
        uint64_t start = 0, end = 0, offset = 0;
        std::shared_ptr<OpenFile> file;
        std::vector<uint64_t> hashes;
    };
    std::vector<FileMapping> m_file_mappings;
    void track_file_mapping(uint64_t addr, uint64_t len, std::shared_ptr<OpenFile> file, uint64_t offset);
    // Writes the changed pages of [addr, addr+len) back to their files: Async (msync MS_ASYNC),
    // Sync (and fdatasync), Unmap (and forget the range: munmap, MAP_FIXED, mremap). 0 or -errno.
    enum class WriteBack { Async, Sync, Unmap };
    int write_back_file_mappings(uint64_t addr, uint64_t len, WriteBack mode);
    // MADV_DONTNEED on a shared mapping: the pages read the file again.
    void reload_file_mappings(uint64_t addr, uint64_t len);
    // The end of the program (exit, fatal signal, execve): everything goes back.
    void write_back_all_file_mappings();

    // ---- Vireo's /proc (procfs.cpp) ----
    // walk_at's look at /proc: 1 when the path is not under it; else 0 with out.device == Proc and
    // out.path the node's canonical path (or a walk inside the root, for PID/root and PID/cwd),
    // or -errno.
    int walk_proc(std::string_view base, std::string_view path, FileSystem::Follow follow, FileSystem::Walk& out);
    // The node at a canonical /proc path; its text only when `fill`.
    ProcNode proc_node(const std::string& path, bool fill) const;
    int64_t open_proc(const std::string& path, int flags);
    int stat_proc(const std::string& path, bool follow, struct stat& st);
    // fstat of a guest descriptor's file (a /proc one described as what it stands for).
    int stat_open_file(const OpenFile& f, struct stat& st);
    // getdents64 of a /proc directory.
    int64_t read_proc_dir(OpenFile& f, uint8_t* out, uint64_t count);
    std::string proc_fd_target(const OpenFile& f) const;
    std::string proc_maps() const;
    std::string proc_status() const;
    std::string proc_comm() const;
    std::string proc_guest_bytes(std::pair<uint64_t, uint64_t> area) const;

    // ---- signals (signals.cpp) ----
    // A synchronous fault: delivered now to a handler, or fatal.
    void deliver_fault(Thread& t, int sig, int code, uint64_t addr);
    // kill/tgkill/raise: queued, delivered when the target next returns from a syscall.
    void post_signal(Thread* target, int sig, const SigInfo& info);
    void deliver_pending(Thread& t);
    bool setup_frame(Thread& t, int sig, const SigInfo& info);
    void sigreturn(Thread& t);
    void terminate_by_signal(int sig);
    bool signal_ignored(int sig) const;

    // ---- loading (loader.cpp) ----
    struct Start {
        uint64_t pc = 0, sp = 0;
    };
    // Maps the program in `bytes` (and its interpreter) into m_mem and builds its stack.
    Result<Start> load_image(std::shared_ptr<const std::vector<uint8_t>> bytes, const std::string& path,
                             const std::string& execfn, const std::vector<std::string>& args,
                             const std::vector<std::string>& env);

    // ---- processes (processes.cpp): fork by forking the host process, execve, wait4 ----
    int64_t fork_process(Thread& t, uint64_t flags, uint64_t stack, uint64_t ctid);
    int64_t execve(Thread& t, int64_t dirfd, uint64_t path, uint64_t argv, uint64_t envp, int flags);
    int64_t wait4(int pid, uint64_t status_addr, int options);
    // Sends SIGCHLD for children that ended since the last look; true if there was one.
    bool poll_children();
    Result<void> create_process_table();
    // Forked processes: host signals go to the guest (the host handler notes, these deliver).
    void forward_host_signals();
    bool take_host_signals();
    bool m_forwarding_signals = false;
    void destroy_process_table();
    // A sentinel result: the syscall replaced the registers itself (execve); a0 is not written.
    static constexpr int64_t kNoResult = INT64_MIN + 1;

    // ---- threads, futexes, scheduling (process.cpp) ----
    int64_t clone_thread(Thread& parent, uint64_t flags, uint64_t stack, uint64_t ptid, uint64_t tls, uint64_t ctid);
    void exit_thread(Thread& t, int status);
    void exit_process(int status);
    int futex_wake(uint64_t addr, int count, uint32_t bitset = ~0u);
    void block(Thread& t, Thread::State state, std::optional<Clock::time_point> deadline);
    Stop run_loop(uint64_t max_instructions, uint64_t& executed);
    void wake_expired(Clock::time_point now);
    // Polls the descriptors of the IoWait threads, waiting at most `timeout_ms` (-1: no limit),
    // and makes those with a ready one runnable. False when no thread waits for a descriptor.
    bool wake_ready_io(int timeout_ms);
    void wake_child_waiters();
    // A signal ends the wait of a blocked thread: EINTR, or for a restartable call parked on its
    // ecall with an SA_RESTART handler, the call again once the handler returns.
    void interrupt_wait(Thread& t, int sig);

    static HartState save_hart(const GuestHart& hart);
    static void restore_hart(GuestHart& hart, const HartState& state);
    std::unique_ptr<GuestHart> new_hart();
    void invalidate_pages(GuestHart& hart, const std::vector<uint32_t>& pages);

private:
    Process() = default;
};

}  // namespace vireo::sandbox
