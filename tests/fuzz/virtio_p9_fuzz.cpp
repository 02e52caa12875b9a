// libFuzzer target for virtio-9p's device side (src/virtio/devices/p9/p9.cpp): 9P messages carried
// in descriptor chains, cut to msize, answered into the chain's writable part, driven by
// virtio_device_harness. (p9_fuzz fuzzes the server's message handling on its own, faster.)
//
// The shared folder is rebuilt for every input, next to a folder with a canary file. Beyond the
// harness's checks:
// - every reply is one whole R-message: its size field is the used length, its tag is the
//   request's, and its type is the request's + 1 or Rlerror;
// - the guest stays inside the share: the canary and the folder around the share are unchanged,
//   and no descriptor outlives the device.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <set>
#include <string>

#include "base/bytes.hpp"
#include "base/log.hpp"
#include "fuzz_check.hpp"
#include "host_tree.hpp"
#include "virtio/devices/p9/p9.hpp"
#include "virtio_device_harness.hpp"

using namespace vireo;
using vireo::fuzz::check;

namespace {

std::string g_base, g_share, g_outside;

void build_share()
{
    fuzz::remove_tree(g_share);
    check(::mkdir(g_share.c_str(), 0755) == 0, "the share can be made");
    fuzz::write_text(g_share + "/file", "hello");
    ::mkdir((g_share + "/dir").c_str(), 0755);
    ::symlink((g_outside + "/canary").c_str(), (g_share + "/canary-link").c_str());
}

void check_reply(const fuzz::UsedChain& chain)
{
    if (chain.used_len == 0 || chain.request.size() < 7)
        return;
    check(chain.used_len >= 7 && load_le<uint32_t>(chain.reply.data()) == chain.used_len,
          "a reply's size field is its used length");
    check(chain.reply[5] == chain.request[5] && chain.reply[6] == chain.request[6], "a reply carries the request's tag");
    const uint8_t type = chain.reply[4];
    check(type == static_cast<uint8_t>(chain.request[4] + 1) || type == virtio::p9::P9_RLERROR,
          "a reply answers the request's type, or is Rlerror");
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***)
{
    log::set_level(log::Level::Off);
    g_base = fuzz::make_scratch_dir("virtio-p9");
    g_share = g_base + "/share";
    g_outside = g_base + "/outside";
    check(::mkdir(g_outside.c_str(), 0755) == 0, "the outside folder can be made");
    fuzz::write_text(g_outside + "/canary", "canary");
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    fuzz::FuzzInput in(data, size);
    build_share();
    const int fds_before = fuzz::count_fds();
    {
        auto created = virtio::P9::create(g_share, "share");
        check(created.ok(), "the device starts");
        fuzz::DeviceHooks hooks;
        hooks.check_used = check_reply;
        fuzz::drive_device(*created.value(), in, hooks);
    }
    check(fuzz::count_fds() == fds_before, "no descriptor outlives the device");
    check(fuzz::list_dir(g_outside) == std::set<std::string>{".", "..", "canary"}, "nothing appears outside the share");
    check(fuzz::read_text(g_outside + "/canary") == "canary", "the canary outside the share is untouched");
    check(fuzz::list_dir(g_base) == std::set<std::string>{".", "..", "share", "outside"},
          "nothing appears next to the share");
    return 0;
}
