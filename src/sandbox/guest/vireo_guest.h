/* vireo_guest.h: for riscv64 programs that run inside a Vireo sandbox and talk to their embedder.
 *
 *   vireo_pause()              ends Sandbox::run() with Outcome::Kind::Paused; the embedder may then
 *                              call the program's functions (Sandbox::call) and run() it on later.
 *   vireo_host_call(n, ...)    calls host function n (Sandbox::register_host_function) with up to
 *                              six integer arguments and returns what it returns (0 if none is
 *                              registered under n).
 *
 * Both are system calls with numbers Linux does not use: outside Vireo they return -ENOSYS.
 * Plain C, no dependencies: include it in a guest program built with riscv64-linux-gnu-gcc.
 */
#ifndef VIREO_GUEST_H
#define VIREO_GUEST_H

#define VIREO_SYSCALL_PAUSE 0xffff
#define VIREO_SYSCALL_HOST_BASE 0x10000

static inline long vireo_syscall6(long number, long a0, long a1, long a2, long a3, long a4, long a5)
{
    register long r_a0 __asm__("a0") = a0;
    register long r_a1 __asm__("a1") = a1;
    register long r_a2 __asm__("a2") = a2;
    register long r_a3 __asm__("a3") = a3;
    register long r_a4 __asm__("a4") = a4;
    register long r_a5 __asm__("a5") = a5;
    register long r_a7 __asm__("a7") = number;
    __asm__ volatile("ecall"
                     : "+r"(r_a0)
                     : "r"(r_a1), "r"(r_a2), "r"(r_a3), "r"(r_a4), "r"(r_a5), "r"(r_a7)
                     : "memory");
    return r_a0;
}

static inline void vireo_pause(void) { (void)vireo_syscall6(VIREO_SYSCALL_PAUSE, 0, 0, 0, 0, 0, 0); }

#define vireo_host_call(...) vireo_host_call_(__VA_ARGS__, 0, 0, 0, 0, 0, 0, 0)
#define vireo_host_call_(n, a0, a1, a2, a3, a4, a5, ...) \
    vireo_syscall6(VIREO_SYSCALL_HOST_BASE + (n), (long)(a0), (long)(a1), (long)(a2), (long)(a3), (long)(a4), (long)(a5))

#endif
