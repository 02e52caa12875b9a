// Host folders for harnesses whose code under test acts on real files (virtio-9p, the sandbox's
// syscalls): a private scratch folder, a way to rebuild and remove trees, and what the harness
// looks at afterwards to prove nothing escaped (directory listings, file contents, descriptor
// counts).
#pragma once

#include <set>
#include <string>

namespace vireo::fuzz {

// A new empty folder for this process, e.g. /dev/shm/vireo-<what>-fuzz-<pid> (on tmpfs when it
// can, so the fuzzer does not wear a disk). Any leftover of an earlier run with this pid goes, and
// the folder is removed when the process exits normally (libFuzzer's -max_total_time ends so).
std::string make_scratch_dir(const std::string& what);

// rm -rf without following links; folders the code under test chmod'ed to 0 are opened up first.
void remove_tree(const std::string& path);

// The names in a folder, "." and ".." included; empty when it cannot be read.
std::set<std::string> list_dir(const std::string& dir);

// The whole contents of a file; empty when it cannot be read.
std::string read_text(const std::string& path);
void write_text(const std::string& path, const std::string& text);

// How many descriptors this process has open.
int count_fds();

}  // namespace vireo::fuzz
