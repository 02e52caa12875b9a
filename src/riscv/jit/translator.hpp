// The translator: RISC-V basic blocks to x86-64 machine code (issue #5). Not a template: it knows
// the hart only through a Layout (where the state it touches lives, as offsets from &x[0], and the
// hart's helper functions), so it is compiled once for every environment.
//
// How translated code runs (riscv/hart_jit.hpp drives it):
//  - A block is a run of instructions from one guest page (straight, or through one jump it
//    follows, and in the process VM through calls and returns: see BlockFormer), ending at a jump, an
//    instruction that may change how code is fetched (xRET, SFENCE.VMA, FENCE.I, WFI, writes of
//    satp and the PMP CSRs, ...), the end of the page, kMaxBlock instructions, or where
//    BlockFormer says (conditional branches inside it are side exits, or selects: see Shadow). It
//    is found by (virtual pc, physical pc):
//    the same physical code reached through another virtual address is another block, because
//    translated code holds pc-derived constants (AUIPC, links, branch targets).
//  - Guest registers live in the hart's array (rbx points into it, and so at the hart), except the
//    busiest eight (sp, s0, a0-a5), which live in host registers from entry to exit and are stored
//    back before any helper call. A block that loops to its own start may borrow the host
//    registers of those it does not name for memory-kept ones it writes (Emitter::Borrow); with
//    flat memory every block on a loop of its page (PageLoops) borrows by the loop's plan, and a
//    direct exit to a block with the same plan skips both blocks' moves (Block::plan).
//  - Integer, branch, load and store instructions are emitted inline (in the process VM, where the
//    FPU is always on, FLW/FLD/FSW/FSD too). Loads and stores look up the
//    hart's software TLB inline and call the hart's slow path on a miss, MMIO, a page-crossing
//    access or a fault; in a guarded arena (Layout::guarded_loads and guarded_stores, the process
//    VM) loads and stores go to the arena directly and a host fault resumes at their slow path
//    (fault_resume()). Everything else (FP, atomics, CSRs, system instructions) calls the hart's
//    `exec_one`, which runs the interpreter's definition of that one instruction.
//  - Counting: a block takes all its instructions off the budget at entry (leaving at once if the
//    budget cannot pay); a helper or a side exit that leaves early gives back what did not run. instret and cycle
//    follow the budget (the hart settles them before any helper runs and after each exit), so
//    counters read by CSR instructions and the budget at an exit are exact, as in the interpreter.
//  - A direct exit is a jump to a stub that stores the next pc and leaves; the dispatcher patches
//    the jump to go straight to the next block instead (chaining) when that is safe: always for flat memory, and within the
//    same virtual and physical page for paged memory (the mapping was checked when the chain was
//    entered, and anything that changes mappings ends a block and returns to the dispatcher).
//  - Indirect jumps (JALR), and with paged memory direct jumps to another page, first look for
//    their target in a small table of recently dispatched blocks (with paged memory, after finding
//    the target's physical address in the fetch TLB), and leave to the dispatcher if it is not there.
//    A call a block follows but which goes elsewhere goes to a variant of the block there formed
//    for that call, once the dispatcher has made one (CallContext).
//  - Code changes: the hart calls invalidate() on FENCE.I (and the process VM when mappings change):
//    every chain is undone and each block's guest bytes are compared with memory the next time the
//    dispatcher picks it, so unchanged code (nearly all of it) is not translated again.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <unordered_map>
#include <vector>

#include "riscv/decode.hpp"
#include "riscv/jit/loops.hpp"

namespace vireo::riscv::jit {

// A helper's answer to translated code: keep going, or leave to the dispatcher (the helper has then
// set pc and the counters).
enum Status : uint64_t { kContinue = 0, kLeave = 1 };

// `info` packs what a helper needs to finish an instruction: its index in the block (the number of
// instructions the block ran before it), its length, its rd, and how many of the block's
// instructions were paid for (all of them, at entry: a helper that leaves early gives back what
// did not run).
inline constexpr uint64_t pack_info(unsigned index, unsigned len, unsigned rd, unsigned paid)
{
    return index | (static_cast<uint64_t>(len) << 16) | (static_cast<uint64_t>(rd) << 24) |
           (static_cast<uint64_t>(paid) << 32);
}
inline constexpr unsigned info_index(uint64_t info) { return static_cast<unsigned>(info & 0xffff); }
inline constexpr unsigned info_len(uint64_t info) { return static_cast<unsigned>((info >> 16) & 0xff); }
inline constexpr unsigned info_rd(uint64_t info) { return static_cast<unsigned>((info >> 24) & 31); }
inline constexpr unsigned info_paid(uint64_t info) { return static_cast<unsigned>((info >> 32) & 0xffff); }

// A Decoded travels to exec_one in two registers: the fields, and imm | raw << 32.
inline uint64_t pack_fields(const Decoded& d)
{
    return static_cast<uint64_t>(d.op) | (static_cast<uint64_t>(d.rd) << 16) | (static_cast<uint64_t>(d.rs1) << 24) |
           (static_cast<uint64_t>(d.rs2) << 32) | (static_cast<uint64_t>(d.rs3) << 40) |
           (static_cast<uint64_t>(d.rm) << 48) | (static_cast<uint64_t>(d.len) << 56);
}
inline Decoded unpack_decoded(uint64_t fields, uint64_t imm_raw)
{
    Decoded d;
    d.op = static_cast<Op>(fields & 0xffff);
    d.rd = static_cast<uint8_t>(fields >> 16);
    d.rs1 = static_cast<uint8_t>(fields >> 24);
    d.rs2 = static_cast<uint8_t>(fields >> 32);
    d.rs3 = static_cast<uint8_t>(fields >> 40);
    d.rm = static_cast<uint8_t>(fields >> 48);
    d.len = static_cast<uint8_t>(fields >> 56);
    d.imm = static_cast<int32_t>(static_cast<uint32_t>(imm_raw));
    return d;
}

struct Layout {
    // Byte offsets from &x[0] of the hart's fields.
    int32_t pc = 0, budget = 0;
    int32_t dtlb_read = 0, dtlb_write = 0;   // TlbEntry* of the current data context's tables
    int32_t itlb = 0;                        // TlbEntry* of the current fetch context's table
    int32_t exit_slot = 0;                   // written by an unchained direct exit
    int32_t hart = 0;                        // the hart itself (x[] lies inside it)
    int32_t f = 0, mstatus = 0;              // the FP registers (raw bits), mstatus
    int32_t fflags = 0, frm = 0;             // uint32_t fflags, uint8_t frm
    // exec_one(hart, pack_fields(decoded), imm | raw << 32, pc, info)
    uint64_t (*exec_one)(void*, uint64_t, uint64_t, uint64_t, uint64_t) = nullptr;
    // load(hart, vaddr, pc, info), in the order LB LH LW LD LBU LHU LWU; writes rd itself.
    std::array<uint64_t (*)(void*, uint64_t, uint64_t, uint64_t), 7> load{};
    // store(hart, vaddr, value, pc, info), in the order SB SH SW SD.
    std::array<uint64_t (*)(void*, uint64_t, uint64_t, uint64_t, uint64_t), 4> store{};
    // fp_load(hart, vaddr, pc, info) for FLW and FLD: writes f[rd] (NaN-boxed for FLW) itself.
    std::array<uint64_t (*)(void*, uint64_t, uint64_t, uint64_t), 2> fp_load{};
    // A flat arena (the process VM): guest RAM page P is always at host flat_base + P where RAM,
    // and flat_mask (2^n - 1) covers the arena; the TLB then only checks permissions. 0: none.
    uint64_t flat_base = 0, flat_mask = 0;
    // The arena is guarded (FlatArena::guarded): loads skip the TLB, and a host fault on one
    // resumes at its slow path (the translator's SIGSEGV handler).
    bool guarded_loads = false;
    // Stores likewise (FlatArena::guarded_writes).
    bool guarded_stores = false;
    bool privileged = true;           // ECALL always traps (else it is a system call that returns)
    bool chain_across_pages = false;  // flat memory: any direct jump may be chained
};

// What the hart's TLB entries look like to translated code (checked by the hart with static_assert).
inline constexpr unsigned kTlbEntrySize = 32, kTlbTagOffset = 0, kTlbHostOffset = 8, kTlbPaddrOffset = 16,
                          kTlbFastPageOffset = 24, kTlbEntries = 1024;

inline constexpr unsigned kMaxBlock = 64;

struct Instruction {
    Decoded d;
    uint32_t raw = 0;
    int32_t follow = 0;   // a JALR the block follows (see BlockFormer): its expected target - its pc
};

// The pc of the instruction after `in` (at pc) in a block: past it, or, for a JAL or JALR the
// block follows (one that is not its last, see BlockFormer), its target.
inline uint64_t next_in_block(const Instruction& in, uint64_t pc, bool last)
{
    if (in.d.op == Op::JALR && in.follow && !last)
        return pc + static_cast<uint64_t>(static_cast<int64_t>(in.follow));
    return pc + (in.d.op == Op::JAL && !last ? static_cast<uint64_t>(static_cast<int64_t>(in.d.imm)) : in.d.len);
}

// True when a block must end after this instruction (conditional branches: see BlockFormer).
bool ends_block(const Decoded& d, bool privileged);

inline bool is_conditional_branch(Op op)
{
    return op == Op::BEQ || op == Op::BNE || op == Op::BLT || op == Op::BGE || op == Op::BLTU || op == Op::BGEU;
}

// True when the rd field holds offset bits, not a destination (branches, stores).
inline bool rd_is_offset(Op op)
{
    return is_conditional_branch(op) || op == Op::SB || op == Op::SH || op == Op::SW || op == Op::SD ||
           op == Op::FSW || op == Op::FSD;
}

// A short forward branch over a few register-to-register instructions (its shadow) is translated
// as a select, not as a branch: the shadow runs either way and, when the branch is taken, the
// registers it wrote are put back and its instructions given back to the budget. A condition that
// follows the data, such as CRC's `if (bit) crc ^= poly` (corelike's kernels, every checksum),
// then costs no mispredicted jump, and the code after the shadow stays in the block.
inline constexpr unsigned kMaxShadow = 4, kMaxShadowWrites = 2;

// True for the instructions a shadow may hold: integer work on registers only, translated inline
// with no host register beyond rax and rcx (see Emitter::emit_alu), which cannot trap.
bool selectable(Op op);

// A shadow, taken an instruction at a time.
class Shadow {
public:
    // False when `d` cannot join it (the shadow is then no select's).
    bool add(const Decoded& d)
    {
        if (!selectable(d.op) || m_count == kMaxShadow)
            return false;
        if (d.rd && !writes(d.rd)) {
            if (m_writes == kMaxShadowWrites)
                return false;
            m_written[m_writes++] = static_cast<uint8_t>(d.rd);
        }
        ++m_count;
        return true;
    }
    bool writes(unsigned r) const
    {
        for (unsigned i = 0; i < m_writes; ++i)
            if (m_written[i] == r)
                return true;
        return false;
    }
    unsigned count() const { return m_count; }
    std::span<const uint8_t> written() const { return {m_written.data(), m_writes}; }

private:
    unsigned m_count = 0, m_writes = 0;
    std::array<uint8_t, kMaxShadowWrites> m_written{};
};

// The shadow of the conditional branch code[branch] when it is a select, else an empty one.
Shadow select_shadow(std::span<const Instruction> code, size_t branch);

// Forms a block instruction by instruction. A conditional branch need not end it: the block is
// then a superblock, which goes on with the instructions after the branch, and the taken branch
// is a side exit (or, to the block's own start, a loop that does not leave). It ends at its
// kMaxBranches-th conditional branch, and before a join: an instruction an earlier branch of the
// block jumps forward to starts a block of its own (which both paths lead to) rather than being
// translated twice. Longer superblocks made Lua's interpreter (bench.lua) 5-15% slower, as
// code entered at many points is translated many times over; two branches made corelike 14%
// faster than one and left Lua as it was. A select's branch (see Shadow) is none of the block's:
// its target joins the block, and it does not count towards kMaxBranches.
//
// A jump (JAL x0) to the same page need not end a block either: the block follows it, and goes
// on at its target (up to kMaxJumps of them; never back to the block's own start). Compiled loops
// and if-else chains are full of such jumps; followed, each costs nothing at all, and a value
// loaded before one is still at hand after it (see Emitter::compare()). Following one made
// corelike 9% faster; two or four, 8%. Following calls as well gained nothing by itself; it is
// what keeps a loop's register plan (see PageLoops) across the calls in the loop.
class BlockFormer {
public:
    static constexpr unsigned kMaxBranches = 2, kMaxJumps = 1, kMaxCalls = 2;
    // `pc`: where the block starts. With `regs` (the guest registers as the
    // block is formed, in the process VM) the block follows calls and returns too: a call (JAL or
    // JALR with rd = ra) to its page goes on at the callee, a JALR's target guessed from its
    // register's value now (translated code checks it and leaves through the jump table for any
    // other); a return (JALR through ra) after a call the block followed goes on after that
    // call. A call and its return: kMaxCalls.
    // `returns_to`: a variant's (see CallContext): the block starts in a callee, whose return
    // address ra holds; a return to it on the page goes on after the call, as if the call had
    // been followed.
    explicit BlockFormer(bool privileged, uint64_t pc = 0, const uint64_t* regs = nullptr, uint64_t returns_to = 0)
        : m_privileged(privileged), m_page_offset(pc & 0xfff), m_page(pc & ~0xfffull), m_regs(regs)
    {
        if (regs && returns_to && (returns_to >> 12) == (pc >> 12)) {
            m_return_at = static_cast<int64_t>(returns_to & 0xfff);
            m_calls = 1;
        }
    }
    // True when the instruction `offset` bytes after the block's start must not join it. The end
    // of a select's shadow settles it: its branch is not one of the block's.
    bool stops_before(uint64_t offset)
    {
        if (m_select.open && m_select.target == offset) {
            m_select.open = false;
            --m_branches;   // its target is the last one recorded
        }
        for (unsigned i = 0; i < m_branches; ++i)
            if (m_targets[i] == offset)
                return true;
        return false;
    }
    // Takes the instruction `offset` bytes after the block's start; true when the block ends with it.
    // A JAL it takes without ending the block is followed: the next instruction is its target's;
    // likewise a JALR whose `follow` it sets.
    bool take(Instruction& in, uint64_t offset);

private:
    bool take_decoded(const Decoded& d, uint64_t offset);
    bool follows_call(Instruction& in, uint64_t offset);
    bool m_privileged;
    uint64_t m_page_offset;   // where in its page the block starts
    uint64_t m_page;          // the page
    const uint64_t* m_regs;
    uint32_t m_written = 0;      // the x registers the block's instructions so far write
    int64_t m_return_at = -1;    // where in the page the last followed call returns (ra's value), if ra holds it
    unsigned m_calls = 0;
    unsigned m_jumps = 0;
    unsigned m_branches = 0;
    std::array<uint64_t, kMaxBranches> m_targets{};
    // The latest branch, while what follows it may still be a select's shadow (it counts as a
    // branch until its shadow ends; the block goes on past its last branch until then).
    struct {
        bool open = false;
        uint64_t target = 0;
        Shadow shadow;
    } m_select;
};

struct Block {
    uint64_t vpc = 0, paddr = 0;
    const void* entry = nullptr;
    // A block on a loop (flat memory) keeps some guest registers in the host registers of others,
    // by a plan every block of the loop shares (Emitter::plan_borrows): a block with the same plan
    // jumps to `borrowing_entry`, past the entry's moves. `plan` is 0 for none.
    const void* borrowing_entry = nullptr;
    uint64_t plan = 0;
    uint32_t count = 0;        // instructions
    uint32_t epoch = 0;        // the translator's epoch when its code was last known unchanged
    uint32_t bytes_at = 0, byte_count = 0;   // a copy of its guest code, in the translator's arena,
    int32_t bytes_from = 0;                  // from vpc + bytes_from (< 0: it follows a jump back)
    bool crosses_page = false;   // its last instruction ends on the next page (flat memory only)
    uint64_t returns_to = 0;     // a variant's return address (see CallContext); 0: an ordinary block
};

// A call a block follows (BlockFormer) goes on in the block at the target it was formed for; a
// call to another one, made with the block's register plan (a loop's), leaves by a CallSlot. The
// dispatcher forms, for that target, a variant of the block there: formed as if the call had been
// followed (the return to `returns_to`, the caller's code after it, the caller's plan), found only
// through the slot, which then goes straight to it (past both blocks' moves) when the target is
// that one again. Corelike's list sort calls by_key in one sort and by_value in the next: the
// caller's block follows one, its variant the other.
struct CallContext {
    uint64_t returns_to = 0, plan = 0;
};

class Emitter;

class Translator {
public:
    explicit Translator(const Layout& layout);
    ~Translator();
    Translator(const Translator&) = delete;
    Translator& operator=(const Translator&) = delete;
    // False when no memory for translated code could be had (the hart then interprets).
    bool ok() const { return m_memory != nullptr; }

    // The block for (vpc, paddr), or nullptr. `code` is the host address of the guest code at paddr:
    // after invalidate(), a block is used again only if the code it came from is unchanged.
    const Block* find(uint64_t vpc, uint64_t paddr, const uint8_t* code)
    {
        Block* b = m_recent[recent_index(vpc, paddr)];
        if (!b || b->vpc != vpc || b->paddr != paddr) [[unlikely]] {
            // Code is translated only once warm, and only flush() cools it: cold code has no
            // block, which saves the index a lookup for most of a boot.
            if (heat(vpc, paddr) < m_warm)
                return nullptr;
            b = find_slow(vpc, paddr);
            if (!b)
                return nullptr;
        }
        if (b->epoch != m_epoch) [[unlikely]]
            return revalidate(*b, code);
        JumpSet& set = m_jumps[jump_index(vpc)];
        if (set.way[0].vpc != vpc || set.way[0].paddr != paddr) {
            if (set.way[0].entry == nullptr && m_jumps_used.size() < kJumpSets / 4)
                m_jumps_used.push_back(static_cast<uint16_t>(jump_index(vpc)));
            set.way[1] = set.way[0];   // the one found before it stays, second
        }
        set.way[0] = {vpc, paddr, b->entry, 0};
        return b;
    }

    // Where translated code's indirect jumps (and, with paged memory, its jumps to another page)
    // look for their target without leaving: the blocks the dispatcher found last (emptied by
    // invalidate() and flush()). With paged memory the target's physical address comes from the
    // fetch TLB, so a jump never enters code its current mapping does not lead to. Two ways a
    // set (a cache line), the last found first: with one, SQLite's VDBE (0x8b44e) and the page
    // cache's fetch (0x3344e), which call each other in turn, shared an entry and left
    // translated code 57,000 times in test.sql.
    struct JumpEntry {
        uint64_t vpc = ~0ull, paddr = ~0ull;
        const void* entry = nullptr;
        uint64_t unused = 0;
    };
    struct alignas(64) JumpSet {
        std::array<JumpEntry, 2> way;
    };
    static constexpr unsigned kJumpSets = 4096;
    static size_t recent_index(uint64_t vpc, uint64_t paddr) { return ((vpc >> 1) ^ (paddr >> 9)) % kRecent; }
    static unsigned jump_index(uint64_t vpc) { return static_cast<unsigned>(vpc >> 1) % kJumpSets; }
    // Code is translated once it has been asked for kWarm times (most of a boot runs once, and is
    // cheaper to interpret than to translate: 16 took 11% fewer host instructions to boot the
    // default guest than 4, and as few as 8 or 24); until then this says no and counts. A program
    // in the process VM runs its code more often: there 12 (4 was best until translating a block
    // included finding its page's loops; with that, 12 took SQLite's test.sql 3% less CPU than 4,
    // Lua's bench 2%, corelike 3000 iterations 4%; 16 was in between). VIREO_JIT_WARM=N sets
    // another threshold (0: translate at first sight, as the ISA tests do).
    static constexpr uint8_t kWarm = 16, kWarmProcess = 12;
    bool warm(uint64_t vpc, uint64_t paddr)
    {
        uint8_t& h = heat(vpc, paddr);
        if (h >= m_warm)
            return true;
        ++h;
        return false;
    }

    // Translates `code` (instructions at vpc, then each at next_in_block(); at most kMaxBlock),
    // whose bytes in guest memory are `bytes` (from vpc + bytes_from on), into a new block.
    // `crosses_page`: the last instruction ends on the next page (flat memory only); such a block
    // is dropped, not checked, after invalidate(), as that page may be gone.
    // `page`: the guest page the block starts in, whose loops give its register plan (flat memory).
    // `call`: the block is a variant formed for that call (see CallContext).
    const Block* translate(uint64_t vpc, uint64_t paddr, std::span<const Instruction> code, std::span<const uint8_t> bytes,
                           bool crosses_page = false, int32_t bytes_from = 0, const uint8_t* page = nullptr,
                           const CallContext* call = nullptr);
    // Call variants: true when `slot` (an exit translated code left by) is a CallSlot, with its
    // call's context; the variant for (vpc, paddr, call) or nullptr (after invalidate(), only if its
    // code is unchanged); whether it is warm (as warm()); and, when no variant can be formed, the
    // slot pointed at the jump table from then on (until invalidate()).
    bool missed_call(uint64_t slot, CallContext& call) const;
    const Block* find_variant(uint64_t vpc, uint64_t paddr, const uint8_t* code, const CallContext& call);
    bool warm_variant(uint64_t vpc, uint64_t paddr, const CallContext& call) { return warm(vpc ^ call.returns_to << 20, paddr ^ call.plan); }
    void give_up(uint64_t slot);
    // Runs translated code from `block` until it leaves (the hart's state then says where it is).
    void run(void* hart, uint64_t* regs, const Block& block)
    {
        ++m_runs;
        t_running = this;
        m_enter(hart, regs, block.entry);
        t_running = nullptr;
    }
    // Where translated code that faulted at `rip` resumes (a guarded access's slow path), or nullptr
    // when the fault is not one of those. Called from the SIGSEGV handler: no allocation, no lock.
    const void* fault_resume(uintptr_t rip) const;
    // The translator running on this thread, if any (for the SIGSEGV handler).
    static inline thread_local const Translator* t_running = nullptr;
    // Points an unchained exit's slot at `block` if chaining is safe.
    void link(uint64_t slot, const Block& block);
    // What a direct exit's stub records (Emitter::exit_stub): the rel32 field of its jump, the
    // virtual and physical page of its block (| kGoesOn when the rest follows), the stub; and for
    // a block with a register plan, the rel32 field of the jump to a block with the same plan, the
    // plan, and where that jump leads until linked (else the slot ends after the stub).
    struct ExitSlot {
        static constexpr uint64_t kGoesOn = 1ull << 63;   // (no page number has it)
        uint64_t jump, vpage, ppage, stub;
        uint64_t same_plan, plan, unborrowing;
    };
    // The exit of a followed call to another target (Emitter::call_missed). `kind` (an ExitSlot's
    // vpage) tells it apart; `target`, the imm64 field the target is compared with (1 until linked:
    // no target is odd), `variant` the rel32 field of the jump taken when it is equal, `other` that
    // of the jump taken when not: to `learn` (which leaves with this slot) until linked, then to
    // `indirect` (through the jump table).
    struct CallSlot {
        static constexpr uint64_t kCall = ~0ull;   // (no page number)
        uint64_t other, kind, target, variant, learn, indirect;
        uint64_t returns_to, plan;
    };
    // Guest code may have changed (FENCE.I, new mappings): unchain every block and check each one's
    // code before it runs again. Never call while translated code is running.
    void invalidate();
    // Forgets every block. Never call while translated code is running.
    void flush();
    bool nearly_full() const;

    uint64_t blocks_translated() const { return m_translated; }
    uint64_t flushes() const { return m_flushes; }
    uint64_t runs() const { return m_runs; }

private:
    uint8_t& heat(uint64_t vpc, uint64_t paddr) { return m_heat[(vpc * 0x9e3779b97f4a7c15ull ^ paddr) >> 48]; }
    Block* find_slow(uint64_t vpc, uint64_t paddr);
    const Block* revalidate(Block& block, const uint8_t* code);
    void start();
    void forget_jumps();
    static void point_jump(uint64_t field, uint64_t target);
    void write_perf_map() const;

    struct KeyHash {
        size_t operator()(const std::pair<uint64_t, uint64_t>& k) const { return std::hash<uint64_t>{}(k.first * 0x9e3779b97f4a7c15ull ^ k.second); }
    };

    Layout m_layout;
    uint8_t* m_memory = nullptr;
    size_t m_capacity = 0;
    std::unique_ptr<Emitter> m_emitter;
    void (*m_enter)(void*, uint64_t*, const void*) = nullptr;
    const void* m_exit = nullptr;
    std::deque<Block> m_blocks;
    std::unordered_map<std::pair<uint64_t, uint64_t>, Block*, KeyHash> m_index;
    static constexpr size_t kRecent = 32768;
    std::array<Block*, kRecent> m_recent{};
    std::array<uint8_t, 65536> m_heat{};
    std::unique_ptr<JumpSet[]> m_jumps;
    // The jump-table sets filled since forget_jumps(), while few (a FENCE.I, which Linux issues
    // hundreds of times in a boot, then clears those instead of the whole 256 KiB table).
    std::vector<uint16_t> m_jumps_used;
    std::vector<uint8_t> m_bytes;      // guest code of every block, to check it after invalidate()
    std::vector<uint64_t> m_linked;    // slots pointing at another block since the last invalidate()
    LoopIndex m_loops;                 // the loops of the pages translated from (flat memory)
    std::unordered_multimap<std::pair<uint64_t, uint64_t>, Block*, KeyHash> m_variants;   // call variants
    // Guarded loads and stores (Layout::guarded_*): each one's address and its slow path's, in address
    // order (code is emitted forwards), for fault_resume().
    std::vector<std::pair<const uint8_t*, const uint8_t*>> m_faults;
    uint32_t m_epoch = 0;
    uint8_t m_warm = kWarm;   // or kWarmProcess
    uint64_t m_translated = 0, m_flushes = 0, m_runs = 0, m_invalidations = 0;
};

}  // namespace vireo::riscv::jit
