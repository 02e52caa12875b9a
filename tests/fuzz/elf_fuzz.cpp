// libFuzzer target for elf::parse, which reads files a user (or a guest image) supplies.
// Built and run by `make fuzz` (tests/fuzz/CMakeLists.txt, tests/fuzz/run.sh); the seeds in
// corpus/elf/ are small hand-made executables (corpus/generate.py).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "elf/elf.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    std::span<const uint8_t> bytes(data, size);
    auto result = vireo::elf::parse(bytes, "fuzz.elf");
    if (!result.ok())
        return 0;

    // What parse promises its callers: every loadable segment's file bytes are inside the buffer and
    // no larger than its memory size, and the program headers counted are the ones it read.
    const vireo::elf::Image& image = result.value();
    for (const auto& seg : image.loads) {
        if (seg.file_offset > size || seg.file_size > size - seg.file_offset || seg.file_size > seg.mem_size)
            std::abort();
        // Touch the first and last byte so ASan sees any bad range.
        if (seg.file_size > 0) {
            volatile uint8_t first = data[seg.file_offset];
            volatile uint8_t last = data[seg.file_offset + seg.file_size - 1];
            (void)first;
            (void)last;
        }
    }
    if (image.interpreter && image.interpreter->empty())
        std::abort();
    if (!image.symbols.empty())
        (void)image.symbol(image.symbols.back().name);
    (void)image.symbol("tohost");
    return 0;
}
