// The host side of a guest console: stdin in raw mode while a VM runs (restored on exit, also on
// error paths, by RAII), non-blocking reads, and QEMU's escape keys: Ctrl-A X quits, Ctrl-A
// Ctrl-A sends a literal Ctrl-A. When stdin is not a terminal (a pipe in tests) input is passed
// through unchanged and the escape still works.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace vireo {

class Terminal {
public:
    Terminal();
    ~Terminal();
    Terminal(const Terminal&) = delete;
    Terminal& operator=(const Terminal&) = delete;

    // Waits up to timeout_ms (0: just look) for input and appends what arrived, after escape
    // processing, to `out`. Returns false once stdin has reached end of file or failed.
    bool poll_input(std::vector<uint8_t>& out, int timeout_ms);
    bool quit_requested() const { return m_quit; }

    // Puts stdin's settings back if a Terminal has it in raw mode. Async-signal-safe: for a
    // handler that ends the process (confine's SIGSYS report), where no destructor will run.
    static void restore_after_fatal_signal();

private:
    bool m_is_tty = false;
    bool m_raw = false;
    bool m_eof = false;
    bool m_escape = false;
    bool m_quit = false;
    alignas(8) unsigned char m_saved_termios[64];
};

}  // namespace vireo
