// A fuzzing driver for one virtio device: it sets the device up through its virtio-mmio window as a
// guest driver does (virtio 1.2 §3.1.1, §4.2.3.2), then plays the fuzzer's input as a session of
// driver steps — requests with fuzzed contents, notifications, polls, configuration accesses,
// device-specific host events, resets, and raw writes to the rings. It is the shared half of the
// virtio_<device>_fuzz targets; each target supplies the device and what is special about it.
//
// What it checks after every step, for every device (device.hpp, queue.hpp, virtio 1.2 §2.7):
// - the used ring returns only heads the driver made available, with a used length no larger than
//   the chain's device-writable part (§2.7.8.2);
// - the device writes guest memory only inside device-writable buffers and the used rings
//   (§2.7.5.1: never a readable buffer, a descriptor table or the available ring);
// - the interrupt line is high exactly while InterruptStatus is not 0.
// Once the input writes raw bytes over a ring, the chains are the fuzzer's own, so the first two
// checks pause until the next reset; crashes and sanitizer findings count throughout.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "fuzz_input.hpp"
#include "virtio/device.hpp"

namespace vireo::fuzz {

// A chain the driver made available and the device returned, as the driver sees it.
struct UsedChain {
    uint16_t queue = 0;
    std::vector<uint8_t> request;   // the bytes of its device-readable buffers, in order
    uint32_t writable_len = 0;      // the size of its device-writable part
    uint32_t used_len = 0;          // what the device reported
    std::vector<uint8_t> reply;     // the first used_len bytes of its device-writable part
};

struct DeviceHooks {
    // A host-side event with bytes from the input (console: typed input; net: a received frame).
    std::function<void(std::span<const uint8_t>)> host_event;
    // Device-specific promises about a returned chain (checked while the rings are the driver's).
    std::function<void(const UsedChain&)> check_used;
    // The driver reset the device (virtio 1.2 §2.4): everything in flight is gone.
    std::function<void()> after_reset;
    // The input wrote raw bytes over the rings: until the next reset, chains the device serves are
    // not reported, so a model of the device's state loses track.
    std::function<void()> rings_overwritten;
};

// Plays `in` against `device`, which must be freshly created (or reset) and stays owned by the caller.
void drive_device(virtio::Device& device, FuzzInput& in, const DeviceHooks& hooks = {});

}  // namespace vireo::fuzz
