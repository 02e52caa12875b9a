// riscv: the RV64GC hart (Hart<Env>), its decoder, CSR definitions and floating-point arithmetic.
// Environments include riscv/hart_impl.hpp in one .cpp and instantiate Hart<TheirEnv> there.
#pragma once

#include "riscv/csr.hpp"
#include "riscv/decode.hpp"
#include "riscv/fpu.hpp"
#include "riscv/hart.hpp"
