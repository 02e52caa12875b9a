#include "riscv/jit/loops.hpp"

#include <algorithm>

#include "base/bytes.hpp"
#include "riscv/decode.hpp"

namespace vireo::riscv::jit {
namespace {

// The instruction at `offset` and where control goes after it inside the page (at most two
// places). A call goes on after itself (the callee returns, as far as loops go); an indirect jump
// and an instruction that cannot be decoded go nowhere.
struct Step {
    bool valid = false;
    Decoded d;
    unsigned count = 0;
    std::array<unsigned, 2> next{};
};

Step step_at(std::span<const uint8_t, 4096> page, unsigned offset)
{
    Step s;
    if (offset + 2 > page.size())
        return s;
    uint32_t raw = load_le<uint16_t>(page.data() + offset);
    if (!is_compressed(raw)) {
        if (offset + 4 > page.size())
            return s;
        raw = load_le<uint32_t>(page.data() + offset);
    }
    s.d = decode(raw);
    s.valid = s.d.op != Op::ILLEGAL;
    if (!s.valid)
        return s;
    const auto to = [&](int64_t target) {
        if (target >= 0 && target < static_cast<int64_t>(page.size()) && !(target & 1))
            s.next[s.count++] = static_cast<unsigned>(target);
    };
    const int64_t here = offset, after = here + s.d.len, imm = s.d.imm;
    switch (s.d.op) {
    case Op::BEQ: case Op::BNE: case Op::BLT: case Op::BGE: case Op::BLTU: case Op::BGEU:
        to(after);
        to(here + imm);
        break;
    case Op::JAL: to(s.d.rd ? after : here + imm); break;
    case Op::JALR: if (s.d.rd) to(after); break;
    default: to(after); break;
    }
    return s;
}

// Which fields of an instruction name x registers: rd written, rs1 and rs2 read. (The decoder
// fills every field from the bits where the R-type format has it: an immediate's bits, or an FP
// register's number, are no x register.)
struct Names {
    bool rd, rs1, rs2;
};
Names names(Op op)
{
    switch (op) {
    case Op::LUI: case Op::AUIPC: case Op::JAL:
    case Op::CSRRWI: case Op::CSRRSI: case Op::CSRRCI:
        return {true, false, false};
    case Op::BEQ: case Op::BNE: case Op::BLT: case Op::BGE: case Op::BLTU: case Op::BGEU:
    case Op::SB: case Op::SH: case Op::SW: case Op::SD: case Op::SFENCE_VMA:
        return {false, true, true};
    case Op::ADD: case Op::SUB: case Op::SLL: case Op::SLT: case Op::SLTU: case Op::XOR: case Op::SRL:
    case Op::SRA: case Op::OR: case Op::AND: case Op::ADDW: case Op::SUBW: case Op::SLLW: case Op::SRLW:
    case Op::SRAW: case Op::MUL: case Op::MULH: case Op::MULHSU: case Op::MULHU: case Op::DIV: case Op::DIVU:
    case Op::REM: case Op::REMU: case Op::MULW: case Op::DIVW: case Op::DIVUW: case Op::REMW: case Op::REMUW:
    case Op::SC_W: case Op::AMOSWAP_W: case Op::AMOADD_W: case Op::AMOXOR_W: case Op::AMOAND_W: case Op::AMOOR_W:
    case Op::AMOMIN_W: case Op::AMOMAX_W: case Op::AMOMINU_W: case Op::AMOMAXU_W:
    case Op::SC_D: case Op::AMOSWAP_D: case Op::AMOADD_D: case Op::AMOXOR_D: case Op::AMOAND_D: case Op::AMOOR_D:
    case Op::AMOMIN_D: case Op::AMOMAX_D: case Op::AMOMINU_D: case Op::AMOMAXU_D:
    case Op::AMOCAS_W: case Op::AMOCAS_D: case Op::AMOCAS_Q:
    case Op::ADD_UW: case Op::SH1ADD: case Op::SH2ADD: case Op::SH3ADD: case Op::SH1ADD_UW: case Op::SH2ADD_UW:
    case Op::SH3ADD_UW: case Op::ANDN: case Op::ORN: case Op::XNOR: case Op::MAX: case Op::MAXU: case Op::MIN:
    case Op::MINU: case Op::ROL: case Op::ROLW: case Op::ROR: case Op::RORW: case Op::BCLR: case Op::BEXT:
    case Op::BINV: case Op::BSET:
        return {true, true, true};
    case Op::FENCE: case Op::FENCE_I: case Op::ECALL: case Op::EBREAK: case Op::MRET: case Op::SRET: case Op::WFI:
    case Op::ILLEGAL:
        return {false, false, false};
    case Op::FLW: case Op::FLD: case Op::FSW: case Op::FSD:   // the address; the data is an FP register
    case Op::FCVT_S_W: case Op::FCVT_S_WU: case Op::FCVT_S_L: case Op::FCVT_S_LU: case Op::FMV_W_X:
    case Op::FCVT_D_W: case Op::FCVT_D_WU: case Op::FCVT_D_L: case Op::FCVT_D_LU: case Op::FMV_D_X:
        return {false, true, false};
    case Op::FCVT_W_S: case Op::FCVT_WU_S: case Op::FCVT_L_S: case Op::FCVT_LU_S: case Op::FMV_X_W: case Op::FEQ_S:
    case Op::FLT_S: case Op::FLE_S: case Op::FCLASS_S:
    case Op::FCVT_W_D: case Op::FCVT_WU_D: case Op::FCVT_L_D: case Op::FCVT_LU_D: case Op::FMV_X_D: case Op::FEQ_D:
    case Op::FLT_D: case Op::FLE_D: case Op::FCLASS_D:
        return {true, false, false};
    default:
        if (op >= Op::FLW)   // the rest of floating point names FP registers only
            return {false, false, false};
        return {true, true, false};   // loads, immediates, JALR, CSRs with rs1, LR, one-source bit operations
    }
}

}  // namespace

void count_registers(LoopRegisters& r, const Decoded& d)
{
    const Names n = names(d.op);
    if (n.rd && d.rd) {
        ++r.uses[d.rd];
        ++r.writes[d.rd];
    }
    if (n.rs1)
        ++r.uses[d.rs1 & 31];
    if (n.rs2)
        ++r.uses[d.rs2 & 31];
}

const LoopRegisters* PageLoops::loop_at(std::span<const uint8_t, 4096> page, unsigned offset, LoopScratch& scratch)
{
    if (offset >= page.size() || (offset & 1))
        return nullptr;
    if (m_loop_of[offset / 2] == kUnknown)
        analyse(page, offset, scratch);
    const int16_t loop = m_loop_of[offset / 2];
    return loop >= 0 ? &m_loops[static_cast<size_t>(loop)] : nullptr;
}

// Tarjan's strongly connected components from `start`, without recursion (a page holds up to 2048
// instructions). Offsets an earlier analysis settled are finished components already: nothing they
// reach can lead back here.
void PageLoops::analyse(std::span<const uint8_t, 4096> page, unsigned start, LoopScratch& scratch)
{
    auto& [order, low, on_stack, decoded, stack, visited] = scratch;   // (node numbers: offset / 2)
    struct Frame {
        unsigned offset;
        Step step;
        unsigned next = 0;
    };
    std::vector<Frame> frames;
    int32_t counter = 0;
    const auto enter = [&](unsigned offset) {
        const unsigned v = offset / 2;
        order[v] = low[v] = counter++;
        visited.push_back(v);
        stack.push_back(v);
        on_stack[v] = 1;
        frames.push_back({offset, step_at(page, offset)});
        decoded[v] = frames.back().step.d;
    };
    enter(start);
    while (!frames.empty()) {
        Frame& f = frames.back();
        const unsigned v = f.offset / 2;
        if (f.next < f.step.count) {
            const unsigned w = f.step.next[f.next++] / 2;
            if (m_loop_of[w] != kUnknown)
                continue;
            if (order[w] < 0)
                enter(w * 2);   // (f is not used after this)
            else if (on_stack[w])
                low[v] = std::min(low[v], order[w]);
            continue;
        }
        if (low[v] == order[v]) {   // v roots a component: the stack down to v
            auto root = stack.end();   // (v is on the stack; what is above it is its component)
            do
                --root;
            while (*root != v);
            const bool self_loop = std::find(f.step.next.begin(), f.step.next.begin() + f.step.count, v * 2) !=
                                   f.step.next.begin() + f.step.count;
            const bool loop = stack.end() - root > 1 || self_loop;
            int16_t id = kNone;
            if (loop && m_loops.size() < kMaxLoops) {
                id = static_cast<int16_t>(m_loops.size());
                LoopRegisters& r = m_loops.emplace_back();
                for (auto it = root; it != stack.end(); ++it)
                    count_registers(r, decoded[*it]);
            }
            for (auto it = root; it != stack.end(); ++it) {
                m_loop_of[*it] = id;
                on_stack[*it] = 0;
            }
            stack.erase(root, stack.end());
        }
        const int32_t finished_low = low[v];
        frames.pop_back();
        if (!frames.empty()) {
            const unsigned parent = frames.back().offset / 2;
            low[parent] = std::min(low[parent], finished_low);
        }
    }
    for (unsigned v : visited)
        order[v] = -1;
    visited.clear();
}

}  // namespace vireo::riscv::jit
