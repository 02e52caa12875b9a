// ConsoleSession: runs `vireo run ...` as a child process with its serial console on pipes, so a
// system test can wait for what the guest prints and type commands, like a person at a terminal.
// Every wait has a deadline; the child is killed when the session ends.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace vireo::test {

class ConsoleSession {
public:
    explicit ConsoleSession(const std::vector<std::string>& argv);
    ~ConsoleSession();
    ConsoleSession(const ConsoleSession&) = delete;
    ConsoleSession& operator=(const ConsoleSession&) = delete;

    // Waits until `text` appears in the output after the previous match; false on timeout or exit.
    bool expect(const std::string& text, std::chrono::seconds timeout);
    void send(const std::string& text);
    // Closes the child's stdin: end of file for what reads it.
    void close_input();
    // Stops reading the child's output until its stdout pipe is full (more than half its capacity
    // unread, and no more for a second: partly filled pages count as full), so that its next write
    // would block; false if that does not happen within `timeout`.
    bool let_output_back_up(std::chrono::seconds timeout);
    // Waits for the child to exit; its exit status, or nullopt on timeout (then it is killed).
    // Output::Read keeps reading its output meanwhile; Output::LeaveUnread does not, so a child
    // that writes much finds its stdout pipe full (as with a terminal that cannot keep up).
    enum class Output { Read, LeaveUnread };
    std::optional<int> wait_exit(std::chrono::seconds timeout, Output output = Output::Read);

    pid_t pid() const { return m_pid; }

    const std::string& output() const { return m_output; }
    // The output from the last match on: what a failing test prints.
    std::string recent_output() const;

private:
    bool read_some(int timeout_ms);
    pid_t m_pid = -1;
    int m_in = -1, m_out = -1;
    std::string m_output;
    size_t m_cursor = 0;
    std::optional<int> m_status;
};

// Where test inputs live, from the environment (set by CMake for ctest), or empty.
std::string vireo_binary();
// The default guest built by guests/build.sh, or nullopt (tests then skip and say why).
struct Guest {
    std::string kernel;
    std::string initrd;
};
std::optional<Guest> default_guest();

}  // namespace vireo::test
