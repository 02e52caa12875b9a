// libFuzzer target for the 9P2000.L server behind virtio-9p (src/virtio/devices/p9), which parses
// messages from the guest and acts on a host folder with them.
// Built and run by `make fuzz` (tests/fuzz/CMakeLists.txt, tests/fuzz/run.sh), with -max_len=8192.
//
// Each input is a sequence of 9P messages, each framed by its own size field (cut to what is
// left). A session is already open (Tversion, Tattach of fid 1 to the root). The shared folder is
// rebuilt for every input: a file, a directory, a symlink pointing outside, and a FIFO. Beyond "no
// crash", the harness checks the containment promise: the folder beside the share (with a canary
// file) is never changed, nothing appears next to the share, and no descriptor is leaked once the
// server is gone.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "fuzz_check.hpp"
#include "host_tree.hpp"
#include "virtio/devices/p9/server.hpp"

using vireo::fuzz::check;
using vireo::fuzz::count_fds;
using vireo::fuzz::list_dir;
using vireo::fuzz::read_text;
using vireo::fuzz::remove_tree;

namespace {

std::string g_base, g_share, g_outside;

void build_share()
{
    remove_tree(g_share);
    check(::mkdir(g_share.c_str(), 0755) == 0, "mkdir share");
    vireo::fuzz::write_text(g_share + "/file", "hello");
    ::mkdir((g_share + "/dir").c_str(), 0755);
    vireo::fuzz::write_text(g_share + "/dir/inner", "");
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
    g_base = vireo::fuzz::make_scratch_dir("p9");
    g_share = g_base + "/share";
    g_outside = g_base + "/outside";
    check(::mkdir(g_outside.c_str(), 0755) == 0, "mkdir outside");
    vireo::fuzz::write_text(g_outside + "/canary", "canary");
    ::chmod((g_outside + "/canary").c_str(), 0644);
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
    check(list_dir(g_outside) == std::set<std::string>{".", "..", "canary"}, "nothing appears outside the share");
    check(read_text(g_outside + "/canary") == "canary", "the canary outside the share is untouched");
    check(list_dir(g_base) == std::set<std::string>{".", "..", "share", "outside"}, "nothing appears next to the share");
    struct stat st {};
    check(::stat((g_outside + "/canary").c_str(), &st) == 0 && (st.st_mode & 07777) == 0644, "the canary's mode");
    return 0;
}
