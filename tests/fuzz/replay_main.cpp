// libFuzzer's main, as ordinary builds have it: runs a harness once over each input named on the
// command line (files, or folders of files), as a libFuzzer binary does when given files. The unit
// tests use it to replay tests/fuzz/regressions/<name>/, the inputs that once found a bug; under
// `make test-asan` the sanitizers watch the replay too. A harness reports a broken promise by
// aborting, so the exit status says whether every input passed.
#include <dirent.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int* argc, char*** argv);

namespace {

std::vector<std::string> inputs_in(const std::string& path)
{
    std::vector<std::string> files;
    if (DIR* dir = ::opendir(path.c_str())) {
        while (dirent* e = ::readdir(dir))
            if (e->d_name[0] != '.')
                files.push_back(path + "/" + e->d_name);
        ::closedir(dir);
        std::sort(files.begin(), files.end());
    } else {
        files.push_back(path);
    }
    return files;
}

bool read_input(const std::string& path, std::vector<uint8_t>& bytes)
{
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (!f)
        return false;
    bytes.clear();
    uint8_t buffer[4096];
    size_t n;
    while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0)
        bytes.insert(bytes.end(), buffer, buffer + n);
    std::fclose(f);
    return true;
}

}  // namespace

int main(int argc, char** argv)
{
    if (LLVMFuzzerInitialize)
        LLVMFuzzerInitialize(&argc, &argv);
    int replayed = 0;
    std::vector<uint8_t> bytes;
    for (int i = 1; i < argc; ++i) {
        for (const auto& path : inputs_in(argv[i])) {
            if (!read_input(path, bytes)) {
                std::fprintf(stderr, "replay: cannot read %s\n", path.c_str());
                return 1;
            }
            std::printf("replay: %s (%zu bytes)\n", path.c_str(), bytes.size());
            std::fflush(stdout);
            LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
            ++replayed;
        }
    }
    if (replayed == 0) {
        std::fprintf(stderr, "replay: no inputs\n");
        return 1;
    }
    std::printf("replay: %d input(s) passed\n", replayed);
    return 0;
}
