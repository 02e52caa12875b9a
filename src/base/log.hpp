// A small logging facility: levels, a process-wide threshold, one line per message on stderr.
// printf-style so the compiler checks the arguments (GCC 12 has no <format>).
#pragma once

#include <string>

namespace vireo::log {

enum class Level { Debug = 0, Info = 1, Warn = 2, Error = 3, Off = 4 };

void set_level(Level level);
Level level();
inline bool enabled(Level l) { return l >= level(); }

void write(Level level, const char* fmt, ...) __attribute__((format(printf, 2, 3)));

}  // namespace vireo::log

#define VIREO_LOG(lvl, ...)                                    \
    do {                                                       \
        if (::vireo::log::enabled(::vireo::log::Level::lvl))   \
            ::vireo::log::write(::vireo::log::Level::lvl, __VA_ARGS__); \
    } while (0)
#define LOG_DEBUG(...) VIREO_LOG(Debug, __VA_ARGS__)
#define LOG_INFO(...) VIREO_LOG(Info, __VA_ARGS__)
#define LOG_WARN(...) VIREO_LOG(Warn, __VA_ARGS__)
#define LOG_ERROR(...) VIREO_LOG(Error, __VA_ARGS__)
