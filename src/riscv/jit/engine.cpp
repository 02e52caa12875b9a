// Which engine new harts use (riscv/hart.hpp).
#include <cstdlib>
#include <cstring>

#include "riscv/hart.hpp"

namespace vireo::riscv {

namespace {

Engine initial_engine()
{
    Engine engine = Engine::Interpreter;
#if defined(__x86_64__)
    engine = Engine::Jit;
#endif
    if (const char* name = std::getenv("VIREO_ENGINE"))
        (void)parse_engine(name, engine);
    return engine;
}

Engine& current()
{
    static Engine engine = initial_engine();
    return engine;
}

}  // namespace

bool parse_engine(const char* name, Engine& engine)
{
    if (std::strcmp(name, "interp") == 0) {
        engine = Engine::Interpreter;
        return true;
    }
#if defined(__x86_64__)
    if (std::strcmp(name, "jit") == 0) {
        engine = Engine::Jit;
        return true;
    }
#endif
    return false;
}

Engine default_engine() { return current(); }
void set_default_engine(Engine engine) { current() = engine; }

}  // namespace vireo::riscv
