#include "run_vireo.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace vireo::test {

std::string vireo_path()
{
    if (const char* path = std::getenv("VIREO_BINARY"); path && *path)
        return path;
    return VIREO_BINARY_PATH;
}

VireoRun run_vireo(const std::vector<std::string>& args, const VireoRunOptions& options)
{
    VireoRun result;
    int out[2], err[2], in[2];
    if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0 || ::pipe2(in, O_CLOEXEC) != 0)
        return result;
    std::vector<std::string> argv_storage{vireo_path()};
    argv_storage.insert(argv_storage.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_storage)
        argv.push_back(a.data());
    argv.push_back(nullptr);

    const pid_t pid = ::fork();
    if (pid == 0) {
        for (const auto& kv : options.env)
            ::putenv(const_cast<char*>(kv.c_str()));
        ::dup2(in[0], 0);
        ::dup2(out[1], 1);
        ::dup2(err[1], 2);
        ::execv(argv[0], argv.data());
        std::_Exit(127);
    }
    ::close(in[0]);
    ::close(out[1]);
    ::close(err[1]);
    if (!options.stdin_text.empty()) {
        // Small enough for the pipe buffer; the test inputs are a few bytes.
        [[maybe_unused]] auto n = ::write(in[1], options.stdin_text.data(), options.stdin_text.size());
    }
    ::close(in[1]);

    const auto deadline = std::chrono::steady_clock::now() + options.timeout;
    pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
    std::string* sinks[2] = {&result.out, &result.err};
    int open_fds = 2;
    while (open_fds > 0) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
        if (left <= 0) {
            result.timed_out = true;
            ::kill(pid, SIGKILL);
            break;
        }
        if (::poll(fds, 2, static_cast<int>(left)) < 0)
            continue;
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            char buffer[4096];
            const ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
            if (n <= 0) {
                ::close(fds[i].fd);
                fds[i].fd = -1;
                --open_fds;
            } else {
                sinks[i]->append(buffer, static_cast<size_t>(n));
            }
        }
        if (!options.stop_when_seen.empty() && !result.stopped) {
            bool all = true;
            for (const auto& text : options.stop_when_seen)
                all = all && result.out.find(text) != std::string::npos;
            if (all) {
                result.stopped = true;
                ::kill(pid, SIGKILL);
            }
        }
    }
    for (auto& fd : fds)
        if (fd.fd >= 0)
            ::close(fd.fd);
    int status = 0;
    ::waitpid(pid, &status, 0);
    result.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return result;
}

}  // namespace vireo::test
