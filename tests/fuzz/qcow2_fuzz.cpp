// libFuzzer target for the qcow2 reader and writer (src/disk), which take image files from users.
// Built and run by `make fuzz` (tests/fuzz/CMakeLists.txt, tests/fuzz/run.sh), with
// -max_len=65536. The seeds in corpus/qcow2/ are small images from qemu-img (corpus/generate.py).
//
// Each input is a qcow2 file. It is opened read-write; if that works, the harness checks what the
// image promises, not just that nothing crashes:
// - reads of the whole first megabyte (and the disk's end) succeed;
// - every successful write reads back, and the whole window matches a model of the writes;
// - the file Vireo wrote opens again and shows the same bytes (what Vireo writes stays valid).
#include <fcntl.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "base/log.hpp"
#include "disk/disk.hpp"
#include "host_tree.hpp"

namespace {

bool write_file(const std::string& path, const uint8_t* data, size_t size)
{
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return false;
    bool ok = size == 0 || ::write(fd, data, size) == static_cast<ssize_t>(size);
    ::close(fd);
    return ok;
}

// A small deterministic generator seeded from the input, so a crash reproduces from its file.
struct Rng {
    uint64_t state;
    uint64_t next()
    {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        return state >> 17;
    }
};

void check(bool condition, const char* what)
{
    if (!condition) {
        std::fprintf(stderr, "qcow2_fuzz: broken promise: %s\n", what);
        std::abort();
    }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***)
{
    vireo::log::set_level(vireo::log::Level::Off);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    using namespace vireo::disk;
    // In a scratch folder that goes when the fuzzer exits (host_tree.hpp).
    static const std::string path = vireo::fuzz::make_scratch_dir("qcow2") + "/image.qcow2";
    if (!write_file(path, data, size))
        return 0;

    uint64_t seed = 1469598103934665603ull;  // FNV-1a of the input
    for (size_t i = 0; i < size; ++i)
        seed = (seed ^ data[i]) * 1099511628211ull;
    Rng rng{seed};

    std::vector<uint8_t> model;
    bool model_valid = true;
    {
        auto opened = open_image(path, Format::Qcow2, Access::ReadWrite);
        if (!opened.ok()) {
            check(opened.error().text().find('\n') == std::string::npos, "an error is one line");
            check(opened.error().text().find(path) != std::string::npos, "an error names the file");
            return 0;
        }
        Image& image = *opened.value();
        const uint64_t window = std::min<uint64_t>(image.size(), 1 << 20);
        model.resize(window);
        if (!image.read(0, model).ok())
            model_valid = false;
        if (image.size() > window) {
            std::vector<uint8_t> tail(4096);
            const uint64_t at = image.size() - std::min<uint64_t>(image.size(), tail.size());
            (void)image.read(at, std::span(tail).first(image.size() - at));
        }
        // Reads and writes past the end fail cleanly.
        uint8_t byte = 0;
        check(!image.read(image.size(), {&byte, 1}).ok(), "a read past the end fails");
        check(!image.write(~uint64_t{0}, {&byte, 1}).ok(), "a write past the end fails");

        for (int i = 0; i < 4 && window > 0 && model_valid; ++i) {
            const uint64_t len = 1 + rng.next() % std::min<uint64_t>(window, 20000);
            const uint64_t offset = rng.next() % (window - len + 1);
            std::vector<uint8_t> bytes(len);
            for (auto& b : bytes)
                b = static_cast<uint8_t>(rng.next());
            if (!image.write(offset, bytes).ok()) {
                model_valid = false;  // a failed write leaves its range unspecified
                break;
            }
            std::memcpy(model.data() + offset, bytes.data(), len);
            std::vector<uint8_t> back(len);
            check(image.read(offset, back).ok(), "a written range reads back");
            check(back == bytes, "a written range reads back the same bytes");
        }
        if (model_valid) {
            std::vector<uint8_t> all(window);
            check(image.read(0, all).ok(), "the window reads");
            check(all == model, "the window matches the model of the writes");
        }
        (void)image.flush();
    }
    if (model_valid) {
        // What Vireo wrote must open again and say the same.
        auto again = open_image(path, Format::Qcow2, Access::ReadOnly);
        if (!again.ok())
            std::fprintf(stderr, "qcow2_fuzz: reopen: %s\n", again.error().text().c_str());
        check(again.ok(), "an image Vireo wrote opens again");
        std::vector<uint8_t> all(model.size());
        check(again.value()->read(0, all).ok(), "the reopened window reads");
        check(all == model, "the reopened image shows what was written");
    }
    return 0;
}
