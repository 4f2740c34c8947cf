/*
 * test_os.h — what the C tests need from the OS beyond the simulator's
 * platform layer (implemented in test_os.c, the only test file that includes
 * <windows.h> or POSIX headers: their typedefs clash with the TAPI ones).
 */
#ifndef TAPISIM_TEST_OS_H
#define TAPISIM_TEST_OS_H

/* Wait up to `ms` for the message signal that Handles.hEvent carries (POSIX:
 * poll the fd for POLLIN; Windows: WaitForSingleObject on the event).
 * 1: signalled, 0: timed out, -1: not a valid fd / handle (closed). */
int test_signal_wait(void *hevent, int ms);

/* CPU time (user + system) used by this process so far, in seconds. */
double test_cpu_seconds(void);

/* Load a shared library the way pytapi2 does (LoadLibraryW / dlopen) and look
 * a function up by its plain name (GetProcAddress / dlsym); NULL on failure.
 * test_dll_close: 0 on success. */
void *test_dll_open(const char *path);
void *test_dll_sym(void *lib, const char *name);
int test_dll_close(void *lib);

#endif
