// Runs the built `vireo` binary as a user would, with extra environment variables and stdin
// text, and collects its exit status, stdout and stderr. Every run has a deadline; a child still
// running at the deadline is killed and reported as timed out.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace vireo::test {

struct VireoRun {
    int status = -1;          // exit status, or 128 + signal
    bool timed_out = false;
    bool stopped = false;     // killed because stdout showed everything in `stop_when_seen`
    std::string out, err;
};

struct VireoRunOptions {
    std::vector<std::string> env;   // "NAME=value", added to the inherited environment
    std::string stdin_text;         // written to the child's stdin, which is then closed
    std::chrono::seconds timeout{120};
    // When every one of these has appeared on stdout, the child is killed: for runs whose
    // interesting part comes early.
    std::vector<std::string> stop_when_seen;
};

VireoRun run_vireo(const std::vector<std::string>& args, const VireoRunOptions& options = {});

// The vireo binary (VIREO_BINARY or the path CMake compiled in).
std::string vireo_path();

}  // namespace vireo::test
