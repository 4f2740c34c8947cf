/*
 * pytapi2 request core — the platform shim: one mutex, condition variables,
 * a millisecond monotonic clock and a fork generation counter.
 *
 * POSIX: pthreads (condition variables on CLOCK_MONOTONIC where available).
 * Windows: SRWLOCK + CONDITION_VARIABLE. <windows.h> is not included on
 * purpose: it would redefine DWORD/WCHAR/HANDLE, which the TAPI declarations
 * spell with exact-width types; the few kernel32 functions used are declared
 * here with their documented signatures (SRWLOCK and CONDITION_VARIABLE are
 * both one pointer).
 */
#ifndef PYTAPI2_PT_THREAD_H
#define PYTAPI2_PT_THREAD_H

#include <stdint.h>

#ifdef _WIN32

typedef struct { void *ptr; } pt_srwlock;
typedef struct { void *ptr; } pt_condvar;

__declspec(dllimport) void __stdcall InitializeSRWLock(pt_srwlock *lock);
__declspec(dllimport) void __stdcall AcquireSRWLockExclusive(pt_srwlock *lock);
__declspec(dllimport) void __stdcall ReleaseSRWLockExclusive(pt_srwlock *lock);
__declspec(dllimport) void __stdcall InitializeConditionVariable(pt_condvar *cond);
__declspec(dllimport) int __stdcall SleepConditionVariableSRW(pt_condvar *cond, pt_srwlock *lock,
                                                              unsigned long ms,
                                                              unsigned long flags);
__declspec(dllimport) void __stdcall WakeConditionVariable(pt_condvar *cond);
__declspec(dllimport) void __stdcall WakeAllConditionVariable(pt_condvar *cond);
__declspec(dllimport) unsigned long long __stdcall GetTickCount64(void);


typedef pt_srwlock pt_mutex;
#define PT_MUTEX_INITIALIZER {0} /* SRWLOCK_INIT */
typedef pt_condvar pt_cond;

static inline int pt_mutex_init(pt_mutex *m) { InitializeSRWLock(m); return 0; }
static inline void pt_mutex_destroy(pt_mutex *m) { (void)m; }
static inline void pt_mutex_lock(pt_mutex *m) { AcquireSRWLockExclusive(m); }
static inline void pt_mutex_unlock(pt_mutex *m) { ReleaseSRWLockExclusive(m); }
static inline int pt_cond_init(pt_cond *c) { InitializeConditionVariable(c); return 0; }
static inline void pt_cond_destroy(pt_cond *c) { (void)c; }
static inline void pt_cond_signal(pt_cond *c) { WakeConditionVariable(c); }
static inline void pt_cond_broadcast(pt_cond *c) { WakeAllConditionVariable(c); }
/* Wait at most `ms` milliseconds (spurious wake-ups allowed: callers loop). */
static inline void pt_cond_wait_ms(pt_cond *c, pt_mutex *m, uint32_t ms)
{
    (void)SleepConditionVariableSRW(c, m, ms, 0);
}
static inline uint64_t pt_now_ms(void) { return (uint64_t)GetTickCount64(); }

/* No fork() on Windows: the generation never changes. */
static inline void pt_fork_init(void) {}
static inline unsigned pt_fork_generation(void) { return 0; }

#else /* POSIX */

#include <pthread.h>
#include <time.h>

typedef pthread_mutex_t pt_mutex;
#define PT_MUTEX_INITIALIZER PTHREAD_MUTEX_INITIALIZER
typedef pthread_cond_t pt_cond;

static inline int pt_mutex_init(pt_mutex *m) { return pthread_mutex_init(m, NULL); }
static inline void pt_mutex_destroy(pt_mutex *m) { (void)pthread_mutex_destroy(m); }
static inline void pt_mutex_lock(pt_mutex *m) { (void)pthread_mutex_lock(m); }
static inline void pt_mutex_unlock(pt_mutex *m) { (void)pthread_mutex_unlock(m); }

#if defined(__APPLE__)
#define PT_COND_CLOCK CLOCK_REALTIME /* macOS has no pthread_condattr_setclock */
#else
#define PT_COND_CLOCK CLOCK_MONOTONIC
#endif

static inline int pt_cond_init(pt_cond *c)
{
#if defined(__APPLE__)
    return pthread_cond_init(c, NULL);
#else
    pthread_condattr_t attr;
    int rc = pthread_condattr_init(&attr);
    if (rc != 0)
        return rc;
    rc = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    if (rc == 0)
        rc = pthread_cond_init(c, &attr);
    (void)pthread_condattr_destroy(&attr);
    return rc;
#endif
}
static inline void pt_cond_destroy(pt_cond *c) { (void)pthread_cond_destroy(c); }
static inline void pt_cond_signal(pt_cond *c) { (void)pthread_cond_signal(c); }
static inline void pt_cond_broadcast(pt_cond *c) { (void)pthread_cond_broadcast(c); }
static inline void pt_cond_wait_ms(pt_cond *c, pt_mutex *m, uint32_t ms)
{
    struct timespec ts;
    (void)clock_gettime(PT_COND_CLOCK, &ts);
    ts.tv_sec += (time_t)(ms / 1000);
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec += 1;
        ts.tv_nsec -= 1000000000L;
    }
    (void)pthread_cond_timedwait(c, m, &ts);
}
static inline uint64_t pt_now_ms(void)
{
    struct timespec ts;
    (void)clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Bumped in every child by a pthread_atfork handler: a core remembers the
   generation it was made in, and refuses to work in another (its lock may be
   held by a thread that does not exist in the child, its TAPI state belongs
   to the parent). Read without a lock: the child is single-threaded when the
   handler runs, and a core from the current generation never sees it change. */
static volatile unsigned pt_fork_gen;
static pthread_once_t pt_fork_once = PTHREAD_ONCE_INIT;
static void pt_fork_child(void) { pt_fork_gen++; }
static void pt_fork_register(void) { (void)pthread_atfork(NULL, NULL, pt_fork_child); }
static inline void pt_fork_init(void) { (void)pthread_once(&pt_fork_once, pt_fork_register); }
static inline unsigned pt_fork_generation(void) { return pt_fork_gen; }

#endif

/* Atomically add `delta`; returns the new value. */
#if defined(_MSC_VER)
#include <intrin.h>
static inline long pt_atomic_add(volatile long *target, long delta)
{
    return _InterlockedExchangeAdd(target, delta) + delta;
}
#else /* gcc, clang, mingw-w64 */
static inline long pt_atomic_add(volatile long *target, long delta)
{
    return __atomic_add_fetch(target, delta, __ATOMIC_SEQ_CST);
}
#endif

#endif /* PYTAPI2_PT_THREAD_H */
