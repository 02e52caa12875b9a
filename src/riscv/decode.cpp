// Instruction decoding for RV64GC + Zba/Zbb/Zbs (unprivileged spec 20191213, chapters 2, 5-8, 11-12,
// 16 and 24; bitmanip 1.0.0). Reserved encodings decode to ILLEGAL.
#include "riscv/decode.hpp"

#include <cstddef>

namespace vireo::riscv {

const char* op_name(Op op)
{
    static constexpr const char* names[] = {
#define VIREO_RISCV_OP_NAME(name) #name,
        VIREO_RISCV_OPS(VIREO_RISCV_OP_NAME)
#undef VIREO_RISCV_OP_NAME
    };
    auto i = static_cast<size_t>(op);
    return i < sizeof names / sizeof names[0] ? names[i] : "?";
}

namespace {

constexpr uint8_t field(uint32_t raw, unsigned shift, uint32_t mask) { return static_cast<uint8_t>((raw >> shift) & mask); }
constexpr int32_t sext(uint32_t value, unsigned bits)
{
    const unsigned shift = 32 - bits;
    return static_cast<int32_t>(value << shift) >> shift;
}

constexpr int32_t imm_i(uint32_t raw) { return static_cast<int32_t>(raw) >> 20; }
constexpr int32_t imm_s(uint32_t raw)
{
    return (static_cast<int32_t>(raw & 0xfe000000u) >> 20) | static_cast<int32_t>((raw >> 7) & 0x1f);
}
constexpr int32_t imm_b(uint32_t raw)
{
    uint32_t v = ((raw >> 19) & 0x1000) | ((raw << 4) & 0x800) | ((raw >> 20) & 0x7e0) | ((raw >> 7) & 0x1e);
    return sext(v, 13);
}
constexpr int32_t imm_u(uint32_t raw) { return static_cast<int32_t>(raw & 0xfffff000u); }
constexpr int32_t imm_j(uint32_t raw)
{
    uint32_t v = ((raw >> 11) & 0x100000) | (raw & 0xff000) | ((raw >> 9) & 0x800) | ((raw >> 20) & 0x7fe);
    return sext(v, 21);
}

Decoded make(Op op, uint32_t raw, int32_t imm = 0)
{
    Decoded d;
    d.op = op;
    d.rd = field(raw, 7, 31);
    d.rs1 = field(raw, 15, 31);
    d.rs2 = field(raw, 20, 31);
    d.rs3 = field(raw, 27, 31);
    d.rm = field(raw, 12, 7);
    d.len = 4;
    d.imm = imm;
    return d;
}

Decoded illegal()
{
    return Decoded{};
}

// Rounding-mode fields 5 and 6 are reserved (§11.2); 7 (dynamic) is checked against frm when executed.
Decoded fp_rounded(Op op, uint32_t raw)
{
    uint8_t rm = field(raw, 12, 7);
    if (rm == 5 || rm == 6)
        return illegal();
    return make(op, raw);
}

Decoded decode_op_imm(uint32_t raw)
{
    const uint32_t funct3 = (raw >> 12) & 7;
    const int32_t imm = imm_i(raw);
    const uint32_t shamt = (raw >> 20) & 63;
    const uint32_t funct6 = raw >> 26;
    switch (funct3) {
    case 0: return make(Op::ADDI, raw, imm);
    case 2: return make(Op::SLTI, raw, imm);
    case 3: return make(Op::SLTIU, raw, imm);
    case 4: return make(Op::XORI, raw, imm);
    case 6: return make(Op::ORI, raw, imm);
    case 7: return make(Op::ANDI, raw, imm);
    case 1:
        if (funct6 == 0x00) return make(Op::SLLI, raw, static_cast<int32_t>(shamt));
        if (funct6 == 0x0a) return make(Op::BSETI, raw, static_cast<int32_t>(shamt));
        if (funct6 == 0x12) return make(Op::BCLRI, raw, static_cast<int32_t>(shamt));
        if (funct6 == 0x1a) return make(Op::BINVI, raw, static_cast<int32_t>(shamt));
        if ((raw >> 25) == 0x30) {
            switch ((raw >> 20) & 31) {
            case 0: return make(Op::CLZ, raw);
            case 1: return make(Op::CTZ, raw);
            case 2: return make(Op::CPOP, raw);
            case 4: return make(Op::SEXT_B, raw);
            case 5: return make(Op::SEXT_H, raw);
            }
        }
        return illegal();
    case 5:
        if (funct6 == 0x00) return make(Op::SRLI, raw, static_cast<int32_t>(shamt));
        if (funct6 == 0x10) return make(Op::SRAI, raw, static_cast<int32_t>(shamt));
        if (funct6 == 0x18) return make(Op::RORI, raw, static_cast<int32_t>(shamt));
        if (funct6 == 0x12) return make(Op::BEXTI, raw, static_cast<int32_t>(shamt));
        if ((raw >> 20) == 0x287) return make(Op::ORC_B, raw);
        if ((raw >> 20) == 0x6b8) return make(Op::REV8, raw);
        return illegal();
    }
    return illegal();
}

Decoded decode_op_imm32(uint32_t raw)
{
    const uint32_t funct3 = (raw >> 12) & 7;
    const uint32_t funct7 = raw >> 25;
    const int32_t shamt = static_cast<int32_t>((raw >> 20) & 31);
    switch (funct3) {
    case 0: return make(Op::ADDIW, raw, imm_i(raw));
    case 1:
        if (funct7 == 0x00) return make(Op::SLLIW, raw, shamt);
        if ((raw >> 26) == 0x02) return make(Op::SLLI_UW, raw, static_cast<int32_t>((raw >> 20) & 63));
        if (funct7 == 0x30) {
            switch ((raw >> 20) & 31) {
            case 0: return make(Op::CLZW, raw);
            case 1: return make(Op::CTZW, raw);
            case 2: return make(Op::CPOPW, raw);
            }
        }
        return illegal();
    case 5:
        if (funct7 == 0x00) return make(Op::SRLIW, raw, shamt);
        if (funct7 == 0x20) return make(Op::SRAIW, raw, shamt);
        if (funct7 == 0x30) return make(Op::RORIW, raw, shamt);
        return illegal();
    }
    return illegal();
}

Decoded decode_op(uint32_t raw)
{
    const uint32_t funct3 = (raw >> 12) & 7;
    const uint32_t funct7 = raw >> 25;
    static constexpr Op base[8] = {Op::ADD, Op::SLL, Op::SLT, Op::SLTU, Op::XOR, Op::SRL, Op::OR, Op::AND};
    static constexpr Op muldiv[8] = {Op::MUL, Op::MULH, Op::MULHSU, Op::MULHU, Op::DIV, Op::DIVU, Op::REM, Op::REMU};
    switch (funct7) {
    case 0x00: return make(base[funct3], raw);
    case 0x01: return make(muldiv[funct3], raw);
    case 0x20:
        switch (funct3) {
        case 0: return make(Op::SUB, raw);
        case 4: return make(Op::XNOR, raw);
        case 5: return make(Op::SRA, raw);
        case 6: return make(Op::ORN, raw);
        case 7: return make(Op::ANDN, raw);
        }
        return illegal();
    case 0x10:
        if (funct3 == 2) return make(Op::SH1ADD, raw);
        if (funct3 == 4) return make(Op::SH2ADD, raw);
        if (funct3 == 6) return make(Op::SH3ADD, raw);
        return illegal();
    case 0x05:
        if (funct3 == 4) return make(Op::MIN, raw);
        if (funct3 == 5) return make(Op::MINU, raw);
        if (funct3 == 6) return make(Op::MAX, raw);
        if (funct3 == 7) return make(Op::MAXU, raw);
        return illegal();
    case 0x30:
        if (funct3 == 1) return make(Op::ROL, raw);
        if (funct3 == 5) return make(Op::ROR, raw);
        return illegal();
    case 0x14:
        if (funct3 == 1) return make(Op::BSET, raw);
        return illegal();
    case 0x24:
        if (funct3 == 1) return make(Op::BCLR, raw);
        if (funct3 == 5) return make(Op::BEXT, raw);
        return illegal();
    case 0x34:
        if (funct3 == 1) return make(Op::BINV, raw);
        return illegal();
    }
    return illegal();
}

Decoded decode_op32(uint32_t raw)
{
    const uint32_t funct3 = (raw >> 12) & 7;
    const uint32_t funct7 = raw >> 25;
    switch (funct7) {
    case 0x00:
        if (funct3 == 0) return make(Op::ADDW, raw);
        if (funct3 == 1) return make(Op::SLLW, raw);
        if (funct3 == 5) return make(Op::SRLW, raw);
        return illegal();
    case 0x20:
        if (funct3 == 0) return make(Op::SUBW, raw);
        if (funct3 == 5) return make(Op::SRAW, raw);
        return illegal();
    case 0x01:
        if (funct3 == 0) return make(Op::MULW, raw);
        if (funct3 == 4) return make(Op::DIVW, raw);
        if (funct3 == 5) return make(Op::DIVUW, raw);
        if (funct3 == 6) return make(Op::REMW, raw);
        if (funct3 == 7) return make(Op::REMUW, raw);
        return illegal();
    case 0x04:
        if (funct3 == 0) return make(Op::ADD_UW, raw);
        if (funct3 == 4 && ((raw >> 20) & 31) == 0) return make(Op::ZEXT_H, raw);
        return illegal();
    case 0x10:
        if (funct3 == 2) return make(Op::SH1ADD_UW, raw);
        if (funct3 == 4) return make(Op::SH2ADD_UW, raw);
        if (funct3 == 6) return make(Op::SH3ADD_UW, raw);
        return illegal();
    case 0x30:
        if (funct3 == 1) return make(Op::ROLW, raw);
        if (funct3 == 5) return make(Op::RORW, raw);
        return illegal();
    }
    return illegal();
}

Decoded decode_system(uint32_t raw)
{
    const uint32_t funct3 = (raw >> 12) & 7;
    if (funct3 == 0) {
        switch (raw) {
        case 0x00000073: return make(Op::ECALL, raw);
        case 0x00100073: return make(Op::EBREAK, raw);
        case 0x30200073: return make(Op::MRET, raw);
        case 0x10200073: return make(Op::SRET, raw);
        case 0x10500073: return make(Op::WFI, raw);
        }
        if ((raw >> 25) == 0x09 && ((raw >> 7) & 31) == 0)
            return make(Op::SFENCE_VMA, raw);
        return illegal();
    }
    static constexpr Op csr_ops[8] = {Op::ILLEGAL, Op::CSRRW, Op::CSRRS, Op::CSRRC,
                                      Op::ILLEGAL, Op::CSRRWI, Op::CSRRSI, Op::CSRRCI};
    Op op = csr_ops[funct3];
    if (op == Op::ILLEGAL)
        return illegal();
    return make(op, raw, static_cast<int32_t>(raw >> 20));
}

Decoded decode_amo(uint32_t raw)
{
    const uint32_t funct3 = (raw >> 12) & 7;
    // Zacas 1.0: AMOCAS.W/.D/.Q share funct5 0b00101; .Q (funct3 4) takes even register pairs.
    if ((raw >> 27) == 0x05) {
        if (funct3 == 2) return make(Op::AMOCAS_W, raw);
        if (funct3 == 3) return make(Op::AMOCAS_D, raw);
        if (funct3 == 4) {
            if (((raw >> 7) & 1) || ((raw >> 20) & 1))
                return illegal();  // an odd rd or rs2 is reserved
            return make(Op::AMOCAS_Q, raw);
        }
        return illegal();
    }
    if (funct3 != 2 && funct3 != 3)
        return illegal();
    const bool dword = funct3 == 3;
    switch (raw >> 27) {
    case 0x02:
        if (((raw >> 20) & 31) != 0)
            return illegal();
        return make(dword ? Op::LR_D : Op::LR_W, raw);
    case 0x03: return make(dword ? Op::SC_D : Op::SC_W, raw);
    case 0x01: return make(dword ? Op::AMOSWAP_D : Op::AMOSWAP_W, raw);
    case 0x00: return make(dword ? Op::AMOADD_D : Op::AMOADD_W, raw);
    case 0x04: return make(dword ? Op::AMOXOR_D : Op::AMOXOR_W, raw);
    case 0x0c: return make(dword ? Op::AMOAND_D : Op::AMOAND_W, raw);
    case 0x08: return make(dword ? Op::AMOOR_D : Op::AMOOR_W, raw);
    case 0x10: return make(dword ? Op::AMOMIN_D : Op::AMOMIN_W, raw);
    case 0x14: return make(dword ? Op::AMOMAX_D : Op::AMOMAX_W, raw);
    case 0x18: return make(dword ? Op::AMOMINU_D : Op::AMOMINU_W, raw);
    case 0x1c: return make(dword ? Op::AMOMAXU_D : Op::AMOMAXU_W, raw);
    }
    return illegal();
}

Decoded decode_fma(uint32_t raw, Op single, Op dbl)
{
    switch ((raw >> 25) & 3) {
    case 0: return fp_rounded(single, raw);
    case 1: return fp_rounded(dbl, raw);
    }
    return illegal();
}

Decoded decode_op_fp(uint32_t raw)
{
    const uint32_t funct3 = (raw >> 12) & 7;
    const uint32_t rs2 = (raw >> 20) & 31;
    const uint32_t funct7 = raw >> 25;
    const bool d = funct7 & 1;
    switch (funct7 & ~1u) {
    case 0x00: return fp_rounded(d ? Op::FADD_D : Op::FADD_S, raw);
    case 0x04: return fp_rounded(d ? Op::FSUB_D : Op::FSUB_S, raw);
    case 0x08: return fp_rounded(d ? Op::FMUL_D : Op::FMUL_S, raw);
    case 0x0c: return fp_rounded(d ? Op::FDIV_D : Op::FDIV_S, raw);
    case 0x2c:
        if (rs2 != 0) return illegal();
        return fp_rounded(d ? Op::FSQRT_D : Op::FSQRT_S, raw);
    case 0x10:
        if (funct3 == 0) return make(d ? Op::FSGNJ_D : Op::FSGNJ_S, raw);
        if (funct3 == 1) return make(d ? Op::FSGNJN_D : Op::FSGNJN_S, raw);
        if (funct3 == 2) return make(d ? Op::FSGNJX_D : Op::FSGNJX_S, raw);
        return illegal();
    case 0x14:
        if (funct3 == 0) return make(d ? Op::FMIN_D : Op::FMIN_S, raw);
        if (funct3 == 1) return make(d ? Op::FMAX_D : Op::FMAX_S, raw);
        return illegal();
    case 0x20:
        // fcvt.s.d is funct7 0x20 with rs2=1; fcvt.d.s is funct7 0x21 with rs2=0.
        if (!d && rs2 == 1) return fp_rounded(Op::FCVT_S_D, raw);
        if (d && rs2 == 0) return fp_rounded(Op::FCVT_D_S, raw);
        return illegal();
    case 0x50:
        if (funct3 == 0) return make(d ? Op::FLE_D : Op::FLE_S, raw);
        if (funct3 == 1) return make(d ? Op::FLT_D : Op::FLT_S, raw);
        if (funct3 == 2) return make(d ? Op::FEQ_D : Op::FEQ_S, raw);
        return illegal();
    case 0x60: {
        static constexpr Op s[4] = {Op::FCVT_W_S, Op::FCVT_WU_S, Op::FCVT_L_S, Op::FCVT_LU_S};
        static constexpr Op dd[4] = {Op::FCVT_W_D, Op::FCVT_WU_D, Op::FCVT_L_D, Op::FCVT_LU_D};
        if (rs2 > 3) return illegal();
        return fp_rounded(d ? dd[rs2] : s[rs2], raw);
    }
    case 0x68: {
        static constexpr Op s[4] = {Op::FCVT_S_W, Op::FCVT_S_WU, Op::FCVT_S_L, Op::FCVT_S_LU};
        static constexpr Op dd[4] = {Op::FCVT_D_W, Op::FCVT_D_WU, Op::FCVT_D_L, Op::FCVT_D_LU};
        if (rs2 > 3) return illegal();
        return fp_rounded(d ? dd[rs2] : s[rs2], raw);
    }
    case 0x70:
        if (rs2 != 0) return illegal();
        if (funct3 == 0) return make(d ? Op::FMV_X_D : Op::FMV_X_W, raw);
        if (funct3 == 1) return make(d ? Op::FCLASS_D : Op::FCLASS_S, raw);
        return illegal();
    case 0x78:
        if (rs2 != 0 || funct3 != 0) return illegal();
        return make(d ? Op::FMV_D_X : Op::FMV_W_X, raw);
    }
    return illegal();
}

Decoded decode32(uint32_t raw)
{
    const uint32_t funct3 = (raw >> 12) & 7;
    switch (raw & 0x7f) {
    case 0x37: return make(Op::LUI, raw, imm_u(raw));
    case 0x17: return make(Op::AUIPC, raw, imm_u(raw));
    case 0x6f: return make(Op::JAL, raw, imm_j(raw));
    case 0x67:
        if (funct3 != 0) return illegal();
        return make(Op::JALR, raw, imm_i(raw));
    case 0x63: {
        static constexpr Op ops[8] = {Op::BEQ, Op::BNE, Op::ILLEGAL, Op::ILLEGAL, Op::BLT, Op::BGE, Op::BLTU, Op::BGEU};
        if (ops[funct3] == Op::ILLEGAL) return illegal();
        return make(ops[funct3], raw, imm_b(raw));
    }
    case 0x03: {
        static constexpr Op ops[8] = {Op::LB, Op::LH, Op::LW, Op::LD, Op::LBU, Op::LHU, Op::LWU, Op::ILLEGAL};
        if (ops[funct3] == Op::ILLEGAL) return illegal();
        return make(ops[funct3], raw, imm_i(raw));
    }
    case 0x23: {
        static constexpr Op ops[4] = {Op::SB, Op::SH, Op::SW, Op::SD};
        if (funct3 > 3) return illegal();
        return make(ops[funct3], raw, imm_s(raw));
    }
    case 0x13: return decode_op_imm(raw);
    case 0x1b: return decode_op_imm32(raw);
    case 0x33: return decode_op(raw);
    case 0x3b: return decode_op32(raw);
    case 0x0f:
        if (funct3 == 0) return make(Op::FENCE, raw);
        if (funct3 == 1) return make(Op::FENCE_I, raw);
        return illegal();
    case 0x73: return decode_system(raw);
    case 0x2f: return decode_amo(raw);
    case 0x07:
        if (funct3 == 2) return make(Op::FLW, raw, imm_i(raw));
        if (funct3 == 3) return make(Op::FLD, raw, imm_i(raw));
        return illegal();
    case 0x27:
        if (funct3 == 2) return make(Op::FSW, raw, imm_s(raw));
        if (funct3 == 3) return make(Op::FSD, raw, imm_s(raw));
        return illegal();
    case 0x43: return decode_fma(raw, Op::FMADD_S, Op::FMADD_D);
    case 0x47: return decode_fma(raw, Op::FMSUB_S, Op::FMSUB_D);
    case 0x4b: return decode_fma(raw, Op::FNMSUB_S, Op::FNMSUB_D);
    case 0x4f: return decode_fma(raw, Op::FNMADD_S, Op::FNMADD_D);
    case 0x53: return decode_op_fp(raw);
    }
    return illegal();
}

// ---- Compressed instructions (RVC, unprivileged spec chapter 16, tables 16.5-16.7) ----

Decoded c_make(Op op, uint8_t rd, uint8_t rs1, uint8_t rs2, int32_t imm)
{
    Decoded d;
    d.op = op;
    d.rd = rd;
    d.rs1 = rs1;
    d.rs2 = rs2;
    d.rm = 0;
    d.len = 2;
    d.imm = imm;
    return d;
}

Decoded c_illegal()
{
    Decoded d;
    d.len = 2;
    return d;
}

constexpr uint8_t c_reg(uint32_t raw, unsigned shift) { return static_cast<uint8_t>(8 + ((raw >> shift) & 7)); }
constexpr int32_t c_imm6(uint32_t raw) { return sext(((raw >> 7) & 0x20) | ((raw >> 2) & 0x1f), 6); }
constexpr int32_t c_uimm_d(uint32_t raw) { return static_cast<int32_t>(((raw >> 7) & 0x38) | ((raw << 1) & 0xc0)); }
constexpr int32_t c_uimm_w(uint32_t raw)
{
    return static_cast<int32_t>(((raw >> 7) & 0x38) | ((raw >> 4) & 0x4) | ((raw << 1) & 0x40));
}

Decoded decode16(uint32_t raw)
{
    const uint32_t funct3 = (raw >> 13) & 7;
    const uint8_t rd = field(raw, 7, 31);
    const uint8_t rs2 = field(raw, 2, 31);
    switch (raw & 3) {
    case 0: {
        const uint8_t rdp = c_reg(raw, 2), rs1p = c_reg(raw, 7);
        switch (funct3) {
        case 0: {
            int32_t imm = static_cast<int32_t>(((raw >> 7) & 0x30) | ((raw >> 1) & 0x3c0) | ((raw >> 4) & 0x4) |
                                               ((raw >> 2) & 0x8));
            if (imm == 0) return c_illegal();  // includes the all-zero instruction
            return c_make(Op::ADDI, rdp, 2, 0, imm);
        }
        case 1: return c_make(Op::FLD, rdp, rs1p, 0, c_uimm_d(raw));
        case 2: return c_make(Op::LW, rdp, rs1p, 0, c_uimm_w(raw));
        case 3: return c_make(Op::LD, rdp, rs1p, 0, c_uimm_d(raw));
        case 5: return c_make(Op::FSD, 0, rs1p, rdp, c_uimm_d(raw));
        case 6: return c_make(Op::SW, 0, rs1p, rdp, c_uimm_w(raw));
        case 7: return c_make(Op::SD, 0, rs1p, rdp, c_uimm_d(raw));
        }
        return c_illegal();
    }
    case 1: {
        switch (funct3) {
        case 0: return c_make(Op::ADDI, rd, rd, 0, c_imm6(raw));
        case 1:
            if (rd == 0) return c_illegal();
            return c_make(Op::ADDIW, rd, rd, 0, c_imm6(raw));
        case 2: return c_make(Op::ADDI, rd, 0, 0, c_imm6(raw));
        case 3:
            if (rd == 2) {
                int32_t imm = sext(((raw >> 3) & 0x200) | ((raw >> 2) & 0x10) | ((raw << 1) & 0x40) |
                                       ((raw << 4) & 0x180) | ((raw << 3) & 0x20),
                                   10);
                if (imm == 0) return c_illegal();
                return c_make(Op::ADDI, 2, 2, 0, imm);
            } else {
                int32_t imm = sext(((raw << 5) & 0x20000) | ((raw << 10) & 0x1f000), 18);
                if (imm == 0) return c_illegal();
                return c_make(Op::LUI, rd, 0, 0, imm);
            }
        case 4: {
            const uint8_t rdp = c_reg(raw, 7), rs2p = c_reg(raw, 2);
            const int32_t shamt = static_cast<int32_t>(((raw >> 7) & 0x20) | ((raw >> 2) & 0x1f));
            switch ((raw >> 10) & 3) {
            case 0: return c_make(Op::SRLI, rdp, rdp, 0, shamt);
            case 1: return c_make(Op::SRAI, rdp, rdp, 0, shamt);
            case 2: return c_make(Op::ANDI, rdp, rdp, 0, c_imm6(raw));
            case 3: {
                static constexpr Op ops[8] = {Op::SUB, Op::XOR, Op::OR, Op::AND, Op::SUBW, Op::ADDW, Op::ILLEGAL, Op::ILLEGAL};
                Op op = ops[((raw >> 10) & 4) | ((raw >> 5) & 3)];
                if (op == Op::ILLEGAL) return c_illegal();
                return c_make(op, rdp, rdp, rs2p, 0);
            }
            }
            return c_illegal();
        }
        case 5: {
            int32_t imm = sext(((raw >> 1) & 0x800) | ((raw >> 7) & 0x10) | ((raw >> 1) & 0x300) |
                                   ((raw << 2) & 0x400) | ((raw >> 1) & 0x40) | ((raw << 1) & 0x80) |
                                   ((raw >> 2) & 0xe) | ((raw << 3) & 0x20),
                               12);
            return c_make(Op::JAL, 0, 0, 0, imm);
        }
        case 6:
        case 7: {
            int32_t imm = sext(((raw >> 4) & 0x100) | ((raw >> 7) & 0x18) | ((raw << 1) & 0xc0) |
                                   ((raw >> 2) & 0x6) | ((raw << 3) & 0x20),
                               9);
            return c_make(funct3 == 6 ? Op::BEQ : Op::BNE, 0, c_reg(raw, 7), 0, imm);
        }
        }
        return c_illegal();
    }
    case 2: {
        switch (funct3) {
        case 0: return c_make(Op::SLLI, rd, rd, 0, static_cast<int32_t>(((raw >> 7) & 0x20) | ((raw >> 2) & 0x1f)));
        case 1:
            return c_make(Op::FLD, rd, 2, 0,
                          static_cast<int32_t>(((raw >> 7) & 0x20) | ((raw >> 2) & 0x18) | ((raw << 4) & 0x1c0)));
        case 2:
            if (rd == 0) return c_illegal();
            return c_make(Op::LW, rd, 2, 0,
                          static_cast<int32_t>(((raw >> 7) & 0x20) | ((raw >> 2) & 0x1c) | ((raw << 4) & 0xc0)));
        case 3:
            if (rd == 0) return c_illegal();
            return c_make(Op::LD, rd, 2, 0,
                          static_cast<int32_t>(((raw >> 7) & 0x20) | ((raw >> 2) & 0x18) | ((raw << 4) & 0x1c0)));
        case 4:
            if (!(raw & 0x1000)) {
                if (rs2 == 0) {
                    if (rd == 0) return c_illegal();
                    return c_make(Op::JALR, 0, rd, 0, 0);
                }
                return c_make(Op::ADD, rd, 0, rs2, 0);
            }
            if (rs2 == 0) {
                if (rd == 0) return c_make(Op::EBREAK, 0, 0, 0, 0);
                return c_make(Op::JALR, 1, rd, 0, 0);
            }
            return c_make(Op::ADD, rd, rd, rs2, 0);
        case 5: return c_make(Op::FSD, 0, 2, rs2, static_cast<int32_t>(((raw >> 7) & 0x38) | ((raw >> 1) & 0x1c0)));
        case 6: return c_make(Op::SW, 0, 2, rs2, static_cast<int32_t>(((raw >> 7) & 0x3c) | ((raw >> 1) & 0xc0)));
        case 7: return c_make(Op::SD, 0, 2, rs2, static_cast<int32_t>(((raw >> 7) & 0x38) | ((raw >> 1) & 0x1c0)));
        }
        return c_illegal();
    }
    }
    return c_illegal();
}

}  // namespace

Decoded decode(uint32_t raw)
{
    if (is_compressed(raw))
        return decode16(raw & 0xffff);
    return decode32(raw);
}

}  // namespace vireo::riscv
