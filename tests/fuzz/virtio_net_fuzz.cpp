// libFuzzer target for virtio-net (src/virtio/devices/net/net.cpp): the transmit queue's frames
// and received frames delivered into the guest's buffers, driven by virtio_device_harness. The
// network is a recording backend; host events are frames arriving from it.
//
// Beyond the harness's checks, the device is held to net.hpp and virtio 1.2 §5.1.6:
// - a transmitted chain reaches the network as one frame (its bytes after the 12-byte header)
//   when it holds a header and at most a maximal frame, else it is dropped; either way it is
//   returned with length 0;
// - received frames reach the guest in order, each behind a header with num_buffers 1, or are
//   dropped when the chain is too small; frames over kMaxFrame never reach the guest.
#include <algorithm>
#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

#include "base/bytes.hpp"
#include "base/log.hpp"
#include "fuzz_check.hpp"
#include "virtio/devices/net/net.hpp"
#include "virtio_device_harness.hpp"

using namespace vireo;
using vireo::fuzz::check;
using virtio::Net;

namespace {

struct NetModel {
    std::vector<std::vector<uint8_t>> sent;   // what the device gave the network
    size_t sent_matched = 0;
    std::deque<std::vector<uint8_t>> waiting;  // received frames the guest has not had yet
    bool valid = true;

    void check_used(const fuzz::UsedChain& chain)
    {
        if (chain.queue == Net::kTransmitQueue) {
            check(chain.used_len == 0, "transmit chains are returned with length 0 (§5.1.6.2)");
            if (!valid || chain.request.size() < Net::kHeaderSize || chain.request.size() > Net::kHeaderSize + Net::kMaxFrame)
                return;
            check(sent_matched < sent.size(), "a well-sized transmit chain reaches the network");
            const auto& frame = sent[sent_matched++];
            check(std::equal(frame.begin(), frame.end(), chain.request.begin() + Net::kHeaderSize, chain.request.end()),
                  "the network gets the chain's bytes after the header");
            return;
        }
        if (!valid)
            return;
        check(!waiting.empty(), "a receive chain is used only for a waiting frame");
        const std::vector<uint8_t> frame = std::move(waiting.front());
        waiting.pop_front();
        if (chain.used_len == 0) {
            check(chain.writable_len < Net::kHeaderSize + frame.size(), "only a too-small chain drops a frame");
            return;
        }
        check(chain.used_len == Net::kHeaderSize + frame.size(), "a received chain holds header and frame");
        check(load_le<uint16_t>(chain.reply.data() + 10) == 1, "num_buffers is 1 (§5.1.6.4)");
        check(std::equal(frame.begin(), frame.end(), chain.reply.begin() + Net::kHeaderSize), "the frame arrives intact");
    }
};

class RecordingBackend final : public virtio::net::Backend {
public:
    explicit RecordingBackend(NetModel& model) : m_model(model) {}
    void set_receiver(Receive receive) override { m_receive = std::move(receive); }
    void send(std::span<const uint8_t> frame) override
    {
        check(frame.size() <= Net::kMaxFrame, "no frame larger than kMaxFrame reaches the network");
        m_model.sent.emplace_back(frame.begin(), frame.end());
    }
    void poll(size_t) override {}
    void deliver(std::span<const uint8_t> frame) { m_receive(frame); }

private:
    NetModel& m_model;
    Receive m_receive;
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
    NetModel model;
    auto owned = std::make_unique<RecordingBackend>(model);
    RecordingBackend& backend = *owned;
    Net net(std::move(owned));
    fuzz::DeviceHooks hooks;
    hooks.host_event = [&](std::span<const uint8_t> frame) {
        // Net::receive keeps at most kMaxPendingFrames frames of at most kMaxFrame bytes; the rest
        // is dropped. Queue the model first: receive() may deliver at once.
        const bool kept = frame.size() <= Net::kMaxFrame && model.waiting.size() < Net::kMaxPendingFrames;
        if (kept)
            model.waiting.emplace_back(frame.begin(), frame.end());
        const uint64_t dropped = net.stats().rx_dropped;
        backend.deliver(frame);
        if (model.valid && !kept)
            check(net.stats().rx_dropped == dropped + 1, "a frame that does not fit is dropped and counted");
    };
    hooks.check_used = [&model](const fuzz::UsedChain& chain) { model.check_used(chain); };
    // Unseen chains may take frames from the network or give it some: the model starts again when
    // the driver resets the device, which drops every pending frame (Net::reset).
    hooks.rings_overwritten = [&model] { model.valid = false; };
    hooks.after_reset = [&model] {
        model.waiting.clear();
        model.sent_matched = model.sent.size();
        model.valid = true;
    };
    fuzz::drive_device(net, in, hooks);
    return 0;
}
