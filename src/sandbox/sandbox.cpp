// The embedding API: a thin face over Process (process.hpp).
#include "sandbox/sandbox.hpp"

#include <cstring>

#include "sandbox/process.hpp"

namespace vireo::sandbox {

namespace {

const char* signal_name(int sig)
{
    switch (sig) {
    case 1: return "SIGHUP";
    case 2: return "SIGINT";
    case 3: return "SIGQUIT";
    case 4: return "SIGILL";
    case 5: return "SIGTRAP";
    case 6: return "SIGABRT";
    case 7: return "SIGBUS";
    case 8: return "SIGFPE";
    case 9: return "SIGKILL";
    case 10: return "SIGUSR1";
    case 11: return "SIGSEGV";
    case 12: return "SIGUSR2";
    case 13: return "SIGPIPE";
    case 14: return "SIGALRM";
    case 15: return "SIGTERM";
    case 31: return "SIGSYS";
    default: return "signal";
    }
}

}  // namespace

int Outcome::exit_status() const
{
    switch (kind) {
    case Kind::Exited: return status & 0xff;
    case Kind::Signaled: return 128 + status;
    case Kind::Paused: return 0;
    case Kind::InstructionLimit:
    case Kind::Timeout:
    case Kind::Deadlock: return 124;
    }
    return 125;
}

std::string Outcome::describe() const
{
    switch (kind) {
    case Kind::Exited: return "";
    case Kind::Signaled: return "the program was killed by signal " + std::to_string(status) + " (" + signal_name(status) + ")";
    case Kind::Paused: return "the program paused (vireo_pause) and nothing resumed it";
    case Kind::InstructionLimit: return "instruction limit reached after " + std::to_string(instructions) + " instructions";
    case Kind::Timeout: return "timeout reached";
    case Kind::Deadlock: return "every thread of the program waits forever (deadlock)";
    }
    return "";
}

Sandbox::Sandbox(std::unique_ptr<Process> process) : m_process(std::move(process))
{
    m_process->m_sandbox = this;
}

Sandbox::~Sandbox() = default;

Result<std::unique_ptr<Sandbox>> Sandbox::create(const Config& config)
{
    auto process = TRY(Process::create(config));
    return std::unique_ptr<Sandbox>(new Sandbox(std::move(process)));
}

Result<void> Sandbox::load(const std::string& path, const std::vector<std::string>& args)
{
    return m_process->load(path, args);
}

Result<Outcome> Sandbox::run()
{
    if (!m_process->m_loaded)
        return Error::message("sandbox: run: no program loaded");
    return m_process->run();
}

Result<uint64_t> Sandbox::call(const std::string& name, std::span<const CallArg> args)
{
    auto address = m_process->symbol(name);
    if (!address)
        return Error::message("sandbox: call: the program has no symbol '" + name + "'");
    return m_process->call(*address, args);
}

Result<uint64_t> Sandbox::call(uint64_t address, std::span<const CallArg> args) { return m_process->call(address, args); }

std::optional<uint64_t> Sandbox::symbol(const std::string& name) const { return m_process->symbol(name); }

void Sandbox::register_host_function(unsigned number, HostFunction function)
{
    if (number < kMaxHostFunctions)
        m_process->m_host_functions[number] = std::move(function);
}

Result<void> Sandbox::snapshot() { return m_process->snapshot(); }

void Sandbox::reset() { m_process->reset(); }

Result<std::unique_ptr<Sandbox>> Sandbox::fork() const
{
    auto process = TRY(m_process->fork());
    return std::unique_ptr<Sandbox>(new Sandbox(std::move(process)));
}

void Sandbox::set_limits(const Limits& limits)
{
    m_process->m_config.limits = limits;
    m_process->m_mem->set_limit(limits.memory);
}

const Limits& Sandbox::limits() const { return m_process->m_config.limits; }

Result<void> Sandbox::read_memory(uint64_t address, std::span<uint8_t> out) const
{
    // An empty range is vacuously mapped; and memcpy must not see an empty span's null pointer.
    if (out.empty())
        return {};
    const uint8_t* p = m_process->m_mem->readable(address, out.size());
    if (!p)
        return Error::message("sandbox: guest memory is not readable there");
    std::memcpy(out.data(), p, out.size());
    return {};
}

Result<void> Sandbox::write_memory(uint64_t address, std::span<const uint8_t> in)
{
    if (in.empty())
        return {};
    uint8_t* p = m_process->m_mem->writable(address, in.size());
    if (!p)
        return Error::message("sandbox: guest memory is not writable there");
    std::memcpy(p, in.data(), in.size());
    m_process->after_memory_change();
    return {};
}

Result<std::string> Sandbox::read_string(uint64_t address, size_t max_length) const
{
    int error = 0;
    auto s = m_process->m_mem->read_string(address, max_length + 1, error);
    if (!s)
        return Error::message(std::string("sandbox: reading a guest string: ") + std::strerror(-error));
    return *s;
}

uint64_t Sandbox::memory_in_use() const { return m_process->m_mem->committed_bytes(); }

size_t Sandbox::pages_dirtied() const { return m_process->m_mem->dirty_pages(); }

}  // namespace vireo::sandbox
