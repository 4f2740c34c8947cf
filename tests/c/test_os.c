/*
 * test_os.c — see test_os.h.
 */
#ifdef _WIN32
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>
#include <string.h>
#else
#include <dlfcn.h>
#include <poll.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/time.h>
#endif

#include "test_os.h"

#ifdef _WIN32

int test_signal_wait(void *hevent, int ms)
{
    switch (WaitForSingleObject((HANDLE)hevent, (DWORD)ms)) {
    case WAIT_OBJECT_0:
        return 1;
    case WAIT_TIMEOUT:
        return 0;
    default:
        return -1;
    }
}

double test_cpu_seconds(void)
{
    FILETIME created, exited, kernel, user;
    if (!GetProcessTimes(GetCurrentProcess(), &created, &exited, &kernel, &user))
        return -1.0;
    ULARGE_INTEGER k, u;
    k.LowPart = kernel.dwLowDateTime;
    k.HighPart = kernel.dwHighDateTime;
    u.LowPart = user.dwLowDateTime;
    u.HighPart = user.dwHighDateTime;
    return (double)(k.QuadPart + u.QuadPart) / 1e7; /* 100 ns units */
}

void *test_dll_open(const char *path)
{
    return (void *)LoadLibraryA(path);
}

void *test_dll_sym(void *lib, const char *name)
{
    FARPROC f = GetProcAddress((HMODULE)lib, name);
    void *p;
    _Static_assert(sizeof p == sizeof f, "function and data pointers differ in size");
    memcpy(&p, &f, sizeof p); /* a function pointer handed on as void * */
    return p;
}

int test_dll_close(void *lib)
{
    return FreeLibrary((HMODULE)lib) ? 0 : -1;
}

#else

int test_signal_wait(void *hevent, int ms)
{
    struct pollfd p = {(int)(intptr_t)hevent, POLLIN, 0};
    int n = poll(&p, 1, ms);
    if (n < 0 || (p.revents & POLLNVAL))
        return -1;
    return n > 0 && (p.revents & POLLIN) ? 1 : 0;
}

double test_cpu_seconds(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return -1.0;
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

void *test_dll_open(const char *path)
{
    return dlopen(path, RTLD_NOW | RTLD_LOCAL);
}

void *test_dll_sym(void *lib, const char *name)
{
    return dlsym(lib, name);
}

int test_dll_close(void *lib)
{
    return dlclose(lib);
}

#endif
