// libFuzzer target for virtio-console (src/virtio/devices/console): the transmit queue's output,
// host input through the receive queue, and emerg_wr, driven by virtio_device_harness. Host
// events are typed input (push_input).
//
// Beyond the harness's checks, the device is held to console.hpp:
// - every transmitted chain reaches the sink whole and in order, and is returned with length 0;
// - received chains carry the typed input in order, nothing lost or repeated, and no more than
//   was accepted; push_input never accepts more than kMaxPendingInput bytes are waiting.
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "base/log.hpp"
#include "fuzz_check.hpp"
#include "virtio/devices/console/console.hpp"
#include "virtio_device_harness.hpp"

using namespace vireo;
using vireo::fuzz::check;
using virtio::Console;

namespace {

struct ConsoleModel {
    std::vector<uint8_t> output;  // everything the sink got
    size_t output_seen = 0;       // how far transmitted chains have been matched
    std::vector<uint8_t> typed;   // every byte push_input accepted
    size_t typed_delivered = 0;
    bool valid = true;

    void check_used(const fuzz::UsedChain& chain)
    {
        if (chain.queue == Console::kTransmitQueue) {
            check(chain.used_len == 0, "transmitted chains are returned with length 0");
            if (!valid || chain.request.empty())
                return;
            // emerg_wr bytes may come between two chains, never inside one.
            auto found = std::search(output.begin() + static_cast<ptrdiff_t>(output_seen), output.end(),
                                     chain.request.begin(), chain.request.end());
            check(found != output.end(), "a transmitted chain reaches the sink whole and in order");
            output_seen = static_cast<size_t>(found - output.begin()) + chain.request.size();
        } else {
            check(chain.used_len <= typed.size() - typed_delivered, "the guest receives no more than was typed");
            if (!valid)
                return;
            check(std::equal(chain.reply.begin(), chain.reply.end(), typed.begin() + static_cast<ptrdiff_t>(typed_delivered)),
                  "the guest receives the typed bytes in order");
            typed_delivered += chain.used_len;
        }
    }
};

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***)
{
    log::set_level(log::Level::Off);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    fuzz::FuzzInput in(data, size);
    ConsoleModel model;
    Console console([&model](std::span<const uint8_t> bytes) {
        model.output.insert(model.output.end(), bytes.begin(), bytes.end());
    });
    fuzz::DeviceHooks hooks;
    hooks.host_event = [&](std::span<const uint8_t> bytes) {
        const size_t waiting = model.typed.size() - model.typed_delivered;
        const size_t accepted = console.push_input(bytes);
        check(accepted <= bytes.size(), "push_input accepts at most what it is given");
        if (model.valid) {
            check(waiting + accepted <= Console::kMaxPendingInput, "pending input stays bounded");
            check(accepted == std::min(bytes.size(), Console::kMaxPendingInput - waiting) ,
                  "push_input takes everything that fits");
        }
        model.typed.insert(model.typed.end(), bytes.begin(), bytes.begin() + static_cast<ptrdiff_t>(accepted));
    };
    hooks.check_used = [&model](const fuzz::UsedChain& chain) { model.check_used(chain); };
    hooks.rings_overwritten = [&model] { model.valid = false; };  // chains go by unseen
    fuzz::drive_device(console, in, hooks);
    if (model.valid)
        check(console.pending_input() == model.typed.size() - model.typed_delivered,
              "what was typed and not received is still pending");
    return 0;
}
