// libFuzzer target for the RISC-V decoder (src/riscv/decode.cpp) and, for one instruction at a
// time, the interpreter behind it (hart_exec.hpp, hart_csr.hpp, hart_mmu.hpp, fpu.cpp).
//
// Input: the instruction's 32 bits, a set-up byte (privilege mode, FPU on or off, Sv39 paging),
// the rounding mode, then the integer and floating-point registers and the first bytes of RAM.
// The decoder's promises (decode.hpp):
// - decode() of any 32 bits returns, every time, the same record;
// - a compressed instruction (low bits != 11) decodes from its low 16 bits alone, with len 2; a
//   standard one has len 4; register fields are 0-31 and the op is a named one.
// The instruction is then executed on two bare harts in M, S or U mode with the same state: both
// must end in the same state (registers, pc, CSRs, RAM), and x0 stays 0. UBSan and ASan watch the
// interpreter throughout (shifts, overflowing arithmetic, float-to-integer conversions).
#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <vector>

#include "base/bytes.hpp"  // before hart_impl.hpp: the interpreter uses load_le/store_le
#include "fuzz_check.hpp"
#include "fuzz_input.hpp"
#include "riscv/hart_impl.hpp"

using namespace vireo;
using namespace vireo::riscv;
using vireo::fuzz::check;

namespace {

constexpr uint64_t kBase = 0x8000'0000;
constexpr uint64_t kRamSize = 64 * 1024;
constexpr uint64_t kInstructionAt = kBase + 0x10;
constexpr uint64_t kTrapVector = kBase + 0x100;
constexpr uint64_t kPageTable = kBase + 0x8000;  // Sv39 root, 4 KiB aligned
constexpr uint32_t kMret = 0x30200073;

// A bare machine: RAM at 0x8000_0000 and nothing else (every other access faults).
struct BareEnv {
    static constexpr bool kPrivileged = true;
    std::vector<uint8_t> ram = std::vector<uint8_t>(kRamSize);

    uint8_t* ram_page(uint64_t paddr, Access)
    {
        return paddr >= kBase && paddr - kBase < ram.size() ? ram.data() + ((paddr - kBase) & ~uint64_t{4095}) : nullptr;
    }
    bool mmio_read(uint64_t, unsigned, uint64_t& value)
    {
        value = 0;
        return false;
    }
    bool mmio_write(uint64_t, unsigned, uint64_t) { return false; }
    uint64_t read_time() { return 12345; }
};

bool same(const Decoded& a, const Decoded& b)
{
    return a.op == b.op && a.rd == b.rd && a.rs1 == b.rs1 && a.rs2 == b.rs2 && a.rs3 == b.rs3 && a.rm == b.rm &&
           a.len == b.len && a.imm == b.imm;
}

void check_decoder(uint32_t raw)
{
    const Decoded d = decode(raw);
    check(same(d, decode(raw)), "decoding is deterministic");
    check(static_cast<uint16_t>(d.op) < static_cast<uint16_t>(Op::COUNT), "the op is one of the list");
    check(std::strcmp(op_name(d.op), "?") != 0, "every op has a name");
    check(d.rd < 32 && d.rs1 < 32 && d.rs2 < 32 && d.rs3 < 32, "register fields are 0-31");
    if (is_compressed(raw)) {
        check(same(d, decode(raw & 0xffff)), "a compressed instruction decodes from its low 16 bits");
        check(d.op == Op::ILLEGAL || d.len == 2, "a compressed instruction has len 2");
    } else {
        check(d.len == 4, "a standard instruction has len 4");
    }
}

struct Setup {
    uint32_t raw = 0;
    uint8_t mode = 0;
    uint8_t frm = 0;
    std::array<uint64_t, 32> x{};
    std::array<uint64_t, 32> f{};
    std::vector<uint8_t> ram_image;
};

// Built afresh for every input, in place: a hart is ~320 KiB, and allocating that for each input
// would cost more than the instruction.
struct Machine {
    BareEnv env;
    std::optional<Hart<BareEnv>> hart;
};

// mret at the reset pc drops into the chosen mode at the fuzzed instruction.
void prepare(Machine& m, const Setup& s)
{
    m.hart.emplace(m.env);
    std::fill(m.env.ram.begin(), m.env.ram.end(), uint8_t{0});
    std::copy(s.ram_image.begin(), s.ram_image.end(), m.env.ram.begin() + 0x1000);
    store_le<uint32_t>(m.env.ram.data(), kMret);
    store_le<uint32_t>(m.env.ram.data() + (kInstructionAt - kBase), s.raw);
    Hart<BareEnv>& h = *m.hart;
    static constexpr uint64_t kModes[4] = {0, 1, 3, 3};  // U, S, M, M
    uint64_t mstatus = kModes[s.mode & 3] << MSTATUS_MPP_SHIFT;
    if (s.mode & 4)
        mstatus |= MSTATUS_FS_DIRTY;
    if (s.mode & 8) {
        // One Sv39 gigapage mapping RAM's 1 GiB onto itself (§4.4.1); U set or not by bit 4.
        const uint64_t pte = ((kBase >> 12) << 10) | PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D |
                             ((s.mode & 16) ? PTE_U : 0);
        store_le<uint64_t>(m.env.ram.data() + (kPageTable - kBase) + 8 * (kBase >> 30), pte);
        h.debug_write_csr(csr::SATP, (SATP_MODE_SV39 << 60) | (kPageTable >> 12));
    }
    if (s.mode & 32)
        mstatus |= MSTATUS_SUM | MSTATUS_MXR;
    if (s.mode & 64)
        h.debug_write_csr(csr::MEDELEG, ~uint64_t{0});  // traps from S and U go to S
    h.debug_write_csr(csr::MSTATUS, mstatus);
    h.debug_write_csr(csr::MEPC, kInstructionAt);
    h.debug_write_csr(csr::MTVEC, kTrapVector);
    h.debug_write_csr(csr::STVEC, kTrapVector);
    h.debug_write_csr(csr::FRM, s.frm & 7);
    for (unsigned i = 1; i < 32; ++i)
        h.set_reg(i, s.x[i]);
    for (unsigned i = 0; i < 32; ++i)
        h.set_freg(i, s.f[i]);
    h.set_pc(kBase);
}

void check_same_state(Machine& a, Machine& b)
{
    Hart<BareEnv>& x = *a.hart;
    Hart<BareEnv>& y = *b.hart;
    check(x.reg(0) == 0, "x0 stays 0");
    for (unsigned i = 0; i < 32; ++i)
        check(x.reg(i) == y.reg(i) && x.freg(i) == y.freg(i), "the same state gives the same registers");
    check(x.pc() == y.pc() && x.priv() == y.priv() && x.fcsr() == y.fcsr() && x.instret() == y.instret(),
          "the same state gives the same pc, mode, fcsr and instret");
    for (uint16_t n : {csr::MSTATUS, csr::MCAUSE, csr::MTVAL, csr::MEPC, csr::SCAUSE, csr::STVAL, csr::SEPC})
        check(x.debug_read_csr(n) == y.debug_read_csr(n), "the same state gives the same trap CSRs");
    check(a.env.ram == b.env.ram, "the same state gives the same memory");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    fuzz::FuzzInput in(data, size);
    Setup s;
    s.raw = in.u32();
    check_decoder(s.raw);

    s.mode = in.u8();
    s.frm = in.u8();
    // Registers the input does not give point into RAM, so loads and stores find memory.
    for (unsigned i = 1; i < 32; ++i)
        s.x[i] = in.remaining() >= 8 ? in.u64() : kBase + 0x1000 + 0x40 * i;
    for (unsigned i = 0; i < 32; ++i)
        s.f[i] = in.remaining() >= 8 ? in.u64() : 0xffffffff3f800000ull;  // 1.0f, NaN-boxed
    const auto image = in.bytes(kRamSize - 0x1000);
    s.ram_image.assign(image.begin(), image.end());

    static Machine a, b;
    prepare(a, s);
    prepare(b, s);
    const RunResult ra = a.hart->run(2);
    const RunResult rb = b.hart->run(2);
    check(ra.executed == rb.executed && ra.reason == rb.reason, "the same state runs the same way");
    check(ra.executed <= 2, "run() keeps to its budget");
    check_same_state(a, b);
    return 0;
}
