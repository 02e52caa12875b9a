#include "base/terminal.hpp"

#include <fcntl.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

namespace vireo {

static_assert(sizeof(termios) <= 64);

namespace {
// The settings of the one Terminal in raw mode, for restore_after_fatal_signal(). Written before
// g_raw is set and while no handler can read them.
termios g_saved_for_signal;
std::atomic<bool> g_raw{false};
}  // namespace

Terminal::Terminal()
{
    m_is_tty = ::isatty(STDIN_FILENO);
    if (m_is_tty) {
        termios t{};
        if (::tcgetattr(STDIN_FILENO, &t) == 0) {
            std::memcpy(m_saved_termios, &t, sizeof t);
            // Raw input: every key goes to the guest (Ctrl-C included); output processing is
            // left on so the guest's "\n" still returns the carriage.
            t.c_lflag &= static_cast<tcflag_t>(~(ICANON | ECHO | ISIG | IEXTEN));
            t.c_iflag &= static_cast<tcflag_t>(~(IXON | ICRNL | INLCR | IGNCR));
            t.c_cc[VMIN] = 1;
            t.c_cc[VTIME] = 0;
            m_raw = ::tcsetattr(STDIN_FILENO, TCSANOW, &t) == 0;
            if (m_raw) {
                std::memcpy(&g_saved_for_signal, m_saved_termios, sizeof g_saved_for_signal);
                g_raw.store(true);
            }
        }
    }
    // No O_NONBLOCK: stdin often shares its file description with stdout, and poll() before
    // each read already guarantees the read does not block.
}

Terminal::~Terminal()
{
    if (m_raw) {
        g_raw.store(false);
        termios t{};
        std::memcpy(&t, m_saved_termios, sizeof t);
        ::tcsetattr(STDIN_FILENO, TCSANOW, &t);
    }
}

void Terminal::restore_after_fatal_signal()
{
    if (g_raw.load())
        ::tcsetattr(STDIN_FILENO, TCSANOW, &g_saved_for_signal);
}

bool Terminal::poll_input(std::vector<uint8_t>& out, int timeout_ms)
{
    if (m_eof) {
        if (timeout_ms > 0)
            ::poll(nullptr, 0, timeout_ms);
        return false;
    }
    pollfd p{STDIN_FILENO, POLLIN, 0};
    int ready = ::poll(&p, 1, timeout_ms);
    if (ready <= 0)
        return true;
    uint8_t buffer[256];
    ssize_t n = ::read(STDIN_FILENO, buffer, sizeof buffer);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
        m_eof = true;  // no more input; the guest keeps running
        return false;
    }
    for (ssize_t i = 0; i < n; ++i) {
        const uint8_t c = buffer[i];
        if (m_escape) {
            m_escape = false;
            if (c == 'x' || c == 'X') {
                m_quit = true;
                continue;
            }
            out.push_back(0x01);
            if (c != 0x01)
                out.push_back(c);
            continue;
        }
        if (c == 0x01) {
            m_escape = true;
            continue;
        }
        out.push_back(c);
    }
    return true;
}

}  // namespace vireo
