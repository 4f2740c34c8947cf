/*
 * dll_load.c — the simulator as a shared library, loaded at run time the way
 * pytapi2 loads it: every expected export is found by its plain name
 * (GetProcAddress on Windows: on x86 this fails for stdcall names still
 * decorated with @N), and a few calls through the looked-up pointers, with
 * the declared calling conventions (WINAPI for TAPI, the C default for
 * tapisim_), behave: init, the message signal, lineGetMessage with and
 * without a timeout, shutdown, reset, unload.
 *
 *   dll_load LIBRARY NAME...     (NAMEs: `bash tests/c/exports.sh`)
 * Run by tests/c/run_windows.sh (x64; x86 when Wine can run it) and
 * tests/c/run.sh (ELF, dlopen).
 */
#include <stdio.h>
#include <string.h>

#include "pytapi2_tapi.h"
#include "test_os.h"

typedef LONG(WINAPI *fn_init)(LPHLINEAPP, HINSTANCE, LINECALLBACK, LPCWSTR, LPDWORD, LPDWORD,
                               LPLINEINITIALIZEEXPARAMS);
typedef LONG(WINAPI *fn_shutdown)(HLINEAPP);
typedef LONG(WINAPI *fn_get)(HLINEAPP, LPLINEMESSAGE, DWORD);
typedef int (*fn_post)(HLINEAPP, DWORD, DWORD, DWORD_PTR, DWORD_PTR, DWORD_PTR);
typedef int (*fn_reset)(void);

static int failures;

#define CHECK(c)                                                                                   \
    do {                                                                                           \
        if (!(c)) {                                                                                \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #c);                  \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

/* A looked-up symbol as a function pointer of the caller's type. */
#define GET(var, lib, name)                                                                        \
    do {                                                                                           \
        void *p_ = test_dll_sym(lib, name);                                                        \
        CHECK(p_ != NULL);                                                                         \
        memcpy(&(var), &p_, sizeof(var));                                                          \
    } while (0)

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: dll_load LIBRARY NAME...\n");
        return 2;
    }
    void *lib = test_dll_open(argv[1]);
    if (!lib) {
        fprintf(stderr, "dll_load: cannot load %s\n", argv[1]);
        return 1;
    }
    for (int i = 2; i < argc; i++)
        if (!test_dll_sym(lib, argv[i])) {
            fprintf(stderr, "dll_load: %s not found by its plain name\n", argv[i]);
            failures++;
        }

    fn_init init;
    fn_shutdown shutdown;
    fn_get get;
    fn_post post;
    fn_reset reset;
    _Static_assert(sizeof init == sizeof(void *), "function and data pointers differ in size");
    GET(init, lib, "lineInitializeExW");
    GET(shutdown, lib, "lineShutdown");
    GET(get, lib, "lineGetMessage");
    GET(post, lib, "tapisim_post_message");
    GET(reset, lib, "tapisim_reset");
    if (failures)
        return 1;

    LINEINITIALIZEEXPARAMS p;
    memset(&p, 0, sizeof p);
    p.dwTotalSize = sizeof p;
    p.dwOptions = LINEINITIALIZEEXOPTION_USEEVENT;
    HLINEAPP app = 0;
    DWORD n = 0, ver = TAPI_VERSION3_1;
    LINEMESSAGE m;
    CHECK(init(&app, NULL, NULL, u"dll_load", &n, &ver, &p) == 0);
    CHECK(ver == TAPI_VERSION3_1 && n == 1);
    CHECK(test_signal_wait(p.Handles.hEvent, 0) == 0);
    CHECK(post(app, 1, LINE_AGENTSTATUSEX, 11, 22, 33) == 0);
    CHECK(test_signal_wait(p.Handles.hEvent, 0) == 1);
    CHECK(get(app, &m, 0) == 0);
    CHECK(m.dwMessageID == LINE_AGENTSTATUSEX && m.dwParam1 == 11 && m.dwParam2 == 22 && m.dwParam3 == 33);
    CHECK(test_signal_wait(p.Handles.hEvent, 0) == 0);
    CHECK(get(app, &m, 30) == (LONG)LINEERR_OPERATIONFAILED);
    CHECK(shutdown(app) == 0);
    CHECK(shutdown(app) == (LONG)LINEERR_UNINITIALIZED); /* no app left (tapisim.h) */
    CHECK(reset() == 0);
    CHECK(test_dll_close(lib) == 0);
    printf("dll_load: %s: %d names found, calls OK: %s\n", argv[1], argc - 2, failures ? "NO" : "yes");
    return failures ? 1 : 0;
}
