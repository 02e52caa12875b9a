// What /proc says about the seccomp state of a running process, thread by thread: for tests that
// check that the vireo binary confines itself (src/confine/confine.hpp) in every thread.
#pragma once

#include <dirent.h>
#include <sys/types.h>

#include <fstream>
#include <string>
#include <vector>

namespace vireo::test {

// The "Seccomp:" field of every thread of `pid` (0: none, 2: a filter); empty once it is gone.
inline std::vector<int> seccomp_modes(pid_t pid)
{
    std::vector<int> modes;
    const std::string tasks = "/proc/" + std::to_string(pid) + "/task";
    DIR* dir = ::opendir(tasks.c_str());
    if (!dir)
        return modes;
    while (dirent* entry = ::readdir(dir)) {
        if (entry->d_name[0] == '.')
            continue;
        std::ifstream status(tasks + "/" + entry->d_name + "/status");
        for (std::string line; std::getline(status, line);) {
            if (line.rfind("Seccomp:", 0) == 0) {
                modes.push_back(std::stoi(line.substr(8)));
                break;
            }
        }
    }
    ::closedir(dir);
    return modes;
}

}  // namespace vireo::test
