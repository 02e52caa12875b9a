// Random 4 KiB reads from a block device, for bench/io.sh: built static for riscv64 and run inside
// the guest. O_DIRECT, so every read reaches the virtio-blk device rather than the guest's page
// cache; offsets come from a fixed-seed xorshift, so every run (and every machine) reads the same
// blocks. Prints one line: "randread reads=N seconds=S" (the guest's monotonic clock).
//
//   randread DEVICE COUNT
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

enum { BLOCK = 4096 };

static double now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char** argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: randread DEVICE COUNT\n");
        return 2;
    }
    const long count = atol(argv[2]);
    const int fd = open(argv[1], O_RDONLY | O_DIRECT);
    if (fd < 0 || count <= 0) {
        perror(argv[1]);
        return 1;
    }
    const off_t size = lseek(fd, 0, SEEK_END);
    const uint64_t blocks = size > 0 ? (uint64_t)size / BLOCK : 0;
    void* buffer = NULL;
    if (blocks == 0 || posix_memalign(&buffer, BLOCK, BLOCK) != 0) {
        fprintf(stderr, "randread: %s is empty or no memory\n", argv[1]);
        return 1;
    }
    uint64_t state = 0x9e3779b97f4a7c15ull;
    const double start = now_seconds();
    for (long i = 0; i < count; ++i) {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        const off_t offset = (off_t)((state % blocks) * BLOCK);
        if (pread(fd, buffer, BLOCK, offset) != BLOCK) {
            perror("randread: pread");
            return 1;
        }
    }
    const double seconds = now_seconds() - start;
    printf("randread reads=%ld seconds=%.6f\n", count, seconds);
    return 0;
}
