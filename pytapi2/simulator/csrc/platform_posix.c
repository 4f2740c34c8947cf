/*
 * platform_posix.c — platform.h on POSIX: pthreads, clock_gettime, and the
 * message signal as an eventfd (Linux: one counter, one syscall to set and
 * one to reset) or a non-blocking pipe (elsewhere: exactly one byte is in it
 * while set, so a reset is one read).
 *
 * Condition variables wait on CLOCK_MONOTONIC (pthread_condattr_setclock), so
 * timeouts are immune to wall-clock changes; macOS lacks that attribute and
 * uses its relative timed wait instead.
 */
#ifndef _WIN32

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
/* PLAT_NO_EVENTFD: use the pipe on Linux too (how the pipe path is tested). */
#if defined(__linux__) && !defined(PLAT_NO_EVENTFD)
#define PLAT_EVENTFD 1
#include <sys/eventfd.h>
#endif

#include "platform.h"

_Static_assert(sizeof(pthread_mutex_t) <= sizeof(plat_storage), "plat_storage too small for a mutex");
_Static_assert(sizeof(pthread_cond_t) <= sizeof(plat_storage), "plat_storage too small for a condition");
_Static_assert(sizeof(pthread_t) <= sizeof(plat_storage), "plat_storage too small for a thread");
_Static_assert(_Alignof(pthread_mutex_t) <= _Alignof(plat_storage), "plat_storage misaligned for a mutex");
_Static_assert(_Alignof(pthread_cond_t) <= _Alignof(plat_storage), "plat_storage misaligned for a condition");
_Static_assert(_Alignof(pthread_t) <= _Alignof(plat_storage), "plat_storage misaligned for a thread");

#define MU(m) ((pthread_mutex_t *)(void *)(m)->s.bytes)
#define CV(c) ((pthread_cond_t *)(void *)(c)->s.bytes)
#define TH(t) ((pthread_t *)(void *)(t)->s.bytes)

void plat_mutex_init(plat_mutex *m)
{
    pthread_mutex_init(MU(m), NULL);
}

void plat_mutex_lock(plat_mutex *m)
{
    pthread_mutex_lock(MU(m));
}

void plat_mutex_unlock(plat_mutex *m)
{
    pthread_mutex_unlock(MU(m));
}

void plat_cond_init(plat_cond *c)
{
#ifdef __APPLE__
    pthread_cond_init(CV(c), NULL);
#else
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(CV(c), &attr);
    pthread_condattr_destroy(&attr);
#endif
}

void plat_cond_broadcast(plat_cond *c)
{
    pthread_cond_broadcast(CV(c));
}

int plat_cond_wait_until(plat_cond *c, plat_mutex *m, int64_t deadline_ns)
{
    if (deadline_ns < 0) {
        pthread_cond_wait(CV(c), MU(m));
        return 0;
    }
    for (;;) {
        int64_t now = plat_mono_ns();
        if (now >= deadline_ns)
            return 1;
        int rc;
#ifdef __APPLE__
        int64_t rel = deadline_ns - now;
        struct timespec ts = {(time_t)(rel / 1000000000), (long)(rel % 1000000000)};
        rc = pthread_cond_timedwait_relative_np(CV(c), MU(m), &ts);
#else
        struct timespec ts = {(time_t)(deadline_ns / 1000000000), (long)(deadline_ns % 1000000000)};
        rc = pthread_cond_timedwait(CV(c), MU(m), &ts);
#endif
        if (rc != ETIMEDOUT)
            return 0;
        /* Timed out: loop to confirm against the clock (never report a
         * timeout before the deadline). */
    }
}

/* A once-flag without a static pthread_once_t in the header: an acquire load
 * on the fast path, a process-wide mutex on the first calls. */
static pthread_mutex_t once_mu = PTHREAD_MUTEX_INITIALIZER;
static char once_done_tag;

void plat_call_once(plat_once *o, void (*fn)(void))
{
    if (__atomic_load_n(&o->state, __ATOMIC_ACQUIRE) == &once_done_tag)
        return;
    pthread_mutex_lock(&once_mu);
    if (__atomic_load_n(&o->state, __ATOMIC_RELAXED) != &once_done_tag) {
        fn();
        __atomic_store_n(&o->state, (void *)&once_done_tag, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&once_mu);
}

typedef struct trampoline {
    void (*fn)(void *);
    void *arg;
} trampoline;

static void *thread_main(void *p)
{
    trampoline t = *(trampoline *)p;
    free(p);
    t.fn(t.arg);
    return NULL;
}

int plat_thread_start(plat_thread *t, void (*fn)(void *), void *arg)
{
    trampoline *tr = malloc(sizeof *tr);
    if (!tr)
        return -1;
    tr->fn = fn;
    tr->arg = arg;
    if (pthread_create(TH(t), NULL, thread_main, tr) != 0) {
        free(tr);
        return -1;
    }
    return 0;
}

void plat_thread_join(plat_thread *t)
{
    pthread_join(*TH(t), NULL);
}

int64_t plat_mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t plat_wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

#ifndef PLAT_EVENTFD
static int set_flags(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    int fdfl = fcntl(fd, F_GETFD);
    if (fl < 0 || fdfl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 || fcntl(fd, F_SETFD, fdfl | FD_CLOEXEC) < 0)
        return -1;
    return 0;
}
#endif

int plat_signal_open(plat_signal *s)
{
    s->event = NULL;
#ifdef PLAT_EVENTFD
    int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (fd < 0)
        return -1;
    s->fd_r = s->fd_w = fd;
    return 0;
#else
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    if (set_flags(fds[0]) != 0 || set_flags(fds[1]) != 0) {
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    s->fd_r = fds[0];
    s->fd_w = fds[1];
    return 0;
#endif
}

void plat_signal_close(plat_signal *s)
{
    if (s->fd_r >= 0)
        close(s->fd_r);
    if (s->fd_w >= 0 && s->fd_w != s->fd_r)
        close(s->fd_w);
    s->fd_r = s->fd_w = -1;
}

void plat_signal_set(plat_signal *s)
{
#ifdef PLAT_EVENTFD
    uint64_t one = 1;
    ssize_t n = write(s->fd_w, &one, sizeof one);
#else
    char one = 1;
    ssize_t n = write(s->fd_w, &one, 1);
#endif
    (void)n; /* cannot fail short of a bad fd: the counter / pipe holds one unit at most */
}

void plat_signal_reset(plat_signal *s)
{
#ifdef PLAT_EVENTFD
    uint64_t v;
    ssize_t n = read(s->fd_r, &v, sizeof v); /* zeroes the counter */
#else
    char v;
    ssize_t n = read(s->fd_r, &v, 1); /* the one byte set wrote */
#endif
    (void)n;
}

void *plat_signal_handle(const plat_signal *s)
{
    return (void *)(intptr_t)s->fd_r;
}

int plat_signal_fd(const plat_signal *s)
{
    return s->fd_r;
}

#else
typedef int plat_posix_empty; /* ISO C: a translation unit is not empty */
#endif /* !_WIN32 */
