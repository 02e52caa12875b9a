// The definitions of Hart<Env>'s members. Include this in exactly one .cpp per environment and
// instantiate there: `template class vireo::riscv::Hart<MyEnv>;` (STYLE.md: libriscv's explicit
// instantiation), so the interpreter is compiled once per environment, with no virtual calls.
#pragma once

#include "riscv/hart.hpp"
#include "riscv/hart_csr.hpp"
#include "riscv/hart_exec.hpp"
#include "riscv/hart_jit.hpp"
#include "riscv/hart_mmu.hpp"
