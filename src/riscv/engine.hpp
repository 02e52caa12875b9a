// The choice of execution engine for harts (`--engine`).
#pragma once

#include <cstdint>

namespace vireo::riscv {

// How a hart executes: the interpreter (the reference) or the translator (riscv/jit), which falls
// back to the interpreter for anything it does not translate.
enum class Engine : uint8_t { Interpreter, Jit };
// The engine new harts use: the translator on x86-64 hosts, unless set_default_engine() or the
// VIREO_ENGINE environment variable ("interp" or "jit") says otherwise.
Engine default_engine();
void set_default_engine(Engine engine);
// Parses "interp" or "jit" (the latter only where the translator exists).
bool parse_engine(const char* name, Engine& engine);

}  // namespace vireo::riscv
