// The init of the x86-64 test guest (tests/kvm/guest/build-guest.sh): a static program, so the
// initramfs needs no busybox. It mounts /proc, /sys and /dev, prints a marker, loads the virtio
// modules Debian's cloud kernel builds as modules (virtio_mmio finds the devices in the ACPI DSDT),
// reports what it sees, and ends the VM as the command line's vireo.test= says:
//   poweroff (default): reboot(RB_POWER_OFF), which is ACPI S5 through the sleep control register
//   reboot:             reboot(RB_AUTOBOOT), the i8042 reset
//   panic:              writes 'c' to /proc/sysrq-trigger
// With vireo.test=pause it waits two seconds before powering off (the benchmark samples memory).
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static void console(void)
{
    int fd = open("/dev/console", O_RDWR);
    if (fd >= 0) {
        dup2(fd, 0);
        dup2(fd, 1);
        dup2(fd, 2);
        if (fd > 2)
            close(fd);
    }
    setvbuf(stdout, NULL, _IONBF, 0);
}

static int count_lines_starting(const char* path, const char* prefix)
{
    FILE* f = fopen(path, "r");
    if (!f)
        return -1;
    char line[512];
    int n = 0;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, prefix, strlen(prefix)) == 0)
            ++n;
    fclose(f);
    return n;
}

static int count_entries(const char* dir_path)
{
    DIR* dir = opendir(dir_path);
    if (!dir)
        return -1;
    int n = 0;
    for (struct dirent* e; (e = readdir(dir));)
        if (e->d_name[0] != '.')
            ++n;
    closedir(dir);
    return n;
}

static void load_module(const char* name)
{
    char path[128];
    snprintf(path, sizeof path, "/lib/modules/%s.ko", name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    if (syscall(SYS_finit_module, fd, "", 0) != 0)
        printf("vireo-kvm: module %s: %m\n", name);
    close(fd);
}

int main(void)
{
    mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
    console();
    mount("proc", "/proc", "proc", 0, NULL);
    mount("sysfs", "/sys", "sysfs", 0, NULL);
    printf("vireo-kvm: init started\n");

    static const char* modules[] = {"virtio", "virtio_ring", "virtio_mmio", "virtio_blk", "virtio_console", "virtio-rng"};
    for (size_t i = 0; i < sizeof modules / sizeof modules[0]; ++i)
        load_module(modules[i]);

    printf("vireo-kvm: cpus=%d\n", count_lines_starting("/proc/cpuinfo", "processor"));
    printf("vireo-kvm: virtio devices=%d\n", count_entries("/sys/bus/virtio/devices"));
    struct stat st;
    printf("vireo-kvm: vda %s\n", stat("/sys/block/vda", &st) == 0 ? "present" : "absent");
    printf("vireo-kvm: hwrng %s\n", stat("/dev/hwrng", &st) == 0 ? "present" : "absent");

    char cmdline[1024] = {0};
    int fd = open("/proc/cmdline", O_RDONLY);
    if (fd >= 0) {
        ssize_t n = read(fd, cmdline, sizeof cmdline - 1);
        cmdline[n > 0 ? n : 0] = 0;
        close(fd);
    }
    const char* action = strstr(cmdline, "vireo.test=");
    action = action ? action + strlen("vireo.test=") : "poweroff";
    sync();
    if (strncmp(action, "pause", 5) == 0) {
        printf("vireo-kvm: pausing\n");
        struct timespec two = {2, 0};
        nanosleep(&two, NULL);
    }
    if (strncmp(action, "reboot", 6) == 0) {
        printf("vireo-kvm: rebooting\n");
        reboot(RB_AUTOBOOT);
    } else if (strncmp(action, "panic", 5) == 0) {
        int t = open("/proc/sysrq-trigger", O_WRONLY);
        if (t >= 0)
            write(t, "c", 1);
    }
    printf("vireo-kvm: powering off\n");
    reboot(RB_POWER_OFF);
    for (;;)
        pause();
}
