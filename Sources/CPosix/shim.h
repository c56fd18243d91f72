#ifndef CPOSIX_SHIM_H
#define CPOSIX_SHIM_H
// Linux process calls that Swift can't import directly (variadic or macro-based), and the
// epoll and eventfd headers the FastCGI server waits with.
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <unistd.h>

/// Asks the kernel to send `signal` to this process when its parent dies, so workers of a
/// supervisor that was SIGKILLed don't linger.
static inline int cposix_set_parent_death_signal(int signal) {
    return prctl(PR_SET_PDEATHSIG, (unsigned long)signal, 0, 0, 0);
}
#endif
