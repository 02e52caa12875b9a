#include "base/log.hpp"

#include <atomic>
#include <cstdarg>
#include <cstdio>

namespace vireo::log {

namespace {
std::atomic<Level> g_level{Level::Warn};

const char* prefix(Level l)
{
    switch (l) {
    case Level::Debug: return "debug";
    case Level::Info: return "info";
    case Level::Warn: return "warning";
    case Level::Error: return "error";
    case Level::Off: break;
    }
    return "";
}
}  // namespace

void set_level(Level l) { g_level.store(l, std::memory_order_relaxed); }
Level level() { return g_level.load(std::memory_order_relaxed); }

void write(Level l, const char* fmt, ...)
{
    // One fprintf per line keeps lines whole when several threads log.
    char buffer[1024];
    va_list args;
    va_start(args, fmt);
    std::vsnprintf(buffer, sizeof buffer, fmt, args);
    va_end(args);
    std::fprintf(stderr, "vireo: %s: %s\n", prefix(l), buffer);
}

}  // namespace vireo::log
