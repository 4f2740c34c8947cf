/*
 * platform_win32.c — platform.h on native Win32 (no winpthreads): SRWLOCK,
 * CONDITION_VARIABLE (SleepConditionVariableSRW, its timeout recomputed from
 * QueryPerformanceCounter so a wait never ends before its deadline),
 * InitOnceExecuteOnce, CreateThread, and the message signal as a manual-reset
 * event (CreateEventW), as LINEINITIALIZEEXPARAMS.Handles.hEvent is in TAPI.
 *
 * Only this file includes <windows.h>: its typedefs (DWORD as unsigned long,
 * HANDLE, ...) differ from the simulator's TAPI typedefs.
 */
#ifdef _WIN32

#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>

#include <stdint.h>
#include <stdlib.h>

#include "platform.h"

_Static_assert(sizeof(SRWLOCK) <= sizeof(plat_storage), "plat_storage too small for an SRWLOCK");
_Static_assert(sizeof(CONDITION_VARIABLE) <= sizeof(plat_storage), "plat_storage too small for a condition");
_Static_assert(sizeof(INIT_ONCE) == sizeof(void *), "INIT_ONCE is one pointer");
_Static_assert(_Alignof(SRWLOCK) <= _Alignof(plat_storage), "plat_storage misaligned for an SRWLOCK");
_Static_assert(_Alignof(CONDITION_VARIABLE) <= _Alignof(plat_storage), "plat_storage misaligned");

#define MU(m) ((PSRWLOCK)(void *)(m)->s.bytes)
#define CV(c) ((PCONDITION_VARIABLE)(void *)(c)->s.bytes)
#define TH(t) (*(HANDLE *)(void *)(t)->s.bytes)

void plat_mutex_init(plat_mutex *m)
{
    InitializeSRWLock(MU(m));
}

void plat_mutex_lock(plat_mutex *m)
{
    AcquireSRWLockExclusive(MU(m));
}

void plat_mutex_unlock(plat_mutex *m)
{
    ReleaseSRWLockExclusive(MU(m));
}

void plat_cond_init(plat_cond *c)
{
    InitializeConditionVariable(CV(c));
}

void plat_cond_broadcast(plat_cond *c)
{
    WakeAllConditionVariable(CV(c));
}

int plat_cond_wait_until(plat_cond *c, plat_mutex *m, int64_t deadline_ns)
{
    if (deadline_ns < 0) {
        SleepConditionVariableSRW(CV(c), MU(m), INFINITE, 0);
        return 0;
    }
    for (;;) {
        int64_t now = plat_mono_ns();
        if (now >= deadline_ns)
            return 1;
        /* Round up: the kernel's timeout granularity may still end the sleep
         * a little early by the QPC clock, hence the loop. */
        int64_t ms = (deadline_ns - now + 999999) / 1000000;
        DWORD t = ms >= (int64_t)INFINITE ? INFINITE - 1 : (DWORD)ms;
        if (SleepConditionVariableSRW(CV(c), MU(m), t, 0))
            return 0;
        if (GetLastError() != ERROR_TIMEOUT)
            return 0;
    }
}

typedef struct once_call {
    void (*fn)(void);
} once_call;

static BOOL CALLBACK once_main(PINIT_ONCE once, PVOID param, PVOID *ctx)
{
    (void)once;
    (void)ctx;
    ((const once_call *)param)->fn();
    return TRUE;
}

void plat_call_once(plat_once *o, void (*fn)(void))
{
    once_call call = {fn};
    InitOnceExecuteOnce((PINIT_ONCE)(void *)&o->state, once_main, &call, NULL);
}

typedef struct trampoline {
    void (*fn)(void *);
    void *arg;
    HMODULE pin;
} trampoline;

static const char module_anchor = 0; /* an address inside this module */

static DWORD WINAPI thread_main(LPVOID p)
{
    trampoline t = *(trampoline *)p;
    free(p);
    t.fn(t.arg);
    if (t.pin)
        FreeLibraryAndExitThread(t.pin, 0); /* never returns */
    return 0;
}

int plat_thread_start(plat_thread *t, void (*fn)(void *), void *arg)
{
    trampoline *tr = malloc(sizeof *tr);
    if (!tr)
        return -1;
    tr->fn = fn;
    tr->arg = arg;
    tr->pin = NULL;
    /* Hold the module (the simulator DLL, or the executable it is linked
     * into) while the thread runs: a FreeLibrary meanwhile must not unmap the
     * code the thread executes. */
    if (!GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS, (LPCWSTR)(const void *)&module_anchor,
                            &tr->pin))
        tr->pin = NULL;
    HANDLE h = CreateThread(NULL, 0, thread_main, tr, 0, NULL);
    if (!h) {
        if (tr->pin)
            FreeLibrary(tr->pin);
        free(tr);
        return -1;
    }
    TH(t) = h;
    return 0;
}

void plat_thread_join(plat_thread *t)
{
    WaitForSingleObject(TH(t), INFINITE);
    CloseHandle(TH(t));
    TH(t) = NULL;
}

int64_t plat_mono_ns(void)
{
    LARGE_INTEGER freq, c; /* the frequency is fixed at boot; reading it is cheap */
    QueryPerformanceFrequency(&freq);
    QueryPerformanceCounter(&c);
    int64_t f = freq.QuadPart;
    /* Split to avoid overflowing count * 1e9. */
    return (c.QuadPart / f) * 1000000000 + (c.QuadPart % f) * 1000000000 / f;
}

int64_t plat_wall_ms(void)
{
    FILETIME ft;
    GetSystemTimeAsFileTime(&ft);
    int64_t t = (int64_t)(((uint64_t)ft.dwHighDateTime << 32) | ft.dwLowDateTime); /* 100 ns since 1601 */
    return (t - INT64_C(116444736000000000)) / 10000;
}

int plat_signal_open(plat_signal *s)
{
    s->fd_r = s->fd_w = -1;
    s->event = CreateEventW(NULL, TRUE /* manual reset */, FALSE, NULL);
    return s->event ? 0 : -1;
}

void plat_signal_close(plat_signal *s)
{
    if (s->event)
        CloseHandle(s->event);
    s->event = NULL;
}

void plat_signal_set(plat_signal *s)
{
    SetEvent(s->event);
}

void plat_signal_reset(plat_signal *s)
{
    ResetEvent(s->event);
}

void *plat_signal_handle(const plat_signal *s)
{
    return s->event;
}

int plat_signal_fd(const plat_signal *s)
{
    (void)s;
    return -1;
}

#else
typedef int plat_win32_empty; /* ISO C: a translation unit is not empty */
#endif /* _WIN32 */
