// The standard virtio device set of a system machine, built from the user's options: the disks
// (--disk, in order: vda, vdb, ...), an entropy source, a console, the shared folders (--share)
// and the network card (--net). Both system machines (the RISC-V virt board and the x86-64 KVM
// machine) build their devices here and differ only in how they attach one: each passes an
// AddDevice callback that maps the device on its bus behind a virtio-mmio transport.
//
// The order of the calls is the order of the virtio-mmio slots, and guests see it (disk names,
// hvc numbers), so it is fixed: disks, rng, console, shares, net.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "disk/disk.hpp"
#include "virtio/device.hpp"
#include "virtio/devices/block/block.hpp"
#include "virtio/devices/console/console.hpp"
#include "virtio/devices/net/slirp.hpp"

namespace vireo::virtio {

struct DiskConfig {
    std::string path;
    Block::Access access = Block::Access::ReadWrite;
    disk::Format format = disk::Format::Raw;  // as the user said: never guessed
};

// A host folder shared with the guest over virtio-9p, mounted by its tag.
struct ShareConfig {
    std::string host_dir;
    std::string tag;
};

// A network card: user-mode networking (libslirp, see slirp.hpp) or a host tap interface.
struct NetConfig {
    enum class Backend { User, Tap };
    Backend backend = Backend::User;
    std::vector<net::PortForward> forwards;  // User: host -> guest port forwards
    std::string tap_name;                    // Tap: the host interface
};

struct DeviceSetConfig {
    std::vector<DiskConfig> disks;
    std::vector<ShareConfig> shares;
    std::optional<NetConfig> net;
};

// Attaches one device to the machine; `name` says what it is in the machine's error messages.
using AddDevice = std::function<Result<void>(std::unique_ptr<Device> device, const std::string& name)>;

// Builds the set and hands every device to `add`, in slot order. The console's output goes to
// `console_output`; the console is returned so the machine can push typed input into it (it stays
// owned by whatever `add` kept it in). Errors name the file, folder, tag or port at fault.
Result<Console*> add_standard_devices(const DeviceSetConfig& config, Console::Sink console_output, const AddDevice& add);

}  // namespace vireo::virtio
