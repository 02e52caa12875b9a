// libFuzzer target for virtio-rng (src/virtio/devices/rng), driven by virtio_device_harness.
//
// Beyond the harness's checks, the device is held to rng.hpp and virtio 1.2 §5.4.6.2: every chain
// comes back with its writable part filled up to kMaxBytesPerRequest (getrandom does not fail
// here), and readable buffers are ignored.
#include <algorithm>
#include <cstdint>

#include "base/log.hpp"
#include "fuzz_check.hpp"
#include "virtio/devices/rng/rng.hpp"
#include "virtio_device_harness.hpp"

using namespace vireo;
using vireo::fuzz::check;

extern "C" int LLVMFuzzerInitialize(int*, char***)
{
    log::set_level(log::Level::Off);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    fuzz::FuzzInput in(data, size);
    virtio::Rng rng;
    fuzz::DeviceHooks hooks;
    hooks.check_used = [](const fuzz::UsedChain& chain) {
        check(chain.used_len == std::min(chain.writable_len, virtio::Rng::kMaxBytesPerRequest),
              "the writable part is filled, up to kMaxBytesPerRequest");
    };
    fuzz::drive_device(rng, in, hooks);
    return 0;
}
