/*
 * platform.h — the simulator's operating-system layer.
 *
 * Everything the simulator needs from the OS goes through these functions:
 * a mutex, a condition variable with a timed wait on the monotonic clock,
 * once-initialization, one thread (the timer thread of clock.c), the
 * monotonic and wall clocks, and the "message signal" behind
 * LINEINITIALIZEEXPARAMS.Handles.hEvent. Two implementations:
 *   platform_posix.c  pthreads, clock_gettime, eventfd (Linux) or a pipe
 *   platform_win32.c  SRWLOCK, CONDITION_VARIABLE, InitOnceExecuteOnce,
 *                     CreateThread, QueryPerformanceCounter, a manual-reset
 *                     event (CreateEventW); no winpthreads
 * Each .c compiles to nothing on the other OS, so a build may compile every
 * .c file of csrc everywhere.
 *
 * This header includes neither <pthread.h> nor <windows.h>: the OS objects
 * live in opaque storage (checked for size and alignment with static
 * assertions in each implementation), so that the rest of the simulator,
 * whose TAPI typedefs (DWORD, HANDLE, ...) would clash with <windows.h>,
 * stays OS-neutral. It does not include the TAPI headers either.
 */
#ifndef TAPISIM_PLATFORM_H
#define TAPISIM_PLATFORM_H

#include <stdint.h>

/* Storage big and aligned enough for pthread_mutex_t / pthread_cond_t /
 * pthread_t (glibc, musl, macOS) or SRWLOCK / CONDITION_VARIABLE / HANDLE. */
typedef union plat_storage {
    void *align_p;
    long long align_ll;
    double align_d;
    unsigned char bytes[64];
} plat_storage;

/* A mutex. Must be set up by plat_mutex_init before use (on Windows the
 * all-zero value is already a valid unlocked SRWLOCK). Not recursive. */
typedef struct plat_mutex {
    plat_storage s;
} plat_mutex;

/* A condition variable used with one plat_mutex. plat_cond_init before use. */
typedef struct plat_cond {
    plat_storage s;
} plat_cond;

/* A once-flag: zero-initialize it (PLAT_ONCE_INIT). */
typedef struct plat_once {
    void *state;
} plat_once;
#define PLAT_ONCE_INIT {0}

typedef struct plat_thread {
    plat_storage s;
} plat_thread;

/* The message signal of one TAPI application: readable / signalled exactly
 * while the caller of plat_signal_set/_reset says so. On POSIX a pollable fd
 * (eventfd on Linux, else the read end of a pipe); on Windows a manual-reset
 * event. The caller tracks the state and calls set/reset only on transitions,
 * so each is at most one system call. */
typedef struct plat_signal {
    void *event; /* Windows: the event HANDLE */
    int fd_r;    /* POSIX: the pollable fd (-1 when none) */
    int fd_w;    /* POSIX: the fd written to (== fd_r for an eventfd) */
} plat_signal;

void plat_mutex_init(plat_mutex *m);
void plat_mutex_lock(plat_mutex *m);
void plat_mutex_unlock(plat_mutex *m);

void plat_cond_init(plat_cond *c);
void plat_cond_broadcast(plat_cond *c);
/* Wait on `c` (m locked) until woken or until the monotonic clock reaches
 * deadline_ns (plat_mono_ns scale); deadline_ns < 0 waits without a timeout.
 * Returns 1 when the deadline has passed, 0 when woken (possibly spuriously:
 * callers re-check their predicate). Never returns 1 before the deadline. */
int plat_cond_wait_until(plat_cond *c, plat_mutex *m, int64_t deadline_ns);

void plat_call_once(plat_once *o, void (*fn)(void));

/* Start `fn(arg)` on a new thread; 0 or -1. On Windows the thread holds a
 * reference to the module that contains the simulator until it returns, so
 * that FreeLibrary cannot unmap its code under it. */
int plat_thread_start(plat_thread *t, void (*fn)(void *), void *arg);
void plat_thread_join(plat_thread *t);

int64_t plat_mono_ns(void); /* monotonic clock, ns from an arbitrary origin */
int64_t plat_wall_ms(void); /* wall clock, ms since 1970-01-01 UTC */

int plat_signal_open(plat_signal *s); /* unsignalled; 0 or -1 */
void plat_signal_close(plat_signal *s);
void plat_signal_set(plat_signal *s);   /* only when not set */
void plat_signal_reset(plat_signal *s); /* only when set */
/* What LINEINITIALIZEEXPARAMS.Handles.hEvent carries: the event HANDLE on
 * Windows, the fd (as an integer in the pointer) on POSIX. */
void *plat_signal_handle(const plat_signal *s);
int plat_signal_fd(const plat_signal *s); /* POSIX fd; -1 on Windows */

#endif
