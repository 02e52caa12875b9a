// The SIGSYS handler of a confined process. It runs in whichever thread made the refused call,
// possibly inside malloc or with a lock held, so it only uses async-signal-safe calls that the
// filter itself allows (write, tcsetattr's ioctl, exit_group) and memory prepared beforehand.
#include <seccomp.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "base/terminal.hpp"
#include "confine/confine.hpp"
#include "confine/report.hpp"

namespace vireo::confine {

namespace {

// Names of the host's system calls by number, learned at install time. Numbers beyond the table
// (or without a name) are reported as numbers alone.
constexpr int kNamedCalls = 512;
constexpr size_t kNameSize = 24;
char g_names[kNamedCalls][kNameSize];

void append(char* out, size_t size, size_t& used, const char* text)
{
    for (; *text && used + 1 < size; ++text)
        out[used++] = *text;
    out[used] = '\0';
}

void append_number(char* out, size_t size, size_t& used, long value)
{
    char digits[24];
    size_t n = 0;
    unsigned long v = value < 0 ? 0ul - static_cast<unsigned long>(value) : static_cast<unsigned long>(value);
    do {
        digits[n++] = static_cast<char>('0' + v % 10);
        v /= 10;
    } while (v && n < sizeof digits);
    if (value < 0)
        append(out, size, used, "-");
    while (n > 0 && used + 1 < size)
        out[used++] = digits[--n];
    out[used] = '\0';
}

void on_refused_call(int, siginfo_t* info, void*)
{
    const int call = info->si_syscall;
    char text[256];
    size_t used = 0;
    text[0] = '\0';
    append(text, sizeof text, used, "vireo: seccomp: system call ");
    append_number(text, sizeof text, used, call);
    if (call >= 0 && call < kNamedCalls && g_names[call][0]) {
        append(text, sizeof text, used, " (");
        append(text, sizeof text, used, g_names[call]);
        append(text, sizeof text, used, ")");
    }
    append(text, sizeof text, used,
           " is not allowed in this process; ending the run (--no-seccomp turns the filter off, to debug)\n");
    Terminal::restore_after_fatal_signal();
    (void)!::write(STDERR_FILENO, text, used);
    ::_exit(kRefusedExitStatus);
}

}  // namespace

Result<void> install_refusal_report()
{
    for (int call = 0; call < kNamedCalls; ++call) {
        char* name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, call);
        if (name) {
            std::strncpy(g_names[call], name, kNameSize - 1);
            std::free(name);
        }
    }
    struct sigaction action {};
    action.sa_sigaction = on_refused_call;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_SIGINFO;
    if (::sigaction(SIGSYS, &action, nullptr) != 0)
        return Error::from_errno("seccomp: installing the SIGSYS handler");
    return {};
}

}  // namespace vireo::confine
