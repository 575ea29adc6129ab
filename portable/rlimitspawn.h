/* rlimitspawn.h - starting a program under resource limits (CPU time, address space), which
 * posix_spawn cannot set: fork, then only async-signal-safe calls up to execve.
 *
 * qemu-img reading a hostile image can be made to spin or to allocate without bound; it runs under
 * limits so that such an image costs 30 s of CPU and 1 GiB at most. Compiled into the plugin
 * (proc.c) and into cs-harness (runprog.c) from this one source, like imageinspect.c: neither
 * links the other, and both run qemu-img info on untrusted images.
 * Threads: may be called from any thread; the child touches no lock another thread could hold. */
#ifndef PFX_RLIMITSPAWN_H
#define PFX_RLIMITSPAWN_H

#include <stdint.h>
#include <sys/types.h>

typedef struct pfx_rlimits {
    unsigned cpu_s;    /* RLIMIT_CPU in seconds (the kernel sends SIGKILL past it); 0: unchanged */
    uint64_t as_bytes; /* RLIMIT_AS in bytes (allocations past it fail); 0: unchanged */
} pfx_rlimits;

/* Starts argv[0], an absolute path, with fds[0], fds[1], fds[2] as its stdin, stdout and stderr,
 * no other descriptor, default signal dispositions, an empty signal mask, the limits (never above
 * the caller's own hard limits) and, when new_group, a process group of its own. Returns 0 with
 * *pid once the program runs, or an errno value when it could not be started (a failed execve
 * included: the child reports it before it exits, and is reaped here). */
int pfx_spawn_limited(const char *const *argv, const int fds[3], int new_group, const pfx_rlimits *lim,
                      pid_t *pid);

#endif
