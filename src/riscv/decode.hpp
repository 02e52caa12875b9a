// The decoder: turns a 16- or 32-bit instruction into a Decoded record that the interpreter (and
// later the translator) executes without looking at instruction bits again. Compressed
// instructions decode to the operation of their 32-bit expansion (RVC §16.1), with len = 2.
#pragma once

#include <cstdint>

namespace vireo::riscv {

// Every operation the hart executes. The list drives the enum and the names used in traces.
#define VIREO_RISCV_OPS(X)                                                                                   \
    X(ILLEGAL) X(LUI) X(AUIPC) X(JAL) X(JALR) X(BEQ) X(BNE) X(BLT) X(BGE) X(BLTU) X(BGEU)                    \
    X(LB) X(LH) X(LW) X(LD) X(LBU) X(LHU) X(LWU) X(SB) X(SH) X(SW) X(SD)                                     \
    X(ADDI) X(SLTI) X(SLTIU) X(XORI) X(ORI) X(ANDI) X(SLLI) X(SRLI) X(SRAI)                                  \
    X(ADD) X(SUB) X(SLL) X(SLT) X(SLTU) X(XOR) X(SRL) X(SRA) X(OR) X(AND)                                    \
    X(ADDIW) X(SLLIW) X(SRLIW) X(SRAIW) X(ADDW) X(SUBW) X(SLLW) X(SRLW) X(SRAW)                              \
    X(FENCE) X(FENCE_I) X(ECALL) X(EBREAK) X(MRET) X(SRET) X(WFI) X(SFENCE_VMA)                              \
    X(CSRRW) X(CSRRS) X(CSRRC) X(CSRRWI) X(CSRRSI) X(CSRRCI)                                                 \
    X(MUL) X(MULH) X(MULHSU) X(MULHU) X(DIV) X(DIVU) X(REM) X(REMU)                                          \
    X(MULW) X(DIVW) X(DIVUW) X(REMW) X(REMUW)                                                                \
    X(LR_W) X(SC_W) X(AMOSWAP_W) X(AMOADD_W) X(AMOXOR_W) X(AMOAND_W) X(AMOOR_W)                              \
    X(AMOMIN_W) X(AMOMAX_W) X(AMOMINU_W) X(AMOMAXU_W)                                                        \
    X(LR_D) X(SC_D) X(AMOSWAP_D) X(AMOADD_D) X(AMOXOR_D) X(AMOAND_D) X(AMOOR_D)                              \
    X(AMOMIN_D) X(AMOMAX_D) X(AMOMINU_D) X(AMOMAXU_D)                                                        \
    X(AMOCAS_W) X(AMOCAS_D) X(AMOCAS_Q)                                                                      \
    X(ADD_UW) X(SH1ADD) X(SH2ADD) X(SH3ADD) X(SH1ADD_UW) X(SH2ADD_UW) X(SH3ADD_UW) X(SLLI_UW)                 \
    X(ANDN) X(ORN) X(XNOR) X(CLZ) X(CLZW) X(CTZ) X(CTZW) X(CPOP) X(CPOPW) X(MAX) X(MAXU) X(MIN) X(MINU)      \
    X(SEXT_B) X(SEXT_H) X(ZEXT_H) X(ROL) X(ROLW) X(ROR) X(RORI) X(RORIW) X(RORW) X(ORC_B) X(REV8)            \
    X(BCLR) X(BCLRI) X(BEXT) X(BEXTI) X(BINV) X(BINVI) X(BSET) X(BSETI)                                      \
    /* Floating point: everything from FLW on needs mstatus.FS != Off. */                                    \
    X(FLW) X(FSW) X(FLD) X(FSD)                                                                              \
    X(FMADD_S) X(FMSUB_S) X(FNMSUB_S) X(FNMADD_S) X(FADD_S) X(FSUB_S) X(FMUL_S) X(FDIV_S) X(FSQRT_S)        \
    X(FSGNJ_S) X(FSGNJN_S) X(FSGNJX_S) X(FMIN_S) X(FMAX_S) X(FCVT_W_S) X(FCVT_WU_S) X(FCVT_L_S)             \
    X(FCVT_LU_S) X(FMV_X_W) X(FEQ_S) X(FLT_S) X(FLE_S) X(FCLASS_S) X(FCVT_S_W) X(FCVT_S_WU) X(FCVT_S_L)     \
    X(FCVT_S_LU) X(FMV_W_X)                                                                                  \
    X(FMADD_D) X(FMSUB_D) X(FNMSUB_D) X(FNMADD_D) X(FADD_D) X(FSUB_D) X(FMUL_D) X(FDIV_D) X(FSQRT_D)        \
    X(FSGNJ_D) X(FSGNJN_D) X(FSGNJX_D) X(FMIN_D) X(FMAX_D) X(FCVT_W_D) X(FCVT_WU_D) X(FCVT_L_D)             \
    X(FCVT_LU_D) X(FMV_X_D) X(FEQ_D) X(FLT_D) X(FLE_D) X(FCLASS_D) X(FCVT_D_W) X(FCVT_D_WU) X(FCVT_D_L)     \
    X(FCVT_D_LU) X(FMV_D_X) X(FCVT_S_D) X(FCVT_D_S)

enum class Op : uint16_t {
#define VIREO_RISCV_OP_ENUM(name) name,
    VIREO_RISCV_OPS(VIREO_RISCV_OP_ENUM)
#undef VIREO_RISCV_OP_ENUM
        COUNT
};

inline constexpr bool is_fp(Op op) { return op >= Op::FLW; }

const char* op_name(Op op);

// A decoded instruction: 12 bytes. For CSR instructions imm holds the CSR number and, in the
// immediate forms, rs1 holds the 5-bit zimm. For FP instructions rm holds the rounding-mode field.
struct Decoded {
    Op op = Op::ILLEGAL;
    uint8_t rd = 0, rs1 = 0, rs2 = 0, rs3 = 0;
    uint8_t rm = 0;
    uint8_t len = 4;   // 2 for compressed instructions
    int32_t imm = 0;
};
static_assert(sizeof(Decoded) == 12);

// Decodes one instruction. `raw` holds 32 bits for a standard instruction, or the 16 bits of a
// compressed one in its low half (the caller tells them apart by (raw & 3) != 3).
Decoded decode(uint32_t raw);

inline constexpr bool is_compressed(uint32_t low_half) { return (low_half & 3) != 3; }

}  // namespace vireo::riscv
