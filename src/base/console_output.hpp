// Guest console output on its way to the host's stdout, without ever making the thread that
// serves the guest wait for it. A machine hands bytes over and goes on; they leave as fast as
// stdout takes them (each write only after poll says it will not block). When stdout takes
// nothing for a while (a terminal that cannot keep up, a pipe whose reader stopped reading), up to
// kCapacity bytes wait and the rest is dropped and counted: a guest that floods its console can
// lose output, but cannot stop the machine from reading console input, obeying Ctrl-A X, or
// keeping its time limits.
//
// Not thread-safe: the caller serializes (the KVM machine's device lock, or the emulator's thread).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace vireo {

class ConsoleOutput {
public:
    static constexpr size_t kCapacity = 1 << 20;

    explicit ConsoleOutput(int fd);

    // Queues `bytes` (what does not fit is dropped) and writes what the descriptor takes now.
    void write(std::span<const uint8_t> bytes);
    // Writes what the descriptor takes now, without blocking. True when nothing is left.
    bool drain();
    // At the end of a run: waits up to timeout_ms for the rest to go out, then drops it.
    void finish(int timeout_ms);

    size_t pending() const { return m_queue.size() - m_head; }
    uint64_t dropped() const { return m_dropped; }

private:
    int m_fd;
    std::vector<uint8_t> m_queue;
    size_t m_head = 0;   // m_queue[m_head..] is still to be written
    uint64_t m_dropped = 0;
    bool m_broken = false;   // the descriptor failed (closed pipe): everything is dropped
};

}  // namespace vireo
