// CSR numbers and bit fields, spelled as in the RISC-V privileged spec 1.12 (chapter 2, tables 2.2-2.6).
#pragma once

#include <cstdint>

namespace vireo::riscv {

enum class Priv : uint8_t { User = 0, Supervisor = 1, Machine = 3 };

namespace csr {
// Unprivileged floating-point and counter CSRs.
inline constexpr uint16_t FFLAGS = 0x001, FRM = 0x002, FCSR = 0x003;
inline constexpr uint16_t CYCLE = 0xC00, TIME = 0xC01, INSTRET = 0xC02, HPMCOUNTER3 = 0xC03, HPMCOUNTER31 = 0xC1F;
// Supervisor.
inline constexpr uint16_t SSTATUS = 0x100, SIE = 0x104, STVEC = 0x105, SCOUNTEREN = 0x106, SENVCFG = 0x10A;
inline constexpr uint16_t SSCRATCH = 0x140, SEPC = 0x141, SCAUSE = 0x142, STVAL = 0x143, SIP = 0x144, SATP = 0x180;
// Machine.
inline constexpr uint16_t MVENDORID = 0xF11, MARCHID = 0xF12, MIMPID = 0xF13, MHARTID = 0xF14, MCONFIGPTR = 0xF15;
inline constexpr uint16_t MSTATUS = 0x300, MISA = 0x301, MEDELEG = 0x302, MIDELEG = 0x303, MIE = 0x304;
inline constexpr uint16_t MTVEC = 0x305, MCOUNTEREN = 0x306, MENVCFG = 0x30A, MCOUNTINHIBIT = 0x320;
inline constexpr uint16_t MHPMEVENT3 = 0x323, MHPMEVENT31 = 0x33F;
inline constexpr uint16_t MSCRATCH = 0x340, MEPC = 0x341, MCAUSE = 0x342, MTVAL = 0x343, MIP = 0x344;
inline constexpr uint16_t PMPCFG0 = 0x3A0, PMPCFG15 = 0x3AF, PMPADDR0 = 0x3B0, PMPADDR63 = 0x3EF;
inline constexpr uint16_t MCYCLE = 0xB00, MINSTRET = 0xB02, MHPMCOUNTER3 = 0xB03, MHPMCOUNTER31 = 0xB1F;
inline constexpr uint16_t TSELECT = 0x7A0, TDATA1 = 0x7A1, TDATA2 = 0x7A2, TDATA3 = 0x7A3;
}  // namespace csr

// mstatus fields (§3.1.6).
inline constexpr uint64_t MSTATUS_SIE = 1ull << 1, MSTATUS_MIE = 1ull << 3, MSTATUS_SPIE = 1ull << 5;
inline constexpr uint64_t MSTATUS_UBE = 1ull << 6, MSTATUS_MPIE = 1ull << 7, MSTATUS_SPP = 1ull << 8;
inline constexpr uint64_t MSTATUS_VS = 3ull << 9, MSTATUS_MPP = 3ull << 11, MSTATUS_FS = 3ull << 13;
inline constexpr uint64_t MSTATUS_XS = 3ull << 15, MSTATUS_MPRV = 1ull << 17, MSTATUS_SUM = 1ull << 18;
inline constexpr uint64_t MSTATUS_MXR = 1ull << 19, MSTATUS_TVM = 1ull << 20, MSTATUS_TW = 1ull << 21;
inline constexpr uint64_t MSTATUS_TSR = 1ull << 22, MSTATUS_UXL = 3ull << 32, MSTATUS_SXL = 3ull << 34;
inline constexpr uint64_t MSTATUS_SD = 1ull << 63;
inline constexpr unsigned MSTATUS_MPP_SHIFT = 11, MSTATUS_FS_SHIFT = 13;
inline constexpr uint64_t MSTATUS_FS_DIRTY = 3ull << 13;
// The sstatus view of mstatus (§4.1.1).
inline constexpr uint64_t SSTATUS_MASK = MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_UBE | MSTATUS_SPP | MSTATUS_VS |
                                         MSTATUS_FS | MSTATUS_XS | MSTATUS_SUM | MSTATUS_MXR | MSTATUS_UXL |
                                         MSTATUS_SD;

// Interrupt bits of mip/mie (§3.1.9) and their cause numbers.
inline constexpr uint64_t MIP_SSIP = 1ull << 1, MIP_MSIP = 1ull << 3, MIP_STIP = 1ull << 5;
inline constexpr uint64_t MIP_MTIP = 1ull << 7, MIP_SEIP = 1ull << 9, MIP_MEIP = 1ull << 11;
inline constexpr uint64_t SUPERVISOR_INTERRUPTS = MIP_SSIP | MIP_STIP | MIP_SEIP;
inline constexpr uint64_t ALL_INTERRUPTS = SUPERVISOR_INTERRUPTS | MIP_MSIP | MIP_MTIP | MIP_MEIP;

// Exception causes (§3.1.15, Table 3.6).
enum class Exception : uint64_t {
    InstructionMisaligned = 0,
    InstructionAccessFault = 1,
    IllegalInstruction = 2,
    Breakpoint = 3,
    LoadMisaligned = 4,
    LoadAccessFault = 5,
    StoreMisaligned = 6,
    StoreAccessFault = 7,
    EcallFromU = 8,
    EcallFromS = 9,
    EcallFromM = 11,
    InstructionPageFault = 12,
    LoadPageFault = 13,
    StorePageFault = 15,
};

// satp (§4.1.11).
inline constexpr uint64_t SATP_MODE_BARE = 0, SATP_MODE_SV39 = 8, SATP_MODE_SV48 = 9, SATP_MODE_SV57 = 10;

// Page table entry bits (§4.3.1).
inline constexpr uint64_t PTE_V = 1 << 0, PTE_R = 1 << 1, PTE_W = 1 << 2, PTE_X = 1 << 3;
inline constexpr uint64_t PTE_U = 1 << 4, PTE_G = 1 << 5, PTE_A = 1 << 6, PTE_D = 1 << 7;

// misa (§3.1.1): RV64 with A, C, D, F, I, M, S, U.
inline constexpr uint64_t MISA_VALUE = (2ull << 62) | (1 << ('A' - 'A')) | (1 << ('C' - 'A')) | (1 << ('D' - 'A')) |
                                       (1 << ('F' - 'A')) | (1 << ('I' - 'A')) | (1 << ('M' - 'A')) |
                                       (1 << ('S' - 'A')) | (1 << ('U' - 'A'));

// Names for tracing and error messages.
const char* csr_name(uint16_t number);

}  // namespace vireo::riscv
