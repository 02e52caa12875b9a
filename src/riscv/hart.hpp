// riscv::Hart<Env>: one RV64GC hardware thread, generic over the world it lives in.
//
// The hart talks to the world only through its environment (STYLE.md: the ares-style Bus):
// the system machine supplies one with M/S/U modes and devices, the process VM one that runs
// user code only and answers ecalls as Linux system calls. Env is a template parameter checked
// by the `Environment` concept, so the interpreter's hot path makes no virtual calls.
//
// Guest-caused faults never leave the hart as errors: they become RISC-V traps (privileged spec
// 1.12 §3.1.15) taken inside the guest, or, for an unprivileged environment, a call to
// Env::on_trap which decides (a signal, or the end of the program).
#pragma once

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>

#include "riscv/csr.hpp"
#include "riscv/decode.hpp"
#include "riscv/engine.hpp"
#include "riscv/jit/translator.hpp"

namespace vireo::riscv {

enum class Access : uint8_t { Read = 0, Write = 1, Execute = 2 };

template <typename Env>
class Hart;

// What a hart needs from its world.
//  - kPrivileged: true for a full M/S/U hart with paging (system machine); false for a hart that
//    only ever runs in U-mode with flat memory, where every trap goes to env.on_trap().
//  - ram_page(paddr, access): the host address of the 4 KiB page holding paddr if it is RAM the
//    hart may touch directly with that access, else nullptr (then the access goes to MMIO).
//    The page must stay mapped until the env calls Hart::flush_tlb().
//  - mmio_read/mmio_write(paddr, size, value): device access of 1, 2, 4 or 8 bytes; false means
//    nothing answers there (the hart raises an access fault).
//  - read_time(): the value of the `time` CSR (the machine's mtime).
//  - on_trap(hart, cause, tval): unprivileged environments only; must change the hart's state
//    (pc, registers) or call hart.request_stop().
//  - flat_arena() (optional, unprivileged environments): {base, size} when guest RAM page P is
//    always at host base + P (ram_page returns nothing else) within a host reservation of size
//    bytes (a power of two); translated code then addresses RAM from base, not from the TLB.
template <typename E>
concept Environment = requires(E& env, uint64_t addr, uint64_t& out, uint64_t value, unsigned size, Access access) {
    { E::kPrivileged } -> std::convertible_to<bool>;
    { env.ram_page(addr, access) } -> std::same_as<uint8_t*>;
    { env.mmio_read(addr, size, out) } -> std::same_as<bool>;
    { env.mmio_write(addr, size, value) } -> std::same_as<bool>;
    { env.read_time() } -> std::same_as<uint64_t>;
};

struct FlatArena {
    uint8_t* base = nullptr;
    uint64_t size = 0;
    // The host's protection keeps up with the guest's: every page of [base, base+size) the guest
    // cannot read, and nothing else, faults on a host read (the sandbox's AddressSpace), and so do
    // the 4 KiB below and above it. Translated loads then go straight to memory, and a fault sends
    // them to their slow path.
    bool guarded = false;
    // Likewise for writes: every page the guest cannot write faults on a host write, and translated
    // stores go straight to memory too. (Not while a snapshot tracks first writes to pages: those
    // must pass through the hart's TLB, whose misses mark pages dirty.)
    bool guarded_writes = false;
};

enum class StopReason : uint8_t {
    Budget,      // executed the number of instructions asked for
    Wfi,         // WFI with no interrupt pending: the machine may sleep or advance time
    Requested,   // the environment called request_stop()
};

struct RunResult {
    StopReason reason;
    uint64_t executed;
};

template <typename Env>
class Hart {
public:
    static constexpr bool kPrivileged = Env::kPrivileged;
    static constexpr bool kFlatArena = requires(Env& env) { { env.flat_arena() } -> std::same_as<FlatArena>; };

    explicit Hart(Env& env, uint64_t hart_id = 0);
    Hart(const Hart&) = delete;             // holds pointers into itself (TLB tables, translated code)
    Hart& operator=(const Hart&) = delete;

    // Runs up to `budget` instructions (trapping ones count too).
    RunResult run(uint64_t budget);
    // Asks run() to return after the current instruction. Callable from env callbacks.
    void request_stop() { m_stop_requested = true; }

    void set_engine(Engine engine) { m_engine = engine; }
    Engine engine() const { return m_engine; }
    // Code in memory changed in a way the hart cannot see (the host wrote it, mappings changed,
    // FENCE.I): drop translated code before running again.
    void flush_code() { m_jit_flush_pending = true; }
    // The environment's flat_arena() moved or changed (the process VM's execve builds a new address
    // space; a snapshot stops guarded writes): translated code, which holds the old base and
    // guarding, is thrown away when the hart next dispatches.
    void arena_moved() { m_jit_flush_pending = m_jit_arena_moved = true; }
    uint64_t blocks_translated() const { return m_jit ? m_jit->blocks_translated() : 0; }
    // How many times the dispatcher entered translated code (it leaves for the dispatcher only
    // when it cannot go on by itself).
    uint64_t translated_runs() const { return m_jit ? m_jit->runs() : 0; }

    // Architectural state.
    uint64_t reg(unsigned i) const { return m_x[i & 31]; }
    void set_reg(unsigned i, uint64_t v) { if (i & 31) m_x[i & 31] = v; }
    uint64_t freg(unsigned i) const { return m_f[i & 31]; }
    void set_freg(unsigned i, uint64_t v) { m_f[i & 31] = v; }
    uint64_t pc() const { return m_pc; }
    void set_pc(uint64_t pc) { m_pc = pc; }
    Priv priv() const { return m_priv; }
    uint64_t hart_id() const { return m_hart_id; }
    uint64_t instret() const { return m_instret; }
    uint64_t cycle() const { return m_cycle; }
    uint64_t fcsr() const { return (static_cast<uint64_t>(m_frm) << 5) | m_fflags; }

    // Interrupt lines driven by devices (CLINT: MTIP/MSIP; PLIC: MEIP/SEIP). Level-sensitive.
    void set_interrupt_line(uint64_t mip_bit, bool level);
    // True when an interrupt is pending in mip & mie, enabled or not (what wakes WFI).
    bool wakeup_pending() const { return ((m_mip | m_mip_lines) & m_mie) != 0; }

    // The environment changed what memory is where (mapping, permissions): forget cached translations.
    void flush_tlb();
    // Another hart ran: a reservation may no longer hold (LR/SC, unprivileged spec §8.2).
    void clear_reservation() { m_reservation_valid = false; }

    // CSR access from outside the guest (tests, debugging, boot set-up); no privilege checks.
    uint64_t debug_read_csr(uint16_t number);
    void debug_write_csr(uint16_t number, uint64_t value);

    void set_trace(bool on) { m_trace = on; }

    // Used by unprivileged environments' on_trap to report where a fault happened.
    struct TrapInfo { uint64_t cause = 0; uint64_t tval = 0; };

private:
    friend Env;

    // ---- interpreter (hart_exec.hpp) ----
    RunResult run_interp(uint64_t budget);
    void step();   // one instruction (or one trap), counted against m_budget_left
    bool execute(const Decoded& d, uint32_t raw);
    bool execute_fp(const Decoded& d, uint32_t raw);
    bool execute_amo(const Decoded& d, uint32_t raw);
    bool execute_amocas(const Decoded& d);
    bool fetch(uint32_t& raw);
    const Decoded& decode_cached(uint32_t raw);

    // ---- translator glue (hart_jit.hpp) ----
    RunResult run_jit(uint64_t budget);
    bool jit_start();
    const jit::Block* jit_block(const jit::CallContext* call = nullptr);
    jit::Layout jit_layout();
    void jit_sync();
    void jit_begin_helper(uint64_t info);
    void jit_resume(uint64_t info);
    uint64_t jit_after_access(uint64_t pc, uint64_t info);
    static uint64_t jit_exec_one(void* hart, uint64_t lo, uint64_t hi, uint64_t pc, uint64_t info);
    template <typename T, bool kFp = false> static uint64_t jit_load(void* hart, uint64_t vaddr, uint64_t pc, uint64_t info);
    template <typename T> static uint64_t jit_store(void* hart, uint64_t vaddr, uint64_t value, uint64_t pc, uint64_t info);

    // ---- traps and CSRs (hart_csr.hpp) ----
    // Raises an exception: the trap is taken at once (pc moves to the handler). Returns false so
    // that instruction code can write `return raise(...)`.
    bool raise(Exception cause, uint64_t tval);
    // mtval for an illegal instruction holds its bits: 16 of them for a compressed one (§3.1.16).
    bool illegal(uint32_t raw) { return raise(Exception::IllegalInstruction, is_compressed(raw) ? (raw & 0xffff) : raw); }
    void take_trap(uint64_t cause, uint64_t tval, bool interrupt);
    bool check_interrupts();
    void update_interrupt_check();
    bool csr_read(uint16_t number, uint64_t& value, uint32_t raw);
    bool csr_write(uint16_t number, uint64_t value, uint32_t raw);
    bool csr_accessible(uint16_t number, bool write) const;
    bool counter_enabled(uint16_t number) const;
    void write_mstatus(uint64_t value);
    void set_priv(Priv p);
    bool do_mret(uint32_t raw);
    bool do_sret(uint32_t raw);

    // ---- memory (hart_mmu.hpp) ----
    struct TlbEntry {
        uint64_t tag = ~0ull;     // virtual page number, ~0 when empty
        uint8_t* host = nullptr;  // host address of the page, nullptr for MMIO
        uint64_t paddr_page = 0;
        uint64_t fast_page = ~0ull;   // for translated code: the page's virtual address if host is set, else ~0
    };
    static constexpr unsigned kTlbSize = 1024;
    static_assert(sizeof(TlbEntry) == jit::kTlbEntrySize && offsetof(TlbEntry, tag) == jit::kTlbTagOffset &&
                  offsetof(TlbEntry, host) == jit::kTlbHostOffset && offsetof(TlbEntry, paddr_page) == jit::kTlbPaddrOffset &&
                  offsetof(TlbEntry, fast_page) == jit::kTlbFastPageOffset && kTlbSize == jit::kTlbEntries,
                  "translated code knows the TLB's shape");
    enum Context : uint8_t { CtxUser = 0, CtxSupervisor = 1, CtxPhysical = 2, CtxCount = 3 };

    template <typename T> bool load(uint64_t vaddr, T& out);
    template <typename T> bool store(uint64_t vaddr, T value);
    template <typename T> bool load_slow(uint64_t vaddr, T& out);
    template <typename T> bool store_slow(uint64_t vaddr, T value);
    // Translates one page's worth of access; on failure the trap has been raised.
    bool translate(uint64_t vaddr, Access access, TlbEntry*& entry);
    // What a successful walk found: the physical address, and the leaf's level and U bit.
    struct Leaf {
        uint64_t paddr = 0;
        unsigned level = 0;
        bool user = false;
    };
    bool walk(uint64_t vaddr, Access access, Priv effective, Leaf& leaf);
    // Records what sfence_vma() and clearing SUM need to know of a TLB entry just filled.
    void note_fill(Context ctx, Access access, uint64_t vpn, const Leaf& leaf);
    bool phys_read(uint64_t paddr, unsigned size, uint64_t& value, Access access);
    bool phys_write(uint64_t paddr, unsigned size, uint64_t value);
    void update_contexts();
    // SFENCE.VMA: everything in the U and S contexts, or (vaddr set) what may translate vaddr.
    void sfence_vma(std::optional<uint64_t> vaddr);
    Exception fault_for(Access access, bool page_fault) const;

    // ---- floating point helpers ----
    bool fp_enabled() const { return (m_mstatus & MSTATUS_FS) != 0; }
    void mark_fp_dirty() { m_mstatus |= MSTATUS_FS_DIRTY | MSTATUS_SD; }
    uint32_t f32(unsigned r) const
    {
        uint64_t v = m_f[r];
        return (v >> 32) == 0xffffffffu ? static_cast<uint32_t>(v) : 0x7fc00000u;  // NaN-boxing, §12.2
    }
    void set_f32(unsigned r, uint32_t v) { m_f[r] = 0xffffffff00000000ull | v; mark_fp_dirty(); }
    void set_f64(unsigned r, uint64_t v) { m_f[r] = v; mark_fp_dirty(); }

    Env& m_env;

    // Hot state first.
    std::array<uint64_t, 32> m_x{};
    uint64_t m_pc = 0;
    uint64_t m_budget_left = 0;
    TlbEntry* m_dtlb_read = nullptr;    // the current data context's read and write tables
    TlbEntry* m_dtlb_write = nullptr;
    TlbEntry* m_itlb = nullptr;         // the current fetch context's execute table
    uint64_t m_jit_exit_slot = 0;
    uint64_t m_jit_mark = 0;            // the budget when cycle/instret were last brought up to date
    bool m_interrupt_check = false;   // an interrupt may be ready to take: look before each instruction
    bool m_stop_requested = false;
    bool m_wfi = false;
    bool m_trace = false;
    Priv m_priv = Priv::Machine;
    Context m_data_ctx = CtxPhysical, m_fetch_ctx = CtxPhysical;
    std::array<uint64_t, 32> m_f{};

    Engine m_engine = default_engine();
    bool m_jit_flush_pending = false, m_jit_arena_moved = false;
    bool m_jit_cold = false;   // jit_block() declined: the code at pc has not run often enough
    std::unique_ptr<jit::Translator> m_jit;
    // The instructions of the block being translated (a member: constructing 64 of them for each
    // block was 3% of a boot).
    std::array<jit::Instruction, jit::kMaxBlock> m_jit_code;

    // The decoded-instruction cache is keyed by the instruction bits themselves, so it never needs
    // invalidating when code is modified: a changed instruction simply misses.
    struct CacheLine { uint32_t raw = 0; Decoded decoded{}; };
    static constexpr unsigned kDecodeCacheSize = 16384;
    std::array<CacheLine, kDecodeCacheSize> m_decode_cache{};

    std::array<std::array<std::array<TlbEntry, kTlbSize>, 3>, CtxCount> m_tlb{};
    // Which TLB entries hold a 4 KiB piece of a superpage, and its size (as a shift of the page
    // number), so that an SFENCE.VMA for one address drops every piece of the superpage it may
    // lie in and nothing else. Kept up to date by translate(); stale marks of emptied entries
    // only make a flush drop an empty entry again.
    struct SuperpageMarks {
        std::array<uint64_t, kTlbSize / 64> bits{};
        std::array<uint8_t, kTlbSize> shift{};
        // The page numbers the marked entries' superpages span, at most: a fence outside (the
        // kernel's linear map is in superpages, most fences are for user pages) skips the scan.
        uint64_t low = ~0ull, high = 0;
    };
    std::array<std::array<SuperpageMarks, 3>, CtxCount> m_superpages{};
    // The S-context read and write entries that map U pages (only SUM allows them), so that
    // clearing SUM drops those instead of the whole tables; past kMax of them, the whole tables.
    struct SumEntries {
        static constexpr unsigned kMax = 64;
        std::array<uint16_t, kMax> index{};
        unsigned count = 0;
        bool overflow = false;
    };
    std::array<SumEntries, 2> m_sum_entries{};   // [Access::Read], [Access::Write]

    // CSRs.
    uint64_t m_hart_id;
    uint64_t m_mstatus = 0;
    uint64_t m_medeleg = 0, m_mideleg = 0, m_mie = 0, m_mip = 0, m_mip_lines = 0;
    uint64_t m_mtvec = 0, m_mscratch = 0, m_mepc = 0, m_mcause = 0, m_mtval = 0;
    uint64_t m_mcounteren = 0, m_menvcfg = 0, m_mcountinhibit = 0;
    uint64_t m_stvec = 0, m_sscratch = 0, m_sepc = 0, m_scause = 0, m_stval = 0, m_satp = 0;
    uint64_t m_scounteren = 0, m_senvcfg = 0;
    uint64_t m_cycle = 0, m_instret = 0;
    bool m_instret_written = false;
    uint8_t m_frm = 0;
    uint32_t m_fflags = 0;
    std::array<uint8_t, 64> m_pmpcfg{};
    std::array<uint64_t, 64> m_pmpaddr{};
    uint64_t m_tselect = 0;

    // LR/SC reservation (unprivileged spec §8.2): the address of the reserved doubleword/word.
    uint64_t m_reservation = 0;
    bool m_reservation_valid = false;
};

}  // namespace vireo::riscv
