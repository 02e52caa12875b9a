# The front door. `make run` and `make test` set up everything they need on a fresh Debian 12
# machine (as root): missing packages are installed with apt, then Vireo is configured and built.
BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=
CTEST_FLAGS ?=

.PHONY: all deps configure build test test-unit run bench clean

all: build

deps:
	@scripts/install-deps.sh

$(BUILD)/build.ninja: CMakeLists.txt | deps
	cmake -S . -B $(BUILD) -G Ninja $(CMAKE_FLAGS)

configure: deps $(BUILD)/build.ninja

build: configure
	cmake --build $(BUILD) -j $(JOBS)

# The whole suite. Run a part with e.g. `make test CTEST_FLAGS="-L unit"`.
test: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS) $(CTEST_FLAGS)

test-unit: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS) -L unit

# Until the system machine boots Linux (issue 3), `make run` runs the bare-metal hello example.
run: build
	$(BUILD)/vireo run --bare $(BUILD)/examples/bare/hello.elf

bench: build
	@echo "no benchmarks yet"

clean:
	rm -rf $(BUILD)
