#include "riscv/csr.hpp"

namespace vireo::riscv {

const char* csr_name(uint16_t number)
{
    switch (number) {
    case csr::FFLAGS: return "fflags";
    case csr::FRM: return "frm";
    case csr::FCSR: return "fcsr";
    case csr::CYCLE: return "cycle";
    case csr::TIME: return "time";
    case csr::INSTRET: return "instret";
    case csr::SSTATUS: return "sstatus";
    case csr::SIE: return "sie";
    case csr::STVEC: return "stvec";
    case csr::SCOUNTEREN: return "scounteren";
    case csr::SENVCFG: return "senvcfg";
    case csr::SSCRATCH: return "sscratch";
    case csr::SEPC: return "sepc";
    case csr::SCAUSE: return "scause";
    case csr::STVAL: return "stval";
    case csr::SIP: return "sip";
    case csr::SATP: return "satp";
    case csr::MHARTID: return "mhartid";
    case csr::MSTATUS: return "mstatus";
    case csr::MISA: return "misa";
    case csr::MEDELEG: return "medeleg";
    case csr::MIDELEG: return "mideleg";
    case csr::MIE: return "mie";
    case csr::MTVEC: return "mtvec";
    case csr::MCOUNTEREN: return "mcounteren";
    case csr::MENVCFG: return "menvcfg";
    case csr::MSCRATCH: return "mscratch";
    case csr::MEPC: return "mepc";
    case csr::MCAUSE: return "mcause";
    case csr::MTVAL: return "mtval";
    case csr::MIP: return "mip";
    case csr::MCYCLE: return "mcycle";
    case csr::MINSTRET: return "minstret";
    default: return "csr";
    }
}

}  // namespace vireo::riscv
