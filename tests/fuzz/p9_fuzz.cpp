// libFuzzer target for the 9P2000.L server behind virtio-9p (src/virtio/devices/p9), which parses
// messages from the guest and acts on a host folder with them.
// Build by hand until the fuzz targets get their CMake:
//   clang++-14 -std=gnu++20 -g -O1 -fsanitize=fuzzer,address,undefined -Isrc tests/fuzz/p9_fuzz.cpp \
//       src/virtio/devices/p9/server.cpp -o p9_fuzz
//   ./p9_fuzz -max_len=8192 corpus/
//
// Each input is a sequence of 9P messages, each framed by its own size field (cut to what is
// left). A session is already open (Tversion, Tattach of fid 1 to the root). The shared folder is
// rebuilt for every input: a file, a directory, a symlink pointing outside, and a FIFO. Beyond "no
// crash", the harness checks the containment promise: the folder beside the share (with a canary
// file) is never changed, nothing appears next to the share, and no descriptor is leaked once the
// server is gone.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "virtio/devices/p9/server.hpp"

namespace {

std::string g_base, g_share, g_outside;

// rm -rf without following links; directories are made accessible first (the guest may have
// chmod'ed one to 0).
void remove_at(int dir_fd, const char* name)
{
    struct stat st {};
    if (::fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
        return;
    if (S_ISDIR(st.st_mode)) {
        ::fchmodat(dir_fd, name, 0700, 0);
        int fd = ::openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd >= 0) {
            if (DIR* d = ::fdopendir(fd)) {
                std::vector<std::string> names;
                while (dirent* e = ::readdir(d)) {
                    if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0)
                        names.emplace_back(e->d_name);
                }
                for (const auto& n : names)
                    remove_at(::dirfd(d), n.c_str());
                ::closedir(d);
            } else {
                ::close(fd);
            }
        }
        ::unlinkat(dir_fd, name, AT_REMOVEDIR);
    } else {
        ::unlinkat(dir_fd, name, 0);
    }
}

void remove_tree(const std::string& path)
{
    remove_at(AT_FDCWD, path.c_str());
}

std::set<std::string> list(const std::string& dir)
{
    std::set<std::string> names;
    if (DIR* d = ::opendir(dir.c_str())) {
        while (dirent* e = ::readdir(d))
            names.insert(e->d_name);
        ::closedir(d);
    }
    return names;
}

int count_fds()
{
    return static_cast<int>(list("/proc/self/fd").size());
}

std::string read_text(const std::string& path)
{
    std::string text;
    if (FILE* f = std::fopen(path.c_str(), "rb")) {
        char buffer[256];
        size_t n;
        while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0)
            text.append(buffer, n);
        std::fclose(f);
    }
    return text;
}

void check(bool condition, const char* what)
{
    if (!condition) {
        std::fprintf(stderr, "p9_fuzz: broken promise: %s\n", what);
        std::abort();
    }
}

void build_share()
{
    remove_tree(g_share);
    check(::mkdir(g_share.c_str(), 0755) == 0, "mkdir share");
    std::FILE* f = std::fopen((g_share + "/file").c_str(), "w");
    std::fputs("hello", f);
    std::fclose(f);
    ::mkdir((g_share + "/dir").c_str(), 0755);
    std::fclose(std::fopen((g_share + "/dir/inner").c_str(), "w"));
    ::symlink(g_outside.c_str(), (g_share + "/out").c_str());
    ::symlink((g_outside + "/canary").c_str(), (g_share + "/canary-link").c_str());
    ::mkfifo((g_share + "/fifo").c_str(), 0644);
}

std::vector<uint8_t> message(uint8_t type, uint16_t tag, const std::vector<uint8_t>& body)
{
    std::vector<uint8_t> m(7);
    const uint32_t size = static_cast<uint32_t>(7 + body.size());
    std::memcpy(m.data(), &size, 4);
    m[4] = type;
    std::memcpy(m.data() + 5, &tag, 2);
    m.insert(m.end(), body.begin(), body.end());
    return m;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***)
{
    const char* dir = ::access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    g_base = std::string(dir) + "/vireo-p9-fuzz-" + std::to_string(::getpid());
    g_share = g_base + "/share";
    g_outside = g_base + "/outside";
    remove_tree(g_base);
    check(::mkdir(g_base.c_str(), 0755) == 0 && ::mkdir(g_outside.c_str(), 0755) == 0, "mkdir base");
    std::FILE* f = std::fopen((g_outside + "/canary").c_str(), "w");
    std::fputs("canary", f);
    std::fclose(f);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    using namespace vireo::virtio::p9;
    build_share();
    const int fds_before = count_fds();
    {
        auto created = Server::create(g_share);
        check(created.ok(), "the server starts");
        Server& server = *created.value();
        // Tversion(65536, "9P2000.L") and Tattach(fid 1).
        std::vector<uint8_t> version = {0, 0, 1, 0, 8, 0, '9', 'P', '2', '0', '0', '0', '.', 'L'};
        server.handle(message(P9_TVERSION, 0xffff, version), 65536);
        std::vector<uint8_t> attach = {1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0};
        server.handle(message(P9_TATTACH, 1, attach), 65536);

        size_t at = 0;
        for (int count = 0; at < size && count < 64; ++count) {
            uint32_t length = 0;
            std::memcpy(&length, data + at, std::min<size_t>(4, size - at));
            length = static_cast<uint32_t>(std::min<size_t>(std::max<uint32_t>(length, 1), size - at));
            // The room for the reply varies with the message, as different guests give.
            const uint32_t room = 11 + (data[at] * 257u) % 65536;
            auto reply = server.handle(std::span(data + at, length), room);
            check(reply.size() <= room, "the reply fits the room");
            if (!reply.empty()) {
                uint32_t reply_size = 0;
                std::memcpy(&reply_size, reply.data(), 4);
                check(reply.size() >= 7 && reply_size == reply.size(), "the reply's size field is its size");
            }
            at += length;
        }
    }
    check(count_fds() == fds_before, "no descriptor outlives the server");
    check(list(g_outside) == std::set<std::string>{".", "..", "canary"}, "nothing appears outside the share");
    check(read_text(g_outside + "/canary") == "canary", "the canary outside the share is untouched");
    check(list(g_base) == std::set<std::string>{".", "..", "share", "outside"}, "nothing appears next to the share");
    struct stat st {};
    check(::stat((g_outside + "/canary").c_str(), &st) == 0 && (st.st_mode & 07777) == 0644, "the canary's mode");
    return 0;
}
