#include "console_session.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <thread>

namespace vireo::test {

ConsoleSession::ConsoleSession(const std::vector<std::string>& argv)
{
    int to_child[2], from_child[2];
    if (::pipe2(to_child, O_CLOEXEC) != 0 || ::pipe2(from_child, O_CLOEXEC) != 0)
        return;
    m_pid = ::fork();
    if (m_pid == 0) {
        ::dup2(to_child[0], STDIN_FILENO);
        ::dup2(from_child[1], STDOUT_FILENO);
        ::dup2(from_child[1], STDERR_FILENO);
        std::vector<char*> args;
        for (const auto& a : argv)
            args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        ::execv(args[0], args.data());
        ::_exit(127);
    }
    ::close(to_child[0]);
    ::close(from_child[1]);
    m_in = to_child[1];
    m_out = from_child[0];
    ::signal(SIGPIPE, SIG_IGN);
}

ConsoleSession::~ConsoleSession()
{
    if (m_pid > 0 && !m_status) {
        ::kill(m_pid, SIGKILL);
        ::waitpid(m_pid, nullptr, 0);
    }
    if (m_in >= 0)
        ::close(m_in);
    if (m_out >= 0)
        ::close(m_out);
}

bool ConsoleSession::read_some(int timeout_ms)
{
    pollfd p{m_out, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) <= 0)
        return true;
    char buffer[4096];
    ssize_t n = ::read(m_out, buffer, sizeof buffer);
    if (n <= 0)
        return false;  // the child closed its output: it has exited
    m_output.append(buffer, static_cast<size_t>(n));
    return true;
}

bool ConsoleSession::expect(const std::string& text, std::chrono::seconds timeout)
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        if (auto at = m_output.find(text, m_cursor); at != std::string::npos) {
            m_cursor = at + text.size();
            return true;
        }
        if (std::chrono::steady_clock::now() >= deadline)
            return false;
        if (!read_some(100))
            return m_output.find(text, m_cursor) != std::string::npos;
    }
}

void ConsoleSession::send(const std::string& text)
{
    const char* p = text.data();
    size_t left = text.size();
    while (left > 0) {
        ssize_t n = ::write(m_in, p, left);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return;
        }
        p += n;
        left -= static_cast<size_t>(n);
    }
}

void ConsoleSession::close_input()
{
    if (m_in >= 0)
        ::close(m_in);
    m_in = -1;
}

bool ConsoleSession::let_output_back_up(std::chrono::seconds timeout)
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    const int capacity = ::fcntl(m_out, F_GETPIPE_SZ);
    int last = -1;
    auto since = std::chrono::steady_clock::now();
    for (;;) {
        int unread = 0;
        if (capacity <= 0 || ::ioctl(m_out, FIONREAD, &unread) != 0)
            return false;
        const auto now = std::chrono::steady_clock::now();
        if (unread != last) {
            last = unread;
            since = now;
        } else if (unread > capacity / 2 && now - since >= std::chrono::seconds(1)) {
            return true;
        }
        if (now >= deadline)
            return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
}

std::optional<int> ConsoleSession::wait_exit(std::chrono::seconds timeout, Output output)
{
    if (m_status)
        return m_status;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        int status = 0;
        pid_t r = ::waitpid(m_pid, &status, WNOHANG);
        if (r == m_pid) {
            while (read_some(0) && m_output.size() < (64u << 20)) {
                pollfd p{m_out, POLLIN, 0};
                if (::poll(&p, 1, 0) <= 0)
                    break;
            }
            m_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            return m_status;
        }
        if (std::chrono::steady_clock::now() >= deadline)
            return std::nullopt;
        if (output == Output::Read)
            read_some(50);
        else
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

std::string ConsoleSession::recent_output() const
{
    const size_t from = m_cursor > 2000 ? m_cursor - 2000 : 0;
    return m_output.substr(from);
}

std::string vireo_binary()
{
    if (const char* path = std::getenv("VIREO_BINARY"); path && *path)
        return path;
#ifdef VIREO_BINARY_PATH
    return VIREO_BINARY_PATH;
#else
    return "vireo";
#endif
}

std::optional<Guest> default_guest()
{
    std::string dir;
    if (const char* cache = std::getenv("VIREO_CACHE"); cache && *cache)
        dir = std::string(cache) + "/default";
    else
        dir = std::string(std::getenv("HOME") ? std::getenv("HOME") : "/root") + "/.cache/vireo/default";
    Guest guest{dir + "/Image", dir + "/initramfs.cpio.gz"};
    struct stat st {};
    if (::stat(guest.kernel.c_str(), &st) != 0 || ::stat(guest.initrd.c_str(), &st) != 0)
        return std::nullopt;
    return guest;
}

}  // namespace vireo::test
