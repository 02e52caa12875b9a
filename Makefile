# The front door. `make run` and `make test` set up everything they need on a fresh Debian 12
# machine (as root): missing packages are installed with apt, then Vireo is configured and built.
BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=
CTEST_FLAGS ?=

# make fuzz: the libFuzzer targets (clang-14, ASan+UBSan), each run FUZZ_SECONDS; findings go to
# FUZZ_OUT, outside the source tree. FUZZ_TARGETS picks some (names as in tests/fuzz/corpus/).
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_OUT ?= /tmp/vireo-fuzz
FUZZ_TARGETS ?=
# make test-asan: a build with ASan+UBSan (GCC) and the tests that fit in about ten minutes: the
# unit tests, the sandbox tests, and boots that exercise the UART and each virtio device.
ASAN_BUILD ?= build-asan
ASAN_SYSTEM_TESTS ?= ^(LinuxBoot\.ShellRunsCommandsAndPowersOffWithStatus0|LinuxVirtio\.(HwrngGivesRandomBytes|BlockDiskKeepsAFileAcrossBoots)|P9Boot\.FilesCrossBetweenHostAndGuestBothWays|NetBoot\.DhcpAddressAndAPageFromTheHostsLoopback|Qcow2Boot\.Ext4OverlayOnABaseImageIsWrittenAndTheBaseIsUnchanged)$$

.PHONY: all deps configure build guest test test-unit test-asan fuzz run bench clean

all: build

deps:
	@scripts/install-deps.sh

$(BUILD)/build.ninja: CMakeLists.txt | deps
	cmake -S . -B $(BUILD) -G Ninja $(CMAKE_FLAGS)

configure: deps $(BUILD)/build.ninja

build: configure
	cmake --build $(BUILD) -j $(JOBS)

# The default guest: Linux 6.1 + busybox, built from Debian's source packages and cached in
# ~/.cache/vireo (or $$VIREO_CACHE); a no-op when its inputs have not changed.
guest: deps
	@guests/build.sh >/dev/null

# The whole suite. Run a part with e.g. `make test CTEST_FLAGS="-L unit"`.
test: build guest
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS) $(CTEST_FLAGS)

test-unit: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS) -L unit

# The unit tests, the sandbox tests (not the real-program ones: they build Lua and SQLite) and the
# boots in ASAN_SYSTEM_TESTS, on a build where any memory error, leak or undefined behaviour fails
# the test that met it. (A confined vireo process checks for leaks when it confines itself, not at
# exit: src/confine/filter.cpp.)
test-asan: deps guest
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DVIREO_SANITIZE=ON $(CMAKE_FLAGS)
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	ctest --test-dir $(ASAN_BUILD) --output-on-failure -j $(JOBS) -L unit
	ctest --test-dir $(ASAN_BUILD) --output-on-failure -j $(JOBS) -L sandbox -LE 'unit|real'
	ctest --test-dir $(ASAN_BUILD) --output-on-failure -j $(JOBS) -R '$(ASAN_SYSTEM_TESTS)'

fuzz: deps
	CC=clang-14 CXX=clang++-14 cmake -S . -B $(FUZZ_BUILD) -G Ninja -DVIREO_FUZZ=ON -DVIREO_TESTS=OFF
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzz-targets
	tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_OUT) $(FUZZ_TARGETS)

# Boots the default guest to a busybox shell on this terminal (Ctrl-A X quits).
run: build guest
	$(BUILD)/vireo run

# Benchmarks against QEMU and native runs, in the same run; prints the ratios.
bench: build guest
	bench/boot.sh
	bench/compute.sh
	bench/io.sh
	cmake --build $(BUILD) --target sandbox-bench
	bench/kvm_boot.sh

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
