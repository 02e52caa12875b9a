// libFuzzer target for the x86 kernel loaders (kvm::load_kernel: bzImage setup header, ELF
// program headers and PVH notes), which read a file the user (or whoever made the image)
// supplies. Build by hand, like tests/fuzz/:
//   clang++ -std=gnu++20 -g -O1 -fsanitize=fuzzer,address,undefined -Isrc tests/kvm/kernel_fuzz.cpp \
//       src/kvm/boot.cpp src/memory/guest_memory.cpp src/base/bytes.cpp -o kernel_fuzz
//   ./kernel_fuzz CORPUS_DIR build/tests/kvm/payloads/{long64.bzImage,long64.elf,pvh32.elf}
// The first input byte picks initrd and command-line sizes, so their placement checks run too.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>
#include <vector>

#include "kvm/boot.hpp"
#include "memory/guest_memory.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    static auto ram = vireo::memory::GuestMemory::create(0, 48ull << 20).release_value();
    if (size < 1)
        return 0;
    const uint8_t knobs = data[0];
    std::span<const uint8_t> kernel(data + 1, size - 1);
    std::vector<uint8_t> initrd((knobs & 0x0f) * 1000003ull % (40ull << 20), 0x5a);
    vireo::kvm::BootInputs in;
    in.kernel = kernel;
    in.kernel_name = "fuzz";
    in.initrd = initrd;
    in.initrd_name = "initrd";
    in.cmdline = std::string((knobs >> 4) * 200u, 'x');
    auto loaded = vireo::kvm::load_kernel(ram, in);
    if (!loaded.ok())
        return 0;
    // What the loader promises: the entry and the initrd lie in RAM.
    const auto& k = loaded.value();
    if (!ram.contains(k.entry.rip, 1))
        std::abort();
    if (k.initrd_size && !ram.contains(k.initrd_address, k.initrd_size))
        std::abort();
    return 0;
}
