// Helpers for disk image tests: a scratch directory, running qemu-img/qemu-io, reading whole files.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace vireo::disk::test {

// A temporary directory, removed with everything in it when the object goes.
class ScratchDir {
public:
    ScratchDir()
    {
        std::string tmpl = ::testing::TempDir() + "vireo-disk-XXXXXX";
        if (::mkdtemp(tmpl.data()))
            m_path = tmpl;
    }
    ~ScratchDir()
    {
        if (!m_path.empty())
            std::system(("rm -rf '" + m_path + "'").c_str());
    }
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;

    const std::string& path() const { return m_path; }
    std::string file(const std::string& name) const { return m_path + "/" + name; }

private:
    std::string m_path;
};

struct CommandResult {
    int status = -1;
    std::string output;  // stdout and stderr together
};

inline CommandResult run_command(const std::string& command)
{
    CommandResult result;
    FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
    if (!pipe)
        return result;
    char buffer[4096];
    size_t n;
    while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0)
        result.output.append(buffer, n);
    const int status = ::pclose(pipe);
    result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return result;
}

inline bool have_program(const char* name)
{
    return run_command(std::string("command -v ") + name).status == 0;
}

#define REQUIRE_QEMU_IMG()                                                                              \
    if (!::vireo::disk::test::have_program("qemu-img") || !::vireo::disk::test::have_program("qemu-io")) \
    GTEST_SKIP() << "qemu-img/qemu-io (Debian's qemu-utils) are not installed; they make the test images"

// Runs a command that must succeed; the test fails with its output otherwise.
inline ::testing::AssertionResult sh(const std::string& command)
{
    CommandResult r = run_command(command);
    if (r.status != 0)
        return ::testing::AssertionFailure() << "'" << command << "' exited " << r.status << ":\n" << r.output;
    return ::testing::AssertionSuccess();
}

inline std::vector<uint8_t> read_whole(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline void write_whole(const std::string& path, const std::vector<uint8_t>& bytes)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

// What `qemu-img check` says about an image: 0 = no errors and no leaks.
inline ::testing::AssertionResult qemu_img_check(const std::string& path)
{
    CommandResult r = run_command("qemu-img check -f qcow2 '" + path + "'");
    if (r.status != 0)
        return ::testing::AssertionFailure() << "qemu-img check " << path << " exited " << r.status << ":\n" << r.output;
    return ::testing::AssertionSuccess();
}

// The guest-visible contents of an image as QEMU reads it.
inline std::vector<uint8_t> qemu_contents(const std::string& path, const std::string& format, const std::string& scratch)
{
    const std::string raw = scratch + ".converted.raw";
    CommandResult r = run_command("qemu-img convert -U -f " + format + " -O raw '" + path + "' '" + raw + "'");
    EXPECT_EQ(r.status, 0) << r.output;
    auto bytes = read_whole(raw);
    ::unlink(raw.c_str());
    return bytes;
}

}  // namespace vireo::disk::test
