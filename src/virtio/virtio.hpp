// virtio: devices a guest drives through virtqueues (virtio 1.2, modern interface only).
//
// What this component offers:
// - Queue (queue.hpp): the device side of a split virtqueue; takes GuestMemory& in every call.
// - DescriptorChain, ChainReader, ChainWriter (chain.hpp): a popped, fully checked chain and
//   bounds-checked byte streams over its readable and writable buffers.
// - Device, ActiveContext, Interrupt (device.hpp): the transport-agnostic device interface.
// - MmioTransport (mmio_transport.hpp): virtio-mmio version 2 as a bus::MmioDevice.
// - Devices, one folder each: Console (virtio-console), Block (virtio-blk), Rng (virtio-rng),
//   Net (virtio-net), P9 (virtio-9p).
// - add_standard_devices (device_set.hpp): the set a system machine builds from the user's
//   options, handed one by one to the machine's own "attach behind virtio-mmio" callback.
//
// Nothing here knows whether the guest runs in the emulator or under KVM: devices see guest memory
// and an interrupt, nothing else. The guest is hostile: every guest-caused fault ends as
// DEVICE_NEEDS_RESET or an error status in the request, never as a host crash or hang.
#pragma once

#include "virtio/chain.hpp"
#include "virtio/device.hpp"
#include "virtio/device_set.hpp"
#include "virtio/devices/block/block.hpp"
#include "virtio/devices/console/console.hpp"
#include "virtio/devices/rng/rng.hpp"
#include "virtio/mmio_transport.hpp"
#include "virtio/queue.hpp"
#include "virtio/spec.hpp"
