// The system machine with real firmware: Debian's OpenSBI fw_jump starts a small S-mode payload
// (sbi_payload.S, built at test time) that talks to OpenSBI and shuts the machine down through
// SBI SRST, which OpenSBI carries out on the sifive,test device. No Linux needed: fast.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>

#include "console_session.hpp"

using namespace vireo::test;
using namespace std::chrono_literals;

namespace {
std::string payload()
{
#ifdef VIREO_SBI_PAYLOAD_PATH
    return VIREO_SBI_PAYLOAD_PATH;
#else
    return "";
#endif
}

#define REQUIRE_PAYLOAD()                                                                      \
    if (payload().empty())                                                                     \
    GTEST_SKIP() << "riscv64-unknown-elf-gcc was not found at configure time: no SBI payload"
}  // namespace

TEST(FirmwareBoot, OpenSbiStartsThePayloadAndPowersOff)
{
    REQUIRE_PAYLOAD();
    ConsoleSession vm({vireo_binary(), "run", "--kernel", payload(), "--timeout", "60"});
    ASSERT_TRUE(vm.expect("OpenSBI v", 30s)) << vm.recent_output();
    ASSERT_TRUE(vm.expect("Platform HART Count       : 1", 10s)) << vm.recent_output();
    ASSERT_TRUE(vm.expect("vireo-test: payload running in S-mode", 30s)) << vm.recent_output();
    ASSERT_TRUE(vm.expect("vireo-test: devicetree found", 10s)) << vm.recent_output();
    EXPECT_EQ(vm.wait_exit(30s), 0) << vm.recent_output();
}

TEST(FirmwareBoot, FourHartsAreSeenByOpenSbi)
{
    REQUIRE_PAYLOAD();
    ConsoleSession vm({vireo_binary(), "run", "--kernel", payload(), "--cpus", "4", "--timeout", "60"});
    ASSERT_TRUE(vm.expect("Platform HART Count       : 4", 30s)) << vm.recent_output();
    ASSERT_TRUE(vm.expect("vireo-test: devicetree found", 30s)) << vm.recent_output();
    EXPECT_EQ(vm.wait_exit(30s), 0) << vm.recent_output();
}

TEST(FirmwareBoot, InstructionLimitEndsTheRunWith124)
{
    REQUIRE_PAYLOAD();
    ConsoleSession vm({vireo_binary(), "run", "--kernel", payload(), "--max-instructions", "1000"});
    EXPECT_EQ(vm.wait_exit(30s), 124) << vm.recent_output();
    EXPECT_NE(vm.output().find("instruction limit of 1000 reached"), std::string::npos) << vm.output();
}

TEST(FirmwareBoot, BadKernelFilesAreOneLineErrors)
{
    ConsoleSession missing({vireo_binary(), "run", "--kernel", "/nonexistent/Image"});
    EXPECT_EQ(missing.wait_exit(10s), 125);
    EXPECT_EQ(missing.output(), "vireo: /nonexistent/Image: No such file or directory\n");

    ConsoleSession not_kernel({vireo_binary(), "run", "--kernel", "/etc/hostname"});
    EXPECT_EQ(not_kernel.wait_exit(10s), 125);
    EXPECT_NE(not_kernel.output().find("/etc/hostname: not a RISC-V Linux kernel (no Image header"), std::string::npos)
        << not_kernel.output();
}

namespace {
std::string garbage_payload()
{
#ifdef VIREO_GARBAGE_PAYLOAD_PATH
    return VIREO_GARBAGE_PAYLOAD_PATH;
#else
    return "";
#endif
}
}  // namespace

// The guest is hostile: 200000 random loads and stores of random sizes into the UART, the PLIC
// and every virtio-mmio slot (including a disk's queue registers, so the devices walk garbage
// rings) must leave the host process standing and the machine able to power off normally.
TEST(HostileGuest, GarbageWrittenToEveryDeviceLeavesTheHostStanding)
{
    if (garbage_payload().empty())
        GTEST_SKIP() << "riscv64-unknown-elf-gcc was not found at configure time: no payload";
    char scratch[] = "/tmp/vireo-garbage-disk-XXXXXX";
    int fd = ::mkstemp(scratch);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::ftruncate(fd, 8 << 20), 0);
    ::close(fd);
    ConsoleSession vm({vireo_binary(), "run", "--kernel", garbage_payload(), "--disk", scratch, "--cpus", "2",
                       "--timeout", "120"});
    EXPECT_TRUE(vm.expect("vireo-test: garbage payload started", 60s)) << vm.recent_output();
    EXPECT_TRUE(vm.expect("vireo-test: garbage payload done", 120s)) << vm.recent_output();
    EXPECT_EQ(vm.wait_exit(60s), 0) << vm.recent_output();
    ::unlink(scratch);
}
