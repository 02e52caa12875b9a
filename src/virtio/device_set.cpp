#include "virtio/device_set.hpp"

#include "virtio/devices/net/net.hpp"
#include "virtio/devices/net/tap.hpp"
#include "virtio/devices/p9/p9.hpp"
#include "virtio/devices/rng/rng.hpp"

namespace vireo::virtio {

namespace {

Result<std::unique_ptr<Device>> make_network(const NetConfig& config)
{
    std::unique_ptr<net::Backend> backend;
    if (config.backend == NetConfig::Backend::Tap)
        backend = TRY(net::TapBackend::open(config.tap_name));
    else
        backend = TRY(net::SlirpBackend::create(config.forwards));
    return std::unique_ptr<Device>(std::make_unique<Net>(std::move(backend)));
}

}  // namespace

Result<Console*> add_standard_devices(const DeviceSetConfig& config, Console::Sink console_output, const AddDevice& add)
{
    for (const auto& disk : config.disks) {
        Block::Options options;
        options.access = disk.access;
        options.format = disk.format;
        auto block = TRY(Block::open(disk.path, options));
        TRY(add(std::move(block), "virtio-blk " + disk.path));
    }
    TRY(add(std::make_unique<Rng>(), "virtio-rng"));
    auto console = std::make_unique<Console>(std::move(console_output));
    Console* const console_view = console.get();
    TRY(add(std::move(console), "virtio-console"));
    for (const auto& share : config.shares) {
        auto p9 = TRY(P9::create(share.host_dir, share.tag));
        TRY(add(std::move(p9), "virtio-9p " + share.tag));
    }
    if (config.net) {
        auto net = TRY(make_network(*config.net));
        TRY(add(std::move(net), "virtio-net"));
    }
    return console_view;
}

}  // namespace vireo::virtio
