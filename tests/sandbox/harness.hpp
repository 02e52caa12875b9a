// Test harness for the sandbox: runs `vireo exec` (or any command) as a child process with its
// output captured, and makes scratch folders that clean up after themselves.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace vireo::sandbox::test {

struct Completed {
    int status = -1;      // the exit status, or 128+N if the child died of signal N
    std::string out, err;
    double seconds = 0;
    bool timed_out = false;
};

// Runs argv with stdin from `input` (then closed, or held open when keep_stdin_open), an empty
// environment, and a watchdog that kills the child after `limit_seconds`.
inline Completed run(const std::vector<std::string>& argv, const std::string& input = "", double limit_seconds = 60,
               bool keep_stdin_open = false)
{
    int in[2], out[2], err[2];
    if (::pipe2(in, O_CLOEXEC) || ::pipe2(out, O_CLOEXEC) || ::pipe2(err, O_CLOEXEC))
        std::abort();
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err[1], 2);
    std::vector<char*> args;
    for (const auto& a : argv)
        args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    char* env[] = {nullptr};
    pid_t pid = -1;
    const auto start = std::chrono::steady_clock::now();
    Completed result;
    if (posix_spawn(&pid, args[0], &actions, nullptr, args.data(), env) != 0) {
        result.err = "spawn failed: " + argv[0];
        return result;
    }
    posix_spawn_file_actions_destroy(&actions);
    ::close(in[0]);
    ::close(out[1]);
    ::close(err[1]);
    // The input goes in from its own thread: the child may fill its output pipes before it has
    // read all of it.
    std::thread feeder([&input, &in, keep_stdin_open] {
        size_t done = 0;
        while (done < input.size()) {
            const ssize_t n = ::write(in[1], input.data() + done, input.size() - done);
            if (n <= 0)
                break;
            done += static_cast<size_t>(n);
        }
        if (!keep_stdin_open) {
            ::close(in[1]);
            in[1] = -1;
        }
    });
    struct pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
    int open_streams = 2;
    while (open_streams > 0) {
        const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (elapsed > limit_seconds && !result.timed_out) {
            result.timed_out = true;
            ::kill(pid, SIGKILL);
        }
        if (::poll(fds, 2, 100) < 0)
            break;
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP)))
                continue;
            char buf[65536];
            const ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
            if (n <= 0) {
                ::close(fds[i].fd);
                fds[i].fd = -1;
                --open_streams;
            } else {
                (i == 0 ? result.out : result.err).append(buf, static_cast<size_t>(n));
            }
        }
    }
    int wstatus = 0;
    ::waitpid(pid, &wstatus, 0);
    feeder.join();
    if (in[1] >= 0)
        ::close(in[1]);
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    result.status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
    return result;
}

// A fresh folder under the build's temporary space, removed at the end of the test.
class TempDir {
public:
    TempDir()
    {
        std::string pattern = (std::filesystem::temp_directory_path() / "vireo-sandbox-XXXXXX").string();
        if (!::mkdtemp(pattern.data()))
            std::abort();
        m_path = pattern;
    }
    ~TempDir()
    {
        std::error_code ec;
        std::filesystem::remove_all(m_path, ec);
    }
    const std::filesystem::path& path() const { return m_path; }
    std::string str() const { return m_path.string(); }

private:
    std::filesystem::path m_path;
};

inline void write_text(const std::filesystem::path& path, const std::string& text)
{
    std::ofstream(path, std::ios::binary) << text;
}

inline std::string read_text(const std::filesystem::path& path)
{
    std::ifstream f(path, std::ios::binary);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

}  // namespace vireo::sandbox::test
